//! `Table`: a table of references, readable and writable from the host.
//!
//! Storage lives in `vm::table`; this module converts between `Val` and raw elements.

use crate::api::store::Store;
use crate::error::Result;
use crate::types::TableType;
use crate::values::Val;

/// A table in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Table {
    /// Creates a host-owned table whose elements start as `init`.
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table> {
        store.inner.new_table(ty, init)
    }

    /// The table's type (its minimum reflects the current size).
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        store.inner.table_type(*self)
    }

    /// The number of elements.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.table_size(*self)
    }

    /// The element at `index`, or `None` when out of bounds.
    pub fn get<T>(&self, store: &Store<T>, index: u64) -> Option<Val> {
        store.inner.table_get(*self, index)
    }

    /// Sets the element at `index`.
    pub fn set<T>(&self, store: &mut Store<T>, index: u64, val: Val) -> Result<()> {
        store.inner.table_set(*self, index, val)
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64, init: Val) -> Result<u64> {
        store.inner.table_grow(*self, delta, init)
    }
}
