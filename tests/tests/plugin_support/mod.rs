//! Shared helpers of the `plugins_*` end-to-end tests: building the plug-in fixtures
//! (`tests/plugin-fixtures`, separate workspaces, into `target/plugin-fixtures/`) and the
//! `wasi-logging` plug-in, making plug-in folders, and running `wasmedge` in a controlled
//! environment (a private `HOME`, no `WASMEDGE_PLUGIN_PATH` unless a test sets one).
//!
//! Helpers only: no assertions about plug-in behaviour belong here. Needs `cli_support`.

#![allow(dead_code)]

use crate::cli_support::{Outcome, TempDir, repo_root, wasmedge};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `target/` and the cargo profile of this test executable (`target/<profile>/deps/…`).
pub fn target_and_profile() -> (PathBuf, String) {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps");
    let target = profile_dir
        .parent()
        .expect("target directory")
        .to_path_buf();
    let profile = match profile_dir.file_name().and_then(OsStr::to_str) {
        Some("debug") => "dev".to_string(),
        Some(name) => name.to_string(),
        None => panic!("cannot tell the profile from {}", profile_dir.display()),
    };
    (target, profile)
}

fn cargo() -> Command {
    Command::new(option_env!("CARGO").unwrap_or("cargo"))
}

fn build(manifest: &Path, target_dir: &Path, extra: &[&str]) {
    let status = cargo()
        .args(["build", "--quiet", "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .args(extra)
        .status()
        .expect("running cargo");
    assert!(status.success(), "building {} failed", manifest.display());
}

fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The fixture plug-in libraries, built once per test process (dev profile).
pub struct Fixtures {
    pub testkit: PathBuf,
    pub panic_init: PathBuf,
    pub not_a_plugin: PathBuf,
    pub needs_native_lib: PathBuf,
    /// Built against the frozen SDK 1.0 (descriptor layout v1).
    pub v1: PathBuf,
    /// The same with an incompatible descriptor layout.
    pub bad_layout: PathBuf,
}

pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let (target, _) = target_and_profile();
        let src = repo_root().join("tests/plugin-fixtures");
        let main = target.join("plugin-fixtures/main");
        let bad = target.join("plugin-fixtures/bad-layout");
        build(&src.join("Cargo.toml"), &main, &["--workspace"]);
        build(&src.join("v1-plugin/Cargo.toml"), &main, &[]);
        build(
            &src.join("v1-plugin/Cargo.toml"),
            &bad,
            &["--features", "incompatible-layout"],
        );
        let lib = |dir: &Path, stem: &str| {
            let p = dir.join("debug").join(lib_name(stem));
            assert!(p.exists(), "{} was not built", p.display());
            p
        };
        Fixtures {
            testkit: lib(&main, "fixture_testkit"),
            panic_init: lib(&main, "fixture_panic_init"),
            not_a_plugin: lib(&main, "fixture_not_a_plugin"),
            needs_native_lib: lib(&main, "fixture_needs_native_lib"),
            v1: lib(&main, "fixture_v1_plugin"),
            bad_layout: lib(&bad, "fixture_v1_plugin"),
        }
    })
}

/// The `wasi-logging` plug-in of this workspace, built in this test's profile.
pub fn wasi_logging() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let (target, profile) = target_and_profile();
        let status = cargo()
            .args(["build", "--quiet", "-p", "wasmedge-plugin-wasi-logging"])
            .args(["--profile", &profile])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(repo_root())
            .status()
            .expect("running cargo");
        assert!(status.success(), "building the wasi-logging plug-in failed");
        let dir = if profile == "dev" { "debug" } else { &profile };
        let lib = target
            .join(dir)
            .join(lib_name("wasmedge_plugin_wasi_logging"));
        assert!(lib.exists(), "{} was not built", lib.display());
        lib
    })
}

/// The plug-in library `stem` (e.g. `wasmedge_plugin_keyvalue`) of workspace package `package`,
/// built once per test process in this test's profile.
pub fn workspace_plugin(package: &str, stem: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, lib)) = built.iter().find(|(p, _)| p == package) {
        return lib.clone();
    }
    let (target, profile) = target_and_profile();
    let status = cargo()
        .args(["build", "--quiet", "-p", package, "--lib"])
        .args(["--profile", &profile])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo_root())
        .status()
        .expect("running cargo");
    assert!(status.success(), "building the {package} plug-in failed");
    let dir = if profile == "dev" { "debug" } else { &profile };
    let lib = target.join(dir).join(lib_name(stem));
    assert!(lib.exists(), "{} was not built", lib.display());
    built.push((package.to_string(), lib.clone()));
    lib
}

/// A fresh folder holding copies of `libs`, each under the given file name.
pub fn plugin_dir(libs: &[(&Path, &str)]) -> TempDir {
    let dir = TempDir::new();
    for (lib, name) in libs {
        std::fs::copy(lib, dir.path().join(name))
            .unwrap_or_else(|e| panic!("copying {}: {e}", lib.display()));
    }
    dir
}

/// How to run `wasmedge`: the binary, `HOME` and extra environment.
pub struct Env {
    pub bin: PathBuf,
    pub home: TempDir,
    pub vars: Vec<(String, OsString)>,
}

impl Env {
    /// The tested binary with an empty private `HOME` and no plug-in path.
    pub fn clean() -> Env {
        Env {
            bin: wasmedge().to_path_buf(),
            home: TempDir::new(),
            vars: Vec::new(),
        }
    }

    /// Sets an environment variable for the runs.
    pub fn var(mut self, name: &str, value: impl Into<OsString>) -> Env {
        self.vars.push((name.to_string(), value.into()));
        self
    }

    /// Runs `wasmedge` with `args`, killing it after the timeout.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let mut cmd = Command::new(&self.bin);
        cmd.args(&args)
            .env("HOME", self.home.path())
            .env_remove("WASMEDGE_PLUGIN_PATH")
            .env_remove("RUST_BACKTRACE");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        crate::cli_support::run_command(cmd, args)
    }
}

/// The `[warning]` lines of a run.
pub fn warnings(o: &Outcome) -> Vec<&str> {
    o.stderr
        .lines()
        .filter(|l| l.starts_with("[warning]"))
        .collect()
}

/// A guest that logs through `wasi:logging` exactly as `wit-bindgen` lowers the interface for a
/// core module: `log(level: enum → i32, context: string → (ptr, len), message: string → (ptr,
/// len))`, no results.
pub const LOGGING_GUEST: &str = r#"
(module
  (import "wasi:logging/logging@0.1.0-draft" "log"
    (func $log (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "inference")
  (data (i32.const 16) "model loaded in 12 ms")
  (data (i32.const 64) "falling back to the CPU")
  (func (export "_start")
    ;; info, context "inference", message "model loaded in 12 ms"
    (call $log (i32.const 2) (i32.const 0) (i32.const 9) (i32.const 16) (i32.const 21))
    ;; warn, empty context
    (call $log (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 23))))
"#;

/// The lines [`LOGGING_GUEST`] logs.
pub const LOGGED: &str =
    "[info] inference: model loaded in 12 ms\n[warn] falling back to the CPU\n";

/// Builds the guest workspace `tests/<folder>` for `wasm32-wasip1` (release) into
/// `target/<folder>` and returns the folder holding its `.wasm` files. A missing target is
/// reported with the `rustup` command that adds it. Build once per test process.
pub fn wasm_guests(folder: &str) -> PathBuf {
    crate::cli_support::build_guests(folder, folder, &[])
}
