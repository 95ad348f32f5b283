//! `ModuleInfo`: everything the compiler and instantiation need to know about a module,
//! decoded from the binary. Index spaces put imports first, as in the spec.
//!
//! Plain data (no unsafe, no Cranelift, no runtime state).

use crate::loader::const_expr::ConstExpr;
use crate::types::{
    ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, RefType, TableType,
};
use std::collections::HashMap;
use std::ops::Range;

/// What an import or export refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// One import: where it comes from and which index it fills.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub index: EntityIndex,
}

/// Where an element segment goes.
#[derive(Clone, Debug)]
pub enum ElementMode {
    Active { table: u32, offset: ConstExpr },
    Passive,
    Declared,
}

/// An element segment: its items are function indices or constant expressions.
#[derive(Clone, Debug)]
pub struct ElementSegment {
    pub mode: ElementMode,
    pub ty: RefType,
    pub items: Vec<ConstExpr>,
}

/// Where a data segment goes.
#[derive(Clone, Debug)]
pub enum DataMode {
    Active { memory: u32, offset: ConstExpr },
    Passive,
}

/// A data segment: its bytes are a range of the original binary.
#[derive(Clone, Debug)]
pub struct DataSegment {
    pub mode: DataMode,
    pub range: Range<usize>,
}

/// The decoded, validated description of a module.
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// The module name from the name section.
    pub name: Option<String>,
    /// The type section (function types).
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// The type index of every function, imports first.
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<GlobalType>,
    /// Initialisers of the defined (non-imported) globals.
    pub global_inits: Vec<ConstExpr>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    pub exports: Vec<(String, EntityIndex)>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// Byte ranges of the defined functions' bodies in the original binary.
    pub bodies: Vec<Range<usize>>,
    /// Function names from the name section.
    pub func_names: HashMap<u32, String>,
    /// The module has a data count section (needed by `memory.init` and `data.drop`).
    pub has_data_count: bool,
}

impl ModuleInfo {
    /// The signature of function `index`.
    pub fn func_type(&self, index: u32) -> &FuncType {
        &self.types[self.funcs[index as usize] as usize]
    }

    /// The number of functions defined (not imported) by the module.
    pub fn num_defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.num_imported_funcs
    }

    /// A readable name for function `index`: name section, then export name, then `func[N]`.
    pub fn func_display_name(&self, index: u32) -> String {
        if let Some(n) = self.func_names.get(&index) {
            return n.clone();
        }
        for (name, e) in &self.exports {
            if *e == EntityIndex::Func(index) {
                return name.clone();
            }
        }
        format!("func[{index}]")
    }

    /// The type of an entity.
    pub fn entity_type(&self, index: EntityIndex) -> ExternType {
        match index {
            EntityIndex::Func(i) => ExternType::Func(self.func_type(i).clone()),
            EntityIndex::Table(i) => ExternType::Table(self.tables[i as usize]),
            EntityIndex::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            EntityIndex::Global(i) => ExternType::Global(self.globals[i as usize]),
        }
    }

    /// The imports with their types.
    pub fn import_types(&self) -> Vec<ImportType> {
        self.imports
            .iter()
            .map(|i| ImportType {
                module: i.module.clone(),
                name: i.name.clone(),
                ty: self.entity_type(i.index),
            })
            .collect()
    }

    /// The exports with their types.
    pub fn export_types(&self) -> Vec<ExportType> {
        self.exports
            .iter()
            .map(|(name, idx)| ExportType {
                name: name.clone(),
                ty: self.entity_type(*idx),
            })
            .collect()
    }
}
