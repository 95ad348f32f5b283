//! `clock_res_get` and `clock_time_get`: the realtime, monotonic, process and thread CPU-time
//! clocks, in nanoseconds; also the clock reading `poll_oneoff` uses for its timeouts.
//!
//! This module must only read clocks, never sleep.

use crate::abi::clockid;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::linker::Params;
use crate::memory::GuestMemory;
use rustix::time::ClockId;

/// The host clock behind a WASI clock id (`EINVAL` for unknown ids).
pub fn host_clock(id: u32) -> WasiResult<ClockId> {
    Ok(match id {
        clockid::REALTIME => ClockId::Realtime,
        clockid::MONOTONIC => ClockId::Monotonic,
        clockid::PROCESS_CPUTIME_ID => ClockId::ProcessCPUTime,
        clockid::THREAD_CPUTIME_ID => ClockId::ThreadCPUTime,
        _ => return Err(Errno::Inval),
    })
}

fn to_nanos(t: rustix::time::Timespec) -> u64 {
    (t.tv_sec as i128 * 1_000_000_000 + t.tv_nsec as i128).clamp(0, u64::MAX as i128) as u64
}

/// The current time of clock `id` in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    Ok(to_nanos(rustix::time::clock_gettime(host_clock(id)?)))
}

pub fn clock_res_get(
    _cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    let res = to_nanos(rustix::time::clock_getres(host_clock(p.u32(0))?)).max(1);
    mem.write_u64(p.u32(1), res)
}

pub fn clock_time_get(
    _cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    p: &Params<'_>,
) -> WasiResult<()> {
    // The precision argument (p.u64(1)) is a hint; the host clock is always read exactly.
    let t = now(p.u32(0))?;
    mem.write_u64(p.u32(2), t)
}
