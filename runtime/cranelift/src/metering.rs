//! Fuel (gas) metering and epoch interruption checks in generated code.
//!
//! Fuel: the store context holds `fuel`, counting up from `-budget`. Code is cut into
//! straight-line segments (a new one starts at function entry, after every control
//! instruction and call, and at every block that control can reach); each segment first adds
//! its whole instruction count — an `iconst` patched when the segment ends — and traps with
//! `OutOfFuel` if the sum passed zero. So a segment runs only if all of it fits in the budget,
//! and the count of executed instructions is exact. Every instruction costs 1, as WasmEdge's
//! default cost table.
//!
//! Epochs: at function entry and loop headers, compare the engine's epoch counter with the
//! store's deadline and trap with `Interrupt` when it is reached — so even `loop br 0` stops.
//! Must not change what uninstrumented code looks like: both are off unless configured.

use crate::translate::FuncTranslator;
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    self, InstBuilder, MemFlagsData as MemFlags, Value, condcodes::IntCC, types::I64,
};
use wasmedge_environ::error::TrapCode;
use wasmedge_environ::vmabi::{self, header};
use wasmparser::Operator;

/// Metering state of one function translation.
#[derive(Default)]
pub(crate) struct Metering {
    /// The `iconst` holding the open segment's cost, to be patched when it ends.
    open: Option<ir::Inst>,
    /// Instructions counted in the open segment so far.
    count: i64,
}

/// Operators after which a new segment starts (control may leave or re-enter here).
pub(crate) fn is_control(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Loop { .. }
            | O::If { .. }
            | O::Else
            | O::End
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::Return
            | O::Call { .. }
            | O::CallIndirect { .. }
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
            | O::Unreachable
    )
}

impl FuncTranslator<'_, '_> {
    fn store_ctx(&mut self) -> Value {
        let flags = MemFlags::trusted().with_readonly().with_can_move();
        self.b
            .ins()
            .load(I64, flags, self.vmctx, header::STORE_CTX as i32)
    }

    /// Counts one executed instruction in the open segment.
    pub(crate) fn meter_op(&mut self) {
        if self.env.fuel {
            self.metering.count += 1;
        }
    }

    /// Opens a segment: charge its (later patched) cost and trap if the budget is exceeded.
    pub(crate) fn segment_start(&mut self) {
        if !self.env.fuel || self.control.is_empty() {
            return;
        }
        let cost = self.b.ins().iconst(I64, 0);
        self.metering.open = self.b.func.dfg.value_def(cost).inst();
        self.metering.count = 0;
        let ctx = self.store_ctx();
        let fuel = self
            .b
            .ins()
            .load(I64, MemFlags::trusted(), ctx, vmabi::store::FUEL as i32);
        let fuel = self.b.ins().iadd(fuel, cost);
        self.b
            .ins()
            .store(MemFlags::trusted(), fuel, ctx, vmabi::store::FUEL as i32);
        let over = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, fuel, 0);
        self.b.ins().trapnz(over, user_trap(TrapCode::OutOfFuel));
    }

    /// Closes the open segment, fixing its cost.
    pub(crate) fn segment_end(&mut self) {
        if let Some(inst) = self.metering.open.take() {
            let n = self.metering.count;
            self.b.func.replace(inst).iconst(I64, n);
        }
    }

    /// Traps with `Interrupt` when the engine's epoch has reached the store's deadline.
    pub(crate) fn epoch_check(&mut self) {
        if !self.env.epochs {
            return;
        }
        let ctx = self.store_ctx();
        let flags = MemFlags::trusted().with_readonly().with_can_move();
        let epoch_ptr = self
            .b
            .ins()
            .load(I64, flags, ctx, vmabi::store::EPOCH_PTR as i32);
        // Atomic, so the load is redone at every check: another thread advances the epoch, and
        // a plain load here would be forwarded from the one at function entry.
        let epoch = self
            .b
            .ins()
            .atomic_load(I64, MemFlags::trusted(), epoch_ptr);
        let deadline = self.b.ins().load(
            I64,
            MemFlags::trusted(),
            ctx,
            vmabi::store::EPOCH_DEADLINE as i32,
        );
        let hit = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, epoch, deadline);
        self.b.ins().trapnz(hit, user_trap(TrapCode::Interrupt));
    }
}
