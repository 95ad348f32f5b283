//! End-to-end tests of `wasmedge --reactor`: argument parsing by parameter type, result
//! printing (one per line), `_initialize`, and the WasmEdge error messages and exit codes for a
//! missing function name, a missing export and bad arguments.

mod cli_support;

use cli_support::{TempDir, run};
use std::ffi::OsString;
use std::path::Path;

const MODULE: &str = r#"
(module
  (global $g (mut i32) (i32.const 0))
  (memory (export "mem") 1)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "id32") (param i32) (result i32) local.get 0)
  (func (export "mul64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
  (func (export "half32") (param f32) (result f32) local.get 0 f32.const 0.5 f32.mul)
  (func (export "addf") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  (func (export "swap") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func (export "consts") (result i32 i64 f32 f64)
    i32.const -1 i64.const 7 f32.const 1.5 f64.const -0.25)
  (func (export "nothing"))
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "get") (result i32) global.get $g)
  (func (export "_initialize") global.get $g i32.const 42 i32.add global.set $g))
"#;

fn reactor(module: &Path, args: &[&str]) -> cli_support::Outcome {
    let mut argv: Vec<OsString> = vec!["--reactor".into(), module.into()];
    argv.extend(args.iter().map(OsString::from));
    run(argv)
}

fn module(dir: &TempDir) -> std::path::PathBuf {
    dir.wasm("reactor.wasm", MODULE)
}

#[test]
fn fib_30() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "fib.wasm",
        &std::fs::read_to_string(cli_support::repo_root().join("docs/examples/fib.wat")).unwrap(),
    );
    reactor(&m, &["fib", "30"]).code(0).stdout("832040\n");
}

#[test]
fn integer_parameters() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["add", "1", "-2"]).code(0).stdout("-1\n");
    reactor(&m, &["add", "+40", "2"]).code(0).stdout("42\n");
    reactor(&m, &["id32", "4294967295"]).code(0).stdout("-1\n");
    reactor(&m, &["mul64", "4294967296", "-3"])
        .code(0)
        .stdout("-12884901888\n");
    reactor(&m, &["mul64", "-9223372036854775808", "1"])
        .code(0)
        .stdout("-9223372036854775808\n");
}

#[test]
fn float_parameters() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["half32", "3"]).code(0).stdout("1.5\n");
    reactor(&m, &["half32", "-inf"]).code(0).stdout("-inf\n");
    reactor(&m, &["addf", "0.1", "0.2"])
        .code(0)
        .stdout("0.30000000000000004\n");
    reactor(&m, &["addf", "0x1p-2", ".25"])
        .code(0)
        .stdout("0.5\n");
    reactor(&m, &["addf", "1e300", "-1e300"])
        .code(0)
        .stdout("0\n");
}

#[test]
fn multiple_results_print_one_per_line() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["swap", "1", "2"]).code(0).stdout("2\n1\n");
    reactor(&m, &["consts"])
        .code(0)
        .stdout("-1\n7\n1.5\n-0.25\n");
    reactor(&m, &["nothing"]).code(0).stdout("");
}

#[test]
fn initialize_runs_first_and_only_once() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["get"]).code(0).stdout("42\n");
    reactor(&m, &["_initialize"]).code(0).stdout("");
}

#[test]
fn missing_function_name() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &[])
        .code(1)
        .stderr_has("A function name is required when reactor mode is enabled.");
}

#[test]
fn missing_export() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["nope"])
        .code(1)
        .stderr_has("Function \"nope\" not found in the module export list.");
    // An export that is not a function is not callable either.
    reactor(&m, &["mem"])
        .code(1)
        .stderr_has("Function \"mem\" not found");
}

#[test]
fn wrong_argument_counts_exit_1() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["add", "1"])
        .code(1)
        .stderr_has("too few arguments");
    reactor(&m, &["add", "1", "2", "3"])
        .code(1)
        .stderr_has("too many arguments");
}

#[test]
fn malformed_arguments_exit_1() {
    let dir = TempDir::new();
    let m = module(&dir);
    for (func, args) in [
        ("add", ["1", "2x"]),
        ("add", ["0x10", "1"]),
        ("add", ["1.5", "1"]),
        ("add", ["4294967296", "0"]),
        ("addf", ["1.5.2", "1"]),
        ("addf", ["abc", "1"]),
    ] {
        let mut argv = vec![func];
        argv.extend(args);
        reactor(&m, &argv).code(1).stderr_has("invalid argument");
    }
    reactor(&m, &["half32", "1e39"])
        .code(1)
        .stderr_has("out of range");
}

#[test]
fn traps_in_reactor_mode_exit_134() {
    let dir = TempDir::new();
    let m = module(&dir);
    reactor(&m, &["div", "1", "0"])
        .code(134)
        .stderr_has("integer divide by zero");
    reactor(&m, &["div", "-2147483648", "-1"])
        .code(134)
        .stderr_has("integer overflow");
    reactor(&m, &["load", "65535"])
        .code(134)
        .stderr_has("out of bounds memory access");
    reactor(&m, &["load", "65532"]).code(0).stdout("0\n");
}

#[test]
fn arguments_after_the_file_belong_to_the_guest() {
    let dir = TempDir::new();
    let m = module(&dir);
    // `-2` is a guest argument, not an option.
    reactor(&m, &["add", "1", "-2"]).code(0).stdout("-1\n");
    // `--reactor` after FILE is the function name, not the option.
    run([m.as_os_str(), "--reactor".as_ref()])
        .code(1)
        .stderr_has("Function \"--reactor\" not found");
    // `--` ends the options before FILE.
    run([
        "--reactor".as_ref(),
        "--".as_ref(),
        m.as_os_str(),
        "add".as_ref(),
        "-1".as_ref(),
        "-2".as_ref(),
    ])
    .code(0)
    .stdout("-3\n");
}

#[test]
fn reference_results_and_parameters() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "refs.wasm",
        r#"(module
             (func $f)
             (elem declare func $f)
             (func (export "refs") (result funcref funcref externref)
               ref.null func ref.func $f ref.null extern)
             (func (export "takes") (param externref) (result i32) i32.const 1))"#,
    );
    let run_refs = |args: &[&str]| {
        let mut argv: Vec<OsString> = vec!["--enable-reference-types".into()];
        argv.push("--reactor".into());
        argv.push(m.clone().into());
        argv.extend(args.iter().map(OsString::from));
        run(argv)
    };
    run_refs(&["refs"])
        .code(0)
        .stdout("<null funcref>\n<funcref>\n<null externref>\n");
    run_refs(&["takes", "1"])
        .code(1)
        .stderr_has("cannot be given on the command line");
}
