//! Reactor-mode value conversions: parsing command-line arguments into wasm values by
//! parameter type (WasmEdge's `stol`/`stoll`/`stof`/`stod` rules, but trailing garbage is an
//! error) and printing results (one per line, as WasmEdge prints them).
//!
//! Pure functions with unit tests. This file must not look up functions, call wasm or print.

use wasmedge_runtime::{Val, ValType};

/// Parses one command-line argument as a value of type `ty`.
///
/// * `i32`, `i64`, `v128`: decimal with optional sign and leading whitespace; negative values
///   down to the signed minimum and positive ones up to the unsigned maximum are accepted and
///   wrapped to the type's width (`4294967295` is the i32 `-1`).
/// * `f32`, `f64`: decimal (`1.5`, `-2e-3`, `.5`), hexadecimal (`0x1.8p3`), `inf`, `infinity`,
///   `nan` (case-insensitive, optional sign), correctly rounded; a finite literal too large for
///   the type is an error.
/// * references cannot be given on the command line.
///
/// The error is a reason such as `expected a decimal integer`, for the caller to put in context.
pub fn parse_arg(ty: ValType, text: &str) -> Result<Val, String> {
    match ty {
        ValType::I32 => parse_int(text, 32).map(|v| Val::I32(v as u32 as i32)),
        ValType::I64 => parse_int(text, 64).map(|v| Val::I64(v as u64 as i64)),
        ValType::V128 => parse_int(text, 128).map(Val::V128),
        ValType::F32 => parse_float(text, &F32).map(|v| Val::F32((v as f32).to_bits())),
        ValType::F64 => parse_float(text, &F64).map(|v| Val::F64(v.to_bits())),
        ValType::FuncRef | ValType::ExternRef => Err(format!(
            "{ty} parameters cannot be given on the command line"
        )),
    }
}

/// Formats a result the way WasmEdge prints it: integers in signed decimal, floats with Rust's
/// `{}` (shortest round-trip form, `NaN`, `inf`), v128 as an unsigned decimal, references as
/// `<funcref>`, `<null funcref>`, `<externref>` or `<null externref>`.
pub fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(x) => x.to_string(),
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::FuncRef(None) => "<null funcref>".into(),
        Val::ExternRef(Some(_)) => "<externref>".into(),
        Val::ExternRef(None) => "<null externref>".into(),
    }
}

/// Splits leading whitespace and an optional sign off `text`; returns (negative, rest).
fn sign(text: &str) -> (bool, &str) {
    let s = text.trim_start();
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// A decimal integer of `bits` bits (8..=128), wrapped to its two's-complement bit pattern.
fn parse_int(text: &str, bits: u32) -> Result<u128, String> {
    let (negative, digits) = sign(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a decimal integer".into());
    }
    let out_of_range = || format!("out of range for a {bits}-bit integer");
    let magnitude: u128 = digits.parse().map_err(|_| out_of_range())?;
    let unsigned_max = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let mask = unsigned_max;
    if negative {
        if magnitude > 1u128 << (bits - 1) {
            return Err(out_of_range());
        }
        Ok(magnitude.wrapping_neg() & mask)
    } else if magnitude > unsigned_max {
        Err(out_of_range())
    } else {
        Ok(magnitude)
    }
}

/// The parameters of a binary floating-point format.
struct FloatFormat {
    name: &'static str,
    /// Significand bits including the implicit one.
    precision: u32,
    /// Smallest normal exponent.
    emin: i32,
    /// Largest exponent.
    emax: i32,
}

const F32: FloatFormat = FloatFormat {
    name: "f32",
    precision: 24,
    emin: -126,
    emax: 127,
};
const F64: FloatFormat = FloatFormat {
    name: "f64",
    precision: 53,
    emin: -1022,
    emax: 1023,
};

/// A float literal, correctly rounded to `fmt` and returned as an `f64` holding that exact value.
fn parse_float(text: &str, fmt: &FloatFormat) -> Result<f64, String> {
    let (negative, body) = sign(text);
    let lower = body.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" || (lower.starts_with("nan(") && lower.ends_with(')')) {
        f64::NAN
    } else if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex, fmt)?
    } else {
        let starts_ok = lower
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
        let bad = || "expected a decimal or hexadecimal floating-point number".to_string();
        if !starts_ok
            || !lower
                .bytes()
                .all(|b| b.is_ascii_digit() || b".e+-".contains(&b))
        {
            return Err(bad());
        }
        let v = if fmt.precision == 24 {
            lower.parse::<f32>().map(f64::from).map_err(|_| bad())?
        } else {
            lower.parse::<f64>().map_err(|_| bad())?
        };
        if v.is_infinite() {
            return Err(format!("out of range for {}", fmt.name));
        }
        v
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// `hexdigits[.hexdigits][p[+-]decdigits]` (the part after `0x`, lower-cased), rounded to
/// nearest-even in `fmt`.
fn parse_hex_float(hex: &str, fmt: &FloatFormat) -> Result<f64, String> {
    let bad = || "malformed hexadecimal floating-point number".to_string();
    let (mantissa, exponent) = match hex.split_once('p') {
        Some((m, e)) => (m, Some(e)),
        None => (hex, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    let mut exp2: i64 = match exponent {
        Some(e) => {
            let (neg, digits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            // Clamp huge exponents: anything beyond this over- or underflows anyway.
            let v: i64 = digits.parse::<i64>().unwrap_or(100_000).min(100_000);
            if neg { -v } else { v }
        }
        None => 0,
    };
    // Accumulate up to 16 significant hex digits; remember whether any dropped one was non-zero.
    let (mut m, mut sticky, mut significant) = (0u64, false, 0u32);
    for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = c.to_digit(16).ok_or_else(bad)? as u64;
        let in_fraction = i >= int_part.len();
        if significant < 16 {
            m = m << 4 | d;
            if m != 0 {
                significant += 1;
            }
            if in_fraction {
                exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !in_fraction {
                exp2 += 4;
            }
        }
    }
    if m == 0 {
        return Ok(0.0);
    }
    // value = m * 2^exp2 (+ sticky); normalise m to [2^63, 2^64).
    let lz = m.leading_zeros();
    let m = (m << lz) as u128;
    let exp2 = exp2 - i64::from(lz);
    let e = exp2 + 63; // exponent of the leading bit
    let keep = i64::from(fmt.precision);
    let shift = if e >= i64::from(fmt.emin) {
        64 - keep
    } else {
        64 - keep + (i64::from(fmt.emin) - e)
    };
    let (mut mant, k) = if shift > 65 {
        (0u128, 0)
    } else {
        let shift = shift as u32;
        let mant = m >> shift;
        let rem = m & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let round_up = rem > half || (rem == half && (sticky || mant & 1 == 1));
        (mant + u128::from(round_up), exp2 + i64::from(shift))
    };
    if mant == 0 {
        return Ok(0.0);
    }
    // mant < 2^(precision+1) and k is within the format's range of powers of two, so the
    // product is exact unless it overflows.
    let mut k = k;
    if mant >> keep != 0 {
        mant >>= 1;
        k += 1;
    }
    let result = mant as f64 * pow2(k);
    let top = k + 63 - i64::from((mant as u64).leading_zeros());
    if top > i64::from(fmt.emax) || result.is_infinite() {
        return Err(format!("out of range for {}", fmt.name));
    }
    Ok(result)
}

/// 2^k as an `f64`, for -1074 <= k <= 1023.
fn pow2(k: i64) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
