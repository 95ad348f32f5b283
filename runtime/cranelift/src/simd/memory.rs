//! SIMD loads and stores: `v128.load`/`store`, the extending loads (`load8x8_s` ...), the
//! splatting and zero-filling loads, and the single-lane loads and stores.
//!
//! Every access goes through `heap_addr` with its exact width (16 bytes, 8 for the extending
//! loads, the lane width otherwise), so out-of-bounds accesses trap like scalar ones. Accesses
//! carry no alignment promise: wasm allows any alignment. Must not touch anything but linear
//! memory.

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    self, InstBuilder, MemFlagsData as MemFlags, Type, Value,
    types::{I8, I8X16, I16, I16X8, I32, I32X4, I64, I64X2},
};
use wasmparser::{MemArg, Operator};

/// Flags of a wasm memory access: little-endian, trapping with the heap code.
fn heap_flags() -> MemFlags {
    MemFlags::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

/// The vector type whose lanes have the scalar type `lane`.
fn vector_of(lane: Type) -> Type {
    match lane {
        I8 => I8X16,
        I16 => I16X8,
        I32 => I32X4,
        _ => I64X2,
    }
}

/// The 8-byte extending loads.
#[derive(Clone, Copy)]
enum Extend {
    S8x8,
    U8x8,
    S16x4,
    U16x4,
    S32x2,
    U32x2,
}

impl FuncTranslator<'_, '_> {
    /// Pops an index and returns the address and immediate offset of a `size`-byte access.
    fn simd_addr(&mut self, memarg: &MemArg, size: u32) -> (Value, i32) {
        let index = self.pop();
        self.heap_addr(memarg, index, size)
    }

    /// Pops an index and loads one scalar of type `ty` (`I8` ... `I64`).
    fn load_lane_scalar(&mut self, memarg: &MemArg, ty: Type) -> Value {
        let (addr, off) = self.simd_addr(memarg, ty.bytes());
        self.b.ins().load(ty, heap_flags(), addr, off)
    }

    fn load_extend(&mut self, memarg: &MemArg, kind: Extend) {
        let (addr, off) = self.simd_addr(memarg, 8);
        let f = heap_flags();
        let ins = self.b.ins();
        let v = match kind {
            Extend::S8x8 => ins.sload8x8(f, addr, off),
            Extend::U8x8 => ins.uload8x8(f, addr, off),
            Extend::S16x4 => ins.sload16x4(f, addr, off),
            Extend::U16x4 => ins.uload16x4(f, addr, off),
            Extend::S32x2 => ins.sload32x2(f, addr, off),
            Extend::U32x2 => ins.uload32x2(f, addr, off),
        };
        self.vpush(v);
    }

    /// `v128.loadN_splat`: one scalar copied into every lane.
    fn load_splat(&mut self, memarg: &MemArg, lane: Type) {
        let x = self.load_lane_scalar(memarg, lane);
        let v = self.b.ins().splat(vector_of(lane), x);
        self.vpush(v);
    }

    /// `v128.loadN_zero`: one scalar in lane 0, all other lanes zero.
    fn load_zero(&mut self, memarg: &MemArg, lane: Type) {
        let x = self.load_lane_scalar(memarg, lane);
        let v = self.b.ins().scalar_to_vector(vector_of(lane), x);
        self.vpush(v);
    }

    /// `v128.loadN_lane`: `[i32 v128] -> [v128]`, replacing lane `lane`.
    fn load_lane(&mut self, memarg: &MemArg, lane_ty: Type, lane: u8) {
        let vec = self.vpop(vector_of(lane_ty));
        let x = self.load_lane_scalar(memarg, lane_ty);
        let v = self.b.ins().insertlane(vec, x, lane);
        self.vpush(v);
    }

    /// `v128.storeN_lane`: `[i32 v128] -> []`, storing lane `lane`.
    fn store_lane(&mut self, memarg: &MemArg, lane_ty: Type, lane: u8) {
        let vec = self.vpop(vector_of(lane_ty));
        let (addr, off) = self.simd_addr(memarg, lane_ty.bytes());
        let x = self.b.ins().extractlane(vec, lane);
        self.b.ins().store(heap_flags(), x, addr, off);
    }

    /// Translates a SIMD memory operator; returns false if `op` is not one.
    pub(super) fn simd_memory(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::V128Load { memarg } => {
                let (addr, off) = self.simd_addr(memarg, 16);
                let v = self.b.ins().load(I8X16, heap_flags(), addr, off);
                self.push(v);
            }
            O::V128Store { memarg } => {
                let v = self.vpop(I8X16);
                let (addr, off) = self.simd_addr(memarg, 16);
                self.b.ins().store(heap_flags(), v, addr, off);
            }
            O::V128Load8x8S { memarg } => self.load_extend(memarg, Extend::S8x8),
            O::V128Load8x8U { memarg } => self.load_extend(memarg, Extend::U8x8),
            O::V128Load16x4S { memarg } => self.load_extend(memarg, Extend::S16x4),
            O::V128Load16x4U { memarg } => self.load_extend(memarg, Extend::U16x4),
            O::V128Load32x2S { memarg } => self.load_extend(memarg, Extend::S32x2),
            O::V128Load32x2U { memarg } => self.load_extend(memarg, Extend::U32x2),
            O::V128Load8Splat { memarg } => self.load_splat(memarg, I8),
            O::V128Load16Splat { memarg } => self.load_splat(memarg, I16),
            O::V128Load32Splat { memarg } => self.load_splat(memarg, I32),
            O::V128Load64Splat { memarg } => self.load_splat(memarg, I64),
            O::V128Load32Zero { memarg } => self.load_zero(memarg, I32),
            O::V128Load64Zero { memarg } => self.load_zero(memarg, I64),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, I8, *lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, I16, *lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, I32, *lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, I64, *lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, I8, *lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, I16, *lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, I32, *lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, I64, *lane),
            _ => return false,
        }
        true
    }
}
