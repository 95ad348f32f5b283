//! `bench-driver`: runs one Sightglass benchmark on this runtime through the embedding API, the
//! way Sightglass drives a benchmark (`../shared/bench/sightglass/README.md`), and reports what
//! it measured. `cargo xtask bench` runs it once per benchmark and run.
//!
//! ```text
//! bench-driver run [--stem STEM] [--out DIR] [--no-check] [--small] BENCH_DIR MODULE
//! bench-driver check BENCH_DIR STEM STDOUT_FILE STDERR_FILE
//! bench-driver wat2wasm IN.wat OUT.wasm
//! bench-driver symbols ARTIFACT
//! ```
//!
//! `run` loads MODULE — an artifact written by `wasmedge compile` (loaded without compiling) or
//! a `.wasm` module (compiled here, and the compile time is reported) — and runs its `_start`
//! with the `bench.start`/`bench.end` host functions recording timestamps. WASI is set up as
//! Sightglass does: BENCH_DIR is the working directory and is preopened as `.`, there are no
//! arguments, the environment is empty (or `WASM_BENCH_USE_SMALL_WORKLOAD=1` with `--small`),
//! stdin is not set up, and stdout/stderr go to `DIR/STEM.stdout` and `DIR/STEM.stderr`. The
//! output is then compared with the `.expected` files (unless `--no-check`, used by the timed
//! runs of `cargo xtask bench`, which checks with `check` afterwards so the comparison is not
//! part of the process's wall time). The result is one line on stdout:
//!
//! ```text
//! bench-driver: window_ns=… window_cpu_ns=… window_wait_ns=… load_ns=… compile_ns=… instantiate_ns=… peak_rss_kib=… check=pass
//! ```
//!
//! `window_ns` is the `bench.start` → `bench.end` window; `window_cpu_ns` is the CPU time the
//! thread used in it (`CLOCK_THREAD_CPUTIME_ID`) and `window_wait_ns` the rest — for these
//! CPU-bound programs, the time other processes of a busy machine took; `load_ns` the time to load the
//! artifact (or to compile the module), `compile_ns` the compile time (0 for an artifact),
//! `peak_rss_kib` the process's peak resident set size (`VmHWM` of `/proc/self/status`).
//! Exit status: 0 if the program succeeded (returned from `_start` or called `proc_exit(0)`)
//! and its output matched, 1 otherwise, 2 for a bad command line.
//!
//! `check` applies the same output comparison to files written by another runtime.
//! `wat2wasm` converts a text module to binary (used for the harness's tiny helper modules).
//! `symbols` lists an artifact's functions with their file offsets, to name `perf` samples
//! (see docs/performance.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use wasmedge_runtime::{Config, Engine, FuncType, Linker, Module, Store};
use wasmedge_wasi::{self as wasi, Stdio, WasiCtx};

const USAGE: &str = "\
usage: bench-driver run [--stem STEM] [--out DIR] [--no-check] [--small] BENCH_DIR MODULE
       bench-driver check BENCH_DIR STEM STDOUT_FILE STDERR_FILE
       bench-driver wat2wasm IN.wat OUT.wasm
       bench-driver symbols ARTIFACT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("check") => check_cmd(&args[1..]),
        Some("wat2wasm") => wat2wasm(&args[1..]),
        Some("symbols") => symbols(&args[1..]),
        _ => Err(Failure::Usage(String::new())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("bench-driver: {msg}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(msg)) => {
            eprintln!("bench-driver: {msg}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Failed(String),
}

fn failed(msg: impl Into<String>) -> Failure {
    Failure::Failed(msg.into())
}

/// The store's data: the WASI context and the two timestamps, each with the thread's CPU time.
struct BenchState {
    wasi: WasiCtx,
    start: Option<(Instant, Duration)>,
    end: Option<(Instant, Duration)>,
}

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`; zero if unavailable).
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

struct RunOptions {
    stem: Option<String>,
    out: Option<PathBuf>,
    check: bool,
    small: bool,
    bench_dir: PathBuf,
    module: PathBuf,
}

fn parse_run(args: &[String]) -> Result<RunOptions, Failure> {
    let mut stem = None;
    let mut out = None;
    let mut check = true;
    let mut small = false;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--stem" => {
                stem = Some(
                    it.next()
                        .cloned()
                        .ok_or(Failure::Usage("--stem needs a value".into()))?,
                )
            }
            "--out" => {
                out = Some(PathBuf::from(
                    it.next()
                        .ok_or(Failure::Usage("--out needs a value".into()))?,
                ))
            }
            "--no-check" => check = false,
            "--small" => small = true,
            s if s.starts_with("--") => return Err(Failure::Usage(format!("unknown option {s}"))),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [bench_dir, module]: [PathBuf; 2] = positional
        .try_into()
        .map_err(|_| Failure::Usage("run needs BENCH_DIR and MODULE".into()))?;
    Ok(RunOptions {
        stem,
        out,
        check,
        small,
        bench_dir,
        module,
    })
}

fn nanos(d: Duration) -> u128 {
    d.as_nanos()
}

fn run(args: &[String]) -> Result<(), Failure> {
    let opts = parse_run(args)?;
    let stem = match &opts.stem {
        Some(s) => s.clone(),
        None => opts
            .module
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .ok_or_else(|| Failure::Usage("MODULE has no file name".into()))?,
    };
    let out_dir = opts.out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("bench-driver-{}", std::process::id()))
    });
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| failed(format!("cannot create {}: {e}", out_dir.display())))?;
    let stdout_path = out_dir.join(format!("{stem}.stdout"));
    let stderr_path = out_dir.join(format!("{stem}.stderr"));

    // Load: an artifact is mapped without compiling; a module is compiled here.
    let engine = Engine::new(&Config::new()).map_err(|e| failed(e.to_string()))?;
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| failed(format!("cannot read {}: {e}", path.display())))
    };
    let mut magic = [0u8; 16];
    let head = std::fs::File::open(&opts.module)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut magic))
        .map_err(|e| failed(format!("cannot read {}: {e}", opts.module.display())))?;
    let load_started = Instant::now();
    let (module, compile_time) = if wasmedge_environ::artifact::is_artifact(&magic[..head]) {
        // SAFETY: the artifact was written by `wasmedge compile` of this workspace for this
        // benchmark (cargo xtask bench); artifacts are trusted native code.
        let m = unsafe { wasmedge_runtime::artifact::deserialize_file(&engine, &opts.module) }
            .map_err(|e| failed(e.to_string()))?;
        (m, Duration::ZERO)
    } else {
        let m = Module::new(&engine, read(&opts.module)?).map_err(|e| failed(e.to_string()))?;
        (m, load_started.elapsed())
    };
    let load_time = load_started.elapsed();

    // WASI as Sightglass sets it up.
    let create = |p: &Path| {
        std::fs::File::create(p).map_err(|e| failed(format!("cannot create {}: {e}", p.display())))
    };
    let mut b = WasiCtx::builder();
    if opts.small {
        b.env("WASM_BENCH_USE_SMALL_WORKLOAD", "1");
    }
    b.preopened_dir(&opts.bench_dir, ".", false)
        .map_err(|e| failed(format!("cannot preopen {}: {e}", opts.bench_dir.display())))?;
    b.stdout(Stdio::file(create(&stdout_path)?));
    b.stderr(Stdio::file(create(&stderr_path)?));
    let state = BenchState {
        wasi: b.build(),
        start: None,
        end: None,
    };

    let instantiate_started = Instant::now();
    let mut store = Store::new(&engine, state);
    let mut linker: Linker<BenchState> = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |s: &mut BenchState| &mut s.wasi)
        .map_err(|e| failed(e.to_string()))?;
    let unit = FuncType::new([], []);
    linker
        .func_new("bench", "start", unit.clone(), |mut caller, _, _| {
            // The CPU clock is read outside the timed window.
            let cpu = thread_cpu_time();
            caller.data_mut().start = Some((Instant::now(), cpu));
            Ok(())
        })
        .and_then(|l| {
            l.func_new("bench", "end", unit, |mut caller, _, _| {
                let now = Instant::now();
                caller.data_mut().end = Some((now, thread_cpu_time()));
                Ok(())
            })
        })
        .map_err(|e| failed(e.to_string()))?;
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| failed(format!("instantiation failed: {e}")))?;
    let instantiate_time = instantiate_started.elapsed();
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .map_err(|e| failed(format!("no `_start` of type [] -> []: {e}")))?;
    let outcome = start.call(&mut store, ());
    // Close the output files before reading them back.
    let BenchState { wasi, start, end } = store.into_data();
    drop(wasi);
    match outcome {
        Ok(()) => {}
        Err(e) if e.exit_status() == Some(0) => {}
        Err(e) => return Err(failed(format!("the benchmark failed: {e}"))),
    }
    let (window, window_cpu) = match (start, end) {
        (Some((s, c0)), Some((e, c1))) => (e.saturating_duration_since(s), c1.saturating_sub(c0)),
        _ => {
            return Err(failed(
                "the benchmark did not call both bench.start and bench.end",
            ));
        }
    };
    let rss = peak_rss_kib();

    let check = if opts.check {
        match check(&opts.bench_dir, &stem, &stdout_path, &stderr_path) {
            Ok(c) => c,
            Err(e) => return Err(failed(e)),
        }
    } else {
        "skipped"
    };
    println!(
        "bench-driver: window_ns={} window_cpu_ns={} window_wait_ns={} load_ns={} compile_ns={} instantiate_ns={} peak_rss_kib={rss} check={check}",
        nanos(window),
        nanos(window_cpu),
        nanos(window.saturating_sub(window_cpu)),
        nanos(load_time),
        nanos(compile_time),
        nanos(instantiate_time),
    );
    Ok(())
}

/// `symbols ARTIFACT`: one line per compiled function, `FILE_OFFSET LENGTH NAME` (hexadecimal
/// offsets into the artifact file). The code of an artifact is mapped from the file, so
/// `perf report` shows samples in wasm code as offsets into the `.aot` file; this table names
/// them.
fn symbols(args: &[String]) -> Result<(), Failure> {
    let [path] = args else {
        return Err(Failure::Usage("symbols needs ARTIFACT".into()));
    };
    let bytes = std::fs::read(path).map_err(|e| failed(format!("cannot read {path}: {e}")))?;
    let parsed = wasmedge_environ::artifact::read(&bytes).map_err(|e| failed(e.message))?;
    let features = Config::new().features();
    let info = wasmedge_environ::loader::load(&parsed.header.wasm, features)
        .map_err(|e| failed(e.to_string()))?;
    let mut out = String::new();
    for (i, (offset, len)) in parsed.header.funcs.iter().enumerate() {
        let index = info.num_imported_funcs + i as u32;
        let name = info.func_display_name(index);
        let at = parsed.code_offset + *offset as usize;
        out.push_str(&format!("{at:x} {len:x} wasm[{index}]::{name}\n"));
    }
    // A closed pipe (`symbols … | head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
    Ok(())
}

/// `VmHWM` of `/proc/self/status`, in KiB (0 if unavailable).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn check_cmd(args: &[String]) -> Result<(), Failure> {
    let [dir, stem, stdout, stderr] = args else {
        return Err(Failure::Usage(
            "check needs BENCH_DIR STEM STDOUT_FILE STDERR_FILE".into(),
        ));
    };
    match check(Path::new(dir), stem, Path::new(stdout), Path::new(stderr)) {
        Ok(c) => {
            println!("bench-driver: check={c}");
            Ok(())
        }
        Err(e) => Err(failed(e)),
    }
}

/// Compares the output with `<stem>.<stream>.expected` (or `default.<stream>.expected`) in
/// `dir`, line by line, ignoring line-ending differences and a missing final newline. Returns
/// `"pass"`, or `"unchecked"` if neither stream has an expected file.
fn check(dir: &Path, stem: &str, stdout: &Path, stderr: &Path) -> Result<&'static str, String> {
    let mut checked = false;
    for (stream, actual) in [("stdout", stdout), ("stderr", stderr)] {
        let expected = [stem, "default"]
            .iter()
            .map(|s| dir.join(format!("{s}.{stream}.expected")))
            .find(|p| p.is_file());
        let Some(expected) = expected else { continue };
        checked = true;
        let want = std::fs::read(&expected)
            .map_err(|e| format!("cannot read {}: {e}", expected.display()))?;
        let got =
            std::fs::read(actual).map_err(|e| format!("cannot read {}: {e}", actual.display()))?;
        if let Some(line) = first_difference(&want, &got) {
            return Err(format!(
                "{stream} differs from {} at line {line} (output in {})",
                expected.display(),
                actual.display()
            ));
        }
    }
    Ok(if checked { "pass" } else { "unchecked" })
}

/// The 1-based number of the first differing line, if any.
fn first_difference(want: &[u8], got: &[u8]) -> Option<usize> {
    fn lines(b: &[u8]) -> Vec<&[u8]> {
        let mut v: Vec<&[u8]> = b
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        if v.last().is_some_and(|l| l.is_empty()) {
            v.pop();
        }
        v
    }
    let (w, g) = (lines(want), lines(got));
    (0..w.len().max(g.len()))
        .find(|&i| w.get(i) != g.get(i))
        .map(|i| i + 1)
}

fn wat2wasm(args: &[String]) -> Result<(), Failure> {
    let [input, output] = args else {
        return Err(Failure::Usage("wat2wasm needs IN and OUT".into()));
    };
    let text = std::fs::read(input).map_err(|e| failed(format!("cannot read {input}: {e}")))?;
    let binary = wasmedge_environ::loader::to_binary(&text).map_err(|e| failed(e.to_string()))?;
    std::fs::write(output, &*binary).map_err(|e| failed(format!("cannot write {output}: {e}")))
}
