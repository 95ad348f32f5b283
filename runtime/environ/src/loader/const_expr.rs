//! Constant expressions (global initialisers, segment offsets, element items), decoded into a
//! small owned form that instantiation evaluates.
//!
//! Decoding only; evaluation needs instance state and lives in the runtime's `vm::instantiate`.

use crate::error::{Error, Phase, Result};
use crate::types::RefType;

/// One operator of a constant expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstOp {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    GlobalGet(u32),
    RefNull(RefType),
    RefFunc(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A decoded constant expression (operators in order, without the final `end`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConstExpr(pub Vec<ConstOp>);

impl ConstExpr {
    /// Decodes a validated constant expression.
    pub fn decode(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr> {
        use wasmparser::Operator as O;
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            let offset = reader.original_position();
            let op = reader
                .read()
                .map_err(|e| Error::new(Phase::Loading, e.message(), Some(e.offset())))?;
            ops.push(match op {
                O::I32Const { value } => ConstOp::I32(value),
                O::I64Const { value } => ConstOp::I64(value),
                O::F32Const { value } => ConstOp::F32(value.bits()),
                O::F64Const { value } => ConstOp::F64(value.bits()),
                O::V128Const { value } => ConstOp::V128(u128::from_le_bytes(*value.bytes())),
                O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                O::RefNull { hty } => ConstOp::RefNull(match hty {
                    wasmparser::HeapType::Abstract {
                        ty: wasmparser::AbstractHeapType::Func,
                        ..
                    } => RefType::FuncRef,
                    _ => RefType::ExternRef,
                }),
                O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                O::I32Add => ConstOp::I32Add,
                O::I32Sub => ConstOp::I32Sub,
                O::I32Mul => ConstOp::I32Mul,
                O::I64Add => ConstOp::I64Add,
                O::I64Sub => ConstOp::I64Sub,
                O::I64Mul => ConstOp::I64Mul,
                O::End => continue,
                other => {
                    return Err(Error::new(
                        Phase::Validation,
                        format!("constant expression required, found {other:?}"),
                        Some(offset),
                    ));
                }
            });
        }
        Ok(ConstExpr(ops))
    }

    /// The single `ref.func` index, if this expression is just that.
    pub fn as_ref_func(&self) -> Option<u32> {
        match self.0.as_slice() {
            [ConstOp::RefFunc(i)] => Some(*i),
            _ => None,
        }
    }
}
