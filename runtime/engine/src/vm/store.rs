//! `StoreInner`: the non-generic part of a store. Owns instances (with their VMContexts),
//! functions, memories, tables, globals, host-function contexts and the host values behind
//! `externref`s; everything is named by its index. `VmStore` is how the VM reaches a whole
//! store (the embedder's `Store<T>`) without knowing its type.
//!
//! Entities are never freed before the store, so raw pointers into them stay valid for as long
//! as any instance can use them. Must not run wasm code, and must not know the embedding API's
//! handle or value types (the API converts).

use crate::vm::engine::EngineShared;
use crate::vm::host::HostContext;
use crate::vm::memory::{LinearMemory, SharedLinearMemory};
use crate::vm::module::CompiledModule;
use crate::vm::table::VmTable;
use crate::vm::vmcontext::{VMFuncRef, VMGlobal, VMStoreContext};
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmedge_environ::error::Result;
use wasmedge_environ::types::{FuncType, GlobalType, MemoryType, TableType};
use wasmedge_environ::vmabi::VMOffsets;

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// A whole store, as the VM sees it while it runs wasm: its inner part, and itself as `Any`
/// for host functions (which know the embedder's type and downcast).
pub(crate) trait VmStore: Any {
    fn vm(&mut self) -> &mut StoreInner;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A host value carried by `externref`.
pub(crate) type HostValue = Arc<dyn Any + Send + Sync>;

/// An entity of an instance, by its index in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VmExtern {
    Func(usize),
    Table(usize),
    Memory(usize),
    Global(usize),
}

/// A function known to the store.
pub(crate) struct FuncData {
    /// The function reference compiled code uses for it.
    pub(crate) func_ref: *const VMFuncRef,
    /// Its engine signature id.
    pub(crate) type_id: u32,
    /// True for host functions (called directly, not through the entry stub).
    pub(crate) host: bool,
}

/// A memory in the store: owned by it, or shared with other stores (and threads).
pub(crate) enum MemoryEntry {
    Owned(Box<LinearMemory>),
    Shared(SharedLinearMemory),
}

/// A global owned by the store.
pub(crate) struct GlobalData {
    pub(crate) def: Box<VMGlobal>,
    pub(crate) ty: GlobalType,
}

/// An instance: its module, VMContext and exports.
pub(crate) struct InstanceData {
    pub(crate) module: Arc<CompiledModule>,
    /// The VMContext, 16-byte aligned; its address never changes. Compiled code, function
    /// references and builtins reach it only through raw pointers, so it is only kept alive.
    #[expect(dead_code, reason = "owned for its address; read through raw pointers")]
    pub(crate) vmctx: Box<[u128]>,
    pub(crate) exports: Vec<(String, VmExtern)>,
    /// Raw items of each element segment (emptied by `elem.drop` and after active init).
    pub(crate) elements: Vec<Vec<usize>>,
    /// Which data segments were dropped (`data.drop`, or applied as active segments).
    pub(crate) data_dropped: Vec<bool>,
    /// Where each array of the VMContext lives.
    pub(crate) offsets: VMOffsets,
}

/// The store's state (everything but the user data).
pub(crate) struct StoreInner {
    pub(crate) id: u64,
    pub(crate) engine: Arc<EngineShared>,
    pub(crate) ctx: Box<VMStoreContext>,
    pub(crate) instances: Vec<InstanceData>,
    pub(crate) funcs: Vec<FuncData>,
    memories: Vec<MemoryEntry>,
    #[expect(
        clippy::vec_box,
        reason = "stable addresses: compiled code points into each"
    )]
    pub(crate) tables: Vec<Box<VmTable>>,
    globals: Vec<GlobalData>,
    /// Host function contexts, kept alive for the store's lifetime.
    #[expect(
        clippy::vec_box,
        reason = "stable addresses: function references point into each"
    )]
    pub(crate) host_contexts: Vec<Box<HostContext>>,
    /// Host contexts whose `wasm_call` is not known yet (no trampoline for their signature when
    /// they were made); filled before any instance can reach them (`fill_host_trampolines`).
    pub(crate) unfilled_hosts: Vec<usize>,
    /// Maps a `VMFuncRef` address back to its function.
    pub(crate) funcref_index: HashMap<usize, usize>,
    /// Host values of `externref`s; a raw externref is its index plus one (0 is null).
    externrefs: Vec<HostValue>,
    /// The error a host function reported, waiting for the trap to reach the caller.
    pub(crate) pending_error: Option<wasmedge_environ::Error>,
    /// Nesting depth of host → wasm calls.
    pub(crate) call_depth: u32,
    /// Time spent in host functions, when measured.
    pub(crate) host_time: Option<std::time::Duration>,
    /// The last fuel budget set.
    pub(crate) fuel_budget: u64,
}

// SAFETY: the raw pointers in a store point into memory the store owns; a store moves between
// threads only as a whole (by `&mut` or by value).
unsafe impl Send for StoreInner {}

impl StoreInner {
    pub(crate) fn new(engine: Arc<EngineShared>) -> StoreInner {
        let epoch_ptr: *const AtomicU64 = &engine.epoch;
        StoreInner {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            engine,
            ctx: Box::new(VMStoreContext {
                stack_limit: 0,
                fuel: 0,
                epoch_deadline: u64::MAX,
                epoch_ptr,
                store: None,
                store_inner: std::ptr::null_mut(),
            }),
            instances: Vec::new(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            host_contexts: Vec::new(),
            unfilled_hosts: Vec::new(),
            funcref_index: HashMap::new(),
            externrefs: Vec::new(),
            pending_error: None,
            call_depth: 0,
            host_time: None,
            fuel_budget: 0,
        }
    }

    // ---- functions ----

    /// Registers a function and returns its index.
    pub(crate) fn push_func(
        &mut self,
        func_ref: *const VMFuncRef,
        type_id: u32,
        host: bool,
    ) -> usize {
        let index = self.funcs.len();
        self.funcs.push(FuncData {
            func_ref,
            type_id,
            host,
        });
        self.funcref_index.insert(func_ref as usize, index);
        index
    }

    /// The function's type.
    pub(crate) fn func_type(&self, f: usize) -> FuncType {
        self.engine.signature(self.funcs[f].type_id)
    }

    /// The raw reference compiled code uses for function `f`.
    pub(crate) fn func_to_raw(&self, f: usize) -> usize {
        self.funcs[f].func_ref as usize
    }

    /// The function a raw function reference names (`None` for null or unknown values).
    pub(crate) fn func_from_raw(&self, raw: usize) -> Option<usize> {
        self.funcref_index.get(&raw).copied()
    }

    // ---- externrefs ----

    /// The raw form of a host value carried by `externref`.
    pub(crate) fn externref_to_raw(&mut self, v: HostValue) -> usize {
        self.externrefs.push(v);
        self.externrefs.len()
    }

    /// The host value of a raw `externref` (`None` for null or unknown values).
    pub(crate) fn externref_from_raw(&self, raw: usize) -> Option<HostValue> {
        raw.checked_sub(1)
            .and_then(|i| self.externrefs.get(i))
            .cloned()
    }

    // ---- instances ----

    pub(crate) fn instance_export(&self, instance: usize, name: &str) -> Option<VmExtern> {
        self.instances
            .get(instance)?
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }

    pub(crate) fn instance_exports(&self, instance: usize) -> Vec<(String, VmExtern)> {
        self.instances
            .get(instance)
            .map(|i| i.exports.clone())
            .unwrap_or_default()
    }

    // ---- memories ----

    pub(crate) fn new_memory(&mut self, ty: MemoryType) -> Result<usize> {
        let m = LinearMemory::new(ty, self.engine.guard_pages, self.engine.memory_page_limit)?;
        self.memories.push(if ty.shared {
            MemoryEntry::Shared(Arc::new(m))
        } else {
            MemoryEntry::Owned(m)
        });
        Ok(self.memories.len() - 1)
    }

    /// Makes a shared memory usable in this store.
    pub(crate) fn attach_shared(&mut self, m: SharedLinearMemory) -> usize {
        self.memories.push(MemoryEntry::Shared(m));
        self.memories.len() - 1
    }

    pub(crate) fn memory(&self, m: usize) -> &LinearMemory {
        match &self.memories[m] {
            MemoryEntry::Owned(b) => b,
            MemoryEntry::Shared(a) => a,
        }
    }

    /// The shared memory behind `m`, if it is one.
    pub(crate) fn memory_shared(&self, m: usize) -> Option<SharedLinearMemory> {
        match &self.memories[m] {
            MemoryEntry::Shared(a) => Some(a.clone()),
            MemoryEntry::Owned(_) => None,
        }
    }

    /// The bytes of memory `m`, mutably.
    pub(crate) fn memory_data_mut(&mut self, m: usize) -> &mut [u8] {
        match &mut self.memories[m] {
            MemoryEntry::Owned(b) => b.data_mut(),
            MemoryEntry::Shared(a) => {
                let (ptr, len) = a.raw_data();
                if len == 0 {
                    return &mut [];
                }
                // SAFETY: the bytes are committed memory that lives as long as the Arc; for a
                // shared memory, writes racing with other threads are what wasm's shared-memory
                // model allows (the host sees the same memory wasm threads do).
                unsafe { std::slice::from_raw_parts_mut(ptr, len) }
            }
        }
    }

    /// Grows memory `m`; returns the old size in pages.
    pub(crate) fn memory_grow(&mut self, m: usize, delta: u64) -> Option<u64> {
        match &mut self.memories[m] {
            MemoryEntry::Owned(b) => b.grow(delta),
            MemoryEntry::Shared(a) => a.grow_in_place(delta),
        }
    }

    // ---- tables ----

    /// A table of type `ty` with every element set to the raw reference `init`.
    pub(crate) fn new_table(&mut self, ty: TableType, init: usize) -> Result<usize> {
        self.tables.push(VmTable::new(ty, init)?);
        Ok(self.tables.len() - 1)
    }

    pub(crate) fn table(&mut self, t: usize) -> &mut VmTable {
        &mut self.tables[t]
    }

    pub(crate) fn table_ref(&self, t: usize) -> &VmTable {
        &self.tables[t]
    }

    // ---- globals ----

    /// A global with raw initial bits.
    pub(crate) fn new_global(&mut self, ty: GlobalType, bits: u128) -> usize {
        self.globals.push(GlobalData {
            def: Box::new(VMGlobal { bits }),
            ty,
        });
        self.globals.len() - 1
    }

    pub(crate) fn global_type(&self, g: usize) -> GlobalType {
        self.globals[g].ty
    }

    pub(crate) fn global_bits(&self, g: usize) -> u128 {
        self.globals[g].def.bits
    }

    pub(crate) fn set_global_bits(&mut self, g: usize, bits: u128) {
        self.globals[g].def.bits = bits;
    }

    /// The address of a global's storage.
    pub(crate) fn global_ptr(&mut self, g: usize) -> *mut VMGlobal {
        &mut *self.globals[g].def
    }

    // ---- host functions ----

    /// Fills the `wasm_call` of host functions made before any module of their signature was
    /// known. Runs before every instantiation: an instance can only call a host function whose
    /// type its module declares, and every module's wasm-to-host trampolines are registered
    /// with the engine when the module is created.
    pub(crate) fn fill_host_trampolines(&mut self) {
        let engine = self.engine.clone();
        self.unfilled_hosts.retain(|&i| {
            let ctx = &mut self.host_contexts[i];
            match engine.host_trampoline(ctx.func_ref.type_id) {
                Some(code) => {
                    ctx.func_ref.wasm_call = code;
                    false
                }
                None => true,
            }
        });
    }
}
