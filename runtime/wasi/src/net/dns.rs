//! `sock_getaddrinfo(node, node_len, service, service_len, *hints, *res, max_res, *res_len)`:
//! name resolution through the system resolver into a result chain the guest allocated.
//!
//! Layouts (little-endian): `__wasi_addrinfo_t` is 28 bytes (`u16 flags @0, u8 family @2,
//! u8 socktype @3, u8 protocol @4, u32 addrlen @8, u32 *addr @12, u32 *canonname @16,
//! u32 canonname_len @20, u32 *next @24`); `__wasi_sockaddr_t` is 12 bytes (`u8 family @0,
//! u32 sa_data_len @4, u32 *sa_data @8`); `sa_data` is the native sockaddr from byte 2 on
//! (big-endian port first). `*res` points at the first of up to `max_res` entries the guest
//! linked through `ai_next`; the host fills them and writes the count to `*res_len`.
//!
//! Unlike WasmEdge, every output is bounded by the capacity the guest declared: `sa_data` by
//! `sa_data_len`, the canonical name by `ai_canonname_len` (both then report what was
//! written). This module must not open sockets.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::linker::Params;
use crate::memory::GuestMemory;
use crate::net::addr::{aligned, family};
use crate::net::conn::socktype;
use crate::net::sys::{self, AddrInfo, GaiError, Hints};
use std::ffi::CString;
use std::net::SocketAddr;

const ADDRINFO_SIZE: u32 = 28;
const SOCKADDR_SIZE: u32 = 12;

/// WASI `aiflags` bits and their native values.
const AI_FLAGS: [(u16, i32); 7] = [
    (1, libc::AI_PASSIVE),
    (2, libc::AI_CANONNAME),
    (4, libc::AI_NUMERICHOST),
    (8, libc::AI_NUMERICSERV),
    (16, libc::AI_V4MAPPED),
    (32, libc::AI_ALL),
    (64, libc::AI_ADDRCONFIG),
];
const AI_CANONNAME: u16 = 2;

/// The guest's flags as native flags (`AIBADFLAG` for unknown bits).
pub fn flags_to_native(f: u16) -> WasiResult<i32> {
    let known = AI_FLAGS.iter().fold(0u16, |a, (w, _)| a | w);
    if f & !known != 0 {
        return Err(Errno::AiBadFlag);
    }
    Ok(AI_FLAGS
        .iter()
        .filter(|(w, _)| f & w != 0)
        .fold(0, |a, (_, n)| a | n))
}

fn flags_from_native(n: i32) -> u16 {
    AI_FLAGS
        .iter()
        .filter(|(_, nf)| n & nf != 0)
        .fold(0, |a, (w, _)| a | w)
}

/// A resolver failure as a WASI errno (glibc's `EAI_*` values).
pub fn gai_errno(e: GaiError) -> Errno {
    match e.code {
        -9 => Errno::AiAddrFamily,
        libc::EAI_AGAIN => Errno::AiAgain,
        libc::EAI_BADFLAGS => Errno::AiBadFlag,
        libc::EAI_FAIL => Errno::AiFail,
        libc::EAI_FAMILY => Errno::AiFamily,
        libc::EAI_MEMORY => Errno::AiMemory,
        -5 => Errno::AiNoData,
        libc::EAI_NONAME => Errno::AiNoName,
        libc::EAI_SERVICE => Errno::AiService,
        libc::EAI_SOCKTYPE => Errno::AiSockType,
        libc::EAI_SYSTEM => Errno::AiSystem,
        _ => Errno::AiFail,
    }
}

/// A guest string argument: trailing NULs (the crate sends `"name\0"`) are dropped; an
/// interior NUL is `EINVAL`; empty is `None`.
fn c_arg(mem: &GuestMemory<'_>, ptr: u32, len: u32) -> WasiResult<Option<CString>> {
    let mut b = mem.slice(ptr, len)?;
    while let [rest @ .., 0] = b {
        b = rest;
    }
    if b.is_empty() {
        return Ok(None);
    }
    CString::new(b).map(Some).map_err(|_| Errno::Inval)
}

/// One result slot the guest prepared.
struct Slot {
    entry: u32,
    sockaddr: u32,
    sa_data: u32,
    sa_data_len: u32,
    canon: u32,
    canon_len: u32,
}

/// Walks and bounds-checks the guest's chain (at most `max` entries).
fn slots(mem: &GuestMemory<'_>, first: u32, max: u32) -> WasiResult<Vec<Slot>> {
    let mut out = Vec::new();
    let mut at = first;
    for _ in 0..max {
        if at == 0 {
            break;
        }
        aligned(at, 4)?;
        mem.check(at, ADDRINFO_SIZE)?;
        let sockaddr = mem.read_u32(at + 12)?;
        aligned(sockaddr, 4)?;
        mem.check(sockaddr, SOCKADDR_SIZE)?;
        let sa_data_len = mem.read_u32(sockaddr + 4)?;
        let sa_data = mem.read_u32(sockaddr + 8)?;
        mem.check(sa_data, sa_data_len)?;
        let canon = mem.read_u32(at + 16)?;
        let canon_len = mem.read_u32(at + 20)?;
        mem.check(canon, canon_len)?;
        out.push(Slot {
            entry: at,
            sockaddr,
            sa_data,
            sa_data_len,
            canon,
            canon_len,
        });
        at = mem.read_u32(at + 24)?;
    }
    Ok(out)
}

/// The native sockaddr from byte 2 on (14 bytes for IPv4, 26 for IPv6), and the native
/// sockaddr length.
pub fn sa_data(a: &SocketAddr) -> (Vec<u8>, u32) {
    let mut b = a.port().to_be_bytes().to_vec();
    match a {
        SocketAddr::V4(v4) => {
            b.extend_from_slice(&v4.ip().octets());
            b.extend_from_slice(&[0; 8]);
            (b, 16)
        }
        SocketAddr::V6(v6) => {
            b.extend_from_slice(&v6.flowinfo().to_be_bytes());
            b.extend_from_slice(&v6.ip().octets());
            b.extend_from_slice(&v6.scope_id().to_ne_bytes());
            (b, 28)
        }
    }
}

fn wasi_family(native: i32) -> u8 {
    match native {
        libc::AF_INET => family::INET4,
        libc::AF_INET6 => family::INET6,
        _ => family::UNSPEC,
    }
}

fn fill(mem: &mut GuestMemory<'_>, slot: &Slot, ai: &AddrInfo) -> WasiResult<()> {
    let e = slot.entry;
    mem.write_u16(e, flags_from_native(ai.flags))?;
    mem.write_u8(e + 2, wasi_family(ai.family))?;
    let st = match ai.socktype {
        libc::SOCK_DGRAM => socktype::DGRAM,
        libc::SOCK_STREAM => socktype::STREAM,
        _ => socktype::ANY,
    };
    mem.write_u8(e + 3, st)?;
    let proto = match ai.protocol {
        libc::IPPROTO_TCP => 1,
        libc::IPPROTO_UDP => 2,
        _ => 0,
    };
    mem.write_u8(e + 4, proto)?;
    let (data, native_len) = sa_data(&ai.addr);
    mem.write_u32(e + 8, native_len)?;
    mem.write_u8(slot.sockaddr, wasi_family(ai.family))?;
    let n = data.len().min(slot.sa_data_len as usize);
    mem.write(slot.sa_data, &data[..n])?;
    mem.write_u32(slot.sockaddr + 4, n as u32)?;
    let canon = ai.canonname.as_deref().unwrap_or_default();
    let c = canon.len().min(slot.canon_len as usize);
    mem.write(slot.canon, &canon[..c])?;
    mem.write_u32(e + 20, c as u32)
}

pub fn sock_getaddrinfo(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let (node_ptr, node_len, svc_ptr, svc_len) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3));
    let (hints_ptr, res_ptr, max_res, res_len_ptr) = (p.u32(4), p.u32(5), p.u32(6), p.u32(7));
    aligned(hints_ptr, 4)?;
    aligned(res_ptr, 4)?;
    aligned(res_len_ptr, 4)?;
    mem.check(res_len_ptr, 4)?;
    let node = c_arg(mem, node_ptr, node_len)?;
    let service = c_arg(mem, svc_ptr, svc_len)?;
    if node.is_none() && service.is_none() {
        return Err(Errno::AiNoName);
    }
    if max_res < 1 {
        return Err(Errno::AiMemory);
    }
    mem.check(hints_ptr, ADDRINFO_SIZE)?;
    let hint_flags = mem.read_u16(hints_ptr)?;
    let flags = flags_to_native(hint_flags)?;
    if hint_flags & AI_CANONNAME != 0 && node.is_none() {
        return Err(Errno::AiBadFlag);
    }
    let fam = match mem.read_u8(hints_ptr + 2)? {
        family::UNSPEC => libc::AF_UNSPEC,
        family::INET4 => libc::AF_INET,
        family::INET6 => libc::AF_INET6,
        _ => return Err(Errno::AiFamily),
    };
    let st = match mem.read_u8(hints_ptr + 3)? {
        socktype::ANY => 0,
        socktype::DGRAM => libc::SOCK_DGRAM,
        socktype::STREAM => libc::SOCK_STREAM,
        _ => return Err(Errno::NoSys),
    };
    let proto = match mem.read_u8(hints_ptr + 4)? {
        0 => 0,
        1 => libc::IPPROTO_TCP,
        2 => libc::IPPROTO_UDP,
        _ => return Err(Errno::NoSys),
    };
    let slots = slots(mem, mem.read_u32(res_ptr)?, max_res)?;
    cx.net.check_resolve()?;
    let hints = Hints {
        flags,
        family: fam,
        socktype: st,
        protocol: proto,
    };
    let results =
        sys::getaddrinfo(node.as_deref(), service.as_deref(), hints).map_err(gai_errno)?;
    let count = results.len().min(slots.len());
    for (slot, ai) in slots.iter().zip(&results) {
        fill(mem, slot, ai)?;
    }
    mem.write_u32(res_len_ptr, count as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_mapping() {
        assert_eq!(flags_to_native(0), Ok(0));
        assert_eq!(
            flags_to_native(1 | 8),
            Ok(libc::AI_PASSIVE | libc::AI_NUMERICSERV)
        );
        assert_eq!(flags_to_native(128), Err(Errno::AiBadFlag));
        assert_eq!(
            flags_from_native(libc::AI_V4MAPPED | libc::AI_CANONNAME),
            16 | 2
        );
    }

    #[test]
    fn sa_data_layout() {
        let (b, n) = sa_data(&"127.0.0.1:80".parse().unwrap());
        assert_eq!(n, 16);
        assert_eq!(b, [0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let (b, n) = sa_data(&"[::1]:443".parse().unwrap());
        assert_eq!((b.len(), n), (26, 28));
        assert_eq!(&b[..2], &[1, 187]);
        assert_eq!(b[2 + 4 + 15], 1);
    }
}
