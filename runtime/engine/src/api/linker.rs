//! `Linker<T>`: resolves a module's imports by `(module, name)` from registered definitions
//! and instances. A host function name may be overloaded by type ([`Linker::func_new_overload`]):
//! each import entry then binds the definition whose type matches its own, as WasmEdge does for
//! the V1/V2 socket functions.
//!
//! Only name resolution and type checks live here; instantiation is `Instance::new`.

use crate::api::Extern;
use crate::api::func::{Caller, Func};
use crate::api::instance::Instance;
use crate::api::module::Module;
use crate::api::store::Store;
use crate::engine::Engine;
use crate::values::Val;
use std::collections::HashMap;
use std::sync::Arc;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::{ExternType, FuncType};

type HostDef<T> = Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync>;

enum Definition<T> {
    Extern(Extern),
    /// A host function not yet created in a store (made on first use per store).
    Host(FuncType, HostDef<T>),
    /// Host functions sharing one name, told apart by their types (the first is the default).
    Overloaded(Vec<(FuncType, HostDef<T>)>),
}

/// Name-based import resolution.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// Allows a later definition to replace an earlier one with the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<()> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::new(
                Phase::Linking,
                format!("import \"{module}\" \"{name}\" is already defined"),
                None,
            ));
        }
        self.defs.insert(key, def);
        Ok(())
    }

    /// Defines `module.name` as an existing entity.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))?;
        Ok(self)
    }

    /// Defines `module.name` as a host function (created in each store on first use).
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Host(ty, Arc::new(func)))?;
        Ok(self)
    }

    /// Defines `module.name` as a host function that may share its name with host functions of
    /// other types: an import binds the one whose type equals the import's type (the first one
    /// when none does, so that the usual type-mismatch error is reported). Defining the same
    /// name twice with the same type is an error.
    pub fn func_new_overload(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        let func: HostDef<T> = Arc::new(func);
        let clash = || {
            Error::new(
                Phase::Linking,
                format!("import \"{module}\" \"{name}\" is already defined with this type"),
                None,
            )
        };
        match self.defs.remove(&key) {
            None => {
                self.defs.insert(key, Definition::Host(ty, func));
            }
            Some(Definition::Host(old_ty, old)) => {
                if old_ty == ty {
                    self.defs.insert(key, Definition::Host(old_ty, old));
                    return Err(clash());
                }
                self.defs
                    .insert(key, Definition::Overloaded(vec![(old_ty, old), (ty, func)]));
            }
            Some(Definition::Overloaded(mut list)) => {
                let dup = list.iter().any(|(t, _)| *t == ty);
                if !dup {
                    list.push((ty, func));
                }
                self.defs.insert(key, Definition::Overloaded(list));
                if dup {
                    return Err(clash());
                }
            }
            Some(other) => {
                self.defs.insert(key, other);
                return Err(clash());
            }
        }
        Ok(self)
    }

    /// Registers every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        store: &Store<T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        for (name, ext) in instance.exports(store) {
            self.insert(module, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// The definition of `module.name`, creating host functions in `store` as needed.
    pub fn get(&self, store: &mut Store<T>, module: &str, name: &str) -> Option<Extern> {
        self.get_typed(store, module, name, None)
    }

    /// Like [`Linker::get`], choosing among overloaded host functions the one of type `want`.
    fn get_typed(
        &self,
        store: &mut Store<T>,
        module: &str,
        name: &str,
        want: Option<&FuncType>,
    ) -> Option<Extern> {
        let host = |store: &mut Store<T>, ty: &FuncType, f: &HostDef<T>| {
            let f = f.clone();
            Extern::Func(Func::new(store, ty.clone(), move |c, p, r| f(c, p, r)))
        };
        match self.defs.get(&(module.to_string(), name.to_string()))? {
            Definition::Extern(e) => Some(e.clone()),
            Definition::Host(ty, f) => Some(host(store, ty, f)),
            Definition::Overloaded(list) => {
                let (ty, f) = want
                    .and_then(|w| list.iter().find(|(t, _)| t == w))
                    .or_else(|| list.first())?;
                Some(host(store, ty, f))
            }
        }
    }

    /// True if `module.name` is defined.
    pub fn contains(&self, module: &str, name: &str) -> bool {
        self.defs
            .contains_key(&(module.to_string(), name.to_string()))
    }

    /// Resolves every import of `module` and instantiates it.
    pub fn instantiate(&self, store: &mut Store<T>, module: &Module) -> Result<Instance> {
        if !module.engine().same(&self.engine) {
            return Err(Error::coded(
                ErrorCode::Link,
                Phase::Linking,
                "module belongs to a different engine",
                None,
            ));
        }
        let mut imports = Vec::new();
        for imp in module.imports() {
            let want = match &imp.ty {
                ExternType::Func(ft) => Some(ft),
                _ => None,
            };
            let ext = self
                .get_typed(store, &imp.module, &imp.name, want)
                .ok_or_else(|| {
                    Error::coded(
                        ErrorCode::UnknownImport,
                        Phase::Linking,
                        format!(
                            "unknown import: module \"{}\" has no {} named \"{}\"",
                            imp.module,
                            imp.ty.kind_name(),
                            imp.name
                        ),
                        None,
                    )
                })?;
            imports.push(ext);
        }
        Instance::new(store, module, &imports)
    }
}
