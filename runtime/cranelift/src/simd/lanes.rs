//! Building and taking apart vectors: `v128.const`, `i8x16.shuffle`, `i8x16.swizzle`, the
//! splats, and `extract_lane`/`replace_lane`.
//!
//! Lane indices are immediates the validator has already range-checked. Must not do lane-wise
//! arithmetic (that is `arith`) or touch memory (that is `memory`).

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    ConstantData, InstBuilder, Type,
    types::{F32X4, F64X2, I8, I8X16, I16, I16X8, I32, I32X4, I64X2},
};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    /// `TxN.splat`; `i8x16`/`i16x8` take the low bits of their `i32` operand.
    fn splat(&mut self, ty: Type) {
        let mut x = self.pop();
        let lane = ty.lane_type();
        if lane == I8 || lane == I16 {
            x = self.b.ins().ireduce(lane, x);
        }
        let v = self.b.ins().splat(ty, x);
        self.vpush(v);
    }

    /// `TxN.extract_lane[_s|_u]`; narrow integer lanes are extended to `i32`.
    fn extract_lane(&mut self, ty: Type, lane: u8, signed: Option<bool>) {
        let vec = self.vpop(ty);
        let x = self.b.ins().extractlane(vec, lane);
        let x = match signed {
            Some(true) => self.b.ins().sextend(I32, x),
            Some(false) => self.b.ins().uextend(I32, x),
            None => x,
        };
        self.push(x);
    }

    /// `TxN.replace_lane`: `[v128 scalar] -> [v128]`.
    fn replace_lane(&mut self, ty: Type, lane: u8) {
        let mut x = self.pop();
        let vec = self.vpop(ty);
        let lane_ty = ty.lane_type();
        if lane_ty == I8 || lane_ty == I16 {
            x = self.b.ins().ireduce(lane_ty, x);
        }
        let v = self.b.ins().insertlane(vec, x, lane);
        self.vpush(v);
    }

    /// Translates a vector construction or lane-access operator; returns false if `op` is not
    /// one.
    pub(super) fn simd_lanes(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::V128Const { value } => {
                let c = self
                    .b
                    .func
                    .dfg
                    .constants
                    .insert(value.bytes().to_vec().into());
                let v = self.b.ins().vconst(I8X16, c);
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => {
                let (a, b) = self.vpop2(I8X16);
                let mask = self
                    .b
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(&lanes[..]));
                let v = self.b.ins().shuffle(a, b, mask);
                self.vpush(v);
            }
            O::I8x16Swizzle => {
                let (a, b) = self.vpop2(I8X16);
                let v = self.b.ins().swizzle(a, b);
                self.vpush(v);
            }
            O::I8x16Splat => self.splat(I8X16),
            O::I16x8Splat => self.splat(I16X8),
            O::I32x4Splat => self.splat(I32X4),
            O::I64x2Splat => self.splat(I64X2),
            O::F32x4Splat => self.splat(F32X4),
            O::F64x2Splat => self.splat(F64X2),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8X16, *lane, Some(true)),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8X16, *lane, Some(false)),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16X8, *lane, Some(true)),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16X8, *lane, Some(false)),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32X4, *lane, None),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64X2, *lane, None),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32X4, *lane, None),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64X2, *lane, None),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8X16, *lane),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16X8, *lane),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32X4, *lane),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64X2, *lane),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32X4, *lane),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64X2, *lane),
            _ => return false,
        }
        true
    }
}
