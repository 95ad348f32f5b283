//! Translation of one wasm function body to Cranelift IR: locals, the operand stack, structured
//! control flow (blocks with parameters for multi-value), calls, and dispatch of the other
//! operator families to `numeric`, `memory_ops`, `bulk`, `atomics`, `simd` and `env` (globals).
//!
//! The body was validated by the loader, so the translator may assume well-typed input; it must
//! still never panic on it. Code after an unconditional branch is skipped until the enclosing
//! `else`/`end`. Every VMContext offset comes from `wasmedge_environ::vmabi` (per-module arrays
//! through `env.offsets`); this module must not assume any layout of its own.

use crate::env::ModuleEnv;
use crate::signatures::{ir_type, wasm_signature};
use crate::traps::user_trap;
use cranelift_codegen::ir::{
    self, BlockArg, InstBuilder, JumpTableData, MemFlagsData as MemFlags, UserExternalName, Value,
    types,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use wasmedge_environ::error::{Error, Phase, Result, TrapCode};
use wasmedge_environ::types::{FuncType, ValType};
use wasmedge_environ::vmabi::{self, header};
use wasmparser::{BlockType, FunctionBody, Operator};

/// How a call reaches its callee.
#[derive(Clone, Copy)]
enum CallTarget {
    Direct(ir::FuncRef),
    Indirect(Value),
}

/// The kind of a control frame.
pub(crate) enum FrameKind {
    Block,
    Loop {
        header: ir::Block,
    },
    If {
        else_block: ir::Block,
        params: Vec<Value>,
        else_seen: bool,
    },
}

/// One entry of the control stack.
pub(crate) struct Frame {
    pub kind: FrameKind,
    /// Where `end` (and branches to a non-loop) continue; has one param per result.
    pub dest: ir::Block,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    /// Operand stack height below this frame's parameters.
    pub height: usize,
    /// True when some branch targets `dest`.
    pub dest_reached: bool,
}

/// Translates one function.
pub(crate) struct FuncTranslator<'a, 'b> {
    pub b: FunctionBuilder<'b>,
    pub env: &'a ModuleEnv<'a>,
    pub vmctx: Value,
    pub stack: Vec<Value>,
    pub control: Vec<Frame>,
    pub locals: Vec<(Variable, ValType)>,
    pub reachable: bool,
    /// Nesting depth of blocks opened while unreachable.
    pub dead_depth: u32,
    pub results: Vec<ValType>,
    pub metering: crate::metering::Metering,
}

fn block_args(vals: &[Value]) -> Vec<BlockArg> {
    vals.iter().map(|v| BlockArg::Value(*v)).collect()
}

impl<'a, 'b> FuncTranslator<'a, 'b> {
    /// Translates `body` of the function with type `ty` into `b`.
    pub fn translate(
        mut b: FunctionBuilder<'b>,
        env: &'a ModuleEnv<'a>,
        ty: &FuncType,
        body: &FunctionBody<'_>,
    ) -> Result<()> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let vmctx = b.block_params(entry)[0];
        let params: Vec<Value> = b.block_params(entry)[2..].to_vec();
        let exit = b.create_block();
        for r in ty.results() {
            b.append_block_param(exit, ir_type(*r));
        }
        let mut t = FuncTranslator {
            b,
            env,
            vmctx,
            stack: Vec::new(),
            control: Vec::new(),
            locals: Vec::new(),
            reachable: true,
            dead_depth: 0,
            results: ty.results().to_vec(),
            metering: Default::default(),
        };
        for (p, vt) in params.iter().zip(ty.params()) {
            let var = t.b.declare_var(ir_type(*vt));
            t.b.def_var(var, *p);
            t.locals.push((var, *vt));
        }
        let err = |e: wasmparser::BinaryReaderError| {
            Error::new(Phase::Loading, e.message(), Some(e.offset()))
        };
        for local in body.get_locals_reader().map_err(err)? {
            let (count, wt) = local.map_err(err)?;
            let vt = ValType::from_wasmparser(wt)
                .ok_or_else(|| Error::new(Phase::Compilation, "unsupported local type", None))?;
            for _ in 0..count {
                let var = t.b.declare_var(ir_type(vt));
                let zero = t.zero(vt);
                t.b.def_var(var, zero);
                t.locals.push((var, vt));
            }
        }
        t.control.push(Frame {
            kind: FrameKind::Block,
            dest: exit,
            params: Vec::new(),
            results: ty.results().to_vec(),
            height: 0,
            dest_reached: false,
        });
        t.epoch_check();
        t.segment_start();
        let mut reader = body.get_operators_reader().map_err(err)?;
        while !reader.eof() {
            let offset = reader.original_position();
            let op = reader.read().map_err(err)?;
            t.b.set_srcloc(ir::SourceLoc::new(offset as u32));
            if t.reachable {
                t.meter_op();
                let control = crate::metering::is_control(&op);
                if control {
                    t.segment_end();
                }
                t.op(&op)
                    .map_err(|m| Error::new(Phase::Compilation, m, Some(offset)))?;
                if control && t.reachable {
                    t.segment_start();
                }
            } else {
                t.dead_op(&op);
                if t.reachable {
                    t.segment_start();
                }
            }
            if t.control.is_empty() {
                break;
            }
        }
        t.b.finalize(env.frontend);
        Ok(())
    }

    /// A zero (or null) value of a type.
    pub fn zero(&mut self, vt: ValType) -> Value {
        match vt {
            ValType::I32 => self.b.ins().iconst(types::I32, 0),
            ValType::I64 | ValType::FuncRef | ValType::ExternRef => {
                self.b.ins().iconst(types::I64, 0)
            }
            ValType::F32 => self.b.ins().f32const(0.0),
            ValType::F64 => self.b.ins().f64const(0.0),
            ValType::V128 => {
                let c = self.b.func.dfg.constants.insert(vec![0u8; 16].into());
                self.b.ins().vconst(types::I8X16, c)
            }
        }
    }

    pub fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    pub fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    pub fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    fn block_type(&self, bt: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        let conv = |t: wasmparser::ValType| ValType::from_wasmparser(t).unwrap_or(ValType::I32);
        match bt {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![conv(t)]),
            BlockType::FuncType(i) => {
                let f = &self.env.info.types[i as usize];
                (f.params().to_vec(), f.results().to_vec())
            }
        }
    }

    fn new_block_with(&mut self, tys: &[ValType]) -> ir::Block {
        let blk = self.b.create_block();
        for t in tys {
            self.b.append_block_param(blk, ir_type(*t));
        }
        blk
    }

    /// Marks the rest of the current block as unreachable.
    pub fn set_unreachable(&mut self) {
        self.reachable = false;
        self.dead_depth = 0;
    }

    /// Emits a trap with one of our trap codes and makes the code after it unreachable.
    pub fn trap(&mut self, code: TrapCode) {
        self.b.ins().trap(user_trap(code));
        self.set_unreachable();
    }

    /// Branch target block and arguments for a branch to relative depth `depth`.
    fn branch_target(&mut self, depth: u32) -> (ir::Block, Vec<Value>) {
        let i = self.control.len() - 1 - depth as usize;
        let frame = &mut self.control[i];
        let (blk, n) = match frame.kind {
            FrameKind::Loop { header } => (header, frame.params.len()),
            _ => {
                frame.dest_reached = true;
                (frame.dest, frame.results.len())
            }
        };
        (blk, self.peekn(n).to_vec())
    }

    /// Handles an operator in unreachable code: only nesting matters.
    fn dead_op(&mut self, op: &Operator<'_>) {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.dead_depth += 1
            }
            Operator::Else if self.dead_depth == 0 => self.op_else(),
            Operator::End if self.dead_depth == 0 => self.op_end(),
            Operator::End => self.dead_depth -= 1,
            _ => {}
        }
    }

    fn op_else(&mut self) {
        let frame = self.control.last_mut().expect("validated: else inside if");
        let FrameKind::If {
            else_block,
            params,
            else_seen,
        } = &mut frame.kind
        else {
            unreachable!("validated: else inside if")
        };
        *else_seen = true;
        let (else_block, params) = (*else_block, params.clone());
        let (dest, height, nres) = (frame.dest, frame.height, frame.results.len());
        if self.reachable {
            let args = block_args(self.peekn(nres));
            self.b.ins().jump(dest, &args);
            self.control.last_mut().unwrap().dest_reached = true;
        }
        self.stack.truncate(height);
        self.stack.extend(params);
        self.b.switch_to_block(else_block);
        self.b.seal_block(else_block);
        self.reachable = true;
    }

    fn op_end(&mut self) {
        let frame = self.control.pop().expect("validated: end matches a frame");
        let mut reached = frame.dest_reached;
        if self.reachable {
            let args = block_args(self.peekn(frame.results.len()));
            self.b.ins().jump(frame.dest, &args);
            reached = true;
        }
        match frame.kind {
            FrameKind::Loop { header } => self.b.seal_block(header),
            FrameKind::If {
                else_block,
                params,
                else_seen: false,
            } => {
                // No else clause: the false edge carries the parameters straight through.
                self.b.switch_to_block(else_block);
                self.b.seal_block(else_block);
                self.b.ins().jump(frame.dest, &block_args(&params));
                reached = true;
            }
            _ => {}
        }
        self.stack.truncate(frame.height);
        self.b.switch_to_block(frame.dest);
        self.b.seal_block(frame.dest);
        if self.control.is_empty() {
            // The function body's end: return the results.
            let rets = self.b.block_params(frame.dest).to_vec();
            self.b.ins().return_(&rets);
            return;
        }
        self.stack
            .extend_from_slice(self.b.block_params(frame.dest));
        self.reachable = reached;
        self.dead_depth = 0;
    }

    fn op(&mut self, op: &Operator<'_>) -> std::result::Result<(), String> {
        use Operator as O;
        match op {
            O::Nop => {}
            O::Unreachable => self.trap(TrapCode::UnreachableCodeReached),
            O::Block { blockty } => {
                let (params, results) = self.block_type(*blockty);
                let dest = self.new_block_with(&results);
                let height = self.stack.len() - params.len();
                self.control.push(Frame {
                    kind: FrameKind::Block,
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_type(*blockty);
                let header = self.new_block_with(&params);
                let dest = self.new_block_with(&results);
                let args = block_args(self.peekn(params.len()));
                self.b.ins().jump(header, &args);
                let height = self.stack.len() - params.len();
                self.stack.truncate(height);
                self.b.switch_to_block(header);
                self.epoch_check();
                self.stack.extend_from_slice(self.b.block_params(header));
                self.control.push(Frame {
                    kind: FrameKind::Loop { header },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            O::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_type(*blockty);
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                let dest = self.new_block_with(&results);
                self.b.ins().brif(cond, then_block, &[], else_block, &[]);
                self.b.switch_to_block(then_block);
                self.b.seal_block(then_block);
                let height = self.stack.len() - params.len();
                let saved = self.peekn(params.len()).to_vec();
                self.control.push(Frame {
                    kind: FrameKind::If {
                        else_block,
                        params: saved,
                        else_seen: false,
                    },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            O::Else => self.op_else(),
            O::End => self.op_end(),
            O::Br { relative_depth } => {
                let (blk, args) = self.branch_target(*relative_depth);
                self.b.ins().jump(blk, &block_args(&args));
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop();
                let (blk, args) = self.branch_target(*relative_depth);
                let next = self.b.create_block();
                self.b.ins().brif(cond, blk, &block_args(&args), next, &[]);
                self.b.switch_to_block(next);
                self.b.seal_block(next);
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let depths: Vec<u32> = targets
                    .targets()
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                let default = targets.default();
                let mut calls = Vec::with_capacity(depths.len());
                // One block call per target; targets needing arguments go through an edge block.
                let mut edge_for: std::collections::HashMap<u32, ir::Block> = Default::default();
                let mut make = |t: &mut Self, depth: u32| -> ir::BlockCall {
                    let (blk, args) = t.branch_target(depth);
                    if args.is_empty() {
                        return t.b.func.dfg.block_call(blk, &[]);
                    }
                    let edge = *edge_for.entry(depth).or_insert_with(|| t.b.create_block());
                    t.b.func.dfg.block_call(edge, &[])
                };
                for d in &depths {
                    calls.push(make(self, *d));
                }
                let def_call = make(self, default);
                let jt = self
                    .b
                    .create_jump_table(JumpTableData::new(def_call, &calls));
                self.b.ins().br_table(index, jt);
                for (depth, edge) in edge_for {
                    self.b.switch_to_block(edge);
                    self.b.seal_block(edge);
                    let (blk, args) = self.branch_target(depth);
                    self.b.ins().jump(blk, &block_args(&args));
                }
                self.set_unreachable();
            }
            O::Return => {
                let rets = self.peekn(self.results.len()).to_vec();
                self.b.ins().return_(&rets);
                self.set_unreachable();
            }
            O::Call { function_index } => self.op_call(*function_index, false),
            O::ReturnCall { function_index } => self.op_call(*function_index, true),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.op_call_indirect(*type_index, *table_index, false),
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.op_call_indirect(*type_index, *table_index, true),
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let (a, b, c) = self.pop3();
                let v = self.b.ins().select(c, a, b);
                self.push(v);
            }
            O::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[*local_index as usize].0);
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[*local_index as usize].0, v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.b.def_var(self.locals[*local_index as usize].0, v);
            }
            O::GlobalGet { global_index } => self.op_global_get(*global_index),
            O::GlobalSet { global_index } => self.op_global_set(*global_index),
            _ => {
                if !self.translate_memory_op(op)?
                    && !self.translate_numeric(op)?
                    && !self.translate_bulk(op)?
                    && !self.translate_atomic(op)?
                    && !self.translate_simd(op)?
                {
                    return Err(format!("operator {op:?} is not supported by the compiler"));
                }
            }
        }
        Ok(())
    }

    fn call_args(&mut self, callee_vmctx: Value, n: usize) -> Vec<Value> {
        let mut args = Vec::with_capacity(n + 2);
        args.push(callee_vmctx);
        args.push(self.vmctx);
        args.extend_from_slice(self.peekn(n));
        let h = self.stack.len() - n;
        self.stack.truncate(h);
        args
    }

    fn push_call_results(&mut self, inst: ir::Inst) {
        let rets = self.b.inst_results(inst).to_vec();
        self.stack.extend(rets);
    }

    /// Emits a call (or, with `tail`, a tail call) and pushes its results.
    fn emit_call(&mut self, target: CallTarget, sig: ir::SigRef, args: &[Value], tail: bool) {
        let inst = match (target, tail) {
            (CallTarget::Direct(f), false) => self.b.ins().call(f, args),
            (CallTarget::Direct(f), true) => self.b.ins().return_call(f, args),
            (CallTarget::Indirect(code), false) => self.b.ins().call_indirect(sig, code, args),
            (CallTarget::Indirect(code), true) => {
                self.b.ins().return_call_indirect(sig, code, args)
            }
        };
        if tail {
            self.set_unreachable();
        } else {
            self.push_call_results(inst);
        }
    }

    fn op_call(&mut self, index: u32, tail: bool) {
        let ty = self.env.info.func_type(index).clone();
        let sig = self.b.import_signature(wasm_signature(&ty));
        if index < self.env.info.num_imported_funcs {
            let fref = self.env.offsets.func_ref(index);
            let flags = MemFlags::trusted().with_readonly();
            let code = self.b.ins().load(
                types::I64,
                flags,
                self.vmctx,
                (fref + vmabi::funcref::WASM_CALL) as i32,
            );
            let callee_vmctx = self.b.ins().load(
                types::I64,
                flags,
                self.vmctx,
                (fref + vmabi::funcref::VMCTX) as i32,
            );
            let args = self.call_args(callee_vmctx, ty.params().len());
            self.emit_call(CallTarget::Indirect(code), sig, &args, tail);
        } else {
            let defined = index - self.env.info.num_imported_funcs;
            let name = self
                .b
                .func
                .declare_imported_user_function(UserExternalName::new(0, defined));
            let f = self.b.import_function(ir::ExtFuncData {
                name: ir::ExternalName::user(name),
                signature: sig,
                colocated: true,
                patchable: false,
            });
            let args = self.call_args(self.vmctx, ty.params().len());
            self.emit_call(CallTarget::Direct(f), sig, &args, tail);
        }
    }

    fn op_call_indirect(&mut self, type_index: u32, table_index: u32, tail: bool) {
        let ty = self.env.info.types[type_index as usize].clone();
        let index = self.pop();
        let elem = self.table_element_addr(table_index, index);
        let fref = self.b.ins().load(types::I64, MemFlags::trusted(), elem, 0);
        self.b
            .ins()
            .trapz(fref, user_trap(TrapCode::IndirectCallToNull));
        let flags = MemFlags::trusted().with_readonly();
        let actual = self
            .b
            .ins()
            .load(types::I32, flags, fref, vmabi::funcref::TYPE_ID as i32);
        let ids = self.b.ins().load(
            types::I64,
            flags.with_can_move(),
            self.vmctx,
            header::TYPE_IDS as i32,
        );
        let expected = self.b.ins().load(
            types::I32,
            flags.with_can_move(),
            ids,
            (type_index * 4) as i32,
        );
        let ne = self
            .b
            .ins()
            .icmp(ir::condcodes::IntCC::NotEqual, actual, expected);
        self.b.ins().trapnz(ne, user_trap(TrapCode::BadSignature));
        let code = self
            .b
            .ins()
            .load(types::I64, flags, fref, vmabi::funcref::WASM_CALL as i32);
        let callee_vmctx = self
            .b
            .ins()
            .load(types::I64, flags, fref, vmabi::funcref::VMCTX as i32);
        let sig = self.b.import_signature(wasm_signature(&ty));
        let args = self.call_args(callee_vmctx, ty.params().len());
        self.emit_call(CallTarget::Indirect(code), sig, &args, tail);
    }

    /// The address of element `index` of table `table`, trapping when out of bounds.
    pub fn table_element_addr(&mut self, table: u32, index: Value) -> Value {
        let def = self.b.ins().load(
            types::I64,
            MemFlags::trusted().with_readonly().with_can_move(),
            self.vmctx,
            self.env.offsets.table(table) as i32,
        );
        let len = self.b.ins().load(
            types::I64,
            MemFlags::trusted(),
            def,
            vmabi::table::LENGTH as i32,
        );
        let idx = self.b.ins().uextend(types::I64, index);
        let oob = self
            .b
            .ins()
            .icmp(ir::condcodes::IntCC::UnsignedGreaterThanOrEqual, idx, len);
        self.b
            .ins()
            .trapnz(oob, user_trap(TrapCode::TableOutOfBounds));
        let base = self.b.ins().load(
            types::I64,
            MemFlags::trusted(),
            def,
            vmabi::table::BASE as i32,
        );
        let off = self.b.ins().ishl_imm_u(idx, 3);
        self.b.ins().iadd(base, off)
    }
}
