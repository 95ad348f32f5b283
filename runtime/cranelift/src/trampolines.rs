//! Trampolines between the host's array calling convention and wasm's `Tail` convention.
//!
//! * array-to-wasm (one per function type of a module): `extern "C" fn(wasm_fn, callee_vmctx,
//!   caller_vmctx, values)` loads the arguments from 16-byte `values` slots, calls the wasm
//!   function and stores its results back into the slots.
//! * wasm-to-host (one per signature, cached by the engine): a wasm-convention function that
//!   spills its arguments into a stack array, calls the host shim stored at offset 0 of the host
//!   context (`fn(host_ctx, caller_vmctx, values, len) -> u32`), traps with `HostError` when it
//!   returns 0, and otherwise returns the results from the array.
//!
//! Must not contain wasm semantics beyond the value layout.

use crate::signatures::{POINTER, ir_type, native_signature, wasm_signature};
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    self, InstBuilder, MemFlagsData as MemFlags, StackSlotData, StackSlotKind, UserFuncName, types,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmedge_environ::error::TrapCode;
use wasmedge_environ::types::FuncType;
use wasmedge_environ::vmabi;

fn values_flags() -> MemFlags {
    MemFlags::trusted()
}

/// Builds the IR of an array-to-wasm trampoline for `ty`.
pub fn array_to_wasm(isa: &dyn TargetIsa, ty: &FuncType) -> ir::Function {
    let host = isa.default_call_conv();
    let sig = native_signature(host, &[POINTER; 4], &[]);
    let mut func = ir::Function::with_name_signature(UserFuncName::user(1, 0), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (wasm_fn, callee_vmctx, caller_vmctx, values) = (p[0], p[1], p[2], p[3]);
    let mut args = vec![callee_vmctx, caller_vmctx];
    for (i, t) in ty.params().iter().enumerate() {
        let v = b.ins().load(
            ir_type(*t),
            values_flags(),
            values,
            (i as u32 * vmabi::VALRAW_SIZE) as i32,
        );
        args.push(v);
    }
    let wsig = b.import_signature(wasm_signature(ty));
    let call = b.ins().call_indirect(wsig, wasm_fn, &args);
    let results = b.inst_results(call).to_vec();
    for (i, r) in results.iter().enumerate() {
        b.ins().store(
            values_flags(),
            *r,
            values,
            (i as u32 * vmabi::VALRAW_SIZE) as i32,
        );
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    func
}

/// Builds the IR of a wasm-to-host trampoline for `ty`.
pub fn wasm_to_host(isa: &dyn TargetIsa, ty: &FuncType) -> ir::Function {
    let mut func = ir::Function::with_name_signature(UserFuncName::user(2, 0), wasm_signature(ty));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (host_ctx, caller_vmctx) = (p[0], p[1]);
    let slots = ty.params().len().max(ty.results().len()).max(1) as u32;
    let ss = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        slots * vmabi::VALRAW_SIZE,
        4,
    ));
    let values = b.ins().stack_addr(POINTER, ss, 0);
    for (i, v) in p[2..].iter().enumerate() {
        b.ins().store(
            values_flags(),
            *v,
            values,
            (i as u32 * vmabi::VALRAW_SIZE) as i32,
        );
    }
    let shim = b
        .ins()
        .load(POINTER, MemFlags::trusted().with_readonly(), host_ctx, 0);
    let host_sig = native_signature(
        isa.default_call_conv(),
        &[POINTER, POINTER, POINTER, POINTER],
        &[types::I32],
    );
    let host_sig = b.import_signature(host_sig);
    let len = b.ins().iconst(POINTER, i64::from(slots));
    let call = b
        .ins()
        .call_indirect(host_sig, shim, &[host_ctx, caller_vmctx, values, len]);
    let ok = b.inst_results(call)[0];
    b.ins().trapz(ok, user_trap(TrapCode::HostError));
    let mut rets = Vec::new();
    for (i, t) in ty.results().iter().enumerate() {
        rets.push(b.ins().load(
            ir_type(*t),
            values_flags(),
            values,
            (i as u32 * vmabi::VALRAW_SIZE) as i32,
        ));
    }
    b.ins().return_(&rets);
    b.finalize(isa.frontend_config());
    func
}
