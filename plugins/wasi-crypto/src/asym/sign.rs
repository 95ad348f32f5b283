//! Signing and verification on ring, and signature import/export.
//!
//! Signature encodings: `raw` (Ed25519: 64 bytes; ECDSA: fixed-width `r ‖ s`; RSA: the
//! modulus-sized signature) and `der` (ECDSA only: `SEQUENCE { r, s }`). A signature that does
//! not verify gives `verification_failed`; one of another algorithm or of the wrong size,
//! `invalid_signature`.

use super::{KeyPair, PkData, PublicKey, RsaAlg, SigAlg, Signature, SkData};
use crate::encoding::{ecdsa_der_to_fixed, ecdsa_fixed_to_der};
use crate::errno::{CResult, Errno};
use crate::sym::Hash;
use ring::rand::SystemRandom;
use ring::signature as rs;

/// The signature encoding (`signature_encoding`: raw 0, der 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigEncoding {
    Raw,
    Der,
}

impl SigEncoding {
    /// Decodes the wasm value.
    pub fn from_raw(v: u32) -> CResult<SigEncoding> {
        match v {
            0 => Ok(SigEncoding::Raw),
            1 => Ok(SigEncoding::Der),
            _ => Err(Errno::UNSUPPORTED_ENCODING),
        }
    }
}

fn rsa_signing(r: RsaAlg) -> &'static dyn rs::RsaEncoding {
    match (r.pss, r.hash) {
        (false, Hash::Sha256) => &rs::RSA_PKCS1_SHA256,
        (false, Hash::Sha384) => &rs::RSA_PKCS1_SHA384,
        (false, _) => &rs::RSA_PKCS1_SHA512,
        (true, Hash::Sha256) => &rs::RSA_PSS_SHA256,
        (true, Hash::Sha384) => &rs::RSA_PSS_SHA384,
        (true, _) => &rs::RSA_PSS_SHA512,
    }
}

fn rsa_verifying(r: RsaAlg) -> &'static rs::RsaParameters {
    match (r.pss, r.hash) {
        (false, Hash::Sha256) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (false, Hash::Sha384) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (false, _) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (true, Hash::Sha256) => &rs::RSA_PSS_2048_8192_SHA256,
        (true, Hash::Sha384) => &rs::RSA_PSS_2048_8192_SHA384,
        (true, _) => &rs::RSA_PSS_2048_8192_SHA512,
    }
}

/// The raw signature length of `alg`.
fn raw_len(alg: SigAlg) -> usize {
    match alg {
        SigAlg::Ed25519 => 64,
        SigAlg::Ecdsa(c) => 2 * c.width(),
        SigAlg::Rsa(r) => r.bits / 8,
    }
}

/// Signs `msg` with `kp` (`signature_state_sign`).
pub fn sign(kp: &KeyPair, msg: &[u8]) -> CResult<Signature> {
    let alg = kp.sk.alg.sig()?;
    let rng = SystemRandom::new();
    let raw = match (&kp.sk.data, &kp.pk.data, alg) {
        (SkData::Ed25519(seed), PkData::Ed25519(public), _) => {
            let key = rs::Ed25519KeyPair::from_seed_and_public_key(seed.bytes(), public)
                .map_err(|_| Errno::INVALID_KEY)?;
            key.sign(msg).as_ref().to_vec()
        }
        (SkData::Ec { d, public }, _, SigAlg::Ecdsa(c)) => {
            let key = rs::EcdsaKeyPair::from_private_key_and_public_key(
                c.signing(),
                d.bytes(),
                public,
                &rng,
            )
            .map_err(|_| Errno::INVALID_KEY)?;
            key.sign(&rng, msg)
                .map_err(|_| Errno::ALGORITHM_FAILURE)?
                .as_ref()
                .to_vec()
        }
        (SkData::Rsa(doc), _, SigAlg::Rsa(r)) => {
            let key = rs::RsaKeyPair::from_pkcs8(doc.bytes()).map_err(|_| Errno::INVALID_KEY)?;
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(rsa_signing(r), &rng, msg, &mut sig)
                .map_err(|_| Errno::ALGORITHM_FAILURE)?;
            sig
        }
        _ => return Err(Errno::INVALID_KEY),
    };
    Ok(Signature { alg, raw })
}

/// Verifies `sig` over `msg` with `pk` (`signature_verification_state_verify`).
pub fn verify(pk: &PublicKey, msg: &[u8], sig: &Signature) -> CResult<()> {
    let alg = pk.alg.sig()?;
    if sig.alg != alg {
        return Err(Errno::INVALID_SIGNATURE);
    }
    let ok = match (&pk.data, alg) {
        (PkData::Ed25519(p), _) => {
            rs::UnparsedPublicKey::new(&rs::ED25519, p).verify(msg, &sig.raw)
        }
        (PkData::Ec(p), SigAlg::Ecdsa(c)) => {
            rs::UnparsedPublicKey::new(c.verifying(), p).verify(msg, &sig.raw)
        }
        (PkData::Rsa { n, e }, SigAlg::Rsa(r)) => {
            rs::RsaPublicKeyComponents { n, e }.verify(rsa_verifying(r), msg, &sig.raw)
        }
        _ => return Err(Errno::INVALID_KEY),
    };
    ok.map_err(|_| Errno::VERIFICATION_FAILED)
}

/// `signature_import`.
pub fn import(alg: SigAlg, enc: &[u8], encoding: SigEncoding) -> CResult<Signature> {
    let raw = match (encoding, alg) {
        (SigEncoding::Raw, _) => enc.to_vec(),
        (SigEncoding::Der, SigAlg::Ecdsa(c)) => ecdsa_der_to_fixed(enc, c.width())?,
        (SigEncoding::Der, _) => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    if raw.len() != raw_len(alg) {
        return Err(Errno::INVALID_SIGNATURE);
    }
    Ok(Signature { alg, raw })
}

/// `signature_export`.
pub fn export(sig: &Signature, encoding: SigEncoding) -> CResult<Vec<u8>> {
    match (encoding, sig.alg) {
        (SigEncoding::Raw, _) => Ok(sig.raw.clone()),
        (SigEncoding::Der, SigAlg::Ecdsa(_)) => Ok(ecdsa_fixed_to_der(&sig.raw)),
        (SigEncoding::Der, _) => Err(Errno::UNSUPPORTED_ENCODING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asym::{AsymAlg, Curve, keys};

    #[test]
    fn sign_verify_and_tamper() {
        for alg in [
            SigAlg::Ed25519,
            SigAlg::Ecdsa(Curve::P256),
            SigAlg::Ecdsa(Curve::P384),
        ] {
            let kp = keys::generate(AsymAlg::Sig(alg)).unwrap();
            let sig = sign(&kp, b"message").unwrap();
            verify(&kp.pk, b"message", &sig).unwrap();
            assert_eq!(
                verify(&kp.pk, b"massage", &sig).unwrap_err(),
                Errno::VERIFICATION_FAILED
            );
            let mut bad = Signature {
                alg,
                raw: sig.raw.clone(),
            };
            bad.raw[5] ^= 1;
            assert_eq!(
                verify(&kp.pk, b"message", &bad).unwrap_err(),
                Errno::VERIFICATION_FAILED
            );
            for enc in [SigEncoding::Raw, SigEncoding::Der] {
                if let Ok(bytes) = export(&sig, enc) {
                    assert_eq!(import(alg, &bytes, enc).unwrap().raw, sig.raw);
                }
            }
            assert_eq!(
                import(alg, &sig.raw[1..], SigEncoding::Raw).unwrap_err(),
                Errno::INVALID_SIGNATURE
            );
        }
    }
}
