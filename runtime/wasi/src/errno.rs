//! WASI preview1 error numbers (`errno`) and the mapping from host errors to them.
//!
//! Host errors arrive as `std::io::Error` (from `cap-std` and `std`) or as `rustix` errnos;
//! both are mapped here, in one place. A host error without an OS code is mapped by its kind;
//! `cap-std`'s sandbox refusals ("a path led outside of the filesystem") have kind
//! `PermissionDenied` and no OS code and become `ENOTCAPABLE`. This module must not perform any
//! I/O and must not decide policy (which operation returns which refusal is the callers' job).

use std::io;

/// A WASI preview1 error number (the `errno` enum of `wasi_snapshot_preview1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[allow(missing_docs)]
pub enum Errno {
    Success = 0,
    TooBig = 1,
    Acces = 2,
    AddrInUse = 3,
    AddrNotAvail = 4,
    AfNoSupport = 5,
    Again = 6,
    Already = 7,
    Badf = 8,
    BadMsg = 9,
    Busy = 10,
    Canceled = 11,
    Child = 12,
    ConnAborted = 13,
    ConnRefused = 14,
    ConnReset = 15,
    Deadlk = 16,
    DestAddrReq = 17,
    Dom = 18,
    Dquot = 19,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    HostUnreach = 23,
    Idrm = 24,
    Ilseq = 25,
    InProgress = 26,
    Intr = 27,
    Inval = 28,
    Io = 29,
    IsConn = 30,
    IsDir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    MsgSize = 35,
    Multihop = 36,
    NameTooLong = 37,
    NetDown = 38,
    NetReset = 39,
    NetUnreach = 40,
    Nfile = 41,
    NoBufs = 42,
    NoDev = 43,
    NoEnt = 44,
    NoExec = 45,
    NoLck = 46,
    NoLink = 47,
    NoMem = 48,
    NoMsg = 49,
    NoProtoOpt = 50,
    NoSpc = 51,
    NoSys = 52,
    NotConn = 53,
    NotDir = 54,
    NotEmpty = 55,
    NotRecoverable = 56,
    NotSock = 57,
    NotSup = 58,
    NoTty = 59,
    Nxio = 60,
    Overflow = 61,
    OwnerDead = 62,
    Perm = 63,
    Pipe = 64,
    Proto = 65,
    ProtoNoSupport = 66,
    ProtoType = 67,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Srch = 71,
    Stale = 72,
    TimedOut = 73,
    TxtBsy = 74,
    Xdev = 75,
    NotCapable = 76,
    // WasmEdge's socket extension: `sock_getaddrinfo` failures (`EAI_*`).
    AiAddrFamily = 77,
    AiAgain = 78,
    AiBadFlag = 79,
    AiFail = 80,
    AiFamily = 81,
    AiMemory = 82,
    AiNoData = 83,
    AiNoName = 84,
    AiService = 85,
    AiSockType = 86,
    AiSystem = 87,
}

impl Errno {
    /// The numeric value the guest sees.
    pub fn raw(self) -> u16 {
        self as u16
    }

    /// Maps a host (Linux/POSIX) `errno` value.
    pub fn from_raw_os_error(code: i32) -> Errno {
        use Errno::*;
        match code {
            0 => Success,
            libc::E2BIG => TooBig,
            libc::EACCES => Acces,
            libc::EADDRINUSE => AddrInUse,
            libc::EADDRNOTAVAIL => AddrNotAvail,
            libc::EAFNOSUPPORT => AfNoSupport,
            libc::EAGAIN => Again,
            libc::EALREADY => Already,
            libc::EBADF => Badf,
            libc::EBADMSG => BadMsg,
            libc::EBUSY => Busy,
            libc::ECANCELED => Canceled,
            libc::ECHILD => Child,
            libc::ECONNABORTED => ConnAborted,
            libc::ECONNREFUSED => ConnRefused,
            libc::ECONNRESET => ConnReset,
            libc::EDEADLK => Deadlk,
            libc::EDESTADDRREQ => DestAddrReq,
            libc::EDOM => Dom,
            libc::EDQUOT => Dquot,
            libc::EEXIST => Exist,
            libc::EFAULT => Fault,
            libc::EFBIG => Fbig,
            libc::EHOSTUNREACH => HostUnreach,
            libc::EIDRM => Idrm,
            libc::EILSEQ => Ilseq,
            libc::EINPROGRESS => InProgress,
            libc::EINTR => Intr,
            libc::EINVAL => Inval,
            libc::EIO => Io,
            libc::EISCONN => IsConn,
            libc::EISDIR => IsDir,
            libc::ELOOP => Loop,
            libc::EMFILE => Mfile,
            libc::EMLINK => Mlink,
            libc::EMSGSIZE => MsgSize,
            libc::EMULTIHOP => Multihop,
            libc::ENAMETOOLONG => NameTooLong,
            libc::ENETDOWN => NetDown,
            libc::ENETRESET => NetReset,
            libc::ENETUNREACH => NetUnreach,
            libc::ENFILE => Nfile,
            libc::ENOBUFS => NoBufs,
            libc::ENODEV => NoDev,
            libc::ENOENT => NoEnt,
            libc::ENOEXEC => NoExec,
            libc::ENOLCK => NoLck,
            libc::ENOLINK => NoLink,
            libc::ENOMEM => NoMem,
            libc::ENOMSG => NoMsg,
            libc::ENOPROTOOPT => NoProtoOpt,
            libc::ENOSPC => NoSpc,
            libc::ENOSYS => NoSys,
            libc::ENOTCONN => NotConn,
            libc::ENOTDIR => NotDir,
            libc::ENOTEMPTY => NotEmpty,
            libc::ENOTRECOVERABLE => NotRecoverable,
            libc::ENOTSOCK => NotSock,
            libc::EOPNOTSUPP => NotSup,
            libc::ENOTTY => NoTty,
            libc::ENXIO => Nxio,
            libc::EOVERFLOW => Overflow,
            libc::EOWNERDEAD => OwnerDead,
            libc::EPERM => Perm,
            libc::EPIPE => Pipe,
            libc::EPROTO => Proto,
            libc::EPROTONOSUPPORT => ProtoNoSupport,
            libc::EPROTOTYPE => ProtoType,
            libc::ERANGE => Range,
            libc::EROFS => Rofs,
            libc::ESPIPE => Spipe,
            libc::ESRCH => Srch,
            libc::ESTALE => Stale,
            libc::ETIMEDOUT => TimedOut,
            libc::ETXTBSY => TxtBsy,
            libc::EXDEV => Xdev,
            _ => Io,
        }
    }

    /// Maps an error kind, for host errors without an OS code.
    pub fn from_kind(kind: io::ErrorKind) -> Errno {
        use io::ErrorKind as K;
        match kind {
            K::NotFound => Errno::NoEnt,
            // cap-std reports sandbox escapes (absolute paths, `..` above the preopen,
            // symlinks leading out) as PermissionDenied without an OS error code.
            K::PermissionDenied => Errno::NotCapable,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput | K::InvalidData => Errno::Inval,
            K::WouldBlock => Errno::Again,
            K::Interrupted => Errno::Intr,
            K::BrokenPipe => Errno::Pipe,
            K::ConnectionRefused => Errno::ConnRefused,
            K::ConnectionReset => Errno::ConnReset,
            K::ConnectionAborted => Errno::ConnAborted,
            K::NotConnected => Errno::NotConn,
            K::AddrInUse => Errno::AddrInUse,
            K::AddrNotAvailable => Errno::AddrNotAvail,
            K::TimedOut => Errno::TimedOut,
            K::Unsupported => Errno::NotSup,
            K::OutOfMemory => Errno::NoMem,
            K::NotADirectory => Errno::NotDir,
            K::IsADirectory => Errno::IsDir,
            K::DirectoryNotEmpty => Errno::NotEmpty,
            K::ReadOnlyFilesystem => Errno::Rofs,
            K::InvalidFilename => Errno::NameTooLong,
            K::CrossesDevices => Errno::Xdev,
            K::TooManyLinks => Errno::Mlink,
            K::FileTooLarge => Errno::Fbig,
            K::StorageFull => Errno::NoSpc,
            K::ResourceBusy => Errno::Busy,
            K::ExecutableFileBusy => Errno::TxtBsy,
            K::Deadlock => Errno::Deadlk,
            K::NotSeekable => Errno::Spipe,
            _ => Errno::Io,
        }
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        match e.raw_os_error() {
            Some(code) => Errno::from_raw_os_error(code),
            None => Errno::from_kind(e.kind()),
        }
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        Errno::from_raw_os_error(e.raw_os_error())
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?} ({})", self.raw())
    }
}

/// Result of a WASI operation: `Ok` becomes `errno` 0.
pub type WasiResult<T> = Result<T, Errno>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_os_and_kind_errors() {
        assert_eq!(
            Errno::from(io::Error::from_raw_os_error(libc::ENOENT)),
            Errno::NoEnt
        );
        assert_eq!(
            Errno::from(io::Error::from_raw_os_error(libc::ELOOP)),
            Errno::Loop
        );
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(Errno::from(escape), Errno::NotCapable);
        assert_eq!(Errno::NotCapable.raw(), 76);
        assert_eq!(Errno::from_raw_os_error(9999), Errno::Io);
    }
}
