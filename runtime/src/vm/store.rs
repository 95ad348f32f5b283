use crate::{api::{Extern, func::Func, global::Global, memory::Memory, table::Table}, config::Engine, error::Result, types::*, values::Val};
use crate::vm::memory::LinearMemory;
pub struct StoreInner { pub engine: Engine, pub id: u64 }
impl StoreInner {
    pub fn new(engine: &Engine) -> Self { StoreInner { engine: engine.clone(), id: 0 } }
    pub fn instance_export(&self, _i: usize, _n: &str) -> Option<Extern> { todo!() }
    pub fn instance_exports(&self, _i: usize) -> Vec<(String, Extern)> { todo!() }
    pub fn func_type(&self, _f: Func) -> FuncType { todo!() }
    pub fn new_memory(&mut self, _t: MemoryType) -> Result<Memory> { todo!() }
    pub fn memory(&self, _m: Memory) -> &LinearMemory { todo!() }
    pub fn memory_mut(&mut self, _m: Memory) -> &mut LinearMemory { todo!() }
    pub fn new_table(&mut self, _t: TableType, _v: Val) -> Result<Table> { todo!() }
    pub fn table_type(&self, _t: Table) -> TableType { todo!() }
    pub fn table_size(&self, _t: Table) -> u64 { todo!() }
    pub fn table_get(&self, _t: Table, _i: u64) -> Option<Val> { todo!() }
    pub fn table_set(&mut self, _t: Table, _i: u64, _v: Val) -> Result<()> { todo!() }
    pub fn table_grow(&mut self, _t: Table, _d: u64, _v: Val) -> Result<u64> { todo!() }
    pub fn new_global(&mut self, _t: GlobalType, _v: Val) -> Result<Global> { todo!() }
    pub fn global_type(&self, _g: Global) -> GlobalType { todo!() }
    pub fn global_get(&self, _g: Global) -> Val { todo!() }
    pub fn global_set(&mut self, _g: Global, _v: Val) -> Result<()> { todo!() }
}
