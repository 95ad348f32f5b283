//! Asymmetric algorithms on ring (x25519-dalek for X25519): algorithm names, key and signature
//! objects, and the encoding enums. Key import/export lives in [`keys`] (with the DER layouts
//! in [`spki`]), signing and verification in [`sign`], key exchange in [`kx`].
//!
//! | type | names (case-insensitive) |
//! |---|---|
//! | signatures | `ED25519`, `ECDSA_P256_SHA256`, `ECDSA_P384_SHA384`, `RSA_PKCS1_<bits>_<hash>`, `RSA_PSS_<bits>_<hash>` with bits 2048/3072/4096 and hash SHA256/SHA384/SHA512 |
//! | key exchange | `X25519` |
//!
//! `ECDSA_K256_SHA256`, `P256-SHA256` and `P384-SHA384` are names WasmEdge knows that ring
//! cannot serve: they give `not_implemented`. Other names give `unsupported_algorithm`.

pub mod keys;
pub mod kx;
pub mod sign;
pub mod spki;

use crate::errno::{CResult, Errno};
use crate::options::AlgType;
use crate::secret::Secret;
use crate::sym::Hash;
use ring::signature as rs;

/// A NIST curve for ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
}

impl Curve {
    /// Field element / scalar width in bytes.
    pub fn width(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    /// ring's signing algorithm (fixed-width `r || s` output).
    pub fn signing(self) -> &'static rs::EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &rs::ECDSA_P384_SHA384_FIXED_SIGNING,
        }
    }

    /// ring's verification algorithm for fixed-width signatures.
    pub fn verifying(self) -> &'static rs::EcdsaVerificationAlgorithm {
        match self {
            Curve::P256 => &rs::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &rs::ECDSA_P384_SHA384_FIXED,
        }
    }

    /// ring's ECDH algorithm on the same curve (used to validate public points).
    pub fn agreement(self) -> &'static ring::agreement::Algorithm {
        match self {
            Curve::P256 => &ring::agreement::ECDH_P256,
            Curve::P384 => &ring::agreement::ECDH_P384,
        }
    }
}

/// An RSA signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaAlg {
    pub pss: bool,
    pub bits: usize,
    pub hash: Hash,
}

/// A signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigAlg {
    Ed25519,
    Ecdsa(Curve),
    Rsa(RsaAlg),
}

/// An asymmetric algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsymAlg {
    Sig(SigAlg),
    X25519,
}

impl AsymAlg {
    /// Parses `name` for `alg_type` (symmetric is `invalid_operation`).
    pub fn parse(alg_type: AlgType, name: &str) -> CResult<AsymAlg> {
        let name = name.to_ascii_uppercase();
        match alg_type {
            AlgType::Symmetric => Err(Errno::INVALID_OPERATION),
            AlgType::Signatures => SigAlg::parse(&name).map(AsymAlg::Sig),
            AlgType::KeyExchange => match name.as_str() {
                "X25519" => Ok(AsymAlg::X25519),
                "P256-SHA256" | "P384-SHA384" => Err(Errno::NOT_IMPLEMENTED),
                _ => Err(Errno::UNSUPPORTED_ALGORITHM),
            },
        }
    }

    /// The signature algorithm, or `invalid_key` for a key-exchange key.
    pub fn sig(self) -> CResult<SigAlg> {
        match self {
            AsymAlg::Sig(s) => Ok(s),
            AsymAlg::X25519 => Err(Errno::INVALID_KEY),
        }
    }
}

impl SigAlg {
    /// Parses an upper-case signature algorithm name.
    pub fn parse(name: &str) -> CResult<SigAlg> {
        let name = name.to_ascii_uppercase();
        match name.as_str() {
            "ED25519" => return Ok(SigAlg::Ed25519),
            "ECDSA_P256_SHA256" => return Ok(SigAlg::Ecdsa(Curve::P256)),
            "ECDSA_P384_SHA384" => return Ok(SigAlg::Ecdsa(Curve::P384)),
            "ECDSA_K256_SHA256" => return Err(Errno::NOT_IMPLEMENTED),
            _ => {}
        }
        let (pss, rest) = if let Some(r) = name.strip_prefix("RSA_PKCS1_") {
            (false, r)
        } else if let Some(r) = name.strip_prefix("RSA_PSS_") {
            (true, r)
        } else {
            return Err(Errno::UNSUPPORTED_ALGORITHM);
        };
        let (bits, hash) = rest.split_once('_').ok_or(Errno::UNSUPPORTED_ALGORITHM)?;
        let bits = match bits {
            "2048" => 2048,
            "3072" => 3072,
            "4096" => 4096,
            _ => return Err(Errno::UNSUPPORTED_ALGORITHM),
        };
        let hash = match hash {
            "SHA256" => Hash::Sha256,
            "SHA384" => Hash::Sha384,
            "SHA512" => Hash::Sha512,
            _ => return Err(Errno::UNSUPPORTED_ALGORITHM),
        };
        Ok(SigAlg::Rsa(RsaAlg { pss, bits, hash }))
    }
}

/// Public key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PkData {
    Ed25519([u8; 32]),
    /// An uncompressed SEC1 point (`04 || x || y`).
    Ec(Vec<u8>),
    /// The big-endian modulus and exponent (no leading zeroes).
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    X25519([u8; 32]),
}

/// Secret key material (wiped on drop).
#[derive(Clone, Debug)]
pub enum SkData {
    /// The 32-byte seed.
    Ed25519(Secret),
    /// The scalar and the public point (ring needs both to sign).
    Ec {
        d: Secret,
        public: Vec<u8>,
    },
    /// The PKCS#8 document ring parses.
    Rsa(Secret),
    X25519(Secret),
}

/// A public key.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub alg: AsymAlg,
    pub data: PkData,
}

/// A secret key.
#[derive(Clone, Debug)]
pub struct SecretKey {
    pub alg: AsymAlg,
    pub data: SkData,
}

/// A key pair.
#[derive(Clone, Debug)]
pub struct KeyPair {
    pub sk: SecretKey,
    pub pk: PublicKey,
}

/// A signature (ECDSA stored as fixed-width `r || s`).
#[derive(Debug)]
pub struct Signature {
    pub alg: SigAlg,
    pub raw: Vec<u8>,
}

/// `signature_state_*`: the key pair and the message so far (ring signs in one shot).
pub struct SignState {
    pub kp: KeyPair,
    pub msg: Vec<u8>,
}

/// `signature_verification_state_*`.
pub struct VerifyState {
    pub pk: PublicKey,
    pub msg: Vec<u8>,
}

/// Key encodings (`keypair_encoding`, `publickey_encoding`, `secretkey_encoding`, as one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEncoding {
    Raw,
    Pkcs8,
    Pem,
    Sec,
    Local,
}

impl KeyEncoding {
    /// `keypair_encoding`: raw 0, pkcs8 1, pem 2, local 3.
    pub fn keypair(v: u32) -> CResult<KeyEncoding> {
        match v {
            0 => Ok(KeyEncoding::Raw),
            1 => Ok(KeyEncoding::Pkcs8),
            2 => Ok(KeyEncoding::Pem),
            3 => Ok(KeyEncoding::Local),
            _ => Err(Errno::UNSUPPORTED_ENCODING),
        }
    }

    /// `publickey_encoding` / `secretkey_encoding`: raw 0, pkcs8 1, pem 2, sec 3, local 4.
    pub fn key(v: u32) -> CResult<KeyEncoding> {
        match v {
            0 => Ok(KeyEncoding::Raw),
            1 => Ok(KeyEncoding::Pkcs8),
            2 => Ok(KeyEncoding::Pem),
            3 => Ok(KeyEncoding::Sec),
            4 => Ok(KeyEncoding::Local),
            _ => Err(Errno::UNSUPPORTED_ENCODING),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let rsa = AsymAlg::parse(AlgType::Signatures, "rsa_pss_3072_sha384").unwrap();
        assert_eq!(
            rsa,
            AsymAlg::Sig(SigAlg::Rsa(RsaAlg {
                pss: true,
                bits: 3072,
                hash: Hash::Sha384
            }))
        );
        assert_eq!(
            SigAlg::parse("RSA_PKCS1_1024_SHA256").unwrap_err(),
            Errno::UNSUPPORTED_ALGORITHM
        );
        assert_eq!(
            SigAlg::parse("ECDSA_K256_SHA256").unwrap_err(),
            Errno::NOT_IMPLEMENTED
        );
        assert_eq!(
            AsymAlg::parse(AlgType::KeyExchange, "x25519").unwrap(),
            AsymAlg::X25519
        );
        assert_eq!(
            AsymAlg::parse(AlgType::KeyExchange, "Ed25519").unwrap_err(),
            Errno::UNSUPPORTED_ALGORITHM
        );
        assert_eq!(
            AsymAlg::parse(AlgType::Symmetric, "Ed25519").unwrap_err(),
            Errno::INVALID_OPERATION
        );
    }
}
