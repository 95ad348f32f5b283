//! Shared helpers of the `keyvalue_*` end-to-end tests: building the `wasi:keyvalue` guests
//! (`tests/guests-keyvalue`, a wasm32-wasip1 workspace, into `target/guests-keyvalue`) and the
//! plug-in, a plug-in folder, the two backends' command-line options, and a private
//! `redis-server` on a free loopback port (temporary folder, no persistence, no system config;
//! killed on drop).
//!
//! Helpers only: no assertions about key-value behaviour belong here. Needs `cli_support` and
//! `plugin_support`.

#![allow(dead_code)]

use crate::cli_support::TempDir;
use crate::plugin_support::{Env, plugin_dir, wasm_guests, workspace_plugin};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The folder holding the built guest `.wasm` files (built once per test process).
pub fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| wasm_guests("guests-keyvalue"))
}

/// The path of guest `name` (`kv-suite`, `kv-cli`, `visit-counter`).
pub fn guest(name: &str) -> PathBuf {
    guests().join(format!("{name}.wasm"))
}

/// A plug-in folder holding the keyvalue plug-in (built in this test's profile).
pub fn keyvalue_plugin_dir() -> TempDir {
    let lib = workspace_plugin("wasmedge-plugin-keyvalue", "wasmedge_plugin_keyvalue");
    plugin_dir(&[(&lib, "libwasmedge_plugin_keyvalue.so")])
}

/// Where a test's data lives: a redb folder or a Redis server.
pub enum Backend {
    Redb(TempDir),
    Redis(RedisServer),
}

impl Backend {
    /// A fresh redb store folder.
    pub fn redb() -> Backend {
        Backend::Redb(TempDir::new())
    }

    /// The plug-in options selecting this backend.
    pub fn options(&self) -> Vec<OsString> {
        match self {
            Backend::Redb(dir) => vec!["--kv-dir".into(), dir.path().join("store").into()],
            Backend::Redis(r) => vec!["--kv-url".into(), r.url().into()],
        }
    }

    /// "redb" or "redis".
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Redb(_) => "redb",
            Backend::Redis(_) => "redis",
        }
    }
}

/// Both backends, or only redb (with a visible line) when `redis-server` is not installed
/// outside CI. Under `CI=true` a missing `redis-server` fails the test.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::redb()];
    if let Some(r) = RedisServer::start() {
        all.push(Backend::Redis(r));
    }
    all
}

/// The argument vector `--plugin-dir DIR <backend options> <extra> GUEST <args>`.
pub fn argv(
    plugins: &TempDir,
    backend: &Backend,
    extra: &[&str],
    guest_name: &str,
    args: &[&str],
) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec!["--plugin-dir".into(), plugins.path().into()];
    v.extend(backend.options());
    v.extend(extra.iter().map(OsString::from));
    v.push(guest(guest_name).into());
    v.extend(args.iter().map(OsString::from));
    v
}

/// `wasmedge` with `argv` as a child process of the test (stdout piped), in `env`'s private
/// `HOME`.
pub fn spawn(env: &Env, argv: &[OsString]) -> Child {
    Command::new(&env.bin)
        .args(argv)
        .env("HOME", env.home.path())
        .env_remove("WASMEDGE_PLUGIN_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting wasmedge")
}

/// A private `redis-server`, killed (and its folder removed) on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl RedisServer {
    /// Starts one on a free loopback port. `None` (after printing why) if `redis-server` is not
    /// installed and `CI` is not `true`.
    pub fn start() -> Option<RedisServer> {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            let message = "redis-server is not installed: the Redis half of this test did not \
                           run (install the Debian package redis-server; .ci/run does)";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{message}");
            }
            println!("NOTE: {message}");
            eprintln!("NOTE: {message}");
            return None;
        }
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("finding a free port")
                .port();
            let dir = TempDir::new();
            // Command-line settings only (no config file, so nothing from /etc/redis), no RDB
            // snapshots, no AOF.
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting redis-server");
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("redis-server exited with {status}");
                    break;
                }
                if ping(port) {
                    return Some(RedisServer {
                        child,
                        port,
                        _dir: dir,
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not come up on a loopback port: {last_error}");
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// True if a Redis server answers `PING` on `port`.
fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
