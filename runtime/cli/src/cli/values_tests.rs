//! Unit tests of `values.rs`: argument parsing per type and result formatting. Pure value
//! checks: these tests must not create engines or run wasm.

use super::*;

fn p(ty: ValType, s: &str) -> Result<String, String> {
    parse_arg(ty, s).map(|v| format_val(&v))
}

#[test]
fn integers() {
    assert_eq!(p(ValType::I32, "42"), Ok("42".into()));
    assert_eq!(p(ValType::I32, "-2"), Ok("-2".into()));
    assert_eq!(p(ValType::I32, "+7"), Ok("7".into()));
    assert_eq!(p(ValType::I32, "  7"), Ok("7".into()));
    assert_eq!(p(ValType::I32, "4294967295"), Ok("-1".into()));
    assert_eq!(p(ValType::I32, "-2147483648"), Ok("-2147483648".into()));
    assert!(p(ValType::I32, "4294967296").is_err());
    assert!(p(ValType::I32, "-2147483649").is_err());
    assert_eq!(
        p(ValType::I64, "-9223372036854775808"),
        Ok("-9223372036854775808".into())
    );
    assert_eq!(p(ValType::I64, "18446744073709551615"), Ok("-1".into()));
    assert!(p(ValType::I64, "18446744073709551616").is_err());
    assert_eq!(
        p(ValType::V128, "340282366920938463463374607431768211455"),
        Ok(u128::MAX.to_string())
    );
    assert_eq!(p(ValType::V128, "-1"), Ok(u128::MAX.to_string()));
}

#[test]
fn integer_garbage_is_rejected() {
    for s in [
        "", "-", "12abc", "0x10", "1.5", "1e3", "7 ", "--1", "+-1", "１",
    ] {
        assert!(p(ValType::I32, s).is_err(), "{s:?} was accepted");
        assert!(p(ValType::I64, s).is_err(), "{s:?} was accepted");
    }
}

#[test]
fn decimal_floats() {
    assert_eq!(p(ValType::F64, "1.5"), Ok("1.5".into()));
    assert_eq!(p(ValType::F64, "-2e-3"), Ok("-0.002".into()));
    assert_eq!(p(ValType::F64, ".5"), Ok("0.5".into()));
    assert_eq!(p(ValType::F64, "5."), Ok("5".into()));
    assert_eq!(p(ValType::F32, "0.1"), Ok("0.1".into()));
    assert_eq!(parse_arg(ValType::F32, "0.1").unwrap().f32(), Some(0.1f32));
    assert_eq!(p(ValType::F32, "16777217"), Ok("16777216".into()));
    assert!(p(ValType::F32, "1e39").is_err());
    assert_eq!(
        p(ValType::F64, "1e39"),
        Ok("1000000000000000000000000000000000000000".into())
    );
    assert!(p(ValType::F64, "1e309").is_err());
    assert_eq!(p(ValType::F64, "1e-400"), Ok("0".into()));
}

#[test]
fn special_floats() {
    assert_eq!(p(ValType::F32, "inf"), Ok("inf".into()));
    assert_eq!(p(ValType::F64, "-Infinity"), Ok("-inf".into()));
    assert_eq!(p(ValType::F64, "NaN"), Ok("NaN".into()));
    assert_eq!(p(ValType::F32, "nan(0x1)"), Ok("NaN".into()));
    assert!(
        parse_arg(ValType::F64, "-nan")
            .unwrap()
            .f64()
            .unwrap()
            .is_sign_negative()
    );
}

#[test]
fn hex_floats() {
    assert_eq!(
        parse_arg(ValType::F64, "0x1.8p3").unwrap().f64(),
        Some(12.0)
    );
    assert_eq!(parse_arg(ValType::F64, "0X10").unwrap().f64(), Some(16.0));
    assert_eq!(parse_arg(ValType::F64, "-0x.8").unwrap().f64(), Some(-0.5));
    assert_eq!(
        parse_arg(ValType::F64, "0x1p-1074").unwrap().f64(),
        Some(f64::from_bits(1))
    );
    assert_eq!(
        parse_arg(ValType::F64, "0x1p-1075").unwrap().f64(),
        Some(0.0)
    );
    assert_eq!(
        parse_arg(ValType::F64, "0x1.8p-1074").unwrap().f64(),
        Some(f64::from_bits(2))
    );
    assert_eq!(
        parse_arg(ValType::F64, "0x1.fffffffffffffp1023")
            .unwrap()
            .f64(),
        Some(f64::MAX)
    );
    assert!(parse_arg(ValType::F64, "0x1p1024").is_err());
    assert_eq!(
        parse_arg(ValType::F32, "0x1p-149").unwrap().f32(),
        Some(f32::from_bits(1))
    );
    assert_eq!(
        parse_arg(ValType::F32, "0x1.fffffep127").unwrap().f32(),
        Some(f32::MAX)
    );
    // 0x1.000001p0 is exactly between two f32 values: ties to even.
    assert_eq!(
        parse_arg(ValType::F32, "0x1.000001p0").unwrap().f32(),
        Some(1.0)
    );
    assert_eq!(
        parse_arg(ValType::F32, "0x1.0000011p0").unwrap().f32(),
        Some(1.0 + f32::EPSILON)
    );
    // Rounding that carries into the next binade.
    assert_eq!(
        parse_arg(ValType::F32, "0x1.ffffffp0").unwrap().f32(),
        Some(2.0)
    );
    assert!(parse_arg(ValType::F32, "0x1.ffffffp127").is_err());
    // More than 16 hex digits: the dropped ones still count (sticky bit / scale).
    assert_eq!(
        parse_arg(ValType::F64, "0x100000000000000000")
            .unwrap()
            .f64(),
        Some(2f64.powi(68))
    );
    assert_eq!(
        parse_arg(ValType::F64, "0x1.00000000000008000000001p0")
            .unwrap()
            .f64(),
        Some(1.0 + f64::EPSILON)
    );
    for s in ["0x", "0x.", "0x1p", "0x1q", "0x1p+", "0xg"] {
        assert!(parse_arg(ValType::F64, s).is_err(), "{s:?} was accepted");
    }
}

#[test]
fn float_garbage_is_rejected() {
    for s in ["", "abc", "1.5x", "--1", "1e", "e5", "1.5 ", "in", "nanx"] {
        assert!(p(ValType::F64, s).is_err(), "{s:?} was accepted");
    }
}

#[test]
fn references_cannot_be_parsed() {
    assert!(parse_arg(ValType::FuncRef, "0").is_err());
    assert!(parse_arg(ValType::ExternRef, "0").is_err());
}

#[test]
fn results_print_like_wasmedge() {
    assert_eq!(format_val(&Val::I32(-1)), "-1");
    assert_eq!(format_val(&Val::I64(832040)), "832040");
    assert_eq!(format_val(&Val::F32(1.5f32.to_bits())), "1.5");
    assert_eq!(format_val(&Val::F64(0.1f64.to_bits())), "0.1");
    assert_eq!(format_val(&Val::V128(u128::MAX)), u128::MAX.to_string());
    assert_eq!(format_val(&Val::FuncRef(None)), "<null funcref>");
    assert_eq!(format_val(&Val::ExternRef(None)), "<null externref>");
    assert_eq!(
        format_val(&Val::ExternRef(Some(wasmedge_runtime::ExternRef::new(1)))),
        "<externref>"
    );
}
