//! The plug-in descriptor: the root module every plug-in library exports, and what it lists —
//! host modules with their functions, command-line options and WASI-NN backends.
//!
//! The descriptor is an `abi_stable` *prefix type*: fields up to `options` (the
//! `last_prefix_field`) exist in every plug-in; fields after it were added by later SDK versions
//! and read as `None` when a plug-in built against an older SDK is loaded. New fields may only
//! ever be appended after the last one.
//!
//! Descriptors are built at compile time by [`export_plugin!`](crate::export_plugin) and live
//! in the plug-in's static data: the runtime never frees them (plug-in libraries stay loaded).

use crate::host::{CallContext, InitContext};
use crate::nn::NnBackendDescriptorRef;
use crate::types::{PluginVersion, ValType, Value};
use abi_stable::StableAbi;
use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RResult, RSlice, RStr, RString};
use std::ffi::c_void;

/// The plug-in ABI major version this SDK implements (the SDK crate's major version). A runtime
/// loads plug-ins built with any SDK of the same major version.
pub const ABI_VERSION: u32 = 1;

/// The SDK's version (`CARGO_PKG_VERSION` of `wasmedge-plugin-sdk`).
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The name of the symbol a plug-in library exports (`abi_stable`'s root-module symbol for the
/// pinned `abi_stable` 0.11). [`export_plugin!`](crate::export_plugin) emits it.
pub const ROOT_SYMBOL: &str = "_1as_0lib_1header_0root_bmodule_bloader";

/// What a plug-in library describes about itself. Obtain it through [`PluginDescriptorRef`].
///
/// Layout history (see the compatibility policy in `docs/plugin-guide.md`):
/// - v1 (SDK 1.0): `abi_version` … `options`.
/// - v2 (SDK 1.1): adds `nn_backends`.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginDescriptorRef, prefix_fields = PluginDescriptorPrefix)))]
pub struct PluginDescriptor {
    /// [`ABI_VERSION`] of the SDK the plug-in was built with.
    pub abi_version: u32,
    /// [`SDK_VERSION`] of the SDK the plug-in was built with.
    pub sdk_version: RStr<'static>,
    /// The plug-in's name (`[A-Za-z0-9_.-]+`), unique among loaded plug-ins; what
    /// `--forbidden-plugin` takes. WasmEdge's official names are `wasi_nn`, `wasi_crypto`,
    /// `wasi_logging`, ….
    pub name: RStr<'static>,
    /// A one-line description.
    pub description: RStr<'static>,
    /// The plug-in's own version.
    pub version: PluginVersion,
    /// The host modules the plug-in provides.
    pub modules: RSlice<'static, ModuleDescriptor>,
    /// The command-line options the plug-in adds to `wasmedge`.
    #[sabi(last_prefix_field)]
    pub options: RSlice<'static, OptionDescriptor>,
    /// (v2) The WASI-NN backends the plug-in provides; the runtime's `wasi_ephemeral_nn`
    /// module routes to them by graph encoding.
    pub nn_backends: RSlice<'static, NnBackendDescriptorRef>,
}

impl RootModule for PluginDescriptorRef {
    abi_stable::declare_root_module_statics! {PluginDescriptorRef}
    const BASE_NAME: &'static str = "wasmedge_plugin";
    const NAME: &'static str = "wasmedge plug-in";
    const VERSION_STRINGS: VersionStrings = abi_stable::package_version_strings!();
}

/// A host module: the functions a guest imports under one module name.
#[repr(C)]
#[derive(StableAbi)]
pub struct ModuleDescriptor {
    /// The import module name guests use, e.g. `"wasi:logging/logging@0.1.0-draft"` or
    /// `"wasi_ephemeral_nn"`.
    pub name: RStr<'static>,
    /// A one-line description.
    pub description: RStr<'static>,
    /// The functions, each with its wasm signature and entry point.
    pub functions: RSlice<'static, HostFuncDescriptor>,
    /// Creates the module's state once per runtime session, after the command line was parsed
    /// (the plug-in's option values are in the [`InitContext`]). An error (or a caught panic)
    /// makes the runtime skip the module with a warning.
    pub create: unsafe extern "C" fn(init: *const InitContext) -> RResult<StatePtr, RString>,
    /// Destroys a state made by `create`.
    pub destroy: unsafe extern "C" fn(state: StatePtr),
}

/// `ModuleDescriptor::create`: the new state, or an error message.
pub type CreateStateFn =
    unsafe extern "C" fn(init: *const InitContext) -> RResult<StatePtr, RString>;

/// `ModuleDescriptor::destroy`.
pub type DestroyStateFn = unsafe extern "C" fn(state: StatePtr);

/// A host function: its name, wasm signature and plain `extern "C"` entry point.
#[repr(C)]
#[derive(StableAbi)]
pub struct HostFuncDescriptor {
    /// The import field name, e.g. `"log"`.
    pub name: RStr<'static>,
    /// Parameter types.
    pub params: RSlice<'static, ValType>,
    /// Result types.
    pub results: RSlice<'static, ValType>,
    /// The entry point (a [`HostFuncEntry`]).
    pub entry: unsafe extern "C" fn(
        cx: *mut CallContext,
        args: *const Value,
        nargs: usize,
        results: *mut Value,
        nresults: usize,
    ) -> CallStatus,
}

/// A host function's entry point: the array calling convention.
///
/// `args` points to `nargs` values (the parameters, typed by the signature), `results` to
/// `nresults` zeroed values to fill in. `cx` gives the module state, the calling instance's
/// memory and the host services. Return [`CallStatus::OK`], or [`CallStatus::TRAP`] after
/// reporting the message with [`CallContext::trap`]. Must never unwind: the wrappers
/// [`export_plugin!`](crate::export_plugin) generates catch panics.
pub type HostFuncEntry = unsafe extern "C" fn(
    cx: *mut CallContext,
    args: *const Value,
    nargs: usize,
    results: *mut Value,
    nresults: usize,
) -> CallStatus;

/// What a [`HostFuncEntry`] returns.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct CallStatus(pub u32);

impl CallStatus {
    /// The call succeeded; the results are set.
    pub const OK: CallStatus = CallStatus(0);
    /// The call failed; the guest traps with the message given to [`CallContext::trap`].
    pub const TRAP: CallStatus = CallStatus(1);
}

/// A pointer to state owned by a plug-in (a module's or an NN backend's), opaque to the host.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, Debug)]
pub struct StatePtr(pub *mut c_void);

// SAFETY: a StatePtr is only a handle; the state it points to is `Send + Sync` (the SDK's
// wrappers require it of every state type).
unsafe impl Send for StatePtr {}
// SAFETY: as above.
unsafe impl Sync for StatePtr {}

/// A command-line option a plug-in adds to `wasmedge` (for example `--nn-preload`). The
/// runtime accepts it only while the plug-in is loaded and hands the given values to the
/// plug-in's `create` functions through [`InitContext`].
#[repr(C)]
#[derive(StableAbi)]
pub struct OptionDescriptor {
    /// The long option name without dashes, e.g. `"nn-preload"`.
    pub name: RStr<'static>,
    /// The value's placeholder in help texts, e.g. `"PATH"`; empty for a switch that takes no
    /// value.
    pub value_name: RStr<'static>,
    /// The help text.
    pub description: RStr<'static>,
    /// True if the option may be given several times (all values are kept); otherwise the last
    /// one wins.
    pub repeatable: bool,
}
