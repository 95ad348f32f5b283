//! SIMD (`v128`) operators: the fixed-width SIMD proposal and relaxed SIMD.
//!
//! Wasm has one `v128` type; Cranelift types vectors by lane (`I8X16`, `I16X8`, `F32X4`, ...).
//! The rule here is that a `v128` that is *visible to the rest of the translator* — on the
//! operand stack, in a local, a block parameter, a global or a call argument — is always an
//! `I8X16`. Each operator bitcasts its operands to the lane type it works on (`vpop*`) and
//! bitcasts its vector result back to `I8X16` (`vpush`). Vector-to-vector bitcasts cost nothing
//! in machine code. Where the x64 backend pattern-matches a multi-instruction shape (e.g.
//! `snarrow(fcvt_to_sint_sat(x), vconst 0)`), the shape is built without bitcasts in between.
//!
//! The families live in submodules: `memory` (loads and stores), `lanes` (constants, shuffles,
//! splats, lane access), `arith` (lane-wise arithmetic, comparisons, bitwise operators,
//! reductions), `convert` (narrowing, widening, int/float conversions) and `relaxed` (relaxed
//! SIMD, with the behaviour chosen for each operator).
//!
//! Must not handle non-SIMD operators, and must never leave a non-`I8X16` vector on the
//! operand stack.

mod arith;
mod convert;
mod lanes;
mod memory;
mod relaxed;

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    Endianness, InstBuilder, MemFlagsData as MemFlags, Opcode, Type, Value, types::I8X16,
};
use wasmparser::Operator;

/// Flags for bitcasts between vector types: lane order is little-endian, like wasm's.
fn vector_bitcast_flags() -> MemFlags {
    MemFlags::new().with_endianness(Endianness::Little)
}

impl FuncTranslator<'_, '_> {
    /// Translates a SIMD operator; returns false if `op` is not one.
    pub fn translate_simd(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        Ok(self.simd_memory(op)
            || self.simd_lanes(op)
            || self.simd_arith(op)
            || self.simd_convert(op)
            || self.simd_relaxed(op))
    }

    /// `v` as a vector of type `ty` (a bitcast unless it already is one).
    fn vcast(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            v
        } else {
            self.b.ins().bitcast(ty, vector_bitcast_flags(), v)
        }
    }

    /// Pops a `v128` and views it as `ty`.
    fn vpop(&mut self, ty: Type) -> Value {
        let v = self.pop();
        self.vcast(v, ty)
    }

    /// Pops two `v128`s (the first operand is deeper in the stack) and views both as `ty`.
    fn vpop2(&mut self, ty: Type) -> (Value, Value) {
        let b = self.vpop(ty);
        let a = self.vpop(ty);
        (a, b)
    }

    /// Pops three `v128`s in operand order and views them as `ty`.
    fn vpop3(&mut self, ty: Type) -> (Value, Value, Value) {
        let c = self.vpop(ty);
        let (a, b) = self.vpop2(ty);
        (a, b, c)
    }

    /// Pushes a vector result, canonicalised to `I8X16`.
    fn vpush(&mut self, v: Value) {
        let v = self.vcast(v, I8X16);
        self.push(v);
    }

    /// A lane-wise unary operator that is one CLIF instruction controlled by `ty`.
    fn vunary(&mut self, opcode: Opcode, ty: Type) {
        let a = self.vpop(ty);
        let (inst, dfg) = self.b.ins().Unary(opcode, ty, a);
        let v = dfg.first_result(inst);
        self.vpush(v);
    }

    /// A lane-wise binary operator that is one CLIF instruction controlled by `ty`.
    fn vbinary(&mut self, opcode: Opcode, ty: Type) {
        let (a, b) = self.vpop2(ty);
        let (inst, dfg) = self.b.ins().Binary(opcode, ty, a, b);
        let v = dfg.first_result(inst);
        self.vpush(v);
    }

    /// An all-zero vector of type `ty`.
    fn vzero(&mut self, ty: Type) -> Value {
        let c = self.b.func.dfg.constants.insert(vec![0u8; 16].into());
        self.b.ins().vconst(ty, c)
    }
}
