use crate::{config::MemoryStrategy, error::Result};
pub fn resolve_strategy(s: MemoryStrategy) -> Result<MemoryStrategy> { Ok(s) }
pub struct LinearMemory;
impl LinearMemory {
    pub fn ty(&self) -> crate::types::MemoryType { todo!() }
    pub fn data(&self) -> &[u8] { todo!() }
    pub fn data_mut(&mut self) -> &mut [u8] { todo!() }
    pub fn pages(&self) -> u64 { todo!() }
    pub fn grow(&mut self, _d: u64) -> Option<u64> { todo!() }
}
