//! Relaxed SIMD. The proposal lets each operator return one of several results; this runtime
//! picks **one fixed behaviour per operator**, the same on every host and CPU, so a module
//! computes the same values whether it runs JIT-compiled here, from an AOT artifact, or on a
//! machine with different CPU features (no FMA, VNNI or `pshufb` dependence).
//!
//! | operator | behaviour chosen |
//! |---|---|
//! | `i8x16.relaxed_swizzle` | `i8x16.swizzle`: indices >= 16 select 0 |
//! | `i32x4.relaxed_trunc_f32x4_{s,u}` | `i32x4.trunc_sat_f32x4_{s,u}`: NaN -> 0, saturating |
//! | `i32x4.relaxed_trunc_f64x2_{s,u}_zero` | `i32x4.trunc_sat_f64x2_{s,u}_zero` |
//! | `f32x4`/`f64x2.relaxed_madd a b c` | `a * b + c`, **unfused**: two roundings, never `fma` |
//! | `f32x4`/`f64x2.relaxed_nmadd a b c` | `-(a * b) + c`, unfused: `(-a) * b + c` |
//! | `i8x16`/`i16x8`/`i32x4`/`i64x2.relaxed_laneselect a b c` | `v128.bitselect a b c` (bitwise, every mask bit counts) |
//! | `f32x4`/`f64x2.relaxed_min`/`relaxed_max` | `f32x4.min`/`max` etc.: NaN-propagating, -0 < +0 |
//! | `i16x8.relaxed_q15mulr_s` | `i16x8.q15mulr_sat_s`: `-32768 * -32768` saturates to 32767 |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s a b` | both operands signed; each lane `a0*b0 + a1*b1` wrapped to 16 bits (no saturation) |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s a b c` | `i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(a, b)) + c`, with the dot as above |
//!
//! Unfused `madd` was chosen over `fma` because Cranelift lowers `fma` without the host FMA
//! extension to a libcall, which an artifact with zero relocations cannot contain. Every choice
//! is one of the results the relaxed-SIMD spec allows. Must not translate non-relaxed operators.

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    InstBuilder, Opcode, Type,
    types::{F32X4, F64X2, I8X16, I16X8, I32X4},
};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    /// `relaxed_madd` (`negate` false) and `relaxed_nmadd` (`negate` true), unfused.
    fn relaxed_madd(&mut self, ty: Type, negate: bool) {
        let (mut a, b, c) = self.vpop3(ty);
        if negate {
            a = self.b.ins().fneg(a);
        }
        let product = self.b.ins().fmul(a, b);
        let v = self.b.ins().fadd(product, c);
        self.vpush(v);
    }

    /// Translates a relaxed-SIMD operator; returns false if `op` is not one.
    pub(super) fn simd_relaxed(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::I8x16RelaxedSwizzle => {
                let (a, b) = self.vpop2(I8X16);
                let v = self.b.ins().swizzle(a, b);
                self.vpush(v);
            }
            O::I32x4RelaxedTruncF32x4S => self.trunc_sat_f32x4(true),
            O::I32x4RelaxedTruncF32x4U => self.trunc_sat_f32x4(false),
            O::I32x4RelaxedTruncF64x2SZero => self.trunc_sat_f64x2_zero(true),
            O::I32x4RelaxedTruncF64x2UZero => self.trunc_sat_f64x2_zero(false),
            O::F32x4RelaxedMadd => self.relaxed_madd(F32X4, false),
            O::F32x4RelaxedNmadd => self.relaxed_madd(F32X4, true),
            O::F64x2RelaxedMadd => self.relaxed_madd(F64X2, false),
            O::F64x2RelaxedNmadd => self.relaxed_madd(F64X2, true),
            O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect => {
                let (a, b, c) = self.vpop3(I8X16);
                let v = self.b.ins().bitselect(c, a, b);
                self.vpush(v);
            }
            O::F32x4RelaxedMin => self.vbinary(Opcode::Fmin, F32X4),
            O::F64x2RelaxedMin => self.vbinary(Opcode::Fmin, F64X2),
            O::F32x4RelaxedMax => self.vbinary(Opcode::Fmax, F32X4),
            O::F64x2RelaxedMax => self.vbinary(Opcode::Fmax, F64X2),
            O::I16x8RelaxedQ15mulrS => self.vbinary(Opcode::SqmulRoundSat, I16X8),
            O::I16x8RelaxedDotI8x16I7x16S => {
                let (a, b) = self.vpop2(I8X16);
                let v = self.signed_dot(a, b);
                self.vpush(v);
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.vpop(I32X4);
                let (a, b) = self.vpop2(I8X16);
                let dot16 = self.signed_dot(a, b);
                let dot32 = self.ext_add_pairwise_of(dot16, true);
                let v = self.b.ins().iadd(dot32, c);
                self.vpush(v);
            }
            _ => return false,
        }
        true
    }
}
