//! `Module`: a decoded, validated and compiled WebAssembly module, shareable across stores.
//!
//! Compiling asks the engine's compiler (absent in the lean build, which only loads AOT
//! artifacts, see `crate::artifact`) and hands the machine code to the VM. Must not hold
//! per-instance state.

use crate::engine::Engine;
use crate::vm::module::{CodeParts, CodeTarget, CompiledModule, code_info, load_code};
use std::sync::Arc;
use wasmedge_environ::error::Result;
use wasmedge_environ::types::{ExportType, ImportType};

/// A compiled WebAssembly module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) engine: Engine,
    pub(crate) inner: Arc<CompiledModule>,
}

impl Module {
    /// Decodes, validates and compiles a module from its binary or text (`.wat`) form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let binary = wasmedge_environ::loader::to_binary(bytes)?;
        Module::from_binary(engine, &binary)
    }

    /// Decodes, validates and compiles a module from its binary form. In a build without a
    /// compiler this fails with `ErrorCode::NoCompiler` (after validating, so that a broken
    /// module is still reported as such).
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Module> {
        let info = wasmedge_environ::loader::load(binary, engine.config().features)?;
        let compiler = engine.compiler()?;
        let code = compiler.compile_module(
            &info,
            binary,
            engine.tunables(),
            engine.config().parallel_compilation,
        )?;
        let mem = load_code(
            &code.text,
            code_info(&info, &code.funcs, code.traps.clone()),
        )?;
        let parts = CodeParts {
            code: mem,
            funcs: code.funcs,
            array_trampolines: code.array_trampolines,
            host_trampolines: code.host_trampolines,
            traps: code.traps,
        };
        let target = CodeTarget {
            triple: compiler.triple(),
            isa_flags: compiler.isa_flags(),
            opt_level: compiler.opt_level(),
        };
        let inner = CompiledModule::from_parts(engine.shared(), info, binary.into(), parts, target);
        Ok(Module {
            engine: engine.clone(),
            inner: Arc::new(inner),
        })
    }

    /// Decodes and validates a binary module without compiling it (works without a compiler).
    pub fn validate(engine: &Engine, binary: &[u8]) -> Result<()> {
        wasmedge_environ::loader::load(binary, engine.config().features).map(|_| ())
    }

    /// The module's name from its name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> Vec<ImportType> {
        self.inner.info.import_types()
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> Vec<ExportType> {
        self.inner.info.export_types()
    }

    /// Serialises the compiled module into an AOT artifact (see [`crate::artifact`]).
    pub fn serialize(&self) -> Vec<u8> {
        crate::artifact::serialize(self)
    }

    /// Loads an AOT artifact made by [`Module::serialize`] or `wasmedge compile`.
    ///
    /// # Safety
    /// The artifact's native code is trusted: only load artifacts this runtime produced.
    #[allow(unsafe_code)]
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        // SAFETY: forwarded to the caller.
        unsafe { crate::artifact::deserialize(engine, bytes) }
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}
