//! A plug-in as SDK 1.0 built it (descriptor layout v1, written out by hand instead of with the
//! 1.0 macros): module "v1" with `triple(i32) -> i32`, and option `--v1-offset N` added to the
//! result. Built with the `incompatible-layout` feature (the `bad-layout` fixture) its
//! descriptor layout no longer matches and the runtime must refuse it with a warning.

use std::ffi::c_void;
use wasmedge_plugin_sdk_v1::abi_stable::library::{
    __call_root_module_loader, CheckTypeLayout, LibHeader, RootModuleResult,
};
use wasmedge_plugin_sdk_v1::abi_stable::prefix_type::{PrefixRef, WithMetadata};
use wasmedge_plugin_sdk_v1::abi_stable::std_types::{RResult, RSlice, RStr, RString};
use wasmedge_plugin_sdk_v1::*;

struct State {
    offset: i32,
}

unsafe extern "C" fn create(init: *const InitContext) -> RResult<StatePtr, RString> {
    // SAFETY: the runtime passes a valid InitContext.
    let init = unsafe { &*init };
    let offset = init
        .options()
        .iter()
        .filter(|o| o.name.as_str() == "v1-offset")
        .filter_map(|o| o.values.last())
        .next_back()
        .and_then(|v| v.as_str().parse().ok())
        .unwrap_or(0);
    let state = Box::new(State { offset });
    RResult::ROk(StatePtr(Box::into_raw(state) as *mut c_void))
}

unsafe extern "C" fn destroy(state: StatePtr) {
    // SAFETY: `state` came from `create`.
    drop(unsafe { Box::from_raw(state.0 as *mut State) });
}

unsafe extern "C" fn triple(
    cx: *mut CallContext,
    args: *const Value,
    _nargs: usize,
    results: *mut Value,
    _nresults: usize,
) -> CallStatus {
    // SAFETY: the runtime passes this module's state and arrays of the declared lengths.
    unsafe {
        let state = &*((*cx).state_ptr().0 as *const State);
        *results = Value::from_i32((*args).i32().wrapping_mul(3).wrapping_add(state.offset));
    }
    CallStatus(0)
}

static DESCRIPTOR: WithMetadata<PluginDescriptor> = WithMetadata::new(PluginDescriptor {
    abi_version: 1,
    sdk_version: RStr::from_str("1.0.0"),
    name: RStr::from_str("fixture_v1"),
    description: RStr::from_str("Built against the plug-in SDK 1.0 (descriptor layout v1)"),
    version: PluginVersion {
        major: 0,
        minor: 1,
        patch: 0,
        build: 0,
    },
    modules: RSlice::from_slice(&[ModuleDescriptor {
        name: RStr::from_str("v1"),
        description: RStr::from_str("triple(x) = 3x + --v1-offset"),
        functions: RSlice::from_slice(&[HostFuncDescriptor {
            name: RStr::from_str("triple"),
            params: RSlice::from_slice(&[ValType::I32]),
            results: RSlice::from_slice(&[ValType::I32]),
            entry: triple,
        }]),
        create,
        destroy,
    }]),
    options: RSlice::from_slice(&[OptionDescriptor {
        name: RStr::from_str("v1-offset"),
        value_name: RStr::from_str("N"),
        description: RStr::from_str("Added to every result of triple"),
        repeatable: false,
    }]),
});

fn root() -> PluginDescriptorRef {
    PluginDescriptorRef(PrefixRef::from_ref(&DESCRIPTOR))
}

#[unsafe(export_name = "_1as_0lib_1header_0root_bmodule_bloader")]
pub static ROOT: LibHeader = {
    extern "C" fn erased() -> RootModuleResult {
        __call_root_module_loader(root)
    }
    // SAFETY: `erased` returns the erased PluginDescriptorRef made by `root`.
    unsafe { LibHeader::from_constructor::<PluginDescriptorRef>(erased, CheckTypeLayout::Yes) }
};
