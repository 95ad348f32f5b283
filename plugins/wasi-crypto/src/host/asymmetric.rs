//! `wasi_ephemeral_crypto_asymmetric_common`: key pairs, public and secret keys of the
//! signature and key-exchange algorithms (generation, import, export, derivation). The
//! managed-key functions are `not_implemented`.

use super::{Plugin, host_fn, new_state, not_implemented, opt_options};
use crate::asym::{AsymAlg, KeyEncoding, keys};
use crate::errno::CResult;
use crate::guest::Guest;
use crate::options::AlgType;
use wasmedge_plugin_sdk::{ModuleDescriptor, host_module};

/// The algorithm of `(alg_type, name_ptr, name_len)`.
fn alg(g: &Guest<'_>, alg_type: u32, ptr: u32, len: u32) -> CResult<(AlgType, AsymAlg)> {
    let alg_type = AlgType::from_raw(alg_type)?;
    Ok((alg_type, AsymAlg::parse(alg_type, g.str(ptr, len)?)?))
}

host_fn!(
    /// `keypair_generate(alg_type, alg, alg_len, opt_options, →keypair)`.
    keypair_generate(t, g, a) {
        g.check(a[4].u32(), 4)?;
        let (alg_type, alg) = alg(g, a[0].u32(), a[1].u32(), a[2].u32())?;
        opt_options(t, g, a[3].u32(), alg_type)?;
        let h = t.keypairs.insert(keys::generate(alg)?)?;
        g.write_u32(a[4].u32(), h)
    }
);

host_fn!(
    /// `keypair_import(alg_type, alg, alg_len, encoded, encoded_len, encoding, →keypair)`.
    keypair_import(t, g, a) {
        g.check(a[6].u32(), 4)?;
        let (_, alg) = alg(g, a[0].u32(), a[1].u32(), a[2].u32())?;
        let encoding = KeyEncoding::keypair(a[5].u32())?;
        let kp = keys::import_pair(alg, g.bytes(a[3].u32(), a[4].u32())?, encoding)?;
        let h = t.keypairs.insert(kp)?;
        g.write_u32(a[6].u32(), h)
    }
);

host_fn!(
    /// `keypair_from_pk_and_sk(publickey, secretkey, →keypair)`.
    keypair_from_pk_and_sk(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let kp = keys::pair(t.publickeys.get(a[0].u32())?, t.secretkeys.get(a[1].u32())?)?;
        let h = t.keypairs.insert(kp)?;
        g.write_u32(a[2].u32(), h)
    }
);

host_fn!(
    /// `keypair_export(keypair, encoding, →array_output)`.
    keypair_export(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let encoding = KeyEncoding::keypair(a[1].u32())?;
        let bytes = keys::export_pair(t.keypairs.get(a[0].u32())?, encoding)?;
        let h = t.output(bytes)?;
        g.write_u32(a[2].u32(), h)
    }
);

host_fn!(
    /// `keypair_publickey(keypair, →publickey)`.
    keypair_publickey(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let pk = t.keypairs.get(a[0].u32())?.pk.clone();
        let h = t.publickeys.insert(pk)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `keypair_secretkey(keypair, →secretkey)`.
    keypair_secretkey(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let sk = t.keypairs.get(a[0].u32())?.sk.clone();
        let h = t.secretkeys.insert(sk)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `keypair_close(keypair)`.
    keypair_close(t, g, a) {
        t.keypairs.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `publickey_import(alg_type, alg, alg_len, encoded, encoded_len, encoding, →publickey)`.
    publickey_import(t, g, a) {
        g.check(a[6].u32(), 4)?;
        let (_, alg) = alg(g, a[0].u32(), a[1].u32(), a[2].u32())?;
        let encoding = KeyEncoding::key(a[5].u32())?;
        let pk = keys::import_public(alg, g.bytes(a[3].u32(), a[4].u32())?, encoding)?;
        let h = t.publickeys.insert(pk)?;
        g.write_u32(a[6].u32(), h)
    }
);

host_fn!(
    /// `publickey_export(publickey, encoding, →array_output)`.
    publickey_export(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let encoding = KeyEncoding::key(a[1].u32())?;
        let bytes = keys::export_public(t.publickeys.get(a[0].u32())?, encoding)?;
        let h = t.output(crate::secret::Secret::new(bytes))?;
        g.write_u32(a[2].u32(), h)
    }
);

host_fn!(
    /// `publickey_verify(publickey)`: public keys are validated when they are imported or
    /// derived (ECDSA points on the curve, RSA modulus size and exponent), so a live handle is
    /// a valid key.
    publickey_verify(t, g, a) {
        t.publickeys.get(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `publickey_from_secretkey(secretkey, →publickey)`.
    publickey_from_secretkey(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let pk = keys::public_of(t.secretkeys.get(a[0].u32())?)?;
        let h = t.publickeys.insert(pk)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `publickey_close(publickey)`.
    publickey_close(t, g, a) {
        t.publickeys.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `secretkey_import(alg_type, alg, alg_len, encoded, encoded_len, encoding, →secretkey)`.
    secretkey_import(t, g, a) {
        g.check(a[6].u32(), 4)?;
        let (_, alg) = alg(g, a[0].u32(), a[1].u32(), a[2].u32())?;
        let encoding = KeyEncoding::key(a[5].u32())?;
        let sk = keys::import_secret(alg, g.bytes(a[3].u32(), a[4].u32())?, encoding)?;
        let h = t.secretkeys.insert(sk)?;
        g.write_u32(a[6].u32(), h)
    }
);

host_fn!(
    /// `secretkey_export(secretkey, encoding, →array_output)`.
    secretkey_export(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let encoding = KeyEncoding::key(a[1].u32())?;
        let bytes = keys::export_secret(t.secretkeys.get(a[0].u32())?, encoding)?;
        let h = t.output(bytes)?;
        g.write_u32(a[2].u32(), h)
    }
);

host_fn!(
    /// `secretkey_close(secretkey)`: the key bytes are wiped.
    secretkey_close(t, g, a) {
        t.secretkeys.remove(a[0].u32()).map(drop)
    }
);

not_implemented!(
    keypair_generate_managed,
    keypair_store_managed,
    keypair_replace_managed,
    keypair_id,
    keypair_from_id,
);

/// The module.
pub const MODULE: ModuleDescriptor = host_module! {
    name: "wasi_ephemeral_crypto_asymmetric_common",
    description: "WASI-Crypto key pairs, public keys and secret keys",
    state: Plugin = new_state(1),
    functions: [
        "keypair_generate" (i32, i32, i32, i32, i32) -> (i32) = keypair_generate,
        "keypair_import" (i32, i32, i32, i32, i32, i32, i32) -> (i32) = keypair_import,
        "keypair_generate_managed" (i32, i32, i32, i32, i32, i32) -> (i32) = keypair_generate_managed,
        "keypair_store_managed" (i32, i32, i32, i32) -> (i32) = keypair_store_managed,
        "keypair_replace_managed" (i32, i32, i32, i32) -> (i32) = keypair_replace_managed,
        "keypair_id" (i32, i32, i32, i32, i32) -> (i32) = keypair_id,
        "keypair_from_id" (i32, i32, i32, i64, i32) -> (i32) = keypair_from_id,
        "keypair_from_pk_and_sk" (i32, i32, i32) -> (i32) = keypair_from_pk_and_sk,
        "keypair_export" (i32, i32, i32) -> (i32) = keypair_export,
        "keypair_publickey" (i32, i32) -> (i32) = keypair_publickey,
        "keypair_secretkey" (i32, i32) -> (i32) = keypair_secretkey,
        "keypair_close" (i32) -> (i32) = keypair_close,
        "publickey_import" (i32, i32, i32, i32, i32, i32, i32) -> (i32) = publickey_import,
        "publickey_export" (i32, i32, i32) -> (i32) = publickey_export,
        "publickey_verify" (i32) -> (i32) = publickey_verify,
        "publickey_from_secretkey" (i32, i32) -> (i32) = publickey_from_secretkey,
        "publickey_close" (i32) -> (i32) = publickey_close,
        "secretkey_import" (i32, i32, i32, i32, i32, i32, i32) -> (i32) = secretkey_import,
        "secretkey_export" (i32, i32, i32) -> (i32) = secretkey_export,
        "secretkey_close" (i32) -> (i32) = secretkey_close,
    ],
};
