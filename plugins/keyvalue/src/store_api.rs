//! `wasi:keyvalue/store@0.2.0-draft2`: `open`, the `bucket` methods and `[resource-drop]bucket`,
//! with the core signatures `wit-bindgen` lowers them to (every result through a return
//! pointer, the last parameter). Argument decoding and result encoding are `abi`'s; the storage
//! is the session's backend.

use crate::abi::{self, put_option_bytes, put_result, put_u8, put_u32};
use crate::checks::{self, key_len, value_len, writable};
use crate::error::KvError;
use crate::session::{BucketRef, Session};
use wasmedge_plugin_sdk::{Caller, HostError, Value};

type Ctx<'a> = Caller<'a, Session>;

/// `open(identifier) -> result<bucket, error>`: `(ptr, len, retptr)`.
pub fn open(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let identifier = abi::read_string(c, args[0].u32(), args[1].u32())?;
    let result = match kv.config.resolve(&identifier) {
        None => Err(KvError::NoSuchStore),
        Some((name, access)) => kv.backend().and_then(|_| {
            kv.buckets
                .insert(BucketRef { name, access })
                .ok_or_else(|| KvError::other("too many open buckets (drop some first)"))
        }),
    };
    put_result(c, args[2].u32(), 16, result, put_u32)
}

/// `[resource-drop]bucket(handle)`.
pub fn drop_bucket(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let handle = args[0].u32();
    c.state().0.buckets.remove(handle).map(drop).ok_or_else(|| {
        HostError::new(format!(
            "wasi:keyvalue: dropping invalid bucket handle {handle}"
        ))
    })
}

/// The bucket of `args[0]` and the key of `args[1..3]`, or the error for an oversized key.
fn bucket_and_key(
    c: &mut Ctx<'_>,
    args: &[Value],
) -> Result<Result<(BucketRef, String), KvError>, HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    if let Err(e) = key_len(&kv.config, args[2].u32().into()) {
        return Ok(Err(e));
    }
    let key = abi::read_string(c, args[1].u32(), args[2].u32())?;
    Ok(Ok((bucket, key)))
}

/// `[method]bucket.get(key) -> result<option<list<u8>>, error>`.
pub fn get(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let result = bucket_and_key(c, args)?.and_then(|(b, key)| kv.backend()?.get(&b.name, &key));
    put_result(c, args[3].u32(), 16, result, put_option_bytes)
}

/// `[method]bucket.set(key, value) -> result<_, error>`.
pub fn set(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let result = match bucket_and_key(c, args)? {
        Err(e) => Err(e),
        Ok((b, key)) => match writable(&b).and(value_len(&kv.config, args[4].u32().into())) {
            Err(e) => Err(e),
            Ok(()) => {
                let value = abi::read_bytes(c, args[3].u32(), args[4].u32())?;
                kv.backend().and_then(|s| s.set(&b.name, &key, &value))
            }
        },
    };
    put_result(c, args[5].u32(), 16, result, |_, _, ()| Ok(()))
}

/// `[method]bucket.delete(key) -> result<_, error>`.
pub fn delete(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let result = bucket_and_key(c, args)?.and_then(|(b, key)| {
        writable(&b)?;
        kv.backend()?.delete(&b.name, &key)
    });
    put_result(c, args[3].u32(), 16, result, |_, _, ()| Ok(()))
}

/// `[method]bucket.exists(key) -> result<bool, error>`.
pub fn exists(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let result = bucket_and_key(c, args)?.and_then(|(b, key)| kv.backend()?.exists(&b.name, &key));
    put_result(c, args[3].u32(), 16, result, |c, at, yes| {
        put_u8(c, at, u8::from(yes))
    })
}

/// `[method]bucket.list-keys(cursor: option<string>) -> result<key-response, error>`:
/// `(self, is_some, ptr, len, retptr)`.
pub fn list_keys(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let cursor: Result<Option<String>, KvError> = match args[1].u32() {
        0 => Ok(None),
        1 => match key_len(&kv.config, args[3].u32().into()) {
            Err(e) => Err(e),
            Ok(()) => Ok(Some(abi::read_string(c, args[2].u32(), args[3].u32())?)),
        },
        d => {
            return Err(HostError::new(format!(
                "wasi:keyvalue: invalid option discriminant {d} for the list-keys cursor"
            )));
        }
    };
    let result = cursor.and_then(|cursor| kv.backend()?.list_keys(&bucket.name, cursor.as_deref()));
    put_result(c, args[4].u32(), 24, result, |c, at, (keys, next)| {
        let mut raw = Vec::with_capacity(keys.len() * 8);
        for k in &keys {
            let (p, l) = abi::lower_bytes(c, k.as_bytes())?;
            raw.extend_from_slice(&p.to_le_bytes());
            raw.extend_from_slice(&l.to_le_bytes());
        }
        let (p, n) = abi::lower_array(c, &raw, keys.len())?;
        put_u32(c, at, p)?;
        put_u32(c, at + 4, n)?;
        match next {
            Some(cursor) => {
                let (p, l) = abi::lower_bytes(c, cursor.as_bytes())?;
                put_u32(c, at + 12, p)?;
                put_u32(c, at + 16, l)?;
                put_u8(c, at + 8, 1)
            }
            None => put_u8(c, at + 8, 0),
        }
    })
}
