//! `fd_readdir`: directory listings with cookies.
//!
//! A listing is `.`, `..` and then the directory's entries; an entry's cookie (`d_next`) is the
//! index of the entry after it, so reading from any returned cookie continues exactly there.
//! The listing is taken when a sequence starts (cookie 0) and reused while the guest pages
//! through it. Entries are cut off when the buffer is full, as preview1 specifies. This module
//! must not resolve paths other than the directory's own `..`.

use crate::abi::{DIRENT_SIZE, filetype, rights};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{DirDesc, DirEnt};
use crate::filestat;
use crate::linker::Params;
use crate::memory::GuestMemory;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::DirEntryExt;

fn listing(d: &DirDesc) -> WasiResult<Vec<DirEnt>> {
    let own = rustix::fs::fstat(&d.dir)?.st_ino;
    // `..` of a preopen lies outside the sandbox: report the directory's own inode then.
    let parent = d
        .dir
        .symlink_metadata("..")
        .map(|m| cap_fs_ext::MetadataExt::ino(&m))
        .unwrap_or(own);
    let mut out = vec![
        DirEnt {
            name: b".".to_vec(),
            ino: own,
            filetype: filetype::DIRECTORY,
        },
        DirEnt {
            name: b"..".to_vec(),
            ino: parent,
            filetype: filetype::DIRECTORY,
        },
    ];
    for entry in d.dir.entries()? {
        let entry = entry?;
        let ft = entry
            .file_type()
            .map(filestat::filetype_of)
            .unwrap_or(filetype::UNKNOWN);
        out.push(DirEnt {
            ino: entry.ino(),
            name: entry.file_name().into_vec(),
            filetype: ft,
        });
    }
    Ok(out)
}

fn dirent_bytes(next: u64, e: &DirEnt) -> Vec<u8> {
    let mut b = vec![0u8; DIRENT_SIZE];
    b[0..8].copy_from_slice(&next.to_le_bytes());
    b[8..16].copy_from_slice(&e.ino.to_le_bytes());
    b[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
    b[20] = e.filetype;
    b.extend_from_slice(&e.name);
    b
}

pub fn fd_readdir(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (buf, buf_len, cookie, used_ptr) = (p.u32(1), p.u32(2), p.u64(3), p.u32(4));
    mem.check(buf, buf_len)?;
    mem.check(used_ptr, 4)?;
    let d = cx.fds.dir_mut(p.u32(0), rights::FD_READDIR)?;
    if cookie == 0 || d.listing.is_none() {
        d.listing = Some(listing(d)?);
    }
    let entries = d.listing.as_deref().unwrap_or_default();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    let mut used: u32 = 0;
    for (i, e) in entries.iter().enumerate().skip(start) {
        if used == buf_len {
            break;
        }
        let bytes = dirent_bytes(i as u64 + 1, e);
        let n = (bytes.len() as u32).min(buf_len - used);
        mem.write(buf + used, &bytes[..n as usize])?;
        used += n;
    }
    mem.write_u32(used_ptr, used).map_err(|_| Errno::Fault)
}
