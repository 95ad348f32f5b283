//! `wasi_ephemeral_crypto_signatures`: signature objects and the signing / verification
//! states (the message is collected and signed or verified in one shot by ring).

use super::{Plugin, host_fn, new_state};
use crate::asym::sign::{self, SigEncoding};
use crate::asym::{SigAlg, SignState, VerifyState};
use crate::secret::Secret;
use wasmedge_plugin_sdk::{ModuleDescriptor, host_module};

host_fn!(
    /// `signature_export(signature, encoding, →array_output)`.
    signature_export(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let encoding = SigEncoding::from_raw(a[1].u32())?;
        let bytes = sign::export(t.signatures.get(a[0].u32())?, encoding)?;
        let h = t.output(Secret::new(bytes))?;
        g.write_u32(a[2].u32(), h)
    }
);

host_fn!(
    /// `signature_import(alg, alg_len, encoded, encoded_len, encoding, →signature)`.
    signature_import(t, g, a) {
        g.check(a[5].u32(), 4)?;
        let alg = SigAlg::parse(g.str(a[0].u32(), a[1].u32())?)?;
        let encoding = SigEncoding::from_raw(a[4].u32())?;
        let sig = sign::import(alg, g.bytes(a[2].u32(), a[3].u32())?, encoding)?;
        let h = t.signatures.insert(sig)?;
        g.write_u32(a[5].u32(), h)
    }
);

host_fn!(
    /// `signature_state_open(keypair, →state)`.
    signature_state_open(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let kp = t.keypairs.get(a[0].u32())?.clone();
        kp.sk.alg.sig()?;
        let h = t.sign_states.insert(SignState { kp, msg: Vec::new() })?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `signature_state_update(state, data, data_len)`.
    signature_state_update(t, g, a) {
        let data = g.bytes(a[1].u32(), a[2].u32())?;
        t.sign_states.get_mut(a[0].u32())?.msg.extend_from_slice(data);
        Ok(())
    }
);

host_fn!(
    /// `signature_state_sign(state, →signature)`: a *signature* handle (WasmEdge, the
    /// reference host and the guest crate all treat it so, whatever the witx name says).
    signature_state_sign(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let st = t.sign_states.get(a[0].u32())?;
        let sig = sign::sign(&st.kp, &st.msg)?;
        let h = t.signatures.insert(sig)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `signature_state_close(state)`.
    signature_state_close(t, g, a) {
        t.sign_states.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `signature_verification_state_open(publickey, →state)`.
    signature_verification_state_open(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let pk = t.publickeys.get(a[0].u32())?.clone();
        pk.alg.sig()?;
        let h = t.verify_states.insert(VerifyState { pk, msg: Vec::new() })?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `signature_verification_state_update(state, data, data_len)`.
    signature_verification_state_update(t, g, a) {
        let data = g.bytes(a[1].u32(), a[2].u32())?;
        t.verify_states.get_mut(a[0].u32())?.msg.extend_from_slice(data);
        Ok(())
    }
);

host_fn!(
    /// `signature_verification_state_verify(state, signature)`: `verification_failed` for a
    /// signature that does not match.
    signature_verification_state_verify(t, g, a) {
        let st = t.verify_states.get(a[0].u32())?;
        sign::verify(&st.pk, &st.msg, t.signatures.get(a[1].u32())?)
    }
);

host_fn!(
    /// `signature_verification_state_close(state)`.
    signature_verification_state_close(t, g, a) {
        t.verify_states.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `signature_close(signature)`.
    signature_close(t, g, a) {
        t.signatures.remove(a[0].u32()).map(drop)
    }
);

/// The module.
pub const MODULE: ModuleDescriptor = host_module! {
    name: "wasi_ephemeral_crypto_signatures",
    description: "WASI-Crypto signatures: Ed25519, ECDSA P-256/P-384, RSA PKCS#1 v1.5 and PSS",
    state: Plugin = new_state(3),
    functions: [
        "signature_export" (i32, i32, i32) -> (i32) = signature_export,
        "signature_import" (i32, i32, i32, i32, i32, i32) -> (i32) = signature_import,
        "signature_state_open" (i32, i32) -> (i32) = signature_state_open,
        "signature_state_update" (i32, i32, i32) -> (i32) = signature_state_update,
        "signature_state_sign" (i32, i32) -> (i32) = signature_state_sign,
        "signature_state_close" (i32) -> (i32) = signature_state_close,
        "signature_verification_state_open" (i32, i32) -> (i32) = signature_verification_state_open,
        "signature_verification_state_update" (i32, i32, i32) -> (i32) = signature_verification_state_update,
        "signature_verification_state_verify" (i32, i32) -> (i32) = signature_verification_state_verify,
        "signature_verification_state_close" (i32) -> (i32) = signature_verification_state_close,
        "signature_close" (i32) -> (i32) = signature_close,
    ],
};
