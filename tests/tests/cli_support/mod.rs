//! Shared helpers of the `cli_*` end-to-end tests: finding (and building) the `wasmedge`
//! binary, writing modules into a private temporary directory and running the binary with a
//! timeout.
//!
//! The binary lives in another package (`wasmedge-cli`), so `CARGO_BIN_EXE_wasmedge` is not
//! available here. It is located as `target/<profile>/wasmedge` next to this test executable
//! (`target/<profile>/deps/cli_*-<hash>`) and brought up to date once per test process with
//! `cargo build -p wasmedge-cli --bin wasmedge` in the same profile and target directory.
//! Set `WASMEDGE_BIN=/path/to/wasmedge` to test another binary (for example the real WasmEdge).
//!
//! Helpers only: no assertions about the CLI's behaviour belong here.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long one `wasmedge` invocation may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The `wasmedge` binary under test.
pub fn wasmedge() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("WASMEDGE_BIN") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executables live in target/<profile>/deps")
            .to_path_buf();
        let target_dir = profile_dir
            .parent()
            .expect("target directory")
            .to_path_buf();
        let profile = match profile_dir.file_name().and_then(OsStr::to_str) {
            Some("debug") => "dev".to_string(),
            Some(name) => name.to_string(),
            None => panic!(
                "cannot tell the cargo profile from {}",
                profile_dir.display()
            ),
        };
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "wasmedge-cli",
                "--bin",
                "wasmedge",
            ])
            .args(["--profile", &profile])
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("running cargo to build the wasmedge binary");
        assert!(
            status.success(),
            "building the wasmedge binary failed: {status}"
        );
        let bin = profile_dir.join(format!("wasmedge{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} was not built", bin.display());
        bin
    })
}

/// The repository root (for files such as `docs/examples/fib.wat`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A temporary directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory under the system temp dir.
    pub fn new() -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("wasmedge-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating a temp dir");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Compiles `wat` text to a binary module `name` in this directory.
    pub fn wasm(&self, name: &str, wat: &str) -> PathBuf {
        let binary = wat::parse_str(wat).unwrap_or_else(|e| panic!("bad test WAT for {name}: {e}"));
        self.file(name, &binary)
    }

    /// Writes raw bytes to `name` in this directory.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("writing a test file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a `wasmedge` invocation did.
#[derive(Debug)]
pub struct Outcome {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts the exit code, showing everything on failure.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, expected, "unexpected exit code for {self:#?}");
        self
    }

    /// Asserts that stdout is exactly `expected`.
    #[track_caller]
    pub fn stdout(&self, expected: &str) -> &Self {
        assert_eq!(self.stdout, expected, "unexpected stdout for {self:#?}");
        self
    }

    /// Asserts that stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?} in {self:#?}"
        );
        self
    }

    /// Asserts that stderr contains at least one of `needles`.
    #[track_caller]
    pub fn stderr_has_any(&self, needles: &[&str]) -> &Self {
        assert!(
            needles.iter().any(|n| self.stderr.contains(n)),
            "stderr lacks all of {needles:?} in {self:#?}"
        );
        self
    }
}

/// Runs `wasmedge` with `args`, killing it after [`TIMEOUT`].
pub fn run<I, S>(args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_env(args, &[])
}

/// Runs `wasmedge` with `args` and extra environment variables, killing it after [`TIMEOUT`].
pub fn run_env<I, S>(args: I, env: &[(&str, &OsStr)]) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut cmd = Command::new(wasmedge());
    cmd.envs(env.iter().map(|(k, v)| (*k, *v))).args(&args);
    run_command(cmd, args)
}

/// Runs a prepared command (for example `wasmedge` wrapped in a shell that sets a `ulimit`)
/// with the same timeout and checks as [`run`]; `args` are what the outcome reports.
pub fn run_command(mut cmd: Command, args: Vec<std::ffi::OsString>) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting wasmedge");
    let done = wasmedge_tests::process::wait_with_output(&mut child, TIMEOUT);
    let Some(status) = done.status else {
        panic!("wasmedge {args:?} did not finish within {TIMEOUT:?}");
    };
    let stdout = String::from_utf8_lossy(&done.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    let code = status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        panic!(
            "wasmedge {args:?} was killed by signal {:?}\nstdout: {stdout}\nstderr: {stderr}",
            status.signal()
        )
    });
    Outcome {
        args: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        code,
        stdout,
        stderr,
    }
}

/// Builds the guest workspace `tests/<folder>` (release, `wasm32-wasip1`, `--locked`, plus
/// `extra` cargo arguments such as `--features x`) into `target/<target_name>` and returns the
/// folder holding its `.wasm` files. Host-only flags (`RUSTFLAGS`) are kept out of the wasm
/// build; a missing wasm target is reported with the `rustup` command that adds it. Callers
/// build once per test process (a `OnceLock`).
pub fn build_guests(folder: &str, target_name: &str, extra: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<target_name>
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test executables live in target/<profile>/deps")
        .join(target_name);
    let manifest = repo_root().join("tests").join(folder).join("Cargo.toml");
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--locked", "--release"])
        .args(["--target", "wasm32-wasip1"])
        .args(extra)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("running cargo to build guest programs");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("wasm32-wasip1") && stderr.contains("target may not be installed")
            || stderr.contains("can't find crate for `std`")
        {
            panic!(
                "the wasm32-wasip1 Rust target is missing: install it with \
                 `rustup target add wasm32-wasip1`\n{stderr}"
            );
        }
        panic!("building {} failed:\n{stderr}", manifest.display());
    }
    target.join("wasm32-wasip1/release")
}
