//! `cargo xtask bench-lean`: the lean runtime (`wasmedge-cli --no-default-features`) beside the
//! full one and Wasmtime — stripped binary size, number of crates in the dependency tree, and
//! hello-world start-up from an artifact (lean, full, `wasmtime` and `wasmtime-min` running
//! the same module precompiled), interleaved in one run, medians and ratios.
//!
//! Prints a Markdown table for docs/performance.md. Not part of CI (figures, not checks).

use crate::util::{cargo, workspace_manifest};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: cargo xtask bench-lean [--runs N] [--wasmtime PATH]

Builds the full and the lean wasmedge (release), then measures stripped sizes, dependency
counts and hello-world start-up from an artifact against Wasmtime (the pinned PyPI wheel,
installed into target/bench/, unless --wasmtime PATH is given). Default 30 runs each.";

fn root() -> PathBuf {
    let manifest = workspace_manifest();
    manifest.parent().unwrap_or(Path::new(".")).to_path_buf()
}

fn check(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn build(lean: bool) -> Result<PathBuf, String> {
    let mut cmd = cargo();
    cmd.args(["build", "--release", "-p", "wasmedge-cli"])
        .current_dir(root());
    let target = root().join("target");
    let dir = if lean {
        cmd.arg("--no-default-features")
            .arg("--target-dir")
            .arg(target.join("lean"));
        target.join("lean").join("release")
    } else {
        target.join("release")
    };
    eprintln!(
        "xtask bench-lean: building the {} wasmedge…",
        if lean { "lean" } else { "full" }
    );
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build failed: {status}"));
    }
    Ok(dir.join("wasmedge"))
}

fn crates(lean: bool) -> Result<usize, String> {
    let mut cmd = cargo();
    cmd.args([
        "tree",
        "-p",
        "wasmedge-cli",
        "-e",
        "normal",
        "--prefix",
        "none",
    ])
    .args(["--format", "{p}"])
    .current_dir(root());
    if lean {
        cmd.arg("--no-default-features");
    }
    let out = check(&mut cmd, "cargo tree")?;
    let mut names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    names.sort();
    names.dedup();
    Ok(names.len())
}

fn stripped_size(bin: &Path, out: &Path) -> Result<u64, String> {
    check(Command::new("strip").arg("-o").arg(out).arg(bin), "strip")?;
    std::fs::metadata(out)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", out.display()))
}

fn run_once(cmd: &mut Command) -> Result<Duration, String> {
    let t0 = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let wall = t0.elapsed();
    if !out.status.success() || out.stdout != b"Hello, world!\n" {
        return Err(format!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(wall)
}

fn median_ms(v: &mut [Duration]) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn bench(runs: usize, wasmtime_path: Option<&Path>) -> Result<(), String> {
    let full = build(false)?;
    let lean = build(true)?;
    let work = root().join("target").join("bench-lean");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let full_size = stripped_size(&full, &work.join("wasmedge-full.stripped"))?;
    let lean_size = stripped_size(&lean, &work.join("wasmedge-lean.stripped"))?;
    let (full_crates, lean_crates) = (crates(false)?, crates(true)?);
    let wt = crate::wasmtime::ensure(&root().join("target"), wasmtime_path)?;
    let wat = work.join("hello.wat");
    std::fs::write(&wat, crate::bench::HELLO_WAT).map_err(|e| format!("{e}"))?;
    let aot = work.join("hello.aot");
    let cwasm = work.join("hello.cwasm");
    check(
        Command::new(&full).arg("compile").arg(&wat).arg(&aot),
        "wasmedge compile",
    )?;
    check(
        Command::new(&wt.full)
            .arg("compile")
            .arg(&wat)
            .arg("-o")
            .arg(&cwasm),
        "wasmtime compile",
    )?;
    // `wasmtime-min` is built with fewer features and another default collector: it only loads
    // code compiled for exactly its configuration.
    let cwasm_min = work.join("hello-min.cwasm");
    if wt.min.is_some() {
        check(
            Command::new(&wt.full)
                .args([
                    "compile",
                    "-C",
                    "collector=drc",
                    "-W",
                    "threads=n,shared-memory=n",
                ])
                .arg(&wat)
                .arg("-o")
                .arg(&cwasm_min),
            "wasmtime compile (for wasmtime-min)",
        )?;
    }
    let mut samples: Vec<(&str, Vec<Duration>)> = vec![
        ("wasmedge (lean)", Vec::new()),
        ("wasmedge (full)", Vec::new()),
        ("wasmtime", Vec::new()),
    ];
    if wt.min.is_some() {
        samples.push(("wasmtime-min", Vec::new()));
    }
    eprintln!("xtask bench-lean: hello-world start-up, {runs} interleaved runs each…");
    for _ in 0..runs {
        samples[0]
            .1
            .push(run_once(Command::new(&lean).arg(&aot).env_clear())?);
        samples[1]
            .1
            .push(run_once(Command::new(&full).arg(&aot).env_clear())?);
        samples[2].1.push(run_once(
            Command::new(&wt.full)
                .args(["run", "--allow-precompiled"])
                .arg(&cwasm)
                .env_clear(),
        )?);
        if let Some(min) = &wt.min {
            samples[3].1.push(run_once(
                Command::new(min)
                    .args(["run", "--allow-precompiled"])
                    .arg(&cwasm_min)
                    .env_clear(),
            )?);
        }
    }
    let medians: Vec<(&str, f64)> = samples
        .iter_mut()
        .map(|(n, v)| (*n, median_ms(v)))
        .collect();
    let wasmtime_ms = medians[2].1;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "Measured {} ({}), load average {}",
        now(),
        crate::wasmtime::version(&wt.full),
        load()
    );
    println!();
    println!("| build | stripped size | crates (normal deps) |");
    println!("|---|---:|---:|");
    println!(
        "| wasmedge lean | {:.2} MiB ({lean_size} B) | {lean_crates} |",
        mib(lean_size)
    );
    println!(
        "| wasmedge full | {:.2} MiB ({full_size} B) | {full_crates} |",
        mib(full_size)
    );
    println!();
    println!("| hello from an artifact | median ms | vs wasmtime |");
    println!("|---|---:|---:|");
    for (name, ms) in &medians {
        println!("| {name} | {ms:.2} | {:.2}x |", ms / wasmtime_ms);
    }
    Ok(())
}

fn now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn run(args: &[String]) -> ExitCode {
    let mut runs = 30;
    let mut wasmtime = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => match it.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => {
                    eprintln!("xtask bench-lean: --runs needs a positive number\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--wasmtime" => match it.next() {
                Some(p) => wasmtime = Some(PathBuf::from(p)),
                None => {
                    eprintln!("xtask bench-lean: --wasmtime needs a path\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("xtask bench-lean: unknown argument \"{other}\"\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match bench(runs, wasmtime.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask bench-lean: {e}");
            ExitCode::FAILURE
        }
    }
}
