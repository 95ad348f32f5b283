//! `Store<T>`: owns every instance, function, memory, table and global created in it, plus the
//! embedder's data `T`.
//!
//! Entities are referred to by index handles; dropping the store frees everything at once.
//! This module must not run wasm code itself (calls go through `api::func`).

use crate::config::Engine;

/// A collection of WebAssembly instances and host objects, with user data `T`.
pub struct Store<T> {
    pub(crate) inner: crate::vm::store::StoreInner,
    data: T,
}

impl<T> Store<T> {
    /// Creates an empty store.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: crate::vm::store::StoreInner::new(engine),
            data,
        }
    }

    /// The engine this store belongs to.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Sets the fuel (gas) budget: how many more instructions wasm code may execute before it
    /// traps with `OutOfFuel`. Needs `Config::consume_fuel`.
    pub fn set_fuel(&mut self, fuel: u64) {
        let fuel = fuel.min(i64::MAX as u64);
        self.inner.fuel_budget = fuel;
        self.inner.ctx.fuel = -(fuel as i64);
    }

    /// The fuel left (0 once exhausted).
    pub fn fuel_remaining(&self) -> u64 {
        (-self.inner.ctx.fuel).max(0) as u64
    }

    /// Interrupts wasm code of this store once the engine's epoch has advanced `ticks` beyond
    /// its current value. Needs `Config::epoch_interruption`.
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        self.inner.ctx.epoch_deadline = self.inner.engine.current_epoch().saturating_add(ticks);
    }

    /// Starts (or stops) adding up the time spent in host functions.
    pub fn measure_host_time(&mut self, on: bool) {
        self.inner.host_time = on.then(Default::default);
    }

    /// Time spent in host functions since `measure_host_time(true)` (zero if not measured).
    pub fn host_time(&self) -> std::time::Duration {
        self.inner.host_time.unwrap_or_default()
    }

    /// Instructions executed since the fuel was last set (with `Config::consume_fuel`).
    pub fn fuel_consumed(&self) -> u64 {
        self.inner.fuel_budget.saturating_sub(self.fuel_remaining())
    }

    /// Consumes the store and returns the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }
}
