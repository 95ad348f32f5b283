//! `Global`: a global variable handle.
//!
//! Storage lives in `vm::store`; this module checks mutability and types.

use crate::api::store::Store;
use crate::error::Result;
use crate::types::GlobalType;
use crate::values::Val;

/// A global in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Global {
    /// Creates a host-owned global with an initial value of the global's type.
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global> {
        store.inner.new_global(ty, val)
    }

    /// The global's type.
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        store.inner.global_type(*self)
    }

    /// The current value.
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        store.inner.global_get(*self)
    }

    /// Sets the value (the global must be mutable and the value of its type).
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<()> {
        store.inner.global_set(*self, val)
    }
}
