//! Converting `.wast` argument expressions to runtime [`Val`]s and matching results against
//! `.wast` result patterns (exact bits, `nan:canonical` / `nan:arithmetic`, v128 lanes,
//! references).
//!
//! Pure functions: must not touch a store, run wasm, or know which directive is being run.

use wasmedge_runtime::{ExternRef, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};

/// Converts an `invoke` argument.
pub fn arg_to_val(arg: &WastArg<'_>) -> Result<Val, String> {
    match arg {
        WastArg::Core(core) => core_arg_to_val(core),
        other => Err(format!("unsupported (component model) argument {other:?}")),
    }
}

/// Converts a core wasm `invoke` argument.
pub fn core_arg_to_val(arg: &WastArgCore<'_>) -> Result<Val, String> {
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::V128(c) => Val::V128(u128::from_le_bytes(c.to_le_bytes())),
        WastArgCore::RefNull(heap) => null_ref(heap)?,
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(*n))),
        WastArgCore::RefHost(n) => return Err(format!("unsupported argument (ref.host {n})")),
    })
}

fn null_ref(heap: &HeapType<'_>) -> Result<Val, String> {
    match heap {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Ok(Val::FuncRef(None)),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Ok(Val::ExternRef(None)),
        other => Err(format!("unsupported argument (ref.null {other:?})")),
    }
}

/// The number an `ExternRef` made by [`core_arg_to_val`] wraps, if it is one.
pub fn extern_number(r: &ExternRef) -> Option<u32> {
    r.data().downcast_ref::<u32>().copied()
}

/// Checks one result against its expected pattern. `Err` explains a mismatch or an
/// unsupported pattern.
pub fn check_ret(expected: &WastRet<'_>, actual: &Val) -> Result<(), String> {
    let WastRet::Core(expected) = expected else {
        return Err(format!(
            "unsupported (component model) result pattern {expected:?}"
        ));
    };
    match core_ret_matches(expected, actual) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!(
            "expected {}, got {}",
            describe_ret(expected),
            describe_val(actual)
        )),
        Err(unsupported) => Err(unsupported),
    }
}

/// True if `actual` matches `expected`; `Err` for patterns this runner does not support.
pub fn core_ret_matches(expected: &WastRetCore<'_>, actual: &Val) -> Result<bool, String> {
    Ok(match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(a)) => f32_matches(p, *a),
        (WastRetCore::F64(p), Val::F64(a)) => f64_matches(p, *a),
        (WastRetCore::V128(p), Val::V128(a)) => v128_matches(p, *a),
        (WastRetCore::RefNull(heap), actual) => match (heap, actual) {
            (None, Val::FuncRef(r)) => r.is_none(),
            (None, Val::ExternRef(r)) => r.is_none(),
            (Some(heap), actual) => match (null_ref(heap)?, actual) {
                (Val::FuncRef(_), Val::FuncRef(r)) => r.is_none(),
                (Val::ExternRef(_), Val::ExternRef(r)) => r.is_none(),
                _ => false,
            },
            _ => false,
        },
        (WastRetCore::RefExtern(n), Val::ExternRef(r)) => match (n, r) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(n), Some(r)) => extern_number(r) == Some(*n),
        },
        // The index in `(ref.func $f)` names a function of the module under test, which this
        // runner cannot resolve; any non-null funcref matches.
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
        (WastRetCore::Either(options), actual) => {
            let mut any = false;
            for option in options {
                any |= core_ret_matches(option, actual)?;
            }
            any
        }
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => {
            return Err(format!(
                "unsupported result pattern {}",
                describe_ret(expected)
            ));
        }
        _ => false,
    })
}

/// True if the f32 bit pattern `bits` matches `pattern`.
pub fn f32_matches(pattern: &NanPattern<F32>, bits: u32) -> bool {
    match pattern {
        NanPattern::Value(v) => v.bits == bits,
        // Canonical: exponent all ones, only the quiet bit set in the payload, either sign.
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        // Arithmetic: exponent all ones and the quiet bit set, any payload, either sign.
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

/// True if the f64 bit pattern `bits` matches `pattern`.
pub fn f64_matches(pattern: &NanPattern<F64>, bits: u64) -> bool {
    match pattern {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

/// True if the v128 value `v` matches `pattern` lane by lane.
pub fn v128_matches(pattern: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&b[i * n..(i + 1) * n]);
        u64::from_le_bytes(buf)
    };
    match pattern {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u8 as u64 == lane(i, 1)),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u16 as u64 == lane(i, 2)),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u32 as u64 == lane(i, 4)),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, e)| *e as u64 == lane(i, 8)),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f32_matches(p, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f64_matches(p, lane(i, 8))),
    }
}

/// A value as a `.wast` expression, with float bit patterns.
pub fn describe_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32.const {x} (0x{:08x})", *x as u32),
        Val::I64(x) => format!("i64.const {x} (0x{:016x})", *x as u64),
        Val::F32(b) => format!("f32.const {} (0x{b:08x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64.const {} (0x{b:016x})", f64::from_bits(*b)),
        Val::V128(x) => format!("v128.const 0x{x:032x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(r)) => match extern_number(r) {
            Some(n) => format!("ref.extern {n}"),
            None => format!("{r:?}"),
        },
    }
}

fn describe_f32(p: &NanPattern<F32>) -> String {
    match p {
        NanPattern::Value(v) => format!("{} (0x{:08x})", f32::from_bits(v.bits), v.bits),
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
    }
}

fn describe_f64(p: &NanPattern<F64>) -> String {
    match p {
        NanPattern::Value(v) => format!("{} (0x{:016x})", f64::from_bits(v.bits), v.bits),
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
    }
}

fn join<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(" ")
}

/// An expected-result pattern as a `.wast`-like expression, with float bit patterns.
pub fn describe_ret(r: &WastRetCore<'_>) -> String {
    match r {
        WastRetCore::I32(x) => format!("i32.const {x} (0x{:08x})", *x as u32),
        WastRetCore::I64(x) => format!("i64.const {x} (0x{:016x})", *x as u64),
        WastRetCore::F32(p) => format!("f32.const {}", describe_f32(p)),
        WastRetCore::F64(p) => format!("f64.const {}", describe_f64(p)),
        WastRetCore::V128(p) => match p {
            V128Pattern::I8x16(l) => format!("v128.const i8x16 {}", join(l, |x| x.to_string())),
            V128Pattern::I16x8(l) => format!("v128.const i16x8 {}", join(l, |x| x.to_string())),
            V128Pattern::I32x4(l) => format!("v128.const i32x4 {}", join(l, |x| x.to_string())),
            V128Pattern::I64x2(l) => format!("v128.const i64x2 {}", join(l, |x| x.to_string())),
            V128Pattern::F32x4(l) => format!("v128.const f32x4 {}", join(l, describe_f32)),
            V128Pattern::F64x2(l) => format!("v128.const f64x2 {}", join(l, describe_f64)),
        },
        WastRetCore::RefNull(None) => "ref.null".into(),
        WastRetCore::RefNull(Some(h)) => format!("ref.null {h:?}"),
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefHost(n) => format!("ref.host {n}"),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        WastRetCore::RefAny => "ref.any".into(),
        WastRetCore::RefEq => "ref.eq".into(),
        WastRetCore::RefArray => "ref.array".into(),
        WastRetCore::RefStruct => "ref.struct".into(),
        WastRetCore::RefI31 => "ref.i31".into(),
        WastRetCore::RefI31Shared => "ref.i31_shared".into(),
        WastRetCore::Either(options) => {
            format!(
                "(either {})",
                join(options, |o| format!("({})", describe_ret(o)))
            )
        }
    }
}

/// A list of values, for messages.
pub fn describe_vals(vals: &[Val]) -> String {
    let parts: Vec<String> = vals.iter().map(describe_val).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
