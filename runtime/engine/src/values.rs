//! Runtime values (`Val`), host references (`ExternRef`), and the conversions used by typed calls.
//!
//! Pure data plus conversion traits; must not touch raw VM memory (conversions to raw slots are
//! `api::raw`).

use crate::api::func::Func;
use std::any::Any;
use std::fmt;
use std::sync::Arc;
use wasmedge_environ::types::ValType;

/// An opaque host value carried by `externref`.
#[derive(Clone)]
pub struct ExternRef(pub(crate) Arc<dyn Any + Send + Sync>);

impl ExternRef {
    /// Wraps a host value.
    pub fn new<V: Any + Send + Sync>(value: V) -> ExternRef {
        ExternRef(Arc::new(value))
    }

    /// The host value.
    pub fn data(&self) -> &(dyn Any + Send + Sync) {
        &*self.0
    }

    /// True when both references point to the same host value.
    pub fn ptr_eq(a: &ExternRef, b: &ExternRef) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef({:p})", Arc::as_ptr(&self.0))
    }
}

/// A WebAssembly value. Floats are kept as raw bits so NaN payloads survive.
#[derive(Clone, Debug)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// An `f32` as its bit pattern.
    F32(u32),
    /// An `f64` as its bit pattern.
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero value (or null reference) of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }
    pub fn v128(&self) -> Option<u128> {
        if let Val::V128(v) = self {
            Some(*v)
        } else {
            None
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

/// A Rust type that maps to one WebAssembly value type (used by typed calls).
pub trait WasmTy: Sized {
    /// The wasm type.
    fn valtype() -> ValType;
    /// Into a `Val`.
    fn into_val(self) -> Val;
    /// From a `Val` of the right type.
    fn from_val(v: &Val) -> Option<Self>;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, $get:ident) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn into_val(self) -> Val {
                Val::from(self)
            }
            fn from_val(v: &Val) -> Option<Self> {
                v.$get()
            }
        }
    };
}
wasm_ty!(i32, I32, i32);
wasm_ty!(i64, I64, i64);
wasm_ty!(f32, F32, f32);
wasm_ty!(f64, F64, f64);

impl WasmTy for u32 {
    fn valtype() -> ValType {
        ValType::I32
    }
    fn into_val(self) -> Val {
        Val::I32(self as i32)
    }
    fn from_val(v: &Val) -> Option<Self> {
        v.i32().map(|x| x as u32)
    }
}
impl WasmTy for u64 {
    fn valtype() -> ValType {
        ValType::I64
    }
    fn into_val(self) -> Val {
        Val::I64(self as i64)
    }
    fn from_val(v: &Val) -> Option<Self> {
        v.i64().map(|x| x as u64)
    }
}

/// A list of Rust values passed as parameters or returned as results of a typed call:
/// `()`, a single `WasmTy`, or a tuple of them.
pub trait WasmList: Sized {
    /// The wasm types, in order.
    fn valtypes() -> Vec<ValType>;
    /// Into values.
    fn into_vals(self) -> Vec<Val>;
    /// From values of the right types.
    fn from_vals(v: &[Val]) -> Option<Self>;
}

impl<A: WasmTy> WasmList for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
    fn from_vals(v: &[Val]) -> Option<Self> {
        match v {
            [a] => A::from_val(a),
            _ => None,
        }
    }
}

macro_rules! wasm_list_tuple {
    ($($n:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit)]
        impl<$($n: WasmTy),*> WasmList for ($($n,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($n::valtype()),*]
            }
            fn into_vals(self) -> Vec<Val> {
                let ($($n,)*) = self;
                vec![$($n.into_val()),*]
            }
            fn from_vals(v: &[Val]) -> Option<Self> {
                let mut it = v.iter();
                let r = ($($n::from_val(it.next()?)?,)*);
                if it.next().is_some() { return None; }
                Some(r)
            }
        }
    };
}
wasm_list_tuple!();
wasm_list_tuple!(A1);
wasm_list_tuple!(A1, A2);
wasm_list_tuple!(A1, A2, A3);
wasm_list_tuple!(A1, A2, A3, A4);
wasm_list_tuple!(A1, A2, A3, A4, A5);
wasm_list_tuple!(A1, A2, A3, A4, A5, A6);
wasm_list_tuple!(A1, A2, A3, A4, A5, A6, A7);
wasm_list_tuple!(A1, A2, A3, A4, A5, A6, A7, A8);
