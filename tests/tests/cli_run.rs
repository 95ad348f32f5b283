//! End-to-end tests of `wasmedge run` in command mode (`_start`) and of the failure exit codes:
//! traps exit 134 and name the trap; load, validation and instantiation errors exit 1.
//! Also `validate` and `parse`. Runs the built binary; see `cli_support` for how it is found.

mod cli_support;

use cli_support::{TempDir, run};

#[test]
fn start_runs_and_exits_0() {
    let dir = TempDir::new();
    let m = dir.wasm("ok.wasm", r#"(module (func (export "_start") nop))"#);
    run([&m]).code(0).stdout("");
    // `run` spelled out means the same.
    run([std::ffi::OsStr::new("run"), m.as_os_str()])
        .code(0)
        .stdout("");
}

#[test]
fn unreachable_exits_134_and_names_the_trap() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "trap.wasm",
        r#"(module (func (export "_start") unreachable))"#,
    );
    run([&m])
        .code(134)
        .stderr_has("unreachable")
        .stderr_has("execution failed");
}

#[test]
fn unbounded_recursion_exits_134_with_stack_exhaustion() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "rec.wasm",
        r#"(module (func $f (export "_start") (local i64 i64 i64 i64) call $f))"#,
    );
    run([&m])
        .code(134)
        .stderr_has_any(&["call stack exhausted", "stack overflow"]);
}

#[test]
fn integer_divide_by_zero_exits_134() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "div.wasm",
        r#"(module
             (global $zero (mut i32) (i32.const 0))
             (func (export "_start") i32.const 1 global.get $zero i32.div_u drop))"#,
    );
    run([&m]).code(134).stderr_has("integer divide by zero");
}

#[test]
fn out_of_bounds_load_exits_134() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "oob.wasm",
        r#"(module (memory 1)
             (func (export "_start") i32.const 65536 i32.load drop))"#,
    );
    run([&m])
        .code(134)
        .stderr_has("out of bounds memory access");
}

#[test]
fn start_with_another_type_takes_the_reactor_path() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "start.wasm",
        r#"(module (func (export "_start") (param i32) (result i32)
             local.get 0 i32.const 1 i32.add))"#,
    );
    run([m.as_os_str(), "41".as_ref()]).code(0).stdout("42\n");
}

#[test]
fn module_without_start_takes_the_reactor_path() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "add.wasm",
        r#"(module (func (export "add") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.add))"#,
    );
    run([m.as_os_str(), "add".as_ref(), "1".as_ref(), "-2".as_ref()])
        .code(0)
        .stdout("-1\n");
}

#[test]
fn trapping_start_function_is_an_instantiation_failure() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "start_trap.wasm",
        r#"(module (func $s unreachable) (start $s))"#,
    );
    run([&m]).code(1).stderr_has("unreachable");
}

#[test]
fn unknown_import_exits_1_with_a_hint() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "import.wasm",
        r#"(module (import "env" "host_fn" (func)) (func (export "_start") call 0))"#,
    );
    run([&m])
        .code(1)
        .stderr_has("instantiation failed")
        .stderr_has("host_fn")
        .stderr_has("env");
    // WASI preview1 is provided; a function it does not have is an unknown import.
    let m = dir.wasm(
        "wasi.wasm",
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
             (func (export "_start") i32.const 5 call 0))"#,
    );
    run([&m]).code(5);
    let m = dir.wasm(
        "wasi_unknown.wasm",
        r#"(module (import "wasi_snapshot_preview1" "no_such_function" (func))
             (func (export "_start")))"#,
    );
    run([&m]).code(1).stderr_has("WASI");
}

#[test]
fn malformed_module_exits_1_with_loading_failed() {
    let dir = TempDir::new();
    let bad_section = dir.file("bad.wasm", b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\x0f");
    run([&bad_section]).code(1).stderr_has("loading failed");
    let bad_magic = dir.file("magic.wasm", b"\x7fELF\x02\x01\x01\0");
    run([&bad_magic]).code(1).stderr_has("loading failed");
    let missing = dir.path().join("does-not-exist.wasm");
    run([&missing]).code(1).stderr_has("loading failed");
}

#[test]
fn invalid_module_exits_1_with_validation_failed() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "invalid.wasm",
        r#"(module (func (export "_start") (result i32) i64.const 1))"#,
    );
    run([&m]).code(1).stderr_has("validation failed");
}

#[test]
fn wat_text_is_accepted() {
    let fib = cli_support::repo_root().join("docs/examples/fib.wat");
    run([
        "--reactor".as_ref(),
        fib.as_os_str(),
        "fib".as_ref(),
        "20".as_ref(),
    ])
    .code(0)
    .stdout("6765\n");
}

#[test]
fn validate_subcommand() {
    let dir = TempDir::new();
    let ok = dir.wasm(
        "ok.wasm",
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    );
    run(["validate".as_ref(), ok.as_os_str()])
        .code(0)
        .stdout("");
    let invalid = dir.wasm(
        "invalid.wasm",
        r#"(module (func (result i32) i64.const 1))"#,
    );
    run(["validate".as_ref(), invalid.as_os_str()])
        .code(1)
        .stderr_has("validation failed");
    let malformed = dir.file("malformed.wasm", b"\0asm\x01\0\0\0\x0b\x01");
    run(["validate".as_ref(), malformed.as_os_str()])
        .code(1)
        .stderr_has("loading failed");
}

#[test]
fn parse_subcommand_decodes_without_validating() {
    let dir = TempDir::new();
    let invalid = dir.wasm(
        "invalid.wasm",
        r#"(module (func (result i32) i64.const 1))"#,
    );
    run(["parse".as_ref(), invalid.as_os_str()])
        .code(0)
        .stdout("");
    let malformed = dir.file("malformed.wasm", b"\0asm\x01\0\0\0\x0b\x01");
    run(["parse".as_ref(), malformed.as_os_str()])
        .code(1)
        .stderr_has("loading failed");
}

#[test]
fn proposal_switches_change_validation() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "multi.wasm",
        r#"(module (func (export "two") (result i32 i32) i32.const 1 i32.const 2))"#,
    );
    run(["validate".as_ref(), m.as_os_str()]).code(0);
    run([
        "validate".as_ref(),
        "--disable-multi-value".as_ref(),
        m.as_os_str(),
    ])
    .code(1)
    .stderr_has("validation failed");
    let sext = dir.wasm(
        "sext.wasm",
        r#"(module (func (export "f") (param i32) (result i32) local.get 0 i32.extend8_s))"#,
    );
    run([
        "validate".as_ref(),
        "--disable-sign-extension-operators".as_ref(),
        sext.as_os_str(),
    ])
    .code(1);
    run([
        "--disable-sign-extension-operators".as_ref(),
        sext.as_os_str(),
        "f".as_ref(),
        "255".as_ref(),
    ])
    .code(1)
    .stderr_has("validation failed");
    run([sext.as_os_str(), "f".as_ref(), "255".as_ref()])
        .code(0)
        .stdout("-1\n");
}

#[test]
fn memory_page_limit_caps_memory_grow() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "grow.wasm",
        r#"(module (memory 1) (func (export "grow") (result i32) i32.const 1 memory.grow))"#,
    );
    run(["--reactor".as_ref(), m.as_os_str(), "grow".as_ref()])
        .code(0)
        .stdout("1\n");
    run([
        "--memory-page-limit".as_ref(),
        "1".as_ref(),
        "--reactor".as_ref(),
        m.as_os_str(),
        "grow".as_ref(),
    ])
    .code(0)
    .stdout("-1\n");
}

#[test]
fn log_level_off_silences_errors_but_keeps_the_exit_code() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "trap.wasm",
        r#"(module (func (export "_start") unreachable))"#,
    );
    let o = run(["--log-level".as_ref(), "off".as_ref(), m.as_os_str()]);
    o.code(134);
    assert_eq!(o.stderr, "", "{o:#?}");
}
