//! Host functions: the context block a host function's `VMFuncRef` points to, the shim compiled
//! code calls (through a wasm-to-host trampoline), and creation of host functions.
//!
//! The callback is type-erased: it receives the calling store as `&mut dyn VmStore` and the
//! raw 16-byte value slots, so this module is not generic over the embedder's data type (the
//! embedding API's closure downcasts and converts). The shim runs the callback under
//! `catch_unwind` and reports errors and panics as a pending error plus a 0 return, so that the
//! trampoline traps from wasm code: nothing ever unwinds through compiled frames. Must not know
//! about modules.

use crate::vm::store::{StoreInner, VmStore};
use crate::vm::vmcontext::{VMFuncRef, VMStoreContext};
use std::panic::{AssertUnwindSafe, catch_unwind};
use wasmedge_environ::error::{Error, Phase, Result, Trap};
use wasmedge_environ::vmabi::header;

/// A host function's implementation over raw slots: parameters in, results out (the slice holds
/// `max(params, results)` slots). `instance` is the calling instance, when wasm called.
pub(crate) type RawHostFn =
    dyn Fn(&mut dyn VmStore, Option<usize>, &mut [u128]) -> Result<()> + Send + Sync;

type Shim = unsafe extern "C" fn(*mut HostContext, *mut u8, *mut u128, usize) -> u32;

/// What a host function's `VMFuncRef.vmctx` points to. `shim` must stay at offset 0: the
/// wasm-to-host trampoline loads it from there.
#[repr(C)]
pub(crate) struct HostContext {
    shim: Shim,
    pub(crate) func_ref: VMFuncRef,
    callback: Box<RawHostFn>,
}

/// Creates a host function of signature `type_id` in `inner`; returns its function index.
/// `wasm_call` is the engine's trampoline for the signature when there is one, else filled
/// later by `StoreInner::fill_host_trampolines`.
pub(crate) fn new_host_func(
    inner: &mut StoreInner,
    type_id: u32,
    callback: Box<RawHostFn>,
) -> usize {
    let wasm_call = inner.engine.host_trampoline(type_id);
    let mut ctx = Box::new(HostContext {
        shim,
        func_ref: VMFuncRef {
            wasm_call: wasm_call.unwrap_or(std::ptr::null()),
            array_call: shim as *const u8,
            vmctx: std::ptr::null_mut(),
            type_id,
            _pad: 0,
        },
        callback,
    });
    ctx.func_ref.vmctx = &mut *ctx as *mut HostContext as *mut u8;
    let func_ref: *const VMFuncRef = &ctx.func_ref;
    inner.host_contexts.push(ctx);
    if wasm_call.is_none() {
        inner.unfilled_hosts.push(inner.host_contexts.len() - 1);
    }
    inner.push_func(func_ref, type_id, true)
}

/// Runs a host function's callback with `slots`, measuring host time when asked and turning a
/// panic into a trap.
///
/// # Safety
/// `ctx` must be the context of a host function created in `store`.
pub(crate) unsafe fn call_host(
    store: &mut dyn VmStore,
    ctx: *const HostContext,
    instance: Option<usize>,
    slots: &mut [u128],
) -> Result<()> {
    // SAFETY: `ctx` points to a HostContext owned by `store`'s `host_contexts`, which is never
    // shrunk while the store lives; the Box's contents do not move.
    let ctx = unsafe { &*ctx };
    let started = store.vm().host_time.map(|_| std::time::Instant::now());
    let outcome = catch_unwind(AssertUnwindSafe(|| (ctx.callback)(store, instance, slots)));
    if let Some(t0) = started
        && let Some(total) = store.vm().host_time.as_mut()
    {
        *total += t0.elapsed();
    }
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::trap(
                Phase::Execution,
                Trap::host(format!("host function panicked: {msg}")),
            ))
        }
    }
}

/// Called by the wasm-to-host trampoline. Returns 1 on success, 0 when the host failed (the
/// error is left in the store's `pending_error`).
unsafe extern "C" fn shim(
    ctx: *mut HostContext,
    caller_vmctx: *mut u8,
    values: *mut u128,
    len: usize,
) -> u32 {
    // SAFETY: `caller_vmctx` is the live VMContext of the calling wasm instance; its header
    // holds the store context, whose `store` is the store of the current call (set by
    // `vm::call::call` before entering wasm and not used by it until wasm returns).
    let (store, instance) = unsafe {
        let sctx = *(caller_vmctx.add(header::STORE_CTX as usize) as *const *mut VMStoreContext);
        let instance = *(caller_vmctx.add(header::INSTANCE as usize) as *const usize);
        match (*sctx).store {
            Some(mut s) => (s.as_mut(), instance),
            // Compiled code runs only inside `vm::call`, which sets the store.
            None => return 0,
        }
    };
    // SAFETY: the trampoline passes an array of `len` 16-byte slots.
    let slots = unsafe { std::slice::from_raw_parts_mut(values, len) };
    // SAFETY: `ctx` is the context this shim was created with, owned by `store`.
    match unsafe { call_host(store, ctx, Some(instance), slots) } {
        Ok(()) => 1,
        Err(e) => {
            store.vm().pending_error = Some(e);
            0
        }
    }
}
