//! Moving data: `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`, `fd_seek` and `fd_tell`.
//!
//! Each call is a single host read or write (short counts are passed to the guest, as POSIX
//! does), so a read never blocks for more data after some arrived. One guest buffer is read or
//! written in place; several are gathered/scattered through one host buffer. This module must
//! not open or resolve anything.

use crate::abi::{rights, whence};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Kind;
use crate::linker::Params;
use crate::memory::{GuestMemory, IoVec, total_len};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

/// The most bytes one call moves when several buffers are gathered or scattered.
const MAX_GATHER: usize = 16 << 20;

/// Retries `f` while it reports `EINTR`.
fn retry<R>(mut f: impl FnMut() -> WasiResult<R>) -> WasiResult<R> {
    loop {
        match f() {
            Err(Errno::Intr) => continue,
            r => return r,
        }
    }
}

fn read_kind(kind: &mut Kind, buf: &mut [u8]) -> WasiResult<usize> {
    retry(|| match kind {
        Kind::File(f) => (&f.file).read(buf).map_err(Errno::from),
        Kind::Stream(s) => s.read(buf),
        Kind::Socket(s) => rustix::io::read(s.fd(), &mut *buf).map_err(Errno::from),
        Kind::Dir(_) => Err(Errno::IsDir),
    })
}

fn write_kind(kind: &mut Kind, buf: &[u8]) -> WasiResult<usize> {
    retry(|| match kind {
        Kind::File(f) if f.readonly => Err(Errno::NotCapable),
        Kind::File(f) => (&f.file).write(buf).map_err(Errno::from),
        Kind::Stream(s) => s.write(buf),
        Kind::Socket(s) => rustix::io::write(s.fd(), buf).map_err(Errno::from),
        Kind::Dir(_) => Err(Errno::IsDir),
    })
}

/// Reads into the guest buffers `iovs` with `read`, which performs one host read.
fn read_iovs(
    mem: &mut GuestMemory<'_>,
    iovs: &[IoVec],
    mut read: impl FnMut(&mut [u8]) -> WasiResult<usize>,
) -> WasiResult<usize> {
    let non_empty: Vec<IoVec> = iovs.iter().copied().filter(|v| v.len > 0).collect();
    match non_empty.as_slice() {
        [] => read(&mut []),
        [one] => read(mem.slice_mut(one.ptr, one.len)?),
        many => {
            let mut tmp = vec![0u8; total_len(many).min(MAX_GATHER)];
            let n = read(&mut tmp)?;
            mem.scatter(many, &tmp[..n])?;
            Ok(n)
        }
    }
}

/// Writes the guest buffers `iovs` with `write`, which performs one host write.
fn write_iovs(
    mem: &GuestMemory<'_>,
    iovs: &[IoVec],
    mut write: impl FnMut(&[u8]) -> WasiResult<usize>,
) -> WasiResult<usize> {
    let non_empty: Vec<IoVec> = iovs.iter().copied().filter(|v| v.len > 0).collect();
    match non_empty.as_slice() {
        [] => write(&[]),
        [one] => write(mem.slice(one.ptr, one.len)?),
        many => write(&mem.gather(many, MAX_GATHER)?),
    }
}

pub fn fd_read(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let e = cx.fds.get_mut(p.u32(0))?;
    e.require(rights::FD_READ)?;
    let iovs = mem.iovecs(p.u32(1), p.u32(2))?;
    mem.check(p.u32(3), 4)?;
    let n = read_iovs(mem, &iovs, |buf| read_kind(&mut e.kind, buf))?;
    mem.write_u32(p.u32(3), n as u32)
}

pub fn fd_write(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let e = cx.fds.get_mut(p.u32(0))?;
    e.require(rights::FD_WRITE)?;
    let iovs = mem.iovecs(p.u32(1), p.u32(2))?;
    mem.check(p.u32(3), 4)?;
    let n = write_iovs(mem, &iovs, |buf| write_kind(&mut e.kind, buf))?;
    mem.write_u32(p.u32(3), n as u32)
}

fn offset(p: &Params<'_>, i: usize) -> WasiResult<u64> {
    let off = p.u64(i);
    if off > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    Ok(off)
}

pub fn fd_pread(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_READ | rights::FD_SEEK)?;
    let iovs = mem.iovecs(p.u32(1), p.u32(2))?;
    let off = offset(p, 3)?;
    mem.check(p.u32(4), 4)?;
    let n = match &e.kind {
        Kind::File(f) => read_iovs(mem, &iovs, |buf| {
            retry(|| f.file.read_at(buf, off).map_err(Errno::from))
        })?,
        Kind::Dir(_) => return Err(Errno::IsDir),
        _ => return Err(Errno::Spipe),
    };
    mem.write_u32(p.u32(4), n as u32)
}

pub fn fd_pwrite(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let e = cx.fds.get(p.u32(0))?;
    e.require(rights::FD_WRITE | rights::FD_SEEK)?;
    let iovs = mem.iovecs(p.u32(1), p.u32(2))?;
    let off = offset(p, 3)?;
    mem.check(p.u32(4), 4)?;
    let n = match &e.kind {
        Kind::File(f) if f.readonly => return Err(Errno::NotCapable),
        Kind::File(f) => write_iovs(mem, &iovs, |buf| {
            retry(|| f.file.write_at(buf, off).map_err(Errno::from))
        })?,
        Kind::Dir(_) => return Err(Errno::IsDir),
        _ => return Err(Errno::Spipe),
    };
    mem.write_u32(p.u32(4), n as u32)
}

/// Seeks descriptor `fd`; returns the new offset.
fn seek(cx: &mut WasiCtx, fd: u32, pos: SeekFrom, needed: u64) -> WasiResult<u64> {
    let e = cx.fds.get(fd)?;
    if e.rights_base & needed == 0 {
        return Err(Errno::NotCapable);
    }
    match &e.kind {
        Kind::File(f) => (&f.file).seek(pos).map_err(Errno::from),
        Kind::Dir(_) => Err(Errno::IsDir),
        Kind::Stream(s) => {
            let pos = match pos {
                SeekFrom::Start(o) => rustix::fs::SeekFrom::Start(o),
                SeekFrom::Current(o) => rustix::fs::SeekFrom::Current(o),
                SeekFrom::End(o) => rustix::fs::SeekFrom::End(o),
            };
            match s.fd() {
                Some(fd) => rustix::fs::seek(fd, pos).map_err(Errno::from),
                None => Err(Errno::Spipe),
            }
        }
        Kind::Socket(_) => Err(Errno::Spipe),
    }
}

pub fn fd_seek(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let off = p.i64(1);
    let pos = match u8::try_from(p.u32(2)).map_err(|_| Errno::Inval)? {
        whence::SET => SeekFrom::Start(u64::try_from(off).map_err(|_| Errno::Inval)?),
        whence::CUR => SeekFrom::Current(off),
        whence::END => SeekFrom::End(off),
        _ => return Err(Errno::Inval),
    };
    // Asking for the current position only needs the `tell` right.
    let needed = if pos == SeekFrom::Current(0) {
        rights::FD_SEEK | rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    mem.check(p.u32(3), 8)?;
    let new = seek(cx, p.u32(0), pos, needed)?;
    mem.write_u64(p.u32(3), new)
}

pub fn fd_tell(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    mem.check(p.u32(1), 8)?;
    let pos = seek(cx, p.u32(0), SeekFrom::Current(0), rights::FD_TELL)?;
    mem.write_u64(p.u32(1), pos)
}
