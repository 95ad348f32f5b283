//! Atomicity across processes: 8 `wasmedge` processes each `increment` one key 1,000 times and
//! the result must be exactly 8,000; then 8 processes each add 1 to another key 100 times with
//! compare-and-swap (retrying on `cas-failed`) and the result must be exactly 800. On redb (one
//! database file shared by all processes) and on Redis. And on redb: a writer SIGKILLed while
//! four other processes increment must not block them or lose their updates.

mod cli_support;
mod keyvalue_support;
mod plugin_support;

use keyvalue_support::{argv, backends, keyvalue_plugin_dir, spawn};
use plugin_support::Env;
use std::time::{Duration, Instant};

const PROCESSES: usize = 8;

/// Runs `PROCESSES` copies of `kv-cli <args>` at once; all must succeed within 10 minutes.
fn run_all(env: &Env, argv: &[std::ffi::OsString]) -> Duration {
    let start = Instant::now();
    let children: Vec<_> = (0..PROCESSES).map(|_| spawn(env, argv)).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let took = start.elapsed();
    assert!(took < Duration::from_secs(600), "took {took:?}");
    took
}

#[test]
fn eight_processes_increment_and_cas_without_lost_updates() {
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    for backend in backends() {
        let incr = argv(
            &plugins,
            &backend,
            &[],
            "kv-cli",
            &["incr-loop", "c", "hits", "1000"],
        );
        let took = run_all(&env, &incr);
        let o = env.run(argv(
            &plugins,
            &backend,
            &[],
            "kv-cli",
            &["get", "c", "hits"],
        ));
        assert_eq!(o.stdout, "8000\n", "{}: {}", backend.name(), o.stderr);
        println!(
            "{}: 8 x 1000 increments = 8000 in {:.1}s ({:.0} increments/s)",
            backend.name(),
            took.as_secs_f64(),
            8000.0 / took.as_secs_f64()
        );

        let cas = argv(
            &plugins,
            &backend,
            &[],
            "kv-cli",
            &["cas-loop", "c", "swaps", "100"],
        );
        let took = run_all(&env, &cas);
        let o = env.run(argv(
            &plugins,
            &backend,
            &[],
            "kv-cli",
            &["get", "c", "swaps"],
        ));
        assert_eq!(o.stdout, "800\n", "{}: {}", backend.name(), o.stderr);
        println!(
            "{}: 8 x 100 compare-and-swap additions = 800 in {:.1}s",
            backend.name(),
            took.as_secs_f64()
        );
    }
}

#[test]
fn a_writer_killed_mid_transaction_does_not_block_the_others() {
    use std::io::{BufRead, BufReader};
    let plugins = keyvalue_plugin_dir();
    let env = Env::clean();
    let backend = keyvalue_support::Backend::redb();
    let incr = argv(
        &plugins,
        &backend,
        &[],
        "kv-cli",
        &["incr-loop", "c", "n", "300"],
    );
    let fill = argv(&plugins, &backend, &[], "kv-cli", &["fill", "victim"]);
    for round in 0..3 {
        let mut victim = spawn(&env, &fill);
        let mut first = String::new();
        BufReader::new(victim.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert_eq!(first, "0\n", "the writer did not start");
        let others: Vec<_> = (0..4).map(|_| spawn(&env, &incr)).collect();
        std::thread::sleep(Duration::from_millis(150 + 100 * round));
        victim.kill().expect("SIGKILL");
        victim.wait().unwrap();
        for child in others {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let o = env.run(argv(&plugins, &backend, &[], "kv-cli", &["get", "c", "n"]));
        assert_eq!(
            o.stdout,
            format!("{}\n", 1200 * (round + 1)),
            "{}",
            o.stderr
        );
    }
}
