//! The `repr(C)` structures compiled code reads and writes, laid out as
//! `wasmedge_environ::vmabi` says; the compile-time assertions below keep the two in step.
//!
//! Pointers to runtime objects (`owner`, `store`) sit after the fields compiled code uses, or
//! are fields the contract does not mention. No behaviour lives here.

use std::mem::{offset_of, size_of};
use wasmedge_environ::vmabi;

/// A linear memory as compiled code sees it. `base` never moves for guard-page memories.
#[repr(C)]
pub(crate) struct VMMemoryDefinition {
    pub(crate) base: *mut u8,
    /// Current size in bytes.
    pub(crate) length: usize,
    /// The owning `LinearMemory`, for builtins such as `memory.grow`.
    pub(crate) owner: *mut crate::vm::memory::LinearMemory,
}

/// A table as compiled code sees it: `length` elements of pointer size at `base`.
#[repr(C)]
pub(crate) struct VMTableDefinition {
    pub(crate) base: *mut usize,
    /// Current number of elements.
    pub(crate) length: usize,
    /// The owning `VmTable`, for builtins.
    pub(crate) owner: *mut crate::vm::table::VmTable,
}

/// A global's storage: 16 bytes, little-endian, value at offset 0 (references as pointers).
#[repr(C, align(16))]
#[derive(Clone, Copy, Default)]
pub(crate) struct VMGlobal {
    pub(crate) bits: u128,
}

/// A function reference (see `vmabi::funcref`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct VMFuncRef {
    pub(crate) wasm_call: *const u8,
    pub(crate) array_call: *const u8,
    pub(crate) vmctx: *mut u8,
    pub(crate) type_id: u32,
    pub(crate) _pad: u32,
}

/// Per-store state compiled code reads (see `vmabi::store`), plus the store itself for host
/// functions and builtins during a call.
#[repr(C)]
pub(crate) struct VMStoreContext {
    pub(crate) stack_limit: usize,
    pub(crate) fuel: i64,
    pub(crate) epoch_deadline: u64,
    pub(crate) epoch_ptr: *const std::sync::atomic::AtomicU64,
    /// The store of the current call (set by `vm::call` while wasm runs; null otherwise).
    pub(crate) store: Option<std::ptr::NonNull<dyn crate::vm::store::VmStore>>,
    /// The store's `StoreInner` during a call, for builtins.
    pub(crate) store_inner: *mut crate::vm::store::StoreInner,
}

/// One entry of the builtin-function table whose address every VMContext holds.
pub(crate) type BuiltinFn = *const u8;

const _: () = {
    assert!(offset_of!(VMFuncRef, wasm_call) == vmabi::funcref::WASM_CALL as usize);
    assert!(offset_of!(VMFuncRef, array_call) == vmabi::funcref::ARRAY_CALL as usize);
    assert!(offset_of!(VMFuncRef, vmctx) == vmabi::funcref::VMCTX as usize);
    assert!(offset_of!(VMFuncRef, type_id) == vmabi::funcref::TYPE_ID as usize);
    assert!(size_of::<VMFuncRef>() == vmabi::funcref::SIZE as usize);
    assert!(offset_of!(VMMemoryDefinition, base) == vmabi::memory::BASE as usize);
    assert!(offset_of!(VMMemoryDefinition, length) == vmabi::memory::LENGTH as usize);
    assert!(offset_of!(VMTableDefinition, base) == vmabi::table::BASE as usize);
    assert!(offset_of!(VMTableDefinition, length) == vmabi::table::LENGTH as usize);
    assert!(offset_of!(VMStoreContext, stack_limit) == vmabi::store::STACK_LIMIT as usize);
    assert!(offset_of!(VMStoreContext, fuel) == vmabi::store::FUEL as usize);
    assert!(offset_of!(VMStoreContext, epoch_deadline) == vmabi::store::EPOCH_DEADLINE as usize);
    assert!(offset_of!(VMStoreContext, epoch_ptr) == vmabi::store::EPOCH_PTR as usize);
    assert!(size_of::<VMGlobal>() == vmabi::VALRAW_SIZE as usize);
    assert!(size_of::<usize>() == vmabi::POINTER_SIZE as usize);
};
