//! `Instance`: an instantiated module. Here: the import checks (count, store, kind and type
//! with limits subtyping) and running the start function; the VMContext, entities and
//! segments are built by `vm::instantiate`.
//!
//! Must not know about import resolution by name: that is the `Linker`'s job.

use crate::api::Extern;
use crate::api::func::{Func, TypedFunc};
use crate::api::global::Global;
use crate::api::memory::Memory;
use crate::api::module::Module;
use crate::api::store::Store;
use crate::api::table::Table;
use crate::values::WasmList;
use crate::vm::instantiate::Imports;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::ExternType;

fn link_error(code: ErrorCode, msg: String) -> Error {
    Error::coded(code, Phase::Linking, msg, None)
}

fn limits_match(min: u64, max: Option<u64>, emin: u64, emax: Option<u64>) -> bool {
    min >= emin
        && match emax {
            None => true,
            Some(em) => max.is_some_and(|m| m <= em),
        }
}

/// Whether a definition of type `actual` may satisfy an import of type `expected`.
fn import_matches(actual: &ExternType, expected: &ExternType) -> bool {
    match (actual, expected) {
        (ExternType::Func(a), ExternType::Func(e)) => a == e,
        (ExternType::Table(a), ExternType::Table(e)) => {
            a.element == e.element && limits_match(a.minimum, a.maximum, e.minimum, e.maximum)
        }
        (ExternType::Memory(a), ExternType::Memory(e)) => {
            a.shared == e.shared
                && a.memory64 == e.memory64
                && limits_match(a.minimum, a.maximum, e.minimum, e.maximum)
        }
        (ExternType::Global(a), ExternType::Global(e)) => a == e,
        _ => false,
    }
}

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
        if !module.engine().same(store.engine()) {
            return Err(link_error(
                ErrorCode::Link,
                "module was compiled by a different engine than the store's".into(),
            ));
        }
        let info = &module.inner.info;
        if imports.len() != info.imports.len() {
            return Err(link_error(
                ErrorCode::UnknownImport,
                format!(
                    "module needs {} imports but {} were given",
                    info.imports.len(),
                    imports.len()
                ),
            ));
        }
        let mut resolved = Imports::default();
        for (imp, ext) in info.imports.iter().zip(imports) {
            let store_id = match ext {
                Extern::Func(f) => f.store_id,
                Extern::Table(t) => t.store_id,
                Extern::Memory(m) => m.store_id,
                Extern::Global(g) => g.store_id,
            };
            if store_id != store.inner.id {
                return Err(link_error(
                    ErrorCode::Link,
                    format!(
                        "import \"{}\" \"{}\" is defined in another store",
                        imp.module, imp.name
                    ),
                ));
            }
            let expected = info.entity_type(imp.index);
            let actual = ext.ty(store);
            if !import_matches(&actual, &expected) {
                return Err(link_error(
                    ErrorCode::IncompatibleImport,
                    format!(
                        "incompatible import type for \"{}\" \"{}\": expected {} {:?}, got {} {:?}",
                        imp.module,
                        imp.name,
                        expected.kind_name(),
                        expected,
                        actual.kind_name(),
                        actual
                    ),
                ));
            }
            match ext {
                Extern::Func(f) => resolved.funcs.push(f.index),
                Extern::Memory(m) => resolved.memories.push(m.index),
                Extern::Table(t) => resolved.tables.push(t.index),
                Extern::Global(g) => resolved.globals.push(g.index),
            }
        }
        let made = crate::vm::instantiate::instantiate(&mut store.inner, &module.inner, resolved)?;
        let instance = Instance {
            store_id: store.inner.id,
            index: made.instance,
        };
        if let Some(start) = made.start {
            let f = Func {
                store_id: store.inner.id,
                index: start,
            };
            f.call(store, &[], &mut []).map_err(|e| match e.as_trap() {
                Some(_) => e.in_phase(Phase::Instantiation),
                None => e,
            })?;
        }
        Ok(instance)
    }

    /// The export called `name`.
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        let e = store.inner.instance_export(self.index_in(store)?, name)?;
        Some(Extern::from_vm(self.store_id, e))
    }

    /// All exports, in the module's order.
    pub fn exports<T>(&self, store: &Store<T>) -> Vec<(String, Extern)> {
        match self.index_in(store) {
            Some(i) => store
                .inner
                .instance_exports(i)
                .into_iter()
                .map(|(n, e)| (n, Extern::from_vm(self.store_id, e)))
                .collect(),
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
            Error::coded(
                ErrorCode::Usage,
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
