//! Plain data shared by the runtime and plug-ins: wasm value types ([`ValType`]), untyped
//! 16-byte values ([`Value`]) and plug-in version numbers ([`PluginVersion`]).
//!
//! Everything here is `#[repr(C)]`/`#[repr(transparent)]` and checked by `abi_stable`'s layout
//! checker; changing a field is an ABI break (see the compatibility policy in the crate docs).

use abi_stable::StableAbi;
use std::fmt;

/// The type of a wasm value in a host function signature.
///
/// A plain byte rather than an enum so that later SDK versions can add types (for example
/// reference types) without changing the layout. Reference types are not supported yet: a
/// plug-in declaring an unknown type is rejected by the runtime with a warning.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValType(u8);

impl ValType {
    /// `i32`
    pub const I32: ValType = ValType(0);
    /// `i64`
    pub const I64: ValType = ValType(1);
    /// `f32`
    pub const F32: ValType = ValType(2);
    /// `f64`
    pub const F64: ValType = ValType(3);
    /// `v128`
    pub const V128: ValType = ValType(4);

    /// The type's code as stored in descriptors.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The type with this code (which may be one this SDK does not know).
    pub const fn from_code(code: u8) -> ValType {
        ValType(code)
    }

    /// The wasm text-format name, or `None` for a code this SDK does not know.
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            0 => Some("i32"),
            1 => Some("i64"),
            2 => Some("f32"),
            3 => Some("f64"),
            4 => Some("v128"),
            _ => None,
        }
    }
}

impl fmt::Debug for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "<unknown value type {}>", self.0),
        }
    }
}

/// One wasm value, untyped: the host function's signature says how to read it.
///
/// 16 bytes, little-end first: an `i32` or `f32` lives in the low 32 bits of `lo`, an `i64` or
/// `f64` in `lo`, a `v128` in `lo` (low half) and `hi` (high half). Floats are kept as raw bits
/// so NaN payloads survive.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
pub struct Value {
    lo: u64,
    hi: u64,
}

impl Value {
    /// All bits zero (`0`, `0.0` or a zero vector).
    pub const ZERO: Value = Value { lo: 0, hi: 0 };

    /// An `i32` value.
    pub const fn from_i32(v: i32) -> Value {
        Value {
            lo: v as u32 as u64,
            hi: 0,
        }
    }
    /// An `i32` value from its unsigned bits.
    pub const fn from_u32(v: u32) -> Value {
        Value {
            lo: v as u64,
            hi: 0,
        }
    }
    /// An `i64` value.
    pub const fn from_i64(v: i64) -> Value {
        Value {
            lo: v as u64,
            hi: 0,
        }
    }
    /// An `i64` value from its unsigned bits.
    pub const fn from_u64(v: u64) -> Value {
        Value { lo: v, hi: 0 }
    }
    /// An `f32` value.
    pub fn from_f32(v: f32) -> Value {
        Value::from_f32_bits(v.to_bits())
    }
    /// An `f32` value from its bit pattern.
    pub const fn from_f32_bits(bits: u32) -> Value {
        Value {
            lo: bits as u64,
            hi: 0,
        }
    }
    /// An `f64` value.
    pub fn from_f64(v: f64) -> Value {
        Value::from_f64_bits(v.to_bits())
    }
    /// An `f64` value from its bit pattern.
    pub const fn from_f64_bits(bits: u64) -> Value {
        Value { lo: bits, hi: 0 }
    }
    /// A `v128` value.
    pub const fn from_v128(v: u128) -> Value {
        Value {
            lo: v as u64,
            hi: (v >> 64) as u64,
        }
    }

    /// The value as an `i32`.
    pub const fn i32(self) -> i32 {
        self.lo as u32 as i32
    }
    /// The value as an `i32`'s unsigned bits (what a guest pointer or length is).
    pub const fn u32(self) -> u32 {
        self.lo as u32
    }
    /// The value as an `i64`.
    pub const fn i64(self) -> i64 {
        self.lo as i64
    }
    /// The value as an `i64`'s unsigned bits.
    pub const fn u64(self) -> u64 {
        self.lo
    }
    /// The value as an `f32`.
    pub fn f32(self) -> f32 {
        f32::from_bits(self.f32_bits())
    }
    /// The value as an `f32`'s bit pattern.
    pub const fn f32_bits(self) -> u32 {
        self.lo as u32
    }
    /// The value as an `f64`.
    pub fn f64(self) -> f64 {
        f64::from_bits(self.lo)
    }
    /// The value as an `f64`'s bit pattern.
    pub const fn f64_bits(self) -> u64 {
        self.lo
    }
    /// The value as a `v128`.
    pub const fn v128(self) -> u128 {
        (self.hi as u128) << 64 | self.lo as u128
    }
}

/// A plug-in's own version, `major.minor.patch.build` as in WasmEdge. Informational: the
/// runtime shows it in `wasmedge --version` and `wasmedge plugin list`; compatibility is decided
/// by the SDK version, not by this.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PluginVersion {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
    /// Build number (0 for crates, which have none).
    pub build: u32,
}

impl PluginVersion {
    /// Parses `"MAJOR.MINOR.PATCH[.BUILD]"`, ignoring a `-pre` or `+build` suffix, at compile
    /// time: `PluginVersion::parse(env!("CARGO_PKG_VERSION"))`. Missing parts are 0.
    ///
    /// # Panics
    /// On a character other than digits and dots before the suffix (a compile error in a
    /// `const`).
    pub const fn parse(text: &str) -> PluginVersion {
        let bytes = text.as_bytes();
        let mut parts = [0u32; 4];
        let mut part = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'-' || b == b'+' {
                break;
            }
            if b == b'.' {
                part += 1;
                assert!(part < 4, "a plug-in version has at most four parts");
            } else {
                assert!(
                    b.is_ascii_digit(),
                    "a plug-in version is made of digits and dots"
                );
                parts[part] = parts[part] * 10 + (b - b'0') as u32;
            }
            i += 1;
        }
        PluginVersion {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
            build: parts[3],
        }
    }
}

impl fmt::Display for PluginVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if self.build != 0 {
            write!(f, ".{}", self.build)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        assert_eq!(Value::from_i32(-1).i32(), -1);
        assert_eq!(Value::from_i32(-1).u32(), u32::MAX);
        assert_eq!(Value::from_i64(-5).i64(), -5);
        assert_eq!(Value::from_f32(1.5).f32(), 1.5);
        assert_eq!(Value::from_f64(-2.25).f64(), -2.25);
        assert_eq!(Value::from_f32_bits(0x7fc0_0001).f32_bits(), 0x7fc0_0001);
        let v = (7u128 << 100) | 9;
        assert_eq!(Value::from_v128(v).v128(), v);
    }

    #[test]
    fn versions_parse() {
        const V: PluginVersion = PluginVersion::parse("1.22.3-alpha.1");
        assert_eq!((V.major, V.minor, V.patch, V.build), (1, 22, 3, 0));
        assert_eq!(PluginVersion::parse("0.14.1.7").to_string(), "0.14.1.7");
        assert_eq!(PluginVersion::parse("2").to_string(), "2.0.0");
    }

    #[test]
    fn valtype_names() {
        assert_eq!(ValType::F64.to_string(), "f64");
        assert_eq!(ValType::from_code(9).name(), None);
    }
}
