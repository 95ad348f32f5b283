//! Reference, table and bulk-memory operators: `ref.*`, `table.*`, `elem.drop`,
//! `memory.copy/fill/init`, `data.drop`.
//!
//! Element access (`table.get/set`) is inline with an explicit bounds check; everything that
//! loops or may move storage is a builtin call whose non-zero result traps. Must not handle
//! plain loads/stores (see `memory_ops`).

use crate::translate::FuncTranslator;
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    InstBuilder, MemFlagsData as MemFlags, Value, condcodes::IntCC, types,
};
use wasmedge_environ::error::TrapCode;
use wasmedge_environ::vmabi::{self, builtin};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    fn i32_const(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, i64::from(v))
    }

    fn zext_i64(&mut self, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == types::I64 {
            v
        } else {
            self.b.ins().uextend(types::I64, v)
        }
    }

    /// Calls a status-returning builtin and traps with `code` when it reports failure.
    fn checked_builtin(
        &mut self,
        index: usize,
        params: &[types::Type],
        args: &[Value],
        code: TrapCode,
    ) {
        let r = self.call_builtin(index, params, &[types::I32], args);
        self.b.ins().trapnz(r[0], user_trap(code));
    }

    fn table_def(&mut self, table: u32) -> Value {
        let off = self.env.offsets.table(table) as i32;
        self.b.ins().load(
            types::I64,
            MemFlags::trusted().with_readonly().with_can_move(),
            self.vmctx,
            off,
        )
    }

    /// Translates a reference/table/bulk operator; returns false if `op` is not one.
    pub fn translate_bulk(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        use Operator as O;
        use types::{I32, I64};
        let vmctx = self.vmctx;
        match op {
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let r = self.pop();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                let v = self.b.ins().uextend(I32, c);
                self.push(v);
            }
            O::RefFunc { function_index } => {
                let off = self.env.offsets.func_ref(*function_index);
                let v = self.b.ins().iadd_imm_u(vmctx, i64::from(off));
                self.push(v);
            }
            O::TableGet { table } => {
                let index = self.pop();
                let addr = self.table_element_addr(*table, index);
                let v = self.b.ins().load(I64, MemFlags::trusted(), addr, 0);
                self.push(v);
            }
            O::TableSet { table } => {
                let (index, val) = self.pop2();
                let addr = self.table_element_addr(*table, index);
                self.b.ins().store(MemFlags::trusted(), val, addr, 0);
            }
            O::TableSize { table } => {
                let def = self.table_def(*table);
                let len =
                    self.b
                        .ins()
                        .load(I64, MemFlags::trusted(), def, vmabi::table::LENGTH as i32);
                let v = self.b.ins().ireduce(I32, len);
                self.push(v);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let t = self.i32_const(*table);
                let r = self.call_builtin(
                    builtin::TABLE_GROW,
                    &[I64, I32, I32, I64],
                    &[I32],
                    &[vmctx, t, delta, init],
                );
                self.push(r[0]);
            }
            O::TableFill { table } => {
                let len = self.pop();
                let (dst, val) = self.pop2();
                let t = self.i32_const(*table);
                self.checked_builtin(
                    builtin::TABLE_FILL,
                    &[I64, I32, I32, I64, I32],
                    &[vmctx, t, dst, val, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, len) = self.pop3();
                let (d, s) = (self.i32_const(*dst_table), self.i32_const(*src_table));
                self.checked_builtin(
                    builtin::TABLE_COPY,
                    &[I64, I32, I32, I32, I32, I32],
                    &[vmctx, d, s, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let (t, e) = (self.i32_const(*table), self.i32_const(*elem_index));
                self.checked_builtin(
                    builtin::TABLE_INIT,
                    &[I64, I32, I32, I32, I32, I32],
                    &[vmctx, t, e, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::ElemDrop { elem_index } => {
                let e = self.i32_const(*elem_index);
                self.call_builtin(builtin::ELEM_DROP, &[I64, I32], &[], &[vmctx, e]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (self.zext_i64(dst), self.zext_i64(src), self.zext_i64(len));
                let (d, s) = (self.i32_const(*dst_mem), self.i32_const(*src_mem));
                self.checked_builtin(
                    builtin::MEMORY_COPY,
                    &[I64, I32, I32, I64, I64, I64],
                    &[vmctx, d, s, dst, src, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let (dst, len) = (self.zext_i64(dst), self.zext_i64(len));
                let m = self.i32_const(*mem);
                self.checked_builtin(
                    builtin::MEMORY_FILL,
                    &[I64, I32, I64, I32, I64],
                    &[vmctx, m, dst, val, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let dst = self.zext_i64(dst);
                let (m, d) = (self.i32_const(*mem), self.i32_const(*data_index));
                self.checked_builtin(
                    builtin::MEMORY_INIT,
                    &[I64, I32, I32, I64, I32, I32],
                    &[vmctx, m, d, dst, src, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::DataDrop { data_index } => {
                let d = self.i32_const(*data_index);
                self.call_builtin(builtin::DATA_DROP, &[I64, I32], &[], &[vmctx, d]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
