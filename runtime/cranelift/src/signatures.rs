//! Mapping wasm types and function types to Cranelift types and signatures.
//!
//! Wasm functions use the `Tail` calling convention with two leading pointer parameters
//! (callee VMContext, caller VMContext). Pure functions of types; no code generation.

use cranelift_codegen::ir::{AbiParam, ArgumentPurpose, Signature, Type, types};
use cranelift_codegen::isa::CallConv;
use wasmedge_environ::types::{FuncType, ValType};

/// The pointer type (the runtime supports 64-bit hosts).
pub const POINTER: Type = types::I64;

/// The Cranelift type of a wasm value type (references are pointers).
pub fn ir_type(t: ValType) -> Type {
    match t {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        ValType::FuncRef | ValType::ExternRef => POINTER,
    }
}

/// The signature of a compiled wasm function of type `ty`.
pub fn wasm_signature(ty: &FuncType) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params
        .push(AbiParam::special(POINTER, ArgumentPurpose::VMContext));
    sig.params.push(AbiParam::new(POINTER));
    sig.params
        .extend(ty.params().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig.returns
        .extend(ty.results().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig
}

/// A host-ABI signature with the given parameter and return types.
pub fn native_signature(call_conv: CallConv, params: &[Type], returns: &[Type]) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    sig.returns
        .extend(returns.iter().map(|t| AbiParam::new(*t)));
    sig
}
