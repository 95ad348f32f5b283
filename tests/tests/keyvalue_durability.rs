//! Durability of acknowledged writes: the `kv-cli fill` guest sets `n<i> = value-<i>` in a loop
//! and prints `i` after each acknowledged `set`; the runtime is killed with SIGKILL at a random
//! moment after its first acknowledgement; after a restart every acknowledged key must be
//! present with its value. 20 rounds on redb (each acknowledged commit is fsynced) and 20 on
//! Redis (the runtime dies, the server keeps what it acknowledged).

mod cli_support;
mod keyvalue_support;
mod plugin_support;

use keyvalue_support::{Backend, argv, backends, keyvalue_plugin_dir, spawn};
use plugin_support::Env;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ROUNDS: usize = 20;

/// A small deterministic generator (xorshift), seeded from the clock; the seed is printed so a
/// failing round can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn round(
    env: &Env,
    plugins: &cli_support::TempDir,
    backend: &Backend,
    bucket: &str,
    delay: Duration,
) -> (u64, usize) {
    let mut child = spawn(
        env,
        &argv(plugins, backend, &[], "kv-cli", &["fill", bucket]),
    );
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut acked = Vec::new();
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        // Only complete lines count: a number cut off by the kill was never acknowledged.
        while r.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
            let n: u64 = line.trim().parse().expect("fill prints numbers");
            if acked.is_empty() {
                let _ = tx.send(());
            }
            acked.push(n);
            line.clear();
        }
        acked
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        panic!(
            "fill acknowledged nothing: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let acked = reader.join().unwrap();
    for (i, n) in acked.iter().enumerate() {
        assert_eq!(*n, i as u64, "acknowledgements out of order");
    }
    let last = *acked.last().unwrap();

    // Restart and read everything back.
    let o = env.run(argv(plugins, backend, &[], "kv-cli", &["dump", bucket]));
    assert_eq!(o.code, 0, "dump after the kill failed: {}", o.stderr);
    let stored: HashMap<&str, &str> = o
        .stdout
        .lines()
        .map(|l| l.split_once('=').expect("key=value"))
        .collect();
    for i in 0..=last {
        let want = format!("value-{i}");
        assert_eq!(
            stored.get(format!("n{i}").as_str()),
            Some(&want.as_str()),
            "{}: acknowledged key n{i} lost (last acknowledged {last})",
            backend.name()
        );
    }
    // At most the one write in flight when the kill came may be there unacknowledged.
    assert!(
        stored.len() as u64 <= last + 2,
        "{} keys stored but {} acknowledged",
        stored.len(),
        last + 1
    );
    (last + 1, stored.len())
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut rng = Rng(seed);
    for backend in backends() {
        let start = Instant::now();
        let mut total = 0;
        for r in 0..ROUNDS {
            let delay = Duration::from_millis(rng.next() % 400);
            let (acked, stored) = round(&env, &plugins, &backend, &format!("round{r}"), delay);
            total += acked;
            println!(
                "{} round {r}: killed after {delay:?}, {acked} acknowledged, {stored} stored",
                backend.name()
            );
        }
        println!(
            "{}: {ROUNDS} rounds, {total} acknowledged writes all present, {:.1}s",
            backend.name(),
            start.elapsed().as_secs_f64()
        );
    }
}
