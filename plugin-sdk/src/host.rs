//! What the runtime hands a plug-in: the per-call [`CallContext`], the per-session
//! [`InitContext`] with option values, and the [`HostApi`] table of host services (memory
//! access, calls back into the guest, logging).
//!
//! These are the low-level FFI types; plug-in code normally uses the safe wrappers in
//! [`crate::caller`]. A runtime builds them with the `unsafe` constructors documented here.

use crate::descriptor::StatePtr;
use crate::types::Value;
use abi_stable::StableAbi;
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use std::ffi::c_void;

/// Host services, provided by the runtime (a prefix type: later SDKs may append services,
/// which read as `None` on older runtimes).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = HostApiRef, prefix_fields = HostApiPrefix)))]
pub struct HostApi {
    /// Writes the base and length of the calling instance's exported memory `"memory"` into
    /// `out` and returns true, or returns false when the caller exports no memory. The region is
    /// valid until the host function returns or calls `call_export`.
    pub memory: unsafe extern "C" fn(frame: *mut c_void, out: *mut MemoryRegion) -> bool,
    /// Records the message the guest's trap will carry (the call must then return
    /// [`CallStatus::TRAP`](crate::CallStatus::TRAP)).
    pub trap: unsafe extern "C" fn(frame: *mut c_void, message: RStr<'_>),
    /// Calls the calling instance's exported function `name` (for example `cabi_realloc`) with
    /// `nargs` arguments, writing `nresults` results. Invalidates memory regions obtained before.
    pub call_export: unsafe extern "C" fn(
        frame: *mut c_void,
        name: RStr<'_>,
        args: *const Value,
        nargs: usize,
        results: *mut Value,
        nresults: usize,
    ) -> RResult<(), RString>,
    /// Logs `message` at `level` (a [`LogLevel`]) through the runtime's logger, which applies
    /// `--log-level`.
    #[sabi(last_prefix_field)]
    pub log: unsafe extern "C" fn(level: LogLevel, message: RStr<'_>),
}

/// A log level for [`HostApi::log`].
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct LogLevel(pub u32);

impl LogLevel {
    /// Trace.
    pub const TRACE: LogLevel = LogLevel(0);
    /// Debug.
    pub const DEBUG: LogLevel = LogLevel(1);
    /// Info.
    pub const INFO: LogLevel = LogLevel(2);
    /// Warning.
    pub const WARNING: LogLevel = LogLevel(3);
    /// Error.
    pub const ERROR: LogLevel = LogLevel(4);
}

/// A region of linear memory: `len` bytes at `base`.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug)]
pub struct MemoryRegion {
    /// The first byte (may dangle when `len` is 0).
    pub base: *mut u8,
    /// The length in bytes.
    pub len: usize,
}

/// What a host function call receives besides its arguments.
#[repr(C)]
#[derive(StableAbi)]
pub struct CallContext {
    frame: *mut c_void,
    api: HostApiRef,
    state: StatePtr,
}

impl CallContext {
    /// A context for one call (runtime side).
    ///
    /// # Safety
    /// `frame` must be what `api`'s functions expect, valid for the whole call; `state` must be
    /// the state the called function's module `create`d.
    pub unsafe fn new(frame: *mut c_void, api: HostApiRef, state: StatePtr) -> CallContext {
        CallContext { frame, api, state }
    }

    /// The module's state pointer.
    pub fn state_ptr(&self) -> StatePtr {
        self.state
    }

    /// The host services.
    pub fn api(&self) -> HostApiRef {
        self.api
    }

    /// The host's frame pointer, to pass to [`HostApi`] functions.
    pub fn frame(&self) -> *mut c_void {
        self.frame
    }

    /// Reports the message of the trap this call is about to return.
    pub fn trap(&mut self, message: &str) {
        // SAFETY: `frame` is the frame `api` expects (guaranteed by `new`'s caller).
        unsafe { (self.api.trap())(self.frame, RStr::from_str(message)) }
    }

    /// The calling instance's memory, if it exports one named `"memory"`.
    pub fn memory_region(&mut self) -> Option<MemoryRegion> {
        let mut region = MemoryRegion {
            base: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: as in `trap`; `region` is a valid out-pointer.
        unsafe { (self.api.memory())(self.frame, &mut region) }.then_some(region)
    }
}

/// One plug-in option's values as given on the command line.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct OptionValue {
    /// The option name without dashes.
    pub name: RString,
    /// Its values in command-line order (empty for a switch).
    pub values: RVec<RString>,
}

/// What a module's (or NN backend's) `create` receives: the plug-in's option values and the
/// host services.
#[repr(C)]
#[derive(StableAbi)]
pub struct InitContext {
    options: *const OptionValue,
    options_len: usize,
    api: HostApiRef,
}

impl InitContext {
    /// A context over `options` (runtime side). Only the options that were given are listed.
    ///
    /// # Safety
    /// `options` must outlive every use of the returned context.
    pub unsafe fn new(options: &[OptionValue], api: HostApiRef) -> InitContext {
        InitContext {
            options: options.as_ptr(),
            options_len: options.len(),
            api,
        }
    }

    /// Every option that was given.
    pub fn options(&self) -> &[OptionValue] {
        if self.options_len == 0 {
            return &[];
        }
        // SAFETY: `new` took a valid slice that outlives `self`.
        unsafe { std::slice::from_raw_parts(self.options, self.options_len) }
    }

    /// The values of option `name` (empty if it was not given).
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.options()
            .iter()
            .filter(|o| o.name.as_str() == name)
            .flat_map(|o| o.values.iter().map(|v| v.as_str()))
            .collect()
    }

    /// The last value of option `name`, if it was given with a value.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values(name).last().copied()
    }

    /// True if option `name` was given (with or without a value).
    pub fn flag(&self, name: &str) -> bool {
        self.options().iter().any(|o| o.name.as_str() == name)
    }

    /// Logs through the runtime's logger (for example a warning about a bad option value).
    pub fn log(&self, level: LogLevel, message: &str) {
        // SAFETY: `log` has no preconditions beyond a valid string.
        unsafe { (self.api.log())(level, RStr::from_str(message)) }
    }

    /// The host services.
    pub fn api(&self) -> HostApiRef {
        self.api
    }
}
