//! Creating and connecting sockets: `sock_open`, `sock_bind`, `sock_listen`, `sock_connect`
//! (V1 and V2 address forms) and `sock_accept` (WasmEdge's V1 `(fd, *new_fd)` and the preview1
//! V2 `(fd, fdflags, *new_fd)`).
//!
//! New descriptors get the lowest free number, like every other descriptor of this runtime
//! (WasmEdge draws them at random; guests must not depend on either). Accepted sockets are
//! blocking unless V2's `NONBLOCK` flag asks otherwise (applied to the accepted socket, as
//! WasmEdge does since its fix). This module must not transfer data.

use crate::abi::{fdflags, rights};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Entry, Kind, OsSocket, Socket};
use crate::linker::Params;
use crate::memory::GuestMemory;
use crate::net::addr::{self, Abi, aligned, family};
use crate::net::{retry, sock_fd};
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// WASI socket type values.
pub mod socktype {
    pub const ANY: u8 = 0;
    pub const DGRAM: u8 = 1;
    pub const STREAM: u8 = 2;
}

/// Adds a socket to the table and writes its number to `out`.
fn install(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    socket: OsSocket,
    flags: u16,
    base: u64,
    out: u32,
) -> WasiResult<()> {
    let fd = cx.fds.push(Entry {
        kind: Kind::Socket(Socket::Os(socket)),
        rights_base: base,
        rights_inheriting: 0,
        flags,
    })?;
    if let Err(e) = mem.write_u32(out, fd) {
        // The guest cannot learn the number: do not leak the socket.
        let _ = cx.fds.remove(fd);
        return Err(e);
    }
    Ok(())
}

/// `sock_open(af, type, *fd)` (also `sock_open_v2`).
pub fn sock_open(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (af, ty, out) = (p.u32(0), p.u32(1), p.u32(2));
    let os_family = match u8::try_from(af).map_err(|_| Errno::Inval)? {
        family::INET4 => AddressFamily::INET,
        family::INET6 => AddressFamily::INET6,
        family::UNIX => {
            // Gate first, as WasmEdge does: without permission AF_UNIX does not exist.
            cx.net.check_open(family::UNIX)?;
            AddressFamily::UNIX
        }
        _ => return Err(Errno::Inval),
    };
    let (os_type, dgram) = match u8::try_from(ty).map_err(|_| Errno::Inval)? {
        socktype::DGRAM => (SocketType::DGRAM, true),
        socktype::STREAM => (SocketType::STREAM, false),
        _ => return Err(Errno::Inval),
    };
    aligned(out, 4)?;
    mem.check(out, 4)?;
    cx.net.check_open(af as u8)?;
    let fd = rustix::net::socket_with(os_family, os_type, SocketFlags::CLOEXEC, None)?;
    install(cx, mem, OsSocket { fd, dgram }, 0, rights::SOCKET, out)
}

fn bind(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>, abi: Abi) -> WasiResult<()> {
    let a = addr::read(mem, p.u32(1), abi)?;
    let port = p.u32(2) as u16;
    let fd = sock_fd(cx, p.u32(0))?;
    cx.net.check_addr(&a, port)?;
    let os = addr::to_os(&a, port)?;
    retry(|| rustix::net::bind(fd, &os))
}

/// `sock_bind(fd, *address, port)`: 4- or 16-byte addresses.
pub fn sock_bind(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    bind(cx, mem, p, Abi::V1)
}

/// `sock_bind_v2`: also the 128-byte tagged form (AF_UNIX paths).
pub fn sock_bind_v2(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    bind(cx, mem, p, Abi::V2)
}

fn connect(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
    abi: Abi,
) -> WasiResult<()> {
    let a = addr::read(mem, p.u32(1), abi)?;
    let port = p.u32(2) as u16;
    let fd = sock_fd(cx, p.u32(0))?;
    cx.net.check_addr(&a, port)?;
    let os = addr::to_os(&a, port)?;
    match rustix::net::connect(fd, &os) {
        // An interrupted connect goes on in the background; wait for its outcome like a
        // blocking connect would.
        Err(rustix::io::Errno::INTR) => finish_interrupted_connect(fd),
        r => r.map_err(Errno::from),
    }
}

fn finish_interrupted_connect(fd: std::os::fd::BorrowedFd<'_>) -> WasiResult<()> {
    use rustix::event::{PollFd, PollFlags};
    loop {
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::OUT)];
        match rustix::event::poll(&mut fds, None) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
            Ok(_) => break,
        }
    }
    match rustix::net::sockopt::socket_error(fd)? {
        Ok(()) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `sock_connect(fd, *address, port)`: 4- or 16-byte addresses; a non-blocking socket
/// answers `EINPROGRESS`.
pub fn sock_connect(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    connect(cx, mem, p, Abi::V1)
}

/// `sock_connect_v2`: also the 128-byte tagged form.
pub fn sock_connect_v2(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    connect(cx, mem, p, Abi::V2)
}

/// `sock_listen(fd, backlog)` (also `sock_listen_v2`).
pub fn sock_listen(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let fd = sock_fd(cx, p.u32(0))?;
    let backlog = i32::try_from(p.u32(1)).unwrap_or(i32::MAX);
    retry(|| rustix::net::listen(fd, backlog))
}

/// Accepts a connection on guest socket `fd` and installs it, writing its number to `out`.
pub fn accept(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u16,
    out: u32,
) -> WasiResult<()> {
    aligned(out, 4)?;
    mem.check(out, 4)?;
    let e = cx.fds.get(fd)?;
    let Kind::Socket(s) = &e.kind else {
        return Err(Errno::NotSock);
    };
    // Sockets handed in by an embedder may have had their accept right dropped.
    e.require(rights::SOCK_ACCEPT)?;
    let mut os_flags = SocketFlags::CLOEXEC;
    if flags & fdflags::NONBLOCK != 0 {
        os_flags |= SocketFlags::NONBLOCK;
    }
    let listener = s.fd();
    let conn = retry(|| rustix::net::accept_with(listener, os_flags))?;
    let dgram = false;
    install(
        cx,
        mem,
        OsSocket { fd: conn, dgram },
        flags & fdflags::NONBLOCK,
        rights::SOCKET & !rights::SOCK_ACCEPT,
        out,
    )
}

/// WasmEdge's V1 `sock_accept(fd, *new_fd)`: the new socket is blocking.
pub fn sock_accept_v1(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    accept(cx, mem, p.u32(0), 0, p.u32(1))
}
