//! The VM: every piece of unsafe code in the runtime lives in this module tree.
//!
//! `layout` (shared structures, safe), `code` (executable memory and the trap-site registry),
//! `traps` (entry stub and signal handlers), `memory`/`table` (storage), `store` (ownership of
//! everything), `instantiate` (building instances), `call` (host → wasm), `host` (wasm → host),
//! `builtins` (functions compiled code calls), `module` (compiled modules). Each `unsafe` block
//! carries a `// SAFETY:` comment.

pub mod builtins;
pub mod call;
pub mod code;
pub mod host;
pub mod instantiate;
pub mod layout;
pub mod memory;
pub mod module;
pub mod parking;
pub mod store;
pub mod table;
pub mod traps;
