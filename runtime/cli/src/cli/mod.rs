//! The `wasmedge` command-line tool: argument handling ([`args`], [`features`]), the `run`
//! subcommand ([`run`], [`values`], [`wasi`]) and `validate`/`parse` ([`inspect`]).
//!
//! This module owns the process-level policy: exit codes, where messages go (stderr, as
//! `[error] …` / `[warning] …` lines; results of reactor calls go to stdout) and the big-stack
//! worker thread. It must only use the runtime's public API (`wasmedge_runtime::…`).

pub mod args;
pub mod compile;
pub mod features;
pub mod inspect;
pub mod limits;
pub mod load;
pub mod plugins;
pub mod run;
pub mod values;
pub mod wasi;

use std::ffi::OsString;

/// Success, help and version.
pub const EXIT_SUCCESS: i32 = 0;
/// Bad command line; loading, validation or instantiation failure; bad reactor arguments.
pub const EXIT_FAILURE: i32 = 1;
/// Execution trapped (128 + SIGABRT, as WasmEdge).
pub const EXIT_TRAP: i32 = 134;
/// The runtime panicked (a bug): Rust's conventional panic exit code.
pub const EXIT_PANIC: i32 = 101;

/// Native stack of the thread that loads, compiles and runs wasm. Much larger than the wasm
/// stack limit (`Config::max_wasm_stack`, 1 MiB by default), so unbounded recursion in wasm
/// hits the wasm limit and traps instead of overflowing the native stack.
const WORKER_STACK: usize = 64 << 20;

/// Log levels, in WasmEdge's order.
const LEVELS: &[&str] = &["trace", "debug", "info", "warning", "error", "fatal", "off"];

/// Prints `[level] message` lines to stderr when the `--log-level` allows it.
#[derive(Clone, Copy, Debug)]
pub struct Log {
    level: usize,
}

impl Log {
    /// A logger for `--log-level` (`None` or an unknown level: `info`, with a warning).
    pub fn new(level: Option<&str>) -> Log {
        let info = Log { level: 2 };
        let Some(name) = level else { return info };
        let name = name.to_ascii_lowercase();
        let name = if name == "warn" {
            "warning".to_string()
        } else {
            name
        };
        match LEVELS.iter().position(|l| *l == name) {
            Some(level) => Log { level },
            None => {
                info.warn(&format!(
                    "unknown log level \"{name}\" (expected one of {}), using info",
                    LEVELS.join(", ")
                ));
                info
            }
        }
    }

    fn print(&self, level: usize, message: &str) {
        if level >= self.level && self.level < LEVELS.len() - 1 {
            eprintln!("[{}] {message}", LEVELS[level]);
        }
    }

    /// Logs at debug level.
    #[cfg_attr(
        not(feature = "compiler"),
        expect(dead_code, reason = "only the compile cache logs at debug level")
    )]
    pub fn debug(&self, message: &str) {
        self.print(1, message);
    }

    /// Logs at info level.
    pub fn info(&self, message: &str) {
        self.print(2, message);
    }

    /// Logs at warning level.
    pub fn warn(&self, message: &str) {
        self.print(3, message);
    }

    /// Logs at error level.
    pub fn error(&self, message: &str) {
        self.print(4, message);
    }
}

/// Runs the command line `argv` (including `argv[0]`) and returns the exit code.
pub fn main(argv: Vec<OsString>) -> i32 {
    // Plug-ins first: the options they add must be known to the parser.
    plugins::load(&argv);
    let cli = match args::parse(argv) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let log = Log::new(cli.log_level.as_deref());
    if cli.version {
        println!("wasmedge version {}", wasmedge_runtime::VERSION);
        for line in plugins::version_lines() {
            println!("{line}");
        }
        return EXIT_SUCCESS;
    }
    match cli.command {
        None => {
            let _ = args::command().print_help();
            EXIT_FAILURE
        }
        Some(args::Command::Run(a)) => on_big_stack(move || run::run(&a, &log), log),
        Some(args::Command::Compile(a)) => on_big_stack(move || compile::compile(&a, &log), log),
        Some(args::Command::Validate(a)) => on_big_stack(move || inspect::validate(&a, &log), log),
        Some(args::Command::Parse(a)) => on_big_stack(move || inspect::parse(&a, &log), log),
        Some(args::Command::Plugin(a)) => plugins::command(&a),
    }
}

/// Runs `work` on a thread with a [`WORKER_STACK`]-byte stack.
fn on_big_stack(work: impl FnOnce() -> i32 + Send + 'static, log: Log) -> i32 {
    let spawned = std::thread::Builder::new()
        .name("wasmedge".into())
        .stack_size(WORKER_STACK)
        .spawn(work);
    match spawned {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            log.error("internal error: the runtime panicked (this is a bug)");
            EXIT_PANIC
        }),
        Err(e) => {
            log.error(&format!("cannot start the worker thread: {e}"));
            EXIT_FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels() {
        assert_eq!(Log::new(None).level, 2);
        assert_eq!(Log::new(Some("WARN")).level, 3);
        assert_eq!(Log::new(Some("off")).level, 6);
        assert_eq!(Log::new(Some("bogus")).level, 2);
    }
}
