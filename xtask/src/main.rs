//! `cargo xtask`: developer tasks for the workspace. One file per subcommand; this file only
//! dispatches and must not implement tasks itself.

mod spec;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [args...]

commands:
  spec [ARGS...]   run WebAssembly spec scripts (spec-runner, release build); e.g.
                   cargo xtask spec --dir <folder>
                   cargo xtask spec --suite wasm-v1
                   cargo xtask spec --help";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    match command.as_deref() {
        Some("spec") => spec::run(&rest),
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
