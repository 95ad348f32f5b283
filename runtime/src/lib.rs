//! A lean ahead-of-time WebAssembly runtime: `wasmparser` decodes and validates, Cranelift
//! compiles every function to native code, and the VM runs it with guard-page memories and
//! signal-based traps.
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
//! Module map: `loader` (bytes → `ModuleInfo`), `compiler` (wasm → Cranelift IR → machine
//! code), `vm` (all unsafe code: code memory, linear memory, traps, instances), `api` (the
//! safe embedding API), `wasi` (WASI preview1 on a capability-based file system layer). See
//! `docs/architecture.md`.

pub mod api;
pub mod artifact;
pub mod compiler;
pub mod config;
pub mod error;
pub mod loader;
pub mod plugin;
pub mod types;
pub mod values;
pub mod vm;
pub mod wasi;

pub use api::Extern;
pub use api::func::{Caller, Func, TypedFunc};
pub use api::global::Global;
pub use api::instance::Instance;
pub use api::linker::Linker;
pub use api::memory::{Memory, SharedMemory};
pub use api::module::Module;
pub use api::store::Store;
pub use api::table::Table;
pub use config::{Config, Engine, MemoryStrategy, Tunables, WasmFeatures};
pub use error::{Error, ErrorKind, Phase, Result, Trap, TrapCode};
pub use types::{
    ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, RefType, TableType,
    ValType,
};
pub use values::{ExternRef, Val, WasmList, WasmTy};
pub use wasi::{WasiCtx, WasiCtxBuilder};

/// The runtime's version, as printed by `wasmedge --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version plus the build identity (a hash of the runtime's sources, `build.rs`): what AOT
/// artifacts and the compile cache are keyed by, since compiled code depends on the exact build.
pub const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("WASMEDGE_RS_BUILD_ID"));
