//! `CompiledModule`: a module's metadata, its machine code in executable memory, and the
//! per-type data instantiation needs.
//!
//! Owns code; must not hold instance state.

use crate::config::{Engine, MemoryStrategy};
use crate::error::Result;
use crate::loader::info::ModuleInfo;
use crate::vm::code::{CodeInfo, CodeMemory};
use std::sync::Arc;

/// A module ready to instantiate.
pub struct CompiledModule {
    pub info: ModuleInfo,
    pub engine: Engine,
    pub code: Arc<CodeMemory>,
    /// `(offset, length)` of each defined function in `code`.
    pub funcs: Vec<(u32, u32)>,
    /// Offset of the array-to-wasm trampoline of each type index.
    pub array_trampolines: Vec<u32>,
    /// Engine signature id of each type index.
    pub type_ids: Vec<u32>,
    /// Bytes of each data segment.
    pub data: Vec<Box<[u8]>>,
}

impl CompiledModule {
    /// Compiles `info` (decoded from `binary`) for `engine`.
    pub fn compile(engine: &Engine, info: ModuleInfo, binary: &[u8]) -> Result<CompiledModule> {
        let guard = engine.memory_strategy() == MemoryStrategy::GuardPages;
        let cfg = engine.config();
        let code = crate::compiler::compile_module(
            &*engine.inner.isa,
            &info,
            binary,
            guard,
            cfg.parallel_compilation,
        )?;
        let functions = code
            .funcs
            .iter()
            .enumerate()
            .map(|(i, (off, len))| {
                (
                    *off,
                    off + len,
                    info.func_display_name(info.num_imported_funcs + i as u32),
                )
            })
            .collect();
        let mem = CodeMemory::new(
            &code.text,
            CodeInfo {
                traps: code.traps,
                functions,
            },
        )
        .map_err(|m| crate::error::Error::new(crate::error::Phase::Compilation, m, None))?;
        let type_ids = info.types.iter().map(|t| engine.intern(t)).collect();
        let data = info
            .data
            .iter()
            .map(|d| binary[d.range.clone()].into())
            .collect();
        Ok(CompiledModule {
            info,
            engine: engine.clone(),
            code: mem,
            funcs: code.funcs,
            array_trampolines: code.array_trampolines,
            type_ids,
            data,
        })
    }

    /// Address of defined function `defined`.
    pub fn func_addr(&self, defined: u32) -> *const u8 {
        self.code.addr(self.funcs[defined as usize].0)
    }

    /// Address of the array-to-wasm trampoline for type index `ty`.
    pub fn trampoline_addr(&self, ty: u32) -> *const u8 {
        self.code.addr(self.array_trampolines[ty as usize])
    }
}
