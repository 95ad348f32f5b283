//! Runs many `.wast` files robustly: every file runs inside `catch_unwind` on one worker
//! thread with a large stack (the suite recurses deeply), with one `Engine` per feature set,
//! and reports stream back to the caller as files finish.
//!
//! Must not interpret directives (that is `script.rs`) or print anything (callers decide).

use crate::spec::report::{FileReport, Totals};
use crate::spec::script::run_script;
use std::any::Any;
use std::borrow::Cow;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Once, mpsc};
use std::thread;
use wasmedge_runtime::{Config, Engine, MemoryStrategy, WasmFeatures};

/// Stack size of the worker thread that runs the scripts.
pub const WORKER_STACK_SIZE: usize = 64 << 20;

/// The name of the worker thread.
const WORKER_NAME: &str = "spec-worker";

thread_local! {
    /// Where the last panic on this thread happened (`file:line:col`).
    static LAST_PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that, on the worker thread, records where a panic
/// happened instead of printing a backtrace per failing file; the location becomes part of the
/// failure message. Set `SPEC_RUNNER_PANIC_DETAILS=1` to also get the default panic output.
/// Panics on other threads go to the previous hook unchanged.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        let details = std::env::var_os("SPEC_RUNNER_PANIC_DETAILS").is_some_and(|v| v != "0");
        std::panic::set_hook(Box::new(move |info| {
            if thread::current().name() != Some(WORKER_NAME) || details {
                previous(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            LAST_PANIC_LOCATION.with(|p| *p.borrow_mut() = location);
        }));
    });
}

/// One `.wast` script to run.
#[derive(Clone, Debug)]
pub struct WastFile {
    /// How the file is named in reports.
    pub name: String,
    /// The script text.
    pub text: Cow<'static, str>,
    /// The WebAssembly features its engine enables.
    pub features: WasmFeatures,
}

/// The features of `Config::new()` (the runtime's default set).
pub fn default_features() -> WasmFeatures {
    Config::new().features()
}

static STRATEGY: std::sync::Mutex<MemoryStrategy> = std::sync::Mutex::new(MemoryStrategy::Auto);

/// Sets the bounds-checking strategy of every engine created afterwards (process-wide).
pub fn set_memory_strategy(strategy: MemoryStrategy) {
    *STRATEGY.lock().unwrap_or_else(|p| p.into_inner()) = strategy;
}

/// Creates an engine with the given features (and the strategy of [`set_memory_strategy`]).
pub fn new_engine(features: WasmFeatures) -> Result<Engine, String> {
    let mut config = Config::new();
    config.wasm_features(features);
    config.memory_strategy(*STRATEGY.lock().unwrap_or_else(|p| p.into_inner()));
    Engine::new(&config).map_err(|e| format!("cannot create an engine: {e}"))
}

/// Engines by feature set, created on first use. Lives on the worker thread only (an
/// `Engine` need not be `Send`).
#[derive(Default)]
pub struct Engines {
    cache: Vec<(WasmFeatures, Engine)>,
}

impl Engines {
    /// The engine for `features`.
    pub fn get(&mut self, features: WasmFeatures) -> Result<Engine, String> {
        if let Some((_, engine)) = self.cache.iter().find(|(f, _)| *f == features) {
            return Ok(engine.clone());
        }
        let engine = new_engine(features)?;
        self.cache.push((features, engine.clone()));
        Ok(engine)
    }

    /// Drops the engine for `features` (after a panic it may be in a bad state).
    pub fn forget(&mut self, features: WasmFeatures) {
        self.cache.retain(|(f, _)| *f != features);
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// Runs one file on the current thread, turning a panic into a failure of the directive that
/// was running. The current thread should have a large stack (see [`run_files`]).
pub fn run_file(engines: &mut Engines, file: &WastFile) -> FileReport {
    let mut report = FileReport::new(file.name.clone());
    LAST_PANIC_LOCATION.with(|p| p.borrow_mut().take());
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let engine = engines.get(file.features)?;
        run_script(&engine, &file.text, &mut report);
        Ok(())
    }));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(message)) => report.fail(1, 1, "setup", message),
        Err(payload) => {
            engines.forget(file.features);
            let (line, col, directive) = report.position.take().unwrap_or((1, 1, "file"));
            let location = LAST_PANIC_LOCATION.with(|p| p.borrow_mut().take());
            let message = match location {
                Some(at) => format!("panicked at {at}: {}", panic_message(&*payload)),
                None => format!("panicked: {}", panic_message(&*payload)),
            };
            report.fail(line, col, directive, message);
        }
    }
    report
}

/// Runs `files` in order on a worker thread with a [`WORKER_STACK_SIZE`] stack, calling
/// `on_report` on the calling thread as each file finishes. Always returns one report per
/// file: if the worker dies, the files it did not finish are reported as failed.
/// Installs the panic hook of [`install_panic_hook`].
pub fn run_files(files: Vec<WastFile>, mut on_report: impl FnMut(&FileReport)) -> Vec<FileReport> {
    install_panic_hook();
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let (tx, rx) = mpsc::channel::<FileReport>();
    let worker = thread::Builder::new()
        .name(WORKER_NAME.into())
        .stack_size(WORKER_STACK_SIZE)
        .spawn(move || {
            let mut engines = Engines::default();
            for file in &files {
                if tx.send(run_file(&mut engines, file)).is_err() {
                    break;
                }
            }
        });
    let mut reports = Vec::with_capacity(names.len());
    let died = match worker {
        Ok(handle) => {
            for report in rx {
                on_report(&report);
                reports.push(report);
            }
            match handle.join() {
                Ok(()) => None,
                Err(payload) => Some(format!(
                    "the runner thread panicked: {}",
                    panic_message(&*payload)
                )),
            }
        }
        Err(e) => Some(format!("cannot spawn the runner thread: {e}")),
    };
    for name in names.iter().skip(reports.len()) {
        let mut report = FileReport::new(name.clone());
        let why = died
            .clone()
            .unwrap_or_else(|| "the runner thread stopped early".into());
        report.fail(1, 1, "file", format!("not run: {why}"));
        on_report(&report);
        reports.push(report);
    }
    reports
}

/// Runs `files`, printing a line per file and the totals, and panics if any assertion failed.
/// For integration tests: a failing CI run shows which files broke and why.
pub fn run_all_expect_pass(files: Vec<WastFile>) {
    assert!(!files.is_empty(), "no .wast files to run");
    let mut totals = Totals::default();
    let reports = run_files(files, |report| {
        totals.add(report);
        println!("{}", report.render(10));
    });
    println!("{}", totals.line());
    let failing: Vec<&str> = reports
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        totals.failed,
        0,
        "{} (failures in {} files: {})",
        totals.line(),
        failing.len(),
        failing.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unparsable_script_fails_without_an_engine_panic_escaping() {
        let file = WastFile {
            name: "broken.wast".into(),
            text: Cow::Borrowed("(module (func)"),
            features: WasmFeatures::WASM1,
        };
        let reports = run_files(vec![file], |_| {});
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].name, "broken.wast");
        assert!(!reports[0].ok());
    }

    #[test]
    fn panics_are_contained() {
        let payload: Box<dyn Any + Send> = Box::new("boom");
        assert_eq!(panic_message(&*payload), "boom");
        let payload: Box<dyn Any + Send> = Box::new(String::from("bang"));
        assert_eq!(panic_message(&*payload), "bang");
    }
}
