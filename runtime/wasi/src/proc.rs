//! `proc_raise`, `sched_yield` and `random_get` (and the flush `proc_exit` does before the
//! guest exits; `proc_exit` itself is wired in `linker.rs` because it does not return).
//!
//! Signals are not supported: `proc_raise` reports `ENOSYS`. This module must not terminate
//! the host process: an exit is reported to the embedder as an error value.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::Kind;
use crate::linker::Params;
use crate::memory::GuestMemory;

pub fn proc_raise(
    _cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    _p: &Params<'_>,
) -> WasiResult<()> {
    Err(Errno::NoSys)
}

pub fn sched_yield(
    _cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    _p: &Params<'_>,
) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}

pub fn random_get(_cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let mut buf = mem.slice_mut(p.u32(0), p.u32(1))?;
    while !buf.is_empty() {
        match rustix::rand::getrandom(&mut *buf, rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => buf = &mut buf[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Flushes embedder-supplied output streams (before `proc_exit`).
pub fn flush_all(cx: &mut WasiCtx) {
    for fd in 0..3 {
        if let Ok(e) = cx.fds.get_mut(fd)
            && let Kind::Stream(s) = &mut e.kind
        {
            let _ = s.flush();
        }
    }
}
