//! The DER layouts of asymmetric keys: SubjectPublicKeyInfo (the `pkcs8` / `pem` encoding of
//! public keys), PKCS#8 v1 private keys for Ed25519 and ECDSA, and PKCS#1 `RSAPublicKey`.
//!
//! Structure only: the caller has ring check that the key itself is valid.

use super::Curve;
use crate::encoding::{BIT_STRING, Der, INTEGER, OCTET_STRING, OID, SEQUENCE, der, der_uint};
use crate::errno::{CResult, Errno};

/// OID 1.3.101.112 (Ed25519).
const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];
/// OID 1.2.840.10045.2.1 (id-ecPublicKey).
const EC_PUBLIC_KEY_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// OID 1.2.840.113549.1.1.1 (rsaEncryption).
const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn curve_oid(c: Curve) -> &'static [u8] {
    match c {
        // 1.2.840.10045.3.1.7 (prime256v1)
        Curve::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        // 1.3.132.0.34 (secp384r1)
        Curve::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
    }
}

/// The kinds of key an AlgorithmIdentifier names.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyAlg {
    Ed25519,
    Ec(Curve),
    Rsa,
}

fn alg_id(alg: &KeyAlg) -> Vec<u8> {
    let body = match alg {
        KeyAlg::Ed25519 => der(OID, ED25519_OID),
        KeyAlg::Ec(c) => [der(OID, EC_PUBLIC_KEY_OID), der(OID, curve_oid(*c))].concat(),
        KeyAlg::Rsa => [der(OID, RSA_OID), vec![0x05, 0x00]].concat(),
    };
    der(SEQUENCE, &body)
}

fn parse_alg_id(body: &[u8]) -> Option<KeyAlg> {
    let mut d = Der::new(body);
    let oid = d.read(OID)?;
    if oid == ED25519_OID {
        return d.is_empty().then_some(KeyAlg::Ed25519);
    }
    if oid == RSA_OID {
        return Some(KeyAlg::Rsa);
    }
    if oid == EC_PUBLIC_KEY_OID {
        let curve = d.read(OID)?;
        for c in [Curve::P256, Curve::P384] {
            if curve == curve_oid(c) {
                return Some(KeyAlg::Ec(c));
            }
        }
    }
    None
}

/// A SubjectPublicKeyInfo.
pub fn spki(alg: KeyAlg, key: &[u8]) -> Vec<u8> {
    let bits = [&[0u8][..], key].concat();
    der(SEQUENCE, &[alg_id(&alg), der(BIT_STRING, &bits)].concat())
}

/// The algorithm and key bytes of a SubjectPublicKeyInfo (`invalid_key` if malformed).
pub fn parse_spki(doc: &[u8]) -> CResult<(KeyAlg, Vec<u8>)> {
    let parse = || {
        let mut outer = Der::new(doc);
        let body = outer.read(SEQUENCE)?;
        if !outer.is_empty() {
            return None;
        }
        let mut d = Der::new(body);
        let alg = parse_alg_id(d.read(SEQUENCE)?)?;
        let bits = d.read(BIT_STRING)?;
        let (&unused, key) = bits.split_first()?;
        (unused == 0 && d.is_empty()).then(|| (alg, key.to_vec()))
    };
    parse().ok_or(Errno::INVALID_KEY)
}

/// A PKCS#8 v1 document holding `private_key` (the inner OCTET STRING's contents).
fn pkcs8(alg: KeyAlg, private_key: &[u8]) -> Vec<u8> {
    let body = [der_uint(&[0]), alg_id(&alg), der(OCTET_STRING, private_key)].concat();
    der(SEQUENCE, &body)
}

/// The algorithm and inner private key of a PKCS#8 document (v1 or v2).
fn parse_pkcs8(doc: &[u8]) -> Option<(KeyAlg, &[u8])> {
    let mut outer = Der::new(doc);
    let body = outer.read(SEQUENCE)?;
    let mut d = Der::new(body);
    let version = d.read(INTEGER)?;
    if version != [0] && version != [1] {
        return None;
    }
    let alg = parse_alg_id(d.read(SEQUENCE)?)?;
    Some((alg, d.read(OCTET_STRING)?))
}

/// Ed25519 seed as PKCS#8 v1.
pub fn ed25519_pkcs8(seed: &[u8]) -> Vec<u8> {
    pkcs8(KeyAlg::Ed25519, &der(OCTET_STRING, seed))
}

/// The seed in an Ed25519 PKCS#8 document.
pub fn ed25519_seed(doc: &[u8]) -> CResult<Vec<u8>> {
    let parse = || {
        let (alg, inner) = parse_pkcs8(doc)?;
        if alg != KeyAlg::Ed25519 {
            return None;
        }
        let seed = Der::new(inner).read(OCTET_STRING)?;
        (seed.len() == 32).then(|| seed.to_vec())
    };
    parse().ok_or(Errno::INVALID_KEY)
}

/// ECDSA scalar and public point as PKCS#8 v1 (RFC 5915 `ECPrivateKey` inside).
pub fn ec_pkcs8(curve: Curve, d: &[u8], public: &[u8]) -> Vec<u8> {
    let bits = [&[0u8][..], public].concat();
    let ec = der(
        SEQUENCE,
        &[
            der_uint(&[1]),
            der(OCTET_STRING, d),
            der(0xa1, &der(BIT_STRING, &bits)),
        ]
        .concat(),
    );
    pkcs8(KeyAlg::Ec(curve), &ec)
}

/// The curve, scalar and public point of an ECDSA PKCS#8 document (ring needs the point:
/// `not_implemented` for a well-formed document without it, `invalid_key` if malformed).
pub fn ec_parts(doc: &[u8]) -> CResult<(Curve, Vec<u8>, Vec<u8>)> {
    let (alg, inner) = parse_pkcs8(doc).ok_or(Errno::INVALID_KEY)?;
    let KeyAlg::Ec(curve) = alg else {
        return Err(Errno::INVALID_KEY);
    };
    let mut outer = Der::new(inner);
    let mut d = Der::new(outer.read(SEQUENCE).ok_or(Errno::INVALID_KEY)?);
    if d.read(INTEGER) != Some(&[1][..]) {
        return Err(Errno::INVALID_KEY);
    }
    let scalar = d.read(OCTET_STRING).ok_or(Errno::INVALID_KEY)?.to_vec();
    if d.peek() == Some(0xa0) {
        d.skip().ok_or(Errno::INVALID_KEY)?;
    }
    if d.is_empty() {
        // A valid document without the public key: ring cannot derive it.
        return Err(Errno::NOT_IMPLEMENTED);
    }
    let public = d
        .read(0xa1)
        .and_then(|p| Der::new(p).read(BIT_STRING))
        .and_then(|b| b.split_first())
        .filter(|(unused, _)| **unused == 0)
        .map(|(_, p)| p.to_vec())
        .ok_or(Errno::INVALID_KEY)?;
    if !d.is_empty() || !outer.is_empty() {
        return Err(Errno::INVALID_KEY);
    }
    Ok((curve, scalar, public))
}

/// The key algorithm of a PKCS#8 document.
pub fn pkcs8_alg(doc: &[u8]) -> CResult<KeyAlg> {
    parse_pkcs8(doc).map(|(a, _)| a).ok_or(Errno::INVALID_KEY)
}

/// PKCS#1 `RSAPublicKey { n, e }`.
pub fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    der(SEQUENCE, &[der_uint(n), der_uint(e)].concat())
}

/// `(n, e)` of a PKCS#1 `RSAPublicKey`, without leading zeroes.
pub fn parse_rsa_public_key(doc: &[u8]) -> CResult<(Vec<u8>, Vec<u8>)> {
    let parse = || {
        let mut outer = Der::new(doc);
        let mut d = Der::new(outer.read(SEQUENCE)?);
        let strip = |v: &[u8]| {
            let i = v.iter().position(|&b| b != 0).unwrap_or(v.len());
            v[i..].to_vec()
        };
        let n = strip(d.read(INTEGER)?);
        let e = strip(d.read(INTEGER)?);
        (d.is_empty() && outer.is_empty() && !n.is_empty() && !e.is_empty()).then_some((n, e))
    };
    parse().ok_or(Errno::INVALID_KEY)
}

/// The bit length of a big-endian number without leading zeroes.
pub fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        None => 0,
        Some(&b) => (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_round_trip() {
        let s = spki(KeyAlg::Ed25519, &[9; 32]);
        // The well-known 12-byte Ed25519 SPKI prefix.
        assert_eq!(
            &s[..12],
            &[
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
            ]
        );
        assert_eq!(parse_spki(&s).unwrap(), (KeyAlg::Ed25519, vec![9; 32]));
        let p = ed25519_pkcs8(&[5; 32]);
        assert_eq!(
            &p[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
        assert_eq!(ed25519_seed(&p).unwrap(), vec![5; 32]);
        let e = ec_pkcs8(Curve::P256, &[1; 32], &[4; 65]);
        assert_eq!(
            ec_parts(&e).unwrap(),
            (Curve::P256, vec![1; 32], vec![4; 65])
        );
        let r = rsa_public_key(&[0x80, 0], &[1, 0, 1]);
        assert_eq!(
            parse_rsa_public_key(&r).unwrap(),
            (vec![0x80, 0], vec![1, 0, 1])
        );
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0]), 9);
        assert_eq!(parse_spki(&s[..20]).unwrap_err(), Errno::INVALID_KEY);
    }
}
