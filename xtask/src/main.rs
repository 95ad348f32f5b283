//! `cargo xtask`: developer tasks for the workspace. One file per subcommand; this file only
//! dispatches and must not implement tasks itself.

mod bench;
mod bench_ggml;
mod bench_keyvalue;
mod bench_lean;
mod bench_plugins;
mod fuzz;
mod package_plugins;
mod setup_ml;
mod spec;
mod util;
mod wasmtime;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [args...]

commands:
  spec [ARGS...]   run WebAssembly spec scripts (spec-runner, release build); e.g.
                   cargo xtask spec --dir <folder>
                   cargo xtask spec --suite wasm-v1
                   cargo xtask spec --help
  package-plugins  build every plug-in under plugins/ and write release tarballs, a
                   manifest.json each and SHA256SUMS to dist/plugins, then check that each
                   loads; see cargo xtask package-plugins --help
  setup-ml         install the WASI-NN native libraries (PyPI wheels) and test models into
                   .ml/ (runs .ci/setup-ml; see docs/wasi-nn.md)
  bench [OPTIONS]  Sightglass benchmarks, start-up, compile time and peak memory against
                   Wasmtime (when installed); not part of CI; see cargo xtask bench --help
  bench-lean       the lean runtime (no compiler) beside the full one and Wasmtime: size,
                   dependencies, start-up from an artifact
  bench-plugins    time a plug-in host function call against a built-in one (fails above 2x)
  bench-keyvalue   set/get operations per second of the keyvalue plug-in on redb and Redis
  bench-ggml       llama.cpp through the runtime (wasi_nn-ggml) against native llama.cpp:
                   prompt-processing and generation tokens/s on the same model (needs setup-ml)
  fuzz ARGS...     run the cargo-fuzz targets of fuzz/ (see docs/security.md); e.g.
                   cargo xtask fuzz --ci                 short deterministic run, every target
                   cargo xtask fuzz differential --time 7200
                   cargo xtask fuzz --help";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    match command.as_deref() {
        Some("spec") => spec::run(&rest),
        Some("fuzz") => fuzz::run(&rest),
        Some("package-plugins") => package_plugins::run(&rest),
        Some("setup-ml") => setup_ml::run(&rest),
        Some("bench") => bench::run(&rest),
        Some("bench-plugins") => bench_plugins::run(&rest),
        Some("bench-keyvalue") => bench_keyvalue::run(&rest),
        Some("bench-lean") => bench_lean::run(&rest),
        Some("bench-ggml") => bench_ggml::run(&rest),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown command \"{other}\"\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
