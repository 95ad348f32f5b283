//! Our own WASI guest programs (`tests/guests`, Rust built for `wasm32-wasip1`) run through the
//! `wasmedge` binary: arguments, environment (never inherited from the host), exit codes,
//! output written just before `proc_exit`, exact binary stdout/stderr, stdin piping, files and
//! directories, read-only preopens, clocks and `poll_oneoff`.
//!
//! The guests are built once per test process with
//! `cargo build --release --target wasm32-wasip1 --manifest-path tests/guests/Cargo.toml`
//! into `target/wasi-guests`; a missing target is reported with the `rustup` command that
//! installs it.

mod cli_support;
mod wasi_support;

use cli_support::TempDir;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use wasi_support::{RunResult, run_wasmedge};

const TIMEOUT: Duration = Duration::from_secs(120);

/// The directory holding the built guest `.wasm` files.
fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| cli_support::build_guests("guests", "wasi-guests", &[]))
}

fn guest(name: &str) -> OsString {
    guests().join(format!("{name}.wasm")).into_os_string()
}

/// Runs `wasmedge <options> <guest> <args>`.
fn run(options: &[&str], name: &str, args: &[&str], stdin: Option<&[u8]>) -> RunResult {
    let mut argv: Vec<OsString> = options.iter().map(OsString::from).collect();
    argv.push(guest(name));
    argv.extend(args.iter().map(OsString::from));
    run_wasmedge(&argv, stdin, TIMEOUT)
}

#[track_caller]
fn expect(r: &RunResult, code: i32, stdout: &[u8], stderr: &[u8]) {
    assert!(
        r.code == Some(code) && r.stdout == stdout && r.stderr == stderr,
        "expected exit code {code}, stdout {:?}, stderr {:?}; got {}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr),
        r.describe()
    );
}

#[test]
fn arguments_and_environment_are_exactly_what_was_given() {
    let r = run(
        &[
            "--env",
            "GREETING=hello world",
            "--env",
            "QUOTED=a \"b\"\nc",
            "--env",
            "EMPTY=",
        ],
        "args_env",
        &["-x", "--reactor", "two words", ""],
        None,
    );
    // The test process itself has many variables (PATH, HOME, CARGO_*): none reach the guest.
    expect(
        &r,
        0,
        b"argc=5\nargv[0]=args_env.wasm\nargv[1]=-x\nargv[2]=--reactor\nargv[3]=two words\n\
          argv[4]=\nenvc=3\nEMPTY=\"\"\nGREETING=\"hello world\"\nQUOTED=\"a \\\"b\\\"\\nc\"\n\
          ABSENT is not set\n",
        b"",
    );
}

#[test]
fn exit_codes_and_output_just_before_proc_exit() {
    for code in [0, 1, 3, 42, 255] {
        let r = run(&[], "exit_code", &[&code.to_string()], None);
        expect(&r, code, b"last words on stdout", b"last words on stderr");
    }
    let r = run(&[], "raw_exit", &[], None);
    expect(&r, 7, b"raw write then proc_exit(7)", b"");
}

#[test]
fn binary_output_is_passed_through_unchanged() {
    let r = run(&[], "binary_out", &[], None);
    let stdout: Vec<u8> = (0..256_000u32).map(|i| (i % 256) as u8).collect();
    let stderr: Vec<u8> = (0..=255u8).rev().collect();
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(
        r.stdout == stdout,
        "stdout differs ({} bytes)",
        r.stdout.len()
    );
    assert_eq!(r.stderr, stderr);
}

#[test]
fn stdin_is_piped_to_the_guest() {
    let mut input = b"first line\n".to_vec();
    input.extend((0..1_000_000u32).map(|i| b"abcdefghij\n"[(i % 11) as usize]));
    input.extend([0u8, 255, 1, 254]);
    let sum = input
        .iter()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(*b as u32));
    let lines = input.iter().filter(|b| **b == b'\n').count();
    let r = run(&[], "stdin_pipe", &[], Some(&input));
    let expected = format!(
        "bytes={} sum={sum} lines={lines}\nfirst=FIRST LINE\n",
        input.len()
    );
    expect(&r, 0, expected.as_bytes(), b"");
    // Empty stdin is end-of-file at once.
    let r = run(&[], "stdin_pipe", &[], Some(b""));
    expect(&r, 0, b"bytes=0 sum=0 lines=0\nfirst=\n", b"");
}

fn files_fixture() -> TempDir {
    let tmp = TempDir::new();
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("data.txt"), "data!").unwrap();
    std::os::unix::fs::symlink("data.txt", root.join("link")).unwrap();
    tmp
}

#[test]
fn files_and_directories() {
    let tmp = files_fixture();
    let dir = format!("/work:{}", tmp.path().join("root").display());
    let r = run(&["--dir", &dir], "files", &["/work"], None);
    expect(
        &r,
        0,
        b"read: hello, world\n\
          tail: World\n\
          len after truncate: 5\n\
          c.txt after writing its hard link: via hard link\n\
          symlink target: data.txt\n\
          via symlink: data!\n\
          symlink is symlink: true\n\
          d1: b.txt (file), c-hard.txt (file), c.txt (file), d2 (dir)\n\
          d2 is dir: true\n\
          missing: NotFound Some(44)\n\
          remove non-empty dir: Some(55)\n\
          create existing dir: AlreadyExists Some(20)\n\
          escape: refused Some(76)\n\
          left: 2\n",
        b"",
    );
    let mut left: Vec<String> = std::fs::read_dir(tmp.path().join("root"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["data.txt", "link"]);
}

#[test]
fn readonly_preopen_refuses_the_first_write() {
    let tmp = files_fixture();
    let root = tmp.path().join("root");
    let before = wasi_support::fingerprint(&root);
    let dir = format!("/work:{}:readonly", root.display());
    let r = run(&["--dir", &dir], "files", &["/work"], None);
    assert_eq!(r.code, Some(134), "{}", r.describe());
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("Capabilities insufficient"), "{stderr}");
    assert_eq!(wasi_support::fingerprint(&root), before);
}

#[test]
fn guest_path_defaults_to_the_host_path() {
    // `--dir HOST` preopens HOST under the same name.
    let tmp = files_fixture();
    let root = tmp.path().join("root");
    let host = root.to_str().unwrap();
    let r = run(&["--dir", host], "files", &[host], None);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stdout.ends_with(b"left: 2\n"));
}

#[test]
fn clocks() {
    let r = run(&[], "clocks", &[], None);
    expect(&r, 0, b"clocks ok\n", b"");
}

#[test]
fn poll_oneoff_clocks_and_descriptors() {
    let r = run(&[], "poll", &[], Some(b"some input\n"));
    expect(
        &r,
        0,
        b"earliest clock fired\n\
          absolute deadline fired\n\
          stdin readable, stdout writable\n\
          bad fd reported as EBADF\n\
          poll ok\n",
        b"",
    );
}
