//! The lean runtime: `wasmedge` (and the spec runner) built without the compiler
//! (`cargo build --release -p wasmedge-cli --no-default-features`), running what the full
//! build compiled — the spec suites from artifacts, the official WASI suite and a plug-in guest
//! from universal wasm — and refusing plain modules and `compile` with the way forward. Its
//! dependency tree holds no `cranelift-*` crate.
//!
//! The lean binaries are built once per test process into `<target>/lean` (their own target
//! directory: the two builds both make a `wasmedge`). Module source is process-wide in the
//! spec runner, which is one reason this is its own test binary.

mod cli_support;
mod plugin_support;
mod wasi_support;

use cli_support::{TempDir, repo_root, wasmedge};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;
use wasi_support::run_binary;
use wasmedge_tests::spec;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The lean build's binaries.
struct Lean {
    wasmedge: PathBuf,
    spec_runner: PathBuf,
}

fn cargo() -> Command {
    Command::new(option_env!("CARGO").unwrap_or("cargo"))
}

fn lean() -> &'static Lean {
    static LEAN: OnceLock<Lean> = OnceLock::new();
    LEAN.get_or_init(|| {
        let (target, profile) = plugin_support::target_and_profile();
        let dir = target.join("lean");
        let status = cargo()
            .args(["build", "--quiet", "--no-default-features"])
            .args(["-p", "wasmedge-cli", "-p", "wasmedge-tests"])
            .args(["--bin", "wasmedge", "--bin", "spec-runner"])
            .args(["--profile", &profile])
            .arg("--target-dir")
            .arg(&dir)
            .current_dir(repo_root())
            .status()
            .expect("running cargo to build the lean runtime");
        assert!(
            status.success(),
            "building the lean runtime failed: {status}"
        );
        let profile_dir = dir.join(if profile == "dev" { "debug" } else { &profile });
        Lean {
            wasmedge: profile_dir.join("wasmedge"),
            spec_runner: profile_dir.join("spec-runner"),
        }
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `wasmedge compile IN OUT` with the full build.
fn compile(input: &Path, output: &Path) {
    let r = run_binary(
        wasmedge(),
        &["compile".into(), input.into(), output.into()],
        None,
        TIMEOUT,
    );
    assert_eq!(
        r.code,
        Some(0),
        "compiling {}: {}",
        input.display(),
        r.describe()
    );
}

/// The normal dependencies of `package` with the given feature flags, one crate name per line.
fn dependency_names(extra: &[&str]) -> Vec<String> {
    let out = cargo()
        .args([
            "tree",
            "-p",
            "wasmedge-cli",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"])
        .args(extra)
        .current_dir(repo_root())
        .output()
        .expect("running cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        text(&out.stderr)
    );
    let mut names: Vec<String> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn lean_dependency_tree_has_no_code_generator() {
    let lean = dependency_names(&["--no-default-features"]);
    let full = dependency_names(&[]);
    let cranelift = |names: &[String]| names.iter().filter(|n| n.starts_with("cranelift")).count();
    assert_eq!(cranelift(&lean), 0, "lean dependencies: {lean:?}");
    assert!(!lean.iter().any(|n| n == "wasmedge-cranelift"), "{lean:?}");
    assert!(
        cranelift(&full) > 0,
        "the full build has the compiler: {full:?}"
    );
    println!(
        "dependencies: lean {} crates, full {} crates",
        lean.len(),
        full.len()
    );
}

#[test]
fn lean_runs_the_spec_suites_from_artifacts_of_the_full_build() {
    let dir = TempDir::new();
    // This (full) process compiles every module, runs the suites, and writes the artifacts.
    spec::context::set_module_source(spec::context::ModuleSource::EmitArtifacts(
        dir.path().to_path_buf(),
    ));
    let mut files = spec::suite_files("wasm-v1", None).unwrap();
    files.extend(spec::suite_files("wasm-v2", None).unwrap());
    let proposals = [
        "simd",
        "relaxed-simd",
        "tail-call",
        "extended-const",
        "multi-memory",
        "threads",
    ];
    for p in proposals {
        files.extend(spec::proposal_files(p, None).unwrap());
    }
    spec::run_all_expect_pass(files);
    let written = std::fs::read_dir(dir.path()).unwrap().count();
    assert!(written > 1000, "only {written} artifacts were written");
    // The lean spec runner loads each module from those artifacts.
    let mut args: Vec<OsString> = vec!["--artifacts".into(), dir.path().into()];
    for s in ["wasm-v1", "wasm-v2"] {
        args.extend(["--suite".into(), s.into()]);
    }
    for p in proposals {
        args.extend(["--proposal".into(), p.into()]);
    }
    let r = run_binary(&lean().spec_runner, &args, None, Duration::from_secs(600));
    let out = text(&r.stdout);
    let last = out.lines().last().unwrap_or_default().to_string();
    println!("lean spec runner: {last}");
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: u64 = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed > 70_000, "{last}");
}

#[test]
fn lean_runs_the_official_wasi_suite_from_universal_wasm() {
    let bin = &lean().wasmedge;
    let Some((passed, failed)) =
        wasi_support::official::run_official_suite(bin, |wasm: &Path, scratch: &Path| {
            // Same file name, so argv[0] is what the suite expects; the embedded artifact is
            // the only way the lean build can run it.
            let out = scratch.join(wasm.file_name().unwrap());
            compile(wasm, &out);
            out
        })
    else {
        return;
    };
    assert!(failed.is_empty(), "failed tests: {failed:?}");
    assert_eq!(passed, 72, "expected the 72 preview1 tests of the corpus");
}

#[test]
fn lean_runs_a_plugin_guest_from_an_artifact() {
    let dir = TempDir::new();
    let wasm = dir.wasm("guest.wasm", plugin_support::LOGGING_GUEST);
    let artifact = dir.path().join("guest.so");
    compile(&wasm, &artifact);
    let plugins = plugin_support::plugin_dir(&[(
        plugin_support::wasi_logging(),
        "libwasmedge_plugin_wasi_logging.so",
    )]);
    let r = run_binary(
        &lean().wasmedge,
        &[
            "--plugin-dir".into(),
            plugins.path().into(),
            artifact.clone().into(),
        ],
        None,
        TIMEOUT,
    );
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert_eq!(text(&r.stderr), plugin_support::LOGGED, "{}", r.describe());
}

#[test]
fn lean_refuses_plain_modules_and_compile_naming_the_full_build() {
    let dir = TempDir::new();
    let wasm = dir.wasm("app.wasm", r#"(module (func (export "_start")))"#);
    let bin = &lean().wasmedge;
    let r = run_binary(bin, &[wasm.clone().into()], None, TIMEOUT);
    assert_eq!(r.code, Some(1), "{}", r.describe());
    let err = text(&r.stderr);
    assert!(err.contains("lean build without a compiler"), "{err}");
    assert!(err.contains("wasmedge compile"), "{err}");
    // A broken module is still reported as broken, not as "needs the compiler".
    let broken = dir.file("broken.wasm", b"\0asm\x01\0\0\0\x01\x05");
    let r = run_binary(bin, &[broken.into()], None, TIMEOUT);
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(
        text(&r.stderr).contains("loading failed"),
        "{}",
        r.describe()
    );
    let r = run_binary(
        bin,
        &[
            "compile".into(),
            wasm.into(),
            dir.path().join("x.so").into(),
        ],
        None,
        TIMEOUT,
    );
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(
        text(&r.stderr).contains("the full build"),
        "{}",
        r.describe()
    );
    // What the full build writes, the lean one runs.
    let artifact = dir.path().join("app.so");
    compile(&dir.path().join("app.wasm"), &artifact);
    let r = run_binary(bin, &[artifact.into()], None, TIMEOUT);
    assert_eq!(r.code, Some(0), "{}", r.describe());
}
