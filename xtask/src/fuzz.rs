//! `cargo xtask fuzz …`: runs the cargo-fuzz targets of `fuzz/` (a separate workspace, see
//! docs/security.md).
//!
//! ```text
//! cargo xtask fuzz --ci [--runs N]                 short deterministic run of every target
//! cargo xtask fuzz TARGET [--time S] [--no-sanitizer] [-- ARGS...]
//!                                                  long run (default 600 s) of one target
//! cargo xtask fuzz tmin TARGET INPUT               minimise a crash artifact
//! cargo xtask fuzz repro TARGET INPUT              replay an input, print its module as WAT
//! cargo xtask fuzz list                            list the targets
//! ```
//!
//! `--ci` builds every target once (ASan, release, debug assertions), then runs each from a
//! fresh copy of its seed corpus `fuzz/corpus/TARGET` with `-seed=1` and a fixed number of
//! runs, so the same tree always executes the same inputs. Long runs keep their growing corpus
//! in `fuzz/work/TARGET` (seeds are read from `fuzz/corpus/TARGET`, never written) and crash
//! artifacts in `fuzz/artifacts/TARGET`. `--no-sanitizer` builds without ASan (10–20 times the
//! rate of the generator targets) into its own target directory, `fuzz/target/no-sanitizer`,
//! so the ASan build stays warm.
//!
//! cargo-fuzz passes nightly-only flags (`-Zsanitizer=address`); the machine has a stable
//! toolchain, so every cargo-fuzz command runs with `RUSTC_BOOTSTRAP=1`. `--ci` installs the
//! pinned cargo-fuzz when it is missing. This file must not contain fuzzing logic (that is
//! `fuzz/src`).

use crate::util::{cargo, exit_code, workspace_manifest};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The cargo-fuzz version `--ci` installs when none is present.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Runs per target in `--ci` mode (under a minute each on a loaded 2-core machine); targets
/// not listed get `DEFAULT_CI_RUNS`. Targets run in name order.
const CI_RUNS: &[(&str, u64)] = &[
    ("loader", 50_000),
    ("compile_instantiate", 1_500),
    ("differential", 500),
    ("wasi_path", 10_000),
];
const DEFAULT_CI_RUNS: u64 = 1_000;

/// libFuzzer options every run gets: a hang is a finding after 60 s; 4 GiB of RSS is plenty
/// (guard-page reservations are address space, not RSS).
const COMMON_ARGS: &[&str] = &["-timeout=60", "-rss_limit_mb=4096", "-print_final_stats=1"];

const USAGE: &str = "\
usage: cargo xtask fuzz --ci [--runs N]
       cargo xtask fuzz TARGET [--time SECONDS] [--no-sanitizer] [-- LIBFUZZER_ARGS...]
       cargo xtask fuzz tmin TARGET INPUT
       cargo xtask fuzz repro TARGET INPUT
       cargo xtask fuzz list";

fn root() -> PathBuf {
    let manifest = workspace_manifest();
    manifest.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// The targets: one per `fuzz/fuzz_targets/*.rs`, sorted by name.
fn targets() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".rs").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `cargo fuzz SUBCOMMAND --fuzz-dir fuzz`, run from the workspace root with the flags that
/// let a stable toolchain accept cargo-fuzz's nightly options.
fn cargo_fuzz(subcommand: &str) -> Command {
    let mut cmd = cargo();
    cmd.current_dir(root())
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("fuzz")
        .arg(subcommand)
        .arg("--fuzz-dir")
        .arg(fuzz_dir());
    cmd
}

fn have_cargo_fuzz() -> bool {
    cargo()
        .args(["fuzz", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ensure_cargo_fuzz(install: bool) -> Result<(), ExitCode> {
    if have_cargo_fuzz() {
        return Ok(());
    }
    if !install {
        eprintln!(
            "xtask: cargo-fuzz is not installed: cargo install cargo-fuzz --locked --version {CARGO_FUZZ_VERSION}"
        );
        return Err(ExitCode::FAILURE);
    }
    eprintln!("xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION}");
    let status = cargo()
        .args(["install", "cargo-fuzz", "--locked", "--version"])
        .arg(CARGO_FUZZ_VERSION)
        .status();
    match exit_code(status) {
        c if c == ExitCode::SUCCESS => Ok(()),
        c => Err(c),
    }
}

/// Dispatches `cargo xtask fuzz ARGS`.
pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("--ci") => ci(&args[1..]),
        Some("list") => {
            for t in targets() {
                println!("{t}");
            }
            ExitCode::SUCCESS
        }
        Some("tmin") => match (args.get(1), args.get(2)) {
            (Some(target), Some(input)) => {
                if let Err(c) = ensure_cargo_fuzz(false) {
                    return c;
                }
                let mut cmd = cargo_fuzz("tmin");
                cmd.arg(target)
                    .arg(absolute(input))
                    .arg("--")
                    .args(COMMON_ARGS);
                exit_code(cmd.status())
            }
            _ => usage(),
        },
        Some("repro") => match (args.get(1), args.get(2)) {
            (Some(target), Some(input)) => {
                let mut cmd = cargo();
                cmd.arg("run")
                    .arg("--release")
                    .arg("--quiet")
                    .arg("--manifest-path")
                    .arg(fuzz_dir().join("Cargo.toml"))
                    .args(["--example", "repro", "--"])
                    .arg(target)
                    .arg(absolute(input))
                    .args(&args[3..]);
                exit_code(cmd.status())
            }
            _ => usage(),
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(target) if !target.starts_with('-') => long(target, &args[1..]),
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn absolute(p: &str) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| PathBuf::from(p))
}

/// Makes `dir` an empty directory.
fn fresh_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)
}

/// Replaces `dst` with a copy of the files of `src` (flat directories).
fn fresh_copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    fresh_dir(dst)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        if e.file_type()?.is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name()))?;
        }
    }
    Ok(())
}

/// `--ci [--runs N]`: every target, fixed runs, fixed seed, fresh copy of the seed corpus.
fn ci(args: &[String]) -> ExitCode {
    let runs_override = match args {
        [] => None,
        [flag, n] if flag == "--runs" => match n.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    if let Err(c) = ensure_cargo_fuzz(true) {
        return c;
    }
    println!("== cargo fuzz build (all targets)");
    let code = exit_code(cargo_fuzz("build").status());
    if code != ExitCode::SUCCESS {
        return code;
    }
    let work = fuzz_dir().join("target").join("ci");
    let mut failed = Vec::new();
    for target in targets() {
        let runs = runs_override.unwrap_or_else(|| {
            CI_RUNS
                .iter()
                .find(|(t, _)| *t == target)
                .map_or(DEFAULT_CI_RUNS, |(_, n)| *n)
        });
        let corpus = work.join("corpus").join(&target);
        let artifacts = work.join("artifacts").join(&target);
        if let Err(e) = fresh_copy(&fuzz_dir().join("corpus").join(&target), &corpus)
            .and_then(|()| fresh_dir(&artifacts))
        {
            eprintln!("xtask: cannot prepare {}: {e}", corpus.display());
            return ExitCode::FAILURE;
        }
        println!("== fuzz {target}: {runs} runs, -seed=1");
        let mut prefix = artifacts.into_os_string();
        prefix.push("/");
        let mut artifact_arg = std::ffi::OsString::from("-artifact_prefix=");
        artifact_arg.push(&prefix);
        let mut cmd = cargo_fuzz("run");
        cmd.arg(&target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-runs={runs}"))
            .arg("-seed=1")
            .args(COMMON_ARGS)
            .arg(artifact_arg);
        if exit_code(cmd.status()) != ExitCode::SUCCESS {
            eprintln!(
                "xtask: fuzz target {target} failed; the input is in {}\n       \
                 replay it with: cargo xtask fuzz repro {target} <artifact>",
                prefix.to_string_lossy()
            );
            failed.push(target);
        }
    }
    if failed.is_empty() {
        println!("== fuzz --ci: every target passed");
        ExitCode::SUCCESS
    } else {
        eprintln!("== fuzz --ci: failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// `TARGET [--time S] [--no-sanitizer] [-- ARGS...]`: one long run with a persistent working
/// corpus.
fn long(target: &str, args: &[String]) -> ExitCode {
    if !targets().iter().any(|t| t == target) {
        eprintln!(
            "xtask: unknown fuzz target \"{target}\" (targets: {})",
            targets().join(", ")
        );
        return ExitCode::from(2);
    }
    let (ours, extra) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let mut seconds = 600;
    let mut sanitizer = true;
    let mut rest = ours.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--time" => match rest.next().map(|s| s.parse::<u64>()) {
                Some(Ok(s)) => seconds = s,
                _ => {
                    eprintln!("xtask: --time takes a number of seconds");
                    return usage();
                }
            },
            "--no-sanitizer" => sanitizer = false,
            other => {
                eprintln!("xtask: unknown option \"{other}\" for a long fuzz run");
                return usage();
            }
        }
    }
    if let Err(c) = ensure_cargo_fuzz(false) {
        return c;
    }
    let work = fuzz_dir().join("work").join(target);
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("xtask: cannot create {}: {e}", work.display());
        return ExitCode::FAILURE;
    }
    let mut cmd = cargo_fuzz("run");
    if !sanitizer {
        cmd.args(["--sanitizer", "none", "--target-dir"])
            .arg(fuzz_dir().join("target").join("no-sanitizer"));
    }
    cmd.arg(target)
        .arg(&work)
        .arg(fuzz_dir().join("corpus").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .args(COMMON_ARGS)
        .args(extra);
    exit_code(cmd.status())
}
