//! `sock_getsockopt(fd, level, name, *value, *value_len)` and
//! `sock_setsockopt(fd, level, name, *value, value_len)`: `SOL_SOCKET` (level 0) options 0..=14
//! of WasmEdge's `sock_opt_so` enum.
//!
//! Values are the bytes of the C types on 64-bit Linux, as WasmEdge passes them through:
//! `i32` for the flags and sizes, `{i32 onoff, i32 linger}` for `LINGER`, the interface name
//! for `BINDTODEVICE`, and wasi-libc's `struct timeval` (`{i64 sec, i64 usec}`, 16 bytes) for
//! `RCVTIMEO`/`SNDTIMEO`, which this module converts explicitly so the host layout never leaks.
//! `get` turns `SO_ERROR` into a WASI errno and `SO_TYPE` into the WASI socket type. This
//! module must not do anything but option access.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::linker::Params;
use crate::memory::GuestMemory;
use crate::net::addr::aligned;
use crate::net::conn::socktype;
use crate::net::{retry, sock_fd, sys};

/// Largest option value accepted or returned.
const MAX_VALUE: u32 = 256;

const RCVTIMEO: u32 = 11;
const SNDTIMEO: u32 = 12;
const TYPE: u32 = 1;
const ERROR: u32 = 2;

/// The native option for a WASI option name (`EINVAL` outside 0..=14 or for a non-zero level).
fn native(level: u32, name: u32) -> WasiResult<i32> {
    if level != 0 {
        return Err(Errno::Inval);
    }
    Ok(match name {
        0 => libc::SO_REUSEADDR,
        TYPE => libc::SO_TYPE,
        ERROR => libc::SO_ERROR,
        3 => libc::SO_DONTROUTE,
        4 => libc::SO_BROADCAST,
        5 => libc::SO_SNDBUF,
        6 => libc::SO_RCVBUF,
        7 => libc::SO_KEEPALIVE,
        8 => libc::SO_OOBINLINE,
        9 => libc::SO_LINGER,
        10 => libc::SO_RCVLOWAT,
        RCVTIMEO => libc::SO_RCVTIMEO,
        SNDTIMEO => libc::SO_SNDTIMEO,
        13 => libc::SO_ACCEPTCONN,
        14 => libc::SO_BINDTODEVICE,
        _ => return Err(Errno::Inval),
    })
}

/// wasi-libc `timeval` bytes → native `timeval` bytes.
#[allow(clippy::useless_conversion)] // `time_t`/`suseconds_t` are `i64` on 64-bit hosts only.
fn timeval_to_native(b: &[u8]) -> WasiResult<Vec<u8>> {
    let b: [u8; 16] = b.try_into().map_err(|_| Errno::Inval)?;
    let sec = i64::from_le_bytes(b[0..8].try_into().map_err(|_| Errno::Inval)?);
    let usec = i64::from_le_bytes(b[8..16].try_into().map_err(|_| Errno::Inval)?);
    let sec = libc::time_t::try_from(sec).map_err(|_| Errno::Inval)?;
    let usec = libc::suseconds_t::try_from(usec).map_err(|_| Errno::Inval)?;
    let mut out = sec.to_ne_bytes().to_vec();
    out.extend_from_slice(&usec.to_ne_bytes());
    Ok(out)
}

/// Native `timeval` bytes → wasi-libc `timeval` bytes.
fn timeval_from_native(b: &[u8]) -> WasiResult<Vec<u8>> {
    let (ts, us) = (size_of::<libc::time_t>(), size_of::<libc::suseconds_t>());
    if b.len() < ts + us {
        return Err(Errno::Inval);
    }
    let int = |s: &[u8]| -> i64 {
        let mut w = [0u8; 8];
        w[..s.len()].copy_from_slice(s);
        i64::from_ne_bytes(w)
    };
    let mut out = Vec::with_capacity(16);
    out.extend_from_slice(&int(&b[..ts]).to_le_bytes());
    out.extend_from_slice(&int(&b[ts..ts + us]).to_le_bytes());
    Ok(out)
}

pub fn sock_getsockopt(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let (fd, level, name, value_ptr, len_ptr) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3), p.u32(4));
    let opt = native(level, name)?;
    aligned(len_ptr, 4)?;
    let cap = mem.read_u32(len_ptr)?;
    mem.check(value_ptr, cap)?;
    let s = sock_fd(cx, fd)?;
    let cap = cap.min(MAX_VALUE) as usize;
    let bytes = match name {
        RCVTIMEO | SNDTIMEO => {
            if cap < 16 {
                return Err(Errno::Inval);
            }
            timeval_from_native(&retry(|| sys::getsockopt(s, opt, 16))?)?
        }
        ERROR | TYPE => {
            if cap < 4 {
                return Err(Errno::Inval);
            }
            let raw = retry(|| sys::getsockopt(s, opt, 4))?;
            let v = i32::from_ne_bytes(raw.as_slice().try_into().map_err(|_| Errno::Io)?);
            let wasi = if name == ERROR {
                i32::from(Errno::from_raw_os_error(v).raw())
            } else if v == libc::SOCK_DGRAM {
                i32::from(socktype::DGRAM)
            } else if v == libc::SOCK_STREAM {
                i32::from(socktype::STREAM)
            } else {
                i32::from(socktype::ANY)
            };
            wasi.to_le_bytes().to_vec()
        }
        _ => retry(|| sys::getsockopt(s, opt, cap))?,
    };
    mem.write(value_ptr, &bytes)?;
    mem.write_u32(len_ptr, bytes.len() as u32)
}

pub fn sock_setsockopt(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let (fd, level, name, value_ptr, len) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3), p.u32(4));
    let opt = native(level, name)?;
    if len > MAX_VALUE {
        return Err(Errno::Inval);
    }
    let value = mem.slice(value_ptr, len)?.to_vec();
    let value = match name {
        RCVTIMEO | SNDTIMEO => timeval_to_native(&value)?,
        _ => value,
    };
    let s = sock_fd(cx, fd)?;
    retry(|| sys::setsockopt(s, opt, &value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_levels() {
        assert_eq!(native(0, 0), Ok(libc::SO_REUSEADDR));
        assert_eq!(native(0, 14), Ok(libc::SO_BINDTODEVICE));
        assert_eq!(native(0, 15), Err(Errno::Inval));
        assert_eq!(native(1, 0), Err(Errno::Inval));
    }

    #[test]
    fn timeval_conversion() {
        // 1.5 s as wasi-libc writes it.
        let guest = [1, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xa1, 0x07, 0, 0, 0, 0, 0];
        let native = timeval_to_native(&guest).unwrap();
        assert_eq!(timeval_from_native(&native).unwrap(), guest);
        assert_eq!(timeval_to_native(&guest[..8]), Err(Errno::Inval));
    }
}
