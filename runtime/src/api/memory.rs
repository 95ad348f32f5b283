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
        store.inner.memory_data_mut(*self)
    }

    /// The current size in 64 KiB pages.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.memory(*self).pages()
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64> {
        store.inner.memory_grow(*self, delta).ok_or_else(|| {
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

/// A shared linear memory: instances in several stores, on several threads, can import it.
///
/// Get one from [`Memory::shared`] (for a memory a module defined as `shared`) or create it with
/// [`SharedMemory::new`], then make it usable in each thread's store with
/// [`SharedMemory::attach`]. Growth is synchronised; reads and writes are not (wasm's atomics are
/// how guests synchronise).
#[derive(Clone)]
pub struct SharedMemory {
    inner: crate::vm::memory::SharedLinearMemory,
    engine: crate::config::Engine,
}

impl SharedMemory {
    /// Creates a shared memory (the type must be `shared` with a maximum).
    pub fn new(engine: &crate::config::Engine, ty: MemoryType) -> Result<SharedMemory> {
        if !ty.shared {
            return Err(Error::new(
                Phase::Instantiation,
                "SharedMemory needs a shared memory type",
                None,
            ));
        }
        let mem = crate::vm::memory::LinearMemory::new(
            ty,
            engine.memory_strategy(),
            engine.config().memory_page_limit,
        )?;
        Ok(SharedMemory {
            inner: std::sync::Arc::new(mem),
            engine: engine.clone(),
        })
    }

    /// The memory's type (its minimum reflects the current size).
    pub fn ty(&self) -> MemoryType {
        self.inner.ty()
    }

    /// The current size in pages.
    pub fn size(&self) -> u64 {
        self.inner.pages()
    }

    /// Grows by `delta` pages; returns the previous size.
    pub fn grow(&self, delta: u64) -> Result<u64> {
        self.inner.grow_in_place(delta).ok_or_else(|| {
            Error::new(
                Phase::Execution,
                "memory cannot grow by that many pages",
                None,
            )
        })
    }

    /// The current contents (other threads may write them concurrently).
    pub fn data(&self) -> &[u8] {
        self.inner.data()
    }

    /// Makes this memory usable (importable) in `store`, which must belong to the same engine.
    pub fn attach<T>(&self, store: &mut Store<T>) -> Result<Memory> {
        if !self.engine.same(store.engine()) {
            return Err(Error::new(
                Phase::Linking,
                "shared memory belongs to a different engine",
                None,
            ));
        }
        Ok(store.inner.attach_shared(self.inner.clone()))
    }
}

impl Memory {
    /// The shared memory behind this handle, if it is shared.
    pub fn shared<T>(&self, store: &Store<T>) -> Option<SharedMemory> {
        Some(SharedMemory {
            inner: store.inner.memory_shared(*self)?,
            engine: store.engine().clone(),
        })
    }
}
