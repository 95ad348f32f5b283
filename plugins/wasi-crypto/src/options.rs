//! Options objects (`options_open` / `options_set*`): named parameters for key generation and
//! symmetric states. Symmetric options accept WasmEdge's names (`context`, `salt`, `nonce` as
//! bytes; `memory_limit`, `ops_limit`, `parallelism` as u64; `buffer` as a guest buffer);
//! signature and key-exchange options have no parameters, so every name is
//! `unsupported_option`. Whether an algorithm uses an option is for the algorithm to decide.

use crate::errno::{CResult, Errno};
use crate::secret::Secret;
use std::collections::HashMap;

/// `algorithm_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlgType {
    Signatures,
    Symmetric,
    KeyExchange,
}

impl AlgType {
    /// Decodes the wasm value (signatures=0, symmetric=1, key_exchange=2).
    pub fn from_raw(v: u32) -> CResult<AlgType> {
        match v {
            0 => Ok(AlgType::Signatures),
            1 => Ok(AlgType::Symmetric),
            2 => Ok(AlgType::KeyExchange),
            _ => Err(Errno::INVALID_OPERATION),
        }
    }
}

const BYTE_OPTIONS: [&str; 3] = ["context", "salt", "nonce"];
const U64_OPTIONS: [&str; 3] = ["memory_limit", "ops_limit", "parallelism"];

/// An options object.
#[derive(Clone)]
pub struct Options {
    pub alg_type: AlgType,
    bytes: HashMap<String, Secret>,
    u64s: HashMap<String, u64>,
    buffer: Option<(u32, u32)>,
}

impl Options {
    /// Empty options for `alg_type`.
    pub fn new(alg_type: AlgType) -> Options {
        Options {
            alg_type,
            bytes: HashMap::new(),
            u64s: HashMap::new(),
            buffer: None,
        }
    }

    fn check(&self, name: &str, allowed: &[&str]) -> CResult<String> {
        let name = name.to_ascii_lowercase();
        if self.alg_type == AlgType::Symmetric && allowed.contains(&name.as_str()) {
            Ok(name)
        } else {
            Err(Errno::UNSUPPORTED_OPTION)
        }
    }

    /// `options_set`.
    pub fn set(&mut self, name: &str, value: &[u8]) -> CResult<()> {
        let name = self.check(name, &BYTE_OPTIONS)?;
        self.bytes.insert(name, Secret::from_slice(value));
        Ok(())
    }

    /// `options_set_u64`.
    pub fn set_u64(&mut self, name: &str, value: u64) -> CResult<()> {
        let name = self.check(name, &U64_OPTIONS)?;
        self.u64s.insert(name, value);
        Ok(())
    }

    /// `options_set_guest_buffer` (the buffer is remembered; no supported algorithm uses it).
    pub fn set_guest_buffer(&mut self, name: &str, ptr: u32, len: u32) -> CResult<()> {
        self.check(name, &["buffer"])?;
        self.buffer = Some((ptr, len));
        Ok(())
    }

    /// A byte option: `unsupported_option` for an unknown name, `option_not_set` if unset.
    pub fn get(&self, name: &str) -> CResult<&[u8]> {
        let name = self.check(name, &BYTE_OPTIONS)?;
        self.bytes
            .get(&name)
            .map(Secret::bytes)
            .ok_or(Errno::OPTION_NOT_SET)
    }

    /// A u64 option.
    pub fn get_u64(&self, name: &str) -> CResult<u64> {
        let name = self.check(name, &U64_OPTIONS)?;
        self.u64s.get(&name).copied().ok_or(Errno::OPTION_NOT_SET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_per_type() {
        let mut o = Options::new(AlgType::Symmetric);
        o.set("nonce", &[1; 12]).unwrap();
        assert_eq!(o.get("NONCE").unwrap(), [1; 12]);
        assert_eq!(o.get("salt").unwrap_err(), Errno::OPTION_NOT_SET);
        assert_eq!(
            o.set("colour", b"x").unwrap_err(),
            Errno::UNSUPPORTED_OPTION
        );
        o.set_u64("ops_limit", 3).unwrap();
        assert_eq!(o.get_u64("ops_limit").unwrap(), 3);
        assert_eq!(
            o.set_u64("nonce", 3).unwrap_err(),
            Errno::UNSUPPORTED_OPTION
        );
        let mut s = Options::new(AlgType::Signatures);
        assert_eq!(s.set("nonce", b"x").unwrap_err(), Errno::UNSUPPORTED_OPTION);
        assert_eq!(AlgType::from_raw(3).unwrap_err(), Errno::INVALID_OPERATION);
    }
}
