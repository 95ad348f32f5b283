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

    /// Consumes the store and returns the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }
}
