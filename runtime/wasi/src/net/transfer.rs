//! Data with addresses: `sock_recv_from` (V1: 7 parameters, the sender's raw IP bytes only;
//! V2: 8 parameters, the sender's address in the form the guest's `buf_len` asks for plus its
//! port) and `sock_send_to` (V1: 4/16-byte destination; V2: also the tagged form).
//!
//! Decision: V2 `recv_from` writes the sender's port as a u16 in host order, the ABI's intent
//! (WasmEdge writes it byte-swapped, a known bug; the `wasmedge_wasi_socket` crate reads host
//! order). `sock_send_to` checks the destination against the network policy before sending.
//! This module must not create or connect sockets.

use crate::abi::sock;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Kind, Socket};
use crate::linker::Params;
use crate::memory::{GuestMemory, IoVec, total_len};
use crate::net::addr::{self, Abi, Addr, STORAGE_SIZE, UNIX_PATH_MAX, aligned};
use crate::net::{MAX_IOVS, retry, sock_fd};
use rustix::net::{RecvFlags, SendFlags};
use std::net::IpAddr;

/// Largest amount of data one call moves.
const MAX_CHUNK: usize = 16 << 20;

fn recv_flags(ri: u32) -> WasiResult<RecvFlags> {
    let ri = u16::try_from(ri).map_err(|_| Errno::Inval)?;
    if ri & !(sock::RECV_PEEK | sock::RECV_WAITALL) != 0 {
        return Err(Errno::Inval);
    }
    let mut f = RecvFlags::empty();
    if ri & sock::RECV_PEEK != 0 {
        f |= RecvFlags::PEEK;
    }
    if ri & sock::RECV_WAITALL != 0 {
        f |= RecvFlags::WAITALL;
    }
    Ok(f)
}

fn is_dgram(cx: &WasiCtx, fd: u32) -> bool {
    match cx.fds.get(fd).map(|e| &e.kind) {
        Ok(Kind::Socket(Socket::Os(s))) => s.dgram,
        Ok(Kind::Socket(Socket::UdpSocket(_))) => true,
        _ => false,
    }
}

/// The sender's address bytes as V1 writes them into a buffer of `len` bytes (`None`: nothing
/// fits, nothing is written).
fn v1_bytes(a: &Addr, len: u32) -> WasiResult<Option<Vec<u8>>> {
    Ok(match a {
        Addr::Ip(IpAddr::V4(v4)) if len >= 4 => Some(v4.octets().to_vec()),
        Addr::Ip(IpAddr::V6(v6)) if len >= 16 => Some(v6.octets().to_vec()),
        Addr::Ip(_) => None,
        Addr::Unix(p) if len as usize >= UNIX_PATH_MAX => {
            let mut b = p.clone();
            b.push(0);
            Some(b)
        }
        Addr::Unix(_) => return Err(Errno::Inval),
    })
}

fn recv_from(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
    abi: Abi,
) -> WasiResult<()> {
    let (fd, iovs_ptr, iovs_len, addr_ptr) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3));
    let (ri, port_ptr, nread_ptr, roflags_ptr) = match abi {
        Abi::V1 => (p.u32(4), None, p.u32(5), p.u32(6)),
        Abi::V2 => (p.u32(4), Some(p.u32(5)), p.u32(6), p.u32(7)),
    };
    if iovs_len > MAX_IOVS {
        return Err(Errno::Inval);
    }
    let mut flags = recv_flags(ri)?;
    let iovs = mem.iovecs(iovs_ptr, iovs_len)?;
    let (buf, len) = addr::read_struct(mem, addr_ptr)?;
    if abi == Abi::V2 && !matches!(len, 4 | 16 | STORAGE_SIZE) {
        return Err(Errno::Inval);
    }
    mem.check(buf, len)?;
    if let Some(pp) = port_ptr {
        aligned(pp, 2)?;
        mem.check(pp, 2)?;
    }
    aligned(nread_ptr, 4)?;
    aligned(roflags_ptr, 2)?;
    mem.check(nread_ptr, 4)?;
    mem.check(roflags_ptr, 2)?;
    if is_dgram(cx, fd) {
        // Report the datagram's real length, so truncation can be flagged.
        flags |= RecvFlags::TRUNC;
    }
    let s = sock_fd(cx, fd)?;
    let live: Vec<IoVec> = iovs.into_iter().filter(|v| v.len > 0).collect();
    let mut tmp = vec![0u8; total_len(&live).min(MAX_CHUNK)];
    let (n, full, from) = retry(|| rustix::net::recvfrom(s, &mut tmp[..], flags))?;
    let n = n.min(tmp.len());
    mem.scatter(&live, &tmp[..n])?;
    let mut port = 0u16;
    if let Some(os) = from {
        let (a, p) = addr::from_os(os)?;
        port = p;
        let bytes = match (abi, len) {
            (Abi::V2, STORAGE_SIZE) => Some(addr::storage(&a).to_vec()),
            (Abi::V2, _) => match &a {
                Addr::Ip(ip) if a.raw_bytes().len() == len as usize => Some(match ip {
                    IpAddr::V4(v4) => v4.octets().to_vec(),
                    IpAddr::V6(v6) => v6.octets().to_vec(),
                }),
                _ => return Err(Errno::Inval),
            },
            (Abi::V1, _) => v1_bytes(&a, len)?,
        };
        if let Some(b) = bytes {
            mem.write(buf, &b)?;
        }
    }
    if let Some(pp) = port_ptr {
        mem.write_u16(pp, port)?;
    }
    mem.write_u32(nread_ptr, n as u32)?;
    let ro = if full > n {
        sock::RECV_DATA_TRUNCATED
    } else {
        0
    };
    mem.write_u16(roflags_ptr, ro)
}

/// V1 `sock_recv_from(fd, iovs, iovs_len, *address, riflags, *nread, *roflags)`.
pub fn sock_recv_from_v1(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    recv_from(cx, mem, p, Abi::V1)
}

/// V2 `sock_recv_from(fd, iovs, iovs_len, *address, riflags, *port, *nread, *roflags)`.
pub fn sock_recv_from_v2(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    recv_from(cx, mem, p, Abi::V2)
}

fn send_to(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
    abi: Abi,
) -> WasiResult<()> {
    let (fd, iovs_ptr, iovs_len, addr_ptr) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3));
    let (port, si, nwritten_ptr) = (p.u32(4) as u16, p.u32(5), p.u32(6));
    if iovs_len > MAX_IOVS || si != 0 {
        return Err(Errno::Inval);
    }
    let iovs = mem.iovecs(iovs_ptr, iovs_len)?;
    let a = addr::read(mem, addr_ptr, abi)?;
    aligned(nwritten_ptr, 4)?;
    mem.check(nwritten_ptr, 4)?;
    let s = sock_fd(cx, fd)?;
    cx.net.check_addr(&a, port)?;
    let os = addr::to_os(&a, port)?;
    let data = mem.gather(&iovs, MAX_CHUNK)?;
    let n = retry(|| rustix::net::sendto(s, &data, SendFlags::NOSIGNAL, &os))?;
    mem.write_u32(nwritten_ptr, n as u32)
}

/// `sock_send_to(fd, iovs, iovs_len, *address, port, siflags, *nwritten)`: 4/16-byte address.
pub fn sock_send_to(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    send_to(cx, mem, p, Abi::V1)
}

/// `sock_send_to_v2`: also the tagged form.
pub fn sock_send_to_v2(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    send_to(cx, mem, p, Abi::V2)
}
