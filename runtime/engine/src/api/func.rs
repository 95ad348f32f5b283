//! `Func` (wasm or host function handles), `Caller` (what a host function sees of its caller)
//! and `TypedFunc` (statically typed calls).
//!
//! Calls into wasm go through `vm::call` and host functions are erased to `vm::host::RawHostFn`
//! here; this module only checks types and converts values (through `api::raw`).

use crate::api::Extern;
use crate::api::raw::{val_from_raw, val_to_raw};
use crate::api::store::Store;
use crate::values::{Val, WasmList};
use crate::vm::store::VmStore;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::{FuncType, ValType};

/// A function in a [`Store`]: defined by a wasm instance or by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

/// What a host function receives: its store (through `Deref`) and the calling instance.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<usize>,
}

impl<T> Caller<'_, T> {
    /// An export of the calling instance (typically its `"memory"`).
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let instance = self.instance?;
        let e = self.store.inner.instance_export(instance, name)?;
        Some(Extern::from_vm(self.store.inner.id, e))
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }
}

impl<T> Deref for Caller<'_, T> {
    type Target = Store<T>;
    fn deref(&self) -> &Store<T> {
        self.store
    }
}

impl<T> DerefMut for Caller<'_, T> {
    fn deref_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

fn usage(message: String) -> Error {
    Error::coded(ErrorCode::Usage, Phase::Execution, message, None)
}

/// The erased form of a host function of type `ty`: finds the `Store<T>` behind the VM's
/// `dyn VmStore`, decodes the parameters, runs `func`, checks and encodes the results.
fn erase<T: 'static>(
    ty: FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> Box<crate::vm::host::RawHostFn> {
    Box::new(move |vs: &mut dyn VmStore, instance, slots: &mut [u128]| {
        let store = vs.as_any_mut().downcast_mut::<Store<T>>().ok_or_else(|| {
            usage("a host function was called with a store of another data type".into())
        })?;
        let params: Vec<Val> = ty
            .params()
            .iter()
            .zip(slots.iter())
            .map(|(t, raw)| val_from_raw(&store.inner, *t, *raw))
            .collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func(Caller { store, instance }, &params, &mut results)?;
        for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
            if r.ty() != *t {
                return Err(Error::new(
                    Phase::Execution,
                    format!(
                        "host function returned a {} as result {i}, its type says {t}",
                        r.ty()
                    ),
                    None,
                ));
            }
        }
        for (slot, r) in slots.iter_mut().zip(&results) {
            *slot = val_to_raw(store, r)?;
        }
        Ok(())
    })
}

/// Calls `f` (already type-checked) with `params`, writing `results` of types `result_types`.
fn call_unchecked<T: 'static>(
    store: &mut Store<T>,
    f: Func,
    params: &[Val],
    result_types: &[ValType],
    results: &mut [Val],
) -> Result<()> {
    let mut slots = vec![0u128; params.len().max(result_types.len()).max(1)];
    for (slot, p) in slots.iter_mut().zip(params) {
        *slot = val_to_raw(store, p)?;
    }
    crate::vm::call::call(store, f.index, &mut slots)?;
    for (r, (slot, t)) in results.iter_mut().zip(slots.iter().zip(result_types)) {
        *r = val_from_raw(&store.inner, *t, *slot);
    }
    Ok(())
}

impl Func {
    /// Defines a host function of the given type.
    pub fn new<T: 'static>(
        store: &mut Store<T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let type_id = store.inner.engine.intern(&ty);
        let index = crate::vm::host::new_host_func(&mut store.inner, type_id, erase(ty, func));
        Func {
            store_id: store.inner.id,
            index,
        }
    }

    /// The function's type.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        store.check(self.store_id, "function");
        store.inner.func_type(self.index)
    }

    /// Calls the function with `params`, writing its results into `results` (which must have
    /// exactly as many elements as the function has results).
    pub fn call<T: 'static>(
        &self,
        store: &mut Store<T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let ty = self.ty(store);
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(usage(format!(
                "function of type {ty} called with {} arguments and {} result slots",
                params.len(),
                results.len()
            )));
        }
        for (i, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            if p.ty() != *t {
                return Err(usage(format!(
                    "argument {i} has type {} but the function expects {t}",
                    p.ty()
                )));
            }
        }
        call_unchecked(store, *self, params, ty.results(), results)
    }

    /// A statically typed view of this function; fails if the types do not match.
    pub fn typed<P: WasmList, R: WasmList>(
        &self,
        store: &Store<impl Sized>,
    ) -> Result<TypedFunc<P, R>> {
        let ty = self.ty(store);
        if ty.params() != P::valtypes().as_slice() || ty.results() != R::valtypes().as_slice() {
            return Err(usage(format!(
                "type mismatch: the function has type {ty}, the caller asked for {}",
                FuncType::new(P::valtypes(), R::valtypes())
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// A function whose parameter and result types were checked once.
pub struct TypedFunc<P, R> {
    func: Func,
    _marker: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmList, R: WasmList> TypedFunc<P, R> {
    /// Calls the function.
    pub fn call<T: 'static>(&self, store: &mut Store<T>, params: P) -> Result<R> {
        store.check(self.func.store_id, "function");
        let params = params.into_vals();
        let types = R::valtypes();
        let mut results: Vec<Val> = types.iter().map(|t| Val::default_for(*t)).collect();
        call_unchecked(store, self.func, &params, &types, &mut results)?;
        Ok(R::from_vals(&results).expect("result types were checked when the TypedFunc was made"))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}
