//! `Engine`: the shared context modules and stores are created in — its configuration, the
//! bounds-checking strategy in force, the compiler when this build has one, and the VM's
//! engine-wide state (signatures, host trampolines, the epoch).
//!
//! Must not own any instance state (that is the store's). Without the `cranelift` feature an
//! engine has no compiler and only loads AOT artifacts.

use crate::config::{Config, MemoryStrategy};
use crate::vm::engine::EngineShared;
use std::sync::Arc;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::{Compiler, Tunables};

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    /// The strategy actually in force (`Auto` resolved).
    pub(crate) memory_strategy: MemoryStrategy,
    pub(crate) compiler: Option<Arc<dyn Compiler>>,
    pub(crate) shared: Arc<EngineShared>,
}

/// A compilation and execution environment shared by modules and stores. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::new()).expect("the default configuration is valid on this host")
    }
}

/// The code generator of this build, if it has one.
#[cfg(feature = "cranelift")]
fn build_compiler(config: &Config) -> Result<Option<Arc<dyn Compiler>>> {
    let compiler =
        wasmedge_cranelift::CraneliftCompiler::new(&config.opt_level, config.generic_cpu)
            .map_err(|e| Error::new(Phase::Compilation, e, None))?;
    Ok(Some(Arc::new(compiler)))
}

#[cfg(not(feature = "cranelift"))]
fn build_compiler(_: &Config) -> Result<Option<Arc<dyn Compiler>>> {
    Ok(None)
}

fn resolve_strategy(s: MemoryStrategy) -> Result<MemoryStrategy> {
    let can_reserve = crate::vm::memory::can_reserve_guard_region;
    match s {
        MemoryStrategy::Auto if can_reserve() => Ok(MemoryStrategy::GuardPages),
        MemoryStrategy::Auto => Ok(MemoryStrategy::Explicit),
        MemoryStrategy::GuardPages if !can_reserve() => Err(Error::coded(
            ErrorCode::Resource,
            Phase::Instantiation,
            "cannot reserve 8 GiB of address space for a guard-page memory (is `ulimit -v` set?); use the explicit bounds-check strategy",
            None,
        )),
        other => Ok(other),
    }
}

impl Engine {
    /// Creates an engine for the host CPU.
    pub fn new(config: &Config) -> Result<Engine> {
        let compiler = build_compiler(config)?;
        let memory_strategy = resolve_strategy(config.memory_strategy)?;
        let shared = EngineShared::new(
            memory_strategy == MemoryStrategy::GuardPages,
            config.memory_page_limit,
            config.max_wasm_stack,
        );
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                memory_strategy,
                compiler,
                shared: Arc::new(shared),
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

    /// True when this build can compile modules (the `cranelift` feature); without, modules
    /// come only from AOT artifacts.
    pub fn has_compiler(&self) -> bool {
        self.inner.compiler.is_some()
    }

    /// The target triple this engine runs code for.
    pub fn target_triple(&self) -> String {
        match &self.inner.compiler {
            Some(c) => c.triple(),
            None => wasmedge_environ::cpu::host_triple(),
        }
    }

    /// Advances the epoch; code of stores whose deadline is reached traps with `Interrupt`,
    /// including code blocked in `memory.atomic.wait`. Safe to call from any thread (this is
    /// how a time limit or an interrupt is delivered).
    pub fn increment_epoch(&self) {
        self.inner.shared.increment_epoch();
    }

    /// The current epoch.
    pub fn current_epoch(&self) -> u64 {
        self.inner.shared.current_epoch()
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner.shared, &other.inner.shared)
    }

    pub(crate) fn shared(&self) -> &Arc<EngineShared> {
        &self.inner.shared
    }

    /// The compiler, or the lean build's refusal.
    pub(crate) fn compiler(&self) -> Result<&dyn Compiler> {
        self.inner.compiler.as_deref().ok_or_else(|| {
            Error::coded(
                ErrorCode::NoCompiler,
                Phase::Compilation,
                "this build of the runtime has no compiler (the lean runtime runs AOT artifacts only); compile the module with the full build's `wasmedge compile`, or use a build with the `cranelift` feature",
                None,
            )
        })
    }
}
