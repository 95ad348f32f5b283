//! End-to-end tests of plug-ins through the `wasmedge` binary: the `wasi-logging` plug-in found
//! through `--plugin-dir` (before and after the subcommand), `WASMEDGE_PLUGIN_PATH` and the
//! default folders; its options; `--version`, `plugin list`, `--forbidden-plugin`, duplicate
//! names; hints for missing plug-ins; and the host-function paths of the `testkit` fixture
//! (all value types, guest memory, calls back into the guest, traps and panics).

mod cli_support;
mod plugin_support;

use cli_support::TempDir;
use plugin_support::{Env, LOGGED, LOGGING_GUEST, fixtures, plugin_dir, warnings, wasi_logging};

const LIB: &str = "libwasmedge_plugin_wasi_logging.so";

#[test]
fn logs_through_plugin_dir_to_stderr_or_a_file() {
    let plugins = plugin_dir(&[(wasi_logging(), LIB)]);
    let work = TempDir::new();
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);
    let env = Env::clean();

    // The exact command line of the issue: --plugin-dir before the subcommand.
    let o = env.run([
        "--plugin-dir".as_ref(),
        plugins.path().as_os_str(),
        "run".as_ref(),
        guest.as_os_str(),
    ]);
    o.code(0).stdout("");
    assert_eq!(o.stderr, LOGGED, "{o:#?}");

    // After the subcommand, with the plug-in's option choosing a log file.
    let log = work.path().join("guest.log");
    let o = env.run([
        "run".as_ref(),
        "--plugin-dir".as_ref(),
        plugins.path().as_os_str(),
        "--wasi-logging-output".as_ref(),
        log.as_os_str(),
        guest.as_os_str(),
    ]);
    o.code(0).stdout("");
    assert_eq!(o.stderr, "", "{o:#?}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), LOGGED);

    // Appends; the level filter drops `info`; `=` form; stdout as the destination.
    let o = env.run([
        format!("--plugin-dir={}", plugins.path().display()),
        "--wasi-logging-level=warn".into(),
        "--wasi-logging-output".into(),
        "stdout".into(),
        guest.display().to_string(),
    ]);
    o.code(0).stdout("[warn] falling back to the CPU\n");
    assert_eq!(o.stderr, "");
}

#[test]
fn found_through_the_environment_and_the_default_folders() {
    let work = TempDir::new();
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);

    // WASMEDGE_PLUGIN_PATH: colon-separated, empty entries skipped, searched recursively.
    let plugins = TempDir::new();
    std::fs::create_dir_all(plugins.path().join("nested/deeper")).unwrap();
    std::fs::copy(
        wasi_logging(),
        plugins.path().join("nested/deeper").join(LIB),
    )
    .unwrap();
    let empty = TempDir::new();
    let path = format!("{}::{}", empty.path().display(), plugins.path().display());
    let o = Env::clean()
        .var("WASMEDGE_PLUGIN_PATH", path)
        .run([guest.as_os_str()]);
    o.code(0);
    assert_eq!(o.stderr, LOGGED, "{o:#?}");

    // ~/.wasmedge/plugin (HOME is private to the test).
    let env = Env::clean();
    let user_dir = env.home.path().join(".wasmedge/plugin");
    std::fs::create_dir_all(&user_dir).unwrap();
    std::fs::copy(wasi_logging(), user_dir.join(LIB)).unwrap();
    let o = env.run([guest.as_os_str()]);
    o.code(0);
    assert_eq!(o.stderr, LOGGED, "{o:#?}");

    // ../plugin and ../lib/wasmedge beside the executable (a copy of it in a private prefix).
    for folder in ["plugin", "lib/wasmedge"] {
        let prefix = TempDir::new();
        std::fs::create_dir_all(prefix.path().join("bin")).unwrap();
        std::fs::create_dir_all(prefix.path().join(folder)).unwrap();
        let bin = prefix.path().join("bin/wasmedge");
        if std::fs::hard_link(cli_support::wasmedge(), &bin).is_err() {
            std::fs::copy(cli_support::wasmedge(), &bin).unwrap();
        }
        std::fs::copy(wasi_logging(), prefix.path().join(folder).join(LIB)).unwrap();
        let mut env = Env::clean();
        env.bin = bin;
        let o = env.run([guest.as_os_str()]);
        o.code(0);
        assert_eq!(o.stderr, LOGGED, "{folder}: {o:#?}");
    }
}

#[test]
fn version_and_plugin_list_show_loaded_plugins() {
    let plugins = plugin_dir(&[(wasi_logging(), LIB)]);
    let env = Env::clean();
    let dir = plugins.path().display().to_string();

    let o = env.run(["--plugin-dir", &dir, "--version"]);
    o.code(0);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("wasmedge version "), "{o:#?}");
    assert_eq!(
        lines[1],
        format!("{dir}/{LIB} (plugin \"wasi_logging\") version 0.1.0")
    );

    let o = env.run(["--plugin-dir", &dir, "plugin", "list"]);
    o.code(0);
    for needle in [
        "wasi_logging 0.1.0",
        "built with wasmedge-plugin-sdk 1.1.0 (descriptor layout v2)",
        "module \"wasi:logging/logging@0.1.0-draft\"",
        "log: [i32 i32 i32 i32 i32] -> []",
        "option --wasi-logging-output DEST",
        "Plug-in search path (in order):",
        &format!("{dir} [--plugin-dir]"),
    ] {
        assert!(o.stdout.contains(needle), "{needle:?} missing in {o:#?}");
    }

    let o = env.run(["plugin", "list", "--json", "--plugin-dir", &dir]);
    o.code(0);
    for needle in [
        "\"name\":\"wasi_logging\"",
        "\"abi_version\":1",
        "\"layout\":2",
        "\"params\":[\"i32\",\"i32\",\"i32\",\"i32\",\"i32\"]",
    ] {
        assert!(o.stdout.contains(needle), "{needle:?} missing in {o:#?}");
    }

    let o = env.run(["plugin", "list"]);
    o.code(0);
    assert!(o.stdout.contains("No plug-ins loaded."), "{o:#?}");
}

#[test]
fn missing_plugins_are_named() {
    let work = TempDir::new();
    let env = Env::clean();

    // A plug-in option without its plug-in.
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);
    let o = env.run([
        "--wasi-logging-output".as_ref(),
        "x.log".as_ref(),
        guest.as_os_str(),
    ]);
    o.code(1)
        .stderr_has("unknown option: wasi-logging-output")
        .stderr_has("option of the wasi_logging plug-in, which is not loaded")
        .stderr_has("--plugin-dir");
    let o = env.run(["run", "--nn-preload", "default:GGML:AUTO:m.gguf", "x.wasm"]);
    o.code(1)
        .stderr_has("unknown option: nn-preload")
        .stderr_has("wasi_nn plug-in");

    // Imports from well-known plug-in namespaces.
    let o = env.run([guest.as_os_str()]);
    o.code(1)
        .stderr_has("unknown import")
        .stderr_has("This is a wasi:logging import; it needs the wasi_logging plug-in");
    for (module, plugin) in [
        ("wasi_ephemeral_nn", "wasi_nn"),
        ("wasi_ephemeral_crypto_symmetric", "wasi_crypto"),
        ("wasi:keyvalue/store@0.2.0-draft2", "wasi_keyvalue"),
    ] {
        let wat = format!(r#"(module (import "{module}" "f" (func)))"#);
        let g = work.wasm("import.wasm", &wat);
        let o = env.run([g.as_os_str()]);
        o.code(1).stderr_has(&format!(
            "it needs the {plugin} plug-in, which is not loaded"
        ));
    }
}

#[test]
fn forbidden_and_duplicate_plugins() {
    let work = TempDir::new();
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);
    let first = plugin_dir(&[(wasi_logging(), LIB)]);
    let second = plugin_dir(&[(wasi_logging(), "libcopy.so")]);
    let env = Env::clean();

    let o = env.run([
        "--plugin-dir".as_ref(),
        first.path().as_os_str(),
        "run".as_ref(),
        "--forbidden-plugin".as_ref(),
        "wasi_logging".as_ref(),
        guest.as_os_str(),
    ]);
    o.code(1).stderr_has("which --forbidden-plugin skipped");

    // The same plug-in twice: the first one wins, one warning names both files.
    let o = env.run([
        "--plugin-dir".as_ref(),
        first.path().as_os_str(),
        "--plugin-dir".as_ref(),
        second.path().as_os_str(),
        guest.as_os_str(),
    ]);
    o.code(0);
    let w = warnings(&o);
    assert_eq!(w.len(), 1, "{o:#?}");
    assert!(w[0].contains("libcopy.so"), "{w:?}");
    assert!(w[0].contains("already loaded from"), "{w:?}");
    assert!(o.stderr.contains(LOGGED), "{o:#?}");

    // The same file through two paths is loaded once, silently.
    let o = env.run([
        "--plugin-dir".as_ref(),
        first.path().as_os_str(),
        "--plugin-dir".as_ref(),
        first.path().join(LIB).as_os_str(),
        guest.as_os_str(),
    ]);
    o.code(0);
    assert_eq!(o.stderr, LOGGED, "{o:#?}");

    // A --plugin-dir that does not exist is a warning, not an error.
    let o = env.run(["--plugin-dir", "/nonexistent/plugins", "plugin", "list"]);
    o.code(0);
    assert_eq!(warnings(&o).len(), 1, "{o:#?}");
    assert!(o.stderr.contains("/nonexistent/plugins"), "{o:#?}");
}

const TESTKIT_GUEST: &str = r#"
(module
  (import "testkit" "add" (func $add (param i32 i32) (result i32)))
  (import "testkit" "roundtrip"
    (func $roundtrip (param i32 i64 f32 f64 v128) (result v128 f64 f32 i64 i32)))
  (import "testkit" "panic" (func $panic))
  (import "testkit" "fail" (func $fail))
  (import "testkit" "peek" (func $peek (param i32 i32) (result i32)))
  (import "testkit" "reverse" (func $reverse (param i32 i32) (result i32)))
  (import "testkit" "greeting_len" (func $greeting_len (result i32)))
  (import "testkit" "flag" (func $flag (result i32)))
  (import "testkit" "warn" (func $warn))
  (import "testkit" "many"
    (func $many (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 65536))
  (data (i32.const 0) "abcd")
  ;; Allocates at the end of memory, growing it by one page first (so the plug-in must fetch
  ;; memory again after calling back).
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (drop (memory.grow (i32.const 1)))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.const 65536)))
    (local.get $p))
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "roundtrip_i32") (result i32)
    (local $v v128) (local $f64 f64) (local $f32 f32) (local $i64 i64) (local $i32 i32)
    (call $roundtrip (i32.const -7) (i64.const 0x1122334455667788) (f32.const 1.5)
      (f64.const -2.25) (v128.const i64x2 0x0102030405060708 0x1112131415161718))
    (local.set $i32) (local.set $i64) (local.set $f32) (local.set $f64) (local.set $v)
    (i32.and
      (i32.and
        (i32.and (i64.eq (local.get $i64) (i64.const 0x1122334455667788))
                 (f32.eq (local.get $f32) (f32.const 1.5)))
        (i32.and (f64.eq (local.get $f64) (f64.const -2.25))
                 (i64.eq (i64x2.extract_lane 1 (local.get $v)) (i64.const 0x1112131415161718))))
      (i32.eq (local.get $i32) (i32.const -7))))
  (func (export "panic") (call $panic))
  (func (export "fail") (call $fail))
  (func (export "peek") (param i32 i32) (result i32) (call $peek (local.get 0) (local.get 1)))
  (func (export "reverse") (result i32)
    (i32.load (call $reverse (i32.const 0) (i32.const 4))))
  (func (export "greeting_len") (result i32) (call $greeting_len))
  (func (export "flag") (result i32) (call $flag))
  (func (export "warn") (call $warn))
  (func (export "many") (result i32)
    (call $many (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
      (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10))))
"#;

#[test]
fn host_function_paths() {
    let plugins = plugin_dir(&[(&fixtures().testkit, "libfixture_testkit.so")]);
    let work = TempDir::new();
    let guest = work.wasm("testkit.wasm", TESTKIT_GUEST);
    let env = Env::clean();
    let dir = plugins.path().display().to_string();
    let g = guest.display().to_string();
    let call = |extra: &[&str], args: &[&str]| {
        let mut a = vec!["--plugin-dir", &dir];
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--reactor", &g]);
        a.extend_from_slice(args);
        env.run(a)
    };

    call(&[], &["add", "40", "2"]).code(0).stdout("42\n");
    call(&[], &["roundtrip_i32"]).code(0).stdout("1\n");
    call(&[], &["many"]).code(0).stdout("55\n");
    call(&[], &["peek", "0", "4"]).code(0).stdout("394\n");
    // "abcd" reversed, read back as a little-endian i32: "dcba".
    let expected = i32::from_le_bytes(*b"dcba").to_string() + "\n";
    call(&[], &["reverse"]).code(0).stdout(&expected);

    // Options reach the plug-in's state.
    call(&[], &["greeting_len"]).code(0).stdout("-1\n");
    call(&["--testkit-greeting", "hello"], &["greeting_len"])
        .code(0)
        .stdout("5\n");
    call(&[], &["flag"]).code(0).stdout("0\n");
    call(&["--testkit-flag"], &["flag"]).code(0).stdout("1\n");

    // Host logging goes through the runtime's logger (and its --log-level).
    let o = call(&[], &["warn"]);
    o.code(0)
        .stderr_has("[warning] fixture: a warning from the plug-in");
    let o = call(&["--log-level", "error"], &["warn"]);
    o.code(0);
    assert_eq!(o.stderr, "", "{o:#?}");

    // Errors and panics trap the guest, naming the plug-in; the panic is caught inside the
    // plug-in (with its location) and nothing else is printed.
    let o = call(&[], &["fail"]);
    o.code(134)
        .stderr_has("plug-in \"fixture_testkit\" function \"testkit\".\"fail\" failed: fixture: a reported failure");
    let o = call(&[], &["panic"]);
    o.code(134)
        .stderr_has(
            "plug-in \"fixture_testkit\" function \"testkit\".\"panic\" failed: panicked at ",
        )
        .stderr_has("testkit/src/lib.rs")
        .stderr_has("fixture: the host function exploded");
    assert_eq!(o.stderr.lines().count(), 1, "{o:#?}");
    // Bounds-checked memory access: a trap, not a crash.
    let o = call(&[], &["peek", "65534", "4"]);
    o.code(134).stderr_has(
        "out of bounds memory access: 4 bytes at offset 65534 in a memory of 65536 bytes",
    );
    let o = call(&[], &["peek", "-1", "4"]);
    o.code(134).stderr_has("out of bounds memory access");
}
