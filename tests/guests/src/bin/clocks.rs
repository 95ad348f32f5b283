//! Checks the clocks: realtime is after 2020, monotonic never goes back, a 50 ms sleep (a
//! `poll_oneoff` clock subscription) takes at least 50 ms.
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    assert!(
        now.as_secs() > 1_577_836_800,
        "realtime clock is before 2020"
    );
    let mut last = Instant::now();
    for _ in 0..1000 {
        let t = Instant::now();
        assert!(t >= last, "monotonic clock went backwards");
        last = t;
    }
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(50));
    let slept = start.elapsed();
    assert!(slept >= Duration::from_millis(50), "slept only {slept:?}");
    assert!(slept < Duration::from_secs(5), "slept {slept:?}");
    println!("clocks ok");
}
