//! `CompiledModule`: a module's metadata, its machine code in executable memory, and the
//! per-type data instantiation needs — built by compiling, or from an AOT artifact.
//!
//! Owns code; must not hold instance state.

use crate::config::Engine;
use crate::error::{Error, Phase, Result, TrapCode};
use crate::loader::info::ModuleInfo;
use crate::vm::code::{CodeInfo, CodeMemory};
use std::sync::Arc;

/// Machine code and its tables, however it was produced.
pub struct CodeParts {
    pub code: Arc<CodeMemory>,
    /// `(offset, length)` of each defined function.
    pub funcs: Vec<(u32, u32)>,
    /// Offset of the array-to-wasm trampoline of each type index.
    pub array_trampolines: Vec<u32>,
    /// Offset of the wasm-to-host trampoline of each type index.
    pub host_trampolines: Vec<u32>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<(u32, TrapCode)>,
}

/// A module ready to instantiate.
pub struct CompiledModule {
    pub info: ModuleInfo,
    pub engine: Engine,
    /// The module's binary (kept for data segments and for serialising).
    pub wasm: Arc<[u8]>,
    pub code: Arc<CodeMemory>,
    pub funcs: Vec<(u32, u32)>,
    pub array_trampolines: Vec<u32>,
    pub host_trampolines: Vec<u32>,
    pub traps: Vec<(u32, TrapCode)>,
    /// Engine signature id of each type index.
    pub type_ids: Vec<u32>,
    /// Bytes of each data segment.
    pub data: Vec<Box<[u8]>>,
}

/// The trap-handler view of a module's code: trap sites and function names.
pub fn code_info(info: &ModuleInfo, funcs: &[(u32, u32)], traps: Vec<(u32, TrapCode)>) -> CodeInfo {
    let functions = funcs
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
    CodeInfo { traps, functions }
}

impl CompiledModule {
    /// Compiles `info` (decoded from `binary`) for `engine`.
    pub fn compile(engine: &Engine, info: ModuleInfo, binary: &[u8]) -> Result<CompiledModule> {
        let code = crate::compiler::compile_module(
            &*engine.inner.isa,
            &info,
            binary,
            engine.tunables(),
            engine.config().parallel_compilation,
        )?;
        let mem = CodeMemory::new(
            &code.text,
            code_info(&info, &code.funcs, code.traps.clone()),
        )
        .map_err(|m| Error::new(Phase::Compilation, m, None))?;
        let parts = CodeParts {
            code: mem,
            funcs: code.funcs,
            array_trampolines: code.array_trampolines,
            host_trampolines: code.host_trampolines,
            traps: code.traps,
        };
        Ok(CompiledModule::from_parts(
            engine,
            info,
            binary.into(),
            parts,
        ))
    }

    /// Assembles a module from its metadata, binary and code; registers its wasm-to-host
    /// trampolines with the engine so host functions of those types become callable from wasm.
    pub fn from_parts(
        engine: &Engine,
        info: ModuleInfo,
        wasm: Arc<[u8]>,
        parts: CodeParts,
    ) -> CompiledModule {
        let type_ids: Vec<u32> = info.types.iter().map(|t| engine.intern(t)).collect();
        {
            let mut cache = engine.inner.host_trampolines.lock().unwrap();
            for (id, off) in type_ids.iter().zip(&parts.host_trampolines) {
                cache
                    .entry(*id)
                    .or_insert_with(|| (parts.code.clone(), *off));
            }
        }
        let data = info
            .data
            .iter()
            .map(|d| wasm[d.range.clone()].into())
            .collect();
        CompiledModule {
            info,
            engine: engine.clone(),
            wasm,
            code: parts.code,
            funcs: parts.funcs,
            array_trampolines: parts.array_trampolines,
            host_trampolines: parts.host_trampolines,
            traps: parts.traps,
            type_ids,
            data,
        }
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
