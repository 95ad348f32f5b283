//! `StoreInner`: the non-generic part of a store. Owns instances (with their VMContexts),
//! functions, memories, tables, globals, host-function contexts and `externref` boxes, and
//! converts between API values and the raw representations compiled code uses.
//!
//! Entities are never freed before the store, so raw pointers into them stay valid for as long
//! as any instance can use them. Must not run wasm code.

use crate::api::{Extern, func::Func, global::Global, memory::Memory, table::Table};
use crate::config::Engine;
use crate::error::{Error, Phase, Result};
use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
use crate::values::{ExternRef, Val};
use crate::vm::layout::{VMFuncRef, VMGlobal, VMStoreContext};
use crate::vm::memory::LinearMemory;
use crate::vm::module::CompiledModule;
use crate::vm::table::VmTable;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// A function known to the store.
pub struct FuncData {
    /// The function reference compiled code uses for it.
    pub func_ref: *const VMFuncRef,
    /// Its engine signature id.
    pub type_id: u32,
    /// True for host functions (called directly, not through the entry stub).
    pub host: bool,
}

/// A memory in the store: owned by it, or shared with other stores (and threads).
pub enum MemoryEntry {
    Owned(Box<LinearMemory>),
    Shared(crate::vm::memory::SharedLinearMemory),
}

/// A global owned by the store.
pub struct GlobalData {
    pub def: Box<VMGlobal>,
    pub ty: GlobalType,
}

/// An instance: its module, VMContext and exports.
pub struct InstanceData {
    pub module: Arc<CompiledModule>,
    /// The VMContext, 16-byte aligned; its address never changes.
    pub vmctx: Box<[u128]>,
    pub exports: Vec<(String, Extern)>,
    /// Raw items of each element segment (emptied by `elem.drop` and after active init).
    pub elements: Vec<Vec<usize>>,
    /// Which data segments were dropped (`data.drop`, or applied as active segments).
    pub data_dropped: Vec<bool>,
    /// Where each array of the VMContext lives.
    pub offsets: crate::vm::layout::VMOffsets,
}

/// The store's state (everything but the user data `T`).
pub struct StoreInner {
    pub id: u64,
    pub engine: Engine,
    pub ctx: Box<VMStoreContext>,
    pub instances: Vec<InstanceData>,
    pub funcs: Vec<FuncData>,
    pub memories: Vec<MemoryEntry>,
    pub tables: Vec<Box<VmTable>>,
    pub globals: Vec<GlobalData>,
    /// Host function contexts, kept alive for the store's lifetime.
    pub host_contexts: Vec<Box<dyn Any>>,
    /// Maps a `VMFuncRef` address back to its function.
    pub funcref_index: HashMap<usize, usize>,
    /// `externref` values; a raw externref is the address of one of these boxes.
    pub externrefs: Vec<Box<ExternRef>>,
    /// The error a host function reported, waiting for the trap to reach the caller.
    pub pending_error: Option<Error>,
    /// Nesting depth of host → wasm calls.
    pub call_depth: u32,
    /// Time spent in host functions, when measured (`Store::measure_host_time`).
    pub host_time: Option<std::time::Duration>,
    /// The last budget given to `Store::set_fuel`.
    pub fuel_budget: u64,
}

// SAFETY: the raw pointers in a store point into memory the store owns; a store moves between
// threads only as a whole (by `&mut` or by value).
unsafe impl Send for StoreInner {}

impl StoreInner {
    pub fn new(engine: &Engine) -> StoreInner {
        StoreInner {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            engine: engine.clone(),
            ctx: Box::new(VMStoreContext {
                stack_limit: 0,
                fuel: 0,
                epoch_deadline: u64::MAX,
                store: std::ptr::null_mut(),
                store_inner: std::ptr::null_mut(),
                epoch_ptr: &engine.inner.epoch,
            }),
            instances: Vec::new(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            host_contexts: Vec::new(),
            funcref_index: HashMap::new(),
            externrefs: Vec::new(),
            pending_error: None,
            call_depth: 0,
            host_time: None,
            fuel_budget: 0,
        }
    }

    fn check(&self, store_id: u64, what: &str) {
        assert_eq!(
            store_id, self.id,
            "{what} used with a store it does not belong to"
        );
    }

    /// Registers a function and returns its handle.
    pub fn push_func(&mut self, func_ref: *const VMFuncRef, type_id: u32, host: bool) -> Func {
        let index = self.funcs.len();
        self.funcs.push(FuncData {
            func_ref,
            type_id,
            host,
        });
        self.funcref_index.insert(func_ref as usize, index);
        Func {
            store_id: self.id,
            index,
        }
    }

    pub fn func_data(&self, f: Func) -> &FuncData {
        self.check(f.store_id, "function");
        &self.funcs[f.index]
    }

    pub fn func_type(&self, f: Func) -> FuncType {
        self.engine.signature(self.func_data(f).type_id)
    }

    pub fn instance_export(&self, instance: usize, name: &str) -> Option<Extern> {
        self.instances[instance]
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
    }

    pub fn instance_exports(&self, instance: usize) -> Vec<(String, Extern)> {
        self.instances[instance].exports.clone()
    }

    // ---- memories ----

    pub fn new_memory(&mut self, ty: MemoryType) -> Result<Memory> {
        let m = LinearMemory::new(
            ty,
            self.engine.memory_strategy(),
            self.engine.config().memory_page_limit,
        )?;
        self.memories.push(if ty.shared {
            MemoryEntry::Shared(Arc::new(m))
        } else {
            MemoryEntry::Owned(m)
        });
        Ok(Memory {
            store_id: self.id,
            index: self.memories.len() - 1,
        })
    }

    /// Makes a shared memory usable in this store.
    pub fn attach_shared(&mut self, m: crate::vm::memory::SharedLinearMemory) -> Memory {
        self.memories.push(MemoryEntry::Shared(m));
        Memory {
            store_id: self.id,
            index: self.memories.len() - 1,
        }
    }

    fn memory_entry(&self, m: Memory) -> &MemoryEntry {
        self.check(m.store_id, "memory");
        &self.memories[m.index]
    }

    pub fn memory(&self, m: Memory) -> &LinearMemory {
        match self.memory_entry(m) {
            MemoryEntry::Owned(b) => b,
            MemoryEntry::Shared(a) => a,
        }
    }

    /// The shared memory behind `m`, if it is one.
    pub fn memory_shared(&self, m: Memory) -> Option<crate::vm::memory::SharedLinearMemory> {
        match self.memory_entry(m) {
            MemoryEntry::Shared(a) => Some(a.clone()),
            MemoryEntry::Owned(_) => None,
        }
    }

    /// The bytes of memory `m`, mutably.
    pub fn memory_data_mut(&mut self, m: Memory) -> &mut [u8] {
        self.check(m.store_id, "memory");
        match &mut self.memories[m.index] {
            MemoryEntry::Owned(b) => b.data_mut(),
            MemoryEntry::Shared(a) => {
                let d = a.data();
                // SAFETY: the bytes are committed memory that lives as long as the Arc; for a
                // shared memory, writes racing with other threads are what wasm's shared-memory
                // model allows (the host sees the same memory wasm threads do).
                unsafe { std::slice::from_raw_parts_mut(d.as_ptr() as *mut u8, d.len()) }
            }
        }
    }

    /// Grows memory `m`; returns the old size in pages.
    pub fn memory_grow(&mut self, m: Memory, delta: u64) -> Option<u64> {
        self.check(m.store_id, "memory");
        match &mut self.memories[m.index] {
            MemoryEntry::Owned(b) => b.grow(delta),
            MemoryEntry::Shared(a) => a.grow_in_place(delta),
        }
    }

    // ---- references ----

    /// The raw form of a reference value (0 for null).
    pub fn ref_to_raw(&mut self, v: &Val) -> Result<usize> {
        match v {
            Val::FuncRef(None) | Val::ExternRef(None) => Ok(0),
            Val::FuncRef(Some(f)) => Ok(self.func_data(*f).func_ref as usize),
            Val::ExternRef(Some(r)) => {
                let b = Box::new(r.clone());
                let raw = &*b as *const ExternRef as usize;
                self.externrefs.push(b);
                Ok(raw)
            }
            other => Err(Error::new(
                Phase::Execution,
                format!("expected a reference, got {:?}", other.ty()),
                None,
            )),
        }
    }

    /// The reference value of a raw reference of type `ty`.
    pub fn ref_from_raw(&self, ty: RefType, raw: usize) -> Val {
        match ty {
            RefType::FuncRef => Val::FuncRef(if raw == 0 {
                None
            } else {
                self.funcref_index.get(&raw).map(|i| Func {
                    store_id: self.id,
                    index: *i,
                })
            }),
            RefType::ExternRef => Val::ExternRef(if raw == 0 {
                None
            } else {
                // SAFETY: non-null raw externrefs are addresses of boxes in `self.externrefs`,
                // which live as long as the store.
                Some(unsafe { (*(raw as *const ExternRef)).clone() })
            }),
        }
    }

    /// Encodes a value as the 16 bytes of a global or `ValRaw` slot.
    pub fn val_to_raw(&mut self, v: &Val) -> Result<u128> {
        Ok(match v {
            Val::I32(x) => u128::from(*x as u32),
            Val::I64(x) => u128::from(*x as u64),
            Val::F32(x) => u128::from(*x),
            Val::F64(x) => u128::from(*x),
            Val::V128(x) => *x,
            r => self.ref_to_raw(r)? as u128,
        })
    }

    /// Decodes a 16-byte slot of type `ty`.
    pub fn val_from_raw(&self, ty: ValType, raw: u128) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as u64 as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 => Val::F64(raw as u64),
            ValType::V128 => Val::V128(raw),
            ValType::FuncRef => self.ref_from_raw(RefType::FuncRef, raw as usize),
            ValType::ExternRef => self.ref_from_raw(RefType::ExternRef, raw as usize),
        }
    }

    // ---- tables ----

    pub fn new_table(&mut self, ty: TableType, init: Val) -> Result<Table> {
        let raw = self.ref_to_raw(&init)?;
        self.tables.push(VmTable::new(ty, raw)?);
        Ok(Table {
            store_id: self.id,
            index: self.tables.len() - 1,
        })
    }

    pub fn table(&mut self, t: Table) -> &mut VmTable {
        self.check(t.store_id, "table");
        &mut self.tables[t.index]
    }

    pub fn table_type(&self, t: Table) -> TableType {
        self.check(t.store_id, "table");
        self.tables[t.index].ty()
    }

    pub fn table_size(&self, t: Table) -> u64 {
        self.check(t.store_id, "table");
        self.tables[t.index].len() as u64
    }

    pub fn table_get(&self, t: Table, i: u64) -> Option<Val> {
        self.check(t.store_id, "table");
        let table = &self.tables[t.index];
        let raw = table.get(i)?;
        Some(self.ref_from_raw(table.declared_type().element, raw))
    }

    pub fn table_set(&mut self, t: Table, i: u64, v: Val) -> Result<()> {
        let elem = self.table(t).declared_type().element;
        if v.ty() != ValType::from(elem) {
            return Err(Error::new(
                Phase::Execution,
                format!("table of {elem} cannot hold a {}", v.ty()),
                None,
            ));
        }
        let raw = self.ref_to_raw(&v)?;
        if self.table(t).set(i, raw) {
            Ok(())
        } else {
            Err(Error::new(
                Phase::Execution,
                "out of bounds table access",
                None,
            ))
        }
    }

    pub fn table_grow(&mut self, t: Table, delta: u64, init: Val) -> Result<u64> {
        let raw = self.ref_to_raw(&init)?;
        self.table(t).grow(delta, raw).ok_or_else(|| {
            Error::new(
                Phase::Execution,
                "table cannot grow by that many elements",
                None,
            )
        })
    }

    // ---- globals ----

    pub fn new_global(&mut self, ty: GlobalType, v: Val) -> Result<Global> {
        if v.ty() != ty.content {
            return Err(Error::new(
                Phase::Execution,
                format!(
                    "global of type {} initialised with a {}",
                    ty.content,
                    v.ty()
                ),
                None,
            ));
        }
        let bits = self.val_to_raw(&v)?;
        self.globals.push(GlobalData {
            def: Box::new(VMGlobal { bits }),
            ty,
        });
        Ok(Global {
            store_id: self.id,
            index: self.globals.len() - 1,
        })
    }

    /// A global with raw initial bits (from a constant expression).
    pub fn new_global_raw(&mut self, ty: GlobalType, bits: u128) -> Global {
        self.globals.push(GlobalData {
            def: Box::new(VMGlobal { bits }),
            ty,
        });
        Global {
            store_id: self.id,
            index: self.globals.len() - 1,
        }
    }

    pub fn global_type(&self, g: Global) -> GlobalType {
        self.check(g.store_id, "global");
        self.globals[g.index].ty
    }

    pub fn global_get(&self, g: Global) -> Val {
        self.check(g.store_id, "global");
        let d = &self.globals[g.index];
        self.val_from_raw(d.ty.content, d.def.bits)
    }

    pub fn global_set(&mut self, g: Global, v: Val) -> Result<()> {
        let ty = self.global_type(g);
        if !ty.mutable {
            return Err(Error::new(
                Phase::Execution,
                "cannot set an immutable global",
                None,
            ));
        }
        if v.ty() != ty.content {
            return Err(Error::new(
                Phase::Execution,
                format!("global of type {} set to a {}", ty.content, v.ty()),
                None,
            ));
        }
        let bits = self.val_to_raw(&v)?;
        self.globals[g.index].def.bits = bits;
        Ok(())
    }

    /// The address of a global's storage.
    pub fn global_ptr(&mut self, g: Global) -> *mut VMGlobal {
        self.check(g.store_id, "global");
        &mut *self.globals[g.index].def
    }
}
