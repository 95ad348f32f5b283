//! Published known-answer vectors through the host: FIPS 180-4 hashes, RFC 4231 HMAC, RFC 5869
//! HKDF, GCM (McGrew-Viega / NIST) and RFC 8439 AEADs, RFC 8032 Ed25519, RFC 7748 X25519.

use crate::report::Report;
use crate::vectors::{name, parse, to_hex};
use wasi_crypto_guest::prelude::*;

/// Runs every group; returns the number of failures.
pub fn run() -> usize {
    hashes() + hmacs() + hkdfs() + aeads() + ed25519() + x25519()
}

fn hashes() -> usize {
    let mut r = Report::new("hash");
    for v in parse(include_str!("../vectors/hash.txt")) {
        let alg = name(v.text("alg"));
        let want = v.bytes("out");
        let got = Hash::hash(alg, v.bytes("msg"), want.len(), None);
        r.eq(alg, got.map(|d| to_hex(&d)), Ok(to_hex(&want)));
        // Streaming in two parts gives the same digest.
        let msg = v.bytes("msg");
        let (a, b) = msg.split_at(msg.len() / 3);
        let mut h = Hash::unkeyed(alg).expect("hash state");
        h.absorb(a).unwrap();
        h.absorb(b).unwrap();
        r.eq(
            alg,
            h.squeeze(want.len()).map(|d| to_hex(&d)),
            Ok(to_hex(&want)),
        );
    }
    r.finish()
}

fn hmacs() -> usize {
    let mut r = Report::new("hmac");
    for v in parse(include_str!("../vectors/hmac.txt")) {
        let alg = name(v.text("alg"));
        let want = v.bytes("tag");
        let key = AuthKey::from_raw(alg, v.bytes("key")).expect("hmac key");
        let tag = Auth::auth(v.bytes("msg"), &key).expect("hmac");
        // RFC 4231 test case 5 lists a truncated tag: compare its prefix.
        r.eq(alg, to_hex(&tag[..want.len()]), to_hex(&want));
        r.eq(alg, Auth::auth_verify(v.bytes("msg"), &key, &tag), Ok(()));
    }
    r.finish()
}

fn hkdfs() -> usize {
    let mut r = Report::new("hkdf");
    for v in parse(include_str!("../vectors/hkdf.txt")) {
        let hash = v.text("hash");
        let extract = name(&format!("HKDF-EXTRACT/{hash}"));
        let expand = name(&format!("HKDF-EXPAND/{hash}"));
        let ikm = SymmetricKey::from_raw(extract, v.bytes("ikm")).expect("ikm");
        // Extract step, checked through the PRK itself.
        let mut st = SymmetricState::new(extract, Some(&ikm), None).expect("extract state");
        st.absorb(v.bytes("salt")).unwrap();
        let prk = st.squeeze_key(expand).expect("prk");
        r.eq(
            "prk",
            prk.raw().map(|p| to_hex(&p)),
            Ok(to_hex(&v.bytes("prk"))),
        );
        // Expand from the PRK, and the high-level Hkdf API end to end.
        let want = v.bytes("okm");
        let mut ex = SymmetricState::new(expand, Some(&prk), None).expect("expand state");
        ex.absorb(v.bytes("info")).unwrap();
        r.eq(
            "okm",
            ex.squeeze(want.len()).map(|o| to_hex(&o)),
            Ok(to_hex(&want)),
        );
        let hkdf_key = HkdfKey::from_raw(extract, v.bytes("ikm")).expect("hkdf key");
        let okm = Hkdf::new(expand, &hkdf_key, Some(&v.bytes("salt")))
            .and_then(|h| h.expand(v.bytes("info"), want.len()));
        r.eq("Hkdf::expand", okm.map(|o| to_hex(&o)), Ok(to_hex(&want)));
    }
    r.finish()
}

fn aeads() -> usize {
    let mut r = Report::new("aead");
    for v in parse(include_str!("../vectors/aead.txt")) {
        let alg = name(v.text("alg"));
        let key = AeadKey::from_raw(alg, v.bytes("key")).expect("aead key");
        let (nonce, ad, pt) = (v.bytes("nonce"), v.bytes("ad"), v.bytes("pt"));
        let want = [v.bytes("ct"), v.bytes("tag")].concat();
        let ct = Aead::new(&key, Some(&nonce), Some(&ad)).and_then(|mut a| a.encrypt(&pt));
        r.eq(alg, ct.map(|c| to_hex(&c)), Ok(to_hex(&want)));
        let back = Aead::new(&key, Some(&nonce), Some(&ad)).and_then(|mut a| a.decrypt(&want));
        r.eq(alg, back, Ok(pt.clone()));
        // Detached: ciphertext and tag separately, through the low-level state.
        let sym = SymmetricKey::from_raw(alg, v.bytes("key")).expect("key");
        let mut o = SymmetricOptions::new();
        o.set("nonce", &nonce).unwrap();
        let mut st = SymmetricState::new(alg, Some(&sym), Some(&o)).expect("state");
        st.absorb(&ad).unwrap();
        let mut out = vec![0u8; pt.len()];
        let tag = st
            .encrypt_detached(&mut out, &pt)
            .expect("encrypt_detached");
        r.eq(alg, to_hex(&out), to_hex(&v.bytes("ct")));
        r.eq(alg, to_hex(&tag), v.text("tag").to_string());
        let mut st = SymmetricState::new(alg, Some(&sym), Some(&o)).expect("state");
        st.absorb(&ad).unwrap();
        let mut plain = vec![0u8; pt.len()];
        r.eq(
            alg,
            st.decrypt_detached(&mut plain, v.bytes("ct"), &tag),
            Ok(()),
        );
        r.eq(alg, plain, pt);
        r.eq(alg, st.options_get("nonce"), Ok(nonce));
    }
    r.finish()
}

fn ed25519() -> usize {
    let mut r = Report::new("ed25519");
    for v in parse(include_str!("../vectors/ed25519.txt")) {
        let (sk, pk, msg) = (v.bytes("sk"), v.bytes("pk"), v.bytes("msg"));
        let kp = SignatureKeyPair::from_raw("Ed25519", &sk).expect("keypair from seed");
        let derived = kp.publickey().and_then(|p| p.raw());
        r.eq("public key", derived.map(|p| to_hex(&p)), Ok(to_hex(&pk)));
        let sig = kp.sign(&msg).and_then(|s| s.raw());
        r.eq(
            "signature",
            sig.map(|s| to_hex(&s)),
            Ok(v.text("sig").to_string()),
        );
        let imported = Signature::from_raw("Ed25519", v.bytes("sig")).expect("signature import");
        let verified = SignaturePublicKey::from_raw("Ed25519", &pk)
            .and_then(|p| p.signature_verify(&msg, &imported));
        r.eq("verify", verified, Ok(()));
        // The same key as seed || public key.
        let full = SignatureKeyPair::from_raw("Ed25519", [sk, pk].concat()).and_then(|k| k.raw());
        r.eq("raw keypair", full.map(|k| k.len()), Ok(64));
    }
    r.finish()
}

fn x25519() -> usize {
    let mut r = Report::new("x25519");
    for v in parse(include_str!("../vectors/x25519.txt")) {
        let sk = KxSecretKey::from_raw("X25519", v.bytes("sk")).expect("secret key");
        let peer = KxPublicKey::from_raw("X25519", v.bytes("peer")).expect("peer key");
        r.eq(
            "dh",
            peer.dh(&sk).map(|s| to_hex(&s)),
            Ok(v.text("shared").to_string()),
        );
        if v.has("pk") {
            let kp = KxKeyPair::from_raw("X25519", v.bytes("sk")).expect("keypair");
            let pk = kp.publickey().and_then(|p| p.raw());
            r.eq(
                "public key",
                pk.map(|p| to_hex(&p)),
                Ok(v.text("pk").to_string()),
            );
        }
    }
    r.finish()
}
