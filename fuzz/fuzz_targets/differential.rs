//! wasm-smith module → run under this runtime and under wasmi, compare (see
//! `src/differential.rs`). Prints running totals to stderr every 4096 modules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static MODULES: AtomicU64 = AtomicU64::new(0);
static ORACLE_REJECTED: AtomicU64 = AtomicU64::new(0);
static STACK_EXHAUSTED: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicU64 = AtomicU64::new(0);
static TRAPS: AtomicU64 = AtomicU64::new(0);
static STATE: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    let Some(result) = wasmedge_fuzz::differential::run(data) else {
        return;
    };
    let summary = match result {
        Ok(s) => s,
        Err(mismatch) => panic!("differential mismatch: {mismatch}"),
    };
    let n = MODULES.fetch_add(1, Relaxed) + 1;
    ORACLE_REJECTED.fetch_add(summary.oracle_rejected.is_some() as u64, Relaxed);
    STACK_EXHAUSTED.fetch_add(summary.stack_exhausted.is_some() as u64, Relaxed);
    CALLS.fetch_add(summary.calls as u64, Relaxed);
    TRAPS.fetch_add(summary.traps as u64, Relaxed);
    STATE.fetch_add(summary.state_compared as u64, Relaxed);
    if n % 4096 == 0 {
        eprintln!(
            "differential stats: {n} modules, {} rejected by wasmi, {} stopped at stack \
             exhaustion, {} calls compared ({} trapped), {} memories/globals/tables compared",
            ORACLE_REJECTED.load(Relaxed),
            STACK_EXHAUSTED.load(Relaxed),
            CALLS.load(Relaxed),
            TRAPS.load(Relaxed),
            STATE.load(Relaxed),
        );
    }
});
