//! `wasi_ephemeral_crypto_symmetric`: symmetric keys, states (the state machine itself is in
//! `crate::sym::state`) and tags. The managed-key functions are `not_implemented`.

use super::{Plugin, host_fn, new_state, not_implemented, opt_options};
use crate::errno::{CResult, Errno};
use crate::guest::Guest;
use crate::options::AlgType;
use crate::secret::Secret;
use crate::sym::{SymAlg, SymKey, SymState, Tag};
use wasmedge_plugin_sdk::{ModuleDescriptor, host_module};

fn alg(g: &Guest<'_>, ptr: u32, len: u32) -> CResult<SymAlg> {
    SymAlg::parse(g.str(ptr, len)?)
}

host_fn!(
    /// `symmetric_key_generate(alg, alg_len, opt_options, →key)`.
    symmetric_key_generate(t, g, a) {
        g.check(a[3].u32(), 4)?;
        let alg = alg(g, a[0].u32(), a[1].u32())?;
        opt_options(t, g, a[2].u32(), AlgType::Symmetric)?;
        let key = SymKey { alg, bytes: alg.generate_key()? };
        let h = t.sym_keys.insert(key)?;
        g.write_u32(a[3].u32(), h)
    }
);

host_fn!(
    /// `symmetric_key_import(alg, alg_len, raw, raw_len, →key)`.
    symmetric_key_import(t, g, a) {
        g.check(a[4].u32(), 4)?;
        let alg = alg(g, a[0].u32(), a[1].u32())?;
        let key = SymKey { alg, bytes: alg.import_key(g.bytes(a[2].u32(), a[3].u32())?)? };
        let h = t.sym_keys.insert(key)?;
        g.write_u32(a[4].u32(), h)
    }
);

host_fn!(
    /// `symmetric_key_export(key, →array_output)`: the raw key.
    symmetric_key_export(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let bytes = t.sym_keys.get(a[0].u32())?.bytes.clone();
        let h = t.output(bytes)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `symmetric_key_close(key)`: the key bytes are wiped.
    symmetric_key_close(t, g, a) {
        t.sym_keys.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `symmetric_state_open(alg, alg_len, opt_key, opt_options, →state)`.
    symmetric_state_open(t, g, a) {
        g.check(a[4].u32(), 4)?;
        let alg = alg(g, a[0].u32(), a[1].u32())?;
        let key = match g.opt_handle(a[2].u32())? {
            Some(h) => Some(t.sym_keys.get(h)?),
            None => None,
        };
        let options = opt_options(t, g, a[3].u32(), AlgType::Symmetric)?;
        let state = SymState::open(alg, key, options.as_ref())?;
        let h = t.sym_states.insert(state)?;
        g.write_u32(a[4].u32(), h)
    }
);

host_fn!(
    /// `symmetric_state_clone(state, →state)`.
    symmetric_state_clone(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let copy = t.sym_states.get(a[0].u32())?.clone();
        let h = t.sym_states.insert(copy)?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `symmetric_state_options_get(state, name, name_len, buf, buf_len, →size)`: `overflow`
    /// if the value does not fit.
    symmetric_state_options_get(t, g, a) {
        g.check(a[3].u32(), a[4].u32())?;
        g.check(a[5].u32(), 4)?;
        let value = t.sym_states.get(a[0].u32())?.options_get(g.str(a[1].u32(), a[2].u32())?)?.to_vec();
        if value.len() > a[4].u32() as usize {
            return Err(Errno::OVERFLOW);
        }
        g.write(a[3].u32(), &value)?;
        g.write_u32(a[5].u32(), value.len() as u32)
    }
);

host_fn!(
    /// `symmetric_state_options_get_u64(state, name, name_len, →value)`.
    symmetric_state_options_get_u64(t, g, a) {
        g.check(a[3].u32(), 8)?;
        let v = t.sym_states.get(a[0].u32())?.options_get_u64(g.str(a[1].u32(), a[2].u32())?)?;
        g.write_u64(a[3].u32(), v)
    }
);

host_fn!(
    /// `symmetric_state_close(state)`.
    symmetric_state_close(t, g, a) {
        t.sym_states.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `symmetric_state_absorb(state, data, data_len)`.
    symmetric_state_absorb(t, g, a) {
        let data = g.bytes(a[1].u32(), a[2].u32())?;
        t.sym_states.get_mut(a[0].u32())?.absorb(data)
    }
);

host_fn!(
    /// `symmetric_state_squeeze(state, out, out_len)`.
    symmetric_state_squeeze(t, g, a) {
        g.check(a[1].u32(), a[2].u32())?;
        let out = t.sym_states.get_mut(a[0].u32())?.squeeze(a[2].u32() as usize)?;
        g.write(a[1].u32(), out.bytes())
    }
);

host_fn!(
    /// `symmetric_state_squeeze_tag(state, →tag)`.
    symmetric_state_squeeze_tag(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let bytes = t.sym_states.get_mut(a[0].u32())?.squeeze_tag()?;
        let h = t.tags.insert(Tag { bytes })?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `symmetric_state_squeeze_key(state, alg, alg_len, →key)`.
    symmetric_state_squeeze_key(t, g, a) {
        g.check(a[3].u32(), 4)?;
        let alg = alg(g, a[1].u32(), a[2].u32())?;
        let key = t.sym_states.get_mut(a[0].u32())?.squeeze_key(alg)?;
        let h = t.sym_keys.insert(key)?;
        g.write_u32(a[3].u32(), h)
    }
);

host_fn!(
    /// `symmetric_state_max_tag_len(state, →size)`.
    symmetric_state_max_tag_len(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let n = t.sym_states.get(a[0].u32())?.max_tag_len()?;
        g.write_u32(a[1].u32(), n as u32)
    }
);

host_fn!(
    /// `symmetric_state_encrypt(state, out, out_len, data, data_len, →size)`.
    symmetric_state_encrypt(t, g, a) {
        g.check(a[1].u32(), a[2].u32())?;
        g.check(a[5].u32(), 4)?;
        let data = g.bytes(a[3].u32(), a[4].u32())?.to_vec();
        let ct = t.sym_states.get_mut(a[0].u32())?.encrypt(a[2].u32() as usize, &data)?;
        g.write(a[1].u32(), &ct)?;
        g.write_u32(a[5].u32(), ct.len() as u32)
    }
);

host_fn!(
    /// `symmetric_state_encrypt_detached(state, out, out_len, data, data_len, →tag)`.
    symmetric_state_encrypt_detached(t, g, a) {
        g.check(a[1].u32(), a[2].u32())?;
        g.check(a[5].u32(), 4)?;
        let data = g.bytes(a[3].u32(), a[4].u32())?.to_vec();
        let (ct, tag) = t.sym_states.get_mut(a[0].u32())?.encrypt_detached(a[2].u32() as usize, &data)?;
        let h = t.tags.insert(Tag { bytes: tag })?;
        g.write(a[1].u32(), &ct)?;
        g.write_u32(a[5].u32(), h)
    }
);

host_fn!(
    /// `symmetric_state_decrypt(state, out, out_len, data, data_len, →size)`: nothing is
    /// written when the tag is wrong (`invalid_tag`).
    symmetric_state_decrypt(t, g, a) {
        g.check(a[1].u32(), a[2].u32())?;
        g.check(a[5].u32(), 4)?;
        let data = g.bytes(a[3].u32(), a[4].u32())?.to_vec();
        let pt: Secret = t.sym_states.get_mut(a[0].u32())?.decrypt(a[2].u32() as usize, &data)?;
        g.write(a[1].u32(), pt.bytes())?;
        g.write_u32(a[5].u32(), pt.len() as u32)
    }
);

host_fn!(
    /// `symmetric_state_decrypt_detached(state, out, out_len, data, data_len, tag, tag_len,
    /// →size)`.
    symmetric_state_decrypt_detached(t, g, a) {
        g.check(a[1].u32(), a[2].u32())?;
        g.check(a[7].u32(), 4)?;
        let data = g.bytes(a[3].u32(), a[4].u32())?.to_vec();
        let tag = g.bytes(a[5].u32(), a[6].u32())?.to_vec();
        let state = t.sym_states.get_mut(a[0].u32())?;
        let pt = state.decrypt_detached(a[2].u32() as usize, &data, &tag)?;
        g.write(a[1].u32(), pt.bytes())?;
        g.write_u32(a[7].u32(), pt.len() as u32)
    }
);

host_fn!(
    /// `symmetric_state_ratchet(state)`.
    symmetric_state_ratchet(t, g, a) {
        t.sym_states.get_mut(a[0].u32())?.ratchet()
    }
);

host_fn!(
    /// `symmetric_tag_len(tag, →size)`.
    symmetric_tag_len(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let n = t.tags.get(a[0].u32())?.bytes.len();
        g.write_u32(a[1].u32(), n as u32)
    }
);

host_fn!(
    /// `symmetric_tag_pull(tag, buf, buf_len, →size)`: the buffer must be exactly the tag's
    /// length (longer: `invalid_length`, shorter: `overflow`); a successful pull closes the tag.
    symmetric_tag_pull(t, g, a) {
        let (h, buf, len, out) = (a[0].u32(), a[1].u32(), a[2].u32() as usize, a[3].u32());
        g.check(buf, len as u32)?;
        g.check(out, 4)?;
        let tag = t.tags.get(h)?;
        if len > tag.bytes.len() {
            return Err(Errno::INVALID_LENGTH);
        }
        if len < tag.bytes.len() {
            return Err(Errno::OVERFLOW);
        }
        let tag = t.tags.remove(h)?;
        g.write(buf, &tag.bytes)?;
        g.write_u32(out, len as u32)
    }
);

host_fn!(
    /// `symmetric_tag_verify(tag, expected, expected_len)`: `invalid_tag` unless equal
    /// (length included), compared in constant time.
    symmetric_tag_verify(t, g, a) {
        let expected = g.bytes(a[1].u32(), a[2].u32())?;
        t.tags.get(a[0].u32())?.verify(expected)
    }
);

host_fn!(
    /// `symmetric_tag_close(tag)`.
    symmetric_tag_close(t, g, a) {
        t.tags.remove(a[0].u32()).map(drop)
    }
);

not_implemented!(
    symmetric_key_generate_managed,
    symmetric_key_store_managed,
    symmetric_key_replace_managed,
    symmetric_key_id,
    symmetric_key_from_id,
);

/// The module.
pub const MODULE: ModuleDescriptor = host_module! {
    name: "wasi_ephemeral_crypto_symmetric",
    description: "WASI-Crypto hashes, MACs, KDFs and AEADs",
    state: Plugin = new_state(2),
    functions: [
        "symmetric_key_generate" (i32, i32, i32, i32) -> (i32) = symmetric_key_generate,
        "symmetric_key_import" (i32, i32, i32, i32, i32) -> (i32) = symmetric_key_import,
        "symmetric_key_export" (i32, i32) -> (i32) = symmetric_key_export,
        "symmetric_key_close" (i32) -> (i32) = symmetric_key_close,
        "symmetric_key_generate_managed" (i32, i32, i32, i32, i32) -> (i32) = symmetric_key_generate_managed,
        "symmetric_key_store_managed" (i32, i32, i32, i32) -> (i32) = symmetric_key_store_managed,
        "symmetric_key_replace_managed" (i32, i32, i32, i32) -> (i32) = symmetric_key_replace_managed,
        "symmetric_key_id" (i32, i32, i32, i32, i32) -> (i32) = symmetric_key_id,
        "symmetric_key_from_id" (i32, i32, i32, i64, i32) -> (i32) = symmetric_key_from_id,
        "symmetric_state_open" (i32, i32, i32, i32, i32) -> (i32) = symmetric_state_open,
        "symmetric_state_clone" (i32, i32) -> (i32) = symmetric_state_clone,
        "symmetric_state_options_get" (i32, i32, i32, i32, i32, i32) -> (i32) = symmetric_state_options_get,
        "symmetric_state_options_get_u64" (i32, i32, i32, i32) -> (i32) = symmetric_state_options_get_u64,
        "symmetric_state_close" (i32) -> (i32) = symmetric_state_close,
        "symmetric_state_absorb" (i32, i32, i32) -> (i32) = symmetric_state_absorb,
        "symmetric_state_squeeze" (i32, i32, i32) -> (i32) = symmetric_state_squeeze,
        "symmetric_state_squeeze_tag" (i32, i32) -> (i32) = symmetric_state_squeeze_tag,
        "symmetric_state_squeeze_key" (i32, i32, i32, i32) -> (i32) = symmetric_state_squeeze_key,
        "symmetric_state_max_tag_len" (i32, i32) -> (i32) = symmetric_state_max_tag_len,
        "symmetric_state_encrypt" (i32, i32, i32, i32, i32, i32) -> (i32) = symmetric_state_encrypt,
        "symmetric_state_encrypt_detached" (i32, i32, i32, i32, i32, i32) -> (i32) = symmetric_state_encrypt_detached,
        "symmetric_state_decrypt" (i32, i32, i32, i32, i32, i32) -> (i32) = symmetric_state_decrypt,
        "symmetric_state_decrypt_detached" (i32, i32, i32, i32, i32, i32, i32, i32) -> (i32) = symmetric_state_decrypt_detached,
        "symmetric_state_ratchet" (i32) -> (i32) = symmetric_state_ratchet,
        "symmetric_tag_len" (i32, i32) -> (i32) = symmetric_tag_len,
        "symmetric_tag_pull" (i32, i32, i32, i32) -> (i32) = symmetric_tag_pull,
        "symmetric_tag_verify" (i32, i32, i32) -> (i32) = symmetric_tag_verify,
        "symmetric_tag_close" (i32) -> (i32) = symmetric_tag_close,
    ],
};
