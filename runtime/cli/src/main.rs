//! The `wasmedge` binary: a WasmEdge-compatible command line over the `wasmedge_runtime`
//! library (reference: docs/cli.md). This file is only the process entry point: all logic,
//! including exit-code policy, lives in `cli/`, and nothing else may be added here.

mod cli;

use std::io::Write;

fn main() {
    let code = cli::main(std::env::args_os().collect());
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}
