//! `Func` (wasm or host function handles), `Caller` (what a host function sees of its caller)
//! and `TypedFunc` (statically typed calls).
//!
//! Calls into wasm go through `vm::call`; this module only checks types and converts values.

use crate::api::Extern;
use crate::api::store::Store;
use crate::error::{Error, Phase, Result};
use crate::types::FuncType;
use crate::values::{Val, WasmList};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

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
        self.store.inner.instance_export(instance, name)
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

/// The signature of a host function's implementation. Results are pre-filled with zero values
/// of the right types; return `Err` to trap (use [`Error::exit`] for a guest exit).
pub type HostFn<T> = dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync;

impl Func {
    /// Defines a host function of the given type.
    pub fn new<T: 'static>(
        store: &mut Store<T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        crate::vm::host::new_host_func(store, ty, Box::new(func))
    }

    /// The function's type.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        store.inner.func_type(*self)
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
            return Err(Error::new(
                Phase::Execution,
                format!(
                    "function of type {ty} called with {} arguments and {} result slots",
                    params.len(),
                    results.len()
                ),
                None,
            ));
        }
        for (i, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            if p.ty() != *t {
                return Err(Error::new(
                    Phase::Execution,
                    format!(
                        "argument {i} has type {} but the function expects {t}",
                        p.ty()
                    ),
                    None,
                ));
            }
        }
        crate::vm::call::call_func(store, *self, params, results)
    }

    /// A statically typed view of this function; fails if the types do not match.
    pub fn typed<P: WasmList, R: WasmList>(
        &self,
        store: &Store<impl Sized>,
    ) -> Result<TypedFunc<P, R>> {
        let ty = self.ty(store);
        if ty.params() != P::valtypes().as_slice() || ty.results() != R::valtypes().as_slice() {
            return Err(Error::new(
                Phase::Execution,
                format!(
                    "type mismatch: the function has type {ty}, the caller asked for {}",
                    FuncType::new(P::valtypes(), R::valtypes())
                ),
                None,
            ));
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
        let params = params.into_vals();
        let mut results: Vec<Val> = R::valtypes().into_iter().map(Val::default_for).collect();
        crate::vm::call::call_func(store, self.func, &params, &mut results)?;
        Ok(R::from_vals(&results).expect("result types were checked when the TypedFunc was made"))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}
