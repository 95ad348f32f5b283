//! The compiler: wasm function bodies → Cranelift IR → machine code, laid out in one text
//! section with zero relocations left (calls between functions are resolved here; everything
//! else goes through the VMContext).
//!
//! Functions are compiled in parallel. This module must not allocate executable memory or
//! know about stores: it returns bytes and tables.

pub mod atomics;
pub mod bulk;
pub mod env;
pub mod isa;
pub mod memory_ops;
pub mod metering;
pub mod numeric;
pub mod signatures;
pub mod simd;
pub mod trampolines;
pub mod translate;
pub mod traps;

use crate::error::{Error, Phase, Result, TrapCode};
use crate::loader::info::ModuleInfo;
use crate::vm::layout::{STORE_STACK_LIMIT, header};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, GlobalValueData, MemFlagsData as MemFlags, UserFuncName, types};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::{Context, FinalizedRelocTarget};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rayon::prelude::*;

/// Machine code for a module (or a set of trampolines) and its tables.
pub struct CompiledCode {
    pub text: Vec<u8>,
    /// `(offset, length)` of each defined function.
    pub funcs: Vec<(u32, u32)>,
    /// Offset of the array-to-wasm trampoline of each type index.
    pub array_trampolines: Vec<u32>,
    /// Offset of the wasm-to-host trampoline of each type index.
    pub host_trampolines: Vec<u32>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<(u32, TrapCode)>,
}

struct FunctionCode {
    bytes: Vec<u8>,
    align: u32,
    /// `(offset in function, kind, addend, target defined-function index)`
    calls: Vec<(u32, cranelift_codegen::binemit::Reloc, i64, u32)>,
    traps: Vec<(u32, TrapCode)>,
}

fn compile_ir(isa: &dyn TargetIsa, func: ir::Function, what: &str) -> Result<FunctionCode> {
    let names = func.params.user_named_funcs().clone();
    let mut ctx = Context::for_function(func);
    let code = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| Error::new(Phase::Compilation, format!("{what}: {:?}", e.inner), None))?;
    let mut calls = Vec::new();
    for r in code.buffer.relocs() {
        let target = match &r.target {
            FinalizedRelocTarget::ExternalName(ir::ExternalName::User(n)) => names[*n].index,
            other => {
                return Err(Error::new(
                    Phase::Compilation,
                    format!("{what}: unexpected relocation to {other:?}"),
                    None,
                ));
            }
        };
        calls.push((r.offset, r.kind, r.addend, target));
    }
    let traps = code
        .buffer
        .traps()
        .iter()
        .map(|t| (t.offset, traps::from_cranelift(t.code)))
        .collect();
    Ok(FunctionCode {
        bytes: code.buffer.data().to_vec(),
        align: code.buffer.alignment.max(16),
        calls,
        traps,
    })
}

/// Translates and compiles defined function `defined` of the module.
fn compile_function(
    isa: &dyn TargetIsa,
    env: &env::ModuleEnv<'_>,
    binary: &[u8],
    defined: u32,
    fctx: &mut FunctionBuilderContext,
) -> Result<FunctionCode> {
    let info = env.info;
    let index = info.num_imported_funcs + defined;
    let ty = info.func_type(index);
    let mut func = ir::Function::with_name_signature(
        UserFuncName::user(0, defined),
        signatures::wasm_signature(ty),
    );
    let vmctx = func.create_global_value(GlobalValueData::VMContext);
    let store_flags = func
        .dfg
        .mem_flags
        .insert_unchecked(MemFlags::trusted().with_readonly());
    let limit_flags = func.dfg.mem_flags.insert_unchecked(MemFlags::trusted());
    let store = func.create_global_value(GlobalValueData::Load {
        base: vmctx,
        offset: (header::STORE_CTX as i32).into(),
        global_type: types::I64,
        flags: store_flags,
    });
    let limit = func.create_global_value(GlobalValueData::Load {
        base: store,
        offset: (STORE_STACK_LIMIT as i32).into(),
        global_type: types::I64,
        flags: limit_flags,
    });
    func.stack_limit = Some(limit);
    let range = info.bodies[defined as usize].clone();
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
        &binary[range.clone()],
        range.start as u64,
    ));
    let builder = FunctionBuilder::new(&mut func, fctx);
    translate::FuncTranslator::translate(builder, env, ty, &body)?;
    compile_ir(
        isa,
        func,
        &format!("function {}", info.func_display_name(index)),
    )
}

/// Compiles every defined function of `info` plus one array-to-wasm trampoline per type.
pub fn compile_module(
    isa: &dyn TargetIsa,
    info: &ModuleInfo,
    binary: &[u8],
    tunables: crate::config::Tunables,
    parallel: bool,
) -> Result<CompiledCode> {
    let mut env = env::ModuleEnv::new(
        info,
        tunables.guard_pages,
        isa.default_call_conv(),
        isa.frontend_config(),
    );
    env.fuel = tunables.fuel;
    env.epochs = tunables.epochs;
    let n = info.num_defined_funcs();
    let funcs: Vec<FunctionCode> = if parallel {
        (0..n)
            .into_par_iter()
            .map_init(FunctionBuilderContext::new, |fctx, i| {
                compile_function(isa, &env, binary, i, fctx)
            })
            .collect::<Result<_>>()?
    } else {
        let mut fctx = FunctionBuilderContext::new();
        (0..n)
            .map(|i| compile_function(isa, &env, binary, i, &mut fctx))
            .collect::<Result<_>>()?
    };
    let mut tramps: Vec<FunctionCode> = info
        .types
        .iter()
        .map(|ty| compile_ir(isa, trampolines::array_to_wasm(isa, ty), "trampoline"))
        .collect::<Result<_>>()?;
    for ty in &info.types {
        tramps.push(compile_ir(
            isa,
            trampolines::wasm_to_host(isa, ty),
            "host trampoline",
        )?);
    }
    let mut code = link(isa, funcs, tramps)?;
    code.host_trampolines = code.array_trampolines.split_off(info.types.len());
    Ok(code)
}

/// Compiles one wasm-to-host trampoline for `ty`; its code starts at offset 0.
pub fn compile_host_trampoline(
    isa: &dyn TargetIsa,
    ty: &crate::types::FuncType,
) -> Result<CompiledCode> {
    let code = compile_ir(isa, trampolines::wasm_to_host(isa, ty), "host trampoline")?;
    link(isa, vec![code], Vec::new())
}

/// Lays out functions then trampolines in one text section, resolving calls between functions.
fn link(
    isa: &dyn TargetIsa,
    funcs: Vec<FunctionCode>,
    tramps: Vec<FunctionCode>,
) -> Result<CompiledCode> {
    let mut ctrl = ControlPlane::default();
    let mut builder = isa.text_section_builder(funcs.len());
    let mut out = CompiledCode {
        text: Vec::new(),
        funcs: Vec::new(),
        array_trampolines: Vec::new(),
        host_trampolines: Vec::new(),
        traps: Vec::new(),
    };
    let mut pending = Vec::new();
    for f in &funcs {
        let off = builder.append(true, &f.bytes, f.align, &mut ctrl);
        out.funcs.push((off as u32, f.bytes.len() as u32));
        for (o, kind, addend, target) in &f.calls {
            pending.push((off + u64::from(*o), *kind, *addend, *target));
        }
        out.traps
            .extend(f.traps.iter().map(|(o, c)| (off as u32 + o, *c)));
    }
    for t in &tramps {
        let off = builder.append(false, &t.bytes, t.align, &mut ctrl);
        out.array_trampolines.push(off as u32);
        out.traps
            .extend(t.traps.iter().map(|(o, c)| (off as u32 + o, *c)));
        if !t.calls.is_empty() {
            return Err(Error::new(
                Phase::Compilation,
                "trampoline with relocations",
                None,
            ));
        }
    }
    for (at, kind, addend, target) in pending {
        if !builder.resolve_reloc(at, kind, addend, target as usize) {
            return Err(Error::new(
                Phase::Compilation,
                format!("cannot resolve call relocation {kind:?} at text offset {at}"),
                None,
            ));
        }
    }
    out.text = builder.finish(&mut ctrl);
    out.traps.sort_by_key(|(o, _)| *o);
    Ok(out)
}
