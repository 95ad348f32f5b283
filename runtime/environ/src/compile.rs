//! The interface between the runtime and a code generator: [`Compiler`] turns a validated
//! module into [`CompiledCode`], machine code in one text section with its tables.
//!
//! The runtime holds a compiler as `Arc<dyn Compiler>` when it was built with one (the
//! `cranelift` feature of `wasmedge-runtime`) and runs artifacts without one. This module only
//! describes the exchange; it must not name any code generator or touch executable memory.

use crate::error::{Result, TrapCode};
use crate::loader::info::ModuleInfo;
use crate::tunables::Tunables;

/// Machine code for a module (or a set of trampolines) and its tables. Offsets are into `text`.
#[derive(Clone, Debug, Default)]
pub struct CompiledCode {
    pub text: Vec<u8>,
    /// `(offset, length)` of each defined function.
    pub funcs: Vec<(u32, u32)>,
    /// Offset of the array-to-wasm trampoline of each type index.
    pub array_trampolines: Vec<u32>,
    /// Offset of the wasm-to-host trampoline of each type index.
    pub host_trampolines: Vec<u32>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<(u32, TrapCode)>,
}

/// A code generator for one target.
pub trait Compiler: Send + Sync {
    /// The target triple code is generated for.
    fn triple(&self) -> String;

    /// The ISA flags generated code may rely on (recorded in artifacts; see [`crate::cpu`]).
    fn isa_flags(&self) -> Vec<String>;

    /// The optimisation level, as recorded in artifacts.
    fn opt_level(&self) -> String;

    /// Compiles every defined function of `info` (decoded from `binary`), plus an
    /// array-to-wasm and a wasm-to-host trampoline per type index. (Host functions need no
    /// code of their own: an instance calls them through its module's wasm-to-host trampoline
    /// for their type, which is why a runtime without a compiler can run them.)
    fn compile_module(
        &self,
        info: &ModuleInfo,
        binary: &[u8],
        tunables: Tunables,
        parallel: bool,
    ) -> Result<CompiledCode>;
}
