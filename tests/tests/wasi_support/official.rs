//! The official WASI preview1 test suite (`../shared/corpus/wasi-testsuite`, 72 tests: Rust, C,
//! AssemblyScript) run through a `wasmedge` binary the way upstream's runner and its WasmEdge
//! adapter do: `wasmedge [--env K=V]... [--dir /:<root>] test.wasm args...`, one fresh process
//! per test, judged by exit code and the expected stdout/stderr prefix.
//!
//! Each test's `root` directory is copied to a private temporary directory first (tests write
//! into it and `../shared` is read-only). A `prepare` step may turn each module into what the
//! binary runs (an artifact, for the lean build). Where the suite is absent (a fresh clone
//! without `../shared`) [`run_official_suite`] prints a visible notice and returns, except
//! under `CI=true`, where that is a failure. `WASI_TESTSUITE=/path/to/wasi-testsuite` points it
//! elsewhere. Helpers only: the calling test asserts.

use super::{copy_tree, run_binary};
use crate::cli_support::{TempDir, repo_root};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmedge_tests::json::Json;

/// The suites of the corpus, in upstream's order.
const SUITES: &[&str] = &["rust", "c", "assemblyscript"];

/// Upstream's default timeout is 5 s; compilation before the run is included here, so allow
/// more on a slow machine.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A test's specification (the `.json` beside the `.wasm`, or the defaults).
struct Spec {
    args: Vec<String>,
    env: Vec<(String, String)>,
    root: Option<String>,
    exit_code: i32,
    stdout: String,
    stderr: String,
}

fn read_spec(wasm: &Path) -> Result<Spec, String> {
    let mut spec = Spec {
        args: Vec::new(),
        env: Vec::new(),
        root: None,
        exit_code: 0,
        stdout: String::new(),
        stderr: String::new(),
    };
    let path = wasm.with_extension("json");
    if !path.exists() {
        return Ok(spec);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = Json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(Json::Array(a)) = json.get("args") {
        spec.args = a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
    }
    if let Some(Json::Object(m)) = json.get("env") {
        for (k, v) in m {
            spec.env
                .push((k.clone(), v.as_str().unwrap_or_default().to_string()));
        }
    }
    spec.root = json.get("root").and_then(Json::as_str).map(String::from);
    if let Some(Json::Number(n)) = json.get("exit_code") {
        spec.exit_code = *n as i32;
    }
    if let Some(s) = json.get("stdout").and_then(Json::as_str) {
        spec.stdout = s.to_string();
    }
    if let Some(s) = json.get("stderr").and_then(Json::as_str) {
        spec.stderr = s.to_string();
    }
    Ok(spec)
}

/// Runs one test; `Err` explains a failure.
fn run_one(bin: &Path, wasm: &Path, module: &Path, scratch: &Path) -> Result<(), String> {
    let spec = read_spec(wasm)?;
    let mut argv: Vec<OsString> = Vec::new();
    for (k, v) in &spec.env {
        argv.push("--env".into());
        argv.push(format!("{k}={v}").into());
    }
    if let Some(root) = &spec.root {
        let src = wasm.parent().unwrap_or(Path::new(".")).join(root);
        let copy = scratch.join("root");
        copy_tree(&src, &copy).map_err(|e| format!("copying {}: {e}", src.display()))?;
        let mut dir = OsString::from("/:");
        dir.push(copy.as_os_str());
        argv.push("--dir".into());
        argv.push(dir);
    }
    argv.push(module.as_os_str().to_owned());
    argv.extend(spec.args.iter().map(OsString::from));
    let r = run_binary(bin, &argv, None, TIMEOUT);
    // Upstream's runner reads exactly as many characters as expected and compares them.
    let ok = r.code == Some(spec.exit_code)
        && r.stdout.starts_with(spec.stdout.as_bytes())
        && r.stderr.starts_with(spec.stderr.as_bytes());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected exit code {} and output starting with {:?} / {:?}; got {}",
            spec.exit_code,
            spec.stdout,
            spec.stderr,
            r.describe()
        ))
    }
}

/// Prints a line past the test harness's output capture (one line per test, as upstream's
/// runner does).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The corpus directory, if present.
pub fn corpus() -> PathBuf {
    match std::env::var_os("WASI_TESTSUITE") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("../shared/corpus/wasi-testsuite"),
    }
}

/// Runs every test of the corpus with `bin`; `prepare(module, scratch)` returns the file to
/// run in place of `module`. Returns `None` when the corpus is absent (outside CI), else
/// `(passed, names of the failed tests)`.
pub fn run_official_suite(
    bin: &Path,
    prepare: impl Fn(&Path, &Path) -> PathBuf,
) -> Option<(usize, Vec<String>)> {
    let corpus = corpus();
    let suites: Vec<PathBuf> = SUITES
        .iter()
        .map(|s| corpus.join("tests").join(s).join("testsuite/wasm32-wasip1"))
        .collect();
    if let Some(missing) = suites.iter().find(|d| !d.is_dir()) {
        let msg = format!(
            "official WASI test suite NOT RUN: {} is missing (it lives in ../shared beside the \
             repository; set WASI_TESTSUITE to its location)",
            missing.display()
        );
        // Written past the test harness's output capture so that it is always visible.
        let _ = writeln!(std::io::stderr(), "\n========== {msg} ==========\n");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{msg}; under CI=true the suite is required"
        );
        return None;
    }

    let (mut passed, mut failed) = (0usize, Vec::new());
    for (suite, dir) in SUITES.iter().zip(&suites) {
        let mut tests: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        tests.sort();
        for wasm in tests {
            let name = format!(
                "{suite}/{}",
                wasm.file_stem().unwrap_or_default().to_string_lossy()
            );
            let scratch = TempDir::new();
            let module = prepare(&wasm, scratch.path());
            match run_one(bin, &wasm, &module, scratch.path()) {
                Ok(()) => {
                    passed += 1;
                    say(&format!("PASS {name}"));
                }
                Err(why) => {
                    say(&format!("FAIL {name}: {why}"));
                    failed.push(name);
                }
            }
        }
    }
    say(&format!(
        "wasi-testsuite: {passed} passed, {} failed",
        failed.len()
    ));
    Some((passed, failed))
}
