//! `Memory`: a linear memory handle with safe, bounds-checked access from the host.
//!
//! The mapping itself lives in `vm::memory`; this module must not touch raw pointers.

use crate::api::store::Store;
use crate::error::{Error, Phase, Result};
use crate::types::MemoryType;

/// A linear memory in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Memory {
    /// Creates a host-owned memory.
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory> {
        store.inner.new_memory(ty)
    }

    /// The memory's type (its minimum reflects the current size).
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        store.inner.memory(*self).ty()
    }

    /// The current contents.
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        store.inner.memory(*self).data()
    }

    /// The current contents, mutably.
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        store.inner.memory_mut(*self).data_mut()
    }

    /// The current size in 64 KiB pages.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.memory(*self).pages()
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64> {
        store.inner.memory_mut(*self).grow(delta).ok_or_else(|| {
            Error::new(
                Phase::Execution,
                "memory cannot grow by that many pages",
                None,
            )
        })
    }

    /// Copies `buf.len()` bytes starting at `offset` into `buf`.
    pub fn read<T>(&self, store: &Store<T>, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = self.data(store);
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::new(Phase::Execution, "out of bounds memory access", None))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into memory starting at `offset`.
    pub fn write<T>(&self, store: &mut Store<T>, offset: usize, buf: &[u8]) -> Result<()> {
        let data = self.data_mut(store);
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::new(Phase::Execution, "out of bounds memory access", None))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}
