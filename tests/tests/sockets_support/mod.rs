//! Shared helpers of the `sockets_*` tests: building the socket guests of
//! `tests/guests-sockets` (once per test process, with and without the crate's `epoll`
//! feature), starting a guest server under `wasmedge` and reading the port it announces, and
//! stopping it. Everything listens on loopback only.
//!
//! Helpers only: no assertions about socket behaviour belong here. Needs `mod cli_support;`
//! in the test crate that uses it.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// Which build of the guests: the default (`poll_oneoff`) or the crate's `epoll` feature
/// (`epoll_oneoff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Poll,
    Epoll,
}

fn build(flavour: Flavour) -> PathBuf {
    match flavour {
        Flavour::Poll => crate::cli_support::build_guests("guests-sockets", "socket-guests", &[]),
        Flavour::Epoll => crate::cli_support::build_guests(
            "guests-sockets",
            "socket-guests-epoll",
            &["--features", "epoll"],
        ),
    }
}

/// The path of guest `name` (`http_server`, `http_client`, `udp_echo`) in `flavour`.
pub fn guest(flavour: Flavour, name: &str) -> PathBuf {
    static POLL: OnceLock<PathBuf> = OnceLock::new();
    static EPOLL: OnceLock<PathBuf> = OnceLock::new();
    let dir = match flavour {
        Flavour::Poll => POLL.get_or_init(|| build(Flavour::Poll)),
        Flavour::Epoll => EPOLL.get_or_init(|| build(Flavour::Epoll)),
    };
    dir.join(format!("{name}.wasm"))
}

/// A guest server running under `wasmedge`; killed when dropped unless it was waited for.
pub struct Server {
    child: Option<Child>,
    stdout: BufReader<ChildStdout>,
    /// The port the guest announced (`listening on PORT`).
    pub port: u16,
}

impl Server {
    /// Starts `wasmedge <options> <guest> <args>` and waits (at most 60 s) for the guest's
    /// `listening on PORT` line. Panics with the guest's output if it prints anything else.
    pub fn start(options: &[&str], guest: &Path, args: &[&str]) -> Server {
        let mut argv: Vec<OsString> = options.iter().map(OsString::from).collect();
        argv.push(guest.as_os_str().to_owned());
        argv.extend(args.iter().map(OsString::from));
        let mut child = Command::new(crate::cli_support::wasmedge())
            .args(&argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting wasmedge");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let r = stdout.read_line(&mut line);
            let _ = tx.send((r.map(|_| line), ()));
            stdout
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((Ok(line), ())) => line,
            Ok((Err(e), ())) => {
                let _ = child.kill();
                panic!("reading the guest's first line: {e}");
            }
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the guest {} did not announce its port within 60 s",
                    guest.display()
                );
            }
        };
        let stdout = reader.join().expect("reader thread");
        let Some(port) = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let status = child.wait();
            panic!("the guest did not start: first line {line:?}, status {status:?}");
        };
        Server {
            child: Some(child),
            stdout,
            port,
        }
    }

    /// Waits (at most `timeout`) for the guest to exit on its own; returns its status and the
    /// rest of its stdout.
    pub fn wait(mut self, timeout: Duration) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("server already waited for");
        let Some(status) = wasmedge_tests::process::wait_deadline(&mut child, timeout) else {
            panic!("the guest server did not exit within {timeout:?}");
        };
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        (status, rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
