//! Linear-memory operators: loads, stores, `memory.size` and `memory.grow`.
//!
//! With guard pages (`ModuleEnv::guard_pages`) an access is `base + zext(index) + offset` and
//! an out-of-bounds access faults in the guard region, where the signal handler turns it into a
//! trap (the access carries the heap trap code). Without them, every access first compares
//! `index + offset + size` with the current length. Must not handle tables or globals.

use crate::translate::FuncTranslator;
use cranelift_codegen::ir::{
    self, InstBuilder, MemFlagsData as MemFlags, Type, Value, condcodes::IntCC, types,
};
use wasmedge_environ::vmabi::{self, builtin, header};
use wasmparser::{MemArg, Operator};

fn heap_flags() -> MemFlags {
    MemFlags::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

enum Load {
    Plain(Type),
    U8(Type),
    S8(Type),
    U16(Type),
    S16(Type),
    U32,
    S32,
}

impl FuncTranslator<'_, '_> {
    /// The `VMMemoryDefinition` pointer of memory `mem`.
    fn memory_def(&mut self, mem: u32) -> Value {
        let off = self.env.offsets.memory(mem) as i32;
        self.b.ins().load(
            types::I64,
            MemFlags::trusted().with_readonly().with_can_move(),
            self.vmctx,
            off,
        )
    }

    /// The native address for an access of `size` bytes at `index + offset` in memory `mem`,
    /// with the bounds check the strategy requires, plus the immediate offset to use.
    pub(crate) fn heap_addr(&mut self, memarg: &MemArg, index: Value, size: u32) -> (Value, i32) {
        let wasmparser::MemArgTarget::Memory(mem) = memarg.target else {
            unreachable!("validated: GC arrays are disabled")
        };
        let def = self.memory_def(mem);
        let idx = self.b.ins().uextend(types::I64, index);
        let base_flags = if self.env.guard_pages {
            MemFlags::trusted().with_readonly().with_can_move()
        } else {
            MemFlags::trusted()
        };
        if !self.env.guard_pages {
            // index + offset + size <= length, computed in 64 bits (no overflow: < 2^34).
            let len = self.b.ins().load(
                types::I64,
                MemFlags::trusted(),
                def,
                vmabi::memory::LENGTH as i32,
            );
            let end = self
                .b
                .ins()
                .iadd_imm_u(idx, (memarg.offset + u64::from(size)) as i64);
            let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
            self.b.ins().trapnz(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        }
        let base = self
            .b
            .ins()
            .load(types::I64, base_flags, def, vmabi::memory::BASE as i32);
        let addr = self.b.ins().iadd(base, idx);
        match i32::try_from(memarg.offset) {
            Ok(off) => (addr, off),
            Err(_) => (self.b.ins().iadd_imm_u(addr, memarg.offset as i64), 0),
        }
    }

    fn load(&mut self, memarg: &MemArg, kind: Load) {
        let index = self.pop();
        let size = match kind {
            Load::Plain(t) => t.bytes(),
            Load::U8(_) | Load::S8(_) => 1,
            Load::U16(_) | Load::S16(_) => 2,
            Load::U32 | Load::S32 => 4,
        };
        let (addr, off) = self.heap_addr(memarg, index, size);
        let f = heap_flags();
        let ins = self.b.ins();
        let v = match kind {
            Load::Plain(t) => ins.load(t, f, addr, off),
            Load::U8(t) => ins.uload8(t, f, addr, off),
            Load::S8(t) => ins.sload8(t, f, addr, off),
            Load::U16(t) => ins.uload16(t, f, addr, off),
            Load::S16(t) => ins.sload16(t, f, addr, off),
            Load::U32 => ins.uload32(f, addr, off),
            Load::S32 => ins.sload32(f, addr, off),
        };
        self.push(v);
    }

    /// Stores the low `size` bytes of the popped value.
    fn store(&mut self, memarg: &MemArg, size: u32) {
        let (index, val) = self.pop2();
        let (addr, off) = self.heap_addr(memarg, index, size);
        let f = heap_flags();
        let full = self.b.func.dfg.value_type(val).bytes();
        let ins = self.b.ins();
        match size {
            s if s == full => ins.store(f, val, addr, off),
            1 => ins.istore8(f, val, addr, off),
            2 => ins.istore16(f, val, addr, off),
            _ => ins.istore32(f, val, addr, off),
        };
    }

    /// Calls a builtin through the VMContext's builtin table.
    pub fn call_builtin(
        &mut self,
        index: usize,
        params: &[Type],
        returns: &[Type],
        args: &[Value],
    ) -> Vec<Value> {
        let sig = crate::signatures::native_signature(self.env.host_call_conv, params, returns);
        let sig = self.b.import_signature(sig);
        let flags = MemFlags::trusted().with_readonly().with_can_move();
        let table = self
            .b
            .ins()
            .load(types::I64, flags, self.vmctx, header::BUILTINS as i32);
        let f = self
            .b
            .ins()
            .load(types::I64, flags, table, (index * 8) as i32);
        let inst = self.b.ins().call_indirect(sig, f, args);
        self.b.inst_results(inst).to_vec()
    }

    /// Translates a memory operator; returns false if `op` is not one.
    pub fn translate_memory_op(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        use Operator as O;
        use types::{F32, F64, I32, I64};
        match op {
            O::I32Load { memarg } => self.load(memarg, Load::Plain(I32)),
            O::I64Load { memarg } => self.load(memarg, Load::Plain(I64)),
            O::F32Load { memarg } => self.load(memarg, Load::Plain(F32)),
            O::F64Load { memarg } => self.load(memarg, Load::Plain(F64)),
            O::I32Load8S { memarg } => self.load(memarg, Load::S8(I32)),
            O::I32Load8U { memarg } => self.load(memarg, Load::U8(I32)),
            O::I32Load16S { memarg } => self.load(memarg, Load::S16(I32)),
            O::I32Load16U { memarg } => self.load(memarg, Load::U16(I32)),
            O::I64Load8S { memarg } => self.load(memarg, Load::S8(I64)),
            O::I64Load8U { memarg } => self.load(memarg, Load::U8(I64)),
            O::I64Load16S { memarg } => self.load(memarg, Load::S16(I64)),
            O::I64Load16U { memarg } => self.load(memarg, Load::U16(I64)),
            O::I64Load32S { memarg } => self.load(memarg, Load::S32),
            O::I64Load32U { memarg } => self.load(memarg, Load::U32),
            O::I32Store { memarg } | O::F32Store { memarg } => self.store(memarg, 4),
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(memarg, 8),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, 1),
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, 2),
            O::I64Store32 { memarg } => self.store(memarg, 4),
            O::MemorySize { mem } => {
                let def = self.memory_def(*mem);
                let len = self.b.ins().load(
                    types::I64,
                    MemFlags::trusted(),
                    def,
                    vmabi::memory::LENGTH as i32,
                );
                let pages = self.b.ins().ushr_imm_u(len, 16);
                let v = self.b.ins().ireduce(I32, pages);
                self.push(v);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let idx = self.b.ins().iconst(I32, i64::from(*mem));
                let args = [self.vmctx, idx, delta];
                let r = self.call_builtin(builtin::MEMORY_GROW, &[I64, I32, I32], &[I32], &args);
                self.push(r[0]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
