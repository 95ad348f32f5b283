//! The embedding API (the Rust SDK): `Store`, `Module`, `Instance`, `Func`, `Memory`, `Table`,
//! `Global`, `Linker`.
//!
//! Safe wrappers over the VM. Handles are indices into a `Store` and are checked against the
//! store they are used with. This layer must not contain `unsafe` beyond calls into `vm`.

pub mod func;
pub mod global;
pub mod instance;
pub mod linker;
pub mod memory;
pub mod module;
pub mod store;
pub mod table;

use crate::types::ExternType;

/// Something that can be imported or exported.
#[derive(Clone, Debug)]
pub enum Extern {
    Func(func::Func),
    Table(table::Table),
    Memory(memory::Memory),
    Global(global::Global),
}

impl Extern {
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

#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod simd_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod thread_tests;
