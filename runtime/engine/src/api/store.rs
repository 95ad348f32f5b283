//! `Store<T>`: owns every instance, function, memory, table and global created in it, plus the
//! embedder's data `T`.
//!
//! Entities are referred to by index handles checked against the store's id; dropping the
//! store frees everything at once. This module must not run wasm code itself (calls go through
//! `api::func`).

use crate::engine::Engine;
use crate::vm::store::{StoreInner, VmStore};
use std::any::Any;

/// A collection of WebAssembly instances and host objects, with user data `T`.
pub struct Store<T> {
    engine: Engine,
    pub(crate) inner: StoreInner,
    data: T,
}

impl<T: 'static> VmStore for Store<T> {
    fn vm(&mut self) -> &mut StoreInner {
        &mut self.inner
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl<T> Store<T> {
    /// Creates an empty store.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            engine: engine.clone(),
            inner: StoreInner::new(engine.shared().clone()),
            data,
        }
    }

    /// The engine this store belongs to.
    pub fn engine(&self) -> &Engine {
        &self.engine
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
        self.inner.ctx.epoch_deadline = self.engine.current_epoch().saturating_add(ticks);
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

    /// The VM part and the embedder's data, borrowed apart.
    pub(crate) fn inner_and_data_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// Panics when a handle of another store is used with this one (a programming error, as
    /// in every Rust embedding API).
    pub(crate) fn check(&self, store_id: u64, what: &str) {
        assert_eq!(
            store_id, self.inner.id,
            "{what} used with a store it does not belong to"
        );
    }
}
