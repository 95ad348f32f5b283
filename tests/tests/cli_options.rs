//! End-to-end tests of the command-line conventions: `--version`, `--help`, unknown options,
//! numeric option values, global options before the subcommand, and the WasmEdge options that
//! are accepted but ignored for now.

mod cli_support;

use cli_support::{TempDir, run};

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

#[test]
fn version() {
    let expected = format!("wasmedge version {}\n", wasmedge_runtime::VERSION);
    run(["--version"]).code(0).stdout(&expected);
    run(["-v"]).code(0).stdout(&expected);
}

#[test]
fn help() {
    let o = run(["--help"]);
    o.code(0);
    assert!(o.stdout.contains("Usage"), "{o:#?}");
    for sub in ["run", "validate", "parse"] {
        assert!(o.stdout.contains(sub), "help does not list {sub}: {o:#?}");
    }
    let o = run(["run", "--help"]);
    o.code(0);
    for option in [
        "--reactor",
        "--memory-page-limit",
        "--disable-simd",
        "--enable-all",
    ] {
        assert!(o.stdout.contains(option), "run help lacks {option}: {o:#?}");
    }
}

#[test]
fn no_arguments_is_an_error() {
    run::<[&str; 0], &str>([]).code(1);
    run(["run"]).code(1);
}

#[test]
fn unknown_option_exits_1() {
    let dir = TempDir::new();
    let m = dir.wasm("add.wasm", ADD);
    run(["--no-such-flag".as_ref(), m.as_os_str()])
        .code(1)
        .stderr_has("unknown option: no-such-flag");
    run(["run".as_ref(), "--nn-preload=x".as_ref(), m.as_os_str()])
        .code(1)
        .stderr_has("unknown option: nn-preload");
    run(["validate".as_ref(), "--reactor".as_ref(), m.as_os_str()])
        .code(1)
        .stderr_has("unknown option: reactor");
}

#[test]
fn numeric_values_with_trailing_garbage_are_rejected() {
    let dir = TempDir::new();
    let m = dir.wasm("add.wasm", ADD);
    for (option, value) in [
        ("--time-limit", "10ms"),
        ("--gas-limit", "5x"),
        ("--memory-page-limit", "1k"),
        ("--memory-page-limit", "-1"),
    ] {
        run([
            option.as_ref(),
            value.as_ref(),
            "--reactor".as_ref(),
            m.as_os_str(),
            "add".as_ref(),
        ])
        .code(1);
    }
}

#[test]
fn accepted_but_ignored_options_warn_and_run() {
    let dir = TempDir::new();
    let m = dir.wasm("add.wasm", ADD);
    let o = run([
        "--plugin-dir".as_ref(),
        dir.path().as_os_str(),
        "run".as_ref(),
        "--dir".as_ref(),
        ".:.".as_ref(),
        "--env".as_ref(),
        "A=B".as_ref(),
        "--time-limit=100".as_ref(),
        "--gas-limit".as_ref(),
        "1000".as_ref(),
        "--enable-instruction-count".as_ref(),
        "--enable-gas-measuring".as_ref(),
        "--enable-time-measuring".as_ref(),
        "--enable-all-statistics".as_ref(),
        "--forbidden-plugin".as_ref(),
        "wasi_nn".as_ref(),
        "--allow-af-unix".as_ref(),
        "--enable-jit".as_ref(),
        "--force-interpreter".as_ref(),
        "--run-mode".as_ref(),
        "aot".as_ref(),
        "--log-level".as_ref(),
        "warning".as_ref(),
        "--reactor".as_ref(),
        m.as_os_str(),
        "add".as_ref(),
        "2".as_ref(),
        "3".as_ref(),
    ]);
    o.code(0)
        .stdout("5\n")
        .stderr_has("is ignored: this runtime always compiles ahead of time");
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let dir = TempDir::new();
    let m = dir.wasm("add.wasm", ADD);
    let p = dir.path().as_os_str();
    for argv in [
        vec![
            "--plugin-dir".as_ref(),
            p,
            "run".as_ref(),
            "--reactor".as_ref(),
            m.as_os_str(),
        ],
        vec![
            "run".as_ref(),
            "--plugin-dir".as_ref(),
            p,
            "--reactor".as_ref(),
            m.as_os_str(),
        ],
        vec![
            "--plugin-dir".as_ref(),
            p,
            "--reactor".as_ref(),
            m.as_os_str(),
        ],
        vec!["--reactor".as_ref(), "run".as_ref(), m.as_os_str()],
    ] {
        let mut argv = argv;
        argv.extend(["add", "20", "22"].map(std::ffi::OsStr::new));
        run(argv).code(0).stdout("42\n");
    }
}

#[test]
fn proposal_switches_are_accepted_everywhere() {
    let dir = TempDir::new();
    let m = dir.wasm("add.wasm", ADD);
    for switch in [
        "--disable-simd",
        "--disable-multi-value",
        "--disable-bulk-memory",
        "--disable-reference-types",
        "--disable-sign-extension-operators",
        "--disable-non-trap-float-to-int",
        "--disable-import-export-mut-globals",
        "--enable-threads",
        "--enable-tail-call",
        "--enable-multi-memory",
        "--enable-extended-const",
        "--enable-relaxed-simd",
        "--enable-all",
    ] {
        run(["validate".as_ref(), switch.as_ref(), m.as_os_str()]).code(0);
        run(["parse".as_ref(), switch.as_ref(), m.as_os_str()]).code(0);
        run([
            switch.as_ref(),
            "--reactor".as_ref(),
            m.as_os_str(),
            "add".as_ref(),
            "1".as_ref(),
            "1".as_ref(),
        ])
        .code(0)
        .stdout("2\n");
    }
}
