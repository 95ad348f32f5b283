//! Lane-wise arithmetic: integer and float arithmetic, saturating arithmetic, min/max (incl.
//! `pmin`/`pmax`), comparisons, bitwise operators (`v128.and` ... `v128.bitselect`), shifts,
//! the reductions (`any_true`, `all_true`, `bitmask`), and the multiply-and-add family
//! (`extmul`, `extadd_pairwise`, `dot`, `q15mulr_sat`).
//!
//! Semantics notes:
//! * Shift counts: Cranelift's vector shifts take the count modulo the lane width, which is
//!   exactly wasm's rule, so the `i32` count is passed through unmasked.
//! * `fmin`/`fmax` on vectors have wasm semantics in Cranelift (NaN-propagating, -0 < +0);
//!   `pmin`/`pmax` are the spec's `b < a ? b : a` / `a < b ? b : a`, built in the
//!   `bitselect(bitcast(fcmp lt))` shape the x64 backend turns into `minps`/`maxps`.
//!
//! Must not touch memory or change lane counts (that is `convert`, except the widening inside
//! `extmul`/`extadd_pairwise`/`dot`, whose results are still one `v128`).

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    InstBuilder, Opcode, Type, Value,
    condcodes::{FloatCC, IntCC},
    types::{F32X4, F64X2, I8X16, I16X8, I32, I32X4, I64X2},
};
use wasmparser::Operator;

/// Operators that are one binary CLIF instruction on two vectors of the given type.
fn binary_op(op: &Operator<'_>) -> Option<(Opcode, Type)> {
    use Opcode as C;
    use Operator as O;
    Some(match op {
        O::I8x16Add => (C::Iadd, I8X16),
        O::I16x8Add => (C::Iadd, I16X8),
        O::I32x4Add => (C::Iadd, I32X4),
        O::I64x2Add => (C::Iadd, I64X2),
        O::I8x16Sub => (C::Isub, I8X16),
        O::I16x8Sub => (C::Isub, I16X8),
        O::I32x4Sub => (C::Isub, I32X4),
        O::I64x2Sub => (C::Isub, I64X2),
        O::I16x8Mul => (C::Imul, I16X8),
        O::I32x4Mul => (C::Imul, I32X4),
        O::I64x2Mul => (C::Imul, I64X2),
        O::I8x16AddSatS => (C::SaddSat, I8X16),
        O::I16x8AddSatS => (C::SaddSat, I16X8),
        O::I8x16AddSatU => (C::UaddSat, I8X16),
        O::I16x8AddSatU => (C::UaddSat, I16X8),
        O::I8x16SubSatS => (C::SsubSat, I8X16),
        O::I16x8SubSatS => (C::SsubSat, I16X8),
        O::I8x16SubSatU => (C::UsubSat, I8X16),
        O::I16x8SubSatU => (C::UsubSat, I16X8),
        O::I8x16MinS => (C::Smin, I8X16),
        O::I16x8MinS => (C::Smin, I16X8),
        O::I32x4MinS => (C::Smin, I32X4),
        O::I8x16MinU => (C::Umin, I8X16),
        O::I16x8MinU => (C::Umin, I16X8),
        O::I32x4MinU => (C::Umin, I32X4),
        O::I8x16MaxS => (C::Smax, I8X16),
        O::I16x8MaxS => (C::Smax, I16X8),
        O::I32x4MaxS => (C::Smax, I32X4),
        O::I8x16MaxU => (C::Umax, I8X16),
        O::I16x8MaxU => (C::Umax, I16X8),
        O::I32x4MaxU => (C::Umax, I32X4),
        O::I8x16AvgrU => (C::AvgRound, I8X16),
        O::I16x8AvgrU => (C::AvgRound, I16X8),
        O::I16x8Q15MulrSatS => (C::SqmulRoundSat, I16X8),
        O::F32x4Add => (C::Fadd, F32X4),
        O::F64x2Add => (C::Fadd, F64X2),
        O::F32x4Sub => (C::Fsub, F32X4),
        O::F64x2Sub => (C::Fsub, F64X2),
        O::F32x4Mul => (C::Fmul, F32X4),
        O::F64x2Mul => (C::Fmul, F64X2),
        O::F32x4Div => (C::Fdiv, F32X4),
        O::F64x2Div => (C::Fdiv, F64X2),
        O::F32x4Min => (C::Fmin, F32X4),
        O::F64x2Min => (C::Fmin, F64X2),
        O::F32x4Max => (C::Fmax, F32X4),
        O::F64x2Max => (C::Fmax, F64X2),
        O::V128And => (C::Band, I8X16),
        O::V128Or => (C::Bor, I8X16),
        O::V128Xor => (C::Bxor, I8X16),
        _ => return None,
    })
}

/// Operators that are one unary CLIF instruction on a vector of the given type.
fn unary_op(op: &Operator<'_>) -> Option<(Opcode, Type)> {
    use Opcode as C;
    use Operator as O;
    Some(match op {
        O::V128Not => (C::Bnot, I8X16),
        O::I8x16Neg => (C::Ineg, I8X16),
        O::I16x8Neg => (C::Ineg, I16X8),
        O::I32x4Neg => (C::Ineg, I32X4),
        O::I64x2Neg => (C::Ineg, I64X2),
        O::I8x16Abs => (C::Iabs, I8X16),
        O::I16x8Abs => (C::Iabs, I16X8),
        O::I32x4Abs => (C::Iabs, I32X4),
        O::I64x2Abs => (C::Iabs, I64X2),
        O::I8x16Popcnt => (C::Popcnt, I8X16),
        O::F32x4Neg => (C::Fneg, F32X4),
        O::F64x2Neg => (C::Fneg, F64X2),
        O::F32x4Abs => (C::Fabs, F32X4),
        O::F64x2Abs => (C::Fabs, F64X2),
        O::F32x4Sqrt => (C::Sqrt, F32X4),
        O::F64x2Sqrt => (C::Sqrt, F64X2),
        O::F32x4Ceil => (C::Ceil, F32X4),
        O::F64x2Ceil => (C::Ceil, F64X2),
        O::F32x4Floor => (C::Floor, F32X4),
        O::F64x2Floor => (C::Floor, F64X2),
        O::F32x4Trunc => (C::Trunc, F32X4),
        O::F64x2Trunc => (C::Trunc, F64X2),
        O::F32x4Nearest => (C::Nearest, F32X4),
        O::F64x2Nearest => (C::Nearest, F64X2),
        _ => return None,
    })
}

/// Shifts: `[v128 i32] -> [v128]`.
fn shift_op(op: &Operator<'_>) -> Option<(Opcode, Type)> {
    use Opcode as C;
    use Operator as O;
    Some(match op {
        O::I8x16Shl => (C::Ishl, I8X16),
        O::I16x8Shl => (C::Ishl, I16X8),
        O::I32x4Shl => (C::Ishl, I32X4),
        O::I64x2Shl => (C::Ishl, I64X2),
        O::I8x16ShrS => (C::Sshr, I8X16),
        O::I16x8ShrS => (C::Sshr, I16X8),
        O::I32x4ShrS => (C::Sshr, I32X4),
        O::I64x2ShrS => (C::Sshr, I64X2),
        O::I8x16ShrU => (C::Ushr, I8X16),
        O::I16x8ShrU => (C::Ushr, I16X8),
        O::I32x4ShrU => (C::Ushr, I32X4),
        O::I64x2ShrU => (C::Ushr, I64X2),
        _ => return None,
    })
}

/// Integer lane comparisons (all-ones lanes for true).
fn int_compare(op: &Operator<'_>) -> Option<(IntCC, Type)> {
    use IntCC as C;
    use Operator as O;
    Some(match op {
        O::I8x16Eq => (C::Equal, I8X16),
        O::I16x8Eq => (C::Equal, I16X8),
        O::I32x4Eq => (C::Equal, I32X4),
        O::I64x2Eq => (C::Equal, I64X2),
        O::I8x16Ne => (C::NotEqual, I8X16),
        O::I16x8Ne => (C::NotEqual, I16X8),
        O::I32x4Ne => (C::NotEqual, I32X4),
        O::I64x2Ne => (C::NotEqual, I64X2),
        O::I8x16LtS => (C::SignedLessThan, I8X16),
        O::I16x8LtS => (C::SignedLessThan, I16X8),
        O::I32x4LtS => (C::SignedLessThan, I32X4),
        O::I64x2LtS => (C::SignedLessThan, I64X2),
        O::I8x16LtU => (C::UnsignedLessThan, I8X16),
        O::I16x8LtU => (C::UnsignedLessThan, I16X8),
        O::I32x4LtU => (C::UnsignedLessThan, I32X4),
        O::I8x16GtS => (C::SignedGreaterThan, I8X16),
        O::I16x8GtS => (C::SignedGreaterThan, I16X8),
        O::I32x4GtS => (C::SignedGreaterThan, I32X4),
        O::I64x2GtS => (C::SignedGreaterThan, I64X2),
        O::I8x16GtU => (C::UnsignedGreaterThan, I8X16),
        O::I16x8GtU => (C::UnsignedGreaterThan, I16X8),
        O::I32x4GtU => (C::UnsignedGreaterThan, I32X4),
        O::I8x16LeS => (C::SignedLessThanOrEqual, I8X16),
        O::I16x8LeS => (C::SignedLessThanOrEqual, I16X8),
        O::I32x4LeS => (C::SignedLessThanOrEqual, I32X4),
        O::I64x2LeS => (C::SignedLessThanOrEqual, I64X2),
        O::I8x16LeU => (C::UnsignedLessThanOrEqual, I8X16),
        O::I16x8LeU => (C::UnsignedLessThanOrEqual, I16X8),
        O::I32x4LeU => (C::UnsignedLessThanOrEqual, I32X4),
        O::I8x16GeS => (C::SignedGreaterThanOrEqual, I8X16),
        O::I16x8GeS => (C::SignedGreaterThanOrEqual, I16X8),
        O::I32x4GeS => (C::SignedGreaterThanOrEqual, I32X4),
        O::I64x2GeS => (C::SignedGreaterThanOrEqual, I64X2),
        O::I8x16GeU => (C::UnsignedGreaterThanOrEqual, I8X16),
        O::I16x8GeU => (C::UnsignedGreaterThanOrEqual, I16X8),
        O::I32x4GeU => (C::UnsignedGreaterThanOrEqual, I32X4),
        _ => return None,
    })
}

/// Float lane comparisons (ordered except `ne`, like the scalar ones).
fn float_compare(op: &Operator<'_>) -> Option<(FloatCC, Type)> {
    use FloatCC as C;
    use Operator as O;
    Some(match op {
        O::F32x4Eq => (C::Equal, F32X4),
        O::F64x2Eq => (C::Equal, F64X2),
        O::F32x4Ne => (C::NotEqual, F32X4),
        O::F64x2Ne => (C::NotEqual, F64X2),
        O::F32x4Lt => (C::LessThan, F32X4),
        O::F64x2Lt => (C::LessThan, F64X2),
        O::F32x4Gt => (C::GreaterThan, F32X4),
        O::F64x2Gt => (C::GreaterThan, F64X2),
        O::F32x4Le => (C::LessThanOrEqual, F32X4),
        O::F64x2Le => (C::LessThanOrEqual, F64X2),
        O::F32x4Ge => (C::GreaterThanOrEqual, F32X4),
        O::F64x2Ge => (C::GreaterThanOrEqual, F64X2),
        _ => return None,
    })
}

impl FuncTranslator<'_, '_> {
    /// Sign- or zero-extends the low or high half of the lanes of `v` to double width.
    pub(super) fn widen(&mut self, v: Value, signed: bool, high: bool) -> Value {
        let ins = self.b.ins();
        match (signed, high) {
            (true, false) => ins.swiden_low(v),
            (true, true) => ins.swiden_high(v),
            (false, false) => ins.uwiden_low(v),
            (false, true) => ins.uwiden_high(v),
        }
    }

    /// `pmin`/`pmax`: `pmin(a, b) = b < a ? b : a`, `pmax(a, b) = a < b ? b : a`.
    pub(super) fn pseudo_min_max(&mut self, ty: Type, max: bool) {
        let (a, b) = self.vpop2(ty);
        let lt = if max {
            self.b.ins().fcmp(FloatCC::LessThan, a, b)
        } else {
            self.b.ins().fcmp(FloatCC::LessThan, b, a)
        };
        let mask = self.vcast(lt, ty);
        let v = self.b.ins().bitselect(mask, b, a);
        self.vpush(v);
    }

    /// `extmul_{low,high}`: widens the chosen half of both operands, then multiplies.
    fn ext_mul(&mut self, narrow: Type, signed: bool, high: bool) {
        let (a, b) = self.vpop2(narrow);
        let a = self.widen(a, signed, high);
        let b = self.widen(b, signed, high);
        let v = self.b.ins().imul(a, b);
        self.vpush(v);
    }

    /// `extadd_pairwise`: sums adjacent lane pairs into double-width lanes.
    fn ext_add_pairwise(&mut self, narrow: Type, signed: bool) {
        let a = self.vpop(narrow);
        let v = self.ext_add_pairwise_of(a, signed);
        self.vpush(v);
    }

    /// The `extadd_pairwise` of `a` (a vector of the narrow type).
    pub(super) fn ext_add_pairwise_of(&mut self, a: Value, signed: bool) -> Value {
        let lo = self.widen(a, signed, false);
        let hi = self.widen(a, signed, true);
        self.b.ins().iadd_pairwise(lo, hi)
    }

    /// Widens both halves of `a` and `b` signed, multiplies lane-wise and sums adjacent
    /// products: the `i32x4.dot_i16x8_s` shape, also used by the relaxed `i8x16` dots.
    pub(super) fn signed_dot(&mut self, a: Value, b: Value) -> Value {
        let alo = self.widen(a, true, false);
        let blo = self.widen(b, true, false);
        let lo = self.b.ins().imul(alo, blo);
        let ahi = self.widen(a, true, true);
        let bhi = self.widen(b, true, true);
        let hi = self.b.ins().imul(ahi, bhi);
        self.b.ins().iadd_pairwise(lo, hi)
    }

    /// Pushes an `i8` CLIF boolean as a wasm `i32`.
    fn push_bool(&mut self, c: Value) {
        let v = self.b.ins().uextend(I32, c);
        self.push(v);
    }

    /// Translates a lane-wise arithmetic, comparison, bitwise or reduction operator; returns
    /// false if `op` is not one.
    pub(super) fn simd_arith(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        if let Some((opcode, ty)) = binary_op(op) {
            self.vbinary(opcode, ty);
            return true;
        }
        if let Some((opcode, ty)) = unary_op(op) {
            self.vunary(opcode, ty);
            return true;
        }
        if let Some((opcode, ty)) = shift_op(op) {
            let count = self.pop();
            let a = self.vpop(ty);
            let (inst, dfg) = self.b.ins().Binary(opcode, ty, a, count);
            let v = dfg.first_result(inst);
            self.vpush(v);
            return true;
        }
        if let Some((cc, ty)) = int_compare(op) {
            let (a, b) = self.vpop2(ty);
            let v = self.b.ins().icmp(cc, a, b);
            self.vpush(v);
            return true;
        }
        if let Some((cc, ty)) = float_compare(op) {
            let (a, b) = self.vpop2(ty);
            let v = self.b.ins().fcmp(cc, a, b);
            self.vpush(v);
            return true;
        }
        match op {
            O::V128AndNot => {
                // `v128.andnot a b` is `a & !b`.
                let (a, b) = self.vpop2(I8X16);
                let v = self.b.ins().band_not(a, b);
                self.vpush(v);
            }
            O::V128Bitselect => {
                // `v128.bitselect a b c` takes bits of `a` where `c` is 1, of `b` elsewhere.
                let (a, b, c) = self.vpop3(I8X16);
                let v = self.b.ins().bitselect(c, a, b);
                self.vpush(v);
            }
            O::V128AnyTrue => {
                let a = self.vpop(I8X16);
                let c = self.b.ins().vany_true(a);
                self.push_bool(c);
            }
            O::I8x16AllTrue | O::I16x8AllTrue | O::I32x4AllTrue | O::I64x2AllTrue => {
                let ty = match op {
                    O::I8x16AllTrue => I8X16,
                    O::I16x8AllTrue => I16X8,
                    O::I32x4AllTrue => I32X4,
                    _ => I64X2,
                };
                let a = self.vpop(ty);
                let c = self.b.ins().vall_true(a);
                self.push_bool(c);
            }
            O::I8x16Bitmask | O::I16x8Bitmask | O::I32x4Bitmask | O::I64x2Bitmask => {
                let ty = match op {
                    O::I8x16Bitmask => I8X16,
                    O::I16x8Bitmask => I16X8,
                    O::I32x4Bitmask => I32X4,
                    _ => I64X2,
                };
                let a = self.vpop(ty);
                let v = self.b.ins().vhigh_bits(I32, a);
                self.push(v);
            }
            O::F32x4PMin => self.pseudo_min_max(F32X4, false),
            O::F64x2PMin => self.pseudo_min_max(F64X2, false),
            O::F32x4PMax => self.pseudo_min_max(F32X4, true),
            O::F64x2PMax => self.pseudo_min_max(F64X2, true),
            O::I16x8ExtMulLowI8x16S => self.ext_mul(I8X16, true, false),
            O::I16x8ExtMulHighI8x16S => self.ext_mul(I8X16, true, true),
            O::I16x8ExtMulLowI8x16U => self.ext_mul(I8X16, false, false),
            O::I16x8ExtMulHighI8x16U => self.ext_mul(I8X16, false, true),
            O::I32x4ExtMulLowI16x8S => self.ext_mul(I16X8, true, false),
            O::I32x4ExtMulHighI16x8S => self.ext_mul(I16X8, true, true),
            O::I32x4ExtMulLowI16x8U => self.ext_mul(I16X8, false, false),
            O::I32x4ExtMulHighI16x8U => self.ext_mul(I16X8, false, true),
            O::I64x2ExtMulLowI32x4S => self.ext_mul(I32X4, true, false),
            O::I64x2ExtMulHighI32x4S => self.ext_mul(I32X4, true, true),
            O::I64x2ExtMulLowI32x4U => self.ext_mul(I32X4, false, false),
            O::I64x2ExtMulHighI32x4U => self.ext_mul(I32X4, false, true),
            O::I16x8ExtAddPairwiseI8x16S => self.ext_add_pairwise(I8X16, true),
            O::I16x8ExtAddPairwiseI8x16U => self.ext_add_pairwise(I8X16, false),
            O::I32x4ExtAddPairwiseI16x8S => self.ext_add_pairwise(I16X8, true),
            O::I32x4ExtAddPairwiseI16x8U => self.ext_add_pairwise(I16X8, false),
            O::I32x4DotI16x8S => {
                let (a, b) = self.vpop2(I16X8);
                let v = self.signed_dot(a, b);
                self.vpush(v);
            }
            _ => return false,
        }
        true
    }
}
