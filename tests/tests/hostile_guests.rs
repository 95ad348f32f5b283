//! Hostile guests through the `wasmedge` binary: modules built to exhaust memory, stack, time,
//! tables or the compiler, and out-of-bounds probes at every memory boundary. Each must end in
//! a clean outcome (a result, a trap with exit 134 naming it, or a load/instantiation error
//! with exit 1) within its limits; the process must never die of a signal or hang (the
//! `cli_support::run` helper fails the test on either).
//!
//! The memory probes run twice: with the default guard-page memories (8 GiB reservation, no
//! bounds checks in the code) and under `ulimit -v 3000000`, where the reservation cannot be
//! made and the runtime falls back to explicit bounds checks.

mod cli_support;

use cli_support::{Outcome, TempDir, run, run_command, wasmedge};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `wasmedge ARGS` under `ulimit -v 3000000` (about 2.9 GiB of address space).
fn run_small_address_space(args: &[&str]) -> Outcome {
    let mut script = String::from("ulimit -v 3000000 && exec \"$0\"");
    for i in 0..args.len() {
        script.push_str(&format!(" \"${}\"", i + 1));
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script).arg(wasmedge()).args(args);
    let mut shown = vec!["(ulimit -v 3000000)".into()];
    shown.extend(args.iter().map(std::ffi::OsString::from));
    run_command(cmd, shown)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

// ---------------------------------------------------------------------------------------------
// Memory, stack and time bombs

/// Grows memory one page at a time until `memory.grow` fails; returns the page count reached.
const MEMORY_BOMB: &str = r#"
(module
  (memory 1)
  (func (export "bomb") (result i32)
    (block $full
      (loop $grow
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        br $grow))
    ;; touch the last byte of the memory that was granted
    (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 7))
    (i32.load8_u (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))
    drop
    memory.size))
"#;

#[test]
fn memory_bomb_stops_at_the_4_gib_limit() {
    let dir = TempDir::new();
    let m = dir.wasm("bomb.wasm", MEMORY_BOMB);
    run(["--reactor", path_str(&m), "bomb"])
        .code(0)
        .stdout("65536\n");
}

#[test]
fn memory_bomb_stops_at_the_page_limit() {
    let dir = TempDir::new();
    let m = dir.wasm("bomb.wasm", MEMORY_BOMB);
    run([
        "--memory-page-limit",
        "300",
        "--reactor",
        path_str(&m),
        "bomb",
    ])
    .code(0)
    .stdout("300\n");
}

#[test]
fn memory_bomb_in_a_small_address_space_gets_minus_one_not_a_crash() {
    let dir = TempDir::new();
    let m = dir.wasm("bomb.wasm", MEMORY_BOMB);
    let out = run_small_address_space(&["--reactor", path_str(&m), "bomb"]);
    out.code(0);
    let pages: u32 = out.stdout.trim().parse().expect("a page count");
    assert!(
        (1..65536).contains(&pages),
        "memory.grow must fail before 4 GiB under ulimit -v: {out:#?}"
    );
}

#[test]
fn memory_declared_at_4_gib_is_refused_cleanly_when_it_cannot_be_reserved() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "big.wasm",
        r#"(module (memory 65536) (func (export "f") (result i32) memory.size))"#,
    );
    run(["--reactor", path_str(&m), "f"])
        .code(0)
        .stdout("65536\n");
    run_small_address_space(&["--reactor", path_str(&m), "f"])
        .code(1)
        .stderr_has("instantiation failed");
    let over = dir.wasm("over.wasm", r#"(module (memory 65537))"#);
    run([path_str(&over)])
        .code(1)
        .stderr_has("validation failed");
}

#[test]
fn stack_bombs_trap_with_call_stack_exhausted() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "stack.wasm",
        r#"
(module
  (type $t (func (param i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $indirect)
  (func $plain (export "plain") (param i64) (result i64)
    (i64.add (call $plain (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
  (func $indirect (export "indirect") (param i64) (result i64)
    (i64.add (call_indirect (type $t) (local.get 0) (i32.const 0)) (i64.const 1)))
  ;; a big frame: many live locals per call
  (func $fat (export "fat") (param i64) (result i64)
    (local v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (local.set 1 (i64x2.splat (local.get 0)))
    (local.set 16 (i64x2.splat (local.get 0)))
    (i64.add (call $fat (local.get 0))
      (i64.add (i64x2.extract_lane 0 (local.get 1)) (i64x2.extract_lane 1 (local.get 16)))))
  (func $ping (param i32) (result i32) (call $pong (local.get 0)))
  (func $pong (param i32) (result i32) (i32.add (call $ping (local.get 0)) (i32.const 1)))
  (func (export "mutual") (result i32) (call $ping (i32.const 0))))
"#,
    );
    for (f, arg) in [
        ("plain", Some("0")),
        ("indirect", Some("0")),
        ("fat", Some("1")),
        ("mutual", None),
    ] {
        let mut args = vec!["--reactor", path_str(&m), f];
        args.extend(arg);
        run(&args).code(134).stderr_has("call stack exhausted");
    }
    // Recursion in the start function fails instantiation the same way.
    let start = dir.wasm(
        "start.wasm",
        r#"(module (func $s (call $s)) (start $s) (func (export "_start")))"#,
    );
    run([path_str(&start)]).stderr_has("call stack exhausted");
}

/// Runs export `f` of `module` (plus `extra` options) under `--time-limit 200` and requires the
/// time-limit trap (exit 134) after at least 200 ms and before `within`.
fn stops_at_a_200_ms_time_limit(extra: &[&str], module: &Path, f: &str, within: Duration) {
    let started = Instant::now();
    let mut args = extra.to_vec();
    args.extend(["--time-limit", "200", "--reactor", path_str(module), f]);
    run(args).code(134).stderr_has("time limit");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < within,
        "{f}: stopped after {took:?}"
    );
}

#[test]
fn infinite_loops_stop_at_the_time_limit() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "loops.wasm",
        r#"
(module
  (func $spin (export "spin") (loop br 0))
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "calls") (local i32)
    (loop (local.set 0 (call $leaf (local.get 0))) br 0))
  (func $tail (export "tail") (return_call $tail))
  (func (export "_start") (call $spin)))
"#,
    );
    for f in ["spin", "calls", "tail"] {
        stops_at_a_200_ms_time_limit(&[], &m, f, Duration::from_secs(20));
    }
    run(["--gas-limit", "1000000", path_str(&m)])
        .code(134)
        .stderr_has("gas limit");
}

#[test]
fn endless_atomic_waits_stop_at_the_time_limit() {
    // A wait with no timeout (and one of 2^63-1 ns) on a shared memory nobody notifies: the
    // time limit must end it, as it ends a loop, rather than leave the process blocked.
    let dir = TempDir::new();
    let m = dir.wasm(
        "waits.wasm",
        r#"
(module
  (memory 1 1 shared)
  (func (export "wait32") (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
  (func (export "wait64") (result i32)
    (memory.atomic.wait64 (i32.const 8) (i64.const 0) (i64.const 0x7fffffffffffffff)))
  (func (export "short") (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 1000000))))
"#,
    );
    for f in ["wait32", "wait64"] {
        stops_at_a_200_ms_time_limit(&["--enable-threads"], &m, f, Duration::from_secs(20));
    }
    // A wait that times out by itself well inside the limit still reports "timed-out" (2).
    run([
        "--enable-threads",
        "--time-limit",
        "5000",
        "--reactor",
        path_str(&m),
        "short",
    ])
    .code(0)
    .stdout("2\n");
}

#[test]
fn sleeping_in_a_host_call_stops_at_the_time_limit() {
    // `poll_oneoff` on one relative monotonic-clock subscription of $ns nanoseconds: compiled
    // code never reaches an epoch check while the host sleeps, so the time limit must end the
    // run from outside the call.
    let dir = TempDir::new();
    let m = dir.wasm(
        "sleeps.wasm",
        r#"
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $sleep (param $ns i64) (result i32)
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (local.get $ns))
    (call $poll (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))
  (func (export "ten_seconds") (result i32) (call $sleep (i64.const 10000000000)))
  (func (export "forever") (result i32) (call $sleep (i64.const -1)))
  (func (export "short") (result i32) (call $sleep (i64.const 20000000))))
"#,
    );
    for f in ["ten_seconds", "forever"] {
        stops_at_a_200_ms_time_limit(&[], &m, f, Duration::from_secs(5));
    }
    // A sleep that ends inside the limit returns normally (errno 0), and the run is not cut
    // short after the guest has finished.
    run(["--time-limit", "300", "--reactor", path_str(&m), "short"])
        .code(0)
        .stdout("0\n");
}

// ---------------------------------------------------------------------------------------------
// Tables and the compiler

#[test]
fn huge_tables_are_lazy_bounded_and_refused_with_a_reason() {
    let dir = TempDir::new();
    let m = dir.wasm(
        "table.wasm",
        r#"
(module
  (table $t 10000000 funcref)
  (func (export "size") (result i32) (table.size $t))
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "call_far") (result i32) (call_indirect (result i32) (i32.const 9999999))))
"#,
    );
    run(["--reactor", path_str(&m), "size"])
        .code(0)
        .stdout("10000000\n");
    run(["--reactor", path_str(&m), "grow", "100000000"])
        .code(0)
        .stdout("-1\n");
    run(["--reactor", path_str(&m), "grow", "-1"])
        .code(0)
        .stdout("-1\n");
    run(["--reactor", path_str(&m), "call_far"])
        .code(134)
        .stderr_has_any(&["uninitialized element", "null"]);
    let too_big = dir.wasm("too_big.wasm", r#"(module (table 4294967295 funcref))"#);
    run([path_str(&too_big)])
        .code(1)
        .stderr_has("instantiation failed")
        .stderr_has("exceeds the limit");
    let bad_elem = dir.wasm(
        "bad_elem.wasm",
        r#"(module (table 10 funcref) (func $f) (elem (i32.const 10) $f) (func (export "_start")))"#,
    );
    run([path_str(&bad_elem)])
        .code(1)
        .stderr_has("instantiation failed");
}

#[test]
fn a_one_megabyte_function_body_compiles_and_runs() {
    let n = 350_000; // 3 bytes per `i32.const 1; i32.add`
    let body = "i32.const 1 i32.add ".repeat(n);
    let dir = TempDir::new();
    let m = dir.wasm(
        "big.wasm",
        &format!(r#"(module (func (export "f") (result i32) i32.const 0 {body}))"#),
    );
    assert!(std::fs::metadata(&m).unwrap().len() > 1_000_000);
    run(["--reactor", path_str(&m), "f"])
        .code(0)
        .stdout(&format!("{n}\n"));
}

#[test]
fn deep_block_nesting_compiles_without_exhausting_the_host_stack() {
    let dir = TempDir::new();
    let n = 100_000;
    let m = dir.wasm(
        "nest.wasm",
        &format!(
            r#"(module (func (export "f") (result i32) {} i32.const 7 {}))"#,
            "block (result i32) ".repeat(n),
            "end ".repeat(n)
        ),
    );
    run(["--reactor", path_str(&m), "f"]).code(0).stdout("7\n");
    let loops = dir.wasm(
        "loops.wasm",
        &format!(
            r#"(module (func (export "f") (result i32) {} i32.const 9 {}))"#,
            "loop (result i32) ".repeat(n),
            "end ".repeat(n)
        ),
    );
    run(["--reactor", path_str(&loops), "f"])
        .code(0)
        .stdout("9\n");
}

#[test]
fn one_hundred_thousand_functions() {
    let n = 100_000;
    let mut wat = String::from("(module\n");
    for i in 0..n {
        // each calls the previous one, so the last returns the sum 0 + 1 + … + (n-1) mod 2^32
        if i == 0 {
            wat.push_str("(func $f0 (result i32) i32.const 0)\n");
        } else {
            wat.push_str(&format!(
                "(func $f{i} (result i32) (i32.add (call $f{}) (i32.const {i})))\n",
                i - 1
            ));
        }
    }
    wat.push_str(&format!("(export \"last\" (func $f{}))\n)", n - 1));
    let dir = TempDir::new();
    let m = dir.wasm("many.wasm", &wat);
    // 100,000 nested calls deep exceed the 1 MiB wasm stack: a clean trap, not a crash.
    run(["--reactor", path_str(&m), "last"])
        .code(134)
        .stderr_has("call stack exhausted");
    let flat = dir.wasm(
        "flat.wasm",
        &format!(
            "(module {} (export \"last\" (func $f{})))",
            (0..n)
                .map(|i| format!("(func $f{i} (result i32) i32.const {i})"))
                .collect::<String>(),
            n - 1
        ),
    );
    run(["--reactor", path_str(&flat), "last"])
        .code(0)
        .stdout(&format!("{}\n", n - 1));
}

#[test]
fn massive_data_segments() {
    let dir = TempDir::new();
    // 16 MiB of data in one active segment, checked at both ends.
    let len = 16 << 20;
    let data = "ab".repeat(len / 2);
    let m = dir.wasm(
        "data.wasm",
        &format!(
            r#"(module (memory 256) (data (i32.const 0) "{data}")
                 (func (export "ends") (result i32)
                   (i32.add (i32.load8_u (i32.const 0)) (i32.load8_u (i32.const {}))))) "#,
            len - 1
        ),
    );
    run(["--reactor", path_str(&m), "ends"])
        .code(0)
        .stdout(&format!("{}\n", b'a' as u32 + b'b' as u32));
    // The same segment one byte past the end of memory: an instantiation error.
    let oob = dir.wasm(
        "oob.wasm",
        &format!(r#"(module (memory 256) (data (i32.const 1) "{data}") (func (export "_start")))"#),
    );
    run([path_str(&oob)])
        .code(1)
        .stderr_has("instantiation failed")
        .stderr_has("out of bounds");
    // 100,000 small segments.
    let mut many = String::from("(module (memory 2)");
    for i in 0..100_000 {
        many.push_str(&format!("(data (i32.const {i}) \"x\")"));
    }
    many.push_str(r#"(func (export "last") (result i32) (i32.load8_u (i32.const 99999))))"#);
    let m = dir.wasm("many.wasm", &many);
    run(["--reactor", path_str(&m), "last"])
        .code(0)
        .stdout(&format!("{}\n", b'x'));
    // A passive segment copied out of bounds by memory.init traps.
    let init = dir.wasm(
        "init.wasm",
        r#"(module (memory 1) (data $d "0123456789")
             (func (export "init") (param i32 i32 i32)
               (memory.init $d (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    run(["--reactor", path_str(&init), "init", "65530", "0", "6"])
        .code(0)
        .stdout("");
    run(["--reactor", path_str(&init), "init", "65531", "0", "6"])
        .code(134)
        .stderr_has("out of bounds");
    run(["--reactor", path_str(&init), "init", "0", "5", "-1"])
        .code(134)
        .stderr_has("out of bounds");
}

// ---------------------------------------------------------------------------------------------
// Out-of-bounds probes

/// A module with one function per (access kind, static offset) pair, each taking the dynamic
/// address. Memory 0 has one page and can grow; memory 1 has no pages.
fn probe_module() -> String {
    let mut funcs = String::new();
    let kinds = [
        ("i32", "i32.load8_u", 1),
        ("i32", "i32.load", 4),
        ("i64", "i64.load", 8),
        ("v128", "v128.load", 16),
    ];
    for (ty, op, size) in kinds {
        for (name, offset) in [("0", 0u64), ("big", 0xFFFF_FFFF), ("page", 65536)] {
            funcs.push_str(&format!(
                "(func (export \"load{size}_{name}\") (param i32) \
                   (drop ({op} offset={offset} (local.get 0))))\n"
            ));
        }
        let store = op.replace("load8_u", "store8").replace("load", "store");
        let zero = if ty == "v128" {
            "v128.const i64x2 0 0"
        } else {
            &format!("{ty}.const 0")
        };
        funcs.push_str(&format!(
            "(func (export \"store{size}\") (param i32) ({store} (local.get 0) ({zero})))\n"
        ));
    }
    format!(
        r#"(module
  (memory $m0 1)
  (memory $m1 0)
  {funcs}
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_then_load") (param i32 i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (i32.load (local.get 1)))
  (func (export "m1_load") (param i32) (result i32) (i32.load $m1 (local.get 0)))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2))))
"#
    )
}

/// (function, arguments, in bounds?)
const PROBES: &[(&str, &[&str], bool)] = &[
    // the last valid byte/word of the 64 KiB page and the first invalid one
    ("load1_0", &["65535"], true),
    ("load1_0", &["65536"], false),
    ("load4_0", &["65532"], true),
    ("load4_0", &["65533"], false),
    ("load8_0", &["65528"], true),
    ("load8_0", &["65529"], false),
    ("load16_0", &["65520"], true),
    ("load16_0", &["65521"], false),
    ("store1", &["65535"], true),
    ("store1", &["65536"], false),
    ("store4", &["65532"], true),
    ("store4", &["65533"], false),
    ("store8", &["65529"], false),
    ("store16", &["65521"], false),
    // addresses near 2^32 (wrap-around must not happen)
    ("load1_0", &["-1"], false),
    ("load4_0", &["-4"], false),
    ("load4_0", &["-2"], false),
    ("load8_0", &["-8"], false),
    ("load16_0", &["-16"], false),
    ("store4", &["-1"], false),
    ("store16", &["-16"], false),
    ("load4_0", &["2147483647"], false),
    ("load4_0", &["-2147483648"], false),
    // static offset 2^32-1 plus small and large addresses: sums from 2^32-1 to 2^33-2
    ("load1_big", &["0"], false),
    ("load1_big", &["1"], false),
    ("load4_big", &["0"], false),
    ("load8_big", &["-1"], false),
    ("load16_big", &["-1"], false),
    // static offset of exactly one page: the first byte past the memory
    ("load1_page", &["0"], false),
    ("load1_page", &["-65537"], false),
    ("load4_page", &["-1"], false),
    // after growing: the new page is in bounds, the one after is not
    ("grow_then_load", &["1", "131068"], true),
    ("grow_then_load", &["1", "131069"], false),
    ("grow_then_load", &["0", "65536"], false),
    // an empty second memory
    ("m1_load", &["0"], false),
    // bulk operations with lengths reaching past the end or around 2^32
    ("fill", &["0", "65536"], true),
    ("fill", &["1", "65536"], false),
    ("fill", &["0", "-1"], false),
    ("fill", &["-1", "2"], false),
    ("copy", &["0", "1", "65535"], true),
    ("copy", &["1", "0", "65536"], false),
    ("copy", &["0", "-1", "2"], false),
    ("copy", &["-4096", "0", "8192"], false),
];

fn check_probes(run_one: impl Fn(&[&str]) -> Outcome, mode: &str) {
    let dir = TempDir::new();
    let m = dir.wasm("probe.wasm", &probe_module());
    let module = path_str(&m);
    let mut wrong = Vec::new();
    for (func, args, in_bounds) in PROBES {
        let mut argv = vec!["--reactor", module, func];
        argv.extend_from_slice(args);
        let out = run_one(&argv);
        let ok = if *in_bounds {
            out.code == 0
        } else {
            out.code == 134 && out.stderr.contains("out of bounds memory access")
        };
        if !ok {
            wrong.push(format!(
                "{func}{args:?}: expected {}, got exit {} stderr {:?}",
                if *in_bounds {
                    "success"
                } else {
                    "an out-of-bounds trap"
                },
                out.code,
                out.stderr
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{mode}: {} of {} probes wrong:\n{}",
        wrong.len(),
        PROBES.len(),
        wrong.join("\n")
    );
}

#[test]
fn out_of_bounds_probes_with_guard_page_memories() {
    check_probes(|a| run(a), "guard pages");
}

#[test]
fn out_of_bounds_probes_with_explicit_bounds_checks() {
    check_probes(run_small_address_space, "explicit checks (ulimit -v)");
}
