//! Operators that change the lane shape: saturating narrowing, widening (`extend_low/high`),
//! float-to-int saturating truncation, int-to-float conversion, `demote`/`promote`.
//!
//! The `f64x2 -> i32x4` truncations are built as `{s,uu}narrow(fcvt_to_{s,u}int_sat(x),
//! vconst 0)`, the only shape the x64 backend lowers for 64-bit-lane narrowing; likewise
//! `convert_low` keeps the `fcvt_from_*int(*widen_low(x))` shape. Must not do lane-wise
//! arithmetic (that is `arith`).

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    InstBuilder, Type,
    types::{F32X4, F64X2, I8X16, I16X8, I32X4, I64X2},
};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    /// `narrow_{s,u}`: two vectors of `wide` lanes into one of half-width lanes, saturating.
    fn narrow(&mut self, wide: Type, signed: bool) {
        let (a, b) = self.vpop2(wide);
        let v = if signed {
            self.b.ins().snarrow(a, b)
        } else {
            self.b.ins().unarrow(a, b)
        };
        self.vpush(v);
    }

    /// `extend_{low,high}_{s,u}`: half of the lanes of a `narrow` vector, widened.
    fn extend(&mut self, narrow: Type, signed: bool, high: bool) {
        let a = self.vpop(narrow);
        let v = self.widen(a, signed, high);
        self.vpush(v);
    }

    /// `i32x4.trunc_sat_f32x4_{s,u}` (NaN becomes 0, out-of-range values saturate).
    pub(super) fn trunc_sat_f32x4(&mut self, signed: bool) {
        let a = self.vpop(F32X4);
        let v = if signed {
            self.b.ins().fcvt_to_sint_sat(I32X4, a)
        } else {
            self.b.ins().fcvt_to_uint_sat(I32X4, a)
        };
        self.vpush(v);
    }

    /// `i32x4.trunc_sat_f64x2_{s,u}_zero`: two saturated results in lanes 0-1, zeros above.
    pub(super) fn trunc_sat_f64x2_zero(&mut self, signed: bool) {
        let a = self.vpop(F64X2);
        let zero = self.vzero(I64X2);
        let v = if signed {
            let wide = self.b.ins().fcvt_to_sint_sat(I64X2, a);
            self.b.ins().snarrow(wide, zero)
        } else {
            let wide = self.b.ins().fcvt_to_uint_sat(I64X2, a);
            self.b.ins().uunarrow(wide, zero)
        };
        self.vpush(v);
    }

    /// `f32x4.convert_i32x4_{s,u}`.
    fn convert_i32x4(&mut self, signed: bool) {
        let a = self.vpop(I32X4);
        let v = if signed {
            self.b.ins().fcvt_from_sint(F32X4, a)
        } else {
            self.b.ins().fcvt_from_uint(F32X4, a)
        };
        self.vpush(v);
    }

    /// `f64x2.convert_low_i32x4_{s,u}`: lanes 0-1 widened to 64 bits, then converted.
    fn convert_low_i32x4(&mut self, signed: bool) {
        let a = self.vpop(I32X4);
        let wide = self.widen(a, signed, false);
        let v = if signed {
            self.b.ins().fcvt_from_sint(F64X2, wide)
        } else {
            self.b.ins().fcvt_from_uint(F64X2, wide)
        };
        self.vpush(v);
    }

    /// Translates a shape-changing operator; returns false if `op` is not one.
    pub(super) fn simd_convert(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::I8x16NarrowI16x8S => self.narrow(I16X8, true),
            O::I8x16NarrowI16x8U => self.narrow(I16X8, false),
            O::I16x8NarrowI32x4S => self.narrow(I32X4, true),
            O::I16x8NarrowI32x4U => self.narrow(I32X4, false),
            O::I16x8ExtendLowI8x16S => self.extend(I8X16, true, false),
            O::I16x8ExtendHighI8x16S => self.extend(I8X16, true, true),
            O::I16x8ExtendLowI8x16U => self.extend(I8X16, false, false),
            O::I16x8ExtendHighI8x16U => self.extend(I8X16, false, true),
            O::I32x4ExtendLowI16x8S => self.extend(I16X8, true, false),
            O::I32x4ExtendHighI16x8S => self.extend(I16X8, true, true),
            O::I32x4ExtendLowI16x8U => self.extend(I16X8, false, false),
            O::I32x4ExtendHighI16x8U => self.extend(I16X8, false, true),
            O::I64x2ExtendLowI32x4S => self.extend(I32X4, true, false),
            O::I64x2ExtendHighI32x4S => self.extend(I32X4, true, true),
            O::I64x2ExtendLowI32x4U => self.extend(I32X4, false, false),
            O::I64x2ExtendHighI32x4U => self.extend(I32X4, false, true),
            O::I32x4TruncSatF32x4S => self.trunc_sat_f32x4(true),
            O::I32x4TruncSatF32x4U => self.trunc_sat_f32x4(false),
            O::I32x4TruncSatF64x2SZero => self.trunc_sat_f64x2_zero(true),
            O::I32x4TruncSatF64x2UZero => self.trunc_sat_f64x2_zero(false),
            O::F32x4ConvertI32x4S => self.convert_i32x4(true),
            O::F32x4ConvertI32x4U => self.convert_i32x4(false),
            O::F64x2ConvertLowI32x4S => self.convert_low_i32x4(true),
            O::F64x2ConvertLowI32x4U => self.convert_low_i32x4(false),
            O::F32x4DemoteF64x2Zero => {
                let a = self.vpop(F64X2);
                let v = self.b.ins().fvdemote(a);
                self.vpush(v);
            }
            O::F64x2PromoteLowF32x4 => {
                let a = self.vpop(F32X4);
                let v = self.b.ins().fvpromote_low(a);
                self.vpush(v);
            }
            _ => return false,
        }
        true
    }
}
