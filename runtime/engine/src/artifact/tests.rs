//! Artifacts end to end: round trips (memory, file, universal wasm, cache) and refusal of
//! truncated, corrupted, wrong-version, wrong-CPU and wrong-settings artifacts.

use super::*;
use crate::*;

const WAT: &str = r#"(module
    (import "env" "twice" (func $twice (param i32) (result i32)))
    (memory (export "mem") 1)
    (data (i32.const 8) "hello")
    (func (export "run") (param i32) (result i32)
        (call $twice (i32.add (local.get 0) (i32.load8_u (i32.const 8)))))
    (func (export "trap") unreachable))"#;

fn call_run(engine: &Engine, module: &Module) -> (i32, Error) {
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new(engine);
    linker
        .func_new(
            "env",
            "twice",
            FuncType::new([ValType::I32], [ValType::I32]),
            |_, p, r| {
                r[0] = Val::I32(p[0].i32().unwrap() * 2);
                Ok(())
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    let trap = inst.get_typed_func::<(), ()>(&store, "trap").unwrap();
    (
        run.call(&mut store, 1).unwrap(),
        trap.call(&mut store, ()).unwrap_err(),
    )
}

fn artifact() -> (Engine, Vec<u8>) {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).unwrap();
    let bytes = module.serialize();
    (engine, bytes)
}

/// Re-encodes an artifact after `edit` changed its header (so the checksum is valid).
fn reencode(bytes: &[u8], edit: impl FnOnce(&mut format::Header)) -> Vec<u8> {
    let p = format::read(bytes).unwrap();
    let code = bytes[p.code_offset..p.code_offset + p.code_len].to_vec();
    let mut h = p.header;
    edit(&mut h);
    format::write(&h, &code)
}

fn refusal(engine: &Engine, bytes: &[u8]) -> String {
    // SAFETY: these are artifacts this runtime made (possibly damaged on purpose).
    match unsafe { Module::deserialize(engine, bytes) } {
        Ok(_) => panic!("a bad artifact was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn round_trip_runs_the_same_code() {
    let (engine, bytes) = artifact();
    // SAFETY: made just above.
    let module = unsafe { Module::deserialize(&engine, &bytes) }.unwrap();
    let (r, e) = call_run(&engine, &module);
    assert_eq!(r, (1 + 104) * 2);
    let t = e.as_trap().unwrap();
    assert_eq!(t.code, TrapCode::UnreachableCodeReached);
    assert_eq!(
        t.function.as_deref(),
        Some("trap"),
        "trap tables and names survive"
    );
}

#[test]
fn file_artifacts_are_mapped_and_universal_wasm_carries_one() {
    let (engine, bytes) = artifact();
    let dir = std::env::temp_dir().join(format!("wasmedge-rs-artifact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.aot");
    std::fs::write(&path, &bytes).unwrap();
    // SAFETY: made just above.
    let module = unsafe { deserialize_file(&engine, &path) }.unwrap();
    assert_eq!(call_run(&engine, &module).0, 210);
    let universal = to_universal_wasm(&module);
    let embedded = embedded_artifact(&universal).expect("custom section present");
    // SAFETY: made just above.
    let again = unsafe { Module::deserialize(&engine, embedded) }.unwrap();
    assert_eq!(call_run(&engine, &again).0, 210);
    // The universal file is still a valid module for any runtime.
    assert_eq!(
        call_run(&engine, &Module::new(&engine, &universal).unwrap()).0,
        210
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_and_mismatched_artifacts_are_refused_with_the_reason() {
    let (engine, bytes) = artifact();
    let e = refusal(&engine, &bytes[..bytes.len() - 100]);
    assert!(e.contains("truncated"), "{e}");
    let mut flipped = bytes.clone();
    let p = format::read(&bytes).unwrap();
    flipped[p.code_offset + 5] ^= 0x10;
    let e = refusal(&engine, &flipped);
    assert!(e.contains("checksum") && e.contains("corrupted"), "{e}");
    let e = refusal(
        &engine,
        &reencode(&bytes, |h| h.runtime_version = "0.0.1-old".into()),
    );
    assert!(
        e.contains("compiled by runtime version 0.0.1-old") && e.contains("recompile"),
        "{e}"
    );
    let e = refusal(
        &engine,
        &reencode(&bytes, |h| h.isa_flags.push("has_imaginary_avx9000".into())),
    );
    assert!(
        e.contains("CPU feature `has_imaginary_avx9000`") && e.contains("--generic-binary"),
        "{e}"
    );
    let e = refusal(
        &engine,
        &reencode(&bytes, |h| h.triple = "aarch64-apple-darwin".into()),
    );
    assert!(e.contains("targets aarch64-apple-darwin"), "{e}");
    let mut c = Config::new();
    c.consume_fuel(true);
    let e = refusal(&Engine::new(&c).unwrap(), &bytes);
    assert!(
        e.contains("gas metering off") && e.contains("gas metering on"),
        "{e}"
    );
    let mut version = bytes.clone();
    version[16] = 99;
    let e = refusal(&engine, &version);
    assert!(e.contains("format version 99"), "{e}");
    assert!(refusal(&engine, b"not an artifact at all").contains("bad magic"));
}

#[test]
fn generic_binaries_load_on_this_host() {
    let mut c = Config::new();
    c.generic_cpu(true);
    let generic = Engine::new(&c).unwrap();
    let bytes = Module::new(&generic, WAT).unwrap().serialize();
    let host = Engine::default();
    // SAFETY: made just above.
    let module = unsafe { Module::deserialize(&host, &bytes) }.unwrap();
    assert_eq!(call_run(&host, &module).0, 210);
}

#[test]
fn the_cache_stores_reuses_and_replaces_broken_entries() {
    let engine = Engine::default();
    let wasm = wat::parse_str(WAT).unwrap();
    let dir = std::env::temp_dir().join(format!("wasmedge-rs-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (m, o) = cache::load_or_compile(&engine, &wasm, &dir).unwrap();
    assert_eq!(o, cache::Outcome::Stored);
    assert_eq!(call_run(&engine, &m).0, 210);
    let (m, o) = cache::load_or_compile(&engine, &wasm, &dir).unwrap();
    assert_eq!(o, cache::Outcome::Hit);
    assert_eq!(call_run(&engine, &m).0, 210);
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&entry).unwrap();
    let n = bytes.len();
    bytes[n - 40] ^= 1;
    std::fs::write(&entry, &bytes).unwrap();
    let (m, o) = cache::load_or_compile(&engine, &wasm, &dir).unwrap();
    assert!(
        matches!(o, cache::Outcome::Replaced(ref why) if why.contains("checksum")),
        "{o:?}"
    );
    assert_eq!(call_run(&engine, &m).0, 210);
    assert_eq!(
        cache::load_or_compile(&engine, &wasm, &dir).unwrap().1,
        cache::Outcome::Hit
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
