//! The wait queue behind `memory.atomic.wait32/64` and `memory.atomic.notify`: threads park on
//! an address of a shared memory and are woken in FIFO order.
//!
//! Process-wide and keyed by native address, so waiters in different stores that share a
//! memory meet here. The value check and the enqueue happen under one lock, so a notify between
//! them cannot be lost. Must not touch wasm memory except through the caller's check closure.

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

/// Waits on `addr` while `still_expected()` holds at the time of queueing; `timeout_ns < 0`
/// waits forever. Returns 0 when woken, 1 when the value differed, 2 on timeout.
pub fn wait(addr: usize, still_expected: impl FnOnce() -> bool, timeout_ns: i64) -> u32 {
    let waiter = Arc::new(Waiter {
        woken: Mutex::new(false),
        cond: Condvar::new(),
    });
    {
        let mut q = queues().lock().unwrap_or_else(|p| p.into_inner());
        if !still_expected() {
            return 1;
        }
        q.entry(addr).or_default().push_back(waiter.clone());
    }
    let deadline =
        (timeout_ns >= 0).then(|| Instant::now() + Duration::from_nanos(timeout_ns as u64));
    let mut woken = waiter.woken.lock().unwrap_or_else(|p| p.into_inner());
    while !*woken {
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
        return 0;
    }
    drop(woken);
    // Timed out: leave the queue, unless a notify took us out meanwhile (then count as woken).
    let mut q = queues().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(list) = q.get_mut(&addr)
        && let Some(pos) = list.iter().position(|w| Arc::ptr_eq(w, &waiter))
    {
        list.remove(pos);
        if list.is_empty() {
            q.remove(&addr);
        }
        return 2;
    }
    0
}

/// Wakes up to `count` waiters on `addr`; returns how many were woken.
pub fn notify(addr: usize, count: u32) -> u32 {
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
        assert_eq!(wait(8, || false, -1), 1);
        assert_eq!(wait(16, || true, 1_000_000), 2);
        assert_eq!(notify(16, 1), 0);
    }

    #[test]
    fn notify_wakes_a_waiter() {
        let t = std::thread::spawn(|| wait(24, || true, -1));
        while notify(24, 1) == 0 {
            std::thread::yield_now();
        }
        assert_eq!(t.join().unwrap(), 0);
    }
}
