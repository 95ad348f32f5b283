//! The only unsafe code of the socket extension: raw `getsockopt`/`setsockopt` with byte
//! buffers (WasmEdge passes option values through as bytes, which `rustix` has no API for) and
//! `getaddrinfo(3)`/`freeaddrinfo(3)` (the system resolver, with hints and service names, which
//! `std` does not expose).
//!
//! Every function takes only safe Rust types and returns owned data; nothing from here keeps
//! a pointer. This module must not know about guest memory or WASI numbering.

use std::ffi::CStr;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd};

fn last_os_error() -> rustix::io::Errno {
    rustix::io::Errno::from_raw_os_error(
        std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
    )
}

/// `getsockopt(fd, SOL_SOCKET, name)` into a buffer of `capacity` bytes; returns the bytes the
/// kernel wrote.
pub fn getsockopt(fd: BorrowedFd<'_>, name: i32, capacity: usize) -> rustix::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; capacity];
    let mut len = libc::socklen_t::try_from(capacity).map_err(|_| rustix::io::Errno::INVAL)?;
    // SAFETY: `buf` is a live, writable allocation of `capacity` bytes and `len` says so; the
    // kernel writes at most `len` bytes and updates `len`. `fd` is a valid open descriptor for
    // the duration of the borrow.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            name,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(last_os_error());
    }
    buf.truncate((len as usize).min(capacity));
    Ok(buf)
}

/// `setsockopt(fd, SOL_SOCKET, name, value)`.
pub fn setsockopt(fd: BorrowedFd<'_>, name: i32, value: &[u8]) -> rustix::io::Result<()> {
    let len = libc::socklen_t::try_from(value.len()).map_err(|_| rustix::io::Errno::INVAL)?;
    let ptr = if value.is_empty() {
        std::ptr::null()
    } else {
        value.as_ptr()
    };
    // SAFETY: `ptr` is null with length 0 or points at `value`, readable for `len` bytes; the
    // kernel only reads. `fd` is a valid open descriptor for the duration of the borrow.
    let r = unsafe { libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, name, ptr.cast(), len) };
    if r != 0 {
        return Err(last_os_error());
    }
    Ok(())
}

/// `getaddrinfo` hints, in native values.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hints {
    pub flags: i32,
    pub family: i32,
    pub socktype: i32,
    pub protocol: i32,
}

/// One `getaddrinfo` result (IPv4 and IPv6 only; other families are skipped).
#[derive(Clone, Debug)]
pub struct AddrInfo {
    pub flags: i32,
    pub family: i32,
    pub socktype: i32,
    pub protocol: i32,
    pub addr: SocketAddr,
    pub canonname: Option<Vec<u8>>,
}

/// A `getaddrinfo` failure: the `EAI_*` code, and `errno` for `EAI_SYSTEM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GaiError {
    pub code: i32,
    pub errno: i32,
}

/// Resolves `node`/`service` with the system resolver.
pub fn getaddrinfo(
    node: Option<&CStr>,
    service: Option<&CStr>,
    hints: Hints,
) -> Result<Vec<AddrInfo>, GaiError> {
    // SAFETY: an all-zero `addrinfo` is a valid value (integers zero, pointers null).
    let mut h: libc::addrinfo = unsafe { std::mem::zeroed() };
    h.ai_flags = hints.flags;
    h.ai_family = hints.family;
    h.ai_socktype = hints.socktype;
    h.ai_protocol = hints.protocol;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: `node`/`service` are NUL-terminated or null, `h` is a valid hints struct, `res`
    // receives a list that we free below with `freeaddrinfo`.
    let code = unsafe {
        libc::getaddrinfo(
            node.map_or(std::ptr::null(), CStr::as_ptr),
            service.map_or(std::ptr::null(), CStr::as_ptr),
            &h,
            &mut res,
        )
    };
    if code != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(GaiError { code, errno });
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list `getaddrinfo` returned, alive until
        // `freeaddrinfo`; its `ai_addr` points at `ai_addrlen` bytes of the given family.
        let ai = unsafe { &*cur };
        let addr = if ai.ai_addr.is_null() {
            None
        } else if ai.ai_family == libc::AF_INET
            && ai.ai_addrlen as usize >= std::mem::size_of::<libc::sockaddr_in>()
        {
            // SAFETY: family INET with a long enough length: a `sockaddr_in` (read unaligned,
            // copied out).
            let sin = unsafe { std::ptr::read_unaligned(ai.ai_addr.cast::<libc::sockaddr_in>()) };
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
                u16::from_be(sin.sin_port),
            )))
        } else if ai.ai_family == libc::AF_INET6
            && ai.ai_addrlen as usize >= std::mem::size_of::<libc::sockaddr_in6>()
        {
            // SAFETY: family INET6 with a long enough length: a `sockaddr_in6`.
            let sin6 = unsafe { std::ptr::read_unaligned(ai.ai_addr.cast::<libc::sockaddr_in6>()) };
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        } else {
            None
        };
        let canonname = if ai.ai_canonname.is_null() {
            None
        } else {
            // SAFETY: a non-null `ai_canonname` is a NUL-terminated string owned by the list.
            Some(
                unsafe { CStr::from_ptr(ai.ai_canonname) }
                    .to_bytes()
                    .to_vec(),
            )
        };
        if let Some(addr) = addr {
            out.push(AddrInfo {
                flags: ai.ai_flags,
                family: ai.ai_family,
                socktype: ai.ai_socktype,
                protocol: ai.ai_protocol,
                addr,
                canonname,
            });
        }
        cur = ai.ai_next;
    }
    // SAFETY: `res` is the list `getaddrinfo` returned; nothing refers to it any more.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_numeric_hosts_and_services() {
        let hints = Hints {
            flags: libc::AI_NUMERICHOST | libc::AI_NUMERICSERV,
            family: libc::AF_INET,
            socktype: libc::SOCK_STREAM,
            protocol: 0,
        };
        let r = getaddrinfo(Some(c"127.0.0.1"), Some(c"8080"), hints).unwrap();
        assert!(!r.is_empty());
        assert_eq!(r[0].addr, "127.0.0.1:8080".parse().unwrap());
        let e = getaddrinfo(Some(c"not an address"), None, hints).unwrap_err();
        assert_eq!(e.code, libc::EAI_NONAME);
    }

    #[test]
    fn socket_options_round_trip() {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        use std::os::fd::AsFd;
        setsockopt(s.as_fd(), libc::SO_BROADCAST, &1i32.to_ne_bytes()).unwrap();
        let v = getsockopt(s.as_fd(), libc::SO_BROADCAST, 4).unwrap();
        assert_eq!(v, 1i32.to_ne_bytes());
        assert!(setsockopt(s.as_fd(), libc::SO_BROADCAST, &[1]).is_err());
    }
}
