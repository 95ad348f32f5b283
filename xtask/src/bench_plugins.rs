//! `cargo xtask bench-plugins [--calls N]`: measures what calling a plug-in host function costs
//! against a built-in host function of the same signature (`(i32, i32) -> i32`), and fails if
//! the plug-in call is more than 2× slower. Builds the `testkit` fixture plug-in in release mode,
//! then runs the `plugin-bench` timing binary of `wasmedge-tests` (release) on it.
//!
//! Timing lives in the benchmark, never in tests.

use crate::util::{cargo, exit_code, workspace_manifest};
use std::process::ExitCode;

pub fn run(args: &[String]) -> ExitCode {
    let root = workspace_manifest()
        .parent()
        .expect("the manifest has a folder")
        .to_path_buf();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let fixtures = target_dir.join("plugin-fixtures").join("main");
    let status = cargo()
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(root.join("tests/plugin-fixtures/Cargo.toml"))
        .args(["-p", "fixture-testkit", "--target-dir"])
        .arg(&fixtures)
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => return exit_code(other),
    }
    let plugin = fixtures.join("release").join(format!(
        "{}fixture_testkit{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--quiet", "--manifest-path"])
        .arg(workspace_manifest())
        .args(["-p", "wasmedge-tests", "--bin", "plugin-bench", "--"])
        .arg(&plugin)
        .args(args);
    exit_code(cmd.status())
}
