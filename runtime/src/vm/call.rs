//! Calling a function from the host: encodes arguments into 16-byte slots, sets the stack limit
//! on the outermost entry, enters wasm through `traps::enter`, and turns a trap (or a host
//! error that trapped out of wasm) into an `Error`.
//!
//! Argument types are checked by the API before this point. Must not interpret wasm.

use crate::api::func::Func;
use crate::api::store::Store;
use crate::error::{Error, Phase, Result, Trap, TrapCode};
use crate::values::Val;
use crate::vm::host::HostContext;
use crate::vm::traps;

/// Bytes kept free below the wasm stack limit for host functions and the signal handler.
const HOST_STACK_MARGIN: usize = 128 * 1024;

/// Calls `f` with `params`, writing `results`.
pub fn call_func<T: 'static>(
    store: &mut Store<T>,
    f: Func,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let data = store.inner.func_data(f);
    let (func_ref, host) = (data.func_ref, data.host);
    // SAFETY: `func_ref` points into memory the store owns (a VMContext or a host context).
    let fr = unsafe { *func_ref };
    if host {
        // SAFETY: host functions' `vmctx` is their `HostContext<T>` (T is the store's type,
        // since the function was created in this store).
        let ctx = fr.vmctx as *mut HostContext<T>;
        // SAFETY: `ctx` is this host function's context, owned by the store.
        return unsafe { crate::vm::host::call_host(store, ctx, None, params, results) };
    }
    let ty = store.inner.engine.signature(fr.type_id);
    let mut slots = vec![0u128; ty.params().len().max(ty.results().len()).max(1)];
    for (slot, p) in slots.iter_mut().zip(params) {
        *slot = store.inner.val_to_raw(p)?;
    }
    let outermost = store.inner.call_depth == 0;
    if outermost {
        let here = &slots as *const _ as usize;
        let mut limit = here.saturating_sub(store.inner.engine.config().max_wasm_stack);
        if let Some(low) = traps::thread_stack_low() {
            limit = limit.max(low + HOST_STACK_MARGIN);
        }
        store.inner.ctx.stack_limit = limit;
    }
    let prev_store = store.inner.ctx.store;
    let prev_inner = store.inner.ctx.store_inner;
    store.inner.ctx.store = store as *mut Store<T> as *mut u8;
    store.inner.ctx.store_inner = &mut store.inner;
    store.inner.call_depth += 1;
    // SAFETY: `fr` is a wasm function's reference: `array_call` is its module's array-to-wasm
    // trampoline for its type, `wasm_call` its code and `vmctx` its live instance; `slots` has
    // max(params, results) entries.
    let outcome =
        unsafe { traps::enter(fr.array_call, fr.wasm_call, fr.vmctx, slots.as_mut_ptr()) };
    store.inner.call_depth -= 1;
    store.inner.ctx.store = prev_store;
    store.inner.ctx.store_inner = prev_inner;
    if let Err(rec) = outcome {
        let pending = store.inner.pending_error.take();
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
    for (r, (slot, t)) in results.iter_mut().zip(slots.iter().zip(ty.results())) {
        *r = store.inner.val_from_raw(*t, *slot);
    }
    Ok(())
}
