//! `cargo xtask bench`: performance of this runtime against Wasmtime on the Sightglass corpus
//! (`../shared/bench/sightglass`), hello-world start-up from an artifact, compile time of the
//! largest modules and peak memory. Not part of CI. The method is described in
//! `docs/performance.md`; `cargo xtask bench --help` lists the options.
//!
//! Builds the release `wasmedge` and the `bench-driver` of `wasmedge-tests` (which runs one
//! benchmark through the embedding API with `bench.start`/`bench.end` host functions). Every
//! measurement is of a whole child process (wall time, CPU time and peak RSS from `wait4`),
//! interleaved with Wasmtime's (ours, theirs, ours, theirs, …) and summarised by the median.
//! Wasmtime gets `bench.start`/`bench.end` from a preloaded helper module that reads WASI's
//! monotonic clock and writes the window to stderr as a marker, which is removed before the
//! output check, so its in-process window is known too.

use crate::util::{cargo, workspace_manifest};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const HELP: &str = "\
usage: cargo xtask bench [OPTIONS]

Runs the core-module Sightglass benchmarks, hello-world start-up from an artifact, compile time
of the largest modules and peak memory, on this runtime and (when found) on Wasmtime, interleaved,
and prints a table of medians and ratios (ours / Wasmtime). Not part of CI.

options:
  --runs N             timed runs per benchmark and runtime (default 5); median reported
  --filter NAME        only benchmarks whose name contains NAME (repeatable)
  --quick              a handful of short benchmarks
  --hello-runs N       start-up runs per runtime (default 20)
  --compile-runs N     compile-time runs per module and runtime (default: --runs)
  --optimize LEVEL     opt level for both compilers: 0, 1, 2, 3, s or z (default 2)
  --sightglass DIR     the corpus (default ../shared/bench/sightglass beside the workspace)
  --wasmtime PATH      the wasmtime binary (default: `wasmtime` on PATH, then
                       /tmp/wasmtime48/bin/wasmtime)
  --no-wasmtime        measure this runtime only
  --no-build           use the binaries already in target/release
  --report FILE        where to write the report (markdown) besides stdout
                       (default target/bench/report.md)";

/// `--quick`: short benchmarks (roughly 10-300 ms each) from different sources.
const QUICK: &[&str] = &[
    "bz2",
    "pulldown-cmark",
    "quicksort",
    "regex",
    "rust-json",
    "shootout-base64",
    "shootout-matrix",
    "libsodium-stream2",
];

/// A run that takes longer than this is killed and counted as a failure.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Windows shorter than this (on either runtime) are left out of the execution-time geomean:
/// they mostly measure the timing calls (Wasmtime's go through WASI's clock).
const MIN_WINDOW_MS: f64 = 1.0;

/// The marker the Wasmtime timing helper writes to stderr.
const MARKER: &[u8] = b"@@bench-window-ns=";

/// `bench.start`/`bench.end` for Wasmtime's `--preload bench=…`: reads the monotonic clock and,
/// at the end, writes `@@bench-window-ns=N@@\n` to stderr in one buffer (Wasmtime's `fd_write`
/// writes only the first of several buffers).
const TIMER_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $t0 (mut i64) (i64.const 0))
  (data (i32.const 64) "@@bench-window-ns=")
  (func (export "start")
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 0)))
    (global.set $t0 (i64.load (i32.const 0))))
  (func (export "end") (local $n i64) (local $p i32)
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 0)))
    (local.set $n (i64.sub (i64.load (i32.const 0)) (global.get $t0)))
    (i32.store8 (i32.const 128) (i32.const 64))
    (i32.store8 (i32.const 129) (i32.const 64))
    (i32.store8 (i32.const 130) (i32.const 10))
    (local.set $p (i32.const 128))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (local.set $p (i32.sub (local.get $p) (i32.const 18)))
    (memory.copy (local.get $p) (i32.const 64) (i32.const 18))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (i32.sub (i32.const 131) (local.get $p)))
    (drop (call $write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 32)))))
"#;

/// A minimal WASI command: prints one line.
pub(crate) const HELLO_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, world!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

struct Options {
    runs: usize,
    hello_runs: usize,
    compile_runs: Option<usize>,
    filters: Vec<String>,
    quick: bool,
    optimize: String,
    sightglass: Option<PathBuf>,
    wasmtime: Option<PathBuf>,
    no_wasmtime: bool,
    build: bool,
    report: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        runs: 5,
        hello_runs: 20,
        compile_runs: None,
        filters: Vec::new(),
        quick: false,
        optimize: "2".into(),
        sightglass: None,
        wasmtime: None,
        no_wasmtime: false,
        build: true,
        report: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let count = |v: String| -> Result<usize, String> {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name}: `{v}` is not a positive number"))
        };
        match name {
            "--runs" => o.runs = count(value()?)?,
            "--hello-runs" => o.hello_runs = count(value()?)?,
            "--compile-runs" => o.compile_runs = Some(count(value()?)?),
            "--filter" => o.filters.push(value()?),
            "--quick" => o.quick = true,
            "--optimize" => {
                let v = value()?;
                if !["0", "1", "2", "3", "s", "z"].contains(&v.as_str()) {
                    return Err(format!("--optimize: unknown level `{v}`"));
                }
                o.optimize = v;
            }
            "--sightglass" => o.sightglass = Some(value()?.into()),
            "--wasmtime" => o.wasmtime = Some(value()?.into()),
            "--no-wasmtime" => o.no_wasmtime = true,
            "--no-build" => o.build = false,
            "--report" => o.report = Some(value()?.into()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(o)
}

/// Wasmtime's `-O opt-level=` for a WasmEdge `--optimize` level (both map to Cranelift's
/// `none`, `speed` or `speed_and_size`).
fn wasmtime_opt_level(level: &str) -> &'static str {
    match level {
        "0" => "0",
        "s" | "z" => "s",
        _ => "2",
    }
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let opts = match parse_options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask bench: {e}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match bench(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Paths of the tools and of the scratch folder.
struct Tools {
    wasmedge: PathBuf,
    driver: PathBuf,
    wasmtime: Option<PathBuf>,
    work: PathBuf,
}

fn bench(opts: &Options) -> Result<(), String> {
    let root = workspace_manifest()
        .parent()
        .expect("the manifest has a folder")
        .to_path_buf();
    let corpus = opts.sightglass.clone().unwrap_or_else(|| {
        root.parent()
            .unwrap_or(&root)
            .join("shared/bench/sightglass")
    });
    if !corpus.join("MANIFEST.tsv").is_file() {
        return Err(format!(
            "the Sightglass corpus was not found: {} has no MANIFEST.tsv.\n\
             The benchmarks are the prebuilt corpus in ../shared/bench/sightglass beside the \
             workspace; check it out there or pass --sightglass DIR.",
            corpus.display()
        ));
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if opts.build {
        eprintln!("xtask bench: building the release wasmedge and bench-driver…");
        let status = cargo()
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(workspace_manifest())
            .args(["-p", "wasmedge-cli", "--bin", "wasmedge"])
            .args(["-p", "wasmedge-tests", "--bin", "bench-driver"])
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err("the release build failed".into());
        }
    }
    let release = target_dir.join("release");
    let work = target_dir.join("bench");
    let _ = fs::remove_dir_all(&work);
    for sub in ["ours", "wasmtime", "out", "helpers"] {
        fs::create_dir_all(work.join(sub))
            .map_err(|e| format!("cannot create {}: {e}", work.join(sub).display()))?;
    }
    let tools = Tools {
        wasmedge: release.join("wasmedge"),
        driver: release.join("bench-driver"),
        wasmtime: if opts.no_wasmtime {
            None
        } else {
            find_wasmtime(opts.wasmtime.as_deref())
        },
        work,
    };
    for t in [&tools.wasmedge, &tools.driver] {
        if !t.is_file() {
            return Err(format!(
                "{} is missing (run without --no-build)",
                t.display()
            ));
        }
    }
    let mut report = Report::default();
    report.header(&tools, opts);
    match &tools.wasmtime {
        Some(w) => {
            let version = command_output(Command::new(w).arg("--version"));
            eprintln!("xtask bench: comparing with {} ({version})", w.display());
            if !version.starts_with("wasmtime 48.") {
                eprintln!(
                    "xtask bench: warning: the targets of issue 10 are relative to Wasmtime 48"
                );
            }
        }
        None => eprintln!(
            "xtask bench: no wasmtime binary on PATH or at /tmp/wasmtime48/bin/wasmtime: \
             measuring this runtime only (install Wasmtime 48 with \
             `cargo install wasmtime-cli@48.0.8 --locked`)"
        ),
    }

    let helpers = Helpers::build(&tools, opts)?;
    let (selected, skipped) = select(&corpus, opts)?;
    let mut benches = compile_all(&tools, opts, &selected, &mut report)?;
    for s in &skipped {
        report.skipped.push(s.clone());
    }
    run_all(&tools, &helpers, opts, &mut benches);
    let hello = hello_startup(&tools, &helpers, opts)?;
    let compile = compile_times(&tools, opts, &benches);
    report.finish(&benches, &hello, &compile, &tools);
    println!("{}", report.text);
    let path = opts
        .report
        .clone()
        .unwrap_or_else(|| tools.work.join("report.md"));
    fs::write(&path, &report.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("xtask bench: report written to {}", path.display());
    Ok(())
}

fn find_wasmtime(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("wasmtime"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let p = PathBuf::from("/tmp/wasmtime48/bin/wasmtime");
        p.is_file().then_some(p)
    })
}

fn command_output(cmd: &mut Command) -> String {
    cmd.output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Measuring one child process.

/// What one child process cost.
#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: u64,
    /// Exit code, or `None` if the child was killed by a signal.
    code: Option<i32>,
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod sys {
    //! `wait4` (the child's own resource usage) and `kill`, from the C library std links.
    #[repr(C)]
    #[derive(Default)]
    pub struct Timeval {
        pub tv_sec: i64,
        pub tv_usec: i64,
    }
    #[repr(C)]
    #[derive(Default)]
    pub struct Rusage {
        pub ru_utime: Timeval,
        pub ru_stime: Timeval,
        pub ru_maxrss: i64,
        pub rest: [i64; 13],
    }
    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
        fn kill(pid: i32, sig: i32) -> i32;
    }

    /// Waits for child `pid`: its raw wait status and resource usage.
    pub fn wait_child(pid: i32) -> std::io::Result<(i32, Rusage)> {
        let mut status = 0;
        let mut usage = Rusage::default();
        loop {
            // SAFETY: `status` and `usage` are valid for writes and laid out as the C
            // `int` and `struct rusage` of 64-bit Linux.
            let r = unsafe { wait4(pid, &mut status, 0, &mut usage) };
            if r == pid {
                return Ok((status, usage));
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Sends SIGKILL to `pid`.
    pub fn kill_child(pid: i32) {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            kill(pid, 9);
        }
    }
}

/// Runs `cmd` to completion (stdio must already be redirected) and measures it.
fn measure(cmd: &mut Command) -> Result<Sample, String> {
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        let pid = child.id() as i32;
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(TIMEOUT) {
                sys::kill_child(pid);
            }
        });
        let waited = sys::wait_child(pid);
        let wall = started.elapsed();
        let _ = done_tx.send(());
        let _ = watchdog.join();
        // The child was reaped by wait4; std must not wait for it again.
        std::mem::forget(child);
        let (status, usage) = waited.map_err(|e| format!("wait4: {e}"))?;
        let tv = |t: &sys::Timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        let code = (status & 0x7f == 0).then_some((status >> 8) & 0xff);
        Ok(Sample {
            wall,
            cpu: tv(&usage.ru_utime) + tv(&usage.ru_stime),
            max_rss_kib: usage.ru_maxrss as u64,
            code,
        })
    }
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    {
        let mut child = child;
        let status = child.wait().map_err(|e| format!("wait: {e}"))?;
        Ok(Sample {
            wall: started.elapsed(),
            cpu: Duration::ZERO,
            max_rss_kib: 0,
            code: status.code(),
        })
    }
}

fn file(path: &Path) -> Result<fs::File, String> {
    fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn read_lossy(path: &Path) -> String {
    String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned()
}

/// The last non-empty line of a file (the child's message).
fn last_line(path: &Path) -> String {
    read_lossy(path)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

fn geomean(ratios: &[f64]) -> Option<f64> {
    (!ratios.is_empty())
        .then(|| (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp())
}

// ---------------------------------------------------------------------------------------------
// Helper modules.

struct Helpers {
    hello_ours: PathBuf,
    hello_wasmtime: Option<PathBuf>,
    timer: Option<PathBuf>,
}

impl Helpers {
    fn build(tools: &Tools, opts: &Options) -> Result<Helpers, String> {
        let dir = tools.work.join("helpers");
        let wasm = |name: &str, text: &str| -> Result<PathBuf, String> {
            let wat = dir.join(format!("{name}.wat"));
            let out = dir.join(format!("{name}.wasm"));
            fs::write(&wat, text).map_err(|e| format!("cannot write {}: {e}", wat.display()))?;
            run_quiet(
                Command::new(&tools.driver)
                    .arg("wat2wasm")
                    .arg(&wat)
                    .arg(&out),
                &dir.join(format!("{name}.log")),
            )?;
            Ok(out)
        };
        let hello = wasm("hello", HELLO_WAT)?;
        let timer = wasm("bench-timer", TIMER_WAT)?;
        let hello_ours = dir.join("hello.aot");
        compile_ours(tools, opts, &hello, &hello_ours)?;
        let (hello_wasmtime, timer) = match &tools.wasmtime {
            Some(_) => {
                let h = dir.join("hello.cwasm");
                compile_wasmtime(tools, opts, &hello, &h)?;
                let t = dir.join("bench-timer.cwasm");
                compile_wasmtime(tools, opts, &timer, &t)?;
                (Some(h), Some(t))
            }
            None => (None, None),
        };
        Ok(Helpers {
            hello_ours,
            hello_wasmtime,
            timer,
        })
    }
}

/// Runs a command whose output only matters on failure.
fn run_quiet(cmd: &mut Command, log: &Path) -> Result<Sample, String> {
    cmd.stdin(Stdio::null())
        .stdout(file(log)?)
        .stderr(file(&log.with_extension("err"))?);
    let s = measure(cmd)?;
    if s.code != Some(0) {
        let mut msg = last_line(&log.with_extension("err"));
        if msg.is_empty() {
            msg = last_line(log);
        }
        return Err(format!(
            "{:?} failed ({}): {msg}",
            cmd.get_program(),
            status_text(s.code)
        ));
    }
    Ok(s)
}

fn status_text(code: Option<i32>) -> String {
    match code {
        Some(c) => format!("exit {c}"),
        None => "killed by a signal".into(),
    }
}

fn compile_ours(tools: &Tools, opts: &Options, input: &Path, out: &Path) -> Result<Sample, String> {
    run_quiet(
        Command::new(&tools.wasmedge)
            .args(["compile", "--optimize", &opts.optimize])
            .arg(input)
            .arg(out),
        &out.with_extension("log"),
    )
}

fn compile_wasmtime(
    tools: &Tools,
    opts: &Options,
    input: &Path,
    out: &Path,
) -> Result<Sample, String> {
    let wasmtime = tools.wasmtime.as_ref().expect("only called with wasmtime");
    run_quiet(
        Command::new(wasmtime)
            .arg("compile")
            .arg("-O")
            .arg(format!("opt-level={}", wasmtime_opt_level(&opts.optimize)))
            .arg(input)
            .arg("-o")
            .arg(out),
        &out.with_extension("log"),
    )
}

// ---------------------------------------------------------------------------------------------
// The corpus.

/// One benchmark program of the corpus.
#[derive(Clone)]
struct Entry {
    name: String,
    wasm: PathBuf,
    dir: PathBuf,
    stem: String,
    bytes: u64,
}

/// Benchmarks to run and `(name, reason)` for the ones left out.
type Selection = (Vec<Entry>, Vec<(String, String)>);

fn select(corpus: &Path, opts: &Options) -> Result<Selection, String> {
    let manifest = fs::read_to_string(corpus.join("MANIFEST.tsv"))
        .map_err(|e| format!("cannot read MANIFEST.tsv: {e}"))?;
    let (mut selected, mut skipped) = (Vec::new(), Vec::new());
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 {
            continue;
        }
        let rel = Path::new(cols[0]);
        let wasm = corpus.join(rel);
        let dir = wasm.parent().unwrap_or(corpus).to_path_buf();
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = if stem == "benchmark" {
            folder
        } else {
            stem.clone()
        };
        let (format, imports) = (cols[2], cols[3]);
        let skip = if format != "core-module" {
            Some("a component: needs a component-model host".to_string())
        } else if imports.contains("wasi_ephemeral_nn") {
            Some("needs wasi-nn and OpenVINO model files".to_string())
        } else if !imports.contains("bench.end") {
            Some("imports bench.start only: not a timed benchmark".to_string())
        } else {
            None
        };
        let wanted = if opts.quick {
            QUICK.contains(&name.as_str())
        } else {
            true
        } && (opts.filters.is_empty()
            || opts.filters.iter().any(|f| name.contains(f.as_str())));
        if !wanted {
            continue;
        }
        match skip {
            Some(reason) => skipped.push((name, reason)),
            None => selected.push(Entry {
                name,
                bytes: cols[1].parse().unwrap_or(0),
                wasm,
                dir,
                stem,
            }),
        }
    }
    if selected.is_empty() {
        return Err("no benchmark matches the filters".into());
    }
    Ok((selected, skipped))
}

// ---------------------------------------------------------------------------------------------
// Benchmarks.

/// A benchmark with its artifacts and samples.
struct Bench {
    entry: Entry,
    ours_artifact: PathBuf,
    wasmtime_artifact: Option<PathBuf>,
    /// Why Wasmtime could not compile it.
    wasmtime_error: Option<String>,
    ours: Vec<RunSample>,
    theirs: Vec<RunSample>,
    ours_failure: Option<String>,
    theirs_failure: Option<String>,
}

/// One timed run: the process sample and the in-process window.
#[derive(Clone, Copy)]
struct RunSample {
    process: Sample,
    window: Option<Duration>,
    /// Ours only: the part of the window the thread was not on a CPU.
    wait: Option<Duration>,
}

fn compile_all(
    tools: &Tools,
    opts: &Options,
    selected: &[Entry],
    report: &mut Report,
) -> Result<Vec<Bench>, String> {
    let mut benches = Vec::new();
    for (i, e) in selected.iter().enumerate() {
        eprintln!(
            "xtask bench: compiling {}/{} {}",
            i + 1,
            selected.len(),
            e.name
        );
        let ours = tools.work.join("ours").join(format!("{}.aot", e.name));
        if let Err(msg) = compile_ours(tools, opts, &e.wasm, &ours) {
            report.skipped.push((
                e.name.clone(),
                format!("does not compile with our features: {}", strip_prefix(&msg)),
            ));
            continue;
        }
        let (mut theirs, mut wasmtime_error) = (None, None);
        if tools.wasmtime.is_some() {
            let out = tools
                .work
                .join("wasmtime")
                .join(format!("{}.cwasm", e.name));
            match compile_wasmtime(tools, opts, &e.wasm, &out) {
                Ok(_) => theirs = Some(out),
                Err(msg) => wasmtime_error = Some(strip_prefix(&msg)),
            }
        }
        benches.push(Bench {
            entry: e.clone(),
            ours_artifact: ours,
            wasmtime_artifact: theirs,
            wasmtime_error,
            ours: Vec::new(),
            theirs: Vec::new(),
            ours_failure: None,
            theirs_failure: None,
        });
    }
    Ok(benches)
}

/// A child's error message without the `"program" failed (exit 1): ` prefix.
fn strip_prefix(msg: &str) -> String {
    msg.split_once("): ")
        .map(|(_, m)| m)
        .unwrap_or(msg)
        .trim_start_matches("[error] ")
        .to_string()
}

fn run_all(tools: &Tools, helpers: &Helpers, opts: &Options, benches: &mut [Bench]) {
    let total = benches.len();
    for (i, b) in benches.iter_mut().enumerate() {
        for _ in 0..opts.runs {
            if b.ours_failure.is_none() {
                match run_ours(tools, b) {
                    Ok(s) => b.ours.push(s),
                    Err(e) => b.ours_failure = Some(e),
                }
            }
            if b.theirs_failure.is_none()
                && let (Some(artifact), Some(timer)) = (&b.wasmtime_artifact, &helpers.timer)
            {
                match run_wasmtime(tools, &b.entry, artifact, timer) {
                    Ok(s) => b.theirs.push(s),
                    Err(e) => b.theirs_failure = Some(e),
                }
            }
        }
        let wall =
            |v: &[RunSample]| median(&mut v.iter().map(|s| ms(s.process.wall)).collect::<Vec<_>>());
        let (o, t) = (wall(&b.ours), wall(&b.theirs));
        eprintln!(
            "xtask bench: [{}/{}] {:<40} ours {:>10} wasmtime {:>10} {}",
            i + 1,
            total,
            b.entry.name,
            o.map(|v| format!("{v:.1} ms")).unwrap_or("FAIL".into()),
            t.map(|v| format!("{v:.1} ms")).unwrap_or("-".into()),
            match (o, t) {
                (Some(o), Some(t)) => format!("{:.2}x", o / t),
                _ => String::new(),
            }
        );
        for f in [&b.ours_failure, &b.theirs_failure].into_iter().flatten() {
            eprintln!("xtask bench:     {f}");
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run_ours(tools: &Tools, b: &Bench) -> Result<RunSample, String> {
    let out = tools.work.join("out").join("ours");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let log = out.join(format!("{}.driver", b.entry.name));
    let mut cmd = Command::new(&tools.driver);
    cmd.arg("run")
        .args(["--no-check", "--stem", &b.entry.stem, "--out"])
        .arg(&out)
        .arg(&b.entry.dir)
        .arg(&b.ours_artifact)
        .current_dir(&b.entry.dir)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(file(&log)?)
        .stderr(file(&log.with_extension("err"))?);
    let process = measure(&mut cmd)?;
    if process.code != Some(0) {
        return Err(format!(
            "ours: {} ({})",
            last_line(&log.with_extension("err")),
            status_text(process.code)
        ));
    }
    let report = read_lossy(&log);
    let field = |name: &str| {
        report
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_nanos)
    };
    let (window, wait) = (field("window_ns="), field("window_wait_ns="));
    check_output(
        tools,
        &b.entry,
        &out.join(format!("{}.stdout", b.entry.stem)),
        &out.join(format!("{}.stderr", b.entry.stem)),
    )
    .map_err(|e| format!("ours: {e}"))?;
    Ok(RunSample {
        process,
        window,
        wait,
    })
}

fn run_wasmtime(
    tools: &Tools,
    entry: &Entry,
    artifact: &Path,
    timer: &Path,
) -> Result<RunSample, String> {
    let wasmtime = tools.wasmtime.as_ref().expect("only called with wasmtime");
    let out = tools.work.join("out").join("wasmtime");
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let stdout = out.join(format!("{}.stdout", entry.stem));
    let stderr = out.join(format!("{}.stderr", entry.stem));
    let mut cmd = Command::new(wasmtime);
    cmd.args(["run", "--allow-precompiled", "--dir", ".", "--preload"])
        .arg(format!("bench={}", timer.display()))
        .arg(artifact)
        .current_dir(&entry.dir)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(file(&stdout)?)
        .stderr(file(&stderr)?);
    let process = measure(&mut cmd)?;
    // Take the timing marker out of stderr before checking it.
    let mut err = fs::read(&stderr).unwrap_or_default();
    let window = take_marker(&mut err);
    let _ = fs::write(&stderr, &err);
    if process.code != Some(0) {
        return Err(format!(
            "wasmtime: {} ({})",
            last_line(&stderr),
            status_text(process.code)
        ));
    }
    check_output(tools, entry, &stdout, &stderr).map_err(|e| format!("wasmtime: {e}"))?;
    Ok(RunSample {
        process,
        window,
        wait: None,
    })
}

/// Removes `@@bench-window-ns=N@@\n` from `stderr` and returns N.
fn take_marker(stderr: &mut Vec<u8>) -> Option<Duration> {
    let start = stderr.windows(MARKER.len()).position(|w| w == MARKER)?;
    let digits_at = start + MARKER.len();
    let len = stderr[digits_at..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let end = digits_at + len;
    if !stderr[end..].starts_with(b"@@\n") {
        return None;
    }
    let ns: u64 = std::str::from_utf8(&stderr[digits_at..end])
        .ok()?
        .parse()
        .ok()?;
    stderr.drain(start..end + 3);
    Some(Duration::from_nanos(ns))
}

/// Compares output files with the benchmark's `.expected` files (`bench-driver check`).
fn check_output(tools: &Tools, entry: &Entry, stdout: &Path, stderr: &Path) -> Result<(), String> {
    let log = tools.work.join("out").join("check.log");
    run_quiet(
        Command::new(&tools.driver)
            .arg("check")
            .arg(&entry.dir)
            .arg(&entry.stem)
            .arg(stdout)
            .arg(stderr),
        &log,
    )
    .map(|_| ())
    .map_err(|e| {
        strip_prefix(&e)
            .trim_start_matches("bench-driver: ")
            .to_string()
    })
}

// ---------------------------------------------------------------------------------------------
// Start-up and compile time.

/// Medians of one comparison: (ours, theirs) samples.
#[derive(Default)]
struct Pair {
    ours: Vec<Sample>,
    theirs: Vec<Sample>,
}

fn hello_startup(tools: &Tools, helpers: &Helpers, opts: &Options) -> Result<Pair, String> {
    eprintln!(
        "xtask bench: hello-world start-up from an artifact ({} runs each)…",
        opts.hello_runs
    );
    let dir = tools.work.join("helpers");
    let mut pair = Pair::default();
    for i in 0..opts.hello_runs {
        let out = dir.join("hello.out");
        let s = measure(
            Command::new(&tools.wasmedge)
                .arg("run")
                .arg(&helpers.hello_ours)
                .env_clear()
                .stdin(Stdio::null())
                .stdout(file(&out)?)
                .stderr(file(&dir.join("hello.err"))?),
        )?;
        if s.code != Some(0) || (i == 0 && read_lossy(&out) != "Hello, world!\n") {
            return Err(format!(
                "wasmedge run {} failed: {}",
                helpers.hello_ours.display(),
                last_line(&dir.join("hello.err"))
            ));
        }
        pair.ours.push(s);
        if let (Some(w), Some(h)) = (&tools.wasmtime, &helpers.hello_wasmtime) {
            let s = measure(
                Command::new(w)
                    .args(["run", "--allow-precompiled"])
                    .arg(h)
                    .env_clear()
                    .stdin(Stdio::null())
                    .stdout(file(&out)?)
                    .stderr(file(&dir.join("hello.err"))?),
            )?;
            if s.code != Some(0) || (i == 0 && read_lossy(&out) != "Hello, world!\n") {
                return Err(format!(
                    "wasmtime run {} failed: {}",
                    h.display(),
                    last_line(&dir.join("hello.err"))
                ));
            }
            pair.theirs.push(s);
        }
    }
    Ok(pair)
}

/// Compile time of the three largest benchmark modules: `(name, bytes, samples)`.
fn compile_times(tools: &Tools, opts: &Options, benches: &[Bench]) -> Vec<(String, u64, Pair)> {
    let mut largest: Vec<&Bench> = benches.iter().collect();
    largest.sort_by_key(|b| std::cmp::Reverse(b.entry.bytes));
    largest.truncate(3);
    let runs = opts.compile_runs.unwrap_or(opts.runs);
    let mut result = Vec::new();
    for b in largest {
        eprintln!(
            "xtask bench: compile time of {} ({} runs each)…",
            b.entry.name, runs
        );
        let mut pair = Pair::default();
        let dir = tools.work.join("helpers");
        for _ in 0..runs {
            if let Ok(s) = compile_ours(tools, opts, &b.entry.wasm, &dir.join("compile.aot")) {
                pair.ours.push(s);
            }
            if b.wasmtime_artifact.is_some()
                && let Ok(s) =
                    compile_wasmtime(tools, opts, &b.entry.wasm, &dir.join("compile.cwasm"))
            {
                pair.theirs.push(s);
            }
        }
        result.push((b.entry.name.clone(), b.entry.bytes, pair));
    }
    result
}

// ---------------------------------------------------------------------------------------------
// The report.

#[derive(Default)]
struct Report {
    text: String,
    skipped: Vec<(String, String)>,
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn fmt_ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
        None => "-".into(),
    }
}

fn fmt_ratio(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}x")).unwrap_or_else(|| "-".into())
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a > 0.0 => Some(a / b),
        _ => None,
    }
}

impl Report {
    fn header(&mut self, tools: &Tools, opts: &Options) {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
            })
            .unwrap_or_else(|| "?".into());
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        let date = command_output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]));
        let ours = command_output(Command::new(&tools.wasmedge).arg("--version"));
        let theirs = tools
            .wasmtime
            .as_ref()
            .map(|w| command_output(Command::new(w).arg("--version")))
            .unwrap_or_else(|| "not found".into());
        let _ = writeln!(self.text, "## Results of `cargo xtask bench`\n");
        let _ = writeln!(
            self.text,
            "- date: {date}; machine: {cpu}, {cores} cores; load average at start: {}",
            load_average()
        );
        let _ = writeln!(
            self.text,
            "- ours: {ours}; Wasmtime: {theirs}; --optimize {} (Wasmtime -O opt-level={}); {} runs per benchmark, median",
            opts.optimize,
            wasmtime_opt_level(&opts.optimize),
            opts.runs
        );
    }

    fn finish(
        &mut self,
        benches: &[Bench],
        hello: &Pair,
        compile: &[(String, u64, Pair)],
        tools: &Tools,
    ) {
        let t = &mut self.text;
        let _ = writeln!(t, "- load average at the end: {}\n", load_average());
        let _ = writeln!(t, "### Execution\n");
        let _ = writeln!(
            t,
            "Window = `bench.start` → `bench.end` inside the process; wall = the whole process \
             (load the artifact, instantiate, run, exit); CPU = the process's user + system time; \
             (on CPU) = the part of our window our thread actually ran (the rest went to other \
             processes; Wasmtime's CPU clocks are not reachable from WASI, so it has no such \
             column). Ratios are ours / Wasmtime; RSS is the peak resident set size of the \
             process.\n"
        );
        let _ = writeln!(
            t,
            "| benchmark | window ours ms | (on CPU) | window wasmtime ms | window ratio | wall ours ms | wall wasmtime ms | wall ratio | CPU ratio | RSS ours MiB | RSS wasmtime MiB |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let (mut window_ratios, mut wall_ratios, mut cpu_ratios) =
            (Vec::new(), Vec::new(), Vec::new());
        let (mut all_window_ratios, mut min_window_ratios) = (Vec::new(), Vec::new());
        let mut long_window_ratios = Vec::new();
        let (mut waited, mut windowed) = (Duration::ZERO, Duration::ZERO);
        let mut rss_ratios = Vec::new();
        let mut failures = Vec::new();
        for b in benches {
            let med = |v: &[RunSample], f: &dyn Fn(&RunSample) -> Option<f64>| {
                median(&mut v.iter().filter_map(f).collect::<Vec<_>>())
            };
            let window = |s: &RunSample| s.window.map(ms);
            let on_cpu = |s: &RunSample| Some(ms(s.window? - s.wait?));
            let wall = |s: &RunSample| Some(ms(s.process.wall));
            let cpu = |s: &RunSample| Some(ms(s.process.cpu));
            let rss = |s: &RunSample| Some(s.process.max_rss_kib as f64 / 1024.0);
            let (wo, wt) = (med(&b.ours, &window), med(&b.theirs, &window));
            let (po, pt) = (med(&b.ours, &wall), med(&b.theirs, &wall));
            let (ro, rt) = (med(&b.ours, &rss), med(&b.theirs, &rss));
            let (wr, pr) = (ratio(wo, wt), ratio(po, pt));
            let fastest = |v: &[RunSample]| v.iter().filter_map(window).min_by(f64::total_cmp);
            if let Some(r) = wr {
                all_window_ratios.push(r);
                // Below 1 ms the window mostly measures the timing calls themselves.
                if wo.unwrap_or(0.0).min(wt.unwrap_or(0.0)) >= MIN_WINDOW_MS {
                    window_ratios.push(r);
                    min_window_ratios.extend(ratio(fastest(&b.ours), fastest(&b.theirs)));
                    for s in &b.ours {
                        waited += s.wait.unwrap_or_default();
                        windowed += s.window.unwrap_or_default();
                    }
                }
                if wt.unwrap_or(0.0) >= 10.0 {
                    long_window_ratios.push(r);
                }
            }
            if let Some(r) = pr {
                wall_ratios.push(r);
            }
            let cr = ratio(med(&b.ours, &cpu), med(&b.theirs, &cpu));
            if let Some(r) = cr {
                cpu_ratios.push(r);
            }
            if let Some(r) = ratio(ro, rt) {
                rss_ratios.push(r);
            }
            let show = |v: Option<f64>, failure: &Option<String>| {
                if failure.is_some() {
                    "FAIL".to_string()
                } else {
                    fmt_ms(v)
                }
            };
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                b.entry.name,
                show(wo, &b.ours_failure),
                show(med(&b.ours, &on_cpu), &b.ours_failure),
                show(wt, &b.theirs_failure),
                fmt_ratio(wr),
                show(po, &b.ours_failure),
                show(pt, &b.theirs_failure),
                fmt_ratio(pr),
                fmt_ratio(cr),
                fmt_ms(ro),
                fmt_ms(rt),
            );
            if let Some(f) = &b.ours_failure {
                failures.push(format!("{}: {f}", b.entry.name));
            }
            if let Some(f) = &b.theirs_failure {
                failures.push(format!("{}: {f}", b.entry.name));
            }
            if let Some(e) = &b.wasmtime_error {
                failures.push(format!("{}: wasmtime compile: {e}", b.entry.name));
            }
        }
        let gm = |v: &[f64]| fmt_ratio(geomean(v));
        let _ = writeln!(t);
        let _ = writeln!(t, "Geomeans, ours / Wasmtime:\n");
        let _ = writeln!(
            t,
            "- **execution time (window) over the {} benchmarks whose window is ≥ {MIN_WINDOW_MS} ms: {}** \
             (medians; from each runtime's fastest run instead: {}); over the {} whose window is \
             ≥ 10 ms: {}; over all {} (including windows of a few microseconds, which mostly \
             time the timing calls): {}",
            window_ratios.len(),
            gm(&window_ratios),
            gm(&min_window_ratios),
            long_window_ratios.len(),
            gm(&long_window_ratios),
            all_window_ratios.len(),
            gm(&all_window_ratios),
        );
        let _ = writeln!(
            t,
            "- **whole-process wall time over all {}: {}**; process CPU time: {}; peak RSS: {}",
            wall_ratios.len(),
            gm(&wall_ratios),
            gm(&cpu_ratios),
            gm(&rss_ratios),
        );
        if !windowed.is_zero() {
            let _ = writeln!(
                t,
                "- noise: during our windows of ≥ {MIN_WINDOW_MS} ms the benchmark thread was \
                 off the CPU {:.0}% of the time (window minus the thread's CPU time: other \
                 processes on the machine took it; Wasmtime's runs suffer alike)",
                100.0 * waited.as_secs_f64() / windowed.as_secs_f64()
            );
        }
        let _ = writeln!(t);
        if !failures.is_empty() {
            let _ = writeln!(t, "Failures:\n");
            for f in &failures {
                let _ = writeln!(t, "- {f}");
            }
            let _ = writeln!(t);
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(t, "Not run:\n");
            let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (name, reason) in &self.skipped {
                by_reason.entry(reason).or_default().push(name);
            }
            for (reason, names) in by_reason {
                let _ = writeln!(t, "- {}: {reason}", names.join(", "));
            }
            let _ = writeln!(t);
        }

        let pair_row = |t: &mut String, label: &str, p: &Pair| {
            let med = |v: &[Sample], f: fn(&Sample) -> f64| {
                median(&mut v.iter().map(f).collect::<Vec<_>>())
            };
            let wall = |s: &Sample| ms(s.wall);
            let rss = |s: &Sample| s.max_rss_kib as f64 / 1024.0;
            let (o, th) = (med(&p.ours, wall), med(&p.theirs, wall));
            let (ro, rt) = (med(&p.ours, rss), med(&p.theirs, rss));
            let _ = writeln!(
                t,
                "| {label} | {} | {} | {} | {} | {} |",
                fmt_ms(o),
                fmt_ms(th),
                fmt_ratio(ratio(o, th)),
                fmt_ms(ro),
                fmt_ms(rt)
            );
        };
        let _ = writeln!(t, "### Start-up from an artifact\n");
        let _ = writeln!(
            t,
            "A WASI hello world: `wasmedge run hello.aot` (from `wasmedge compile`) against \
             `wasmtime run --allow-precompiled hello.cwasm`; median of {} interleaved runs.\n",
            hello.ours.len()
        );
        let _ = writeln!(
            t,
            "| program | ours ms | wasmtime ms | ratio | RSS ours MiB | RSS wasmtime MiB |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|");
        pair_row(t, "hello", hello);
        let _ = writeln!(t);
        let _ = writeln!(t, "### Compile time\n");
        let _ = writeln!(
            t,
            "`wasmedge compile` against `wasmtime compile` (whole process, same opt level), the \
             largest modules; median of interleaved runs.\n"
        );
        let _ = writeln!(
            t,
            "| module | ours ms | wasmtime ms | ratio | RSS ours MiB | RSS wasmtime MiB |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|");
        let mut compile_ratios = Vec::new();
        for (name, bytes, p) in compile {
            let label = format!("{name} ({} KiB)", bytes / 1024);
            pair_row(t, &label, p);
            let o = median(&mut p.ours.iter().map(|s| ms(s.wall)).collect::<Vec<_>>());
            let th = median(&mut p.theirs.iter().map(|s| ms(s.wall)).collect::<Vec<_>>());
            if let Some(r) = ratio(o, th) {
                compile_ratios.push(r);
            }
        }
        let _ = writeln!(t, "\nCompile-time geomean: {}\n", gm(&compile_ratios));
        if tools.wasmtime.is_some() {
            let hello_ratio = ratio(
                median(&mut hello.ours.iter().map(|s| ms(s.wall)).collect::<Vec<_>>()),
                median(&mut hello.theirs.iter().map(|s| ms(s.wall)).collect::<Vec<_>>()),
            );
            let verdict = |v: Option<f64>, target: f64| match v {
                Some(v) if v <= target => format!("{v:.2}x ≤ {target:.2}x: met"),
                Some(v) => format!("{v:.2}x > {target:.2}x: missed"),
                None => "not measured".into(),
            };
            let _ = writeln!(t, "### Targets (issue 10)\n");
            let _ = writeln!(
                t,
                "- execution-time geomean ≤ 1.10x: window (≥ {MIN_WINDOW_MS} ms) {}; whole process {}",
                verdict(geomean(&window_ratios), 1.10),
                verdict(geomean(&wall_ratios), 1.10)
            );
            let _ = writeln!(
                t,
                "- hello-world start-up ≤ 1.00x: {}",
                verdict(hello_ratio, 1.0)
            );
            let _ = writeln!(
                t,
                "- compile time ≤ 1.20x: {}",
                verdict(geomean(&compile_ratios), 1.2)
            );
        }
    }
}
