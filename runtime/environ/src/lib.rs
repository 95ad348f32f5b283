//! What the compiler and the runtime agree on, and nothing that runs code: the wasm types
//! ([`types`]), errors and trap codes ([`error`]), the loader that decodes and validates a
//! module into a [`ModuleInfo`](loader::info::ModuleInfo) ([`loader`]), the settings that shape
//! generated code ([`Tunables`]), the VMContext layout and builtin numbering compiled code
//! relies on ([`vmabi`]), the interface a code generator implements ([`compile`]), the AOT
//! artifact container as plain bytes ([`artifact`]) and the CPU-feature names artifacts are
//! checked against ([`cpu`]).
//!
//! This crate must stay free of `unsafe` code and of any code generator: the lean runtime
//! (no compiler) and the Cranelift compiler both build on it, and neither may reach the other
//! through it.

#![forbid(unsafe_code)]

pub mod artifact;
pub mod compile;
pub mod cpu;
pub mod error;
pub mod loader;
pub mod tunables;
pub mod types;
pub mod vmabi;

pub use compile::{CompiledCode, Compiler};
pub use error::{Error, ErrorCode, ErrorKind, Phase, Result, Trap, TrapCode};
pub use tunables::Tunables;
pub use wasmparser::WasmFeatures;
