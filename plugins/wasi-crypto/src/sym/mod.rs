//! Symmetric algorithms on ring: the algorithm names WasmEdge accepts (plus SHA-384), symmetric
//! keys and their generation and import rules, and authentication tags.
//!
//! | family | names |
//! |---|---|
//! | hash | `SHA-256`, `SHA-384`, `SHA-512`, `SHA-512/256` |
//! | MAC | `HMAC/SHA-256`, `HMAC/SHA-512` |
//! | KDF | `HKDF-EXTRACT/SHA-256`, `HKDF-EXPAND/SHA-256`, `…/SHA-512` |
//! | AEAD | `AES-128-GCM`, `AES-256-GCM`, `CHACHA20-POLY1305` |
//!
//! Names are matched case-insensitively; anything else is `unsupported_algorithm`. The state
//! machine is in [`state`]; the guest-facing functions are in `crate::host::symmetric`.

pub mod state;

use crate::errno::{CResult, Errno};
use crate::secret::Secret;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, digest, hkdf, hmac};

pub use state::SymState;

/// A SHA-2 function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
    Sha512_256,
}

impl Hash {
    /// ring's digest.
    pub fn digest(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
            Hash::Sha512_256 => &digest::SHA512_256,
        }
    }

    /// The output length in bytes.
    pub fn output_len(self) -> usize {
        self.digest().output_len()
    }

    /// ring's HMAC (only for the hashes MAC and KDF names use).
    pub fn hmac(self) -> hmac::Algorithm {
        match self {
            Hash::Sha256 => hmac::HMAC_SHA256,
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 | Hash::Sha512_256 => hmac::HMAC_SHA512,
        }
    }

    /// ring's HKDF.
    pub fn hkdf(self) -> hkdf::Algorithm {
        match self {
            Hash::Sha256 => hkdf::HKDF_SHA256,
            Hash::Sha384 => hkdf::HKDF_SHA384,
            Hash::Sha512 | Hash::Sha512_256 => hkdf::HKDF_SHA512,
        }
    }
}

/// An AEAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aead {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl Aead {
    /// ring's algorithm.
    pub fn ring(self) -> &'static aead::Algorithm {
        match self {
            Aead::Aes128Gcm => &aead::AES_128_GCM,
            Aead::Aes256Gcm => &aead::AES_256_GCM,
            Aead::ChaCha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }
}

/// The tag length of every supported AEAD.
pub const AEAD_TAG_LEN: usize = 16;
/// The nonce length of every supported AEAD.
pub const AEAD_NONCE_LEN: usize = 12;

/// A symmetric algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymAlg {
    Hash(Hash),
    Hmac(Hash),
    HkdfExtract(Hash),
    HkdfExpand(Hash),
    Aead(Aead),
}

impl SymAlg {
    /// Parses an algorithm name (case-insensitive).
    pub fn parse(name: &str) -> CResult<SymAlg> {
        let alg = match name.to_ascii_uppercase().as_str() {
            "SHA-256" => SymAlg::Hash(Hash::Sha256),
            "SHA-384" => SymAlg::Hash(Hash::Sha384),
            "SHA-512" => SymAlg::Hash(Hash::Sha512),
            "SHA-512/256" => SymAlg::Hash(Hash::Sha512_256),
            "HMAC/SHA-256" => SymAlg::Hmac(Hash::Sha256),
            "HMAC/SHA-512" => SymAlg::Hmac(Hash::Sha512),
            "HKDF-EXTRACT/SHA-256" => SymAlg::HkdfExtract(Hash::Sha256),
            "HKDF-EXTRACT/SHA-512" => SymAlg::HkdfExtract(Hash::Sha512),
            "HKDF-EXPAND/SHA-256" => SymAlg::HkdfExpand(Hash::Sha256),
            "HKDF-EXPAND/SHA-512" => SymAlg::HkdfExpand(Hash::Sha512),
            "AES-128-GCM" => SymAlg::Aead(Aead::Aes128Gcm),
            "AES-256-GCM" => SymAlg::Aead(Aead::Aes256Gcm),
            "CHACHA20-POLY1305" => SymAlg::Aead(Aead::ChaCha20Poly1305),
            _ => return Err(Errno::UNSUPPORTED_ALGORITHM),
        };
        Ok(alg)
    }

    /// A fresh random key (`symmetric_key_generate`).
    pub fn generate_key(self) -> CResult<Secret> {
        let len = match self {
            SymAlg::Hash(_) => return Err(Errno::KEY_NOT_SUPPORTED),
            // A PRK comes from HKDF-EXTRACT (squeeze_key) or an import, as in WasmEdge.
            SymAlg::HkdfExpand(_) => return Err(Errno::UNSUPPORTED_FEATURE),
            SymAlg::Hmac(h) | SymAlg::HkdfExtract(h) => h.output_len(),
            SymAlg::Aead(a) => a.ring().key_len(),
        };
        let mut key = Secret::new(vec![0; len]);
        SystemRandom::new()
            .fill(key.bytes_mut())
            .map_err(|_| Errno::RNG_ERROR)?;
        Ok(key)
    }

    /// Checks raw key bytes for this algorithm (`symmetric_key_import`).
    pub fn import_key(self, raw: &[u8]) -> CResult<Secret> {
        match self {
            SymAlg::Hash(_) => return Err(Errno::KEY_NOT_SUPPORTED),
            SymAlg::Hmac(_) | SymAlg::HkdfExtract(_) => {}
            SymAlg::HkdfExpand(h) if raw.len() != h.output_len() => return Err(Errno::INVALID_KEY),
            SymAlg::HkdfExpand(_) => {}
            SymAlg::Aead(a) if raw.len() != a.ring().key_len() => return Err(Errno::INVALID_KEY),
            SymAlg::Aead(_) => {}
        }
        Ok(Secret::from_slice(raw))
    }
}

/// A symmetric key.
pub struct SymKey {
    pub alg: SymAlg,
    pub bytes: Secret,
}

/// An authentication tag (`symmetric_state_squeeze_tag`, `…_encrypt_detached`).
pub struct Tag {
    pub bytes: Vec<u8>,
}

impl Tag {
    /// `symmetric_tag_verify`: the lengths must match and the bytes compare equal in constant
    /// time, else `invalid_tag` (a truncated or empty expected tag never verifies).
    pub fn verify(&self, expected: &[u8]) -> CResult<()> {
        if ct_eq(&self.bytes, expected) {
            Ok(())
        } else {
            Err(Errno::INVALID_TAG)
        }
    }
}

/// Constant-time equality (for equal lengths; the length itself is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keys_and_tags() {
        assert_eq!(
            SymAlg::parse("hmac/sha-256").unwrap(),
            SymAlg::Hmac(Hash::Sha256)
        );
        assert_eq!(
            SymAlg::parse("HMAC/SHA-384").unwrap_err(),
            Errno::UNSUPPORTED_ALGORITHM
        );
        assert_eq!(
            SymAlg::parse("XOODYAK-128").unwrap_err(),
            Errno::UNSUPPORTED_ALGORITHM
        );
        let aes = SymAlg::parse("AES-256-GCM").unwrap();
        assert_eq!(aes.generate_key().unwrap().len(), 32);
        assert_eq!(aes.import_key(&[0; 16]).unwrap_err(), Errno::INVALID_KEY);
        let expand = SymAlg::parse("HKDF-EXPAND/SHA-512").unwrap();
        assert_eq!(
            expand.generate_key().unwrap_err(),
            Errno::UNSUPPORTED_FEATURE
        );
        assert_eq!(expand.import_key(&[0; 32]).unwrap_err(), Errno::INVALID_KEY);
        let t = Tag {
            bytes: vec![1, 2, 3],
        };
        assert!(t.verify(&[1, 2, 3]).is_ok());
        assert_eq!(t.verify(&[1, 2]).unwrap_err(), Errno::INVALID_TAG);
        assert_eq!(t.verify(&[]).unwrap_err(), Errno::INVALID_TAG);
        assert_eq!(t.verify(&[1, 2, 4]).unwrap_err(), Errno::INVALID_TAG);
    }
}
