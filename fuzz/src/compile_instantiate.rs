//! The `compile_instantiate` target: a wasm-smith module (anything the runtime implements,
//! threads when swarm testing picks them; fuel-bounded by `ensure_termination`) is compiled,
//! instantiated against dummy imports, and every exported function is called with zero
//! arguments. Modules with threads run on an engine that interrupts by epoch, so a generated
//! endless `memory.atomic.wait` ends in an `Interrupt` trap.
//!
//! Checks: a generated (valid) module always compiles; instantiation and calls end in `Ok` or
//! a clean error (calls: a trap); nothing crashes the process.

use crate::{dummy, engine, generate};
use arbitrary::Unstructured;
use wasmedge_runtime::{Extern, Instance, MemoryStrategy, Module, Store, Val};

/// Runs one fuzz input: `None` when it is too short to make a module.
pub fn run(data: &[u8]) -> Option<()> {
    let mut u = Unstructured::new(data);
    let strategy = pick_strategy(&mut u);
    let config = generate::compile_instantiate_config(&mut u).ok()?;
    let threads = config.threads_enabled;
    let wasm = generate::module(config, &mut u)?;
    run_module(&wasm, strategy, threads);
    Some(())
}

/// The bounds-checking strategy for this input (both are exercised).
pub fn pick_strategy(u: &mut Unstructured<'_>) -> MemoryStrategy {
    if u.arbitrary::<bool>().unwrap_or(false) {
        MemoryStrategy::Explicit
    } else {
        MemoryStrategy::Auto
    }
}

/// How long (in epoch ticks, [`crate::EPOCH_TICK`]) one module may run on the threads engine.
const THREADS_DEADLINE_TICKS: u64 = 50;

/// Compiles, instantiates and calls every export of `wasm`; `threads` selects the engine with
/// every implemented feature (threads included) and an epoch deadline.
pub fn run_module(wasm: &[u8], strategy: MemoryStrategy, threads: bool) {
    let engine = engine(strategy, threads.then(crate::implemented_features));
    let module = match Module::new(&engine, wasm) {
        Ok(m) => m,
        Err(e) => panic!("a valid generated module was rejected: {e}"),
    };
    let mut store = Store::new(&engine, ());
    if threads {
        store.set_epoch_deadline(THREADS_DEADLINE_TICKS);
    }
    let imports = match dummy::imports(&mut store, &module) {
        Ok(i) => i,
        Err(e) => panic!("cannot create dummy imports: {e}"),
    };
    let instance = match Instance::new(&mut store, &module, &imports) {
        Ok(i) => i,
        // A trapping start function or out-of-bounds segment: a clean error.
        Err(_) => return,
    };
    for (name, export) in instance.exports(&store) {
        let Extern::Func(func) = export else { continue };
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        if let Err(e) = func.call(&mut store, &params, &mut results) {
            assert!(
                e.as_trap().is_some(),
                "calling export {name:?} failed without a trap: {e}"
            );
        } else {
            for (r, t) in results.iter().zip(ty.results()) {
                assert_eq!(
                    r.ty(),
                    *t,
                    "export {name:?} returned a value of the wrong type"
                );
            }
        }
    }
}
