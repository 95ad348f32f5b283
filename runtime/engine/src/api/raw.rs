//! Converting between API values (`Val`) and the raw 16-byte form compiled code uses (value
//! slots, globals; references as raw pointers or externref indices).
//!
//! Safe code over the store's lookups: a raw reference that names nothing becomes null, never
//! a dereference. Must not touch VM memory directly.

use crate::api::func::Func;
use crate::api::store::Store;
use crate::values::{ExternRef, Val};
use crate::vm::store::StoreInner;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::{RefType, ValType};

/// The raw form of a reference value (0 for null).
pub(crate) fn ref_to_raw<T>(store: &mut Store<T>, v: &Val) -> Result<usize> {
    match v {
        Val::FuncRef(None) | Val::ExternRef(None) => Ok(0),
        Val::FuncRef(Some(f)) => {
            store.check(f.store_id, "function");
            Ok(store.inner.func_to_raw(f.index))
        }
        Val::ExternRef(Some(r)) => Ok(store.inner.externref_to_raw(r.0.clone())),
        other => Err(Error::coded(
            ErrorCode::Usage,
            Phase::Execution,
            format!("expected a reference, got {}", other.ty()),
            None,
        )),
    }
}

/// The reference value of a raw reference of type `ty`.
pub(crate) fn ref_from_raw(inner: &StoreInner, ty: RefType, raw: usize) -> Val {
    match ty {
        RefType::FuncRef => Val::FuncRef(inner.func_from_raw(raw).map(|index| Func {
            store_id: inner.id,
            index,
        })),
        RefType::ExternRef => Val::ExternRef(inner.externref_from_raw(raw).map(ExternRef)),
    }
}

/// Encodes a value as the 16 bytes of a global or value slot.
pub(crate) fn val_to_raw<T>(store: &mut Store<T>, v: &Val) -> Result<u128> {
    Ok(match v {
        Val::I32(x) => u128::from(*x as u32),
        Val::I64(x) => u128::from(*x as u64),
        Val::F32(x) => u128::from(*x),
        Val::F64(x) => u128::from(*x),
        Val::V128(x) => *x,
        r => ref_to_raw(store, r)? as u128,
    })
}

/// Decodes a 16-byte slot of type `ty`.
pub(crate) fn val_from_raw(inner: &StoreInner, ty: ValType, raw: u128) -> Val {
    match ty {
        ValType::I32 => Val::I32(raw as u32 as i32),
        ValType::I64 => Val::I64(raw as u64 as i64),
        ValType::F32 => Val::F32(raw as u32),
        ValType::F64 => Val::F64(raw as u64),
        ValType::V128 => Val::V128(raw),
        ValType::FuncRef => ref_from_raw(inner, RefType::FuncRef, raw as usize),
        ValType::ExternRef => ref_from_raw(inner, RefType::ExternRef, raw as usize),
    }
}
