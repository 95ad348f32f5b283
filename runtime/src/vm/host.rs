//! Host functions: the context block a host function's `VMFuncRef` points to, the shim compiled
//! code calls (through the engine's wasm-to-host trampoline), and creation of host functions.
//!
//! The shim converts raw values to `Val`s, runs the closure under `catch_unwind`, and reports
//! errors and panics as a pending error plus a 0 return, so that the trampoline traps from wasm
//! code: nothing ever unwinds through compiled frames. Must not know about modules.

use crate::api::func::{Caller, Func, HostFn};
use crate::api::store::Store;
use crate::error::{Error, Phase, Result};
use crate::types::FuncType;
use crate::values::Val;
use crate::vm::code::{CodeInfo, CodeMemory};
use crate::vm::layout::{VMFuncRef, VMStoreContext, header};
use std::panic::{AssertUnwindSafe, catch_unwind};

type Shim<T> = unsafe extern "C" fn(*mut HostContext<T>, *mut u8, *mut u128, usize) -> u32;

/// What a host function's `VMFuncRef.vmctx` points to. `shim` must stay at offset 0: the
/// wasm-to-host trampoline loads it from there.
#[repr(C)]
pub struct HostContext<T: 'static> {
    shim: Shim<T>,
    pub func_ref: VMFuncRef,
    pub ty: FuncType,
    pub callback: Box<HostFn<T>>,
}

/// The engine's wasm-to-host trampoline for a signature, compiled on first use.
fn host_trampoline(store: &Store<impl Sized>, type_id: u32, ty: &FuncType) -> Result<*const u8> {
    let engine = store.engine();
    let mut cache = engine.inner.host_trampolines.lock().unwrap();
    if let Some((code, off)) = cache.get(&type_id) {
        return Ok(code.addr(*off));
    }
    let compiled = crate::compiler::compile_host_trampoline(&*engine.inner.isa, ty)?;
    let len = compiled.funcs[0].1;
    let code = CodeMemory::new(
        &compiled.text,
        CodeInfo {
            traps: compiled.traps,
            functions: vec![(0, len, "<host trampoline>".into())],
        },
    )
    .map_err(|m| Error::new(Phase::Compilation, m, None))?;
    let off = compiled.funcs[0].0;
    let addr = code.addr(off);
    cache.insert(type_id, (code, off));
    Ok(addr)
}

/// Creates a host function in `store`.
pub fn new_host_func<T: 'static>(
    store: &mut Store<T>,
    ty: FuncType,
    callback: Box<HostFn<T>>,
) -> Func {
    let type_id = store.engine().intern(&ty);
    // Compiling a tiny trampoline only fails if the host is out of memory or unsupported, and
    // the engine already compiled code for this host.
    let wasm_call = host_trampoline(store, type_id, &ty).expect("compiling a host-call trampoline");
    let mut ctx = Box::new(HostContext {
        shim: shim::<T>,
        func_ref: VMFuncRef {
            wasm_call,
            array_call: shim::<T> as *const u8,
            vmctx: std::ptr::null_mut(),
            type_id,
            _pad: 0,
        },
        ty,
        callback,
    });
    ctx.func_ref.vmctx = &mut *ctx as *mut HostContext<T> as *mut u8;
    let func_ref: *const VMFuncRef = &ctx.func_ref;
    store.inner.host_contexts.push(ctx);
    store.inner.push_func(func_ref, type_id, true)
}

/// Runs a host function's closure with `params`, filling `results`.
///
/// # Safety
/// `ctx` must be the context of a host function created in `store`.
pub unsafe fn call_host<T: 'static>(
    store: &mut Store<T>,
    ctx: *mut HostContext<T>,
    instance: Option<usize>,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    // SAFETY: `ctx` points to a HostContext<T> owned by `store.inner.host_contexts`, which is
    // never shrunk while the store lives; the Box's contents do not move.
    let ctx = unsafe { &*ctx };
    for (r, t) in results.iter_mut().zip(ctx.ty.results()) {
        *r = Val::default_for(*t);
    }
    let started = store.inner.host_time.map(|_| std::time::Instant::now());
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        (ctx.callback)(
            Caller {
                store: &mut *store,
                instance,
            },
            params,
            results,
        )
    }));
    if let (Some(t0), Some(total)) = (started, store.inner.host_time.as_mut()) {
        *total += t0.elapsed();
    }
    match outcome {
        Ok(Ok(())) => {
            for (i, (r, t)) in results.iter().zip(ctx.ty.results()).enumerate() {
                if r.ty() != *t {
                    return Err(Error::new(
                        Phase::Execution,
                        format!(
                            "host function returned a {} as result {i}, its type says {t}",
                            r.ty()
                        ),
                        None,
                    ));
                }
            }
            Ok(())
        }
        Ok(Err(e)) => Err(e),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::trap(
                Phase::Execution,
                crate::error::Trap::host(format!("host function panicked: {msg}")),
            ))
        }
    }
}

/// Called by the wasm-to-host trampoline. Returns 1 on success, 0 when the host failed (the
/// error is left in the store's `pending_error`).
unsafe extern "C" fn shim<T: 'static>(
    ctx: *mut HostContext<T>,
    caller_vmctx: *mut u8,
    values: *mut u128,
    len: usize,
) -> u32 {
    // SAFETY: `caller_vmctx` is the live VMContext of the calling wasm instance; its header
    // holds the store context, whose `store` field is the `Store<T>` of the current call
    // (set by `call::call_func` before entering wasm).
    let (store, instance) = unsafe {
        let sctx = *(caller_vmctx.add(header::STORE_CTX as usize) as *const *mut VMStoreContext);
        let instance = *(caller_vmctx.add(header::INSTANCE as usize) as *const usize);
        (&mut *((*sctx).store as *mut Store<T>), instance)
    };
    // SAFETY: the trampoline passes an array of `len` 16-byte slots.
    let slots = unsafe { std::slice::from_raw_parts_mut(values, len) };
    // SAFETY: `ctx` is the HostContext this shim was created with.
    let ty = unsafe { &(*ctx).ty };
    let params: Vec<Val> = ty
        .params()
        .iter()
        .zip(slots.iter())
        .map(|(t, raw)| store.inner.val_from_raw(*t, *raw))
        .collect();
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    // SAFETY: `ctx` is the context this shim was created with, owned by `store`.
    let outcome =
        unsafe { call_host(store, ctx, Some(instance), &params, &mut results) }.and_then(|()| {
            for (slot, r) in slots.iter_mut().zip(&results) {
                *slot = store.inner.val_to_raw(r)?;
            }
            Ok(())
        });
    match outcome {
        Ok(()) => 1,
        Err(e) => {
            store.inner.pending_error = Some(e);
            0
        }
    }
}
