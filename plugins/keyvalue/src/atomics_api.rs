//! `wasi:keyvalue/atomics@0.2.0-draft2`: `increment`, the `cas` resource (`[static]cas.new`,
//! `[method]cas.current`, `[resource-drop]cas`) and `swap`, with `wit-bindgen`'s core
//! signatures. A `cas` handle remembers the value it saw; `swap` writes only if the stored
//! value is still that one (one atomic step in the backend), and otherwise hands back a new
//! handle holding the latest value, as the draft requires.

use crate::abi::{self, put_option_bytes, put_result, put_u8, put_u32};
use crate::checks::{self, key_len, value_len, writable};
use crate::error::KvError;
use crate::session::{CasRef, Session, Shared};
use wasmedge_plugin_sdk::{Caller, HostError, Value};

type Ctx<'a> = Caller<'a, Session>;

/// `increment(bucket, key, delta: s64) -> result<s64, error>`: `(bucket, ptr, len, i64,
/// retptr)`; the return area is 24 bytes aligned to 8 with the payload at +8.
pub fn increment(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let result = match key_len(&kv.config, args[2].u32().into()).and(writable(&bucket)) {
        Err(e) => Err(e),
        Ok(()) => {
            let key = abi::read_string(c, args[1].u32(), args[2].u32())?;
            let delta = args[3].i64();
            kv.backend()
                .and_then(|s| s.increment(&bucket.name, &key, delta))
        }
    };
    let retptr = args[4].u32();
    abi::check_area(c, retptr, 24, 8)?;
    match result {
        Ok(n) => {
            c.memory()?.write_u64(retptr + 8, n as u64)?;
            put_u8(c, retptr, 0)
        }
        Err(e) => {
            abi::put_error(c, retptr + 8, &e)?;
            put_u8(c, retptr, 1)
        }
    }
}

/// A new `cas` handle on `key` holding its current value.
fn new_cas(kv: &Shared, bucket: crate::session::BucketRef, key: String) -> Result<u32, KvError> {
    let seen = kv.backend()?.get(&bucket.name, &key)?;
    kv.cas
        .insert(CasRef { bucket, key, seen })
        .ok_or_else(|| KvError::other("too many open cas handles (drop some first)"))
}

/// `[static]cas.new(bucket, key) -> result<cas, error>`: `(bucket, ptr, len, retptr)`.
pub fn cas_new(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let bucket = checks::bucket(&kv, args[0].u32())?;
    let result = match key_len(&kv.config, args[2].u32().into()) {
        Err(e) => Err(e),
        Ok(()) => {
            let key = abi::read_string(c, args[1].u32(), args[2].u32())?;
            new_cas(&kv, bucket, key)
        }
    };
    put_result(c, args[3].u32(), 16, result, put_u32)
}

/// `[method]cas.current() -> result<option<list<u8>>, error>`: the value the handle saw (the
/// one `swap` compares against).
pub fn cas_current(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let handle = args[0].u32();
    let cas = kv
        .cas
        .get(handle)
        .ok_or_else(|| HostError::new(format!("wasi:keyvalue: invalid cas handle {handle}")))?;
    put_result(c, args[1].u32(), 16, Ok(cas.seen), put_option_bytes)
}

/// `[resource-drop]cas(handle)`.
pub fn drop_cas(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let handle = args[0].u32();
    c.state().0.cas.remove(handle).map(drop).ok_or_else(|| {
        HostError::new(format!(
            "wasi:keyvalue: dropping invalid cas handle {handle}"
        ))
    })
}

/// What `swap` did.
enum SwapOutcome {
    Swapped,
    /// A new handle with the latest value.
    Failed(u32),
}

/// `swap(cas: own<cas>, value) -> result<_, cas-error>`: `(cas, ptr, len, retptr)`; the area
/// is 20 bytes: +0 result, +4 cas-error discriminant, +8 the `error` or the new handle.
pub fn swap(c: &mut Ctx<'_>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let kv = c.state().0.clone();
    let retptr = args[3].u32();
    abi::check_area(c, retptr, 20, 4)?;
    let handle = args[0].u32();
    // The handle is owned by the call: it is consumed whatever happens next.
    let cas = kv
        .cas
        .remove(handle)
        .ok_or_else(|| HostError::new(format!("wasi:keyvalue: invalid cas handle {handle}")))?;
    let result = match writable(&cas.bucket).and(value_len(&kv.config, args[2].u32().into())) {
        Err(e) => Err(e),
        Ok(()) => {
            let value = abi::read_bytes(c, args[1].u32(), args[2].u32())?;
            kv.backend().and_then(|s| {
                let name = &cas.bucket.name;
                if s.compare_and_swap(name, &cas.key, cas.seen.as_deref(), &value)? {
                    Ok(SwapOutcome::Swapped)
                } else {
                    new_cas(&kv, cas.bucket.clone(), cas.key.clone()).map(SwapOutcome::Failed)
                }
            })
        }
    };
    match result {
        Ok(SwapOutcome::Swapped) => put_u8(c, retptr, 0),
        Ok(SwapOutcome::Failed(h)) => {
            put_u32(c, retptr + 8, h)?;
            put_u8(c, retptr + 4, 1)?;
            put_u8(c, retptr, 1)
        }
        Err(e) => {
            abi::put_error(c, retptr + 8, &e)?;
            put_u8(c, retptr + 4, 0)?;
            put_u8(c, retptr, 1)
        }
    }
}
