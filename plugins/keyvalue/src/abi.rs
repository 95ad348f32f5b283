//! The canonical ABI as `wit-bindgen` lowers `wasi:keyvalue` for a core module: reading string
//! and list parameters out of guest memory, allocating returned strings and lists with the
//! guest's `cabi_realloc` (one block per string or list, exactly sized, never a null pointer),
//! and writing `result`/`option`/`variant` values into the return area.
//!
//! Every access goes through the SDK's bounds-checked `Memory`, fetched again after each call
//! into the guest (`cabi_realloc` may grow memory). Malformed input (out-of-bounds pointers,
//! invalid UTF-8, bad discriminants, a misaligned return pointer) is a trap, as when the
//! canonical ABI lifts it. No storage logic here.

use crate::error::KvError;
use wasmedge_plugin_sdk::{Caller, HostError, Value};

/// The guest export that allocates result data.
pub const REALLOC: &str = "cabi_realloc";

/// Copies the UTF-8 string at `(ptr, len)`.
pub fn read_string<S>(c: &mut Caller<'_, S>, ptr: u32, len: u32) -> Result<String, HostError> {
    Ok(c.memory()?.str(ptr, len)?.to_string())
}

/// Copies the bytes at `(ptr, len)`.
pub fn read_bytes<S>(c: &mut Caller<'_, S>, ptr: u32, len: u32) -> Result<Vec<u8>, HostError> {
    Ok(c.memory()?.slice(ptr, len)?.to_vec())
}

/// The `count` elements of `size` bytes at `ptr`, bounds-checked as a whole.
fn array<'m>(
    m: &'m wasmedge_plugin_sdk::Memory<'_>,
    ptr: u32,
    count: u32,
    size: u64,
) -> Result<&'m [u8], HostError> {
    if !ptr.is_multiple_of(4) {
        return Err(HostError::new(format!(
            "wasi:keyvalue: list pointer {ptr} is not 4-byte aligned"
        )));
    }
    m.slice(ptr, u64::from(count) * size)
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Copies a `list<string>` (8-byte `(ptr, len)` elements).
pub fn read_string_list<S>(
    c: &mut Caller<'_, S>,
    ptr: u32,
    count: u32,
) -> Result<Vec<String>, HostError> {
    let m = c.memory()?;
    let raw = array(&m, ptr, count, 8)?;
    (0..count as usize)
        .map(|i| Ok(m.str(le32(raw, i * 8), le32(raw, i * 8 + 4))?.to_string()))
        .collect()
}

/// Copies a `list<tuple<string, list<u8>>>` (16-byte elements).
pub fn read_pairs<S>(
    c: &mut Caller<'_, S>,
    ptr: u32,
    count: u32,
) -> Result<Vec<(String, Vec<u8>)>, HostError> {
    let m = c.memory()?;
    let raw = array(&m, ptr, count, 16)?;
    (0..count as usize)
        .map(|i| {
            let e = i * 16;
            let key = m.str(le32(raw, e), le32(raw, e + 4))?.to_string();
            let value = m.slice(le32(raw, e + 8), le32(raw, e + 12))?.to_vec();
            Ok((key, value))
        })
        .collect()
}

/// `cabi_realloc(0, 0, align, size)`: a fresh block in guest memory, checked to be aligned,
/// non-null and inside memory.
pub fn alloc<S>(c: &mut Caller<'_, S>, align: u32, size: u32) -> Result<u32, HostError> {
    let args = [0, 0, align, size].map(Value::from_u32);
    let mut out = [Value::from_u32(0)];
    c.call_export(REALLOC, &args, &mut out).map_err(|e| {
        if e.message().contains("exports no function") {
            HostError::new(
                "wasi:keyvalue: the guest exports no `cabi_realloc`, which returning strings \
                 and lists needs (build the guest with wit-bindgen)",
            )
        } else {
            HostError::new(format!(
                "wasi:keyvalue: cabi_realloc(0, 0, {align}, {size}) failed: {e}"
            ))
        }
    })?;
    let p = out[0].u32();
    let mem_len = c.memory()?.len() as u64;
    if p == 0 || !p.is_multiple_of(align) || u64::from(p) + u64::from(size) > mem_len {
        return Err(HostError::new(format!(
            "wasi:keyvalue: cabi_realloc returned {p} for {size} bytes aligned to {align} in \
             a memory of {mem_len} bytes"
        )));
    }
    Ok(p)
}

/// Lowers bytes (a `string` or `list<u8>`) into a fresh block: `(ptr, len)`.
pub fn lower_bytes<S>(c: &mut Caller<'_, S>, bytes: &[u8]) -> Result<(u32, u32), HostError> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| HostError::new("wasi:keyvalue: result too large for 32-bit memory"))?;
    let p = alloc(c, 1, len)?;
    c.memory()?.write(p, bytes)?;
    Ok((p, len))
}

/// Lowers a list of fixed-size elements already encoded in `raw` (align 4): `(ptr, count)`.
pub fn lower_array<S>(
    c: &mut Caller<'_, S>,
    raw: &[u8],
    count: usize,
) -> Result<(u32, u32), HostError> {
    let size = u32::try_from(raw.len())
        .map_err(|_| HostError::new("wasi:keyvalue: result too large for 32-bit memory"))?;
    let p = alloc(c, 4, size)?;
    c.memory()?.write(p, raw)?;
    Ok((p, count as u32))
}

/// Checks that the return area at `retptr` (`size` bytes, `align`) is aligned and in memory.
pub fn check_area<S>(
    c: &mut Caller<'_, S>,
    retptr: u32,
    size: u32,
    align: u32,
) -> Result<(), HostError> {
    if !retptr.is_multiple_of(align) {
        return Err(HostError::new(format!(
            "wasi:keyvalue: return pointer {retptr} is not {align}-byte aligned"
        )));
    }
    c.memory()?.slice(retptr, size)?;
    Ok(())
}

/// Writes one byte.
pub fn put_u8<S>(c: &mut Caller<'_, S>, at: u32, v: u8) -> Result<(), HostError> {
    c.memory()?.write(at, &[v])
}

/// Writes a little-endian `u32`.
pub fn put_u32<S>(c: &mut Caller<'_, S>, at: u32, v: u32) -> Result<(), HostError> {
    c.memory()?.write_u32(at, v)
}

/// Writes an `error` variant at `at` (12 bytes: u8 discriminant, `other`'s string at +4/+8).
pub fn put_error<S>(c: &mut Caller<'_, S>, at: u32, e: &KvError) -> Result<(), HostError> {
    if let KvError::Other(message) = e {
        let (p, l) = lower_bytes(c, message.as_bytes())?;
        put_u32(c, at + 4, p)?;
        put_u32(c, at + 8, l)?;
    }
    put_u8(c, at, e.discriminant())
}

/// Writes `result<T, error>` for a 4-aligned area whose payload starts at +4: `ok` writes its
/// payload with `write_ok`, `err` the error.
pub fn put_result<S, T>(
    c: &mut Caller<'_, S>,
    retptr: u32,
    size: u32,
    result: Result<T, KvError>,
    write_ok: impl FnOnce(&mut Caller<'_, S>, u32, T) -> Result<(), HostError>,
) -> Result<(), HostError> {
    check_area(c, retptr, size, 4)?;
    match result {
        Ok(v) => {
            write_ok(c, retptr + 4, v)?;
            put_u8(c, retptr, 0)
        }
        Err(e) => {
            put_error(c, retptr + 4, &e)?;
            put_u8(c, retptr, 1)
        }
    }
}

/// Writes `option<list<u8>>` at `at` (u8 discriminant, ptr at +4, len at +8).
pub fn put_option_bytes<S>(
    c: &mut Caller<'_, S>,
    at: u32,
    value: Option<Vec<u8>>,
) -> Result<(), HostError> {
    match value {
        Some(bytes) => {
            let (p, l) = lower_bytes(c, &bytes)?;
            put_u32(c, at + 4, p)?;
            put_u32(c, at + 8, l)?;
            put_u8(c, at, 1)
        }
        None => put_u8(c, at, 0),
    }
}
