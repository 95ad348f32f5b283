//! `Global`: a global variable handle.
//!
//! Storage lives in `vm::store`; this module checks mutability and types.

use crate::api::raw::{val_from_raw, val_to_raw};
use crate::api::store::Store;
use crate::values::Val;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::GlobalType;

fn usage(message: String) -> Error {
    Error::coded(ErrorCode::Usage, Phase::Execution, message, None)
}

/// A global in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Global {
    /// Creates a host-owned global with an initial value of the global's type.
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global> {
        if val.ty() != ty.content {
            return Err(usage(format!(
                "global of type {} initialised with a {}",
                ty.content,
                val.ty()
            )));
        }
        let bits = val_to_raw(store, &val)?;
        let index = store.inner.new_global(ty, bits);
        Ok(Global {
            store_id: store.inner.id,
            index,
        })
    }

    /// The global's type.
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        store.check(self.store_id, "global");
        store.inner.global_type(self.index)
    }

    /// The current value.
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        store.check(self.store_id, "global");
        let ty = store.inner.global_type(self.index);
        val_from_raw(
            &store.inner,
            ty.content,
            store.inner.global_bits(self.index),
        )
    }

    /// Sets the value (the global must be mutable and the value of its type).
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<()> {
        let ty = self.ty(store);
        if !ty.mutable {
            return Err(usage("cannot set an immutable global".into()));
        }
        if val.ty() != ty.content {
            return Err(usage(format!(
                "global of type {} set to a {}",
                ty.content,
                val.ty()
            )));
        }
        let bits = val_to_raw(store, &val)?;
        store.inner.set_global_bits(self.index, bits);
        Ok(())
    }
}
