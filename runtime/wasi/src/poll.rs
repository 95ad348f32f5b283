//! `poll_oneoff`: waits for any of several subscriptions — clock timeouts (relative or
//! absolute, realtime or monotonic) and readiness of descriptors for reading or writing — and
//! reports every one that is ready.
//!
//! Regular files, directories and in-memory streams are always ready; pipes, terminals and
//! sockets are polled with the OS. A subscription on a bad descriptor is reported as an event
//! carrying the error, as preview1 specifies. This module must not read or write any
//! descriptor's data.

use crate::abi::{clockid, event};
use crate::clocks;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::fdtable::{Entry, Kind};
use crate::linker::Params;
use crate::memory::GuestMemory;
use rustix::event::{PollFd, PollFlags};
use std::time::{Duration, Instant};

/// One reported event.
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

enum Sub {
    Clock { userdata: u64, deadline: Instant },
    Fd { userdata: u64, fd: u32, kind: u8 },
}

/// Reads subscription `i`; invalid ones become immediate error events.
fn parse(mem: &GuestMemory<'_>, at: u32, events: &mut Vec<Event>) -> WasiResult<Option<Sub>> {
    let userdata = mem.read_u64(at)?;
    let tag = mem.read_u8(at + 8)?;
    let error = |kind, error| Event {
        userdata,
        error,
        kind,
        nbytes: 0,
        flags: 0,
    };
    match tag {
        event::CLOCK => {
            let id = mem.read_u32(at + 16)?;
            let timeout = mem.read_u64(at + 24)?;
            let flags = mem.read_u16(at + 40)?;
            if id != clockid::REALTIME && id != clockid::MONOTONIC {
                events.push(error(event::CLOCK, Errno::Inval));
                return Ok(None);
            }
            let remaining = if flags & event::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                timeout.saturating_sub(clocks::now(id)?)
            } else {
                timeout
            };
            let now = Instant::now();
            let deadline = now
                .checked_add(Duration::from_nanos(remaining))
                .unwrap_or(now + Duration::from_secs(u32::MAX as u64));
            Ok(Some(Sub::Clock { userdata, deadline }))
        }
        event::FD_READ | event::FD_WRITE => Ok(Some(Sub::Fd {
            userdata,
            fd: mem.read_u32(at + 16)?,
            kind: tag,
        })),
        _ => Err(Errno::Inval),
    }
}

/// Bytes readable without blocking, when the OS can tell.
fn readable_bytes(e: &Entry) -> u64 {
    match &e.kind {
        Kind::File(f) => {
            let size = f.file.metadata().map(|m| m.len()).unwrap_or(0);
            let pos = rustix::fs::seek(&f.file, rustix::fs::SeekFrom::Current(0)).unwrap_or(0);
            size.saturating_sub(pos)
        }
        Kind::Stream(s) => s
            .ready_bytes()
            .or_else(|| s.fd().and_then(|fd| rustix::io::ioctl_fionread(fd).ok()))
            .unwrap_or(0),
        _ => e
            .fd()
            .and_then(|fd| rustix::io::ioctl_fionread(fd).ok())
            .unwrap_or(0),
    }
}

/// True if the entry needs an OS poll (otherwise it is always ready).
fn needs_poll(e: &Entry) -> bool {
    match &e.kind {
        Kind::File(_) | Kind::Dir(_) => false,
        Kind::Stream(s) => s.ready_bytes().is_none() && s.fd().is_some(),
        Kind::Socket(_) => true,
    }
}

pub fn poll_oneoff(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, p: &Params<'_>) -> WasiResult<()> {
    let (in_ptr, out_ptr, nsubs, nevents_ptr) = (p.u32(0), p.u32(1), p.u32(2), p.u32(3));
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    mem.check(
        in_ptr,
        nsubs
            .checked_mul(event::SUBSCRIPTION_SIZE)
            .ok_or(Errno::Fault)?,
    )?;
    mem.check(
        out_ptr,
        nsubs.checked_mul(event::EVENT_SIZE).ok_or(Errno::Fault)?,
    )?;
    mem.check(nevents_ptr, 4)?;

    let mut events = Vec::new();
    let mut clocks = Vec::new();
    let mut waits = Vec::new();
    for i in 0..nsubs {
        match parse(mem, in_ptr + i * event::SUBSCRIPTION_SIZE, &mut events)? {
            Some(Sub::Clock { userdata, deadline }) => clocks.push((userdata, deadline)),
            Some(Sub::Fd { userdata, fd, kind }) => match cx.fds.get(fd) {
                Err(e) => events.push(Event {
                    userdata,
                    error: e,
                    kind,
                    nbytes: 0,
                    flags: 0,
                }),
                Ok(entry) if needs_poll(entry) => waits.push((userdata, fd, kind)),
                Ok(entry) => events.push(Event {
                    userdata,
                    error: Errno::Success,
                    kind,
                    nbytes: if kind == event::FD_READ {
                        readable_bytes(entry)
                    } else {
                        0
                    },
                    flags: 0,
                }),
            },
            None => {}
        }
    }

    loop {
        let now = Instant::now();
        let timeout = if !events.is_empty() {
            Some(Duration::ZERO)
        } else {
            clocks
                .iter()
                .map(|(_, d)| d.saturating_duration_since(now))
                .min()
        };
        if !waits.is_empty() || timeout.is_some_and(|t| !t.is_zero()) {
            poll_fds(cx, &waits, timeout, &mut events)?;
        }
        let now = Instant::now();
        for (userdata, deadline) in &clocks {
            if *deadline <= now {
                events.push(Event {
                    userdata: *userdata,
                    error: Errno::Success,
                    kind: event::CLOCK,
                    nbytes: 0,
                    flags: 0,
                });
            }
        }
        if !events.is_empty() {
            break;
        }
    }

    for (i, ev) in events.iter().take(nsubs as usize).enumerate() {
        let at = out_ptr + i as u32 * event::EVENT_SIZE;
        let mut b = [0u8; event::EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&ev.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&ev.error.raw().to_le_bytes());
        b[10] = ev.kind;
        b[16..24].copy_from_slice(&ev.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&ev.flags.to_le_bytes());
        mem.write(at, &b)?;
    }
    mem.write_u32(nevents_ptr, events.len().min(nsubs as usize) as u32)
}

/// Polls the OS descriptors of `waits` for at most `timeout` (`None`: forever), adding an
/// event for every ready one.
fn poll_fds(
    cx: &WasiCtx,
    waits: &[(u64, u32, u8)],
    timeout: Option<Duration>,
    events: &mut Vec<Event>,
) -> WasiResult<()> {
    let entries: Vec<&Entry> = waits
        .iter()
        .map(|(_, fd, _)| cx.fds.get(*fd))
        .collect::<WasiResult<_>>()?;
    let mut pollfds: Vec<PollFd<'_>> = Vec::with_capacity(waits.len());
    for ((_, _, kind), e) in waits.iter().zip(&entries) {
        let flags = if *kind == event::FD_READ {
            PollFlags::IN
        } else {
            PollFlags::OUT
        };
        // `needs_poll` only admitted entries with an OS descriptor.
        let fd = e.fd().ok_or(Errno::Badf)?;
        pollfds.push(PollFd::from_borrowed_fd(fd, flags));
    }
    let ts = timeout.map(|t| rustix::event::Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: t.subsec_nanos() as _,
    });
    match rustix::event::poll(&mut pollfds, ts.as_ref()) {
        Ok(_) => {}
        Err(rustix::io::Errno::INTR) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    for (i, pfd) in pollfds.iter().enumerate() {
        let revents = pfd.revents();
        if revents.is_empty() {
            continue;
        }
        let (userdata, _, kind) = waits[i];
        let hangup = revents.contains(PollFlags::HUP);
        let error = if revents.contains(PollFlags::NVAL) {
            Errno::Badf
        } else {
            Errno::Success
        };
        events.push(Event {
            userdata,
            error,
            kind,
            nbytes: if kind == event::FD_READ {
                readable_bytes(entries[i])
            } else {
                0
            },
            flags: if hangup {
                event::FD_READWRITE_HANGUP
            } else {
                0
            },
        });
    }
    Ok(())
}
