//! Numeric operators: constants, integer and float arithmetic, comparisons, conversions,
//! sign extension and saturating truncation.
//!
//! Cranelift's float operators already have wasm semantics (NaN propagation in min/max,
//! round-to-nearest-even); integer division gets explicit checks so that the hardware never
//! faults and each trap has the right code. Must not touch memory or control flow.

use crate::translate::FuncTranslator;
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    InstBuilder, MemFlagsData as MemFlags, Type, Value,
    condcodes::{FloatCC, IntCC},
    types::{F32, F64, I8, I16, I32, I64},
};
use wasmedge_environ::error::TrapCode;
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    fn unop(&mut self, f: impl FnOnce(&mut Self, Value) -> Value) {
        let a = self.pop();
        let v = f(self, a);
        self.push(v);
    }

    fn binop(&mut self, f: impl FnOnce(&mut Self, Value, Value) -> Value) {
        let (a, b) = self.pop2();
        let v = f(self, a, b);
        self.push(v);
    }

    fn icmp_op(&mut self, cc: IntCC) {
        self.binop(|t, a, b| {
            let c = t.b.ins().icmp(cc, a, b);
            t.b.ins().uextend(I32, c)
        });
    }

    fn fcmp_op(&mut self, cc: FloatCC) {
        self.binop(|t, a, b| {
            let c = t.b.ins().fcmp(cc, a, b);
            t.b.ins().uextend(I32, c)
        });
    }

    fn eqz(&mut self) {
        self.unop(|t, a| {
            let c = t.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
            t.b.ins().uextend(I32, c)
        });
    }

    fn check_div_zero(&mut self, b: Value) {
        self.b
            .ins()
            .trapz(b, user_trap(TrapCode::IntegerDivisionByZero));
    }

    fn sdiv(&mut self, ty: Type) {
        self.binop(|t, a, b| {
            t.check_div_zero(b);
            let min = if ty == I32 {
                i64::from(i32::MIN)
            } else {
                i64::MIN
            };
            let a_min = t.b.ins().icmp_imm_s(IntCC::Equal, a, min);
            let b_neg1 = t.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
            let ovf = t.b.ins().band(a_min, b_neg1);
            t.b.ins().trapnz(ovf, user_trap(TrapCode::IntegerOverflow));
            t.b.ins().sdiv(a, b)
        });
    }

    fn srem(&mut self, ty: Type) {
        self.binop(|t, a, b| {
            t.check_div_zero(b);
            // MIN % -1 is 0 in wasm but faults on x86: divide by 1 instead (same result).
            let b_neg1 = t.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
            let one = t.b.ins().iconst(ty, 1);
            let safe = t.b.ins().select(b_neg1, one, b);
            t.b.ins().srem(a, safe)
        });
    }

    fn udiv(&mut self, rem: bool) {
        self.binop(|t, a, b| {
            t.check_div_zero(b);
            if rem {
                t.b.ins().urem(a, b)
            } else {
                t.b.ins().udiv(a, b)
            }
        });
    }

    fn sign_extend_from(&mut self, narrow: Type, to: Type) {
        self.unop(|t, a| {
            let n = t.b.ins().ireduce(narrow, a);
            t.b.ins().sextend(to, n)
        });
    }

    /// Translates a numeric operator; returns false if `op` is not one.
    pub fn translate_numeric(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        use Operator as O;
        match op {
            O::I32Const { value } => {
                let v = self.b.ins().iconst(I32, i64::from(*value));
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(I64, *value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self.b.ins().f32const(f32::from_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self.b.ins().f64const(f64::from_bits(value.bits()));
                self.push(v);
            }
            // Integer comparisons.
            O::I32Eqz | O::I64Eqz => self.eqz(),
            O::I32Eq | O::I64Eq => self.icmp_op(IntCC::Equal),
            O::I32Ne | O::I64Ne => self.icmp_op(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => self.icmp_op(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => self.icmp_op(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => self.icmp_op(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => self.icmp_op(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => self.icmp_op(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => self.icmp_op(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => self.icmp_op(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => self.icmp_op(IntCC::UnsignedGreaterThanOrEqual),
            // Float comparisons.
            O::F32Eq | O::F64Eq => self.fcmp_op(FloatCC::Equal),
            O::F32Ne | O::F64Ne => self.fcmp_op(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => self.fcmp_op(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => self.fcmp_op(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => self.fcmp_op(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => self.fcmp_op(FloatCC::GreaterThanOrEqual),
            // Integer arithmetic.
            O::I32Clz | O::I64Clz => self.unop(|t, a| t.b.ins().clz(a)),
            O::I32Ctz | O::I64Ctz => self.unop(|t, a| t.b.ins().ctz(a)),
            O::I32Popcnt | O::I64Popcnt => self.unop(|t, a| t.b.ins().popcnt(a)),
            O::I32Add | O::I64Add => self.binop(|t, a, b| t.b.ins().iadd(a, b)),
            O::I32Sub | O::I64Sub => self.binop(|t, a, b| t.b.ins().isub(a, b)),
            O::I32Mul | O::I64Mul => self.binop(|t, a, b| t.b.ins().imul(a, b)),
            O::I32DivS => self.sdiv(I32),
            O::I64DivS => self.sdiv(I64),
            O::I32DivU | O::I64DivU => self.udiv(false),
            O::I32RemS => self.srem(I32),
            O::I64RemS => self.srem(I64),
            O::I32RemU | O::I64RemU => self.udiv(true),
            O::I32And | O::I64And => self.binop(|t, a, b| t.b.ins().band(a, b)),
            O::I32Or | O::I64Or => self.binop(|t, a, b| t.b.ins().bor(a, b)),
            O::I32Xor | O::I64Xor => self.binop(|t, a, b| t.b.ins().bxor(a, b)),
            O::I32Shl | O::I64Shl => self.binop(|t, a, b| t.b.ins().ishl(a, b)),
            O::I32ShrS | O::I64ShrS => self.binop(|t, a, b| t.b.ins().sshr(a, b)),
            O::I32ShrU | O::I64ShrU => self.binop(|t, a, b| t.b.ins().ushr(a, b)),
            O::I32Rotl | O::I64Rotl => self.binop(|t, a, b| t.b.ins().rotl(a, b)),
            O::I32Rotr | O::I64Rotr => self.binop(|t, a, b| t.b.ins().rotr(a, b)),
            // Float arithmetic.
            O::F32Abs | O::F64Abs => self.unop(|t, a| t.b.ins().fabs(a)),
            O::F32Neg | O::F64Neg => self.unop(|t, a| t.b.ins().fneg(a)),
            O::F32Ceil | O::F64Ceil => self.unop(|t, a| t.b.ins().ceil(a)),
            O::F32Floor | O::F64Floor => self.unop(|t, a| t.b.ins().floor(a)),
            O::F32Trunc | O::F64Trunc => self.unop(|t, a| t.b.ins().trunc(a)),
            O::F32Nearest | O::F64Nearest => self.unop(|t, a| t.b.ins().nearest(a)),
            O::F32Sqrt | O::F64Sqrt => self.unop(|t, a| t.b.ins().sqrt(a)),
            O::F32Add | O::F64Add => self.binop(|t, a, b| t.b.ins().fadd(a, b)),
            O::F32Sub | O::F64Sub => self.binop(|t, a, b| t.b.ins().fsub(a, b)),
            O::F32Mul | O::F64Mul => self.binop(|t, a, b| t.b.ins().fmul(a, b)),
            O::F32Div | O::F64Div => self.binop(|t, a, b| t.b.ins().fdiv(a, b)),
            O::F32Min | O::F64Min => self.binop(|t, a, b| t.b.ins().fmin(a, b)),
            O::F32Max | O::F64Max => self.binop(|t, a, b| t.b.ins().fmax(a, b)),
            O::F32Copysign | O::F64Copysign => self.binop(|t, a, b| t.b.ins().fcopysign(a, b)),
            // Conversions.
            O::I32WrapI64 => self.unop(|t, a| t.b.ins().ireduce(I32, a)),
            O::I64ExtendI32S => self.unop(|t, a| t.b.ins().sextend(I64, a)),
            O::I64ExtendI32U => self.unop(|t, a| t.b.ins().uextend(I64, a)),
            O::I32TruncF32S | O::I32TruncF64S => self.unop(|t, a| t.b.ins().fcvt_to_sint(I32, a)),
            O::I32TruncF32U | O::I32TruncF64U => self.unop(|t, a| t.b.ins().fcvt_to_uint(I32, a)),
            O::I64TruncF32S | O::I64TruncF64S => self.unop(|t, a| t.b.ins().fcvt_to_sint(I64, a)),
            O::I64TruncF32U | O::I64TruncF64U => self.unop(|t, a| t.b.ins().fcvt_to_uint(I64, a)),
            O::I32TruncSatF32S | O::I32TruncSatF64S => {
                self.unop(|t, a| t.b.ins().fcvt_to_sint_sat(I32, a))
            }
            O::I32TruncSatF32U | O::I32TruncSatF64U => {
                self.unop(|t, a| t.b.ins().fcvt_to_uint_sat(I32, a))
            }
            O::I64TruncSatF32S | O::I64TruncSatF64S => {
                self.unop(|t, a| t.b.ins().fcvt_to_sint_sat(I64, a))
            }
            O::I64TruncSatF32U | O::I64TruncSatF64U => {
                self.unop(|t, a| t.b.ins().fcvt_to_uint_sat(I64, a))
            }
            O::F32ConvertI32S | O::F32ConvertI64S => {
                self.unop(|t, a| t.b.ins().fcvt_from_sint(F32, a))
            }
            O::F32ConvertI32U | O::F32ConvertI64U => {
                self.unop(|t, a| t.b.ins().fcvt_from_uint(F32, a))
            }
            O::F64ConvertI32S | O::F64ConvertI64S => {
                self.unop(|t, a| t.b.ins().fcvt_from_sint(F64, a))
            }
            O::F64ConvertI32U | O::F64ConvertI64U => {
                self.unop(|t, a| t.b.ins().fcvt_from_uint(F64, a))
            }
            O::F32DemoteF64 => self.unop(|t, a| t.b.ins().fdemote(F32, a)),
            O::F64PromoteF32 => self.unop(|t, a| t.b.ins().fpromote(F64, a)),
            O::I32ReinterpretF32 => self.unop(|t, a| t.b.ins().bitcast(I32, MemFlags::new(), a)),
            O::I64ReinterpretF64 => self.unop(|t, a| t.b.ins().bitcast(I64, MemFlags::new(), a)),
            O::F32ReinterpretI32 => self.unop(|t, a| t.b.ins().bitcast(F32, MemFlags::new(), a)),
            O::F64ReinterpretI64 => self.unop(|t, a| t.b.ins().bitcast(F64, MemFlags::new(), a)),
            // Sign extension.
            O::I32Extend8S => self.sign_extend_from(I8, I32),
            O::I32Extend16S => self.sign_extend_from(I16, I32),
            O::I64Extend8S => self.sign_extend_from(I8, I64),
            O::I64Extend16S => self.sign_extend_from(I16, I64),
            O::I64Extend32S => self.sign_extend_from(I32, I64),
            _ => return Ok(false),
        }
        Ok(true)
    }
}
