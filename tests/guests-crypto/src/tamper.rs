//! Tampered ciphertexts, tags, signatures, messages and keys must fail with the right
//! `crypto_errno` (as the guest crate maps it): `invalid_tag` for AEADs and MACs,
//! `verification_failed` for signatures, `invalid_key` / `invalid_signature` for malformed
//! keys and signatures.

use crate::report::Report;
use crate::vectors::value;
use wasi_crypto_guest::prelude::*;

use WasiCryptoError as E;

fn flip(mut b: Vec<u8>, i: usize) -> Vec<u8> {
    let i = i % b.len();
    b[i] ^= 0x01;
    b
}

/// Runs the checks; returns the number of failures.
pub fn run() -> usize {
    aead() + mac() + signatures() + keys()
}

fn aead() -> usize {
    let mut r = Report::new("tamper-aead");
    for alg in ["AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"] {
        let key = AeadKey::generate(alg).expect("key");
        let other = AeadKey::generate(alg).expect("key");
        let nonce = [7u8; 12];
        let ad = b"header";
        let pt = b"attack at dawn, bring snacks";
        let ct = Aead::new(&key, Some(&nonce), Some(ad))
            .and_then(|mut a| a.encrypt(pt))
            .expect("encrypt");
        let open = |k: &AeadKey, n: &[u8], ad: &[u8], c: &[u8]| {
            Aead::new(k, Some(n), Some(ad)).and_then(|mut a| a.decrypt(c))
        };
        r.eq(alg, open(&key, &nonce, ad, &ct), Ok(pt.to_vec()));
        r.eq(
            alg,
            open(&key, &nonce, ad, &flip(ct.clone(), 3)),
            Err(E::InvalidTag),
        );
        r.eq(
            alg,
            open(&key, &nonce, ad, &flip(ct.clone(), ct.len() - 1)),
            Err(E::InvalidTag),
        );
        r.eq(alg, open(&key, &nonce, b"headex", &ct), Err(E::InvalidTag));
        r.eq(alg, open(&key, &[8u8; 12], ad, &ct), Err(E::InvalidTag));
        r.eq(alg, open(&other, &nonce, ad, &ct), Err(E::InvalidTag));
        r.eq(
            alg,
            open(&key, &nonce, ad, &ct[..ct.len() - 1]),
            Err(E::InvalidTag),
        );
        // Detached tag.
        let sym = SymmetricKey::generate(alg, None).expect("key");
        let mut o = SymmetricOptions::new();
        o.set("nonce", nonce).unwrap();
        let mut st = SymmetricState::new(alg, Some(&sym), Some(&o)).expect("state");
        let mut out = vec![0u8; pt.len()];
        let tag = st.encrypt_detached(&mut out, pt).expect("encrypt_detached");
        let mut st = SymmetricState::new(alg, Some(&sym), Some(&o)).expect("state");
        let mut plain = vec![0u8; pt.len()];
        r.eq(
            alg,
            st.decrypt_detached(&mut plain, &out, flip(tag.clone(), 0)),
            Err(E::InvalidTag),
        );
        r.eq(
            alg,
            st.decrypt_detached(&mut plain, flip(out.clone(), 0), &tag),
            Err(E::InvalidTag),
        );
        r.eq(alg, plain == vec![0u8; pt.len()], true);
        r.eq(alg, st.decrypt_detached(&mut plain, &out, &tag), Ok(()));
        // Nonce handling.
        r.eq(
            alg,
            SymmetricState::new(alg, Some(&sym), None).err(),
            Some(E::NonceRequired),
        );
        let mut short = SymmetricOptions::new();
        short.set("nonce", [0u8; 8]).unwrap();
        r.eq(
            alg,
            SymmetricState::new(alg, Some(&sym), Some(&short)).err(),
            Some(E::InvalidNonce),
        );
        r.eq(
            alg,
            SymmetricState::new(alg, None, Some(&o)).err(),
            Some(E::KeyRequired),
        );
    }
    r.finish()
}

fn mac() -> usize {
    let mut r = Report::new("tamper-mac");
    for alg in ["HMAC/SHA-256", "HMAC/SHA-512"] {
        let key = AuthKey::generate(alg).expect("key");
        let other = AuthKey::from_raw(alg, b"another key").expect("key");
        let tag = Auth::auth(b"message", &key).expect("tag");
        r.eq(alg, Auth::auth_verify(b"message", &key, &tag), Ok(()));
        r.eq(
            alg,
            Auth::auth_verify(b"message", &key, flip(tag.clone(), 5)),
            Err(E::InvalidTag),
        );
        r.eq(
            alg,
            Auth::auth_verify(b"massage", &key, &tag),
            Err(E::InvalidTag),
        );
        r.eq(
            alg,
            Auth::auth_verify(b"message", &other, &tag),
            Err(E::InvalidTag),
        );
        // A truncated or empty expected tag never verifies.
        r.eq(
            alg,
            Auth::auth_verify(b"message", &key, &tag[..16]),
            Err(E::InvalidTag),
        );
        r.eq(
            alg,
            Auth::auth_verify(b"message", &key, []),
            Err(E::InvalidTag),
        );
    }
    r.finish()
}

fn signatures() -> usize {
    let mut r = Report::new("tamper-signature");
    let rsa_pem: &[u8] = include_bytes!("../vectors/keys/rsa2048.pem");
    let cases: Vec<(&'static str, SignatureKeyPair)> = vec![
        (
            "Ed25519",
            SignatureKeyPair::generate("Ed25519").expect("ed25519"),
        ),
        (
            "ECDSA_P256_SHA256",
            SignatureKeyPair::generate("ECDSA_P256_SHA256").expect("p256"),
        ),
        (
            "ECDSA_P384_SHA384",
            SignatureKeyPair::generate("ECDSA_P384_SHA384").expect("p384"),
        ),
        (
            "RSA_PKCS1_2048_SHA256",
            SignatureKeyPair::from_pem("RSA_PKCS1_2048_SHA256", rsa_pem).expect("rsa"),
        ),
        (
            "RSA_PSS_2048_SHA512",
            SignatureKeyPair::from_pem("RSA_PSS_2048_SHA512", rsa_pem).expect("rsa"),
        ),
    ];
    for (alg, kp) in &cases {
        let alg = *alg;
        let pk = kp.publickey().expect("pk");
        let sig = kp.sign(b"message").expect("sign").raw().expect("raw");
        let import = |b: Vec<u8>| Signature::from_raw(alg, b).expect("import");
        r.eq(
            alg,
            pk.signature_verify(b"message", &import(sig.clone())),
            Ok(()),
        );
        r.eq(
            alg,
            pk.signature_verify(b"massage", &import(sig.clone())),
            Err(E::VerificationFailed),
        );
        r.eq(
            alg,
            pk.signature_verify(b"message", &import(flip(sig.clone(), 0))),
            Err(E::VerificationFailed),
        );
        r.eq(
            alg,
            pk.signature_verify(b"message", &import(flip(sig.clone(), sig.len() - 1))),
            Err(E::VerificationFailed),
        );
        r.eq(
            alg,
            Signature::from_raw(alg, &sig[1..]).err(),
            Some(E::InvalidSignature),
        );
        // A tampered public key: ECDSA points off the curve are refused at import; Ed25519 and
        // RSA keys import but no longer verify.
        let raw_pk = if alg.starts_with("RSA") {
            pk.pkcs8()
        } else {
            pk.raw()
        }
        .expect("export");
        let bad = flip(raw_pk.clone(), raw_pk.len() - 2);
        let bad_pk = if alg.starts_with("RSA") {
            SignaturePublicKey::from_pkcs8(alg, &bad)
        } else {
            SignaturePublicKey::from_raw(alg, &bad)
        };
        let outcome = bad_pk.and_then(|p| p.signature_verify(b"message", &import(sig.clone())));
        let want = if alg.starts_with("ECDSA") {
            E::InvalidKey
        } else {
            E::VerificationFailed
        };
        r.eq(alg, outcome, Err(want));
        // Another key pair's public key.
        let other = if alg.starts_with("RSA") {
            let pem: &[u8] = include_bytes!("../vectors/keys/rsa2048.pub.pem");
            SignaturePublicKey::from_pem(alg, pem).expect("pk")
        } else {
            SignatureKeyPair::generate(alg)
                .and_then(|k| k.publickey())
                .expect("other")
        };
        if !alg.starts_with("RSA") {
            r.eq(
                alg,
                other.signature_verify(b"message", &import(sig.clone())),
                Err(E::VerificationFailed),
            );
        }
    }
    // A signature of another algorithm is not accepted.
    let ed = SignatureKeyPair::generate("Ed25519").expect("ed");
    let p256 = SignatureKeyPair::generate("ECDSA_P256_SHA256").expect("p256");
    let sig = p256.sign(b"m").expect("sig");
    r.eq(
        "mixed",
        ed.publickey().and_then(|p| p.signature_verify(b"m", &sig)),
        Err(E::InvalidSignature),
    );
    r.finish()
}

fn keys() -> usize {
    let mut r = Report::new("tamper-key");
    r.eq(
        "aes key length",
        AeadKey::from_raw("AES-128-GCM", [0u8; 15]).err(),
        Some(E::InvalidKey),
    );
    r.eq(
        "ed25519 key length",
        SignatureKeyPair::from_raw("Ed25519", [0u8; 31]).err(),
        Some(E::InvalidKey),
    );
    let pkcs8: &[u8] = include_bytes!("../vectors/keys/p256.pem");
    let der = SignatureKeyPair::from_pem("ECDSA_P256_SHA256", pkcs8)
        .and_then(|k| k.pkcs8())
        .expect("der");
    // Byte 40 is inside the private scalar, the last byte inside the public point: either
    // change makes the pair inconsistent (or the point invalid).
    for at in [40, der.len() - 1] {
        let bad = flip(der.clone(), at);
        r.eq(
            "tampered PKCS#8",
            SignatureKeyPair::from_pkcs8("ECDSA_P256_SHA256", &bad).err(),
            Some(E::InvalidKey),
        );
    }
    r.eq(
        "truncated PKCS#8",
        SignatureKeyPair::from_pkcs8("ECDSA_P256_SHA256", &der[..der.len() - 10]).err(),
        Some(E::InvalidKey),
    );
    r.eq(
        "wrong curve",
        SignatureKeyPair::from_pem("ECDSA_P384_SHA384", pkcs8).err(),
        Some(E::InvalidKey),
    );
    let rsa: &[u8] = include_bytes!("../vectors/keys/rsa3072.pem");
    r.eq(
        "wrong RSA size",
        SignatureKeyPair::from_pem("RSA_PKCS1_2048_SHA256", rsa).err(),
        Some(E::InvalidKey),
    );
    // X25519: a low-order point gives an all-zero secret, refused.
    let sk = KxKeyPair::generate("X25519")
        .and_then(|k| k.secretkey())
        .expect("sk");
    let zero = KxPublicKey::from_raw("X25519", value("00*32")).expect("pk");
    r.eq("x25519 low order", zero.dh(&sk).err(), Some(E::InvalidKey));
    // A Ed25519 DH / X25519 signature mix-up.
    r.eq(
        "kx alg for signatures",
        SignatureKeyPair::generate("X25519").err(),
        Some(E::UnsupportedAlgorithm),
    );
    r.finish()
}
