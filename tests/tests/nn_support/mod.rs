//! Shared helpers of the `nn_*` end-to-end tests: the ML set-up folder (`bash .ci/setup-ml`,
//! default `<repo>/.ml`), packaging the WASI-NN plug-ins with `cargo xtask package-plugins` into
//! one extracted plug-in folder, building the `infer` guests (`tests/guests-nn`), reading the
//! reference cases the set-up wrote, and running `wasmedge` in the models folder.
//!
//! Helpers only: the assertions about WASI-NN behaviour live in the tests. Needs `cli_support`
//! and `plugin_support`.

#![allow(dead_code)]

use crate::cli_support::{Outcome, TempDir, repo_root, wasmedge};
use crate::plugin_support::target_and_profile;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What `.ml/env.sh` exports.
#[derive(Clone)]
pub struct Setup {
    pub dir: PathBuf,
    pub models: PathBuf,
    pub vars: Vec<(String, String)>,
}

/// The ML set-up, or `None` (with a visible line) when it was not run. Under `CI=true` a
/// missing set-up fails the test: `.ci/run` runs it.
pub fn setup() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let dir = std::env::var_os("WASMEDGE_ML_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| repo_root().join(".ml"));
            let env = dir.join("env.sh");
            let Ok(text) = std::fs::read_to_string(&env) else {
                let msg = format!(
                    "the ML set-up is missing ({} not found): run `bash .ci/setup-ml`",
                    env.display()
                );
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("{msg}");
                }
                eprintln!("SKIPPED (not an error outside CI): {msg}");
                return None;
            };
            let vars = text
                .lines()
                .filter_map(|l| l.strip_prefix("export "))
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                .collect();
            Some(Setup {
                models: dir.join("models"),
                dir,
                vars,
            })
        })
        .as_ref()
}

impl Setup {
    /// The value of a variable of `env.sh`.
    pub fn var(&self, name: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} is not in env.sh"))
    }
}

/// The WASI-NN plug-in crates (folders under `plugins/`).
pub const NN_PLUGINS: &[&str] = &["wasi-nn-onnx", "wasi-nn-openvino", "wasi-nn-pytorch"];

/// The WASI-NN plug-ins, packaged with `cargo xtask package-plugins` (in this test's
/// profile) and extracted into one folder, as a user installs them.
/// The folder is `target/nn-plugins/<test binary>`, replaced on each run (a static
/// `TempDir` would never be dropped).
pub fn packaged_plugins(setup: &Setup) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (target, profile) = target_and_profile();
        let out = TempDir::new();
        let mut cmd = Command::new(option_env!("CARGO").unwrap_or("cargo"));
        cmd.args(["run", "--quiet", "-p", "xtask", "--", "package-plugins"])
            .args(NN_PLUGINS.iter().flat_map(|p| ["--plugin", p]))
            .arg("--out")
            .arg(out.path())
            .args(["--profile", &profile])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(repo_root());
        for (k, v) in &setup.vars {
            cmd.env(k, v);
        }
        let status = cmd.status().expect("running cargo xtask package-plugins");
        assert!(
            status.success(),
            "cargo xtask package-plugins failed: {status}"
        );
        let exe = std::env::current_exe().expect("test executable path");
        let stem = exe
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let dir = target.join("nn-plugins").join(stem);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating the plug-in folder");
        for e in std::fs::read_dir(out.path()).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().ends_with(".tar.gz") {
                let s = Command::new("tar")
                    .arg("xzf")
                    .arg(&p)
                    .arg("-C")
                    .arg(&dir)
                    .status()
                    .expect("running tar");
                assert!(s.success(), "extracting {}", p.display());
            }
        }
        dir
    })
}

/// The folder holding `infer-wasi-nn.wasm` and `infer-wasmedge.wasm`.
pub fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| crate::cli_support::build_guests("guests-nn", "guests-nn", &[]))
}

/// The two guest programs: (crate name, path).
pub fn infer_guests() -> [(&'static str, PathBuf); 2] {
    [
        ("wasi-nn 0.6", guests().join("infer-wasi-nn.wasm")),
        ("wasmedge-wasi-nn 0.8", guests().join("infer-wasmedge.wasm")),
    ]
}

/// A reference case written by the set-up (`.ci/ml_models.py`).
pub struct Case {
    pub encoding: String,
    pub models: Vec<String>,
    /// `TYPE:DIMS:FILE` as the guests take it.
    pub inputs: Vec<String>,
    /// (type, expected values).
    pub outputs: Vec<(String, Vec<f64>)>,
}

/// Reads `<models>/<name>.case`.
pub fn case(setup: &Setup, name: &str) -> Case {
    let path = setup.models.join(format!("{name}.case"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (re-run `bash .ci/setup-ml`)", path.display()));
    let mut c = Case {
        encoding: String::new(),
        models: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["encoding", e] => c.encoding = e.to_string(),
            ["model", files @ ..] => c.models = files.iter().map(|s| s.to_string()).collect(),
            ["input", ty, dims, file] => c.inputs.push(format!("{ty}:{dims}:{file}")),
            ["output", ty, _dims, values @ ..] => c.outputs.push((
                ty.to_string(),
                values.iter().map(|v| v.parse().unwrap()).collect(),
            )),
            _ => panic!("{}: bad line {line:?}", path.display()),
        }
    }
    c
}

impl Case {
    /// The guest arguments of one run: `ENCODING cpu MODEL-ARGS --input … --output …`.
    pub fn run_args(&self, preload: Option<&str>) -> Vec<String> {
        let mut a = vec![self.encoding.clone(), "cpu".to_string()];
        match preload {
            Some(name) => a.extend(["--preload".to_string(), name.to_string()]),
            None => {
                for m in &self.models {
                    a.extend(["--model".to_string(), m.clone()]);
                }
            }
        }
        for i in &self.inputs {
            a.extend(["--input".to_string(), i.clone()]);
        }
        for (ty, _) in &self.outputs {
            a.extend(["--output".to_string(), ty.clone()]);
        }
        a
    }

    /// The `--nn-preload` value naming this case's model as `alias`.
    pub fn preload(&self, alias: &str) -> String {
        format!(
            "{alias}:{}:CPU:{}",
            self.encoding.to_uppercase(),
            self.models.join(":")
        )
    }

    /// Asserts that run `run` of the guest printed every reference output: integers exactly,
    /// floats within `ABS + REL·|expected|`.
    #[track_caller]
    pub fn check(&self, o: &Outcome, run: usize) {
        const ABS: f64 = 1e-5;
        const REL: f64 = 1e-4;
        for (i, (ty, want)) in self.outputs.iter().enumerate() {
            let prefix = format!("run {run} output {i} {ty} {}: ", want.len());
            let line = o
                .stdout
                .lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no line {prefix:?} in {o:#?}"));
            let got: Vec<f64> = line.split(' ').map(|v| v.parse().unwrap()).collect();
            assert_eq!(got.len(), want.len(), "{o:#?}");
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                let ok = if ty.starts_with('f') {
                    (g - w).abs() <= ABS + REL * w.abs()
                } else {
                    g == w
                };
                assert!(
                    ok,
                    "run {run} output {i}[{k}]: got {g}, reference {w}\n{o:#?}"
                );
            }
        }
    }
}

/// Runs `wasmedge ARGS` in the models folder with the set-up's variables, killing it after
/// two minutes.
pub fn run_in_models<I, S>(setup: &Setup, args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    let home = TempDir::new();
    let mut cmd = Command::new(wasmedge());
    cmd.args(&args)
        .current_dir(&setup.models)
        .env("HOME", home.path())
        .env_remove("WASMEDGE_PLUGIN_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &setup.vars {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("starting wasmedge");
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    std::thread::spawn(move || {
        let start = Instant::now();
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            if start.elapsed() > Duration::from_secs(120) {
                // SAFETY: kill(2) on the child we started; it has not been reaped yet.
                unsafe { libc_kill(pid as i32) };
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let out = child.wait_with_output().expect("waiting for wasmedge");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    Outcome {
        args,
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

/// Sends SIGKILL to `pid`.
///
/// # Safety
/// `pid` must be a child of this process that has not been reaped.
unsafe fn libc_kill(pid: i32) {
    // SAFETY: guaranteed by the caller.
    unsafe { kill(pid, 9) };
}

/// The plug-in folder argument pair.
pub fn plugin_dir_args(dir: &Path) -> [String; 2] {
    ["--plugin-dir".to_string(), dir.display().to_string()]
}
