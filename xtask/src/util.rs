//! Helpers shared by xtask subcommands: locating the workspace and running cargo.
//!
//! Must not contain subcommand logic.

use std::path::PathBuf;
use std::process::{Command, ExitCode, ExitStatus};

/// The workspace's `Cargo.toml` (xtask lives one level below the workspace root).
pub fn workspace_manifest() -> PathBuf {
    let xtask_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(&xtask_dir).join("Cargo.toml")
}

/// A `cargo` command (the one running us when invoked through `cargo xtask`).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Turns a child's exit status into ours (1 when it was killed by a signal).
pub fn exit_code(status: std::io::Result<ExitStatus>) -> ExitCode {
    match status {
        Ok(s) => match s.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!("xtask: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The folder under the target directory that cargo profile `profile` builds into.
pub fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

/// The host's target triple (`rustc -vV`).
pub fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| "rustc -vV printed no host triple".to_string())
}
