//! Unit tests for `values.rs`: argument conversion and result/NaN matching.
//!
//! Only exercises pure conversions; must not need a working runtime (no store, no engine).

use super::*;
use wast::core::V128Const;

fn f32p(bits: u32) -> NanPattern<F32> {
    NanPattern::Value(F32 { bits })
}

fn f64p(bits: u64) -> NanPattern<F64> {
    NanPattern::Value(F64 { bits })
}

fn parse_assert_return(src: &str, f: impl FnOnce(&WastRetCore<'_>)) {
    let buf = wast::parser::ParseBuffer::new(src).unwrap();
    let wast = wast::parser::parse::<wast::Wast<'_>>(&buf).unwrap();
    match &wast.directives[0] {
        wast::WastDirective::AssertReturn { results, .. } => match &results[0] {
            WastRet::Core(r) => f(r),
            other => panic!("not a core result: {other:?}"),
        },
        other => panic!("not assert_return: {other:?}"),
    }
}

#[test]
fn scalar_args() {
    let v = core_arg_to_val(&WastArgCore::I32(-1)).unwrap();
    assert_eq!(v.i32(), Some(-1));
    let v = core_arg_to_val(&WastArgCore::I64(i64::MIN)).unwrap();
    assert_eq!(v.i64(), Some(i64::MIN));
    // NaN payloads must survive: floats are passed as raw bits.
    let v = core_arg_to_val(&WastArgCore::F32(F32 { bits: 0x7fa0_0001 })).unwrap();
    assert!(matches!(v, Val::F32(0x7fa0_0001)));
    let v = core_arg_to_val(&WastArgCore::F64(F64 {
        bits: 0xfff0_0000_0000_0001,
    }))
    .unwrap();
    assert!(matches!(v, Val::F64(0xfff0_0000_0000_0001)));
}

#[test]
fn v128_arg_is_little_endian() {
    let c = V128Const::I32x4([1, 2, 3, -1]);
    let v = core_arg_to_val(&WastArgCore::V128(c))
        .unwrap()
        .v128()
        .unwrap();
    assert_eq!(v & 0xffff_ffff, 1);
    assert_eq!((v >> 32) & 0xffff_ffff, 2);
    assert_eq!(v >> 96, 0xffff_ffff);
    let pattern = V128Pattern::I32x4([1, 2, 3, -1]);
    assert!(v128_matches(&pattern, v));
    assert!(!v128_matches(&V128Pattern::I32x4([1, 2, 3, 4]), v));
    assert!(v128_matches(
        &V128Pattern::I8x16([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, -1, -1, -1, -1]),
        v
    ));
    assert!(v128_matches(
        &V128Pattern::I64x2([0x2_0000_0001, -0xfffffffd]),
        v
    ));
}

#[test]
fn reference_args() {
    let heap = |ty| HeapType::Abstract { shared: false, ty };
    assert!(matches!(
        core_arg_to_val(&WastArgCore::RefNull(heap(AbstractHeapType::Func))).unwrap(),
        Val::FuncRef(None)
    ));
    assert!(matches!(
        core_arg_to_val(&WastArgCore::RefNull(heap(AbstractHeapType::Extern))).unwrap(),
        Val::ExternRef(None)
    ));
    assert!(core_arg_to_val(&WastArgCore::RefNull(heap(AbstractHeapType::Any))).is_err());
    let v = core_arg_to_val(&WastArgCore::RefExtern(7)).unwrap();
    let Val::ExternRef(Some(r)) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(extern_number(r), Some(7));
    assert!(core_ret_matches(&WastRetCore::RefExtern(Some(7)), &v).unwrap());
    assert!(!core_ret_matches(&WastRetCore::RefExtern(Some(8)), &v).unwrap());
    assert!(core_ret_matches(&WastRetCore::RefExtern(None), &v).unwrap());
    assert!(!core_ret_matches(&WastRetCore::RefNull(None), &v).unwrap());
    assert!(core_ret_matches(&WastRetCore::RefNull(None), &Val::ExternRef(None)).unwrap());
    assert!(core_ret_matches(&WastRetCore::RefNull(None), &Val::FuncRef(None)).unwrap());
    let func_null = WastRetCore::RefNull(Some(heap(AbstractHeapType::Func)));
    assert!(core_ret_matches(&func_null, &Val::FuncRef(None)).unwrap());
    assert!(!core_ret_matches(&func_null, &Val::ExternRef(None)).unwrap());
    assert!(core_ret_matches(&WastRetCore::RefAny, &v).is_err());
}

#[test]
fn f32_nan_patterns() {
    let canonical = 0x7fc0_0000;
    let neg_canonical = 0xffc0_0000;
    let arithmetic = 0x7fc0_0001;
    let signalling = 0x7fa0_0000;
    assert!(f32_matches(&NanPattern::CanonicalNan, canonical));
    assert!(f32_matches(&NanPattern::CanonicalNan, neg_canonical));
    assert!(!f32_matches(&NanPattern::CanonicalNan, arithmetic));
    assert!(!f32_matches(&NanPattern::CanonicalNan, signalling));
    assert!(!f32_matches(&NanPattern::CanonicalNan, 0x7f80_0000)); // infinity
    assert!(f32_matches(&NanPattern::ArithmeticNan, canonical));
    assert!(f32_matches(&NanPattern::ArithmeticNan, arithmetic));
    assert!(f32_matches(&NanPattern::ArithmeticNan, 0xffff_ffff));
    assert!(!f32_matches(&NanPattern::ArithmeticNan, signalling));
    assert!(!f32_matches(&NanPattern::ArithmeticNan, 1.0f32.to_bits()));
    // Exact values compare bits: -0 is not +0, and a NaN payload must match exactly.
    assert!(f32_matches(&f32p(0x8000_0000), 0x8000_0000));
    assert!(!f32_matches(&f32p(0x8000_0000), 0));
    assert!(!f32_matches(&f32p(0x7fa0_0000), 0x7fc0_0000));
}

#[test]
fn f64_nan_patterns() {
    let canonical = 0x7ff8_0000_0000_0000;
    assert!(f64_matches(&NanPattern::CanonicalNan, canonical));
    assert!(f64_matches(&NanPattern::CanonicalNan, canonical | 1 << 63));
    assert!(!f64_matches(&NanPattern::CanonicalNan, canonical | 1));
    assert!(f64_matches(&NanPattern::ArithmeticNan, canonical | 1));
    assert!(!f64_matches(
        &NanPattern::ArithmeticNan,
        0x7ff4_0000_0000_0000
    ));
    assert!(!f64_matches(
        &NanPattern::ArithmeticNan,
        f64::INFINITY.to_bits()
    ));
    assert!(f64_matches(&f64p(1.5f64.to_bits()), 1.5f64.to_bits()));
    assert!(!f64_matches(&f64p(0), 1 << 63));
}

#[test]
fn v128_float_lanes() {
    let lanes = [0x7fc0_0000u32, 0x7fc0_0001, 1.0f32.to_bits(), 0xffc0_0000];
    let mut bytes = [0u8; 16];
    for (i, l) in lanes.iter().enumerate() {
        bytes[i * 4..i * 4 + 4].copy_from_slice(&l.to_le_bytes());
    }
    let v = u128::from_le_bytes(bytes);
    let ok = V128Pattern::F32x4([
        NanPattern::CanonicalNan,
        NanPattern::ArithmeticNan,
        f32p(1.0f32.to_bits()),
        NanPattern::CanonicalNan,
    ]);
    assert!(v128_matches(&ok, v));
    let bad = V128Pattern::F32x4([
        NanPattern::CanonicalNan,
        NanPattern::CanonicalNan,
        f32p(1.0f32.to_bits()),
        NanPattern::CanonicalNan,
    ]);
    assert!(!v128_matches(&bad, v));
    let v = (0x7ff8_0000_0000_0000u128 << 64) | 2.0f64.to_bits() as u128;
    assert!(v128_matches(
        &V128Pattern::F64x2([f64p(2.0f64.to_bits()), NanPattern::CanonicalNan]),
        v
    ));
}

#[test]
fn parsed_patterns_match() {
    parse_assert_return(
        r#"(assert_return (invoke "f") (f32.const nan:canonical))"#,
        |r| {
            assert!(core_ret_matches(r, &Val::F32(0x7fc0_0000)).unwrap());
            assert!(!core_ret_matches(r, &Val::F64(0x7ff8_0000_0000_0000)).unwrap());
        },
    );
    parse_assert_return(r#"(assert_return (invoke "f") (f64.const -0x1p-1))"#, |r| {
        assert!(core_ret_matches(r, &Val::F64((-0.5f64).to_bits())).unwrap());
    });
    parse_assert_return(
        r#"(assert_return (invoke "f") (i32.const 0xffffffff))"#,
        |r| {
            assert!(core_ret_matches(r, &Val::I32(-1)).unwrap());
            assert!(!core_ret_matches(r, &Val::I64(-1)).unwrap());
        },
    );
    parse_assert_return(
        r#"(assert_return (invoke "f") (either (i32.const 1) (i32.const 2)))"#,
        |r| {
            assert!(core_ret_matches(r, &Val::I32(2)).unwrap());
            assert!(!core_ret_matches(r, &Val::I32(3)).unwrap());
        },
    );
    parse_assert_return(
        r#"(assert_return (invoke "f") (v128.const f64x2 nan:arithmetic 1))"#,
        |r| {
            let v = ((1.0f64.to_bits() as u128) << 64) | 0xfff8_0000_0000_0001;
            assert!(core_ret_matches(r, &Val::V128(v)).unwrap());
        },
    );
}

#[test]
fn mismatch_messages_show_bits() {
    let expected = WastRet::Core(WastRetCore::F32(NanPattern::CanonicalNan));
    let err = check_ret(&expected, &Val::F32(0x7fa0_0000)).unwrap_err();
    assert!(err.contains("nan:canonical"), "{err}");
    assert!(err.contains("0x7fa00000"), "{err}");
    assert!(check_ret(&WastRet::Core(WastRetCore::I32(3)), &Val::I32(3)).is_ok());
}
