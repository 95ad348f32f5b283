//! Conversions between host file metadata and WASI's `filestat`/`filetype`, and validation of
//! the `fstflags` timestamp arguments of the `*_set_times` functions.
//!
//! Pure conversions: this module must not open, resolve or modify anything.

use crate::abi::{Filestat, filetype, fstflags};
use crate::errno::{Errno, WasiResult};
use cap_fs_ext::{FileTypeExt, OsMetadataExt};

fn nanos(sec: i64, nsec: i64) -> u64 {
    (sec as i128 * 1_000_000_000 + nsec as i128).clamp(0, u64::MAX as i128) as u64
}

/// The WASI file type of a host mode (`st_mode`).
pub fn filetype_of_mode(mode: u32) -> u8 {
    use rustix::fs::FileType as F;
    match F::from_raw_mode(mode as _) {
        F::RegularFile => filetype::REGULAR_FILE,
        F::Directory => filetype::DIRECTORY,
        F::Symlink => filetype::SYMBOLIC_LINK,
        F::BlockDevice => filetype::BLOCK_DEVICE,
        F::CharacterDevice => filetype::CHARACTER_DEVICE,
        F::Socket => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

/// The WASI file type of a `cap-std` file type.
pub fn filetype_of(ft: cap_std::fs::FileType) -> u8 {
    if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if FileTypeExt::is_block_device(&ft) {
        filetype::BLOCK_DEVICE
    } else if FileTypeExt::is_char_device(&ft) {
        filetype::CHARACTER_DEVICE
    } else if FileTypeExt::is_socket(&ft) {
        filetype::SOCKET_STREAM
    } else {
        filetype::UNKNOWN
    }
}

/// A `filestat` from an `fstat` result.
pub fn from_stat(st: &rustix::fs::Stat) -> Filestat {
    Filestat {
        dev: st.st_dev,
        ino: st.st_ino,
        filetype: filetype_of_mode(st.st_mode),
        nlink: st.st_nlink,
        size: st.st_size as u64,
        atim: nanos(st.st_atime, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime, st.st_ctime_nsec as i64),
    }
}

/// A `filestat` from `cap-std` metadata (path-based stat).
pub fn from_metadata(m: &cap_std::fs::Metadata) -> Filestat {
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_of(m.file_type()),
        nlink: m.nlink(),
        size: m.size(),
        atim: nanos(m.atime(), m.atime_nsec()),
        mtim: nanos(m.mtime(), m.mtime_nsec()),
        ctim: nanos(m.ctime(), m.ctime_nsec()),
    }
}

/// What to do with one timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSpec {
    /// Leave it alone.
    Omit,
    /// The current time.
    Now,
    /// Nanoseconds since the epoch.
    At(u64),
}

/// Validates `fst_flags` (`EINVAL` for unknown bits or a value and `_NOW` together).
pub fn time_specs(atim: u64, mtim: u64, flags: u16) -> WasiResult<(TimeSpec, TimeSpec)> {
    if flags & !fstflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let one = |value: u64, set: u16, now: u16| -> WasiResult<TimeSpec> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::Inval),
            (true, false) => Ok(TimeSpec::At(value)),
            (false, true) => Ok(TimeSpec::Now),
            (false, false) => Ok(TimeSpec::Omit),
        }
    };
    Ok((
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

/// A `utimensat`-style timestamp.
pub fn to_timespec(t: TimeSpec) -> rustix::fs::Timespec {
    match t {
        TimeSpec::Omit => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT,
        },
        TimeSpec::Now => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_NOW,
        },
        TimeSpec::At(ns) => rustix::fs::Timespec {
            tv_sec: (ns / 1_000_000_000) as _,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

/// A `cap-fs-ext` timestamp (`None`: leave it alone).
pub fn to_system_time_spec(t: TimeSpec) -> Option<cap_fs_ext::SystemTimeSpec> {
    match t {
        TimeSpec::Omit => None,
        TimeSpec::Now => Some(cap_fs_ext::SystemTimeSpec::SymbolicNow),
        TimeSpec::At(ns) => {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
            Some(cap_fs_ext::SystemTimeSpec::Absolute(
                cap_std::time::SystemTime::from_std(t),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fstflags_are_validated() {
        assert_eq!(
            time_specs(1, 2, fstflags::MTIM | fstflags::MTIM_NOW),
            Err(Errno::Inval)
        );
        assert_eq!(
            time_specs(1, 2, fstflags::ATIM | fstflags::ATIM_NOW),
            Err(Errno::Inval)
        );
        assert_eq!(time_specs(1, 2, 1 << 7), Err(Errno::Inval));
        assert_eq!(
            time_specs(1, 2, fstflags::ATIM | fstflags::MTIM_NOW),
            Ok((TimeSpec::At(1), TimeSpec::Now))
        );
        assert_eq!(time_specs(1, 2, 0), Ok((TimeSpec::Omit, TimeSpec::Omit)));
    }
}
