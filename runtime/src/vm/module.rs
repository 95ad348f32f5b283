use crate::{config::Engine, error::Result, loader::info::ModuleInfo};
pub struct CompiledModule { pub info: ModuleInfo, pub engine: Engine }
impl CompiledModule { pub fn compile(engine: &Engine, info: ModuleInfo, _b: &[u8]) -> Result<Self> { Ok(CompiledModule{info, engine: engine.clone()}) } }
