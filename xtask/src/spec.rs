//! `cargo xtask spec ARGS...`: builds and runs the `spec-runner` binary of `wasmedge-tests`
//! in release mode, forwarding ARGS unchanged.
//!
//! Must not parse the runner's arguments (the runner owns them) or run scripts itself.

use crate::util::{cargo, exit_code, workspace_manifest};
use std::process::ExitCode;

/// Runs `cargo run --release -p wasmedge-tests --bin spec-runner -- ARGS`.
pub fn run(args: &[String]) -> ExitCode {
    let mut cmd = cargo();
    cmd.arg("run")
        .arg("--release")
        .arg("--manifest-path")
        .arg(workspace_manifest())
        .args(["-p", "wasmedge-tests", "--bin", "spec-runner", "--"])
        .args(args);
    exit_code(cmd.status())
}
