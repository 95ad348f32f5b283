//! Asymmetric key generation, import, export and derivation, per algorithm and encoding.
//!
//! | algorithm | public key | secret key | key pair |
//! |---|---|---|---|
//! | Ed25519 | raw (32), pkcs8 (SPKI DER), pem | raw (32-byte seed), pkcs8, pem | raw (seed, or seed ‖ public), pkcs8, pem |
//! | ECDSA P-256/P-384 | raw/sec (uncompressed SEC1), pkcs8 (SPKI), pem | pkcs8, pem; raw export only | pkcs8, pem; raw export only |
//! | RSA | raw (PKCS#1 RSAPublicKey DER), pkcs8 (SPKI), pem | pkcs8, pem | pkcs8, pem |
//! | X25519 | raw (32) | raw (32) | raw (the secret key) |
//!
//! ring cannot compute an ECDSA public key from a bare scalar, so raw ECDSA secret-key and
//! key-pair import are `not_implemented`, as are compressed SEC1 points and RSA key
//! generation (ring signs with RSA keys but cannot make them). Other unsupported encodings are
//! `unsupported_encoding`; malformed or inconsistent keys are `invalid_key`.

use super::spki::{self, KeyAlg};
use super::{AsymAlg, Curve, KeyEncoding, KeyPair, PkData, PublicKey, SecretKey, SigAlg, SkData};
use crate::encoding::{pem, unpem};
use crate::errno::{CResult, Errno};
use crate::secret::Secret;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self as rs, KeyPair as _};

const PRIVATE: &str = "PRIVATE KEY";
const PUBLIC: &str = "PUBLIC KEY";

fn random32() -> CResult<Secret> {
    let mut s = Secret::new(vec![0; 32]);
    SystemRandom::new()
        .fill(s.bytes_mut())
        .map_err(|_| Errno::RNG_ERROR)?;
    Ok(s)
}

fn arr32(b: &[u8]) -> CResult<[u8; 32]> {
    b.try_into().map_err(|_| Errno::INVALID_KEY)
}

/// `keypair_generate`.
pub fn generate(alg: AsymAlg) -> CResult<KeyPair> {
    let sk = match alg {
        AsymAlg::Sig(SigAlg::Ed25519) => SkData::Ed25519(random32()?),
        AsymAlg::X25519 => SkData::X25519(random32()?),
        AsymAlg::Sig(SigAlg::Ecdsa(c)) => {
            let doc = rs::EcdsaKeyPair::generate_pkcs8(c.signing(), &SystemRandom::new())
                .map_err(|_| Errno::RNG_ERROR)?;
            let (_, d, public) = spki::ec_parts(doc.as_ref())?;
            SkData::Ec {
                d: Secret::new(d),
                public,
            }
        }
        AsymAlg::Sig(SigAlg::Rsa(_)) => return Err(Errno::NOT_IMPLEMENTED),
    };
    let sk = SecretKey { alg, data: sk };
    let pk = public_of(&sk)?;
    Ok(KeyPair { sk, pk })
}

/// `publickey_from_secretkey`.
pub fn public_of(sk: &SecretKey) -> CResult<PublicKey> {
    let data = match &sk.data {
        SkData::Ed25519(seed) => {
            let kp = rs::Ed25519KeyPair::from_seed_unchecked(seed.bytes())
                .map_err(|_| Errno::INVALID_KEY)?;
            PkData::Ed25519(arr32(kp.public_key().as_ref())?)
        }
        SkData::X25519(s) => {
            let secret = x25519_dalek::StaticSecret::from(arr32(s.bytes())?);
            PkData::X25519(*x25519_dalek::PublicKey::from(&secret).as_bytes())
        }
        SkData::Ec { public, .. } => PkData::Ec(public.clone()),
        SkData::Rsa(doc) => {
            let kp = rs::RsaKeyPair::from_pkcs8(doc.bytes()).map_err(|_| Errno::INVALID_KEY)?;
            let (n, e) = spki::parse_rsa_public_key(kp.public().as_ref())?;
            PkData::Rsa { n, e }
        }
    };
    Ok(PublicKey { alg: sk.alg, data })
}

/// `keypair_from_pk_and_sk`: the public key must be the secret key's.
pub fn pair(pk: &PublicKey, sk: &SecretKey) -> CResult<KeyPair> {
    if pk.alg != sk.alg || public_of(sk)?.data != pk.data {
        return Err(Errno::INCOMPATIBLE_KEYS);
    }
    Ok(KeyPair {
        sk: sk.clone(),
        pk: pk.clone(),
    })
}

/// `secretkey_import`.
pub fn import_secret(alg: AsymAlg, enc: &[u8], encoding: KeyEncoding) -> CResult<SecretKey> {
    let der = match encoding {
        KeyEncoding::Raw => return import_raw_secret(alg, enc),
        KeyEncoding::Pkcs8 => enc.to_vec(),
        KeyEncoding::Pem => unpem(PRIVATE, enc)?,
        KeyEncoding::Sec | KeyEncoding::Local => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    let der = Secret::new(der);
    let doc = der.bytes();
    let data = match alg {
        AsymAlg::Sig(SigAlg::Ed25519) => {
            rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(doc).map_err(|_| Errno::INVALID_KEY)?;
            SkData::Ed25519(Secret::new(spki::ed25519_seed(doc)?))
        }
        AsymAlg::Sig(SigAlg::Ecdsa(c)) => {
            let (curve, d, public) = spki::ec_parts(doc)?;
            let d = Secret::new(d);
            if curve != c {
                return Err(Errno::INVALID_KEY);
            }
            rs::EcdsaKeyPair::from_private_key_and_public_key(
                c.signing(),
                d.bytes(),
                &public,
                &SystemRandom::new(),
            )
            .map_err(|_| Errno::INVALID_KEY)?;
            SkData::Ec { d, public }
        }
        AsymAlg::Sig(SigAlg::Rsa(r)) => {
            if spki::pkcs8_alg(doc)? != KeyAlg::Rsa {
                return Err(Errno::INVALID_KEY);
            }
            let kp = rs::RsaKeyPair::from_pkcs8(doc).map_err(|_| Errno::INVALID_KEY)?;
            let (n, _) = spki::parse_rsa_public_key(kp.public().as_ref())?;
            if spki::bit_len(&n) != r.bits {
                return Err(Errno::INVALID_KEY);
            }
            SkData::Rsa(der.clone())
        }
        AsymAlg::X25519 => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    Ok(SecretKey { alg, data })
}

fn import_raw_secret(alg: AsymAlg, raw: &[u8]) -> CResult<SecretKey> {
    let data = match alg {
        AsymAlg::Sig(SigAlg::Ed25519) => SkData::Ed25519(Secret::new(arr32(raw)?.to_vec())),
        AsymAlg::X25519 => SkData::X25519(Secret::new(arr32(raw)?.to_vec())),
        AsymAlg::Sig(SigAlg::Ecdsa(_)) => return Err(Errno::NOT_IMPLEMENTED),
        AsymAlg::Sig(SigAlg::Rsa(_)) => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    Ok(SecretKey { alg, data })
}

/// `secretkey_export`.
pub fn export_secret(sk: &SecretKey, encoding: KeyEncoding) -> CResult<Secret> {
    let der = match (&sk.data, encoding) {
        (SkData::Ed25519(s) | SkData::X25519(s), KeyEncoding::Raw) => return Ok(s.clone()),
        (SkData::Ec { d, .. }, KeyEncoding::Raw) => return Ok(d.clone()),
        (SkData::Ed25519(s), KeyEncoding::Pkcs8 | KeyEncoding::Pem) => {
            Secret::new(spki::ed25519_pkcs8(s.bytes()))
        }
        (SkData::Ec { d, public }, KeyEncoding::Pkcs8 | KeyEncoding::Pem) => {
            let AsymAlg::Sig(SigAlg::Ecdsa(c)) = sk.alg else {
                return Err(Errno::INTERNAL_ERROR);
            };
            Secret::new(spki::ec_pkcs8(c, d.bytes(), public))
        }
        (SkData::Rsa(doc), KeyEncoding::Pkcs8 | KeyEncoding::Pem) => doc.clone(),
        _ => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    if encoding == KeyEncoding::Pem {
        Ok(Secret::new(pem(PRIVATE, der.bytes())))
    } else {
        Ok(der)
    }
}

/// `keypair_import`.
pub fn import_pair(alg: AsymAlg, enc: &[u8], encoding: KeyEncoding) -> CResult<KeyPair> {
    if encoding == KeyEncoding::Raw && alg == AsymAlg::Sig(SigAlg::Ed25519) && enc.len() == 64 {
        let sk = import_raw_secret(alg, &enc[..32])?;
        let pk = import_public(alg, &enc[32..], KeyEncoding::Raw)?;
        return pair(&pk, &sk).map_err(|_| Errno::INVALID_KEY);
    }
    if encoding == KeyEncoding::Sec {
        return Err(Errno::UNSUPPORTED_ENCODING);
    }
    let sk = import_secret(alg, enc, encoding)?;
    let pk = public_of(&sk)?;
    Ok(KeyPair { sk, pk })
}

/// `keypair_export`.
pub fn export_pair(kp: &KeyPair, encoding: KeyEncoding) -> CResult<Secret> {
    match (&kp.pk.data, encoding) {
        (PkData::Ed25519(p), KeyEncoding::Raw) => {
            let seed = export_secret(&kp.sk, KeyEncoding::Raw)?;
            Ok(Secret::new([seed.bytes(), p].concat()))
        }
        (_, KeyEncoding::Sec) => Err(Errno::UNSUPPORTED_ENCODING),
        _ => export_secret(&kp.sk, encoding),
    }
}

/// `publickey_import`.
pub fn import_public(alg: AsymAlg, enc: &[u8], encoding: KeyEncoding) -> CResult<PublicKey> {
    let (key_alg, key) = match encoding {
        KeyEncoding::Raw | KeyEncoding::Sec => (None, enc.to_vec()),
        KeyEncoding::Pkcs8 => {
            let (a, k) = spki::parse_spki(enc)?;
            (Some(a), k)
        }
        KeyEncoding::Pem => {
            let (a, k) = spki::parse_spki(&unpem(PUBLIC, enc)?)?;
            (Some(a), k)
        }
        KeyEncoding::Local => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    let expect = |want: KeyAlg| match &key_alg {
        Some(a) if *a != want => Err(Errno::INVALID_KEY),
        _ => Ok(()),
    };
    let data = match alg {
        AsymAlg::Sig(SigAlg::Ed25519) if encoding != KeyEncoding::Sec => {
            expect(KeyAlg::Ed25519)?;
            PkData::Ed25519(arr32(&key)?)
        }
        AsymAlg::X25519 if encoding == KeyEncoding::Raw => PkData::X25519(arr32(&key)?),
        AsymAlg::Sig(SigAlg::Ecdsa(c)) => {
            expect(KeyAlg::Ec(c))?;
            PkData::Ec(check_point(c, key)?)
        }
        AsymAlg::Sig(SigAlg::Rsa(r)) if encoding != KeyEncoding::Sec => {
            expect(KeyAlg::Rsa)?;
            let (n, e) = spki::parse_rsa_public_key(&key)?;
            if spki::bit_len(&n) != r.bits || spki::bit_len(&e) > 33 || e[e.len() - 1] & 1 == 0 {
                return Err(Errno::INVALID_KEY);
            }
            PkData::Rsa { n, e }
        }
        _ => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    Ok(PublicKey { alg, data })
}

/// Checks an uncompressed SEC1 point is on the curve (by running an ECDH with a throwaway
/// ephemeral key, which ring refuses for an invalid point).
fn check_point(c: Curve, point: Vec<u8>) -> CResult<Vec<u8>> {
    match point.first() {
        Some(2 | 3) if point.len() == c.width() + 1 => return Err(Errno::NOT_IMPLEMENTED),
        Some(4) if point.len() == 2 * c.width() + 1 => {}
        _ => return Err(Errno::INVALID_KEY),
    }
    let rng = SystemRandom::new();
    let eph = ring::agreement::EphemeralPrivateKey::generate(c.agreement(), &rng)
        .map_err(|_| Errno::RNG_ERROR)?;
    let peer = ring::agreement::UnparsedPublicKey::new(c.agreement(), &point);
    ring::agreement::agree_ephemeral(eph, &peer, |_| ()).map_err(|_| Errno::INVALID_KEY)?;
    Ok(point)
}

/// `publickey_export`.
pub fn export_public(pk: &PublicKey, encoding: KeyEncoding) -> CResult<Vec<u8>> {
    let (alg, key) = match (&pk.data, encoding) {
        (PkData::Ed25519(p) | PkData::X25519(p), KeyEncoding::Raw) => return Ok(p.to_vec()),
        (PkData::Ec(p), KeyEncoding::Raw | KeyEncoding::Sec) => return Ok(p.clone()),
        (PkData::Rsa { n, e }, KeyEncoding::Raw) => return Ok(spki::rsa_public_key(n, e)),
        (PkData::Ed25519(p), KeyEncoding::Pkcs8 | KeyEncoding::Pem) => {
            (KeyAlg::Ed25519, p.to_vec())
        }
        (PkData::Ec(p), KeyEncoding::Pkcs8 | KeyEncoding::Pem) => {
            let AsymAlg::Sig(SigAlg::Ecdsa(c)) = pk.alg else {
                return Err(Errno::INTERNAL_ERROR);
            };
            (KeyAlg::Ec(c), p.clone())
        }
        (PkData::Rsa { n, e }, KeyEncoding::Pkcs8 | KeyEncoding::Pem) => {
            (KeyAlg::Rsa, spki::rsa_public_key(n, e))
        }
        _ => return Err(Errno::UNSUPPORTED_ENCODING),
    };
    let der = spki::spki(alg, &key);
    Ok(if encoding == KeyEncoding::Pem {
        pem(PUBLIC, &der)
    } else {
        der
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_their_encodings() {
        for alg in [
            AsymAlg::Sig(SigAlg::Ed25519),
            AsymAlg::Sig(SigAlg::Ecdsa(Curve::P256)),
            AsymAlg::Sig(SigAlg::Ecdsa(Curve::P384)),
            AsymAlg::X25519,
        ] {
            let kp = generate(alg).unwrap();
            for enc in [
                KeyEncoding::Raw,
                KeyEncoding::Pkcs8,
                KeyEncoding::Pem,
                KeyEncoding::Sec,
            ] {
                if let Ok(bytes) = export_public(&kp.pk, enc) {
                    assert!(
                        import_public(alg, &bytes, enc).unwrap().data == kp.pk.data,
                        "{alg:?} {enc:?}"
                    );
                }
                if let Ok(bytes) = export_secret(&kp.sk, enc) {
                    match import_secret(alg, bytes.bytes(), enc) {
                        Ok(sk) => assert!(public_of(&sk).unwrap().data == kp.pk.data),
                        Err(e) => assert_eq!(e, Errno::NOT_IMPLEMENTED, "{alg:?} {enc:?}"),
                    }
                }
            }
            assert!(pair(&kp.pk, &kp.sk).is_ok());
        }
        let a = generate(AsymAlg::X25519).unwrap();
        let b = generate(AsymAlg::X25519).unwrap();
        assert_eq!(pair(&a.pk, &b.sk).unwrap_err(), Errno::INCOMPATIBLE_KEYS);
        let rsa = AsymAlg::Sig(SigAlg::parse("RSA_PSS_2048_SHA256").unwrap());
        assert_eq!(generate(rsa).unwrap_err(), Errno::NOT_IMPLEMENTED);
        let p256 = AsymAlg::Sig(SigAlg::Ecdsa(Curve::P256));
        let mut bad = vec![4u8; 65];
        bad[64] = 5;
        assert_eq!(
            import_public(p256, &bad, KeyEncoding::Raw).unwrap_err(),
            Errno::INVALID_KEY
        );
    }
}
