//! `wasi:keyvalue/batch@0.2.0-draft2`: `get-many`, `set-many`, `delete-many`, with
//! `wit-bindgen`'s core signatures `(bucket, list.ptr, list.len, retptr)`. Every key and value
//! is checked against the limits before anything is written, so an oversized batch writes
//! nothing (each backend applies a batch in one transaction or one command).

use crate::abi::{self, put_result, put_u32};
use crate::checks::{self, key_len, value_len, writable};
use crate::error::KvError;
use crate::session::Session;
use wasmedge_plugin_sdk::{Caller, HostError, Value};

type Ctx<'a> = Caller<'a, Session>;

/// `get-many(bucket, keys) -> result<list<option<tuple<string, list<u8>>>>, error>`; the
/// elements are 20 bytes: u8 discriminant, key at +4/+8, value at +12/+16.
pub fn get_many(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let keys = abi::read_string_list(c, args[1].u32(), args[2].u32())?;
    let result = keys
        .iter()
        .try_for_each(|k| key_len(&kv.config, k.len() as u64))
        .and_then(|()| kv.backend()?.get_many(&bucket.name, &keys));
    put_result(c, args[3].u32(), 16, result, |c, at, values| {
        let mut raw = vec![0u8; values.len() * 20];
        for (i, (key, value)) in keys.iter().zip(values).enumerate() {
            let e = &mut raw[i * 20..(i + 1) * 20];
            if let Some(value) = value {
                let (kp, kl) = abi::lower_bytes(c, key.as_bytes())?;
                let (vp, vl) = abi::lower_bytes(c, &value)?;
                e[0] = 1;
                e[4..8].copy_from_slice(&kp.to_le_bytes());
                e[8..12].copy_from_slice(&kl.to_le_bytes());
                e[12..16].copy_from_slice(&vp.to_le_bytes());
                e[16..20].copy_from_slice(&vl.to_le_bytes());
            }
        }
        let (p, n) = abi::lower_array(c, &raw, keys.len())?;
        put_u32(c, at, p)?;
        put_u32(c, at + 4, n)
    })
}

/// `set-many(bucket, key-values) -> result<_, error>`.
pub fn set_many(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let pairs = abi::read_pairs(c, args[1].u32(), args[2].u32())?;
    let result = writable(&bucket)
        .and_then(|()| {
            pairs.iter().try_for_each(|(k, v)| {
                key_len(&kv.config, k.len() as u64)?;
                value_len(&kv.config, v.len() as u64)
            })
        })
        .and_then(|()| kv.backend()?.set_many(&bucket.name, &pairs));
    put_result(c, args[3].u32(), 16, result, |_, _, ()| Ok(()))
}

/// `delete-many(bucket, keys) -> result<_, error>`.
pub fn delete_many(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let keys = abi::read_string_list(c, args[1].u32(), args[2].u32())?;
    let result: Result<(), KvError> = writable(&bucket)
        .and_then(|()| {
            keys.iter()
                .try_for_each(|k| key_len(&kv.config, k.len() as u64))
        })
        .and_then(|()| kv.backend()?.delete_many(&bucket.name, &keys));
    put_result(c, args[3].u32(), 16, result, |_, _, ()| Ok(()))
}
