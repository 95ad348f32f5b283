//! The contract between generated code and the VM: where compiled code finds things in a
//! VMContext and in the structures it points to, the numbering of the builtin functions it
//! calls, and the value-slot size of the array calling convention.
//!
//! Any change here changes generated code (and so the build identity that keys artifacts).
//! The compiler takes every offset from this module; the VM declares `repr(C)` structures with
//! these offsets and asserts at compile time that they match. Numbers only: no pointers, no
//! behaviour.

/// Pointer size of every supported host (64-bit).
pub const POINTER_SIZE: u32 = 8;

/// A function reference (`VMFuncRef`): what tables, `ref.func` and imports point to.
///
/// For wasm functions `wasm_call` is the code and `array_call` the module's array-to-wasm
/// trampoline for the function's type. For host functions `wasm_call` is a wasm-to-host
/// trampoline and `array_call` the host shim, with `vmctx` pointing to the host context.
pub mod funcref {
    /// `*const u8`: the function's code in the wasm calling convention.
    pub const WASM_CALL: u32 = 0;
    /// `*const u8`: the array-call entry (trampoline or host shim).
    pub const ARRAY_CALL: u32 = 8;
    /// `*mut u8`: the callee's VMContext (or host context).
    pub const VMCTX: u32 = 16;
    /// `u32`: the engine-wide signature id.
    pub const TYPE_ID: u32 = 24;
    /// Size of one function reference (16-byte aligned in VMContexts).
    pub const SIZE: u32 = 32;
}

/// A linear memory as compiled code sees it (`VMMemoryDefinition`).
pub mod memory {
    /// `*mut u8`: the first byte. Never moves for guard-page memories.
    pub const BASE: u32 = 0;
    /// `usize`: the current size in bytes.
    pub const LENGTH: u32 = 8;
}

/// A table as compiled code sees it (`VMTableDefinition`): `length` pointer-sized elements.
pub mod table {
    /// `*mut usize`: the first element.
    pub const BASE: u32 = 0;
    /// `usize`: the current number of elements.
    pub const LENGTH: u32 = 8;
}

/// Per-store state compiled code reads (`VMStoreContext`).
pub mod store {
    /// `usize`: the lowest stack address wasm code may use; checked in every prologue.
    pub const STACK_LIMIT: u32 = 0;
    /// `i64`: fuel, counting up from `-budget`; above zero the budget is exceeded.
    pub const FUEL: u32 = 8;
    /// `u64`: the engine epoch at which running code is interrupted.
    pub const EPOCH_DEADLINE: u32 = 16;
    /// `*const AtomicU64`: the engine's epoch counter.
    pub const EPOCH_PTR: u32 = 24;
}

/// Size of one value slot in the array calling convention (a little-endian `u128`).
pub const VALRAW_SIZE: u32 = 16;

/// Indices into the builtin table; compiled code calls `builtins[i]` with its VMContext first.
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
    /// `fn(vmctx, addr: *const u32, expected: u32, timeout_ns: i64) -> u32` (a [`super::wait`]
    /// result).
    pub const MEMORY_WAIT32: usize = 10;
    /// `fn(vmctx, addr: *const u64, expected: u64, timeout_ns: i64) -> u32`.
    pub const MEMORY_WAIT64: usize = 11;
    /// `fn(addr: *const u32, count: u32) -> u32` (number of waiters woken).
    pub const MEMORY_NOTIFY: usize = 12;
    /// The number of builtins.
    pub const COUNT: usize = 13;
}

/// Results of the `memory.atomic.wait*` builtins.
pub mod wait {
    /// Woken by `memory.atomic.notify`.
    pub const WOKEN: u32 = 0;
    /// The value was not the expected one.
    pub const NOT_EQUAL: u32 = 1;
    /// The timeout passed.
    pub const TIMED_OUT: u32 = 2;
    /// The store was interrupted (epoch deadline): compiled code traps with `Interrupt`.
    pub const INTERRUPTED: u32 = 3;
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

/// Where each array of a module's VMContext lives.
///
/// After the header: one pointer per memory (to its `VMMemoryDefinition`), one per table
/// (to its `VMTableDefinition`), one per global (to its 16-byte storage), then one inline
/// function reference per function (imports first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VMOffsets {
    pub num_memories: u32,
    pub num_tables: u32,
    pub num_globals: u32,
    pub num_funcs: u32,
}

impl VMOffsets {
    /// The layout of a module with these entity counts (imports included).
    pub fn for_module(info: &crate::loader::info::ModuleInfo) -> VMOffsets {
        VMOffsets {
            num_memories: info.memories.len() as u32,
            num_tables: info.tables.len() as u32,
            num_globals: info.globals.len() as u32,
            num_funcs: info.funcs.len() as u32,
        }
    }
    pub fn memories(&self) -> u32 {
        header::SIZE
    }
    pub fn memory(&self, i: u32) -> u32 {
        self.memories() + POINTER_SIZE * i
    }
    pub fn tables(&self) -> u32 {
        self.memories() + POINTER_SIZE * self.num_memories
    }
    pub fn table(&self, i: u32) -> u32 {
        self.tables() + POINTER_SIZE * i
    }
    pub fn globals(&self) -> u32 {
        self.tables() + POINTER_SIZE * self.num_tables
    }
    pub fn global(&self, i: u32) -> u32 {
        self.globals() + POINTER_SIZE * i
    }
    pub fn func_refs(&self) -> u32 {
        let end = self.globals() + POINTER_SIZE * self.num_globals;
        end.next_multiple_of(16)
    }
    pub fn func_ref(&self, i: u32) -> u32 {
        self.func_refs() + funcref::SIZE * i
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
        assert_eq!(o.size(), o.func_refs() + 4 * funcref::SIZE);
    }
}
