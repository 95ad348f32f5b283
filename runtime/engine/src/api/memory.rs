//! `Memory`: a linear memory handle with safe, bounds-checked access from the host.
//!
//! The mapping itself lives in `vm::memory`; this module must not touch raw pointers.

use crate::api::store::Store;
use crate::engine::Engine;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::MemoryType;

/// A linear memory in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    pub(crate) store_id: u64,
    pub(crate) index: usize,
}

impl Memory {
    /// Creates a host-owned memory.
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory> {
        let index = store.inner.new_memory(ty)?;
        Ok(Memory {
            store_id: store.inner.id,
            index,
        })
    }

    /// The memory's type (its minimum reflects the current size).
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        store.check(self.store_id, "memory");
        store.inner.memory(self.index).ty()
    }

    /// The current contents.
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        store.check(self.store_id, "memory");
        store.inner.memory(self.index).data()
    }

    /// The current contents, mutably.
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        store.check(self.store_id, "memory");
        store.inner.memory_data_mut(self.index)
    }

    /// The current size in 64 KiB pages.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.check(self.store_id, "memory");
        store.inner.memory(self.index).pages()
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64> {
        store.check(self.store_id, "memory");
        store.inner.memory_grow(self.index, delta).ok_or_else(|| {
            Error::coded(
                ErrorCode::Resource,
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
            .ok_or_else(|| {
                Error::coded(
                    ErrorCode::Usage,
                    Phase::Execution,
                    "out of bounds memory access",
                    None,
                )
            })?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into memory starting at `offset`.
    pub fn write<T>(&self, store: &mut Store<T>, offset: usize, buf: &[u8]) -> Result<()> {
        let data = self.data_mut(store);
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| {
                Error::coded(
                    ErrorCode::Usage,
                    Phase::Execution,
                    "out of bounds memory access",
                    None,
                )
            })?;
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
    engine: Engine,
}

impl SharedMemory {
    /// Creates a shared memory (the type must be `shared` with a maximum).
    pub fn new(engine: &Engine, ty: MemoryType) -> Result<SharedMemory> {
        if !ty.shared {
            return Err(Error::coded(
                ErrorCode::Usage,
                Phase::Instantiation,
                "SharedMemory needs a shared memory type",
                None,
            ));
        }
        let shared = engine.shared();
        let mem =
            crate::vm::memory::LinearMemory::new(ty, shared.guard_pages, shared.memory_page_limit)?;
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
            Error::coded(
                ErrorCode::Resource,
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
            return Err(Error::coded(
                ErrorCode::Link,
                Phase::Linking,
                "shared memory belongs to a different engine",
                None,
            ));
        }
        let index = store.inner.attach_shared(self.inner.clone());
        Ok(Memory {
            store_id: store.inner.id,
            index,
        })
    }
}

impl Memory {
    /// The shared memory behind this handle, if it is shared.
    pub fn shared<T>(&self, store: &Store<T>) -> Option<SharedMemory> {
        store.check(self.store_id, "memory");
        Some(SharedMemory {
            inner: store.inner.memory_shared(self.index)?,
            engine: store.engine().clone(),
        })
    }
}

impl Memory {
    /// The memory's bytes and the embedder's data at once (both mutably), for host functions
    /// that read guest memory while updating their own state.
    pub fn data_and_store_mut<'a, T>(&self, store: &'a mut Store<T>) -> (&'a mut [u8], &'a mut T) {
        store.check(self.store_id, "memory");
        let (inner, data) = store.inner_and_data_mut();
        (inner.memory_data_mut(self.index), data)
    }
}
