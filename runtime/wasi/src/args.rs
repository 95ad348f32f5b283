//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`: the guest's command-line
//! arguments and environment, exactly as the embedder configured them.
//!
//! Both lists use the same layout (an array of pointers plus a buffer of NUL-terminated
//! strings). This module must not consult the host's own arguments or environment.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::linker::Params;
use crate::memory::GuestMemory;

/// Writes `list` as `ptrs[i] -> buf` NUL-terminated strings.
fn write_list(mem: &mut GuestMemory<'_>, list: &[Vec<u8>], ptrs: u32, buf: u32) -> WasiResult<()> {
    let count = u32::try_from(list.len()).map_err(|_| Errno::Overflow)?;
    mem.check(ptrs, count.checked_mul(4).ok_or(Errno::Fault)?)?;
    let mut at = buf;
    for (i, item) in list.iter().enumerate() {
        mem.write_u32(ptrs + 4 * i as u32, at)?;
        mem.write(at, item)?;
        let end = at.checked_add(item.len() as u32).ok_or(Errno::Fault)?;
        mem.write_u8(end, 0)?;
        at = end + 1;
    }
    Ok(())
}

/// Writes the count and the total buffer size (with NULs) of `list`.
fn write_sizes(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> WasiResult<()> {
    let size: usize = list.iter().map(|a| a.len() + 1).sum();
    let count = u32::try_from(list.len()).map_err(|_| Errno::Overflow)?;
    let size = u32::try_from(size).map_err(|_| Errno::Overflow)?;
    mem.write_u32(count_ptr, count)?;
    mem.write_u32(size_ptr, size)
}

pub fn args_get(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    write_list(mem, &cx.args, p.u32(0), p.u32(1))
}

pub fn args_sizes_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    write_sizes(mem, &cx.args, p.u32(0), p.u32(1))
}

pub fn environ_get(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    write_list(mem, &cx.env, p.u32(0), p.u32(1))
}

pub fn environ_sizes_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    write_sizes(mem, &cx.env, p.u32(0), p.u32(1))
}
