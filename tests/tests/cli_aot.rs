//! End-to-end tests of ahead-of-time compilation and resource limits through the `wasmedge`
//! binary: `wasmedge compile` (artifacts and universal wasm), refusal of damaged or mismatched
//! artifacts, the compile cache, `--gas-limit`, `--time-limit`, `--memory-page-limit` and the
//! statistics block.

mod cli_support;

use cli_support::{TempDir, run, run_env};
use std::ffi::OsStr;
use wasmedge_environ::artifact as format;

const GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "spin") (loop br 0))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

fn compiled(dir: &TempDir, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let wasm = dir.wasm("guest.wasm", GUEST);
    let out = dir.path().join(name);
    let mut args: Vec<&OsStr> = vec![OsStr::new("compile")];
    args.extend(extra.iter().map(OsStr::new));
    args.push(wasm.as_os_str());
    args.push(out.as_os_str());
    run(args).code(0);
    out
}

#[test]
fn compiled_artifacts_and_universal_wasm_run() {
    let dir = TempDir::new();
    let aot = compiled(&dir, "guest.aot", &[]);
    assert!(format::is_artifact(&std::fs::read(&aot).unwrap()));
    run([&aot]).code(0).stdout("hi\n");
    run([
        OsStr::new("--reactor"),
        aot.as_os_str(),
        OsStr::new("count"),
        OsStr::new("7"),
    ])
    .code(0)
    .stdout("7\n");
    let universal = compiled(&dir, "guest.universal.wasm", &["--optimize", "s"]);
    run([&universal]).code(0).stdout("hi\n");
    // A universal file whose embedded artifact does not fit this run falls back to compiling.
    run([
        OsStr::new("--gas-limit"),
        OsStr::new("1000000"),
        universal.as_os_str(),
    ])
    .code(0)
    .stdout("hi\n")
    .stderr_has("compiling the module instead");
}

/// Rewrites an artifact's header (keeping its checksum valid).
fn edited(path: &std::path::Path, edit: impl FnOnce(&mut format::Header)) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let p = format::read(&bytes).unwrap();
    let code = bytes[p.code_offset..p.code_offset + p.code_len].to_vec();
    let mut h = p.header;
    edit(&mut h);
    format::write(&h, &code)
}

#[test]
fn damaged_or_mismatched_artifacts_are_refused_with_the_reason() {
    let dir = TempDir::new();
    let aot = compiled(&dir, "guest.aot", &[]);
    let bytes = std::fs::read(&aot).unwrap();
    let truncated = dir.file("truncated.aot", &bytes[..bytes.len() / 2]);
    run([&truncated]).code(1).stderr_has("truncated");
    let mut flipped = bytes.clone();
    flipped[bytes.len() - 100] ^= 0x04;
    let flipped = dir.file("flipped.aot", &flipped);
    run([&flipped])
        .code(1)
        .stderr_has("checksum does not match");
    let old = dir.file(
        "old.aot",
        &edited(&aot, |h| h.runtime_version = "0.0.1".into()),
    );
    run([&old])
        .code(1)
        .stderr_has("compiled by runtime version 0.0.1")
        .stderr_has("recompile");
    let cpu = dir.file(
        "cpu.aot",
        &edited(&aot, |h| h.isa_flags.push("has_avx10_2".into())),
    );
    run([&cpu])
        .code(1)
        .stderr_has("CPU feature `has_avx10_2`")
        .stderr_has("--generic-binary");
    run([
        OsStr::new("--time-limit"),
        OsStr::new("100"),
        OsStr::new("--reactor"),
        aot.as_os_str(),
        OsStr::new("spin"),
    ])
    .code(1)
    .stderr_has("--interruptible");
}

#[test]
fn generic_binaries_and_metered_artifacts_run() {
    let dir = TempDir::new();
    let generic = compiled(&dir, "generic.aot", &["--generic-binary"]);
    run([&generic]).code(0).stdout("hi\n");
    let metered = compiled(&dir, "metered.aot", &["--enable-gas-measuring"]);
    run([
        OsStr::new("--gas-limit"),
        OsStr::new("803"),
        OsStr::new("--reactor"),
        metered.as_os_str(),
        OsStr::new("count"),
        OsStr::new("100"),
    ])
    .code(134)
    .stderr_has("gas limit");
}

#[test]
fn gas_limit_stops_at_the_exact_instruction_budget() {
    let dir = TempDir::new();
    let m = dir.wasm("guest.wasm", GUEST);
    // count(100) executes exactly 804 instructions (8 per iteration, 4 more around the loop).
    let arg = |g: &str| {
        run([
            OsStr::new("--gas-limit"),
            OsStr::new(g),
            OsStr::new("--reactor"),
            m.as_os_str(),
            OsStr::new("count"),
            OsStr::new("100"),
        ])
    };
    arg("804").code(0).stdout("100\n");
    arg("803")
        .code(134)
        .stderr_has("cost limit exceeded (gas limit)");
    run([
        OsStr::new("--enable-all-statistics"),
        OsStr::new("--reactor"),
        m.as_os_str(),
        OsStr::new("count"),
        OsStr::new("100"),
    ])
    .code(0)
    .stdout("100\n")
    .stderr_has("====================  Statistics  ====================")
    .stderr_has(" Executed wasm instructions count: 804")
    .stderr_has(" Gas costs: 804")
    .stderr_has("=======================   End   ======================");
}

#[test]
fn time_limit_interrupts_a_loop_without_calls() {
    let dir = TempDir::new();
    let m = dir.wasm("guest.wasm", GUEST);
    let out = run([
        OsStr::new("--time-limit"),
        OsStr::new("100"),
        OsStr::new("--enable-time-measuring"),
        OsStr::new("--reactor"),
        m.as_os_str(),
        OsStr::new("spin"),
    ]);
    out.code(134).stderr_has("interrupted (time limit reached)");
    // The statistics block measures the run itself, without process start-up and compiling.
    let ns: u64 = out
        .stderr
        .lines()
        .find_map(|l| l.split(" Total execution time: ").nth(1))
        .and_then(|t| t.trim_end_matches(" ns").parse().ok())
        .expect("a total execution time line");
    println!(
        "--time-limit 100 stopped `loop br 0` after {} ms",
        ns / 1_000_000
    );
    assert!(
        (100_000_000..200_000_000).contains(&ns),
        "stopped after {ns} ns"
    );
}

#[test]
fn memory_page_limit_makes_grow_fail() {
    let dir = TempDir::new();
    let m = dir.wasm("guest.wasm", GUEST);
    let grow = |n: &str| {
        run([
            OsStr::new("--memory-page-limit"),
            OsStr::new("3"),
            OsStr::new("--reactor"),
            m.as_os_str(),
            OsStr::new("grow"),
            OsStr::new(n),
        ])
    };
    grow("2").code(0).stdout("1\n");
    grow("3").code(0).stdout("-1\n");
}

#[test]
fn the_compile_cache_is_used_repaired_and_can_be_turned_off() {
    let dir = TempDir::new();
    let m = dir.wasm("guest.wasm", GUEST);
    let cache = dir.path().join("cache");
    let env = [("WASMEDGE_RS_CACHE_DIR", cache.as_os_str())];
    run_env([&m], &env).code(0).stdout("hi\n");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "one artifact cached");
    assert!(format::read(&std::fs::read(&entries[0]).unwrap()).is_ok());
    run_env([&m], &env).code(0).stdout("hi\n");
    std::fs::write(&entries[0], b"garbage").unwrap();
    run_env([&m], &env)
        .code(0)
        .stdout("hi\n")
        .stderr_has("discarded a broken compile-cache entry");
    assert!(
        format::read(&std::fs::read(&entries[0]).unwrap()).is_ok(),
        "the entry was rebuilt"
    );
    let other = dir.path().join("cache2");
    run_env(
        [OsStr::new("--no-compile-cache"), m.as_os_str()],
        &[("WASMEDGE_RS_CACHE_DIR", other.as_os_str())],
    )
    .code(0);
    assert!(!other.exists(), "--no-compile-cache writes nothing");
}

#[test]
fn explicit_bounds_checks_are_used_when_address_space_is_limited() {
    // Under `ulimit -v` the 8 GiB guard-page reservation fails; the engine must fall back to
    // explicit bounds checks on its own and still trap exactly at the boundary.
    let dir = TempDir::new();
    let m = dir.wasm(
        "oob.wasm",
        r#"(module (memory 1)
            (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
            (func (export "grow_and_store") (result i32)
                (drop (memory.grow (i32.const 1)))
                (i32.store (i32.const 131068) (i32.const 42))
                (i32.load (i32.const 131068))))"#,
    );
    let bin = cli_support::wasmedge();
    let script = format!(
        "ulimit -v 3000000 && {b} --no-compile-cache --reactor {m} load 65532 && \
         {b} --no-compile-cache --reactor {m} grow_and_store; \
         {b} --no-compile-cache --reactor {m} load 65533; echo \"rc=$?\"",
        b = bin.display(),
        m = m.display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout, "0\n42\nrc=134\n", "stderr: {stderr}");
    assert!(stderr.contains("out of bounds memory access"), "{stderr}");
}
