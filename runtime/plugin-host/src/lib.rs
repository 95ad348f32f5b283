//! The plug-in host: finds shared-library plug-ins built with `wasmedge-plugin-sdk`, loads
//! them through `abi_stable` (version and layout checks), and registers their host modules into
//! a [`Linker`](wasmedge_runtime::Linker).
//!
//! - [`search`]: where plug-ins are looked for (`--plugin-dir`, `WASMEDGE_PLUGIN_PATH`, the
//!   default folders) and the recursive scan for shared libraries.
//! - [`load`]: opening one library and checking it; every failure becomes a [`PluginWarning`]
//!   naming the file, the cause and the fix. [`elf`] checks ELF files before `dlopen` (a
//!   truncated library would otherwise crash the process) and lists their native dependencies.
//! - [`host`]: [`PluginHost`], the set of loaded plug-ins (each file once, first name wins,
//!   forbidden names skipped) and their options.
//! - [`link`]: creating module states and registering host functions; the host-service table
//!   plug-ins call back into (memory, guest exports, logging).
//! - [`nn`]: the runtime side of the WASI-NN backend interface; [`nn_host`] the
//!   `wasi_ephemeral_nn` module on top of it, [`nn_preload`] the `--nn-preload` parser.
//! - [`known`]: well-known plug-ins, for hints about missing ones.
//!
//! Plug-in libraries are never unloaded (`abi_stable` leaks them on purpose), so descriptors
//! and function pointers stay valid for the whole process. This module tree contains the
//! runtime's FFI `unsafe` code besides `vm`.

pub mod elf;
pub mod host;
pub mod known;
pub mod link;
pub mod load;
pub mod nn;
pub mod nn_host;
pub mod nn_preload;
pub mod search;

pub use host::{OptionInfo, PluginHost};
pub use link::{PluginModules, set_log_handler};
pub use load::{Plugin, PluginWarning};
pub use search::{Origin, SearchPaths};

/// The plug-in SDK this runtime implements (its version is the ABI version plug-ins must match
/// in major).
pub use wasmedge_plugin_sdk as sdk;
