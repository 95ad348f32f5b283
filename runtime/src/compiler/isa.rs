use std::sync::Arc;
pub fn host_isa() -> Result<Arc<dyn cranelift_codegen::isa::TargetIsa>, String> { todo!() }
