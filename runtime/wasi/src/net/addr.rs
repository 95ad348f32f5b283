//! Socket addresses as they cross WasmEdge's socket ABI: the `__wasi_address_t` struct
//! (`{u32 buf, u32 buf_len}`), the raw 4/16-byte IP forms (V1 and V2) and the 128-byte tagged
//! `WasiAddrStorage` form (V2 only: u16 LE family, then the payload), and their conversion to
//! and from OS socket addresses. Ports never travel inside these buffers.
//!
//! Pure data conversion plus bounds-checked guest memory access; this module must not perform
//! socket I/O or decide policy.

use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use rustix::net::{AddressFamily, SocketAddrAny, SocketAddrUnix};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;

/// WASI address family values (`sock_open`, the 128-byte form, addrinfo).
pub mod family {
    pub const UNSPEC: u8 = 0;
    pub const INET4: u8 = 1;
    pub const INET6: u8 = 2;
    pub const UNIX: u8 = 3;
}

/// Size of the V2 tagged address form.
pub const STORAGE_SIZE: u32 = 128;
/// Bytes of `sun_path` in the tagged form.
pub const UNIX_PATH_MAX: usize = 108;

/// Which flavour of a socket function decodes the address: V1 (the plain names) accepts only
/// the raw 4/16-byte forms, V2 (`*_v2`) the 128-byte tagged form too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    V1,
    V2,
}

/// An address without its port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    Ip(IpAddr),
    /// A Unix socket path (no NUL).
    Unix(Vec<u8>),
}

impl Addr {
    /// The WASI family value.
    pub fn family(&self) -> u8 {
        match self {
            Addr::Ip(IpAddr::V4(_)) => family::INET4,
            Addr::Ip(IpAddr::V6(_)) => family::INET6,
            Addr::Unix(_) => family::UNIX,
        }
    }

    /// The raw IP bytes (4 or 16) or the path bytes.
    pub fn raw_bytes(&self) -> Vec<u8> {
        match self {
            Addr::Ip(IpAddr::V4(a)) => a.octets().to_vec(),
            Addr::Ip(IpAddr::V6(a)) => a.octets().to_vec(),
            Addr::Unix(p) => p.clone(),
        }
    }
}

/// Fails with `EINVAL` unless `ptr` is a multiple of `align` (WasmEdge answers `EADDRNOTAVAIL`
/// here; this runtime reports the misuse as what it is).
pub fn aligned(ptr: u32, align: u32) -> WasiResult<()> {
    if ptr.is_multiple_of(align) {
        Ok(())
    } else {
        Err(Errno::Inval)
    }
}

/// Decodes the contents of an address buffer (`bytes.len()` is its `buf_len`).
pub fn decode(bytes: &[u8], abi: Abi) -> WasiResult<Addr> {
    match bytes.len() {
        4 => {
            let b: [u8; 4] = bytes.try_into().map_err(|_| Errno::Inval)?;
            Ok(Addr::Ip(IpAddr::V4(Ipv4Addr::from(b))))
        }
        16 => {
            let b: [u8; 16] = bytes.try_into().map_err(|_| Errno::Inval)?;
            Ok(Addr::Ip(IpAddr::V6(Ipv6Addr::from(b))))
        }
        128 if abi == Abi::V2 => {
            let fam = u16::from_le_bytes([bytes[0], bytes[1]]);
            match u8::try_from(fam).map_err(|_| Errno::Inval)? {
                family::INET4 => decode(&bytes[2..6], Abi::V1),
                family::INET6 => decode(&bytes[2..18], Abi::V1),
                family::UNIX => {
                    let path = &bytes[2..2 + UNIX_PATH_MAX];
                    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                    if end == 0 {
                        return Err(Errno::Inval);
                    }
                    Ok(Addr::Unix(path[..end].to_vec()))
                }
                _ => Err(Errno::Inval),
            }
        }
        _ => Err(Errno::Inval),
    }
}

/// The `{buf, buf_len}` struct at `ptr`: its buffer pointer and length.
pub fn read_struct(mem: &GuestMemory<'_>, ptr: u32) -> WasiResult<(u32, u32)> {
    aligned(ptr, 4)?;
    Ok((mem.read_u32(ptr)?, mem.read_u32(ptr + 4)?))
}

/// Reads and decodes the address struct at `ptr`.
pub fn read(mem: &GuestMemory<'_>, ptr: u32, abi: Abi) -> WasiResult<Addr> {
    let (buf, len) = read_struct(mem, ptr)?;
    match (len, abi) {
        (4 | 16, _) | (STORAGE_SIZE, Abi::V2) => decode(mem.slice(buf, len)?, abi),
        _ => Err(Errno::Inval),
    }
}

/// The 128-byte tagged form of `addr`.
pub fn storage(addr: &Addr) -> [u8; STORAGE_SIZE as usize] {
    let mut b = [0u8; STORAGE_SIZE as usize];
    b[0..2].copy_from_slice(&u16::from(addr.family()).to_le_bytes());
    let raw = addr.raw_bytes();
    let n = raw.len().min(UNIX_PATH_MAX - 1);
    b[2..2 + n].copy_from_slice(&raw[..n]);
    b
}

/// The OS socket address for `addr` and `port`.
pub fn to_os(addr: &Addr, port: u16) -> WasiResult<SocketAddrAny> {
    Ok(match addr {
        Addr::Ip(IpAddr::V4(a)) => SocketAddrV4::new(*a, port).into(),
        Addr::Ip(IpAddr::V6(a)) => SocketAddrV6::new(*a, port, 0, 0).into(),
        Addr::Unix(p) => SocketAddrUnix::new(std::ffi::OsStr::from_bytes(p))?.into(),
    })
}

/// An OS socket address as `(address, port)`; families the ABI cannot express are `ENOSYS`.
pub fn from_os(a: SocketAddrAny) -> WasiResult<(Addr, u16)> {
    let fam = a.address_family();
    if fam == AddressFamily::INET || fam == AddressFamily::INET6 {
        let sa = SocketAddr::try_from(a).map_err(|_| Errno::NoSys)?;
        Ok((Addr::Ip(sa.ip()), sa.port()))
    } else if fam == AddressFamily::UNIX {
        let u = SocketAddrUnix::try_from(a).map_err(|_| Errno::NoSys)?;
        let path = u.path_bytes().map(<[u8]>::to_vec).unwrap_or_default();
        Ok((Addr::Unix(path), 0))
    } else {
        Err(Errno::NoSys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(fam: u16, payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 128];
        b[0..2].copy_from_slice(&fam.to_le_bytes());
        b[2..2 + payload.len()].copy_from_slice(payload);
        b
    }

    #[test]
    fn raw_forms_decode_in_both_abis() {
        for abi in [Abi::V1, Abi::V2] {
            assert_eq!(
                decode(&[127, 0, 0, 1], abi),
                Ok(Addr::Ip(Ipv4Addr::LOCALHOST.into()))
            );
            let mut v6 = [0u8; 16];
            v6[15] = 1;
            assert_eq!(decode(&v6, abi), Ok(Addr::Ip(Ipv6Addr::LOCALHOST.into())));
        }
    }

    #[test]
    fn bad_lengths_are_einval() {
        for len in [0usize, 1, 3, 5, 8, 15, 17, 127, 129] {
            assert_eq!(decode(&vec![0u8; len], Abi::V2), Err(Errno::Inval), "{len}");
        }
        // The tagged form is V2 only.
        assert_eq!(
            decode(&tagged(1, &[127, 0, 0, 1]), Abi::V1),
            Err(Errno::Inval)
        );
    }

    #[test]
    fn tagged_form() {
        assert_eq!(
            decode(&tagged(1, &[10, 1, 2, 3]), Abi::V2),
            Ok(Addr::Ip(Ipv4Addr::new(10, 1, 2, 3).into()))
        );
        let v6: [u8; 16] = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 7).octets();
        assert_eq!(
            decode(&tagged(2, &v6), Abi::V2),
            Ok(Addr::Ip(Ipv6Addr::from(v6).into()))
        );
        assert_eq!(
            decode(&tagged(3, b"/tmp/s.sock\0junk"), Abi::V2),
            Ok(Addr::Unix(b"/tmp/s.sock".to_vec()))
        );
        // Unknown family, family with high byte set, empty Unix path.
        assert_eq!(decode(&tagged(0, &[]), Abi::V2), Err(Errno::Inval));
        assert_eq!(decode(&tagged(0x101, &[]), Abi::V2), Err(Errno::Inval));
        assert_eq!(decode(&tagged(3, b"\0"), Abi::V2), Err(Errno::Inval));
    }

    #[test]
    fn storage_round_trips() {
        for a in [
            Addr::Ip(Ipv4Addr::new(192, 168, 0, 9).into()),
            Addr::Ip(Ipv6Addr::LOCALHOST.into()),
            Addr::Unix(b"/run/x".to_vec()),
        ] {
            let b = storage(&a);
            assert_eq!(decode(&b, Abi::V2), Ok(a.clone()));
        }
        // Observed layout for 127.0.0.1: family 1 (LE), then the address bytes.
        let b = storage(&Addr::Ip(Ipv4Addr::LOCALHOST.into()));
        assert_eq!(&b[..6], &[1, 0, 127, 0, 0, 1]);
    }

    #[test]
    fn struct_reads_are_checked() {
        let mut bytes = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut bytes);
        m.write_u32(0, 32).unwrap();
        m.write_u32(4, 4).unwrap();
        m.write(32, &[127, 0, 0, 1]).unwrap();
        assert_eq!(
            read(&m, 0, Abi::V1),
            Ok(Addr::Ip(Ipv4Addr::LOCALHOST.into()))
        );
        assert_eq!(read(&m, 2, Abi::V1), Err(Errno::Inval), "misaligned");
        assert_eq!(
            read(&m, 60, Abi::V1),
            Err(Errno::Fault),
            "struct out of bounds"
        );
        m.write_u32(4, 128).unwrap();
        assert_eq!(read(&m, 0, Abi::V1), Err(Errno::Inval), "128 under V1");
        assert_eq!(
            read(&m, 0, Abi::V2),
            Err(Errno::Fault),
            "buffer out of bounds"
        );
        m.write_u32(4, 7).unwrap();
        assert_eq!(read(&m, 0, Abi::V2), Err(Errno::Inval));
    }

    #[test]
    fn os_round_trip() {
        let a = Addr::Ip(Ipv6Addr::LOCALHOST.into());
        assert_eq!(from_os(to_os(&a, 8080).unwrap()), Ok((a, 8080)));
        let u = Addr::Unix(b"/tmp/a".to_vec());
        assert_eq!(from_os(to_os(&u, 0).unwrap()), Ok((u, 0)));
    }
}
