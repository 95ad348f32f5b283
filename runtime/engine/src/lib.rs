//! A lean ahead-of-time WebAssembly runtime: `wasmparser` decodes and validates
//! (`wasmedge-environ`), Cranelift compiles every function to native code
//! (`wasmedge-cranelift`, the default `cranelift` feature), and the VM runs it with guard-page
//! memories and signal-based traps. Without the `cranelift` feature the same library runs
//! AOT artifacts ([`artifact`], [`Module::deserialize`]) and has no code generator at all.
//!
//! # Example
//!
//! ```
//! use wasmedge_runtime::{Engine, Module, Store, Instance};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"
//!     (module (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))
//! "#).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Instance::new(&mut store, &module, &[]).unwrap();
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
//! ```
//!
//! The public API is the embedding API below and nothing else: the VM (`vm`, all of the
//! crate's unsafe code) is private, so safe code cannot reach raw pointers or compiled-code
//! internals. This does not compile:
//!
//! ```compile_fail
//! #![forbid(unsafe_code)]
//! // This safe program once segfaulted: the VM's store internals were public, and this call
//! // turned an arbitrary integer into a reference. `vm` is private now (error E0603).
//! let engine = wasmedge_runtime::Engine::default();
//! let inner = wasmedge_runtime::vm::store::StoreInner::new(&engine);
//! let _ = inner.ref_from_raw(wasmedge_runtime::RefType::ExternRef, 0x10);
//! ```
//!
//! Module map: `api` (the safe embedding API), `engine`/`config` (engines and their
//! settings), `values` (`Val`, `ExternRef`, typed-call traits), `artifact` (AOT artifacts and
//! the compile cache), `vm` (private). See `docs/architecture.md`.

// Unsafe code is denied outside `vm`, the one module allowed to hold it; the exceptions are
// the artifact loaders' `unsafe fn` contract (an artifact is trusted native code) and its two
// callers, each marked where it stands.
#![deny(unsafe_code)]

mod api;
pub mod artifact;
mod config;
mod engine;
mod values;
#[allow(unsafe_code)]
mod vm;

pub use api::Extern;
pub use api::func::{Caller, Func, TypedFunc};
pub use api::global::Global;
pub use api::instance::Instance;
pub use api::linker::Linker;
pub use api::memory::{Memory, SharedMemory};
pub use api::module::Module;
pub use api::store::Store;
pub use api::table::Table;
pub use config::{Config, MemoryStrategy, WasmFeatures};
pub use engine::Engine;
pub use values::{ExternRef, Val, WasmList, WasmTy};
pub use wasmedge_environ::Tunables;
pub use wasmedge_environ::error::{Error, ErrorCode, ErrorKind, Phase, Result, Trap, TrapCode};
pub use wasmedge_environ::types::{
    ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, RefType, TableType,
    ValType,
};

/// The runtime's version, as printed by `wasmedge --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version plus the build identity (a hash of the sources of every crate that shapes
/// machine code, `build.rs`): what AOT artifacts and the compile cache are keyed by. A build
/// with and one without the compiler share it, so each accepts exactly what the other writes.
pub const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("WASMEDGE_RS_BUILD_ID"));

/// True when this build has the compiler (the `cranelift` feature).
pub const HAS_COMPILER: bool = cfg!(feature = "cranelift");
