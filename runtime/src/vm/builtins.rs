//! Functions that compiled code calls through the VMContext's builtin table (so the machine code
//! needs no relocations): currently `memory.grow`.
//!
//! Each builtin receives the calling instance's VMContext. Builtins must not panic or unwind:
//! they report failure through their return value.

use crate::vm::layout::{BuiltinFn, VMMemoryDefinition, builtin, header};

/// The table whose address every VMContext holds.
pub static BUILTINS: BuiltinTable = BuiltinTable([memory_grow as *const u8]);

/// A `[BuiltinFn; COUNT]` that may live in a static.
#[repr(transparent)]
pub struct BuiltinTable(pub [BuiltinFn; builtin::COUNT]);
// SAFETY: the table only holds addresses of functions; it is never written.
unsafe impl Sync for BuiltinTable {}

/// `memory.grow`: returns the old size in pages or `u32::MAX`.
unsafe extern "C" fn memory_grow(vmctx: *mut u8, memory: u32, delta: u32) -> u32 {
    // SAFETY: `vmctx` is the live VMContext of the calling instance; `memory` was validated, so
    // the slot holds a pointer to a live `VMMemoryDefinition` whose `owner` is its memory.
    let result = unsafe {
        let def = *(vmctx.add(header::SIZE as usize + 8 * memory as usize)
            as *const *mut VMMemoryDefinition);
        (*(*def).owner).grow(u64::from(delta))
    };
    result.map_or(u32::MAX, |old| old as u32)
}
