//! The guest's file descriptor table: what each WASI descriptor number refers to (a file, a
//! directory capability, a standard stream or a socket), its rights and its `fdflags`.
//!
//! Descriptor numbers are purely virtual: a guest can only name entries of this table, never a
//! host descriptor, so guessing numbers reaches nothing. Directory entries hold a `cap_std::fs::Dir`,
//! the only way paths are ever resolved. This module owns allocation and rights checks; it must
//! not perform path resolution or guest memory access.

use crate::abi::{filetype, rights};
use crate::errno::{Errno, WasiResult};
use crate::stdio::Stream;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd};

/// Largest number of open descriptors a guest may hold.
pub const MAX_FDS: usize = 16 * 1024;

/// An open regular file (or other non-directory file system object).
pub struct FileDesc {
    pub file: std::fs::File,
    /// Opened below a read-only preopen: never writable, whatever the rights say.
    pub readonly: bool,
}

/// One entry of a directory listing, as `fd_readdir` reports it.
#[derive(Clone, Debug)]
pub struct DirEnt {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

/// An open directory: a capability to everything beneath it and nothing above.
pub struct DirDesc {
    pub dir: cap_std::fs::Dir,
    /// Below a read-only preopen: every change is refused.
    pub readonly: bool,
    /// The guest path, for preopened directories (`fd_prestat_get`).
    pub preopen: Option<String>,
    /// The listing of the last `fd_readdir` sequence (reused while cookies advance).
    pub listing: Option<Vec<DirEnt>>,
}

/// A socket the guest created with `sock_open` (or accepted from one): any family and type,
/// in any state (unbound, bound, listening, connected).
pub struct OsSocket {
    pub fd: std::os::fd::OwnedFd,
    /// True for `SOCK_DGRAM`, false for `SOCK_STREAM`.
    pub dgram: bool,
}

/// A socket: handed to the guest by the embedder, created by the guest (WasmEdge's socket
/// extension, [`Socket::Os`]) or accepted from either.
pub enum Socket {
    Os(OsSocket),
    TcpListener(std::net::TcpListener),
    TcpStream(std::net::TcpStream),
    UdpSocket(std::net::UdpSocket),
    UnixListener(std::os::unix::net::UnixListener),
    UnixStream(std::os::unix::net::UnixStream),
}

impl Socket {
    /// The socket's OS descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Socket::Os(s) => s.fd.as_fd(),
            Socket::TcpListener(s) => s.as_fd(),
            Socket::TcpStream(s) => s.as_fd(),
            Socket::UdpSocket(s) => s.as_fd(),
            Socket::UnixListener(s) => s.as_fd(),
            Socket::UnixStream(s) => s.as_fd(),
        }
    }

    /// `SOCKET_STREAM` or `SOCKET_DGRAM`.
    pub fn filetype(&self) -> u8 {
        match self {
            Socket::UdpSocket(_) => filetype::SOCKET_DGRAM,
            Socket::Os(s) if s.dgram => filetype::SOCKET_DGRAM,
            _ => filetype::SOCKET_STREAM,
        }
    }
}

impl From<std::net::TcpListener> for Socket {
    fn from(s: std::net::TcpListener) -> Socket {
        Socket::TcpListener(s)
    }
}
impl From<std::net::TcpStream> for Socket {
    fn from(s: std::net::TcpStream) -> Socket {
        Socket::TcpStream(s)
    }
}
impl From<std::net::UdpSocket> for Socket {
    fn from(s: std::net::UdpSocket) -> Socket {
        Socket::UdpSocket(s)
    }
}
impl From<std::os::unix::net::UnixListener> for Socket {
    fn from(s: std::os::unix::net::UnixListener) -> Socket {
        Socket::UnixListener(s)
    }
}
impl From<std::os::unix::net::UnixStream> for Socket {
    fn from(s: std::os::unix::net::UnixStream) -> Socket {
        Socket::UnixStream(s)
    }
}

/// What a descriptor refers to.
pub enum Kind {
    File(FileDesc),
    Dir(DirDesc),
    Stream(Stream),
    Socket(Socket),
}

/// One open descriptor.
pub struct Entry {
    pub kind: Kind,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// The `fdflags` as the guest last set them.
    pub flags: u16,
}

impl Entry {
    /// Fails with `ENOTCAPABLE` unless the descriptor has every right in `needed`.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::NotCapable)
        }
    }

    /// The OS descriptor behind the entry, if any (in-memory streams have none).
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        match &self.kind {
            Kind::File(d) => Some(d.file.as_fd()),
            Kind::Dir(d) => Some(d.dir.as_fd()),
            Kind::Stream(s) => s.fd(),
            Kind::Socket(s) => Some(s.fd()),
        }
    }
}

/// The descriptor table.
#[derive(Default)]
pub struct FdTable {
    entries: BTreeMap<u32, Entry>,
}

impl FdTable {
    /// Inserts `entry` at a specific number (used while building the context).
    pub fn insert_at(&mut self, fd: u32, entry: Entry) {
        self.entries.insert(fd, entry);
    }

    /// Inserts `entry` at the lowest free number from 3 up (`EMFILE` when full).
    pub fn push(&mut self, entry: Entry) -> WasiResult<u32> {
        if self.entries.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        let mut fd = 3u32;
        for &used in self.entries.keys() {
            if used < fd {
                continue;
            }
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    /// The entry for `fd` (`EBADF` if none).
    pub fn get(&self, fd: u32) -> WasiResult<&Entry> {
        self.entries.get(&fd).ok_or(Errno::Badf)
    }

    /// The entry for `fd`, mutably.
    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Entry> {
        self.entries.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// Removes `fd` (closing it when the entry is dropped).
    pub fn remove(&mut self, fd: u32) -> WasiResult<Entry> {
        self.entries.remove(&fd).ok_or(Errno::Badf)
    }

    /// True if `fd` is open.
    pub fn contains(&self, fd: u32) -> bool {
        self.entries.contains_key(&fd)
    }

    /// A directory descriptor with the given rights: `EBADF`, `ENOTDIR` or `ENOTCAPABLE`.
    pub fn dir(&self, fd: u32, needed: u64) -> WasiResult<&DirDesc> {
        let e = self.get(fd)?;
        let Kind::Dir(d) = &e.kind else {
            return Err(Errno::NotDir);
        };
        e.require(needed)?;
        Ok(d)
    }

    /// A directory descriptor with the given rights, mutably.
    pub fn dir_mut(&mut self, fd: u32, needed: u64) -> WasiResult<&mut DirDesc> {
        let e = self.get_mut(fd)?;
        e.require(needed)?;
        match &mut e.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Errno::NotDir),
        }
    }

    /// The rights a directory passes on to what is opened through it.
    pub fn inheriting(&self, fd: u32) -> WasiResult<u64> {
        Ok(self.get(fd)?.rights_inheriting)
    }
}

/// Rights of a preopened directory (`readonly`: nothing that changes the file system).
pub fn preopen_rights(readonly: bool) -> (u64, u64) {
    let base = rights::DIRECTORY;
    let inheriting = rights::DIRECTORY | rights::REGULAR_FILE;
    if readonly {
        (base & !rights::MUTATING, inheriting & !rights::MUTATING)
    } else {
        (base, inheriting)
    }
}
