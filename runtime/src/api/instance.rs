//! `Instance`: an instantiated module. Instantiation itself (linking checks, allocation,
//! segment initialisation, start function) is in `vm::instantiate`.
//!
//! Must not know about import resolution by name: that is the `Linker`'s job.

use crate::api::Extern;
use crate::api::func::{Func, TypedFunc};
use crate::api::global::Global;
use crate::api::memory::Memory;
use crate::api::module::Module;
use crate::api::store::Store;
use crate::api::table::Table;
use crate::error::{Error, Phase, Result};
use crate::values::WasmList;

/// An instance of a module in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Instance {
    /// Instantiates `module` with `imports` given in the order of the module's imports;
    /// runs the start function if there is one.
    pub fn new<T: 'static>(
        store: &mut Store<T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        crate::vm::instantiate::instantiate(store, module, imports)
    }

    /// The export called `name`.
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        store.inner.instance_export(self.index_in(store)?, name)
    }

    /// All exports, in the module's order.
    pub fn exports<T>(&self, store: &Store<T>) -> Vec<(String, Extern)> {
        match self.index_in(store) {
            Some(i) => store.inner.instance_exports(i),
            None => Vec::new(),
        }
    }

    /// The exported function `name`.
    pub fn get_func<T>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported memory `name`.
    pub fn get_memory<T>(&self, store: &Store<T>, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`.
    pub fn get_table<T>(&self, store: &Store<T>, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global `name`.
    pub fn get_global<T>(&self, store: &Store<T>, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported function `name` with its types checked against `P` and `R`.
    pub fn get_typed_func<P: WasmList, R: WasmList>(
        &self,
        store: &Store<impl Sized>,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let f = self.get_func(store, name).ok_or_else(|| {
            Error::new(
                Phase::Execution,
                format!("function \"{name}\" not found in the module export list"),
                None,
            )
        })?;
        f.typed(store)
    }

    fn index_in<T>(&self, store: &Store<T>) -> Option<usize> {
        (self.store_id == store.inner.id).then_some(self.index)
    }
}
