//! `cargo xtask setup-ml`: runs `.ci/setup-ml` (the ML set-up of the WASI-NN plug-ins; see
//! docs/wasi-nn.md). The script does the work; this only starts it with bash.

use crate::util::workspace_manifest;
use std::process::{Command, ExitCode};

pub fn run(args: &[String]) -> ExitCode {
    let root = workspace_manifest()
        .parent()
        .expect("the manifest has a folder")
        .to_path_buf();
    match Command::new("bash")
        .arg(root.join(".ci/setup-ml"))
        .args(args)
        .status()
    {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => {
            eprintln!("xtask setup-ml: .ci/setup-ml failed ({s})");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("xtask setup-ml: cannot run bash: {e}");
            ExitCode::FAILURE
        }
    }
}
