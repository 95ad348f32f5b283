//! The memory layout shared by compiled code and the runtime: `repr(C)` structures the
//! generated code reads and writes, and `VMOffsets`, which places the per-instance arrays inside
//! a VMContext.
//!
//! Any change here changes generated code; the compiler must take every offset from this
//! module. No unsafe code and no behaviour beyond layout lives here.

use std::mem::{offset_of, size_of};

/// A linear memory as compiled code sees it. `base` never moves for guard-page memories.
#[repr(C)]
pub struct VMMemoryDefinition {
    pub base: *mut u8,
    /// Current size in bytes.
    pub length: usize,
    /// The owning `LinearMemory`, for builtins such as `memory.grow`.
    pub owner: *mut crate::vm::memory::LinearMemory,
}

/// A table as compiled code sees it: `length` elements of pointer size at `base`.
#[repr(C)]
pub struct VMTableDefinition {
    pub base: *mut usize,
    /// Current number of elements.
    pub length: usize,
    /// The owning `VmTable`, for builtins.
    pub owner: *mut crate::vm::table::VmTable,
}

/// A global's storage: 16 bytes, little-endian, value at offset 0 (references as pointers).
#[repr(C, align(16))]
#[derive(Clone, Copy, Default)]
pub struct VMGlobal {
    pub bits: u128,
}

/// A function reference: what tables, `ref.func` and imports point to.
///
/// For wasm functions `wasm_call` is the code and `array_call` the module's array-to-wasm
/// trampoline for the function's type. For host functions `wasm_call` is a wasm-to-host
/// trampoline and `array_call` the host shim, with `vmctx` pointing to the host context.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct VMFuncRef {
    pub wasm_call: *const u8,
    pub array_call: *const u8,
    pub vmctx: *mut u8,
    pub type_id: u32,
    pub _pad: u32,
}

impl VMFuncRef {
    pub const fn null() -> VMFuncRef {
        VMFuncRef {
            wasm_call: std::ptr::null(),
            array_call: std::ptr::null(),
            vmctx: std::ptr::null_mut(),
            type_id: u32::MAX,
            _pad: 0,
        }
    }
}

/// Per-store state that compiled code reads: the stack limit, fuel and epoch deadline.
#[repr(C)]
pub struct VMStoreContext {
    /// The lowest stack address wasm code may use; checked in every function prologue.
    pub stack_limit: usize,
    /// Fuel, counting up from `-budget`; above zero the budget is exceeded.
    pub fuel: i64,
    /// The engine epoch at which running code is interrupted.
    pub epoch_deadline: u64,
    /// The `Store<T>` during a call, for host functions.
    pub store: *mut u8,
    /// The store's `StoreInner` during a call, for builtins.
    pub store_inner: *mut crate::vm::store::StoreInner,
    /// The engine's epoch counter.
    pub epoch_ptr: *const std::sync::atomic::AtomicU64,
}

/// One entry of the builtin-function table whose address every VMContext holds.
pub type BuiltinFn = *const u8;

/// Indices into the builtin table; the compiler calls `builtins[i]`.
pub mod builtin {
    /// `fn(vmctx, memory_index: u32, delta_pages: u32) -> u32` (old size or u32::MAX).
    pub const MEMORY_GROW: usize = 0;
    /// `fn(vmctx, dst_mem, src_mem, dst: u64, src: u64, len: u64) -> u32` (0 ok, 1 out of bounds).
    pub const MEMORY_COPY: usize = 1;
    /// `fn(vmctx, mem, dst: u64, val: u32, len: u64) -> u32`.
    pub const MEMORY_FILL: usize = 2;
    /// `fn(vmctx, mem, data, dst: u64, src: u32, len: u32) -> u32`.
    pub const MEMORY_INIT: usize = 3;
    /// `fn(vmctx, data)`.
    pub const DATA_DROP: usize = 4;
    /// `fn(vmctx, table, delta: u32, init: u64) -> u32` (old size or u32::MAX).
    pub const TABLE_GROW: usize = 5;
    /// `fn(vmctx, table, dst: u32, val: u64, len: u32) -> u32`.
    pub const TABLE_FILL: usize = 6;
    /// `fn(vmctx, dst_table, src_table, dst: u32, src: u32, len: u32) -> u32`.
    pub const TABLE_COPY: usize = 7;
    /// `fn(vmctx, table, elem, dst: u32, src: u32, len: u32) -> u32`.
    pub const TABLE_INIT: usize = 8;
    /// `fn(vmctx, elem)`.
    pub const ELEM_DROP: usize = 9;
    /// `fn(vmctx, addr: *const u32, expected: u32, timeout_ns: i64) -> u32` (0 woken, 1 not
    /// equal, 2 timed out, 3 the store was interrupted: compiled code traps).
    pub const MEMORY_WAIT32: usize = 10;
    /// `fn(vmctx, addr: *const u64, expected: u64, timeout_ns: i64) -> u32`.
    pub const MEMORY_WAIT64: usize = 11;
    /// `fn(addr: *const u32, count: u32) -> u32` (number of waiters woken).
    pub const MEMORY_NOTIFY: usize = 12;
    /// The number of builtins.
    pub const COUNT: usize = 13;
}

/// Fixed header offsets of a VMContext.
pub mod header {
    /// `*mut VMStoreContext`
    pub const STORE_CTX: u32 = 0;
    /// `*const [BuiltinFn; builtin::COUNT]`
    pub const BUILTINS: u32 = 8;
    /// `*const u32`: engine signature id of each module type index.
    pub const TYPE_IDS: u32 = 16;
    /// `usize`: the instance's index in its store.
    pub const INSTANCE: u32 = 24;
    /// Size of the header.
    pub const SIZE: u32 = 32;
}

pub const FUNCREF_WASM_CALL: u32 = offset_of!(VMFuncRef, wasm_call) as u32;
pub const FUNCREF_ARRAY_CALL: u32 = offset_of!(VMFuncRef, array_call) as u32;
pub const FUNCREF_VMCTX: u32 = offset_of!(VMFuncRef, vmctx) as u32;
pub const FUNCREF_TYPE_ID: u32 = offset_of!(VMFuncRef, type_id) as u32;
pub const FUNCREF_SIZE: u32 = size_of::<VMFuncRef>() as u32;
pub const MEMORY_BASE: u32 = offset_of!(VMMemoryDefinition, base) as u32;
pub const MEMORY_LENGTH: u32 = offset_of!(VMMemoryDefinition, length) as u32;
pub const TABLE_BASE: u32 = offset_of!(VMTableDefinition, base) as u32;
pub const TABLE_LENGTH: u32 = offset_of!(VMTableDefinition, length) as u32;
pub const STORE_STACK_LIMIT: u32 = offset_of!(VMStoreContext, stack_limit) as u32;
pub const STORE_FUEL: u32 = offset_of!(VMStoreContext, fuel) as u32;
pub const STORE_EPOCH_DEADLINE: u32 = offset_of!(VMStoreContext, epoch_deadline) as u32;
pub const STORE_EPOCH_PTR: u32 = offset_of!(VMStoreContext, epoch_ptr) as u32;
/// Size of one value slot in the array calling convention (`ValRaw`).
pub const VALRAW_SIZE: u32 = 16;

/// Where each array of a module's VMContext lives.
///
/// After the header: one pointer per memory (to its `VMMemoryDefinition`), one per table
/// (to its `VMTableDefinition`), one per global (to its `VMGlobal`), then one inline
/// `VMFuncRef` per function (imports first).
#[derive(Clone, Copy, Debug)]
pub struct VMOffsets {
    pub num_memories: u32,
    pub num_tables: u32,
    pub num_globals: u32,
    pub num_funcs: u32,
}

impl VMOffsets {
    pub fn memories(&self) -> u32 {
        header::SIZE
    }
    pub fn memory(&self, i: u32) -> u32 {
        self.memories() + 8 * i
    }
    pub fn tables(&self) -> u32 {
        self.memories() + 8 * self.num_memories
    }
    pub fn table(&self, i: u32) -> u32 {
        self.tables() + 8 * i
    }
    pub fn globals(&self) -> u32 {
        self.tables() + 8 * self.num_tables
    }
    pub fn global(&self, i: u32) -> u32 {
        self.globals() + 8 * i
    }
    pub fn func_refs(&self) -> u32 {
        let end = self.globals() + 8 * self.num_globals;
        end.next_multiple_of(16)
    }
    pub fn func_ref(&self, i: u32) -> u32 {
        self.func_refs() + FUNCREF_SIZE * i
    }
    /// Total size in bytes.
    pub fn size(&self) -> u32 {
        self.func_ref(self.num_funcs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_disjoint_and_aligned() {
        let o = VMOffsets {
            num_memories: 2,
            num_tables: 1,
            num_globals: 3,
            num_funcs: 4,
        };
        assert_eq!(o.memory(0), header::SIZE);
        assert_eq!(o.table(0), header::SIZE + 16);
        assert_eq!(o.global(0), header::SIZE + 24);
        assert_eq!(o.func_refs() % 16, 0);
        assert!(o.func_refs() >= o.global(3));
        assert_eq!(o.size(), o.func_refs() + 4 * FUNCREF_SIZE);
        assert_eq!(FUNCREF_SIZE, 32);
    }
}
