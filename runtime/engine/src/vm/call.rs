//! Calling a function from the host: sets the stack limit on the outermost entry, publishes
//! the store to host functions and builtins, enters wasm through `traps::enter`, and turns a
//! trap (or a host error that trapped out of wasm) into an `Error`.
//!
//! Arguments arrive as raw 16-byte slots already type-checked and encoded by the embedding
//! API. Must not interpret wasm.

use crate::vm::host::HostContext;
use crate::vm::store::VmStore;
use crate::vm::traps;
use std::ptr::NonNull;
use wasmedge_environ::error::{Error, Phase, Result, Trap, TrapCode};

/// Bytes kept free below the wasm stack limit for host functions and the signal handler.
const HOST_STACK_MARGIN: usize = 128 * 1024;

/// Calls function `func` of `store` with its parameters in `slots`, leaving its results there.
/// `slots` must hold `max(params, results, 1)` entries of the function's type.
pub(crate) fn call(store: &mut dyn VmStore, func: usize, slots: &mut [u128]) -> Result<()> {
    let inner = store.vm();
    let data = &inner.funcs[func];
    let (func_ref, host) = (data.func_ref, data.host);
    // SAFETY: `func_ref` points into memory the store owns (a VMContext or a host context).
    let fr = unsafe { *func_ref };
    if host {
        // SAFETY: host functions' `vmctx` is their `HostContext`, owned by this store.
        return unsafe {
            crate::vm::host::call_host(store, fr.vmctx as *const HostContext, None, slots)
        };
    }
    if inner.call_depth == 0 {
        let here = &slots as *const _ as usize;
        let mut limit = here.saturating_sub(inner.engine.max_wasm_stack);
        if let Some(low) = traps::thread_stack_low() {
            limit = limit.max(low + HOST_STACK_MARGIN);
        }
        inner.ctx.stack_limit = limit;
    }
    let store_ptr: NonNull<dyn VmStore> = NonNull::from(&mut *store);
    let inner = store.vm();
    let prev_store = inner.ctx.store.replace(store_ptr);
    let prev_inner = inner.ctx.store_inner;
    inner.ctx.store_inner = inner;
    inner.call_depth += 1;
    // From here until `enter` returns, host functions and builtins reach the store only
    // through the pointers just published; this function does not touch it.
    // SAFETY: `fr` is a wasm function's reference: `array_call` is its module's array-to-wasm
    // trampoline for its type, `wasm_call` its code and `vmctx` its live instance; `slots` has
    // max(params, results) entries.
    let outcome =
        unsafe { traps::enter(fr.array_call, fr.wasm_call, fr.vmctx, slots.as_mut_ptr()) };
    let inner = store.vm();
    inner.call_depth -= 1;
    inner.ctx.store = prev_store;
    inner.ctx.store_inner = prev_inner;
    if let Err(rec) = outcome {
        let pending = inner.pending_error.take();
        if let (TrapCode::HostError, Some(e)) = (rec.code, pending) {
            return Err(e);
        }
        let trap = Trap {
            code: rec.code,
            function: crate::vm::code::function_name_at(rec.pc),
            message: None,
        };
        return Err(Error::trap(Phase::Execution, trap));
    }
    Ok(())
}
