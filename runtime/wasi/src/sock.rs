//! The preview1 socket calls `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`, on
//! sockets the embedder handed to the guest or the guest created through WasmEdge's socket
//! extension (`wasi::net`, which also holds the accept logic).
//!
//! A descriptor that is not a socket gives `ENOTSOCK`, a closed one `EBADF`. This module must
//! not open sockets or connections on its own (that is `wasi::net`).

use crate::abi::{fdflags, rights, sock};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Entry, Kind, Socket};
use crate::linker::Params;
use crate::memory::{GuestMemory, IoVec, total_len};
use rustix::net::{RecvFlags, SendFlags};

/// The socket behind `fd`, with the given rights.
fn socket(cx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<(&Entry, &Socket)> {
    let e = cx.fds.get(fd)?;
    let Kind::Socket(s) = &e.kind else {
        return Err(Errno::NotSock);
    };
    e.require(needed)?;
    Ok((e, s))
}

/// The preview1 `sock_accept(fd, fdflags, *new_fd)` (WasmEdge's V2): `NONBLOCK` applies to
/// the accepted socket; the other defined flags are accepted and have no effect on sockets.
pub fn sock_accept(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let flags = u16::try_from(p.u32(1)).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    crate::net::conn::accept(cx, mem, p.u32(0), flags, p.u32(2))
}

pub fn sock_recv(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (iovs_ptr, iovs_len, ri_flags) = (p.u32(1), p.u32(2), p.u32(3));
    let (len_ptr, flags_ptr) = (p.u32(4), p.u32(5));
    let ri_flags = u16::try_from(ri_flags).map_err(|_| Errno::Inval)?;
    if ri_flags & !(sock::RECV_PEEK | sock::RECV_WAITALL) != 0 {
        return Err(Errno::Inval);
    }
    let mut flags = RecvFlags::empty();
    if ri_flags & sock::RECV_PEEK != 0 {
        flags |= RecvFlags::PEEK;
    }
    if ri_flags & sock::RECV_WAITALL != 0 {
        flags |= RecvFlags::WAITALL;
    }
    if iovs_len > crate::net::MAX_IOVS {
        return Err(Errno::Inval);
    }
    let iovs = mem.iovecs(iovs_ptr, iovs_len)?;
    mem.check(len_ptr, 4)?;
    mem.check(flags_ptr, 2)?;
    let (_, s) = socket(cx, p.u32(0), rights::FD_READ)?;
    let live: Vec<IoVec> = iovs.into_iter().filter(|v| v.len > 0).collect();
    let mut tmp = vec![0u8; total_len(&live).min(16 << 20)];
    let (n, full) = loop {
        match rustix::net::recv(s.fd(), &mut tmp[..], flags) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
            Ok((n, full)) => break (n, full),
        }
    };
    mem.scatter(&live, &tmp[..n])?;
    mem.write_u32(len_ptr, n as u32)?;
    let ro = if full > n {
        sock::RECV_DATA_TRUNCATED
    } else {
        0
    };
    mem.write_u16(flags_ptr, ro)
}

pub fn sock_send(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (iovs_ptr, iovs_len, len_ptr) = (p.u32(1), p.u32(2), p.u32(4));
    if p.u32(3) != 0 {
        // No `siflags` are defined.
        return Err(Errno::Inval);
    }
    if iovs_len > crate::net::MAX_IOVS {
        return Err(Errno::Inval);
    }
    let iovs = mem.iovecs(iovs_ptr, iovs_len)?;
    mem.check(len_ptr, 4)?;
    let (_, s) = socket(cx, p.u32(0), rights::FD_WRITE)?;
    let data = mem.gather(&iovs, 16 << 20)?;
    let n = loop {
        match rustix::net::send(s.fd(), &data, SendFlags::NOSIGNAL) {
            Err(rustix::io::Errno::INTR) => continue,
            r => break r?,
        }
    };
    mem.write_u32(len_ptr, n as u32)
}

pub fn sock_shutdown(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let how = match u8::try_from(p.u32(1)).map_err(|_| Errno::Inval)? {
        sock::SHUT_RD => rustix::net::Shutdown::Read,
        sock::SHUT_WR => rustix::net::Shutdown::Write,
        h if h == sock::SHUT_RD | sock::SHUT_WR => rustix::net::Shutdown::Both,
        _ => return Err(Errno::Inval),
    };
    let (_, s) = socket(cx, p.u32(0), rights::SOCK_SHUTDOWN)?;
    rustix::net::shutdown(s.fd(), how).map_err(Errno::from)
}
