//! Resource limits and statistics of `wasmedge run`: `--gas-limit`, `--time-limit`,
//! `--enable-instruction-count`, `--enable-gas-measuring`, `--enable-time-measuring`,
//! `--enable-all-statistics`, and WasmEdge's statistics block.
//!
//! Gas is fuel metering (every instruction costs 1, WasmEdge's default cost table); the time
//! limit is an epoch deadline advanced by a timer thread, so even a loop without calls stops.
//! A guest blocked in a host call (a long `poll_oneoff` sleep, a read that never completes)
//! cannot reach an epoch check: if the call has not returned [`HOST_CALL_GRACE`] after the
//! deadline, the timer thread reports the interruption and ends the process with the trap exit
//! code itself. Must not decide other exit codes (that is `run.rs`).

use crate::cli::args::RunArgs;
use crate::cli::{EXIT_TRAP, Log};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmedge_runtime::{Config, Engine, Store};

/// How long after the time limit a guest stuck in a host call gets before the process ends
/// without it (a guest in wasm code traps at once; this only matters for blocking host calls).
pub const HOST_CALL_GRACE: Duration = Duration::from_millis(100);

/// An armed `--time-limit`: [`TimeLimit::disarm`] it as soon as the guest's call returns, so the
/// timer cannot end a run that already finished.
#[derive(Default)]
pub struct TimeLimit {
    finished: Option<Arc<Mutex<bool>>>,
}

impl TimeLimit {
    /// The guest's calls are over: the timer no longer ends the process.
    pub fn disarm(&self) {
        if let Some(f) = &self.finished {
            *f.lock().unwrap_or_else(|p| p.into_inner()) = true;
        }
    }
}

/// Fuel given when instructions are only counted, not limited.
const UNLIMITED_FUEL: u64 = i64::MAX as u64;

/// What `run` measures and limits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    pub gas_limit: Option<u64>,
    pub count_instructions: bool,
    pub measure_gas: bool,
    pub measure_time: bool,
    pub time_limit_ms: Option<u64>,
}

impl Limits {
    /// The limits the options ask for (the last `--gas-limit` wins; 0 means none, as WasmEdge).
    pub fn from_args(args: &RunArgs) -> Limits {
        let all = args.enable_all_statistics;
        Limits {
            gas_limit: args.gas_limit.last().copied().filter(|g| *g > 0),
            count_instructions: all || args.enable_instruction_count,
            measure_gas: all || args.enable_gas_measuring,
            measure_time: all || args.enable_time_measuring,
            time_limit_ms: args.time_limit.filter(|t| *t > 0),
        }
    }

    fn metering(&self) -> bool {
        self.gas_limit.is_some() || self.count_instructions || self.measure_gas
    }

    /// Turns on the code generation the limits need.
    pub fn configure(&self, config: &mut Config) {
        config.consume_fuel(self.metering());
        config.epoch_interruption(self.time_limit_ms.is_some());
    }

    /// Arms the store: fuel, epoch deadline and its timer, host-time measurement.
    pub fn arm<T>(&self, engine: &Engine, store: &mut Store<T>, log: Log) -> TimeLimit {
        if self.metering() {
            store.set_fuel(self.gas_limit.unwrap_or(UNLIMITED_FUEL));
        }
        if self.measure_time {
            store.measure_host_time(true);
        }
        let Some(ms) = self.time_limit_ms else {
            return TimeLimit::default();
        };
        store.set_epoch_deadline(1);
        let engine = engine.clone();
        let finished = Arc::new(Mutex::new(false));
        let seen = finished.clone();
        std::thread::Builder::new()
            .name("time-limit".into())
            .spawn(move || {
                std::thread::sleep(Duration::from_millis(ms));
                // Compiled code (and `memory.atomic.wait`) traps at its next epoch check.
                engine.increment_epoch();
                std::thread::sleep(HOST_CALL_GRACE);
                let over = seen.lock().unwrap_or_else(|p| p.into_inner());
                if !*over {
                    // Still inside a host call: end the run here, holding the lock so that the
                    // main thread cannot report a result meanwhile.
                    log.error(
                        "execution failed: interrupted (time limit reached) (the guest was \
                         blocked in a host function)",
                    );
                    std::process::exit(EXIT_TRAP);
                }
            })
            .expect("spawning the time-limit timer");
        TimeLimit {
            finished: Some(finished),
        }
    }

    /// True if a statistics block is wanted.
    pub fn wants_statistics(&self) -> bool {
        self.count_instructions || self.measure_gas || self.measure_time
    }

    /// Prints WasmEdge's statistics block for a run that started at `started`.
    pub fn report<T>(&self, store: &Store<T>, started: Instant, log: &Log) {
        if !self.wants_statistics() {
            return;
        }
        let total = started.elapsed();
        let host = store.host_time();
        let count = store.fuel_consumed();
        for line in statistics(self, total, host, count) {
            log.info(&line);
        }
    }
}

/// The lines of the statistics block (each appears only when its statistic is enabled).
pub fn statistics(l: &Limits, total: Duration, host: Duration, count: u64) -> Vec<String> {
    let mut out = vec!["====================  Statistics  ====================".to_string()];
    if l.measure_time {
        out.push(format!(" Total execution time: {} ns", total.as_nanos()));
        out.push(format!(
            " Wasm instructions execution time: {} ns",
            total.saturating_sub(host).as_nanos()
        ));
        out.push(format!(
            " Host functions execution time: {} ns",
            host.as_nanos()
        ));
    }
    if l.count_instructions {
        out.push(format!(" Executed wasm instructions count: {count}"));
    }
    if l.measure_gas {
        out.push(format!(" Gas costs: {count}"));
    }
    if l.count_instructions && l.measure_time {
        let wasm = total.saturating_sub(host).as_secs_f64();
        let ips = if wasm > 0.0 {
            (count as f64 / wasm) as u64
        } else {
            0
        };
        out.push(format!(" Instructions per second: {ips}"));
    }
    out.push("=======================   End   ======================".to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_block_has_wasmedge_lines() {
        let all = Limits {
            count_instructions: true,
            measure_gas: true,
            measure_time: true,
            ..Default::default()
        };
        let lines = statistics(
            &all,
            Duration::from_nanos(3000),
            Duration::from_nanos(1000),
            40,
        );
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[1], " Total execution time: 3000 ns");
        assert_eq!(lines[2], " Wasm instructions execution time: 2000 ns");
        assert_eq!(lines[4], " Executed wasm instructions count: 40");
        assert_eq!(lines[5], " Gas costs: 40");
        assert_eq!(lines[6], " Instructions per second: 20000000");
        let count_only = Limits {
            count_instructions: true,
            ..Default::default()
        };
        assert_eq!(
            statistics(&count_only, Duration::ZERO, Duration::ZERO, 7).len(),
            3
        );
    }
}
