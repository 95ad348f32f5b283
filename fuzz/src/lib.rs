//! Shared code of the fuzz targets in `fuzz_targets/` (each target is a thin wrapper so that the
//! same logic can be replayed outside libFuzzer by `examples/repro.rs`).
//!
//! - [`generate`]: wasm-smith configurations restricted to what the runtime implements.
//! - [`loader`]: arbitrary bytes through `Module::validate` / `Module::new`, cross-checked
//!   against `wasmparser`.
//! - [`compile_instantiate`]: generated modules compiled, instantiated against dummy imports,
//!   and every export called.
//! - [`differential`]: generated modules run under this runtime and under `wasmi`, comparing
//!   results, traps and final exported state.
//! - [`wasi_path`]: random paths and symlink layouts against a WASI preopen; nothing may
//!   resolve outside it.
//!
//! A finding is reported by panicking (libFuzzer records the input as a crash artifact).

pub mod compile_instantiate;
pub mod differential;
pub mod dummy;
pub mod generate;
pub mod loader;
pub mod wasi_path;

use std::sync::OnceLock;
use wasmedge_runtime::{Config, Engine, MemoryStrategy, WasmFeatures};

/// How often the engines with threads advance their epoch (see [`engine`]).
pub const EPOCH_TICK: std::time::Duration = std::time::Duration::from_millis(10);

/// Engines are expensive to create (ISA detection, signal handler installation), so the
/// targets share one per bounds-checking strategy and feature set for the whole process.
///
/// The engines with a feature set (every implemented feature, threads included) also interrupt
/// by epoch, and a thread advances their epoch every [`EPOCH_TICK`]: a generated
/// `memory.atomic.wait` with no timeout on a value nobody changes would otherwise block the
/// fuzzer forever. Stores of those engines set a deadline
/// ([`wasmedge_runtime::Store::set_epoch_deadline`]).
pub fn engine(strategy: MemoryStrategy, features: Option<WasmFeatures>) -> Engine {
    static GUARD: OnceLock<Engine> = OnceLock::new();
    static EXPLICIT: OnceLock<Engine> = OnceLock::new();
    static ALL_GUARD: OnceLock<Engine> = OnceLock::new();
    static ALL_EXPLICIT: OnceLock<Engine> = OnceLock::new();
    let all = features.is_some();
    let cell = match (strategy, all) {
        (MemoryStrategy::Explicit, false) => &EXPLICIT,
        (MemoryStrategy::Explicit, true) => &ALL_EXPLICIT,
        (_, false) => &GUARD,
        (_, true) => &ALL_GUARD,
    };
    cell.get_or_init(|| {
        let mut config = Config::new();
        // One fuzzer process per core: no compilation thread pool.
        config.parallel_compilation(false);
        config.memory_strategy(strategy);
        if let Some(f) = features {
            config.wasm_features(f);
            config.epoch_interruption(true);
        }
        let engine = Engine::new(&config).expect("engine");
        if all {
            let ticker = engine.clone();
            std::thread::Builder::new()
                .name("epoch-ticker".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(EPOCH_TICK);
                        ticker.increment_epoch();
                    }
                })
                .expect("spawning the epoch ticker");
        }
        engine
    })
    .clone()
}

/// The features the runtime enables by default (what wasm-smith is allowed to generate).
pub fn default_features() -> WasmFeatures {
    wasmedge_environ::loader::features::default_features()
}

/// Every feature the runtime implements (default plus threads).
pub fn implemented_features() -> WasmFeatures {
    wasmedge_environ::loader::features::implemented_features()
}
