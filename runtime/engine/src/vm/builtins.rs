//! Functions that compiled code calls through the VMContext's builtin table (so the machine code
//! needs no relocations): memory and table growth, the bulk-memory and table operators, and
//! segment drops.
//!
//! Each builtin receives the calling instance's VMContext. Bulk operations check bounds before
//! writing anything and report "out of bounds" as a return value of 1, which compiled code turns
//! into a trap. Builtins must not panic or unwind.

use crate::vm::memory::LinearMemory;
use crate::vm::store::{InstanceData, StoreInner};
use crate::vm::table::VmTable;
use crate::vm::vmcontext::{BuiltinFn, VMMemoryDefinition, VMStoreContext, VMTableDefinition};
use wasmedge_environ::vmabi::{builtin, header};

/// A `[BuiltinFn; COUNT]` that may live in a static.
#[repr(transparent)]
pub(crate) struct BuiltinTable([BuiltinFn; builtin::COUNT]);
// SAFETY: the table only holds addresses of functions; it is never written.
unsafe impl Sync for BuiltinTable {}

/// The table whose address every VMContext holds, in `builtin::*` order.
pub(crate) static BUILTINS: BuiltinTable = BuiltinTable([
    memory_grow as *const u8,
    memory_copy as *const u8,
    memory_fill as *const u8,
    memory_init as *const u8,
    data_drop as *const u8,
    table_grow as *const u8,
    table_fill as *const u8,
    table_copy as *const u8,
    table_init as *const u8,
    elem_drop as *const u8,
    memory_wait32 as *const u8,
    memory_wait64 as *const u8,
    memory_notify as *const u8,
]);

const OK: u32 = 0;
const OUT_OF_BOUNDS: u32 = 1;

/// The memory `index` of the instance owning `vmctx`. A raw pointer: a shared memory may be
/// used by other threads at the same time, so only `&` may be made of it.
///
/// # Safety
/// `vmctx` must be a live VMContext of a store running wasm and `index` a valid memory index
/// of its module.
unsafe fn memory(vmctx: *mut u8, index: u32) -> *mut LinearMemory {
    // SAFETY: the instance's own layout places the memory slot; each slot points to a live
    // definition whose owner is the memory.
    unsafe {
        let off = instance(vmctx).offsets.memory(index);
        let def = *(vmctx.add(off as usize) as *const *mut VMMemoryDefinition);
        (*def).owner
    }
}

/// The accessible bytes of memory `index`, as a raw region.
///
/// # Safety
/// As for `memory`.
unsafe fn memory_region(vmctx: *mut u8, index: u32) -> (*mut u8, usize) {
    // SAFETY: caller's contract; `raw_data` only reads.
    unsafe { (*memory(vmctx, index)).raw_data() }
}

/// The instance owning `vmctx`, and its store.
///
/// # Safety
/// `vmctx` must be a live VMContext of a store that is currently running wasm.
unsafe fn instance<'a>(vmctx: *mut u8) -> &'a mut InstanceData {
    // SAFETY: the header holds the store context (whose `store_inner` is set for the duration of
    // every call into wasm) and the instance's index in that store.
    unsafe {
        let sctx = *(vmctx.add(header::STORE_CTX as usize) as *const *mut VMStoreContext);
        let inner: &mut StoreInner = &mut *(*sctx).store_inner;
        let index = *(vmctx.add(header::INSTANCE as usize) as *const usize);
        &mut inner.instances[index]
    }
}

/// The table `index` of the instance owning `vmctx`.
///
/// # Safety
/// As for `instance`, and `index` must be a valid table index.
unsafe fn table<'a>(vmctx: *mut u8, index: u32) -> &'a mut VmTable {
    // SAFETY: caller's contract; the offsets come from the instance's own layout.
    unsafe {
        let off = instance(vmctx).offsets.table(index);
        let def = *(vmctx.add(off as usize) as *const *mut VMTableDefinition);
        &mut *(*def).owner
    }
}

/// `start..start+len` if it lies within `size`.
fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

unsafe extern "C" fn memory_grow(vmctx: *mut u8, mem: u32, delta: u32) -> u32 {
    // SAFETY: called by compiled code with its own VMContext and a validated index.
    let m = unsafe { memory(vmctx, mem) };
    // SAFETY: `m` is live. Other threads may grow a shared memory too: only a shared reference
    // is made of it. An unshared memory belongs to the store running this code, which no one
    // else touches while wasm runs.
    let grown = unsafe {
        if (*m).is_shared() {
            (*m).grow_in_place(u64::from(delta))
        } else {
            (*m).grow(u64::from(delta))
        }
    };
    grown.map_or(u32::MAX, |old| old as u32)
}

/// True once the engine's epoch has reached the deadline of the store running `vmctx`.
///
/// # Safety
/// `vmctx` must be a live VMContext (its store context outlives the call).
unsafe fn store_interrupted(vmctx: *mut u8) -> bool {
    // SAFETY: the header holds the store context, whose epoch pointer is the engine's counter
    // (the engine outlives every store).
    unsafe {
        let sctx = *(vmctx.add(header::STORE_CTX as usize) as *const *const VMStoreContext);
        let epoch = (*(*sctx).epoch_ptr).load(std::sync::atomic::Ordering::SeqCst);
        epoch >= (*sctx).epoch_deadline
    }
}

unsafe extern "C" fn memory_wait32(
    vmctx: *mut u8,
    addr: *const u32,
    expected: u32,
    timeout: i64,
) -> u32 {
    crate::vm::parking::wait(
        addr as usize,
        || {
            // SAFETY: compiled code passes a bounds- and alignment-checked address in a shared
            // memory.
            unsafe { std::sync::atomic::AtomicU32::from_ptr(addr as *mut u32) }
                .load(std::sync::atomic::Ordering::SeqCst)
                == expected
        },
        timeout,
        // SAFETY: compiled code passes its own VMContext.
        || unsafe { store_interrupted(vmctx) },
    )
}

unsafe extern "C" fn memory_wait64(
    vmctx: *mut u8,
    addr: *const u64,
    expected: u64,
    timeout: i64,
) -> u32 {
    crate::vm::parking::wait(
        addr as usize,
        || {
            // SAFETY: as for `memory_wait32`.
            unsafe { std::sync::atomic::AtomicU64::from_ptr(addr as *mut u64) }
                .load(std::sync::atomic::Ordering::SeqCst)
                == expected
        },
        timeout,
        // SAFETY: as for `memory_wait32`.
        || unsafe { store_interrupted(vmctx) },
    )
}

unsafe extern "C" fn memory_notify(addr: *const u32, count: u32) -> u32 {
    crate::vm::parking::notify(addr as usize, count)
}

unsafe extern "C" fn memory_copy(
    vmctx: *mut u8,
    dst_mem: u32,
    src_mem: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    // SAFETY: validated indices; the memories may be the same, so only raw regions are taken.
    let ((dp, dlen), (sp, slen)) =
        unsafe { (memory_region(vmctx, dst_mem), memory_region(vmctx, src_mem)) };
    let (Some(dr), Some(sr)) = (range(dst, len, dlen), range(src, len, slen)) else {
        return OUT_OF_BOUNDS;
    };
    // SAFETY: both ranges are in bounds of their accessible regions; `copy` allows overlap.
    unsafe { std::ptr::copy(sp.add(sr.start), dp.add(dr.start), dr.len()) };
    OK
}

unsafe extern "C" fn memory_fill(vmctx: *mut u8, mem: u32, dst: u64, val: u32, len: u64) -> u32 {
    // SAFETY: validated index.
    let (ptr, size) = unsafe { memory_region(vmctx, mem) };
    match range(dst, len, size) {
        Some(r) => {
            // SAFETY: `r` is in bounds of the accessible region.
            unsafe { std::ptr::write_bytes(ptr.add(r.start), val as u8, r.len()) };
            OK
        }
        None => OUT_OF_BOUNDS,
    }
}

unsafe extern "C" fn memory_init(
    vmctx: *mut u8,
    mem: u32,
    data: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: called from wasm of this instance; indices validated.
    let (inst, (ptr, size)) = unsafe { (instance(vmctx), memory_region(vmctx, mem)) };
    let bytes: &[u8] = if inst.data_dropped[data as usize] {
        &[]
    } else {
        &inst.module.data[data as usize]
    };
    let (Some(sr), Some(dr)) = (
        range(u64::from(src), u64::from(len), bytes.len()),
        range(dst, u64::from(len), size),
    ) else {
        return OUT_OF_BOUNDS;
    };
    // SAFETY: `dr` is in bounds of the memory, `sr` of the segment; they never overlap.
    unsafe { std::ptr::copy_nonoverlapping(bytes[sr].as_ptr(), ptr.add(dr.start), dr.len()) };
    OK
}

unsafe extern "C" fn data_drop(vmctx: *mut u8, data: u32) {
    // SAFETY: called from wasm of this instance; index validated.
    unsafe { instance(vmctx) }.data_dropped[data as usize] = true;
}

unsafe extern "C" fn table_grow(vmctx: *mut u8, t: u32, delta: u32, init: u64) -> u32 {
    // SAFETY: validated index.
    let t = unsafe { table(vmctx, t) };
    t.grow(u64::from(delta), init as usize)
        .map_or(u32::MAX, |old| old as u32)
}

unsafe extern "C" fn table_fill(vmctx: *mut u8, t: u32, dst: u32, val: u64, len: u32) -> u32 {
    // SAFETY: validated index.
    let t = unsafe { table(vmctx, t) };
    let elems = t.elements_mut();
    match range(u64::from(dst), u64::from(len), elems.len()) {
        Some(r) => {
            elems[r].fill(val as usize);
            OK
        }
        None => OUT_OF_BOUNDS,
    }
}

unsafe extern "C" fn table_copy(
    vmctx: *mut u8,
    dst_t: u32,
    src_t: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: validated indices; raw pointers because the tables may be the same.
    let (d, s) = unsafe {
        (
            table(vmctx, dst_t) as *mut VmTable,
            table(vmctx, src_t) as *mut VmTable,
        )
    };
    // SAFETY: both point to live tables.
    let (dlen, slen) = unsafe { ((*d).len(), (*s).len()) };
    let (Some(dr), Some(sr)) = (
        range(u64::from(dst), u64::from(len), dlen),
        range(u64::from(src), u64::from(len), slen),
    ) else {
        return OUT_OF_BOUNDS;
    };
    // SAFETY: in-bounds ranges; `copy` allows overlap.
    unsafe {
        let sp = (*s).elements_mut().as_ptr().add(sr.start);
        let dp = (*d).elements_mut().as_mut_ptr().add(dr.start);
        std::ptr::copy(sp, dp, dr.len());
    }
    OK
}

unsafe extern "C" fn table_init(
    vmctx: *mut u8,
    t: u32,
    elem: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: called from wasm of this instance; indices validated.
    let (inst, t) = unsafe { (instance(vmctx), table(vmctx, t)) };
    let items = &inst.elements[elem as usize];
    let elems = t.elements_mut();
    let (Some(sr), Some(dr)) = (
        range(u64::from(src), u64::from(len), items.len()),
        range(u64::from(dst), u64::from(len), elems.len()),
    ) else {
        return OUT_OF_BOUNDS;
    };
    elems[dr].copy_from_slice(&items[sr]);
    OK
}

unsafe extern "C" fn elem_drop(vmctx: *mut u8, elem: u32) {
    // SAFETY: called from wasm of this instance; index validated.
    unsafe { instance(vmctx) }.elements[elem as usize] = Vec::new();
}
