//! The interface types of `wasmedge-plugin-sdk` 1.0 (descriptor layout v1), frozen. Only the
//! `#[repr(C)]` types and what a hand-written plug-in needs; the 1.0 macros are not kept.
//! Type names, field names and field types must stay exactly as they were in 1.0: the runtime's
//! layout check compares them.

use abi_stable::StableAbi;
use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RResult, RSlice, RStr, RString, RVec};
use std::ffi::c_void;

pub use abi_stable;

#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ValType(u8);

impl ValType {
    pub const I32: ValType = ValType(0);
    pub const I64: ValType = ValType(1);
    pub const F32: ValType = ValType(2);
    pub const F64: ValType = ValType(3);
    pub const V128: ValType = ValType(4);
}

#[repr(C)]
#[derive(StableAbi, Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
pub struct Value {
    lo: u64,
    hi: u64,
}

impl Value {
    pub const fn from_i32(v: i32) -> Value {
        Value {
            lo: v as u32 as u64,
            hi: 0,
        }
    }
    pub const fn i32(self) -> i32 {
        self.lo as u32 as i32
    }
}

#[repr(C)]
#[derive(StableAbi, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PluginVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    pub build: u32,
}

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginDescriptorRef, prefix_fields = PluginDescriptorPrefix)))]
pub struct PluginDescriptor {
    #[cfg(not(feature = "incompatible-layout"))]
    pub abi_version: u32,
    #[cfg(feature = "incompatible-layout")]
    pub abi_version: u64,
    pub sdk_version: RStr<'static>,
    pub name: RStr<'static>,
    pub description: RStr<'static>,
    pub version: PluginVersion,
    pub modules: RSlice<'static, ModuleDescriptor>,
    #[sabi(last_prefix_field)]
    pub options: RSlice<'static, OptionDescriptor>,
}

impl RootModule for PluginDescriptorRef {
    abi_stable::declare_root_module_statics! {PluginDescriptorRef}
    const BASE_NAME: &'static str = "wasmedge_plugin";
    const NAME: &'static str = "wasmedge plug-in";
    const VERSION_STRINGS: VersionStrings = abi_stable::package_version_strings!();
}

#[repr(C)]
#[derive(StableAbi)]
pub struct ModuleDescriptor {
    pub name: RStr<'static>,
    pub description: RStr<'static>,
    pub functions: RSlice<'static, HostFuncDescriptor>,
    pub create: unsafe extern "C" fn(init: *const InitContext) -> RResult<StatePtr, RString>,
    pub destroy: unsafe extern "C" fn(state: StatePtr),
}

#[repr(C)]
#[derive(StableAbi)]
pub struct HostFuncDescriptor {
    pub name: RStr<'static>,
    pub params: RSlice<'static, ValType>,
    pub results: RSlice<'static, ValType>,
    pub entry: unsafe extern "C" fn(
        cx: *mut CallContext,
        args: *const Value,
        nargs: usize,
        results: *mut Value,
        nresults: usize,
    ) -> CallStatus,
}

#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct CallStatus(pub u32);

#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, Debug)]
pub struct StatePtr(pub *mut c_void);

#[repr(C)]
#[derive(StableAbi)]
pub struct OptionDescriptor {
    pub name: RStr<'static>,
    pub value_name: RStr<'static>,
    pub description: RStr<'static>,
    pub repeatable: bool,
}

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = HostApiRef, prefix_fields = HostApiPrefix)))]
pub struct HostApi {
    pub memory: unsafe extern "C" fn(frame: *mut c_void, out: *mut MemoryRegion) -> bool,
    pub trap: unsafe extern "C" fn(frame: *mut c_void, message: RStr<'_>),
    pub call_export: unsafe extern "C" fn(
        frame: *mut c_void,
        name: RStr<'_>,
        args: *const Value,
        nargs: usize,
        results: *mut Value,
        nresults: usize,
    ) -> RResult<(), RString>,
    #[sabi(last_prefix_field)]
    pub log: unsafe extern "C" fn(level: LogLevel, message: RStr<'_>),
}

#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct LogLevel(pub u32);

#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug)]
pub struct MemoryRegion {
    pub base: *mut u8,
    pub len: usize,
}

#[repr(C)]
#[derive(StableAbi)]
pub struct CallContext {
    frame: *mut c_void,
    api: HostApiRef,
    state: StatePtr,
}

impl CallContext {
    pub fn state_ptr(&self) -> StatePtr {
        self.state
    }
}

#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct OptionValue {
    pub name: RString,
    pub values: RVec<RString>,
}

#[repr(C)]
#[derive(StableAbi)]
pub struct InitContext {
    options: *const OptionValue,
    options_len: usize,
    api: HostApiRef,
}

impl InitContext {
    pub fn options(&self) -> &[OptionValue] {
        if self.options_len == 0 {
            return &[];
        }
        // SAFETY: the runtime passes a valid array.
        unsafe { std::slice::from_raw_parts(self.options, self.options_len) }
    }
}
