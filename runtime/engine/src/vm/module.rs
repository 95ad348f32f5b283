//! `CompiledModule`: a module's metadata, its machine code in executable memory, and the
//! per-type data instantiation needs — from freshly compiled code or from an AOT artifact.
//!
//! Owns code; must not hold instance state and must not compile (the embedding API asks the
//! engine's compiler, when it has one, and hands the result here).

use crate::vm::code::{CodeInfo, CodeMemory};
use crate::vm::engine::EngineShared;
use std::sync::Arc;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result, TrapCode};
use wasmedge_environ::loader::info::ModuleInfo;

/// Machine code in executable memory and its tables, however it was produced.
pub(crate) struct CodeParts {
    pub(crate) code: Arc<CodeMemory>,
    /// `(offset, length)` of each defined function.
    pub(crate) funcs: Vec<(u32, u32)>,
    /// Offset of the array-to-wasm trampoline of each type index.
    pub(crate) array_trampolines: Vec<u32>,
    /// Offset of the wasm-to-host trampoline of each type index.
    pub(crate) host_trampolines: Vec<u32>,
    /// Trap sites, sorted by offset.
    pub(crate) traps: Vec<(u32, TrapCode)>,
}

/// A module ready to instantiate.
pub(crate) struct CompiledModule {
    pub(crate) info: ModuleInfo,
    /// The module's binary (kept for data segments and for serialising).
    pub(crate) wasm: Arc<[u8]>,
    pub(crate) code: Arc<CodeMemory>,
    pub(crate) funcs: Vec<(u32, u32)>,
    pub(crate) array_trampolines: Vec<u32>,
    pub(crate) host_trampolines: Vec<u32>,
    pub(crate) traps: Vec<(u32, TrapCode)>,
    /// Engine signature id of each type index.
    pub(crate) type_ids: Vec<u32>,
    /// Bytes of each data segment.
    pub(crate) data: Vec<Box<[u8]>>,
    /// What the code was generated for (recorded again when the module is serialised).
    pub(crate) target: CodeTarget,
}

/// The target and settings machine code was generated for.
#[derive(Clone, Debug)]
pub(crate) struct CodeTarget {
    pub(crate) triple: String,
    pub(crate) isa_flags: Vec<String>,
    pub(crate) opt_level: String,
}

/// The trap-handler view of a module's code: trap sites and function names.
pub(crate) fn code_info(
    info: &ModuleInfo,
    funcs: &[(u32, u32)],
    traps: Vec<(u32, TrapCode)>,
) -> CodeInfo {
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

/// Copies compiled `text` into executable memory registered with its trap sites.
pub(crate) fn load_code(text: &[u8], info: CodeInfo) -> Result<Arc<CodeMemory>> {
    CodeMemory::new(text, info)
        .map_err(|m| Error::coded(ErrorCode::Resource, Phase::Compilation, m, None))
}

impl CompiledModule {
    /// Assembles a module from its metadata, binary and code; registers its wasm-to-host
    /// trampolines with the engine so host functions of those types become callable from wasm.
    pub(crate) fn from_parts(
        engine: &Arc<EngineShared>,
        info: ModuleInfo,
        wasm: Arc<[u8]>,
        parts: CodeParts,
        target: CodeTarget,
    ) -> CompiledModule {
        let type_ids: Vec<u32> = info.types.iter().map(|t| engine.intern(t)).collect();
        for (id, off) in type_ids.iter().zip(&parts.host_trampolines) {
            engine.add_host_trampoline(*id, &parts.code, *off);
        }
        let data = info
            .data
            .iter()
            .map(|d| wasm[d.range.clone()].into())
            .collect();
        CompiledModule {
            info,
            wasm,
            code: parts.code,
            funcs: parts.funcs,
            array_trampolines: parts.array_trampolines,
            host_trampolines: parts.host_trampolines,
            traps: parts.traps,
            type_ids,
            data,
            target,
        }
    }

    /// Address of defined function `defined`.
    pub(crate) fn func_addr(&self, defined: u32) -> *const u8 {
        self.code.addr(self.funcs[defined as usize].0)
    }

    /// Address of the array-to-wasm trampoline for type index `ty`.
    pub(crate) fn trampoline_addr(&self, ty: u32) -> *const u8 {
        self.code.addr(self.array_trampolines[ty as usize])
    }
}
