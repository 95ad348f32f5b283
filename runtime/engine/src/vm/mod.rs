//! The VM: every piece of unsafe code in `wasmedge-runtime` lives in this module tree, and none
//! of it is reachable from outside the crate (`pub(crate)` throughout).
//!
//! `vmcontext` (the `repr(C)` structures compiled code uses, checked against
//! `wasmedge_environ::vmabi`), `code` (executable memory and the trap-site registry), `traps`
//! (entry stub and signal handlers), `memory`/`table` (storage), `engine` (what stores and
//! modules share), `store` (ownership of everything, by index), `instantiate` (building
//! instances), `call` (host → wasm), `host` (wasm → host), `builtins` (functions compiled code
//! calls), `parking` (atomic wait/notify), `module` (compiled modules). Each `unsafe` block
//! carries a `// SAFETY:` comment. The VM does not see the embedding API's types (`Store<T>`,
//! `Func`, `Val`, …) nor the embedder's data type: the API converts at its boundary.

pub(crate) mod builtins;
pub(crate) mod call;
pub(crate) mod code;
pub(crate) mod engine;
pub(crate) mod host;
pub(crate) mod instantiate;
pub(crate) mod memory;
pub(crate) mod module;
pub(crate) mod parking;
pub(crate) mod store;
pub(crate) mod table;
pub(crate) mod traps;
pub(crate) mod vmcontext;
