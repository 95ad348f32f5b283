//! What the translator knows about the module being compiled: its `ModuleInfo`, the VMContext
//! layout, and the bounds-checking strategy. Also global-variable access, which is pure
//! VMContext addressing.
//!
//! Must not emit control flow; only addressing helpers.

use crate::signatures::ir_type;
use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData as MemFlags, Value, types};
use wasmedge_environ::loader::info::ModuleInfo;
use wasmedge_environ::vmabi::VMOffsets;

/// Per-module compilation context, shared by all function translations.
pub struct ModuleEnv<'a> {
    pub info: &'a ModuleInfo,
    pub offsets: VMOffsets,
    /// Guard pages cover every 32-bit access: no explicit bounds checks.
    pub guard_pages: bool,
    /// The host's C calling convention (for builtins).
    pub host_call_conv: cranelift_codegen::isa::CallConv,
    pub frontend: cranelift_codegen::isa::TargetFrontendConfig,
    /// Emit fuel metering.
    pub fuel: bool,
    /// Emit epoch-interruption checks.
    pub epochs: bool,
}

impl<'a> ModuleEnv<'a> {
    pub fn new(
        info: &'a ModuleInfo,
        guard_pages: bool,
        host_call_conv: cranelift_codegen::isa::CallConv,
        frontend: cranelift_codegen::isa::TargetFrontendConfig,
    ) -> ModuleEnv<'a> {
        ModuleEnv {
            info,
            offsets: VMOffsets {
                num_memories: info.memories.len() as u32,
                num_tables: info.tables.len() as u32,
                num_globals: info.globals.len() as u32,
                num_funcs: info.funcs.len() as u32,
            },
            guard_pages,
            host_call_conv,
            frontend,
            fuel: false,
            epochs: false,
        }
    }
}

impl FuncTranslator<'_, '_> {
    /// The address of global `index`'s storage.
    fn global_addr(&mut self, index: u32) -> Value {
        let off = self.env.offsets.global(index) as i32;
        self.b.ins().load(
            types::I64,
            MemFlags::trusted().with_readonly().with_can_move(),
            self.vmctx,
            off,
        )
    }

    pub fn op_global_get(&mut self, index: u32) {
        let ty = self.env.info.globals[index as usize];
        let addr = self.global_addr(index);
        let mut flags = MemFlags::trusted();
        if !ty.mutable {
            flags = flags.with_readonly().with_can_move();
        }
        let v = self.b.ins().load(ir_type(ty.content), flags, addr, 0);
        self.push(v);
    }

    pub fn op_global_set(&mut self, index: u32) {
        let v = self.pop();
        let addr = self.global_addr(index);
        self.b.ins().store(MemFlags::trusted(), v, addr, 0);
    }
}
