//! End-to-end tests of `v128` through the embedding API: values passed in and out of wasm and
//! host functions, globals, control flow carrying vectors, memory accesses and their bounds
//! checks under both memory strategies, and the fixed relaxed-SIMD behaviours.

use crate::*;

fn instantiate(config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

fn run(wat: &str) -> (Store<()>, Instance) {
    instantiate(&Config::new(), wat)
}

fn i32x4(l: [i32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |acc, (i, x)| acc | (u128::from(*x as u32) << (32 * i)))
}

fn f32x4(l: [f32; 4]) -> u128 {
    i32x4(l.map(|x| x.to_bits() as i32))
}

fn i16x8(l: [i16; 8]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |acc, (i, x)| acc | (u128::from(*x as u16) << (16 * i)))
}

fn i8x16(l: [i8; 16]) -> u128 {
    u128::from_le_bytes(l.map(|x| x as u8))
}

/// Calls export `name` and returns its results.
fn call(store: &mut Store<()>, inst: &Instance, name: &str, params: &[Val]) -> Result<Vec<Val>> {
    let f = inst.get_func(store, name).unwrap();
    let mut results = vec![Val::I32(0); f.ty(store).results().len()];
    f.call(store, params, &mut results)?;
    Ok(results)
}

fn call_v128(store: &mut Store<()>, inst: &Instance, name: &str, params: &[Val]) -> u128 {
    call(store, inst, name, params).unwrap()[0].v128().unwrap()
}

fn trap_code(r: Result<Vec<Val>>) -> TrapCode {
    r.unwrap_err().as_trap().expect("a trap").code
}

#[test]
fn v128_params_results_and_control_flow() {
    let (mut store, inst) = run(r#"(module
        (func $add (export "add") (param v128 v128) (result v128)
            (i32x4.add (local.get 0) (local.get 1)))
        ;; A vector result of one lane type used as another, through a call, a block result,
        ;; a select and a loop parameter.
        (func (export "mix") (param $a v128) (param $n i32) (result v128 i32)
            (local $t v128)
            (local.set $t (call $add (local.get $a) (local.get $a)))
            (block (result v128)
                (i16x8.add (local.get $t) (v128.const i16x8 1 1 1 1 1 1 1 1)))
            (select (result v128) (local.get $a) (i32.const 1))
            (loop $l (param v128) (result v128)
                (i8x16.add (v128.const i8x16 1 0 0 0 1 0 0 0 1 0 0 0 1 0 0 0))
                (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
                (br_if $l)
            )
            (i32x4.extract_lane 3 (local.get $t)))
        (func (export "swap") (param v128 v128) (result v128 v128)
            (local.get 1) (local.get 0)))"#);
    let a = i32x4([1, 2, 3, -4]);
    let b = i32x4([10, 20, 30, 40]);
    assert_eq!(
        call_v128(&mut store, &inst, "add", &[Val::V128(a), Val::V128(b)]),
        i32x4([11, 22, 33, 36])
    );
    // t = 2a; +1 in every i16 lane (the low halves); +1 in byte 0 of every i32 lane, 3 times.
    let r = call(&mut store, &inst, "mix", &[Val::V128(a), Val::I32(3)]).unwrap();
    assert_eq!(
        r[0].v128(),
        Some(i32x4([
            2 + 0x1_0001 + 3,
            4 + 0x1_0001 + 3,
            6 + 0x1_0001 + 3,
            -8 + 0x1_0001 + 3
        ]))
    );
    assert_eq!(r[1].i32(), Some(-8));
    let r = call(&mut store, &inst, "swap", &[Val::V128(a), Val::V128(b)]).unwrap();
    assert_eq!((r[0].v128(), r[1].v128()), (Some(b), Some(a)));
}

#[test]
fn v128_globals_and_host_functions() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
        (import "env" "twice" (func $twice (param v128 i32) (result v128)))
        (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
        (func (export "run") (param v128) (result v128)
            (global.set $g (call $twice (i32x4.mul (local.get 0) (global.get $g)) (i32.const 7)))
            (global.get $g)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "env",
            "twice",
            FuncType::new([ValType::V128, ValType::I32], [ValType::V128]),
            |_, p, r| {
                let v = p[0].v128().unwrap();
                assert_eq!(p[1].i32(), Some(7));
                let lanes: [i32; 4] = std::array::from_fn(|i| (v >> (32 * i)) as i32);
                r[0] = Val::V128(i32x4(lanes.map(|x| x.wrapping_mul(2))));
                Ok(())
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let g = inst.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).v128(), Some(i32x4([1, 2, 3, 4])));
    let f = inst.get_func(&store, "run").unwrap();
    let mut out = [Val::V128(0)];
    f.call(&mut store, &[Val::V128(i32x4([5, 6, 7, 8]))], &mut out)
        .unwrap();
    let expect = i32x4([10, 24, 42, 64]);
    assert_eq!(out[0].v128(), Some(expect));
    assert_eq!(g.get(&store).v128(), Some(expect));
    g.set(&mut store, Val::V128(u128::MAX)).unwrap();
    f.call(&mut store, &[Val::V128(i32x4([1, 1, 1, 1]))], &mut out)
        .unwrap();
    assert_eq!(out[0].v128(), Some(i32x4([-2, -2, -2, -2])));
}

const MEMORY_WAT: &str = r#"(module
    (memory (export "mem") 1)
    (func (export "load") (param i32) (result v128) (v128.load offset=1 (local.get 0)))
    (func (export "store") (param i32 v128) (v128.store (local.get 0) (local.get 1)))
    (func (export "load8x8_s") (param i32) (result v128) (v128.load8x8_s (local.get 0)))
    (func (export "load32x2_u") (param i32) (result v128) (v128.load32x2_u (local.get 0)))
    (func (export "load16_splat") (param i32) (result v128) (v128.load16_splat (local.get 0)))
    (func (export "load64_zero") (param i32) (result v128) (v128.load64_zero (local.get 0)))
    (func (export "load32_lane") (param i32 v128) (result v128)
        (v128.load32_lane 2 (local.get 0) (local.get 1)))
    (func (export "store16_lane") (param i32 v128) (v128.store16_lane 7 (local.get 0) (local.get 1)))
    (func (export "store64_lane") (param i32 v128)
        (v128.store64_lane offset=65535 1 (local.get 0) (local.get 1))))"#;

fn memory_ops_with(strategy: MemoryStrategy) {
    let mut config = Config::new();
    config.memory_strategy(strategy);
    let (mut store, inst) = instantiate(&config, MEMORY_WAT);
    let mem = inst.get_memory(&store, "mem").unwrap();
    let bytes: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37)).collect();
    mem.write(&mut store, 65504, &bytes).unwrap();
    let s = &mut store;
    let v = |x: u128| Val::V128(x);
    let i = Val::I32;
    let last16 = u128::from_le_bytes(bytes[16..].try_into().unwrap());
    // With offset=1, index 65519 reads the last 16 bytes of memory.
    assert_eq!(call_v128(s, &inst, "load", &[i(65519)]), last16);
    assert_eq!(
        trap_code(call(s, &inst, "load", &[i(65520)])),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        trap_code(call(s, &inst, "load", &[i(-1)])),
        TrapCode::MemoryOutOfBounds
    );
    let pattern = i32x4([1, 2, 3, 4]);
    call(s, &inst, "store", &[i(65520), v(pattern)]).unwrap();
    assert_eq!(
        trap_code(call(s, &inst, "store", &[i(65521), v(pattern)])),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(call_v128(s, &inst, "load", &[i(65519)]), pattern);
    // Extending loads read 8 bytes.
    call(
        s,
        &inst,
        "store",
        &[
            i(65520),
            v(i8x16([-1, 2, -3, 4, -5, 6, -7, 8, 9, 9, 9, 9, 9, 9, 9, 9])),
        ],
    )
    .unwrap();
    assert_eq!(
        call_v128(s, &inst, "load8x8_s", &[i(65520)]),
        i16x8([-1, 2, -3, 4, -5, 6, -7, 8])
    );
    assert_eq!(call_v128(s, &inst, "load8x8_s", &[i(65528)]), i16x8([9; 8]));
    assert_eq!(
        trap_code(call(s, &inst, "load8x8_s", &[i(65529)])),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        call_v128(s, &inst, "load32x2_u", &[i(65520)]),
        u128::from(0x04fd_02ffu32) | (u128::from(0x08f9_06fbu32) << 64)
    );
    assert_eq!(
        call_v128(s, &inst, "load16_splat", &[i(65534)]),
        i16x8([0x0909; 8])
    );
    assert_eq!(
        trap_code(call(s, &inst, "load16_splat", &[i(65535)])),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        call_v128(s, &inst, "load64_zero", &[i(65528)]),
        u128::from(0x0909_0909_0909_0909u64)
    );
    assert_eq!(
        trap_code(call(s, &inst, "load64_zero", &[i(65529)])),
        TrapCode::MemoryOutOfBounds
    );
    // Lane loads replace one lane and keep the others.
    assert_eq!(
        call_v128(s, &inst, "load32_lane", &[i(65532), v(i32x4([1, 2, 3, 4]))]),
        i32x4([1, 2, 0x0909_0909, 4])
    );
    assert_eq!(
        trap_code(call(s, &inst, "load32_lane", &[i(65533), v(0)])),
        TrapCode::MemoryOutOfBounds
    );
    call(
        s,
        &inst,
        "store16_lane",
        &[i(65534), v(i16x8([0, 0, 0, 0, 0, 0, 0, 0x1234]))],
    )
    .unwrap();
    assert_eq!(&mem.data(s)[65534..], &[0x34, 0x12]);
    assert_eq!(
        trap_code(call(s, &inst, "store16_lane", &[i(65535), v(0)])),
        TrapCode::MemoryOutOfBounds
    );
    // offset=65535 plus index 0 is in bounds only for accesses that fit in 1 byte: 8 do not.
    assert_eq!(
        trap_code(call(s, &inst, "store64_lane", &[i(0), v(0)])),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        trap_code(call(s, &inst, "store64_lane", &[i(-1), v(0)])),
        TrapCode::MemoryOutOfBounds
    );
    // The store did not happen partially.
    assert_eq!(&mem.data(s)[65534..], &[0x34, 0x12]);
}

#[test]
fn v128_memory_ops_and_bounds_with_guard_pages() {
    memory_ops_with(MemoryStrategy::Auto);
}

#[test]
fn v128_memory_ops_and_bounds_with_explicit_checks() {
    memory_ops_with(MemoryStrategy::Explicit);
}

#[test]
fn lane_semantics_edge_cases() {
    let (mut store, inst) = run(r#"(module
        (func (export "shl") (param v128 i32) (result v128) (i16x8.shl (local.get 0) (local.get 1)))
        (func (export "shr_s") (param v128 i32) (result v128) (i8x16.shr_s (local.get 0) (local.get 1)))
        (func (export "bitmask") (param v128) (result i32) (i32x4.bitmask (local.get 0)))
        (func (export "all_true") (param v128) (result i32) (i16x8.all_true (local.get 0)))
        (func (export "any_true") (param v128) (result i32) (v128.any_true (local.get 0)))
        (func (export "min") (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))
        (func (export "pmin") (param v128 v128) (result v128) (f32x4.pmin (local.get 0) (local.get 1)))
        (func (export "shuffle") (param v128 v128) (result v128)
            (i8x16.shuffle 31 0 30 1 29 2 28 3 27 4 26 5 25 6 24 7 (local.get 0) (local.get 1)))
        (func (export "trunc_sat_u") (param v128) (result v128) (i32x4.trunc_sat_f64x2_u_zero (local.get 0)))
        (func (export "narrow_u") (param v128 v128) (result v128) (i8x16.narrow_i16x8_u (local.get 0) (local.get 1))))"#);
    let s = &mut store;
    let v = |x: u128| Val::V128(x);
    // Shift counts are taken modulo the lane width.
    assert_eq!(
        call_v128(s, &inst, "shl", &[v(i16x8([1; 8])), Val::I32(17)]),
        i16x8([2; 8])
    );
    assert_eq!(
        call_v128(s, &inst, "shr_s", &[v(i8x16([-128; 16])), Val::I32(-1)]),
        i8x16([-1; 16])
    );
    let r = |s: &mut Store<()>, name, x| call(s, &inst, name, &[v(x)]).unwrap()[0].i32().unwrap();
    assert_eq!(r(s, "bitmask", i32x4([-1, 0, i32::MIN, 5])), 0b0101);
    assert_eq!(r(s, "all_true", i16x8([1, 2, 3, 4, 5, 6, 7, -1])), 1);
    assert_eq!(r(s, "all_true", i16x8([1, 2, 3, 4, 5, 6, 0, -1])), 0);
    assert_eq!(r(s, "any_true", 1 << 127), 1);
    assert_eq!(r(s, "any_true", 0), 0);
    // min propagates NaN and orders -0 below +0; pmin is `b < a ? b : a`.
    let a = f32x4([f32::NAN, 0.0, 1.0, -0.0]);
    let b = f32x4([1.0, -0.0, f32::NAN, 0.0]);
    let m = call_v128(s, &inst, "min", &[v(a), v(b)]);
    let lane = |x: u128, i: usize| f32::from_bits((x >> (32 * i)) as u32);
    assert!(lane(m, 0).is_nan() && lane(m, 2).is_nan());
    assert_eq!(
        (lane(m, 1).to_bits(), lane(m, 3).to_bits()),
        ((-0.0f32).to_bits(), (-0.0f32).to_bits())
    );
    let p = call_v128(s, &inst, "pmin", &[v(a), v(b)]);
    assert!(lane(p, 0).is_nan());
    assert_eq!([lane(p, 1), lane(p, 2)], [0.0, 1.0]);
    assert_eq!(lane(p, 1).to_bits(), 0.0f32.to_bits());
    let a = u128::from_le_bytes(std::array::from_fn(|i| i as u8));
    let b = u128::from_le_bytes(std::array::from_fn(|i| 16 + i as u8));
    assert_eq!(
        call_v128(s, &inst, "shuffle", &[v(a), v(b)]),
        u128::from_le_bytes([31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7])
    );
    let d = |x: f64| u128::from(x.to_bits());
    assert_eq!(
        call_v128(s, &inst, "trunc_sat_u", &[v(d(-3.5) | (d(5e9) << 64))]),
        i32x4([0, -1, 0, 0])
    );
    assert_eq!(
        call_v128(
            s,
            &inst,
            "narrow_u",
            &[v(i16x8([-1, 0, 255, 256, 7, 0, 0, 0])), v(i16x8([300; 8]))]
        ),
        u128::from_le_bytes([
            0, 0, 255, 255, 7, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255
        ])
    );
}

#[test]
fn relaxed_simd_behaviours_are_the_documented_ones() {
    let (mut store, inst) = run(r#"(module
        (func (export "madd") (param v128 v128 v128) (result v128)
            (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
        (func (export "nmadd") (param v128 v128 v128) (result v128)
            (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
        (func (export "swizzle") (param v128 v128) (result v128)
            (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
        (func (export "trunc") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
        (func (export "laneselect") (param v128 v128 v128) (result v128)
            (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
        (func (export "q15") (param v128 v128) (result v128)
            (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
        (func (export "dot") (param v128 v128) (result v128)
            (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
        (func (export "dot_add") (param v128 v128 v128) (result v128)
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))))"#);
    let s = &mut store;
    let v = |x: u128| Val::V128(x);
    // Unfused: FLT_MAX * 2 overflows to inf before the add.
    let max = f32x4([f32::MAX; 4]);
    let two = f32x4([2.0; 4]);
    let neg_max = f32x4([-f32::MAX; 4]);
    assert_eq!(
        call_v128(s, &inst, "madd", &[v(max), v(two), v(neg_max)]),
        f32x4([f32::INFINITY; 4])
    );
    // (1 + 2^-22)(1 + 2^-15) - (1 + 2^-15 + 2^-22) is 2^-37 fused, 0 with two roundings.
    let x = f32x4([f32::from_bits(0x3f80_0002); 4]);
    let y = f32x4([f32::from_bits(0x3f80_0100); 4]);
    let z = f32x4([-f32::from_bits(0x3f80_0102); 4]);
    assert_eq!(
        call_v128(s, &inst, "madd", &[v(x), v(y), v(z)]),
        f32x4([0.0; 4])
    );
    let neg_x = f32x4([-f32::from_bits(0x3f80_0002); 4]);
    assert_eq!(
        call_v128(s, &inst, "nmadd", &[v(neg_x), v(y), v(z)]),
        f32x4([0.0; 4])
    );
    // Out-of-range swizzle indices select 0, also below 128.
    let table = u128::from_le_bytes(std::array::from_fn(|i| 100 + i as u8));
    let idx = u128::from_le_bytes([0, 15, 16, 17, 127, 128, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(
        call_v128(s, &inst, "swizzle", &[v(table), v(idx)]),
        u128::from_le_bytes([
            100, 115, 0, 0, 0, 0, 0, 101, 102, 103, 104, 105, 106, 107, 108, 109
        ])
    );
    // Truncation saturates and maps NaN to 0.
    assert_eq!(
        call_v128(s, &inst, "trunc", &[v(f32x4([f32::NAN, 3e9, -3e9, -1.9]))]),
        i32x4([0, i32::MAX, i32::MIN, -1])
    );
    // Laneselect is bitwise: a mask lane that is not all-ones or all-zeros mixes bits.
    assert_eq!(
        call_v128(
            s,
            &inst,
            "laneselect",
            &[
                v(i32x4([0x1111_1111; 4])),
                v(i32x4([0x2222_2222; 4])),
                v(i32x4([-1, 0, 0x0000_ffff, i32::MIN])),
            ]
        ),
        i32x4([0x1111_1111, 0x2222_2222, 0x2222_1111, 0x2222_2222])
    );
    // q15mulr saturates -1 * -1.
    assert_eq!(
        call_v128(
            s,
            &inst,
            "q15",
            &[
                v(i16x8([i16::MIN, 16384, 0, 0, 0, 0, 0, 0])),
                v(i16x8([i16::MIN, 16384, 0, 0, 0, 0, 0, 0]))
            ]
        ),
        i16x8([i16::MAX, 8192, 0, 0, 0, 0, 0, 0])
    );
    // Both dot operands are signed; the 16-bit sums wrap.
    let a = i8x16([-128, -128, -128, -128, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = i8x16([-127, -127, -128, -128, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        call_v128(s, &inst, "dot", &[v(a), v(b)]),
        i16x8([32512, i16::MIN, 11, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        call_v128(s, &inst, "dot_add", &[v(a), v(b), v(i32x4([1, 2, 3, 4]))]),
        i32x4([32512 - 32768 + 1, 11 + 2, 3, 4])
    );
}
