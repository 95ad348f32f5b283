//! `sock_getlocaladdr` and `sock_getpeeraddr` in both shapes:
//! V1 `(fd, *address, *addr_type, *port)`: `buf_len` 4 or 16, the raw IP bytes at offset 0,
//! `addr_type` 4 (IPv4) or 6 (IPv6) as WasmEdge writes it, the port as a host-order u32;
//! V2 `(fd, *address, *port)`: `buf_len` exactly 128, the tagged form, the port as u32.
//!
//! This module only reports addresses; it must not change any socket.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::linker::Params;
use crate::memory::GuestMemory;
use crate::net::addr::{self, Addr, STORAGE_SIZE, aligned};
use crate::net::sock_fd;
use std::net::IpAddr;

#[derive(Clone, Copy)]
enum Which {
    Local,
    Peer,
}

fn lookup(cx: &WasiCtx, fd: u32, which: Which) -> WasiResult<(Addr, u16)> {
    let fd = sock_fd(cx, fd)?;
    let os = match which {
        Which::Local => rustix::net::getsockname(fd)?,
        Which::Peer => rustix::net::getpeername(fd)?.ok_or(Errno::NotConn)?,
    };
    addr::from_os(os)
}

fn v1(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>, which: Which) -> WasiResult<()> {
    let (addr_ptr, type_ptr, port_ptr) = (p.u32(1), p.u32(2), p.u32(3));
    let (buf, len) = addr::read_struct(mem, addr_ptr)?;
    if len != 4 && len != 16 {
        return Err(Errno::Inval);
    }
    mem.check(buf, len)?;
    aligned(type_ptr, 4)?;
    aligned(port_ptr, 4)?;
    mem.check(type_ptr, 4)?;
    mem.check(port_ptr, 4)?;
    let (a, port) = lookup(cx, p.u32(0), which)?;
    let (bytes, kind) = match a {
        Addr::Ip(IpAddr::V4(v4)) => (v4.octets().to_vec(), 4),
        Addr::Ip(IpAddr::V6(v6)) if len >= 16 => (v6.octets().to_vec(), 6),
        Addr::Ip(IpAddr::V6(_)) => return Err(Errno::NoMem),
        // V1 cannot express a path.
        Addr::Unix(_) => return Err(Errno::NoSys),
    };
    mem.write(buf, &bytes)?;
    mem.write_u32(type_ptr, kind)?;
    mem.write_u32(port_ptr, u32::from(port))
}

fn v2(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>, which: Which) -> WasiResult<()> {
    let (addr_ptr, port_ptr) = (p.u32(1), p.u32(2));
    let (buf, len) = addr::read_struct(mem, addr_ptr)?;
    if len != STORAGE_SIZE {
        return Err(Errno::Inval);
    }
    mem.check(buf, len)?;
    aligned(port_ptr, 4)?;
    mem.check(port_ptr, 4)?;
    let (a, port) = lookup(cx, p.u32(0), which)?;
    mem.write(buf, &addr::storage(&a))?;
    mem.write_u32(port_ptr, u32::from(port))
}

/// V1 `sock_getlocaladdr(fd, *address, *addr_type, *port)`.
pub fn sock_getlocaladdr_v1(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    v1(cx, mem, p, Which::Local)
}

/// V2 `sock_getlocaladdr(fd, *address, *port)`.
pub fn sock_getlocaladdr_v2(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    v2(cx, mem, p, Which::Local)
}

/// V1 `sock_getpeeraddr(fd, *address, *addr_type, *port)`.
pub fn sock_getpeeraddr_v1(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    v1(cx, mem, p, Which::Peer)
}

/// V2 `sock_getpeeraddr(fd, *address, *port)`.
pub fn sock_getpeeraddr_v2(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    v2(cx, mem, p, Which::Peer)
}
