//! `wasmedge-plugin-sdk`: the stable interface between the `wasmedge` runtime (wasmedge-rs) and
//! its shared-library plug-ins.
//!
//! A plug-in is a `cdylib` crate that depends on this SDK and invokes [`export_plugin!`] once.
//! The runtime finds the library at startup (`--plugin-dir`, `WASMEDGE_PLUGIN_PATH`,
//! `~/.wasmedge/plugin`, …), checks its SDK version and the layout of every type it shares
//! with the runtime (through `abi_stable`), and registers its host modules so guests can import
//! them. `docs/plugin-guide.md` walks through writing, building, packaging and installing one;
//! `plugins/wasi-logging` is the example to copy.
//!
//! # What a plug-in provides
//! - a [`PluginDescriptor`]: name, description, version, SDK/ABI version;
//! - host modules ([`ModuleDescriptor`]): functions with a wasm signature and a plain
//!   `extern "C"` entry point taking its arguments and results as a [`Value`] array, plus a
//!   per-module state created once per session from the plug-in's option values;
//! - command-line options ([`OptionDescriptor`]) that `wasmedge` accepts while the plug-in is
//!   loaded;
//! - WASI-NN backends ([`nn::NnBackend`]).
//!
//! # Example
//! ```
//! use wasmedge_plugin_sdk::{export_plugin, host_module, Caller, HostError, Value};
//!
//! /// `add(a: i32, b: i32) -> i32`
//! fn add(_: &mut Caller<'_, ()>, args: &[Value], results: &mut [Value]) -> Result<(), HostError> {
//!     results[0] = Value::from_i32(args[0].i32().wrapping_add(args[1].i32()));
//!     Ok(())
//! }
//!
//! /// `print(ptr: i32, len: i32)`: prints a UTF-8 string from guest memory.
//! fn print(c: &mut Caller<'_, ()>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
//!     let memory = c.memory()?;
//!     println!("{}", memory.str(args[0].u32(), args[1].u32())?);
//!     Ok(())
//! }
//!
//! export_plugin! {
//!     name: "demo",
//!     description: "A demonstration plug-in",
//!     version: env!("CARGO_PKG_VERSION"),
//!     modules: [host_module! {
//!         name: "demo",
//!         functions: [
//!             "add" (i32, i32) -> (i32) = add,
//!             "print" (i32, i32) -> () = print,
//!         ],
//!     }],
//! }
//! # fn main() {}
//! ```
//!
//! # Errors, panics and safety
//! Host functions return [`HostError`] to trap the guest; the runtime adds the plug-in's name to
//! the trap message. A panic inside a plug-in is caught by the wrapper the macros generate
//! (inside the plug-in) and becomes such a trap: nothing unwinds across the FFI boundary. Guest
//! memory is reached only through [`Memory`], whose every access is bounds-checked. Plug-ins
//! must be built with `panic = "unwind"` (the default) for panics to be caught.
//!
//! # ABI compatibility policy
//! The SDK's major version is the ABI version. A runtime loads plug-ins built with any SDK of
//! its own major version, older or newer minor: the descriptor and the host-service table are
//! `abi_stable` prefix types, new fields are only ever appended (reading as `None` from older
//! plug-ins), and the layout of everything else is frozen within a major version.
//! `abi_stable` checks all of this when the library is loaded; a mismatch makes the runtime skip
//! the plug-in with a warning that says what to rebuild.

#![warn(missing_docs)]

pub mod caller;
pub mod descriptor;
mod export;
pub mod host;
pub mod nn;
pub mod types;

pub use caller::{Caller, HostError, Memory};
pub use descriptor::{
    ABI_VERSION, CallStatus, CreateStateFn, DestroyStateFn, HostFuncDescriptor, HostFuncEntry,
    ModuleDescriptor, OptionDescriptor, PluginDescriptor, PluginDescriptorPrefix,
    PluginDescriptorRef, ROOT_SYMBOL, SDK_VERSION, StatePtr,
};
pub use host::{
    CallContext, HostApi, HostApiPrefix, HostApiRef, InitContext, LogLevel, MemoryRegion,
    OptionValue,
};
pub use types::{PluginVersion, ValType, Value};

/// The `abi_stable` crate this SDK is built on (pinned), for runtimes and advanced plug-ins.
pub use abi_stable;

/// Items the macros use; not part of the stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{
        create_state, destroy_state, dispatch, first_or_empty, install_panic_hook, no_state,
    };
    pub use abi_stable::library::{
        __call_root_module_loader, CheckTypeLayout, LibHeader, RootModuleResult,
    };
    pub use abi_stable::prefix_type::{PrefixRef, WithMetadata};
    pub use abi_stable::std_types::{RResult, RSlice, RStr, RString};
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_symbol_is_abi_stables() {
        assert_eq!(
            crate::ROOT_SYMBOL,
            abi_stable::library::ROOT_MODULE_LOADER_NAME
        );
    }
}
