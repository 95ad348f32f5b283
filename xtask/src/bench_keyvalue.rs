//! `cargo xtask bench-keyvalue [--ops N] [--redis-ops N]`: set/get operations per second of the
//! keyvalue plug-in on both backends, measured by the `kv-cli bench` guest
//! (`tests/guests-keyvalue`) through the release `wasmedge` binary: N sets then N gets of
//! 100-byte values, each `set` a durable commit on redb and an acknowledged `SET` on Redis.
//! Redis runs as a private `redis-server` on a free loopback port (skipped with a note when it
//! is not installed). Not part of CI; timing lives here, never in tests.

use crate::util::{cargo, workspace_manifest};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask bench-keyvalue [--ops N] [--redis-ops N]
  --ops N        operations of each kind on redb (default 2000)
  --redis-ops N  operations of each kind on Redis (default 20000)";

/// A private redis-server, killed on drop.
struct Redis(Child, u16);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis(dir: &Path) -> Result<Option<Redis>, String> {
    if Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        return Ok(None);
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting redis-server: {e}"))?;
    let redis = Redis(child, port);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let mut buf = [0u8; 7];
            if s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() {
                return Ok(Some(redis));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("redis-server did not answer on its port".to_string())
}

fn build(root: &Path, target: &Path) -> Result<(), String> {
    let ok = |s: std::io::Result<std::process::ExitStatus>, what: &str| match s {
        Ok(s) if s.success() => Ok(()),
        other => Err(format!("building {what} failed: {other:?}")),
    };
    ok(
        cargo()
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(workspace_manifest())
            .args(["-p", "wasmedge-plugin-keyvalue", "--lib"])
            .status(),
        "the keyvalue plug-in",
    )?;
    ok(
        cargo()
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(workspace_manifest())
            .args(["-p", "wasmedge-cli", "--bin", "wasmedge"])
            .status(),
        "wasmedge",
    )?;
    ok(
        cargo()
            .args(["build", "--release", "--quiet", "--target", "wasm32-wasip1"])
            .arg("--manifest-path")
            .arg(root.join("tests/guests-keyvalue/Cargo.toml"))
            .env("CARGO_TARGET_DIR", target.join("guests-keyvalue"))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status(),
        "the keyvalue guests",
    )
}

fn bench(
    wasmedge: &Path,
    plugins: &Path,
    guest: &Path,
    backend: &[String],
    ops: u64,
) -> Result<String, String> {
    let out = Command::new(wasmedge)
        .arg("--plugin-dir")
        .arg(plugins)
        .args(backend)
        .arg(guest)
        .args(["bench", "bench", &ops.to_string()])
        .output()
        .map_err(|e| format!("running wasmedge: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the benchmark failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main_inner(args: &[String]) -> Result<(), String> {
    let (mut ops, mut redis_ops) = (2000u64, 20000u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number\n{USAGE}"))
        };
        match a.as_str() {
            "--ops" => ops = num("--ops")?,
            "--redis-ops" => redis_ops = num("--redis-ops")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let root: PathBuf = workspace_manifest().parent().expect("root").to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    build(&root, &target)?;
    let wasmedge = target.join("release/wasmedge");
    let guest = target.join("guests-keyvalue/wasm32-wasip1/release/kv-cli.wasm");
    let scratch = target.join(format!("bench-keyvalue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let plugins = scratch.join("plugins");
    std::fs::create_dir_all(&plugins).map_err(|e| e.to_string())?;
    let lib = format!(
        "{}wasmedge_plugin_keyvalue{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    std::fs::copy(target.join("release").join(&lib), plugins.join(&lib))
        .map_err(|e| e.to_string())?;

    let store = scratch.join("store");
    let redb_args = vec!["--kv-dir".to_string(), store.display().to_string()];
    let line = bench(&wasmedge, &plugins, &guest, &redb_args, ops)?;
    println!("redb  (durable commit per set): {line}");
    let redis_dir = scratch.join("redis");
    std::fs::create_dir_all(&redis_dir).map_err(|e| e.to_string())?;
    match start_redis(&redis_dir)? {
        Some(redis) => {
            let url = vec![
                "--kv-url".to_string(),
                format!("redis://127.0.0.1:{}/0", redis.1),
            ];
            let line = bench(&wasmedge, &plugins, &guest, &url, redis_ops)?;
            println!("redis (loopback, one connection): {line}");
        }
        None => println!("redis: skipped (redis-server is not installed)"),
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

pub fn run(args: &[String]) -> ExitCode {
    match main_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-keyvalue: {e}");
            ExitCode::FAILURE
        }
    }
}
