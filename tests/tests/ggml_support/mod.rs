//! Shared helpers of the `nn_ggml*` end-to-end tests: the GGML plug-in packaged once with
//! `cargo xtask package-plugins --plugin wasi-nn-ggml` (llama.cpp is compiled once, by the ML
//! set-up's native driver, and reused: same profile and CPU flags from `.ml/env.sh`), the
//! LlamaEdge-style guests (`tests/guests-ggml`), llama.cpp's own greedy references
//! (`ggml_reference.json`, written by `.ci/setup-ml`), and a runner for `wasmedge`.
//!
//! Helpers only: the assertions live in the tests. Needs `cli_support`, `plugin_support` and
//! `nn_support` (for the set-up and the runner).

#![allow(dead_code)]

use crate::cli_support::{Outcome, TempDir, repo_root};
use crate::nn_support::{Setup, run_in_models};
use crate::plugin_support::target_and_profile;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The GGML plug-in, packaged and extracted into `target/nn-plugins/ggml-<test binary>`.
pub fn plugin_dir(setup: &Setup) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (target, profile) = target_and_profile();
        let out = TempDir::new();
        let mut cmd = Command::new(option_env!("CARGO").unwrap_or("cargo"));
        cmd.args(["run", "--quiet", "-p", "xtask", "--", "package-plugins"])
            .args(["--plugin", "wasi-nn-ggml", "--out"])
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
        let dir = target.join("nn-plugins").join(format!("ggml-{stem}"));
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
                    .status();
                assert!(
                    s.expect("running tar").success(),
                    "extracting {}",
                    p.display()
                );
            }
        }
        dir
    })
}

/// The folder holding the `ggml-*.wasm` guests.
pub fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| crate::cli_support::build_guests("guests-ggml", "guests-ggml", &[]))
}

/// One greedy case of `ggml_reference.json`.
pub struct Case {
    pub name: String,
    pub prompt: String,
    pub ctx_size: u64,
    pub n_predict: i64,
    pub prompt_tokens: usize,
    pub tokens: Vec<i64>,
    /// Each token's piece, hex.
    pub pieces: Vec<String>,
    pub eos: bool,
    pub context_full: bool,
}

/// The reference document.
pub struct Reference {
    pub cases: Vec<Case>,
    /// (name, prompt, normalised embedding).
    pub embeddings: Vec<(String, String, Vec<f64>)>,
}

impl Reference {
    pub fn case(&self, name: &str) -> &Case {
        self.cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    }
}

/// Reads `<models>/ggml_reference.json`.
pub fn reference(setup: &Setup) -> Reference {
    let path = setup.models.join("ggml_reference.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (re-run `bash .ci/setup-ml`)", path.display()));
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let arr = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let cases = arr(&v["cases"]).into_iter().map(|c| Case {
        name: c["name"].as_str().unwrap_or_default().to_string(),
        prompt: c["prompt"].as_str().unwrap_or_default().to_string(),
        ctx_size: c["ctx_size"].as_u64().unwrap_or_default(),
        n_predict: c["n_predict"].as_i64().unwrap_or_default(),
        prompt_tokens: arr(&c["prompt_tokens"]).len(),
        tokens: arr(&c["tokens"]).iter().filter_map(Value::as_i64).collect(),
        pieces: arr(&c["pieces"])
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect(),
        eos: c["eos"].as_bool().unwrap_or_default(),
        context_full: c["context_full"].as_bool().unwrap_or_default(),
    });
    let embeddings = arr(&v["embeddings"]).into_iter().map(|e| {
        (
            e["name"].as_str().unwrap_or_default().to_string(),
            e["prompt"].as_str().unwrap_or_default().to_string(),
            arr(&e["embedding"])
                .iter()
                .filter_map(Value::as_f64)
                .collect(),
        )
    });
    Reference {
        cases: cases.collect(),
        embeddings: embeddings.collect(),
    }
}

/// Runs `wasmedge --plugin-dir <ggml> [pre...] --dir .:. run <guest>.wasm ARGS` in the models
/// folder.
pub fn run_guest(setup: &Setup, pre: &[&str], guest: &str, args: &[&str]) -> Outcome {
    let mut a: Vec<String> = vec![
        "--plugin-dir".into(),
        plugin_dir(setup).display().to_string(),
    ];
    a.extend(pre.iter().map(|s| s.to_string()));
    a.extend(["--dir".into(), ".:.".into(), "run".into()]);
    a.push(guests().join(format!("{guest}.wasm")).display().to_string());
    a.extend(args.iter().map(|s| s.to_string()));
    run_in_models(setup, &a)
}

/// The values of the lines starting with `prefix ` in `o`'s stdout.
pub fn lines<'a>(o: &'a Outcome, prefix: &str) -> Vec<&'a str> {
    let p = format!("{prefix} ");
    o.stdout
        .lines()
        .filter_map(|l| l.strip_prefix(p.as_str()))
        .collect()
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
