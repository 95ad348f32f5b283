//! The `path_*` functions: everything that names a file by a path relative to a directory
//! descriptor.
//!
//! All resolution goes through `cap-std`, which resolves a path beneath its directory and
//! refuses to leave it, whatever the path says (`..`, absolute paths, symlinks pointing out,
//! symlink loops) and without check-then-use races. A read-only directory refuses every change
//! (`ENOTCAPABLE`), checked here in addition to the rights. This module must never join host
//! paths or resolve anything with ambient authority.

use crate::abi::{fdflags, lookupflags, oflags, rights};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{DirDesc, Entry, FileDesc, Kind};
use crate::filestat;
use crate::linker::Params;
use crate::memory::GuestMemory;
use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, OpenOptionsSyncExt,
};

/// A guest path argument (`EFAULT`, `EILSEQ`; `EINVAL` for an embedded NUL).
fn guest_path(mem: &GuestMemory<'_>, ptr: u32, len: u32) -> WasiResult<String> {
    let s = mem.string(ptr, len)?;
    if s.contains('\0') {
        return Err(Errno::Inval);
    }
    Ok(s)
}

/// The directory `fd` with `needed` rights, refusing changes below a read-only preopen.
fn dir(cx: &WasiCtx, fd: u32, needed: u64, mutating: bool) -> WasiResult<&DirDesc> {
    let d = cx.fds.dir(fd, needed)?;
    if mutating && d.readonly {
        return Err(Errno::NotCapable);
    }
    Ok(d)
}

fn follow(flags: u32) -> bool {
    flags & lookupflags::SYMLINK_FOLLOW != 0
}

pub fn path_create_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(1), p.u32(2))?;
    let d = dir(cx, p.u32(0), rights::PATH_CREATE_DIRECTORY, true)?;
    d.dir.create_dir(&path).map_err(Errno::from)
}

pub fn path_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(2), p.u32(3))?;
    let d = dir(cx, p.u32(0), rights::PATH_FILESTAT_GET, false)?;
    let meta = if follow(p.u32(1)) {
        d.dir.metadata(&path)
    } else {
        d.dir.symlink_metadata(&path)
    }?;
    mem.write(p.u32(4), &filestat::from_metadata(&meta).to_bytes())
}

pub fn path_filestat_set_times(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(2), p.u32(3))?;
    let flags = u16::try_from(p.u32(6)).map_err(|_| Errno::Inval)?;
    let (atim, mtim) = filestat::time_specs(p.u64(4), p.u64(5), flags)?;
    let d = dir(cx, p.u32(0), rights::PATH_FILESTAT_SET_TIMES, true)?;
    let (a, m) = (
        filestat::to_system_time_spec(atim),
        filestat::to_system_time_spec(mtim),
    );
    if follow(p.u32(1)) {
        d.dir.set_times(&path, a, m)
    } else {
        d.dir.set_symlink_times(&path, a, m)
    }
    .map_err(Errno::from)
}

pub fn path_link(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let old_path = guest_path(mem, p.u32(2), p.u32(3))?;
    let new_path = guest_path(mem, p.u32(5), p.u32(6))?;
    // A link out of a read-only tree would make its file writable elsewhere: both sides count
    // as changes.
    let old = dir(cx, p.u32(0), rights::PATH_LINK_SOURCE, true)?;
    let new = dir(cx, p.u32(4), rights::PATH_LINK_TARGET, true)?;
    let source = if follow(p.u32(1)) {
        // Following: link the file the symlink leads to (resolved inside the sandbox).
        old.dir.canonicalize(&old_path)?
    } else {
        old_path.into()
    };
    old.dir
        .hard_link(&source, &new.dir, &new_path)
        .map_err(Errno::from)
}

/// Host open options and resulting rights for `path_open`.
struct OpenPlan {
    read: bool,
    write: bool,
}

pub fn path_open(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (dirfd, lookup) = (p.u32(0), p.u32(1));
    let path = guest_path(mem, p.u32(2), p.u32(3))?;
    let oflags = u16::try_from(p.u32(4)).map_err(|_| Errno::Inval)?;
    let (base, inheriting) = (p.u64(5), p.u64(6));
    let fdflags = u16::try_from(p.u32(7)).map_err(|_| Errno::Inval)?;
    let out = p.u32(8);
    if oflags & !oflags::ALL != 0 || fdflags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    mem.check(out, 4)?;

    let parent: &Entry = cx.fds.get(dirfd)?;
    let Kind::Dir(d) = &parent.kind else {
        return Err(Errno::NotDir);
    };
    let mut needed = rights::PATH_OPEN;
    if oflags & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if oflags & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    parent.require(needed)?;
    // The access mode must be granted in full; other rights are granted as far as the
    // directory passes them on.
    let mode_rights = base & (rights::FD_READ | rights::FD_WRITE);
    if mode_rights & !parent.rights_inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    let plan = OpenPlan {
        read: base & (rights::FD_READ | rights::FD_READDIR) != 0,
        write: base & rights::FD_WRITE != 0
            || fdflags & fdflags::APPEND != 0
            || oflags & (oflags::TRUNC | oflags::CREAT) != 0,
    };
    if d.readonly && plan.write {
        return Err(Errno::NotCapable);
    }
    let granted_base = base & parent.rights_inheriting;
    let granted_inheriting = inheriting & parent.rights_inheriting;
    let readonly = d.readonly;
    let follow = if follow(lookup) {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    };

    let kind = if oflags & oflags::DIRECTORY != 0 {
        if oflags & (oflags::CREAT | oflags::EXCL | oflags::TRUNC) != 0 {
            return Err(Errno::Inval);
        }
        let opened = match follow {
            FollowSymlinks::Yes => d.dir.open_dir(&path),
            FollowSymlinks::No => d.dir.open_dir_nofollow(&path),
        }?;
        if base & rights::FD_WRITE != 0 || fdflags & fdflags::APPEND != 0 {
            return Err(Errno::IsDir);
        }
        new_dir(opened, readonly)
    } else {
        let append = fdflags & fdflags::APPEND != 0;
        let truncate = oflags & oflags::TRUNC != 0;
        let mut opts = cap_std::fs::OpenOptions::new();
        // `std`'s options refuse append together with truncate; O_APPEND is then set after
        // opening.
        opts.read(plan.read || !plan.write)
            .write(plan.write)
            .append(append && !truncate)
            .create(oflags & oflags::CREAT != 0)
            .create_new(oflags & oflags::CREAT != 0 && oflags & oflags::EXCL != 0)
            .truncate(truncate)
            .follow(follow)
            .maybe_dir(!plan.write)
            .sync(fdflags & fdflags::SYNC != 0)
            .dsync(fdflags & fdflags::DSYNC != 0)
            .rsync(fdflags & fdflags::RSYNC != 0)
            .nonblock(fdflags & fdflags::NONBLOCK != 0);
        let file = d.dir.open_with(&path, &opts)?.into_std();
        if append && truncate {
            let flags = rustix::fs::fcntl_getfl(&file)?;
            rustix::fs::fcntl_setfl(&file, flags | rustix::fs::OFlags::APPEND)?;
        }
        if file.metadata()?.is_dir() {
            new_dir(cap_std::fs::Dir::from_std_file(file), readonly)
        } else {
            Kind::File(FileDesc { file, readonly })
        }
    };
    let kind_rights = match kind {
        Kind::Dir(_) => rights::DIRECTORY,
        _ => rights::REGULAR_FILE,
    };
    let mut rights_base = granted_base & kind_rights;
    let mut rights_inheriting = granted_inheriting;
    if readonly {
        rights_base &= !rights::MUTATING;
        rights_inheriting &= !rights::MUTATING;
    }
    let fd = cx.fds.push(Entry {
        kind,
        rights_base,
        rights_inheriting,
        flags: fdflags,
    })?;
    mem.write_u32(out, fd)
}

fn new_dir(dir: cap_std::fs::Dir, readonly: bool) -> Kind {
    Kind::Dir(DirDesc {
        dir,
        readonly,
        preopen: None,
        listing: None,
    })
}

pub fn path_readlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(1), p.u32(2))?;
    let (buf, buf_len, used_ptr) = (p.u32(3), p.u32(4), p.u32(5));
    mem.check(buf, buf_len)?;
    mem.check(used_ptr, 4)?;
    let d = dir(cx, p.u32(0), rights::PATH_READLINK, false)?;
    let target = d.dir.read_link_contents(&path)?;
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str());
    let n = bytes.len().min(buf_len as usize);
    mem.write(buf, &bytes[..n])?;
    mem.write_u32(used_ptr, n as u32)
}

pub fn path_remove_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(1), p.u32(2))?;
    let d = dir(cx, p.u32(0), rights::PATH_REMOVE_DIRECTORY, true)?;
    d.dir.remove_dir(&path).map_err(Errno::from)
}

pub fn path_rename(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let old_path = guest_path(mem, p.u32(1), p.u32(2))?;
    let new_path = guest_path(mem, p.u32(4), p.u32(5))?;
    let old = dir(cx, p.u32(0), rights::PATH_RENAME_SOURCE, true)?;
    let new = dir(cx, p.u32(3), rights::PATH_RENAME_TARGET, true)?;
    old.dir
        .rename(&old_path, &new.dir, &new_path)
        .map_err(Errno::from)
}

pub fn path_symlink(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let target = guest_path(mem, p.u32(0), p.u32(1))?;
    let link = guest_path(mem, p.u32(3), p.u32(4))?;
    let d = dir(cx, p.u32(2), rights::PATH_SYMLINK, true)?;
    // cap-std refuses absolute targets; relative ones that point outside are harmless because
    // every lookup through the link is resolved inside the sandbox.
    d.dir.symlink(&target, &link).map_err(Errno::from)
}

pub fn path_unlink_file(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let path = guest_path(mem, p.u32(1), p.u32(2))?;
    let d = dir(cx, p.u32(0), rights::PATH_UNLINK_FILE, true)?;
    d.dir.remove_file(&path).map_err(Errno::from)
}
