//! `Table`: a table of references, readable and writable from the host.
//!
//! Storage lives in `vm::table`; this module converts between `Val` and raw elements.

use crate::api::raw::{ref_from_raw, ref_to_raw};
use crate::api::store::Store;
use crate::values::Val;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::{TableType, ValType};

fn check_elem(ty: TableType, v: &Val) -> Result<()> {
    if v.ty() == ValType::from(ty.element) {
        Ok(())
    } else {
        Err(Error::coded(
            ErrorCode::Usage,
            Phase::Execution,
            format!("table of {} cannot hold a {}", ty.element, v.ty()),
            None,
        ))
    }
}

/// A table in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Table {
    /// Creates a host-owned table whose elements start as `init`.
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table> {
        check_elem(ty, &init)?;
        let raw = ref_to_raw(store, &init)?;
        let index = store.inner.new_table(ty, raw)?;
        Ok(Table {
            store_id: store.inner.id,
            index,
        })
    }

    /// The table's type (its minimum reflects the current size).
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        store.check(self.store_id, "table");
        store.inner.table_ref(self.index).ty()
    }

    /// The number of elements.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.check(self.store_id, "table");
        store.inner.table_ref(self.index).len() as u64
    }

    /// The element at `index`, or `None` when out of bounds.
    pub fn get<T>(&self, store: &Store<T>, index: u64) -> Option<Val> {
        store.check(self.store_id, "table");
        let table = store.inner.table_ref(self.index);
        let raw = table.get(index)?;
        Some(ref_from_raw(
            &store.inner,
            table.declared_type().element,
            raw,
        ))
    }

    /// Sets the element at `index`.
    pub fn set<T>(&self, store: &mut Store<T>, index: u64, val: Val) -> Result<()> {
        store.check(self.store_id, "table");
        check_elem(store.inner.table_ref(self.index).declared_type(), &val)?;
        let raw = ref_to_raw(store, &val)?;
        if store.inner.table(self.index).set(index, raw) {
            Ok(())
        } else {
            Err(Error::coded(
                ErrorCode::Usage,
                Phase::Execution,
                "out of bounds table access",
                None,
            ))
        }
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64, init: Val) -> Result<u64> {
        store.check(self.store_id, "table");
        check_elem(store.inner.table_ref(self.index).declared_type(), &init)?;
        let raw = ref_to_raw(store, &init)?;
        store
            .inner
            .table(self.index)
            .grow(delta, raw)
            .ok_or_else(|| {
                Error::coded(
                    ErrorCode::Resource,
                    Phase::Execution,
                    "table cannot grow by that many elements",
                    None,
                )
            })
    }
}
