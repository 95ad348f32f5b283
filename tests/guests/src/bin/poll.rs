//! Exercises `poll_oneoff`: several clocks at once (the earliest fires alone), an absolute
//! deadline, stdin readable (the test pipes data in), stdout writable, and a bad descriptor
//! reported as an event error.
use wasi_guests::{clock_sub, fd_sub, poll};

const REALTIME: u32 = 0;
const MONOTONIC: u32 = 1;
const MS: u64 = 1_000_000;

fn main() {
    // Two clocks: only the 10 ms one fires.
    let ev = poll(&[
        clock_sub(1, MONOTONIC, 400 * MS, false),
        clock_sub(2, MONOTONIC, 10 * MS, false),
    ])
    .unwrap();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!((ev[0].0, ev[0].1, ev[0].2), (2, 0, 0));
    println!("earliest clock fired");

    // An absolute realtime deadline 20 ms from now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let deadline = now.as_nanos() as u64 + 20 * MS;
    let start = std::time::Instant::now();
    let ev = poll(&[clock_sub(3, REALTIME, deadline, true)]).unwrap();
    assert_eq!(ev[0].0, 3);
    assert!(start.elapsed() >= std::time::Duration::from_millis(15));
    println!("absolute deadline fired");

    // stdin has data (piped by the test) and stdout is writable: both reported, the clock not.
    let ev = poll(&[
        fd_sub(10, 0, false),
        fd_sub(11, 1, true),
        clock_sub(12, MONOTONIC, 5_000 * MS, false),
    ])
    .unwrap();
    let mut ids: Vec<u64> = ev.iter().map(|e| e.0).collect();
    ids.sort();
    assert_eq!(ids, [10, 11], "{ev:?}");
    let stdin = ev.iter().find(|e| e.0 == 10).unwrap();
    assert_eq!(stdin.1, 0);
    assert_eq!(stdin.2, 1);
    assert!(stdin.3 > 0, "stdin should report readable bytes: {stdin:?}");
    println!("stdin readable, stdout writable");

    // A bad descriptor is an event with EBADF (8), not a failed call.
    let ev = poll(&[
        fd_sub(20, 999, false),
        clock_sub(21, MONOTONIC, 5_000 * MS, false),
    ])
    .unwrap();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!((ev[0].0, ev[0].1), (20, 8));
    println!("bad fd reported as EBADF");

    // No subscriptions at all is EINVAL (28).
    assert_eq!(poll(&[]), Err(28));
    println!("poll ok");
}
