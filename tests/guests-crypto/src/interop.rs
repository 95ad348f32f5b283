//! ECDSA, RSA and Ed25519 against OpenSSL: the guest imports OpenSSL's test keys (PKCS#8 and
//! SPKI PEM) and verifies OpenSSL's signatures; deterministic schemes (RSA PKCS#1 v1.5,
//! Ed25519) must reproduce OpenSSL's signature byte for byte. Every signature the guest makes,
//! with the imported keys and with freshly generated ECDSA/Ed25519 keys, is printed as
//! `SIG <alg> <spki-der-hex> <signature-hex>` for the test to verify with OpenSSL.

use crate::report::Report;
use crate::vectors::{name, parse, to_hex};
use wasi_crypto_guest::prelude::*;

/// The message OpenSSL signed.
pub const MSG: &[u8] = b"wasi-crypto interoperability test message";

fn key_files(key: &str) -> (&'static [u8], &'static [u8]) {
    match key {
        "rsa2048" => (
            include_bytes!("../vectors/keys/rsa2048.pem"),
            include_bytes!("../vectors/keys/rsa2048.pub.pem"),
        ),
        "rsa3072" => (
            include_bytes!("../vectors/keys/rsa3072.pem"),
            include_bytes!("../vectors/keys/rsa3072.pub.pem"),
        ),
        "rsa4096" => (
            include_bytes!("../vectors/keys/rsa4096.pem"),
            include_bytes!("../vectors/keys/rsa4096.pub.pem"),
        ),
        "p256" => (
            include_bytes!("../vectors/keys/p256.pem"),
            include_bytes!("../vectors/keys/p256.pub.pem"),
        ),
        "p384" => (
            include_bytes!("../vectors/keys/p384.pem"),
            include_bytes!("../vectors/keys/p384.pub.pem"),
        ),
        "ed25519" => (
            include_bytes!("../vectors/keys/ed25519.pem"),
            include_bytes!("../vectors/keys/ed25519.pub.pem"),
        ),
        other => panic!("unknown key {other}"),
    }
}

fn is_ecdsa(alg: &str) -> bool {
    alg.starts_with("ECDSA")
}

/// The signature in the encoding OpenSSL uses (DER for ECDSA).
fn export(alg: &str, sig: &Signature) -> Result<Vec<u8>, WasiCryptoError> {
    if is_ecdsa(alg) { sig.der() } else { sig.raw() }
}

fn print_sig(alg: &str, pk: &SignaturePublicKey, sig: &Signature) -> bool {
    match (pk.pkcs8(), export(alg, sig)) {
        (Ok(spki), Ok(s)) => {
            println!("SIG {alg} {} {}", to_hex(&spki), to_hex(&s));
            true
        }
        _ => false,
    }
}

/// Runs the checks; returns the number of failures.
pub fn run() -> usize {
    let mut r = Report::new("interop");
    for v in parse(include_str!("../vectors/openssl-signatures.txt")) {
        let alg = name(v.text("alg"));
        let (sk_pem, pk_pem) = key_files(v.text("key"));
        let openssl_sig = v.bytes("sig");
        let kp = match SignatureKeyPair::from_pem(alg, sk_pem) {
            Ok(kp) => kp,
            Err(e) => {
                r.check(false, || format!("{alg}: PKCS#8 PEM import failed: {e:?}"));
                continue;
            }
        };
        let pk = SignaturePublicKey::from_pem(alg, pk_pem).expect("SPKI PEM import");
        // Our SPKI PEM export of the key derived from the PKCS#8 document is OpenSSL's file.
        let derived = kp.publickey().expect("public key");
        r.eq(alg, derived.pem().ok().as_deref(), Some(pk_pem));
        let theirs = if is_ecdsa(alg) {
            Signature::from_der(alg, &openssl_sig)
        } else {
            Signature::from_raw(alg, &openssl_sig)
        }
        .expect("signature import");
        r.eq(alg, pk.signature_verify(MSG, &theirs), Ok(()));
        r.eq(alg, derived.signature_verify(MSG, &theirs), Ok(()));
        let ours = kp.sign(MSG).expect("sign");
        if alg.starts_with("RSA_PKCS1") || alg == "Ed25519" {
            r.eq(
                alg,
                export(alg, &ours).map(|s| to_hex(&s)),
                Ok(to_hex(&openssl_sig)),
            );
        }
        r.eq(alg, pk.signature_verify(MSG, &ours), Ok(()));
        r.check(print_sig(alg, &pk, &ours), || {
            format!("{alg}: export failed")
        });
        // The key round-trips through PKCS#8 DER too.
        let again = kp
            .pkcs8()
            .and_then(|der| SignatureKeyPair::from_pkcs8(alg, der));
        r.eq(
            alg,
            again.and_then(|k| k.publickey()?.pem()).ok().as_deref(),
            Some(pk_pem),
        );
    }
    for alg in ["ECDSA_P256_SHA256", "ECDSA_P384_SHA384", "Ed25519"] {
        let kp = SignatureKeyPair::generate(alg).expect("generate");
        let pk = kp.publickey().expect("public key");
        let sig = kp.sign(MSG).expect("sign");
        r.eq(alg, pk.signature_verify(MSG, &sig), Ok(()));
        r.check(print_sig(alg, &pk, &sig), || {
            format!("{alg}: export failed")
        });
        // Raw/SEC public key and raw/DER signature encodings round-trip.
        let raw = pk.raw().expect("raw public key");
        let back = SignaturePublicKey::from_raw(alg, &raw).expect("raw import");
        let sig2 = Signature::from_raw(alg, sig.raw().expect("raw sig")).expect("raw sig import");
        r.eq(alg, back.signature_verify(MSG, &sig2), Ok(()));
    }
    r.finish()
}
