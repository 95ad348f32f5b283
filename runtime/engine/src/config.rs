//! Engine configuration: `Config` (features, stack, memory strategy and limits, metering,
//! code generation settings) and `MemoryStrategy`.
//!
//! Plain settings; acting on them is the `Engine`'s job (`engine.rs`).

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
            features: wasmedge_environ::loader::features::default_features(),
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
    /// artifact runs on any such machine. (Has no effect without a compiler.)
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
