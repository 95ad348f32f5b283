//! Shared helpers of the `wasi_*` tests: running the `wasmedge` binary (found and built by
//! `cli_support`) with raw-byte stdin/stdout/stderr and a timeout, and copying directory trees.
//!
//! [`official`] runs the official preview1 suite with a given binary.
//!
//! Helpers only: no assertions about WASI behaviour belong here. Needs `mod cli_support;` in
//! the test crate that uses it.

#![allow(dead_code)]

pub mod official;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What one `wasmedge` run did.
#[derive(Debug)]
pub struct RunResult {
    /// The exit code (`None`: killed by a signal or by the timeout).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
}

impl RunResult {
    /// A readable summary for failure messages.
    pub fn describe(&self) -> String {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let n = s.chars().count();
            s.chars().skip(n.saturating_sub(1500)).collect::<String>()
        };
        format!(
            "exit code {:?}{}\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}",
            self.code,
            if self.timed_out { " (timed out)" } else { "" },
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

/// Runs `wasmedge args…` with `stdin` as its standard input (`None`: `/dev/null`), killing it
/// after `timeout`.
pub fn run_wasmedge(args: &[OsString], stdin: Option<&[u8]>, timeout: Duration) -> RunResult {
    run_binary(crate::cli_support::wasmedge(), args, stdin, timeout)
}

/// As [`run_wasmedge`], for the binary `bin` (e.g. the lean build).
pub fn run_binary(
    bin: &Path,
    args: &[OsString],
    stdin: Option<&[u8]>,
    timeout: Duration,
) -> RunResult {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting wasmedge");
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let done = wasmedge_tests::process::wait_with_output(&mut child, timeout);
    if let Some(w) = writer {
        let _ = w.join();
    }
    RunResult {
        code: done.status.and_then(|s| s.code()),
        timed_out: done.status.is_none(),
        stdout: done.stdout,
        stderr: done.stderr,
    }
}

/// Copies the directory tree `from` to `to` (which must not exist), keeping symlinks as
/// symlinks.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

/// A listing of every path (relative, sorted) with its size and modification time below
/// `root`: a fingerprint for "nothing here changed".
pub fn fingerprint(root: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>, bool)> {
    fn walk(
        base: &Path,
        dir: &Path,
        out: &mut Vec<(String, u64, Option<std::time::SystemTime>, bool)>,
    ) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).ok();
            let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
            let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
            out.push((
                rel,
                meta.as_ref().map_or(0, |m| m.len()),
                meta.as_ref().and_then(|m| m.modified().ok()),
                is_dir,
            ));
            if is_dir {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}
