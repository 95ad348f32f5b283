//! The embedding API (the Rust SDK): `Store`, `Module`, `Instance`, `Func`, `Memory`, `Table`,
//! `Global`, `Linker`.
//!
//! Safe wrappers over the VM. Handles are indices into a `Store` and are checked against the
//! store they are used with. This layer must not contain `unsafe` code (the crate's unsafe
//! code is all in `vm`); it converts between API values and the VM's raw forms (`raw`).

pub mod func;
pub mod global;
pub mod instance;
pub mod linker;
pub mod memory;
pub mod module;
pub(crate) mod raw;
pub mod store;
pub mod table;

use crate::vm::store::VmExtern;
use wasmedge_environ::types::ExternType;

/// Something that can be imported or exported.
#[derive(Clone, Debug)]
pub enum Extern {
    Func(func::Func),
    Table(table::Table),
    Memory(memory::Memory),
    Global(global::Global),
}

impl Extern {
    /// The handle of a VM entity of store `store_id`.
    pub(crate) fn from_vm(store_id: u64, e: VmExtern) -> Extern {
        match e {
            VmExtern::Func(index) => Extern::Func(func::Func { store_id, index }),
            VmExtern::Table(index) => Extern::Table(table::Table { store_id, index }),
            VmExtern::Memory(index) => Extern::Memory(memory::Memory { store_id, index }),
            VmExtern::Global(index) => Extern::Global(global::Global { store_id, index }),
        }
    }

    /// The type of this entity.
    pub fn ty<T>(&self, store: &store::Store<T>) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
        }
    }

    pub fn into_func(self) -> Option<func::Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    pub fn into_memory(self) -> Option<memory::Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    pub fn into_table(self) -> Option<table::Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    pub fn into_global(self) -> Option<global::Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }
}

impl From<func::Func> for Extern {
    fn from(f: func::Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<memory::Memory> for Extern {
    fn from(m: memory::Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<table::Table> for Extern {
    fn from(t: table::Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<global::Global> for Extern {
    fn from(g: global::Global) -> Extern {
        Extern::Global(g)
    }
}

#[cfg(all(test, feature = "cranelift"))]
mod limits_tests;
#[cfg(all(test, feature = "cranelift"))]
mod simd_tests;
#[cfg(all(test, feature = "cranelift"))]
mod tests;
#[cfg(all(test, feature = "cranelift"))]
mod thread_tests;
