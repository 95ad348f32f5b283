//! Shared helpers of the `containerd_*` end-to-end tests: a private containerd (own socket,
//! root, state and config in a temporary directory, stopped by a drop guard), the
//! `containerd-shim-wasmedge-v1` binary (built like the `wasmedge` binary of the `cli_*` tests)
//! on that containerd's `PATH`, OCI image tarballs written here (OCI layout: `oci-layout`,
//! `index.json`, manifest, config and layer blobs) and `ctr` invocations with a timeout.
//!
//! The tests need root and Debian's `containerd` and `runc` (`.ci/run` installs them). Without
//! them a test prints a `SKIPPED` line and passes, except under `CI=true`, where it fails.
//!
//! Helpers only: no assertions about the shim's behaviour belong here.

#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long one `ctr` invocation may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// The runtime type containerd maps to `containerd-shim-wasmedge-v1`.
pub const RUNTIME: &str = "io.containerd.wasmedge.v1";

/// The WASI test guest. It prints `hello from wasm`, one `arg: …` line per argument, one
/// `env: …` line per environment entry and `file: …` with the contents of `/etc/message` in
/// the rootfs (or `file: none`), and `to stderr` on stderr. With `s<N>` as its first argument
/// it then prints `sleeping`, sleeps N seconds (poll_oneoff on the monotonic clock), prints
/// `done` and exits 0; otherwise it exits with the number of arguments.
pub const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  ;; 0: iovec, 16: nwritten/nread, 32: argc, 36: argv size, 40: envc, 44: env size,
  ;; 48: opened fd, 256..: strings, 1024: argv pointers, 2048: argv bytes,
  ;; 8192: env pointers, 12288: env bytes (16 KiB), 32768: file buffer (4 KiB),
  ;; 40000: subscription, 40100: event, 40200: nevents.
  (data (i32.const 256) "hello from wasm\0a\00")
  (data (i32.const 288) "arg: \00")
  (data (i32.const 296) "env: \00")
  (data (i32.const 304) "file: \00")
  (data (i32.const 312) "none\0a\00")
  (data (i32.const 320) "to stderr\0a\00")
  (data (i32.const 336) "\0a\00")
  (data (i32.const 340) "etc/message\00")
  (data (i32.const 360) "sleeping\0a\00")
  (data (i32.const 376) "done\0a\00")

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))
  (func $puts (param $fd i32) (param $p i32)
    (call $write (local.get $fd) (local.get $p) (call $strlen (local.get $p))))
  (func $lines (param $label i32) (param $ptrs i32) (param $count i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $puts (i32.const 1) (local.get $label))
      (call $puts (i32.const 1)
        (i32.load (i32.add (local.get $ptrs) (i32.mul (local.get $i) (i32.const 4)))))
      (call $puts (i32.const 1) (i32.const 336))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func $sleep_arg (param $p i32) (result i32) (local $n i32) (local $c i32)
    ;; "s<digits>" -> seconds, or -1 when the argument does not start with 's'.
    (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 115)) (then (return (i32.const -1))))
    (block $done (loop $next
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $c (i32.load8_u (local.get $p)))
      (br_if $done (i32.lt_u (local.get $c) (i32.const 48)))
      (br_if $done (i32.gt_u (local.get $c) (i32.const 57)))
      (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10))
                             (i32.sub (local.get $c) (i32.const 48))))
      (br $next)))
    (local.get $n))
  (func (export "_start") (local $argc i32) (local $secs i32) (local $fd i32)
    (call $puts (i32.const 1) (i32.const 256))
    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $argc (i32.load (i32.const 32)))
    (call $lines (i32.const 288) (i32.const 1024) (local.get $argc))
    (drop (call $environ_sizes_get (i32.const 40) (i32.const 44)))
    (if (i32.le_u (i32.load (i32.const 44)) (i32.const 16384))
      (then
        (drop (call $environ_get (i32.const 8192) (i32.const 12288)))
        (call $lines (i32.const 296) (i32.const 8192) (i32.load (i32.const 40)))))
    (call $puts (i32.const 1) (i32.const 304))
    ;; path_open(fd 3 = the "/" preopen, "etc/message", rights: fd_read)
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 340) (i32.const 11)
                   (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 48)))
      (then
        (local.set $fd (i32.load (i32.const 48)))
        (i32.store (i32.const 0) (i32.const 32768))
        (i32.store (i32.const 4) (i32.const 4096))
        (drop (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
        (call $write (i32.const 1) (i32.const 32768) (i32.load (i32.const 16))))
      (else (call $puts (i32.const 1) (i32.const 312))))
    (call $puts (i32.const 2) (i32.const 320))
    (local.set $secs (i32.const -1))
    (if (i32.ge_u (local.get $argc) (i32.const 2))
      (then (local.set $secs (call $sleep_arg (i32.load (i32.const 1028))))))
    (if (i32.ge_s (local.get $secs) (i32.const 0))
      (then
        (call $puts (i32.const 1) (i32.const 360))
        ;; one clock subscription: monotonic clock, relative timeout of $secs seconds
        (i64.store (i32.const 40000) (i64.const 1))
        (i32.store8 (i32.const 40008) (i32.const 0))
        (i32.store (i32.const 40016) (i32.const 1))
        (i64.store (i32.const 40024)
          (i64.mul (i64.extend_i32_u (local.get $secs)) (i64.const 1000000000)))
        (i64.store (i32.const 40032) (i64.const 1000000))
        (i32.store16 (i32.const 40040) (i32.const 0))
        (drop (call $poll_oneoff (i32.const 40000) (i32.const 40100) (i32.const 1) (i32.const 40200)))
        (call $puts (i32.const 1) (i32.const 376))
        (call $proc_exit (i32.const 0))))
    (call $proc_exit (local.get $argc))))
"#;

/// The guest as a binary module.
pub fn guest_wasm() -> Vec<u8> {
    wat::parse_str(GUEST).expect("the test guest is valid WAT")
}

/// Prints why a test is skipped, or fails it under `CI=true` (CI must run these tests).
#[track_caller]
pub fn skip(reason: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("containerd end-to-end test cannot run under CI=true: {reason}");
    }
    // Straight to the stream: the test harness captures `println!`/`eprintln!` of passing tests.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (containerd end-to-end test): {reason}"
    );
}

fn is_root() -> bool {
    // The owner of /proc/self is the process's effective user.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Finds `name` on `PATH` (or in the sbin folders, which a non-login root shell may lack).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Why these tests cannot run here, if they cannot.
pub fn unavailable() -> Option<String> {
    if !is_root() {
        return Some("not running as root (containerd needs root)".into());
    }
    for tool in ["containerd", "ctr", "runc", "containerd-shim-runc-v2"] {
        if which(tool).is_none() {
            return Some(format!(
                "`{tool}` not found: apt-get install -y containerd runc (see .ci/run)"
            ));
        }
    }
    None
}

/// The target directory's profile folder of this test executable and its cargo profile name.
fn profile_dir() -> (PathBuf, String) {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps")
        .to_path_buf();
    let profile = match dir.file_name().and_then(OsStr::to_str) {
        Some("debug") => "dev".to_string(),
        Some(name) => name.to_string(),
        None => panic!("cannot tell the cargo profile from {}", dir.display()),
    };
    (dir, profile)
}

/// The shim binary, built once per test process (`cargo build -p containerd-shim-wasmedge`
/// in this test's profile and target directory). `WASMEDGE_SHIM_BIN` overrides it.
pub fn shim_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("WASMEDGE_SHIM_BIN") {
            return PathBuf::from(p);
        }
        let (dir, profile) = profile_dir();
        let target_dir = dir.parent().expect("target directory").to_path_buf();
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "containerd-shim-wasmedge"])
            .args([
                "--bin",
                "containerd-shim-wasmedge-v1",
                "--profile",
                &profile,
            ])
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("running cargo to build the shim");
        assert!(status.success(), "building the shim failed: {status}");
        let bin = dir.join("containerd-shim-wasmedge-v1");
        assert!(bin.exists(), "{} was not built", bin.display());
        bin
    })
}

/// The `wasi_logging` example plug-in's shared library (`plugins/wasi-logging`), built once
/// per test process.
pub fn logging_plugin() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let (dir, profile) = profile_dir();
        let target_dir = dir.parent().expect("target directory").to_path_buf();
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "wasmedge-plugin-wasi-logging"])
            .args(["--profile", &profile])
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("running cargo to build the plug-in");
        assert!(status.success(), "building the plug-in failed: {status}");
        let lib = dir.join("libwasmedge_plugin_wasi_logging.so");
        assert!(lib.exists(), "{} was not built", lib.display());
        lib
    })
}

/// What one `ctr` invocation did.
#[derive(Debug)]
pub struct Outcome {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts success, showing everything on failure.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "ctr failed: {self:#?}");
        self
    }
}

/// Waits for `child` (with piped stdout/stderr) at most `timeout`, killing it after that.
pub fn wait_output(mut child: Child, args: Vec<String>, timeout: Duration) -> Outcome {
    let done = wasmedge_tests::process::wait_with_output(&mut child, timeout);
    let Some(status) = done.status else {
        panic!("ctr {args:?} did not finish within {timeout:?}");
    };
    Outcome {
        args,
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
    }
}

/// The pids and command lines of the `containerd-shim-wasmedge-v1` processes (shims and
/// their zygotes) serving containerd namespace `namespace`.
pub fn shim_processes(namespace: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args
            .first()
            .is_some_and(|a| a.ends_with("containerd-shim-wasmedge-v1"))
            && args.iter().any(|a| a == namespace)
        {
            found.push((pid, args.join(" ")));
        }
    }
    found
}

/// A private containerd, stopped (with its containers) when dropped.
pub struct Containerd {
    pub dir: PathBuf,
    pub socket: PathBuf,
    /// The containerd namespace of this test (unique, so runwasi's per-namespace state under
    /// /run/containerd/wasmedge/ is private too).
    pub namespace: String,
    child: Option<Child>,
}

impl Containerd {
    /// Starts containerd, or returns `None` after [`skip`] when the machine cannot run it.
    pub fn start() -> Option<Containerd> {
        Containerd::start_with_plugins(&[])
    }

    /// [`Containerd::start`] with a plug-in folder (`<dir>/plugins`, holding copies of
    /// `plugins`) named by `WASMEDGE_PLUGIN_PATH` in containerd's environment, which the shims
    /// inherit. `plugins` are called only when the test runs.
    pub fn start_with_plugins(plugins: &[fn() -> &'static Path]) -> Option<Containerd> {
        if let Some(reason) = unavailable() {
            skip(&reason);
            return None;
        }
        let shim = shim_binary();
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{}-{n}", std::process::id());
        // Short: unix socket paths are limited to 108 bytes.
        let dir = std::env::temp_dir().join(format!("wasmedge-ctrd-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).expect("creating the containerd test dir");
        std::os::unix::fs::symlink(shim, bin.join("containerd-shim-wasmedge-v1"))
            .expect("linking the shim");
        let plugin_dir = dir.join("plugins");
        std::fs::create_dir_all(&plugin_dir).expect("creating the plug-in folder");
        for lib in plugins {
            let lib = lib();
            std::fs::copy(lib, plugin_dir.join(lib.file_name().expect("file name")))
                .expect("copying a plug-in");
        }
        let socket = dir.join("containerd.sock");
        let config = format!(
            r#"version = 2
root = "{root}"
state = "{state}"
# Only what `ctr run` needs: no CRI, no exotic snapshotters.
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "{socket}"

[ttrpc]
  address = "{socket}.ttrpc"

[debug]
  level = "info"
"#,
            root = dir.join("root").display(),
            state = dir.join("state").display(),
            socket = socket.display(),
        );
        std::fs::write(dir.join("config.toml"), config).expect("writing config.toml");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(bin.clone())
                .chain(std::env::split_paths(&path))
                .chain(["/usr/sbin", "/sbin"].map(PathBuf::from)),
        )
        .expect("PATH");
        let log = std::fs::File::create(dir.join("containerd.log")).expect("containerd.log");
        let child = Command::new(which("containerd").expect("containerd"))
            .arg("--config")
            .arg(dir.join("config.toml"))
            .env("PATH", path)
            .env("WASMEDGE_RS_CACHE_DIR", dir.join("cache"))
            .env("WASMEDGE_PLUGIN_PATH", &plugin_dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("starting containerd");
        let mut c = Containerd {
            dir,
            socket,
            namespace: format!("wasmedge-test-{tag}"),
            child: Some(child),
        };
        let start = Instant::now();
        loop {
            let probe = c.command(["version"]).output().expect("running ctr");
            if probe.status.success() {
                break;
            }
            if let Some(status) = c.child.as_mut().and_then(|ch| ch.try_wait().ok().flatten()) {
                panic!("containerd exited ({status}) at start-up:\n{}", c.log());
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("containerd did not come up within 30 s:\n{}", c.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(c)
    }

    /// containerd's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("containerd.log")).unwrap_or_default()
    }

    /// The node-level artifact cache the shims of this containerd use.
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join("cache")
    }

    /// A `ctr` command against this containerd and namespace.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(which("ctr").expect("ctr"));
        cmd.arg("--address")
            .arg(&self.socket)
            .args(["--namespace", &self.namespace])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `ctr` with `args` and waits for it.
    pub fn ctr<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<String> = args
            .into_iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        let child = self.command(&args).spawn().expect("starting ctr");
        wait_output(child, args, TIMEOUT)
    }

    /// Imports an OCI image tarball (all platforms, so wasm artifacts are kept too).
    pub fn import(&self, tarball: &[u8]) {
        self.import_with(tarball, &[]);
    }

    /// Imports an OCI image tarball with extra `ctr images import` options.
    pub fn import_with(&self, tarball: &[u8], options: &[&str]) {
        let out = self.try_import(tarball, options);
        assert_eq!(out.code, 0, "ctr images import failed: {out:#?}");
    }

    /// `ctr images import --all-platforms [options…]` of a tarball, successful or not.
    pub fn try_import(&self, tarball: &[u8], options: &[&str]) -> Outcome {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("image-{n}.tar"));
        std::fs::write(&path, tarball).expect("writing the image tarball");
        let mut args: Vec<&OsStr> = vec!["images".as_ref(), "import".as_ref()];
        args.push("--all-platforms".as_ref());
        args.extend(options.iter().map(|o| OsStr::new(*o)));
        args.push(path.as_os_str());
        self.ctr(args)
    }

    /// Imports the test guest as a wasm OCI artifact named `name` and returns the reference
    /// to run (with `--platform wasip1/wasm`). containerd before 1.6.25/1.7.7 (Debian 12 has
    /// 1.6.20) cannot unpack such an image; then the variant of
    /// [`wasm_artifact_image_for_old_containerd`] is imported as `<name>-compat` instead.
    pub fn import_wasm_artifact(&self, name: &str) -> String {
        let out = self.try_import(&wasm_artifact_image(name), &[]);
        if out.code == 0 {
            return name.to_string();
        }
        assert!(
            is_old_containerd_artifact_refusal(&out),
            "ctr images import failed: {out:#?}"
        );
        println!(
            "note: this containerd (< 1.6.25/1.7.7) cannot unpack wasm OCI artifacts; using \
             the variant with one empty rootfs layer"
        );
        let compat = format!("{name}-compat");
        self.prepare_empty_layer();
        self.import_with(&wasm_artifact_image_for_old_containerd(&compat), &[]);
        compat
    }

    /// `ctr run --rm --runtime RUNTIME [extra…] IMAGE ID [args…]`.
    pub fn run(
        &self,
        runtime: &str,
        extra: &[&str],
        image: &str,
        id: &str,
        args: &[&str],
    ) -> Outcome {
        let mut a = vec!["run", "--rm", "--runtime", runtime];
        a.extend_from_slice(extra);
        a.push(image);
        a.push(id);
        a.extend_from_slice(args);
        self.ctr(a)
    }

    /// Creates the committed (empty) snapshot of an image whose only rootfs layer is empty
    /// (see [`wasm_artifact_image_for_old_containerd`]).
    pub fn prepare_empty_layer(&self) {
        let chain_id = empty_layer_diff_id();
        let key = format!("{chain_id}-prepare");
        self.ctr(["snapshots", "prepare", &key]).ok();
        self.ctr(["snapshots", "commit", &chain_id, &key]).ok();
    }

    fn cleanup(&mut self) {
        // Containers first (their shims outlive containerd otherwise).
        if let Ok(out) = self.command(["tasks", "ls", "-q"]).output() {
            for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = self
                    .command(["tasks", "kill", "-s", "SIGKILL", id])
                    .output();
                let _ = self.command(["tasks", "delete", "-f", id]).output();
            }
        }
        if let Ok(out) = self.command(["containers", "ls", "-q"]).output() {
            for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = self.command(["containers", "delete", id]).output();
            }
        }
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let start = Instant::now();
            while child.try_wait().ok().flatten().is_none() {
                if start.elapsed() > Duration::from_secs(10) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // Snapshots left mounted by a failed run would keep the directory busy.
        if let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") {
            let root = self.dir.to_string_lossy().into_owned();
            let mut targets: Vec<&str> = mounts
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .filter(|t| t.starts_with(&root))
                .collect();
            targets.sort_by_key(|t| std::cmp::Reverse(t.len()));
            for t in targets {
                let _ = Command::new("umount").arg("-l").arg(t).status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        for runtime in ["wasmedge", "runc"] {
            let _ = std::fs::remove_dir_all(
                Path::new("/run/containerd")
                    .join(runtime)
                    .join(&self.namespace),
            );
        }
        // The containers' cgroups are `/<namespace>/<id>`: the (empty) namespace level stays.
        let cgroup = Path::new("/sys/fs/cgroup");
        let _ = std::fs::remove_dir(cgroup.join(&self.namespace));
        if let Ok(controllers) = std::fs::read_dir(cgroup) {
            for c in controllers.flatten() {
                let _ = std::fs::remove_dir(c.path().join(&self.namespace));
            }
        }
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- containerd log ({}):\n{}",
                self.dir.display(),
                self.log()
            );
        }
        self.cleanup();
    }
}

/// One file or folder of a layer.
pub struct Entry<'a> {
    pub path: &'a str,
    pub data: &'a [u8],
    pub mode: u32,
    pub dir: bool,
}

impl<'a> Entry<'a> {
    pub fn file(path: &'a str, data: &'a [u8], mode: u32) -> Entry<'a> {
        Entry {
            path,
            data,
            mode,
            dir: false,
        }
    }
    pub fn dir(path: &'a str) -> Entry<'a> {
        Entry {
            path,
            data: &[],
            mode: 0o755,
            dir: true,
        }
    }
}

/// An uncompressed POSIX (ustar) tar archive of `entries`.
pub fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = [0u8; 512];
        let name = if e.dir && !e.path.ends_with('/') {
            format!("{}/", e.path)
        } else {
            e.path.to_string()
        };
        assert!(name.len() < 100, "tar path too long: {name}");
        h[..name.len()].copy_from_slice(name.as_bytes());
        let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
            let s = format!("{v:0w$o}\0", w = width - 1);
            h[at..at + width].copy_from_slice(s.as_bytes());
        };
        octal(&mut h, 100, 8, e.mode as u64);
        octal(&mut h, 108, 8, 0);
        octal(&mut h, 116, 8, 0);
        octal(&mut h, 124, 12, if e.dir { 0 } else { e.data.len() as u64 });
        octal(&mut h, 136, 12, 1_700_000_000);
        h[156] = if e.dir { b'5' } else { b'0' };
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|b| *b as u32).sum();
        let s = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(s.as_bytes());
        out.extend_from_slice(&h);
        if !e.dir {
            out.extend_from_slice(e.data);
            out.resize(out.len().next_multiple_of(512), 0);
        }
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The OCI architecture name of this machine.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// An image to write as an OCI layout tarball.
pub struct Image<'a> {
    /// The full reference, e.g. `docker.io/library/hello:latest`.
    pub name: &'a str,
    pub os: &'a str,
    pub arch: &'a str,
    pub entrypoint: &'a [&'a str],
    pub env: &'a [&'a str],
    /// `(media type, blob)`; tar layers (`application/vnd.oci.image.layer.v1.tar`) are the
    /// rootfs (their digests are the config's `diff_ids`), others are artifacts.
    pub layers: Vec<(&'a str, Vec<u8>)>,
    /// The config's `rootfs.diff_ids` if not those of the tar layers.
    pub diff_ids: Option<Vec<String>>,
}

pub const TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

fn json_strings(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(","))
}

/// The OCI image layout tarball of `image` (what `ctr images import` reads).
pub fn oci_tarball(image: &Image<'_>) -> Vec<u8> {
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut layer_descs = Vec::new();
    let mut diff_ids = Vec::new();
    for (media_type, blob) in &image.layers {
        let d = digest(blob);
        layer_descs.push(format!(
            r#"{{"mediaType":"{media_type}","digest":"{d}","size":{}}}"#,
            blob.len()
        ));
        if *media_type == TAR_LAYER {
            diff_ids.push(d.clone());
        }
        blobs.push((d, blob.clone()));
    }
    let diff_ids = image.diff_ids.clone().unwrap_or(diff_ids);
    let diff_ids: Vec<&str> = diff_ids.iter().map(String::as_str).collect();
    let config = format!(
        r#"{{"architecture":"{}","os":"{}","config":{{"Entrypoint":{},"Env":{}}},"rootfs":{{"type":"layers","diff_ids":{}}}}}"#,
        image.arch,
        image.os,
        json_strings(image.entrypoint),
        json_strings(image.env),
        json_strings(&diff_ids)
    )
    .into_bytes();
    let config_digest = digest(&config);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{}]}}"#,
        config.len(),
        layer_descs.join(",")
    )
    .into_bytes();
    let manifest_digest = digest(&manifest);
    let tag = image.name.rsplit_once(':').map_or("latest", |(_, t)| t);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{},"platform":{{"architecture":"{}","os":"{}"}},"annotations":{{"io.containerd.image.name":"{}","org.opencontainers.image.ref.name":"{tag}"}}}}]}}"#,
        manifest.len(),
        image.arch,
        image.os,
        image.name
    )
    .into_bytes();
    blobs.push((config_digest, config));
    blobs.push((manifest_digest, manifest));
    let layout = br#"{"imageLayoutVersion":"1.0.0"}"#;
    let paths: Vec<String> = blobs
        .iter()
        .map(|(d, _)| format!("blobs/sha256/{}", d.trim_start_matches("sha256:")))
        .collect();
    let mut entries = vec![
        Entry::file("oci-layout", layout, 0o644),
        Entry::file("index.json", &index, 0o644),
        Entry::dir("blobs"),
        Entry::dir("blobs/sha256"),
    ];
    for (path, (_, blob)) in paths.iter().zip(&blobs) {
        entries.push(Entry::file(path, blob, 0o644));
    }
    tar(&entries)
}

/// A static native `hello` (C, `cc -static`) printing `hello from native`, built once per test
/// process into `dir`; `None` if there is no C compiler or static libc.
pub fn native_hello(dir: &Path) -> Option<Vec<u8>> {
    let src = dir.join("hello.c");
    std::fs::write(
        &src,
        "#include <unistd.h>\nint main(void){static const char m[]=\"hello from native\\n\";\
         write(1,m,sizeof m-1);return 0;}\n",
    )
    .ok()?;
    let out = dir.join("hello-native");
    let status = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read(out).ok()
}

/// The wasm image with the guest inside an ordinary tar layer (`/hello.wasm`, plus
/// `/etc/message` in the rootfs), entrypoint `/hello.wasm`.
pub fn wasm_rootfs_image(name: &str) -> Vec<u8> {
    let wasm = guest_wasm();
    let layer = tar(&[
        Entry::dir("etc"),
        Entry::file("etc/message", b"message from the rootfs\n", 0o644),
        Entry::file("hello.wasm", &wasm, 0o644),
    ]);
    oci_tarball(&Image {
        name,
        os: "linux",
        arch: host_arch(),
        entrypoint: &["/hello.wasm"],
        env: &["PATH=/"],
        layers: vec![(TAR_LAYER, layer)],
        diff_ids: None,
    })
}

/// The wasm OCI artifact (runwasi's format: platform `wasip1/wasm`, the module as an
/// `application/wasm` layer, no rootfs layers).
pub fn wasm_artifact_image(name: &str) -> Vec<u8> {
    oci_tarball(&Image {
        name,
        os: "wasip1",
        arch: "wasm",
        entrypoint: &["/hello.wasm"],
        env: &[],
        layers: vec![("application/wasm", guest_wasm())],
        diff_ids: Some(Vec::new()),
    })
}

/// The `diff_id` of an empty layer (an empty tar archive).
pub fn empty_layer_diff_id() -> String {
    digest(&tar(&[]))
}

/// The same artifact for containerd releases before 1.6.25/1.7.7, which cannot unpack an
/// image whose manifest has more layers than its config has `diff_ids` ("mismatched image
/// rootfs and manifest layers"): the config names one empty rootfs layer, whose snapshot
/// [`Containerd::prepare_empty_layer`] creates, so the `application/wasm` layer is never
/// unpacked. The shim sees the same manifest, platform and wasm layer.
pub fn wasm_artifact_image_for_old_containerd(name: &str) -> Vec<u8> {
    oci_tarball(&Image {
        name,
        os: "wasip1",
        arch: "wasm",
        entrypoint: &["/hello.wasm"],
        env: &[],
        layers: vec![("application/wasm", guest_wasm())],
        diff_ids: Some(vec![empty_layer_diff_id()]),
    })
}

/// True if `out` is containerd's refusal to unpack a wasm OCI artifact (containerd before
/// 1.6.25/1.7.7).
pub fn is_old_containerd_artifact_refusal(out: &Outcome) -> bool {
    out.stderr
        .contains("mismatched image rootfs and manifest layers")
}
