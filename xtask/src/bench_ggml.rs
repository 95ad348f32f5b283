//! `cargo xtask bench-ggml [--model tiny|bench] [--prompt-repeat K] [--gen N] [--repeats R]
//! [--rounds M] [--threads T]`: llama.cpp through the runtime against llama.cpp called natively, on the same
//! GGUF model, prompt and thread count, in the same run. Prompt processing (tokens/s of the
//! prompt evaluation) and generation (tokens/s of one-token steps) of:
//! - native: the plug-in crate's `ggml-native` example (llama-cpp-2 directly, greedy);
//! - runtime: `wasmedge --plugin-dir <packaged wasi_nn-ggml> run ggml-bench.wasm` (a
//!   `wasmedge-wasi-nn` guest timing `compute_single`, end of sequence ignored).
//!
//! Both sides use T threads (default 1: on the shared 2-core machine two spinning ggml threads
//! per side measure the other builds' load more than llama.cpp). The two alternate M rounds (best of R runs each), so load changes hit both; the report is
//! the best of each side, the ratio runtime/native (goal ≥ 0.95) and the machine's load
//! average, as a Markdown table for docs/performance.md. Needs the ML set-up (`.ml/env.sh`:
//! models, llama.cpp CPU flags), whose variables it reads itself. Timing lives here, never in
//! tests.

use crate::util::{cargo, workspace_manifest};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

struct Options {
    model: String,
    prompt_repeat: u32,
    gen_tokens: u32,
    repeats: u32,
    rounds: u32,
    threads: u32,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        model: "bench".into(),
        prompt_repeat: 40,
        gen_tokens: 128,
        repeats: 3,
        rounds: 3,
        threads: 1,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut v = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--model" => o.model = v()?,
            "--prompt-repeat" => o.prompt_repeat = v()?.parse().map_err(|e| format!("{e}"))?,
            "--gen" => o.gen_tokens = v()?.parse().map_err(|e| format!("{e}"))?,
            "--repeats" => o.repeats = v()?.parse().map_err(|e| format!("{e}"))?,
            "--rounds" => o.rounds = v()?.parse().map_err(|e| format!("{e}"))?,
            "--threads" => o.threads = v()?.parse().map_err(|e| format!("{e}"))?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if o.gen_tokens < 2 || o.repeats == 0 || o.rounds == 0 || o.threads == 0 {
        return Err(
            "--gen must be at least 2, --repeats, --rounds and --threads at least 1".into(),
        );
    }
    Ok(o)
}

/// `.ml/env.sh`'s variables.
fn ml_vars(root: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = std::env::var_os("WASMEDGE_ML_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".ml"));
    let text = std::fs::read_to_string(dir.join("env.sh"))
        .map_err(|e| format!("{}: {e}: run `bash .ci/setup-ml` first", dir.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect())
}

fn run_json(cmd: &mut Command, what: &str) -> Result<Value, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("{what} printed {line:?}: {e}"))
}

fn ok(status: std::io::Result<std::process::ExitStatus>, what: &str) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        other => Err(format!("{what} failed: {other:?}")),
    }
}

fn bench(o: &Options) -> Result<(), String> {
    let root = workspace_manifest()
        .parent()
        .expect("the manifest has a folder")
        .to_path_buf();
    let vars = ml_vars(&root)?;
    let var = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let ml = PathBuf::from(var("WASMEDGE_ML_DIR").ok_or("env.sh has no WASMEDGE_ML_DIR")?);
    let model = ml.join("models").join(format!("ggml-{}.gguf", o.model));
    if !model.is_file() {
        return Err(format!(
            "{} is missing: run `bash .ci/setup-ml`",
            model.display()
        ));
    }
    let target = root.join("target");
    let plugins = target.join("bench-ggml").join("plugins");
    let _ = std::fs::remove_dir_all(&plugins);
    std::fs::create_dir_all(&plugins).map_err(|e| e.to_string())?;
    let dist = target.join("bench-ggml").join("dist");
    let mut c = cargo();
    c.args([
        "run",
        "--quiet",
        "-p",
        "xtask",
        "--",
        "package-plugins",
        "--plugin",
    ])
    .args(["wasi-nn-ggml", "--out"])
    .arg(&dist)
    .current_dir(&root)
    .envs(vars.iter().cloned());
    ok(c.status(), "package-plugins")?;
    for e in std::fs::read_dir(&dist).map_err(|e| e.to_string())? {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.to_string_lossy().ends_with(".tar.gz") && p.to_string_lossy().contains("ggml") {
            ok(
                Command::new("tar")
                    .arg("xzf")
                    .arg(&p)
                    .arg("-C")
                    .arg(&plugins)
                    .status(),
                "tar",
            )?;
        }
    }
    let mut c = cargo();
    c.args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "wasmedge-plugin-wasi-nn-ggml",
    ])
    .args([
        "--features",
        "wasmedge-plugin-wasi-nn-ggml/llama",
        "--example",
        "ggml-native",
    ])
    .arg("--manifest-path")
    .arg(workspace_manifest())
    .envs(vars.iter().cloned());
    ok(c.status(), "building ggml-native")?;
    let guests = target.join("guests-ggml");
    let mut c = cargo();
    c.args([
        "build",
        "--quiet",
        "--locked",
        "--release",
        "--target",
        "wasm32-wasip1",
    ])
    .arg("--manifest-path")
    .arg(root.join("tests/guests-ggml/Cargo.toml"))
    .env("CARGO_TARGET_DIR", &guests);
    ok(c.status(), "building the GGML guests")?;
    let native_exe = target.join("release/examples/ggml-native");
    let wasmedge = target.join("release/wasmedge");
    let guest = guests.join("wasm32-wasip1/release/ggml-bench.wasm");
    let (k, n, r) = (
        o.prompt_repeat.to_string(),
        o.gen_tokens.to_string(),
        o.repeats.to_string(),
    );
    let config = format!(
        r#"{{"temp": 0.0, "ctx-size": 1024, "ignore-eos": true, "threads": {}}}"#,
        o.threads
    );
    let preload = format!("bench:GGML:AUTO:{}", model.display());
    let (mut native, mut runtime) = ([0.0f64; 2], [0.0f64; 2]);
    let mut prompt_tokens = (0u64, 0u64);
    for round in 0..o.rounds {
        let nv = run_json(
            Command::new(&native_exe)
                .arg("bench")
                .arg(&model)
                .args([&k, &n, &r])
                .env("GGML_NATIVE_THREADS", o.threads.to_string()),
            "ggml-native bench",
        )?;
        let rv = run_json(
            Command::new(&wasmedge)
                .arg("--plugin-dir")
                .arg(&plugins)
                .args(["--nn-preload", &preload, "run"])
                .arg(&guest)
                .args(["--preload", "bench", "--config", &config, &k, &n, &r])
                .env_remove("WASMEDGE_PLUGIN_PATH"),
            "wasmedge ggml-bench.wasm",
        )?;
        let get = |v: &Value, key: &str| v[key].as_f64().unwrap_or(0.0);
        println!(
            "round {}: native pp {:.0} tg {:.1} tok/s | runtime pp {:.0} tg {:.1} tok/s",
            round + 1,
            get(&nv, "pp_tps"),
            get(&nv, "tg_tps"),
            get(&rv, "pp_tps"),
            get(&rv, "tg_tps")
        );
        native = [
            native[0].max(get(&nv, "pp_tps")),
            native[1].max(get(&nv, "tg_tps")),
        ];
        runtime = [
            runtime[0].max(get(&rv, "pp_tps")),
            runtime[1].max(get(&rv, "tg_tps")),
        ];
        prompt_tokens = (
            nv["prompt_tokens"].as_u64().unwrap_or(0),
            rv["prompt_tokens"].as_u64().unwrap_or(0),
        );
    }
    if prompt_tokens.0 != prompt_tokens.1 {
        return Err(format!(
            "the two sides evaluated different prompts ({} vs {} tokens)",
            prompt_tokens.0, prompt_tokens.1
        ));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!(
        "\n{date}, load average {} (1/5/15 min), model ggml-{}.gguf, prompt {} tokens, {} generated tokens, {} thread(s), best of {}×{}\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        o.model,
        prompt_tokens.0,
        o.gen_tokens,
        o.threads,
        o.rounds,
        o.repeats
    );
    println!("| | native llama.cpp | through the runtime | ratio |");
    println!("|---|---:|---:|---:|");
    let names = ["prompt processing (tok/s)", "generation (tok/s)"];
    let mut worst = f64::INFINITY;
    for i in 0..2 {
        let ratio = runtime[i] / native[i];
        worst = worst.min(ratio);
        println!(
            "| {} | {:.1} | {:.1} | {ratio:.3} |",
            names[i], native[i], runtime[i]
        );
    }
    println!(
        "\n{}",
        if worst >= 0.95 {
            "goal met: the runtime reaches at least 0.95× native on both"
        } else {
            "goal NOT met: below 0.95× native"
        }
    );
    Ok(())
}

pub fn run(args: &[String]) -> ExitCode {
    match parse(args).and_then(|o| bench(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask bench-ggml: {e}");
            ExitCode::FAILURE
        }
    }
}
