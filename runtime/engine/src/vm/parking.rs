//! The wait queue behind `memory.atomic.wait32/64` and `memory.atomic.notify`: threads park on
//! an address of a shared memory and are woken in FIFO order.
//!
//! Process-wide and keyed by native address, so waiters in different stores that share a
//! memory meet here. The value check and the enqueue happen under one lock, so a notify between
//! them cannot be lost. A waiter also leaves when its store is interrupted (time limit,
//! `Engine::increment_epoch`): [`interrupt_all`] wakes every waiter to look. Must not touch wasm
//! memory except through the caller's check closure.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Waiter {
    woken: Mutex<bool>,
    cond: Condvar,
}

fn queues() -> &'static Mutex<HashMap<usize, VecDeque<Arc<Waiter>>>> {
    static QUEUES: OnceLock<Mutex<HashMap<usize, VecDeque<Arc<Waiter>>>>> = OnceLock::new();
    QUEUES.get_or_init(Default::default)
}

use wasmedge_environ::vmabi::wait::{INTERRUPTED, NOT_EQUAL, TIMED_OUT, WOKEN};

/// Waits on `addr` while `still_expected()` holds at the time of queueing; `timeout_ns < 0`
/// waits forever, unless `interrupted()` becomes true (checked on entry and whenever
/// [`interrupt_all`] runs). Returns [`WOKEN`], [`NOT_EQUAL`], [`TIMED_OUT`] or [`INTERRUPTED`].
pub(crate) fn wait(
    addr: usize,
    still_expected: impl FnOnce() -> bool,
    timeout_ns: i64,
    interrupted: impl Fn() -> bool,
) -> u32 {
    if interrupted() {
        return INTERRUPTED;
    }
    let waiter = Arc::new(Waiter {
        woken: Mutex::new(false),
        cond: Condvar::new(),
    });
    {
        let mut q = queues().lock().unwrap_or_else(|p| p.into_inner());
        if !still_expected() {
            return NOT_EQUAL;
        }
        q.entry(addr).or_default().push_back(waiter.clone());
    }
    let deadline =
        (timeout_ns >= 0).then(|| Instant::now() + Duration::from_nanos(timeout_ns as u64));
    let mut woken = waiter.woken.lock().unwrap_or_else(|p| p.into_inner());
    let mut stopped_by_interrupt = false;
    while !*woken {
        // Checked under `woken`, which `interrupt_all` takes before notifying: an interrupt
        // after this check finds us waiting on the condition variable.
        if interrupted() {
            stopped_by_interrupt = true;
            break;
        }
        match deadline {
            None => woken = waiter.cond.wait(woken).unwrap_or_else(|p| p.into_inner()),
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    break;
                }
                woken = waiter
                    .cond
                    .wait_timeout(woken, d - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
    }
    if *woken {
        return WOKEN;
    }
    drop(woken);
    let gone = if stopped_by_interrupt {
        INTERRUPTED
    } else {
        TIMED_OUT
    };
    // Timed out or interrupted: leave the queue, unless a notify took us out meanwhile (then
    // count as woken; an interrupted store still traps at its next check).
    let mut q = queues().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(list) = q.get_mut(&addr)
        && let Some(pos) = list.iter().position(|w| Arc::ptr_eq(w, &waiter))
    {
        list.remove(pos);
        if list.is_empty() {
            q.remove(&addr);
        }
        return gone;
    }
    WOKEN
}

/// Wakes every waiter to check whether its store was interrupted (those not interrupted go
/// back to waiting). Called after an engine's epoch advances.
pub(crate) fn interrupt_all() {
    let q = queues().lock().unwrap_or_else(|p| p.into_inner());
    for w in q.values().flatten() {
        let _guard = w.woken.lock().unwrap_or_else(|p| p.into_inner());
        w.cond.notify_all();
    }
}

/// Wakes up to `count` waiters on `addr`; returns how many were woken.
pub(crate) fn notify(addr: usize, count: u32) -> u32 {
    let mut q = queues().lock().unwrap_or_else(|p| p.into_inner());
    let Some(list) = q.get_mut(&addr) else {
        return 0;
    };
    let mut n = 0;
    while n < count {
        let Some(w) = list.pop_front() else { break };
        *w.woken.lock().unwrap_or_else(|p| p.into_inner()) = true;
        w.cond.notify_one();
        n += 1;
    }
    if list.is_empty() {
        q.remove(&addr);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_not_equal_and_timeout() {
        assert_eq!(wait(8, || false, -1, || false), NOT_EQUAL);
        assert_eq!(wait(16, || true, 1_000_000, || false), TIMED_OUT);
        assert_eq!(notify(16, 1), 0);
    }

    #[test]
    fn notify_wakes_a_waiter() {
        let t = std::thread::spawn(|| wait(24, || true, -1, || false));
        while notify(24, 1) == 0 {
            std::thread::yield_now();
        }
        assert_eq!(t.join().unwrap(), WOKEN);
    }

    #[test]
    fn an_interrupt_ends_an_endless_wait_and_leaves_the_queue() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let t = std::thread::spawn(move || wait(32, || true, -1, || flag.load(Ordering::SeqCst)));
        // Not interrupted yet: the waiter goes back to sleep.
        std::thread::sleep(std::time::Duration::from_millis(50));
        interrupt_all();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!t.is_finished());
        stop.store(true, Ordering::SeqCst);
        interrupt_all();
        assert_eq!(t.join().unwrap(), INTERRUPTED);
        assert_eq!(notify(32, 1), 0, "the interrupted waiter left the queue");
        assert_eq!(wait(40, || true, -1, || true), INTERRUPTED);
    }
}
