//! Replays fuzz inputs outside libFuzzer and shows what they mean.
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml --example repro -- TARGET INPUT [--wasm OUT]
//! ```
//!
//! - `TARGET` is `loader`, `compile_instantiate`, `differential` or `wasi_path` and `INPUT` a
//!   corpus entry or crash artifact of that target (`WASI_PATH_TRACE=1` prints what the
//!   `wasi_path` guest did). For the two generator targets the generated module is
//!   printed as WAT (and written to `OUT` with `--wasm`), then run as the target runs it,
//!   with the outcome (summary or mismatch) printed.
//! - `TARGET` `wasm` (a `.wasm`/`.wat` file): runs the differential comparison on that module
//!   directly under both bounds-checking strategies, and prints it as WAT (`--wasm OUT` writes
//!   the binary, e.g. to turn a hand-reduced `.wat` back into a loader seed).

use arbitrary::Unstructured;
use std::process::ExitCode;
use wasmedge_fuzz::{compile_instantiate, differential, generate, loader};
use wasmedge_runtime::MemoryStrategy;

fn usage() -> ExitCode {
    eprintln!(
        "usage: repro (loader|compile_instantiate|differential|wasi_path) INPUT [--wasm OUT]\n       \
         repro wasm MODULE.wasm|MODULE.wat [--wasm OUT]"
    );
    ExitCode::from(2)
}

fn print_wat(wasm: &[u8]) {
    match wasmprinter::print_bytes(wasm) {
        Ok(text) => println!("{text}"),
        Err(e) => println!(";; cannot print as WAT: {e}"),
    }
}

fn compare(wasm: &[u8], strategy: MemoryStrategy) -> bool {
    match differential::compare(wasm, strategy) {
        Ok(summary) => {
            println!(";; {strategy:?}: same behaviour: {summary:?}");
            true
        }
        Err(m) => {
            println!(";; {strategy:?}: MISMATCH: {m}");
            false
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(target), Some(input)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let out = match args.get(2).map(String::as_str) {
        Some("--wasm") => match args.get(3) {
            Some(p) => Some(p.clone()),
            None => return usage(),
        },
        Some(_) => return usage(),
        None => None,
    };
    let data = match std::fs::read(input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("repro: cannot read {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut u = Unstructured::new(&data);
    let mut threads = false;
    let (wasm, strategy) = match target.as_str() {
        "loader" => {
            println!(";; {} bytes; running the loader target", data.len());
            if data.starts_with(b"\0asm") {
                print_wat(&data);
            }
            loader::run(&data);
            println!(";; ok");
            return ExitCode::SUCCESS;
        }
        "wasi_path" => {
            println!(";; {} bytes; running the wasi_path target", data.len());
            let _ = wasmedge_fuzz::wasi_path::run(&data);
            println!(";; ok");
            return ExitCode::SUCCESS;
        }
        "wasm" => {
            let wasm = match wat::parse_bytes(&data) {
                Ok(w) => w.into_owned(),
                Err(e) => {
                    eprintln!("repro: {e}");
                    return ExitCode::FAILURE;
                }
            };
            print_wat(&wasm);
            if let Some(out) = &out {
                if let Err(e) = std::fs::write(out, &wasm) {
                    eprintln!("repro: cannot write {out}: {e}");
                    return ExitCode::FAILURE;
                }
                println!(";; written to {out}");
            }
            let a = compare(&wasm, MemoryStrategy::Auto);
            let b = compare(&wasm, MemoryStrategy::Explicit);
            return if a && b {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        "compile_instantiate" => {
            let strategy = compile_instantiate::pick_strategy(&mut u);
            let Ok(config) = generate::compile_instantiate_config(&mut u) else {
                println!(";; input too short for a configuration");
                return ExitCode::SUCCESS;
            };
            threads = config.threads_enabled;
            (generate::module(config, &mut u), strategy)
        }
        "differential" => {
            let strategy = compile_instantiate::pick_strategy(&mut u);
            let Ok(config) = generate::differential_config(&mut u) else {
                println!(";; input too short for a configuration");
                return ExitCode::SUCCESS;
            };
            (generate::module(config, &mut u), strategy)
        }
        _ => return usage(),
    };
    let Some(wasm) = wasm else {
        println!(";; input too short for a module");
        return ExitCode::SUCCESS;
    };
    print_wat(&wasm);
    if let Some(out) = out {
        if let Err(e) = std::fs::write(&out, &wasm) {
            eprintln!("repro: cannot write {out}: {e}");
            return ExitCode::FAILURE;
        }
        println!(";; written to {out}");
    }
    println!(";; strategy: {strategy:?}");
    if target == "differential" {
        if compare(&wasm, strategy) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    } else {
        println!(";; threads: {threads}");
        compile_instantiate::run_module(&wasm, strategy, threads);
        println!(";; ok");
        ExitCode::SUCCESS
    }
}
