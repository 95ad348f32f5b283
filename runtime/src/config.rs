//! Engine configuration (`Config`) and the shared compilation context (`Engine`).
//!
//! The engine owns the target ISA, the enabled wasm features, the memory strategy and the
//! process-wide signature registry. It must not own any instance state (that is the store's).

use crate::error::{Error, Phase, Result};
use crate::types::FuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
pub use wasmparser::WasmFeatures;

/// How linear memories are bounds-checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryStrategy {
    /// Reserve 8 GiB of address space per 32-bit memory so that every access is covered by
    /// guard pages; fall back to `Explicit` when the reservation cannot be made.
    Auto,
    /// Always reserve and rely on guard pages (error if the reservation fails).
    GuardPages,
    /// Explicit bounds checks in compiled code; memories are allocated at their current size.
    Explicit,
}

/// The settings that change generated code; an artifact is only valid for the same ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tunables {
    /// Memories rely on guard pages (no explicit bounds checks).
    pub guard_pages: bool,
    /// Fuel (gas) metering is compiled in.
    pub fuel: bool,
    /// Epoch-interruption checks are compiled in.
    pub epochs: bool,
}

/// Settings for an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: WasmFeatures,
    pub(crate) max_wasm_stack: usize,
    pub(crate) memory_page_limit: Option<u64>,
    pub(crate) memory_strategy: MemoryStrategy,
    pub(crate) parallel_compilation: bool,
    pub(crate) consume_fuel: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) opt_level: String,
    pub(crate) generic_cpu: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

impl Config {
    /// The default configuration: the WebAssembly 2.0 feature set this runtime implements,
    /// 1 MiB of wasm stack, guard-page memories where the address space allows.
    pub fn new() -> Config {
        Config {
            features: crate::loader::features::default_features(),
            max_wasm_stack: 1 << 20,
            memory_page_limit: None,
            memory_strategy: MemoryStrategy::Auto,
            parallel_compilation: true,
            consume_fuel: false,
            epoch_interruption: false,
            opt_level: "speed".into(),
            generic_cpu: false,
        }
    }

    /// Sets the enabled WebAssembly features (a module using a disabled one fails validation).
    pub fn wasm_features(&mut self, features: WasmFeatures) -> &mut Config {
        self.features = features;
        self
    }

    /// The enabled WebAssembly features.
    pub fn features(&self) -> WasmFeatures {
        self.features
    }

    /// The most native stack, in bytes, that wasm code may use before trapping with
    /// "call stack exhausted".
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Config {
        self.max_wasm_stack = bytes;
        self
    }

    /// Caps every memory at this many 64 KiB pages (`memory.grow` beyond it returns -1).
    pub fn memory_page_limit(&mut self, pages: Option<u64>) -> &mut Config {
        self.memory_page_limit = pages;
        self
    }

    /// Chooses how memory accesses are bounds-checked.
    pub fn memory_strategy(&mut self, strategy: MemoryStrategy) -> &mut Config {
        self.memory_strategy = strategy;
        self
    }

    /// Compiles fuel metering into every function: each executed instruction costs one unit,
    /// and running out (see `Store::set_fuel`) traps with `OutOfFuel`. Off by default.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Config {
        self.consume_fuel = on;
        self
    }

    /// Compiles epoch checks into function entries and loop headers, so that
    /// `Engine::increment_epoch` past a store's deadline (`Store::set_epoch_deadline`) interrupts
    /// running code, even a loop without calls. Off by default.
    pub fn epoch_interruption(&mut self, on: bool) -> &mut Config {
        self.epoch_interruption = on;
        self
    }

    /// Cranelift's optimisation level: `none`, `speed` (default) or `speed_and_size`.
    pub fn opt_level(&mut self, level: &str) -> &mut Config {
        self.opt_level = level.to_string();
        self
    }

    /// Generates code for a baseline x86-64-v2 CPU instead of this host's CPU, so that an
    /// artifact runs on any such machine.
    pub fn generic_cpu(&mut self, on: bool) -> &mut Config {
        self.generic_cpu = on;
        self
    }

    /// Compiles functions on several threads (default true).
    pub fn parallel_compilation(&mut self, on: bool) -> &mut Config {
        self.parallel_compilation = on;
        self
    }
}

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    /// The strategy actually in force (`Auto` resolved).
    pub(crate) memory_strategy: MemoryStrategy,
    pub(crate) isa: Arc<dyn cranelift_codegen::isa::TargetIsa>,
    pub(crate) signatures: Mutex<SignatureRegistry>,
    /// Wasm-to-host trampoline per signature id: the code holding it and its offset.
    pub(crate) host_trampolines: Mutex<HashMap<u32, (Arc<crate::vm::code::CodeMemory>, u32)>>,
    /// The epoch counter compiled code compares with store deadlines.
    pub(crate) epoch: std::sync::atomic::AtomicU64,
}

/// Interns function types into engine-wide ids used by `call_indirect` signature checks.
#[derive(Default)]
pub(crate) struct SignatureRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

impl SignatureRegistry {
    pub(crate) fn intern(&mut self, ty: &FuncType) -> u32 {
        if let Some(id) = self.ids.get(ty) {
            return *id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.ids.insert(ty.clone(), id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &FuncType {
        &self.types[id as usize]
    }
}

/// A compilation environment shared by modules and stores. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::new()).expect("the default configuration is valid on this host")
    }
}

impl Engine {
    /// Creates an engine for the host CPU.
    pub fn new(config: &Config) -> Result<Engine> {
        let isa = crate::compiler::isa::isa_for(&config.opt_level, config.generic_cpu)
            .map_err(|e| Error::new(Phase::Compilation, e, None))?;
        let memory_strategy = crate::vm::memory::resolve_strategy(config.memory_strategy)?;
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                memory_strategy,
                isa,
                signatures: Mutex::new(SignatureRegistry::default()),
                host_trampolines: Mutex::new(HashMap::new()),
                epoch: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// The configuration this engine was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The bounds-checking strategy in force (`Auto` resolved to what the host allows).
    pub fn memory_strategy(&self) -> MemoryStrategy {
        self.inner.memory_strategy
    }

    /// The settings compiled code of this engine depends on.
    pub fn tunables(&self) -> Tunables {
        Tunables {
            guard_pages: self.inner.memory_strategy == MemoryStrategy::GuardPages,
            fuel: self.inner.config.consume_fuel,
            epochs: self.inner.config.epoch_interruption,
        }
    }

    /// Advances the epoch; code of stores whose deadline is reached traps with `Interrupt`,
    /// including code blocked in `memory.atomic.wait`. Safe to call from any thread (this is
    /// how a time limit or an interrupt is delivered).
    pub fn increment_epoch(&self) {
        self.inner
            .epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        crate::vm::parking::interrupt_all();
    }

    /// The current epoch.
    pub fn current_epoch(&self) -> u64 {
        self.inner.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        self.inner.signatures.lock().unwrap().intern(ty)
    }

    pub(crate) fn signature(&self, id: u32) -> FuncType {
        self.inner.signatures.lock().unwrap().get(id).clone()
    }
}
