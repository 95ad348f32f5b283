//! The VM: all unsafe code of the runtime.
pub mod call;
pub mod code;
pub mod host;
pub mod instantiate;
pub mod memory;
pub mod module;
pub mod store;
