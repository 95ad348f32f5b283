//! WasmEdge's socket extension to `wasi_snapshot_preview1`: guests create, bind, listen on,
//! connect and query sockets themselves (`sock_open`, `sock_bind`, `sock_listen`,
//! `sock_connect`, `sock_accept` V1, `sock_recv_from`, `sock_send_to`, `sock_getlocaladdr`,
//! `sock_getpeeraddr`, `sock_getsockopt`, `sock_setsockopt`, `sock_getaddrinfo`, the `_v2`
//! variants) and wait on many of them (`epoll_oneoff`). The preview1 calls on sockets
//! (`sock_accept` V2, `sock_recv`, `sock_send`, `sock_shutdown`) are in `wasi::sock`.
//!
//! Module map: [`addr`] (address forms of the ABI), [`policy`] (who may do what),
//! [`conn`] (open/bind/listen/connect/accept), [`names`] (local and peer addresses),
//! [`transfer`] (datagram send/receive with addresses), [`sockopt`], [`dns`]
//! (`sock_getaddrinfo`) and [`sys`] (the only unsafe code: raw socket options and the system
//! resolver). Sockets are ordinary descriptors of the guest's table (`fd_read`, `fd_write`,
//! `fd_close`, `fd_fdstat_*` and `poll_oneoff` work on them). Every permission check happens
//! before the system call it guards. This module tree must not touch anything but sockets.

pub mod addr;
pub mod conn;
pub mod dns;
pub mod names;
pub mod policy;
pub mod sockopt;
#[allow(unsafe_code)]
pub mod sys;
pub mod transfer;

pub use policy::{IpAccess, NetPolicy, NetRule};

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Kind;
use std::os::fd::BorrowedFd;

/// Largest number of iovecs one call may pass (WasmEdge's limit).
pub const MAX_IOVS: u32 = 1024;

/// The OS socket behind guest descriptor `fd`: `EBADF` if closed, `ENOTSOCK` if not a socket.
/// (As in WasmEdge, the `sock_*` extension calls check no WASI rights.)
pub fn sock_fd(cx: &WasiCtx, fd: u32) -> WasiResult<BorrowedFd<'_>> {
    match &cx.fds.get(fd)?.kind {
        Kind::Socket(s) => Ok(s.fd()),
        _ => Err(Errno::NotSock),
    }
}

/// Retries `f` while it fails with `EINTR`.
pub fn retry<R>(mut f: impl FnMut() -> rustix::io::Result<R>) -> WasiResult<R> {
    loop {
        match f() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r.map_err(Errno::from),
        }
    }
}

#[cfg(test)]
mod tests;
