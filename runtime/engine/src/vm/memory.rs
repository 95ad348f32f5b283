//! Linear memories: address-space reservation with guard pages, growth, and the explicit-check
//! fallback.
//!
//! A guard-page memory reserves `GUARD_RESERVATION` bytes (8 GiB) of inaccessible address
//! space and makes the first `size` (at most 4 GiB) bytes read-write. Compiled code adds a
//! 32-bit index and a 32-bit offset, at most 2^33 - 2: the *first* byte of every access lies
//! inside the reservation, so an access that is out of bounds faults on an inaccessible page
//! (its last byte may lie up to 14 bytes past the reservation, but the fault on the first byte
//! comes first). Compiled code therefore needs no bounds checks, and the base never moves. When the reservation cannot be made (e.g. under `ulimit -v`), the engine
//! uses explicit checks and memories are plain mappings that move when they grow. This module
//! must not know about instances or compiled code beyond `VMMemoryDefinition`.

use crate::vm::vmcontext::VMMemoryDefinition;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::MemoryType;

/// Bytes in a wasm page.
pub(crate) const WASM_PAGE: usize = 65536;
/// The largest number of pages of a 32-bit memory.
pub(crate) const MAX_PAGES32: u64 = 65536;
/// Address space reserved per guard-page memory: 4 GiB addressable + 4 GiB guard.
pub(crate) const GUARD_RESERVATION: usize = 8 << 30;

fn map_none(len: usize) -> Option<*mut u8> {
    // SAFETY: an anonymous, private, inaccessible mapping without a hint; result checked.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    (p != libc::MAP_FAILED).then_some(p as *mut u8)
}

/// True when one guard-page reservation can be made here (it may not under `ulimit -v`).
pub(crate) fn can_reserve_guard_region() -> bool {
    match map_none(GUARD_RESERVATION) {
        Some(p) => {
            // SAFETY: unmapping the probe mapping just created.
            unsafe { libc::munmap(p as *mut _, GUARD_RESERVATION) };
            true
        }
        None => false,
    }
}

/// A shared memory: the `Box` gives the memory (whose definition points back to it) a stable
/// address before it is shared.
#[allow(clippy::redundant_allocation)]
pub(crate) type SharedLinearMemory = std::sync::Arc<Box<LinearMemory>>;

/// A linear memory owned by a store.
pub(crate) struct LinearMemory {
    /// What compiled code reads; boxed so its address is stable.
    def: Box<VMMemoryDefinition>,
    ty: MemoryType,
    /// Start and length of the whole mapping (reservation).
    map_ptr: *mut u8,
    map_len: usize,
    /// The base never moves (guard pages, or a shared memory reserved at its maximum).
    fixed: bool,
    /// The most pages this memory may ever have.
    max_pages: u64,
    /// Serialises growth of shared memories (which several threads may grow at once).
    grow_lock: std::sync::Mutex<()>,
}

// SAFETY: an unshared memory is owned by one store and accessed through its `&mut`; a shared
// memory's only mutation of its own fields is `grow_in_place`, serialised by `grow_lock` with
// the length published atomically.
unsafe impl Send for LinearMemory {}
// SAFETY: see `Send`; shared access only reads fields that never change or are atomic.
unsafe impl Sync for LinearMemory {}

impl LinearMemory {
    /// Allocates a memory of type `ty`: a guard-page reservation with `guard`, otherwise an
    /// exact mapping (explicit checks); at most `page_limit` pages.
    pub(crate) fn new(
        ty: MemoryType,
        guard: bool,
        page_limit: Option<u64>,
    ) -> Result<Box<LinearMemory>> {
        let fail = |m: String| Error::coded(ErrorCode::Resource, Phase::Instantiation, m, None);
        if ty.memory64 {
            return Err(Error::coded(
                ErrorCode::Unsupported,
                Phase::Instantiation,
                "64-bit memories are not supported yet",
                None,
            ));
        }
        if ty.shared && ty.maximum.is_none() {
            return Err(fail("a shared memory must declare a maximum size".into()));
        }
        let mut max_pages = ty.maximum.unwrap_or(MAX_PAGES32).min(MAX_PAGES32);
        if let Some(l) = page_limit {
            max_pages = max_pages.min(l);
        }
        if ty.minimum > max_pages {
            return Err(fail(format!(
                "memory needs {} pages but at most {max_pages} are allowed (memory page limit)",
                ty.minimum
            )));
        }
        let size = ty.minimum as usize * WASM_PAGE;
        let map_len = if guard {
            GUARD_RESERVATION
        } else if ty.shared {
            (max_pages as usize * WASM_PAGE).max(WASM_PAGE)
        } else {
            size.max(WASM_PAGE)
        };
        let map_ptr = map_none(map_len).ok_or_else(|| {
            fail(format!(
                "cannot reserve memory: {}",
                std::io::Error::last_os_error()
            ))
        })?;
        let mut mem = Box::new(LinearMemory {
            def: Box::new(VMMemoryDefinition {
                base: map_ptr,
                length: 0,
                owner: std::ptr::null_mut(),
            }),
            ty,
            map_ptr,
            map_len,
            fixed: guard || ty.shared,
            max_pages,
            grow_lock: std::sync::Mutex::new(()),
        });
        mem.def.owner = &mut *mem;
        if size > 0 {
            mem.commit(size).map_err(fail)?;
        }
        mem.def.length = size;
        Ok(mem)
    }

    fn commit(&self, upto: usize) -> std::result::Result<(), String> {
        // SAFETY: `map_ptr..map_ptr+upto` lies within our mapping (callers check `upto <= map_len`).
        let rc = unsafe {
            libc::mprotect(
                self.map_ptr as *mut _,
                upto,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if rc != 0 {
            return Err(format!(
                "cannot commit linear memory: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(())
    }

    /// The current length, read atomically (shared memories may grow on another thread).
    fn length(&self) -> &AtomicUsize {
        // SAFETY: `def` is boxed, so the field's address is stable, and it is aligned for
        // `usize`; every concurrent writer goes through this atomic view.
        unsafe { AtomicUsize::from_ptr(&self.def.length as *const usize as *mut usize) }
    }

    /// Grows a memory whose base never moves; safe to call from several threads at once.
    pub(crate) fn grow_in_place(&self, delta: u64) -> Option<u64> {
        assert!(
            self.fixed,
            "grow_in_place needs a memory that does not move"
        );
        let _guard = self.grow_lock.lock().unwrap_or_else(|p| p.into_inner());
        let old = (self.length().load(Ordering::SeqCst) / WASM_PAGE) as u64;
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let new_len = new as usize * WASM_PAGE;
        if delta > 0 {
            self.commit(new_len).ok()?;
        }
        self.length().store(new_len, Ordering::SeqCst);
        Some(old)
    }

    /// True for shared memories.
    pub(crate) fn is_shared(&self) -> bool {
        self.ty.shared
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` if it cannot.
    pub(crate) fn grow(&mut self, delta: u64) -> Option<u64> {
        if self.fixed {
            return self.grow_in_place(delta);
        }
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = new as usize * WASM_PAGE;
        // Explicit-check memories are one read-write mapping of exactly their size (at least a
        // page). `mremap` moves the page tables instead of copying bytes, so growing one page
        // at a time stays O(1) per step and untouched pages stay unbacked; the new tail reads
        // as zeroes.
        // SAFETY: `map_ptr..map_ptr+map_len` is our single mapping; with MREMAP_MAYMOVE the
        // kernel either returns a mapping of `new_len` bytes holding the old contents (the old
        // range is then gone) or fails and leaves the old mapping untouched.
        let p = unsafe {
            libc::mremap(
                self.map_ptr as *mut libc::c_void,
                self.map_len,
                new_len.max(WASM_PAGE),
                libc::MREMAP_MAYMOVE,
            )
        };
        if p == libc::MAP_FAILED {
            return None;
        }
        if self.def.length == 0 {
            // The initial page-sized reservation of an empty memory is still inaccessible.
            // SAFETY: `p..p+new_len` is the mapping just returned.
            if unsafe { libc::mprotect(p, new_len, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
                self.map_ptr = p as *mut u8;
                self.map_len = new_len.max(WASM_PAGE);
                self.def.base = self.map_ptr;
                return None;
            }
        }
        self.map_ptr = p as *mut u8;
        self.map_len = new_len.max(WASM_PAGE);
        self.def.base = self.map_ptr;
        self.def.length = new_len;
        Some(old)
    }

    /// The current size in pages.
    pub(crate) fn pages(&self) -> u64 {
        (self.length().load(Ordering::SeqCst) / WASM_PAGE) as u64
    }

    /// The type, with the minimum set to the current size.
    pub(crate) fn ty(&self) -> MemoryType {
        MemoryType {
            minimum: self.pages(),
            ..self.ty
        }
    }

    /// The accessible bytes.
    pub(crate) fn data(&self) -> &[u8] {
        let len = self.length().load(Ordering::SeqCst);
        if len == 0 {
            return &[];
        }
        // SAFETY: `base..base+len` is committed read-write memory owned by `self` (for a shared
        // memory other threads' wasm code may write it concurrently, as wasm allows).
        unsafe { std::slice::from_raw_parts(self.def.base, len) }
    }

    /// The accessible bytes, mutably.
    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        let len = self.length().load(Ordering::SeqCst);
        if len == 0 {
            return &mut [];
        }
        // SAFETY: as in `data`; `&mut self` guarantees exclusive host access for an unshared
        // memory (a shared one is racy with other threads' wasm code by design).
        unsafe { std::slice::from_raw_parts_mut(self.def.base, len) }
    }

    /// The first byte and the current length, for builtins that must not create a `&mut` to
    /// a memory other threads may use at the same time.
    pub(crate) fn raw_data(&self) -> (*mut u8, usize) {
        (self.def.base, self.length().load(Ordering::SeqCst))
    }

    /// The definition compiled code reads.
    pub(crate) fn definition(&self) -> *mut VMMemoryDefinition {
        &*self.def as *const VMMemoryDefinition as *mut VMMemoryDefinition
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; no compiled code can use it after the store drops.
        unsafe { libc::munmap(self.map_ptr as *mut _, self.map_len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grow_respects_maximum_and_keeps_data() {
        for guard in [true, false] {
            let mut m = LinearMemory::new(MemoryType::new(1, Some(3)), guard, None).unwrap();
            m.data_mut()[100] = 7;
            assert_eq!(m.grow(1), Some(1));
            assert_eq!(m.data()[100], 7);
            assert_eq!(m.pages(), 2);
            assert_eq!(m.grow(2), None);
            assert_eq!(m.grow(1), Some(2));
            assert_eq!(m.data().len(), 3 * WASM_PAGE);
        }
    }

    #[test]
    fn explicit_memory_grows_page_by_page_from_empty_keeping_data() {
        // 4,096 single-page steps (256 MiB): cheap because growth remaps instead of copying.
        let mut m = LinearMemory::new(MemoryType::new(0, None), false, None).unwrap();
        assert_eq!(m.data().len(), 0);
        for i in 0..4096u64 {
            assert_eq!(m.grow(1), Some(i));
            let last = m.data().len() - 1;
            assert_eq!(m.data()[last], 0, "a new page reads as zeroes");
            m.data_mut()[last] = (i % 251) as u8 + 1;
        }
        for i in (0..4096usize).step_by(97) {
            assert_eq!(m.data()[(i + 1) * WASM_PAGE - 1], (i % 251) as u8 + 1);
        }
    }

    #[test]
    fn page_limit_caps_growth() {
        let mut m = LinearMemory::new(MemoryType::new(1, None), false, Some(2)).unwrap();
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(1), None);
    }
}
