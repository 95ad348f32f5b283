//! Descriptor-level WASI functions that do not move data: `fd_close`, `fd_renumber`,
//! `fd_fdstat_*`, `fd_prestat_*`, `fd_advise`, `fd_allocate`, `fd_sync`, `fd_datasync` and
//! `fd_filestat_*`.
//!
//! Every function checks the descriptor's rights first (`ENOTCAPABLE`). This module must not
//! resolve paths (that is `path.rs`) or read/write file contents (that is `io.rs`).

use crate::abi::{Fdstat, PREOPENTYPE_DIR, fdflags, filetype, rights};
use crate::ctx::{WasiCtx, stream_rights};
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Entry, Kind};
use crate::filestat;
use crate::linker::Params;
use crate::memory::GuestMemory;
use std::num::NonZeroU64;
use std::os::fd::AsFd;

pub fn fd_close(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    cx.fds.remove(p.u32(0)).map(drop)
}

pub fn fd_renumber(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (from, to) = (p.u32(0), p.u32(1));
    if !cx.fds.contains(from) || !cx.fds.contains(to) {
        return Err(Errno::Badf);
    }
    if from != to {
        let entry = cx.fds.remove(from)?;
        cx.fds.insert_at(to, entry);
    }
    Ok(())
}

/// The WASI file type of an open descriptor.
pub fn entry_filetype(e: &Entry) -> u8 {
    match &e.kind {
        Kind::Dir(_) => filetype::DIRECTORY,
        Kind::File(f) => rustix::fs::fstat(&f.file)
            .map(|st| filestat::filetype_of_mode(st.st_mode))
            .unwrap_or(filetype::UNKNOWN),
        Kind::Stream(s) => stream_rights(s).1,
        Kind::Socket(s) => s.filetype(),
    }
}

pub fn fd_fdstat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    let stat = Fdstat {
        filetype: entry_filetype(e),
        flags: e.flags,
        rights_base: e.rights_base,
        rights_inheriting: e.rights_inheriting,
    };
    mem.write(p.u32(1), &stat.to_bytes())
}

pub fn fd_fdstat_set_flags(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let flags = u16::try_from(p.u32(1)).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let e = cx.fds.get_mut(p.u32(0))?;
    e.require(rights::FD_FDSTAT_SET_FLAGS)?;
    let sync = fdflags::SYNC | fdflags::DSYNC | fdflags::RSYNC;
    if (flags ^ e.flags) & sync != 0 {
        // Linux cannot change the synchronisation mode of an open descriptor.
        return Err(Errno::NotSup);
    }
    let os_fd = match &e.kind {
        Kind::File(f) => Some(f.file.as_fd()),
        Kind::Socket(s) => Some(s.fd()),
        Kind::Stream(crate::stdio::Stream::File(f)) => Some(f.as_fd()),
        // Directories and the host's own streams keep their OS flags: changing O_NONBLOCK on
        // an inherited terminal would affect other processes.
        _ => None,
    };
    if let Some(fd) = os_fd {
        use rustix::fs::OFlags;
        let mut os = rustix::fs::fcntl_getfl(fd)?;
        os.set(OFlags::APPEND, flags & fdflags::APPEND != 0);
        os.set(OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
        rustix::fs::fcntl_setfl(fd, os)?;
    }
    e.flags = flags;
    Ok(())
}

pub fn fd_fdstat_set_rights(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let (base, inheriting) = (p.u64(1), p.u64(2));
    let e = cx.fds.get_mut(p.u32(0))?;
    // Rights can only be dropped, never gained.
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub fn fd_prestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    let Kind::Dir(d) = &e.kind else {
        return Err(Errno::Badf);
    };
    let name = d.preopen.as_ref().ok_or(Errno::Badf)?;
    let ptr = p.u32(1);
    mem.check(ptr, 8)?;
    mem.write(ptr, &[PREOPENTYPE_DIR, 0, 0, 0])?;
    mem.write_u32(ptr + 4, name.len() as u32)
}

pub fn fd_prestat_dir_name(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    let Kind::Dir(d) = &e.kind else {
        return Err(Errno::Badf);
    };
    let name = d.preopen.as_ref().ok_or(Errno::Badf)?;
    if name.len() > p.u32(2) as usize {
        return Err(Errno::NameTooLong);
    }
    mem.write(p.u32(1), name.as_bytes())
}

pub fn fd_advise(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    use rustix::fs::Advice;
    let (offset, len) = (p.u64(1), p.u64(2));
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_ADVISE)?;
    let advice = match p.u32(3) {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::Inval),
    };
    match &e.kind {
        Kind::File(f) => {
            rustix::fs::fadvise(&f.file, offset, NonZeroU64::new(len), advice)?;
            Ok(())
        }
        Kind::Dir(_) => Err(Errno::IsDir),
        // Advice is only a hint: streams ignore it.
        _ => Ok(()),
    }
}

pub fn fd_allocate(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (offset, len) = (p.u64(1), p.u64(2));
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_ALLOCATE)?;
    match &e.kind {
        Kind::File(f) if f.readonly => Err(Errno::NotCapable),
        Kind::File(f) => {
            if offset
                .checked_add(len)
                .is_none_or(|end| end > i64::MAX as u64)
            {
                return Err(Errno::Inval);
            }
            rustix::fs::fallocate(&f.file, rustix::fs::FallocateFlags::empty(), offset, len)?;
            Ok(())
        }
        Kind::Dir(_) => Err(Errno::IsDir),
        _ => Err(Errno::Badf),
    }
}

fn sync(cx: &mut WasiCtx, fd: u32, right: u64, data_only: bool) -> WasiResult<()> {
    let e = cx.fds.get(fd)?;
    e.require(right)?;
    let r = match &e.kind {
        Kind::File(f) if data_only => rustix::fs::fdatasync(&f.file),
        Kind::File(f) => rustix::fs::fsync(&f.file),
        Kind::Dir(d) => rustix::fs::fsync(&d.dir),
        // Terminals and pipes have nothing to flush to storage.
        _ => Ok(()),
    };
    r.map_err(Errno::from)
}

pub fn fd_sync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    sync(cx, p.u32(0), rights::FD_SYNC, false)
}

pub fn fd_datasync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    sync(cx, p.u32(0), rights::FD_DATASYNC, true)
}

pub fn fd_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_FILESTAT_GET)?;
    let stat = match e.fd() {
        Some(fd) => filestat::from_stat(&rustix::fs::fstat(fd)?),
        None => crate::abi::Filestat {
            filetype: entry_filetype(e),
            ..Default::default()
        },
    };
    mem.write(p.u32(1), &stat.to_bytes())
}

pub fn fd_filestat_set_size(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let size = p.u64(1);
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_FILESTAT_SET_SIZE)?;
    match &e.kind {
        Kind::File(f) if f.readonly => Err(Errno::NotCapable),
        Kind::File(f) => {
            if size > i64::MAX as u64 {
                return Err(Errno::Inval);
            }
            f.file.set_len(size).map_err(Errno::from)
        }
        Kind::Dir(_) => Err(Errno::IsDir),
        _ => Err(Errno::Inval),
    }
}

pub fn fd_filestat_set_times(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let flags = u16::try_from(p.u32(3)).map_err(|_| Errno::Inval)?;
    let (atim, mtim) = filestat::time_specs(p.u64(1), p.u64(2), flags)?;
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_FILESTAT_SET_TIMES)?;
    let readonly = match &e.kind {
        Kind::File(f) => f.readonly,
        Kind::Dir(d) => d.readonly,
        _ => false,
    };
    if readonly {
        return Err(Errno::NotCapable);
    }
    let times = rustix::fs::Timestamps {
        last_access: filestat::to_timespec(atim),
        last_modification: filestat::to_timespec(mtim),
    };
    match e.fd() {
        Some(fd) => rustix::fs::futimens(fd, &times).map_err(Errno::from),
        None => Ok(()),
    }
}
