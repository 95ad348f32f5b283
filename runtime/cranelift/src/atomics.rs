//! Threads-proposal operators: atomic loads, stores, read-modify-writes and compare-exchange,
//! `memory.atomic.wait32/64`, `memory.atomic.notify` and `atomic.fence`.
//!
//! Every atomic access checks bounds explicitly (even with guard pages, so that an access that
//! is both out of bounds and unaligned reports "out of bounds" as the spec orders) and then
//! alignment. Must not handle non-atomic memory access.

use crate::translate::FuncTranslator;
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    self, AtomicRmwOp, InstBuilder, MemFlagsData as MemFlags, Type, Value,
    condcodes::IntCC,
    types::{I8, I16, I32, I64},
};
use wasmedge_environ::error::TrapCode;
use wasmedge_environ::vmabi::{self, builtin};
use wasmparser::{MemArg, Operator};

fn atomic_flags() -> MemFlags {
    MemFlags::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

impl FuncTranslator<'_, '_> {
    fn memory_index(memarg: &MemArg) -> u32 {
        match memarg.target {
            wasmparser::MemArgTarget::Memory(m) => m,
            wasmparser::MemArgTarget::Array(_) => unreachable!("validated: GC arrays are disabled"),
        }
    }

    /// The native address of an atomic access of `size` bytes, bounds- and alignment-checked.
    fn atomic_addr(&mut self, memarg: &MemArg, index: Value, size: u32) -> Value {
        let mem = Self::memory_index(memarg);
        let def_off = self.env.offsets.memory(mem) as i32;
        let def = self.b.ins().load(
            I64,
            MemFlags::trusted().with_readonly().with_can_move(),
            self.vmctx,
            def_off,
        );
        let idx = self.b.ins().uextend(I64, index);
        let ea = self.b.ins().iadd_imm_u(idx, memarg.offset as i64);
        let len = self
            .b
            .ins()
            .load(I64, MemFlags::trusted(), def, vmabi::memory::LENGTH as i32);
        let end = self.b.ins().iadd_imm_u(ea, i64::from(size));
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.b.ins().trapnz(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        if size > 1 {
            let misaligned = self.b.ins().band_imm_u(ea, i64::from(size - 1));
            self.b
                .ins()
                .trapnz(misaligned, user_trap(TrapCode::HeapMisaligned));
        }
        let base = self
            .b
            .ins()
            .load(I64, MemFlags::trusted(), def, vmabi::memory::BASE as i32);
        self.b.ins().iadd(base, ea)
    }

    /// `access` is the memory type, `result` the wasm type.
    fn atomic_load(&mut self, memarg: &MemArg, access: Type, result: Type) {
        let index = self.pop();
        let addr = self.atomic_addr(memarg, index, access.bytes());
        let v = self.b.ins().atomic_load(access, atomic_flags(), addr);
        let v = if access == result {
            v
        } else {
            self.b.ins().uextend(result, v)
        };
        self.push(v);
    }

    fn atomic_store(&mut self, memarg: &MemArg, access: Type) {
        let (index, val) = self.pop2();
        let addr = self.atomic_addr(memarg, index, access.bytes());
        let val = if self.b.func.dfg.value_type(val) == access {
            val
        } else {
            self.b.ins().ireduce(access, val)
        };
        self.b.ins().atomic_store(atomic_flags(), val, addr);
    }

    fn atomic_rmw(&mut self, memarg: &MemArg, access: Type, op: AtomicRmwOp) {
        let (index, val) = self.pop2();
        let result = self.b.func.dfg.value_type(val);
        let addr = self.atomic_addr(memarg, index, access.bytes());
        let val = if result == access {
            val
        } else {
            self.b.ins().ireduce(access, val)
        };
        let old = self
            .b
            .ins()
            .atomic_rmw(access, atomic_flags(), op, addr, val);
        let old = if result == access {
            old
        } else {
            self.b.ins().uextend(result, old)
        };
        self.push(old);
    }

    fn atomic_cmpxchg(&mut self, memarg: &MemArg, access: Type) {
        let (index, expected, replacement) = self.pop3();
        let result = self.b.func.dfg.value_type(expected);
        let addr = self.atomic_addr(memarg, index, access.bytes());
        let (e, r) = if result == access {
            (expected, replacement)
        } else {
            (
                self.b.ins().ireduce(access, expected),
                self.b.ins().ireduce(access, replacement),
            )
        };
        let old = self.b.ins().atomic_cas(atomic_flags(), addr, e, r);
        let old = if result == access {
            old
        } else {
            self.b.ins().uextend(result, old)
        };
        self.push(old);
    }

    fn atomic_wait(&mut self, memarg: &MemArg, access: Type) {
        let (index, expected, timeout) = self.pop3();
        let addr = self.atomic_addr(memarg, index, access.bytes());
        let mem = Self::memory_index(memarg);
        if !self.env.info.memories[mem as usize].shared {
            self.trap(TrapCode::AtomicWaitNonSharedMemory);
            return;
        }
        let (index_fn, ty) = if access == I32 {
            (builtin::MEMORY_WAIT32, I32)
        } else {
            (builtin::MEMORY_WAIT64, I64)
        };
        let vmctx = self.vmctx;
        let r = self.call_builtin(
            index_fn,
            &[I64, I64, ty, I64],
            &[I32],
            &[vmctx, addr, expected, timeout],
        );
        // A wait ended by a time limit or interrupt: the store traps here.
        let interrupted = self.b.ins().icmp_imm_u(
            IntCC::Equal,
            r[0],
            i64::from(wasmedge_environ::vmabi::wait::INTERRUPTED),
        );
        self.b
            .ins()
            .trapnz(interrupted, user_trap(TrapCode::Interrupt));
        self.push(r[0]);
    }

    /// Translates an atomic operator; returns false if `op` is not one.
    pub fn translate_atomic(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        use AtomicRmwOp as R;
        use Operator as O;
        match op {
            O::I32AtomicLoad { memarg } => self.atomic_load(memarg, I32, I32),
            O::I64AtomicLoad { memarg } => self.atomic_load(memarg, I64, I64),
            O::I32AtomicLoad8U { memarg } => self.atomic_load(memarg, I8, I32),
            O::I32AtomicLoad16U { memarg } => self.atomic_load(memarg, I16, I32),
            O::I64AtomicLoad8U { memarg } => self.atomic_load(memarg, I8, I64),
            O::I64AtomicLoad16U { memarg } => self.atomic_load(memarg, I16, I64),
            O::I64AtomicLoad32U { memarg } => self.atomic_load(memarg, I32, I64),
            O::I32AtomicStore { memarg } => self.atomic_store(memarg, I32),
            O::I64AtomicStore { memarg } => self.atomic_store(memarg, I64),
            O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => {
                self.atomic_store(memarg, I8)
            }
            O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => {
                self.atomic_store(memarg, I16)
            }
            O::I64AtomicStore32 { memarg } => self.atomic_store(memarg, I32),
            O::I32AtomicRmwAdd { memarg } => self.atomic_rmw(memarg, I32, R::Add),
            O::I64AtomicRmwAdd { memarg } => self.atomic_rmw(memarg, I64, R::Add),
            O::I32AtomicRmw8AddU { memarg } | O::I64AtomicRmw8AddU { memarg } => {
                self.atomic_rmw(memarg, I8, R::Add)
            }
            O::I32AtomicRmw16AddU { memarg } | O::I64AtomicRmw16AddU { memarg } => {
                self.atomic_rmw(memarg, I16, R::Add)
            }
            O::I64AtomicRmw32AddU { memarg } => self.atomic_rmw(memarg, I32, R::Add),
            O::I32AtomicRmwSub { memarg } => self.atomic_rmw(memarg, I32, R::Sub),
            O::I64AtomicRmwSub { memarg } => self.atomic_rmw(memarg, I64, R::Sub),
            O::I32AtomicRmw8SubU { memarg } | O::I64AtomicRmw8SubU { memarg } => {
                self.atomic_rmw(memarg, I8, R::Sub)
            }
            O::I32AtomicRmw16SubU { memarg } | O::I64AtomicRmw16SubU { memarg } => {
                self.atomic_rmw(memarg, I16, R::Sub)
            }
            O::I64AtomicRmw32SubU { memarg } => self.atomic_rmw(memarg, I32, R::Sub),
            O::I32AtomicRmwAnd { memarg } => self.atomic_rmw(memarg, I32, R::And),
            O::I64AtomicRmwAnd { memarg } => self.atomic_rmw(memarg, I64, R::And),
            O::I32AtomicRmw8AndU { memarg } | O::I64AtomicRmw8AndU { memarg } => {
                self.atomic_rmw(memarg, I8, R::And)
            }
            O::I32AtomicRmw16AndU { memarg } | O::I64AtomicRmw16AndU { memarg } => {
                self.atomic_rmw(memarg, I16, R::And)
            }
            O::I64AtomicRmw32AndU { memarg } => self.atomic_rmw(memarg, I32, R::And),
            O::I32AtomicRmwOr { memarg } => self.atomic_rmw(memarg, I32, R::Or),
            O::I64AtomicRmwOr { memarg } => self.atomic_rmw(memarg, I64, R::Or),
            O::I32AtomicRmw8OrU { memarg } | O::I64AtomicRmw8OrU { memarg } => {
                self.atomic_rmw(memarg, I8, R::Or)
            }
            O::I32AtomicRmw16OrU { memarg } | O::I64AtomicRmw16OrU { memarg } => {
                self.atomic_rmw(memarg, I16, R::Or)
            }
            O::I64AtomicRmw32OrU { memarg } => self.atomic_rmw(memarg, I32, R::Or),
            O::I32AtomicRmwXor { memarg } => self.atomic_rmw(memarg, I32, R::Xor),
            O::I64AtomicRmwXor { memarg } => self.atomic_rmw(memarg, I64, R::Xor),
            O::I32AtomicRmw8XorU { memarg } | O::I64AtomicRmw8XorU { memarg } => {
                self.atomic_rmw(memarg, I8, R::Xor)
            }
            O::I32AtomicRmw16XorU { memarg } | O::I64AtomicRmw16XorU { memarg } => {
                self.atomic_rmw(memarg, I16, R::Xor)
            }
            O::I64AtomicRmw32XorU { memarg } => self.atomic_rmw(memarg, I32, R::Xor),
            O::I32AtomicRmwXchg { memarg } => self.atomic_rmw(memarg, I32, R::Xchg),
            O::I64AtomicRmwXchg { memarg } => self.atomic_rmw(memarg, I64, R::Xchg),
            O::I32AtomicRmw8XchgU { memarg } | O::I64AtomicRmw8XchgU { memarg } => {
                self.atomic_rmw(memarg, I8, R::Xchg)
            }
            O::I32AtomicRmw16XchgU { memarg } | O::I64AtomicRmw16XchgU { memarg } => {
                self.atomic_rmw(memarg, I16, R::Xchg)
            }
            O::I64AtomicRmw32XchgU { memarg } => self.atomic_rmw(memarg, I32, R::Xchg),
            O::I32AtomicRmwCmpxchg { memarg } => self.atomic_cmpxchg(memarg, I32),
            O::I64AtomicRmwCmpxchg { memarg } => self.atomic_cmpxchg(memarg, I64),
            O::I32AtomicRmw8CmpxchgU { memarg } | O::I64AtomicRmw8CmpxchgU { memarg } => {
                self.atomic_cmpxchg(memarg, I8)
            }
            O::I32AtomicRmw16CmpxchgU { memarg } | O::I64AtomicRmw16CmpxchgU { memarg } => {
                self.atomic_cmpxchg(memarg, I16)
            }
            O::I64AtomicRmw32CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I32),
            O::MemoryAtomicWait32 { memarg } => self.atomic_wait(memarg, I32),
            O::MemoryAtomicWait64 { memarg } => self.atomic_wait(memarg, I64),
            O::MemoryAtomicNotify { memarg } => {
                let (index, count) = self.pop2();
                let addr = self.atomic_addr(memarg, index, 4);
                let r =
                    self.call_builtin(builtin::MEMORY_NOTIFY, &[I64, I32], &[I32], &[addr, count]);
                self.push(r[0]);
            }
            O::AtomicFence { .. } => {
                self.b.ins().fence();
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
