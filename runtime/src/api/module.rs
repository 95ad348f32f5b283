//! `Module`: a decoded, validated and compiled WebAssembly module, shareable across stores.
//!
//! Wraps the loader's `ModuleInfo` and the compiler's machine code. Must not hold per-instance
//! state.

use crate::config::Engine;
use crate::error::Result;
use crate::types::{ExportType, ImportType};
use std::sync::Arc;

/// A compiled WebAssembly module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<crate::vm::module::CompiledModule>,
}

impl Module {
    /// Decodes, validates and compiles a module from its binary or text (`.wat`) form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let binary = crate::loader::to_binary(bytes)?;
        Module::from_binary(engine, &binary)
    }

    /// Decodes, validates and compiles a module from its binary form.
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Module> {
        let info = crate::loader::load(binary, engine.config().features)?;
        let inner = crate::vm::module::CompiledModule::compile(engine, info, binary)?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    /// Decodes and validates a binary module without compiling it.
    pub fn validate(engine: &Engine, binary: &[u8]) -> Result<()> {
        crate::loader::load(binary, engine.config().features).map(|_| ())
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
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        // SAFETY: forwarded to the caller.
        unsafe { crate::artifact::deserialize(engine, bytes) }
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }
}
