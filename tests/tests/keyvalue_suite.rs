//! `wasi:keyvalue` through the `wasmedge` binary with the keyvalue plug-in: the same guest
//! suite (`tests/guests-keyvalue`, wit-bindgen guests) against the embedded redb store and a
//! real Redis server, the visit counter and CLI, the default store folder, bucket allow-lists
//! and read-only buckets, and bad input from hand-written modules (invalid handles, no
//! `cabi_realloc`, malformed pointers) that must end in clear errors, never a crash or a
//! partial write.

mod cli_support;
mod keyvalue_support;
mod plugin_support;

use cli_support::{Outcome, TempDir};
use keyvalue_support::{Backend, argv, backends, guest, keyvalue_plugin_dir};
use plugin_support::Env;
use std::ffi::OsString;

/// Runs a guest on `backend` and returns the outcome.
fn run(
    env: &Env,
    plugins: &TempDir,
    backend: &Backend,
    extra: &[&str],
    name: &str,
    args: &[&str],
) -> Outcome {
    env.run(argv(plugins, backend, extra, name, args))
}

#[track_caller]
fn ok(o: &Outcome) -> &str {
    assert_eq!(
        o.code, 0,
        "{:?} failed:\n{}\n{}",
        o.args, o.stdout, o.stderr
    );
    &o.stdout
}

#[test]
fn the_guest_suite_passes_on_redb_and_redis() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let mut ran = Vec::new();
    for backend in backends() {
        let limits = ["--kv-max-key-size", "64", "--kv-max-value-size", "1024"];
        let o = run(&env, &plugins, &backend, &limits, "kv-suite", &["suite"]);
        let out = ok(&o);
        assert!(
            out.contains("kv-suite: all 10 checks passed"),
            "{}: {out}",
            backend.name()
        );
        println!("{}: {}", backend.name(), out.lines().last().unwrap_or(""));
        ran.push(backend.name());
    }
    println!("suite ran on: {ran:?}");
}

#[test]
fn visit_counter_and_cli_keep_data_between_runs() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    for backend in backends() {
        for n in 1..=3 {
            let o = run(&env, &plugins, &backend, &[], "visit-counter", &["site"]);
            assert_eq!(ok(&o), format!("visit number {n}\n"), "{}", backend.name());
        }
        let cli = |args: &[&str]| run(&env, &plugins, &backend, &[], "kv-cli", args);
        ok(&cli(&["set", "notes", "greeting", "hello world"]));
        assert_eq!(ok(&cli(&["get", "notes", "greeting"])), "hello world\n");
        assert_eq!(ok(&cli(&["exists", "notes", "greeting"])), "true\n");
        ok(&cli(&["set", "notes", "other", "x"]));
        assert_eq!(ok(&cli(&["list", "notes"])), "greeting\nother\n");
        assert_eq!(ok(&cli(&["incr", "notes", "n", "41"])), "41\n");
        assert_eq!(ok(&cli(&["incr", "notes", "n", "1"])), "42\n");
        ok(&cli(&["delete", "notes", "greeting"]));
        assert_eq!(ok(&cli(&["get", "notes", "greeting"])), "(none)\n");
        assert_eq!(ok(&cli(&["exists", "notes", "greeting"])), "false\n");
        // The counter's bucket is untouched by the CLI's.
        assert_eq!(ok(&cli(&["get", "site", "visits"])), "3\n");
        let o = cli(&["incr", "notes", "other", "1"]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(
            o.stderr.contains("error: increment: other: "),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn the_default_store_is_under_the_users_data_folder() {
    let plugins = keyvalue_plugin_dir();
    // An empty XDG_DATA_HOME counts as unset (whatever the test's own environment has).
    let env = Env::clean().var("XDG_DATA_HOME", "");
    let mut args: Vec<OsString> = vec!["--plugin-dir".into(), plugins.path().into()];
    args.push(guest("visit-counter").into());
    let o = env.run(&args);
    assert_eq!(o.stdout, "visit number 1\n", "{}", o.stderr);
    let file = env
        .home
        .path()
        .join(".local/share/wasmedge/keyvalue/keyvalue.redb");
    assert!(file.is_file(), "{} was not created", file.display());

    let data = TempDir::new();
    let env = Env::clean().var("XDG_DATA_HOME", data.path());
    let o = env.run(&args);
    assert_eq!(o.stdout, "visit number 1\n", "{}", o.stderr);
    assert!(
        data.path()
            .join("wasmedge/keyvalue/keyvalue.redb")
            .is_file()
    );
}

#[test]
fn allow_lists_and_read_only_buckets() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let backend = Backend::redb();
    let opts = ["--kv-bucket", "data", "--kv-bucket", "cfg:ro"];
    let cli = |args: &[&str]| run(&env, &plugins, &backend, &opts, "kv-cli", args);
    ok(&cli(&["set", "data", "k", "v"]));
    assert_eq!(ok(&cli(&["get", "data", "k"])), "v\n");
    assert_eq!(ok(&cli(&["get", "cfg", "k"])), "(none)\n");
    for (args, what) in [
        (&["set", "cfg", "k", "v"][..], "set"),
        (&["delete", "cfg", "k"][..], "delete"),
        (&["incr", "cfg", "k", "1"][..], "increment"),
    ] {
        let o = cli(args);
        assert_eq!(o.code, 1, "{args:?}: {}", o.stderr);
        assert!(
            o.stderr.contains(&format!("error: {what}: access-denied")),
            "{args:?}: {}",
            o.stderr
        );
    }
    let o = cli(&["get", "elsewhere", "k"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("error: open: no-such-store"),
        "{}",
        o.stderr
    );
}

#[test]
fn bad_options_and_unreachable_servers_are_reported() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let backend = Backend::redb();
    let o = run(
        &env,
        &plugins,
        &backend,
        &["--kv-max-key-size", "0"],
        "visit-counter",
        &[],
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("--kv-max-key-size 0"), "{}", o.stderr);

    // A port nobody listens on: `open` returns other(..), the guest reports it.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{free}/0");
    let mut args: Vec<OsString> = vec!["--plugin-dir".into(), plugins.path().into()];
    args.extend(["--kv-url".into(), url.into()]);
    args.push(guest("visit-counter").into());
    let o = env.run(&args);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("cannot open bucket default: other: "),
        "{}",
        o.stderr
    );
}

/// A hand-written core module importing the store as wit-bindgen lowers it, without
/// `cabi_realloc`; `$body` runs in `_start`. Memory: "bucket" at 0, "key" at 16, "value" at 32,
/// invalid UTF-8 at 48; return areas at 64 (open; handle at 68), 80, 96.
fn raw_guest(body: &str) -> String {
    format!(
        r#"(module
  (import "wasi:keyvalue/store@0.2.0-draft2" "open" (func $open (param i32 i32 i32)))
  (import "wasi:keyvalue/store@0.2.0-draft2" "[method]bucket.get"
    (func $get (param i32 i32 i32 i32)))
  (import "wasi:keyvalue/store@0.2.0-draft2" "[method]bucket.set"
    (func $set (param i32 i32 i32 i32 i32 i32)))
  (import "wasi:keyvalue/store@0.2.0-draft2" "[method]bucket.list-keys"
    (func $list (param i32 i32 i32 i32 i32)))
  (import "wasi:keyvalue/store@0.2.0-draft2" "[resource-drop]bucket"
    (func $drop (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "bucket")
  (data (i32.const 16) "key")
  (data (i32.const 32) "value")
  (data (i32.const 48) "\ff\fe")
  (func (export "_start")
    (call $open (i32.const 0) (i32.const 6) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then unreachable))
    {body}))"#
    )
}

#[test]
fn bad_guests_get_clear_errors_and_no_partial_writes() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let backend = Backend::redb();
    let dir = TempDir::new();
    let h = "(i32.load (i32.const 68))";
    let cases = [
        (
            "no-realloc",
            format!(
                "(call $set {h} (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 5) \
                 (i32.const 80))
                 (call $get {h} (i32.const 16) (i32.const 3) (i32.const 96))"
            ),
            "exports no `cabi_realloc`",
        ),
        (
            "bad-handle",
            "(call $get (i32.const 99) (i32.const 16) (i32.const 3) (i32.const 96))".into(),
            "invalid bucket handle 99",
        ),
        (
            "double-drop",
            format!("(call $drop {h}) (call $drop {h})"),
            "dropping invalid bucket handle 1",
        ),
        (
            "misaligned",
            format!("(call $get {h} (i32.const 16) (i32.const 3) (i32.const 97))"),
            "not 4-byte aligned",
        ),
        (
            "out-of-bounds",
            format!("(call $get {h} (i32.const 65530) (i32.const 100) (i32.const 96))"),
            "out of bounds",
        ),
        (
            "bad-utf8",
            format!("(call $get {h} (i32.const 48) (i32.const 2) (i32.const 96))"),
            "UTF-8",
        ),
        (
            "bad-option",
            format!("(call $list {h} (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 96))"),
            "invalid option discriminant 7",
        ),
    ];
    for (name, body, expected) in cases {
        let wasm = dir.wasm(&format!("{name}.wasm"), &raw_guest(&body));
        let mut args: Vec<OsString> = vec!["--plugin-dir".into(), plugins.path().into()];
        args.extend(backend.options());
        args.push(wasm.into());
        let o = env.run(&args);
        assert_ne!(o.code, 0, "{name}: the module should trap");
        assert!(o.stderr.contains(expected), "{name}: {}", o.stderr);
        assert!(!o.stderr.contains("panicked"), "{name}: {}", o.stderr);
    }
    // The set before the failed get of "no-realloc" was complete and durable.
    let o = run(
        &env,
        &plugins,
        &backend,
        &[],
        "kv-cli",
        &["get", "bucket", "key"],
    );
    assert_eq!(ok(&o), "value\n");
}
