//! The compiler: wasm function bodies → Cranelift IR → machine code, laid out in one text
//! section with zero relocations left (calls between functions are resolved here; everything
//! else goes through the VMContext, whose layout is `wasmedge_environ::vmabi`).
//!
//! [`CraneliftCompiler`] implements `wasmedge_environ::Compiler`; the runtime holds it as a
//! trait object. Functions are compiled in parallel. This crate must not allocate executable
//! memory or know about stores (it cannot: it depends on `wasmedge-environ` only) — it returns
//! bytes and tables.

#![forbid(unsafe_code)]

mod atomics;
mod bulk;
mod env;
mod isa;
mod memory_ops;
mod metering;
mod numeric;
mod signatures;
mod simd;
mod trampolines;
mod translate;
mod traps;

pub use isa::host_isa_flags;

use std::sync::Arc;
use wasmedge_environ::{CompiledCode, Compiler, Tunables};

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, GlobalValueData, MemFlagsData as MemFlags, UserFuncName, types};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::{Context, FinalizedRelocTarget};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rayon::prelude::*;
use wasmedge_environ::error::{Error, Phase, Result, TrapCode};
use wasmedge_environ::loader::info::ModuleInfo;
use wasmedge_environ::vmabi::{self, header};

/// Cranelift for one target ISA (this host's CPU, or a baseline x86-64-v2 one).
pub struct CraneliftCompiler {
    isa: Arc<dyn TargetIsa>,
    opt_level: String,
}

impl CraneliftCompiler {
    /// A compiler for this host with optimisation level `opt_level` (`none`, `speed`,
    /// `speed_and_size`); with `generic`, for a baseline x86-64-v2 CPU instead of this one.
    pub fn new(opt_level: &str, generic: bool) -> std::result::Result<CraneliftCompiler, String> {
        Ok(CraneliftCompiler {
            isa: isa::isa_for(opt_level, generic)?,
            opt_level: opt_level.to_string(),
        })
    }
}

impl Compiler for CraneliftCompiler {
    fn triple(&self) -> String {
        self.isa.triple().to_string()
    }

    fn isa_flags(&self) -> Vec<String> {
        isa::enabled_flags(&*self.isa)
    }

    fn opt_level(&self) -> String {
        self.opt_level.clone()
    }

    fn compile_module(
        &self,
        info: &ModuleInfo,
        binary: &[u8],
        tunables: Tunables,
        parallel: bool,
    ) -> Result<CompiledCode> {
        compile_module(&*self.isa, info, binary, tunables, parallel)
    }
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
        offset: (vmabi::store::STACK_LIMIT as i32).into(),
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
fn compile_module(
    isa: &dyn TargetIsa,
    info: &ModuleInfo,
    binary: &[u8],
    tunables: Tunables,
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

/// Lays out functions then trampolines in one text section, resolving calls between functions.
fn link(
    isa: &dyn TargetIsa,
    funcs: Vec<FunctionCode>,
    tramps: Vec<FunctionCode>,
) -> Result<CompiledCode> {
    let mut ctrl = ControlPlane::default();
    let mut builder = isa.text_section_builder(funcs.len());
    let mut out = CompiledCode::default();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lean runtime checks artifacts against `wasmedge_environ::cpu`; it must see exactly
    /// the CPU features Cranelift's own host detection enables, or it would refuse artifacts
    /// the full runtime accepts (or accept ones it refuses).
    #[test]
    fn host_cpu_flags_match_cranelift_detection() {
        let mut ours: Vec<String> = wasmedge_environ::cpu::host_flags().to_vec();
        let mut cranelift = host_isa_flags().unwrap();
        ours.sort();
        cranelift.sort();
        assert_eq!(ours, cranelift);
        let compiler = CraneliftCompiler::new("speed", false).unwrap();
        assert_eq!(compiler.triple(), wasmedge_environ::cpu::host_triple());
    }

    #[test]
    fn compiles_a_module_into_one_text_section() {
        let wasm = wat::parse_str(
            r#"(module (func (export "add") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add)
               (func (param i32) (result i32) local.get 0 local.get 0 call 0))"#,
        )
        .unwrap();
        let info = wasmedge_environ::loader::load(&wasm, wasmedge_environ::WasmFeatures::default())
            .unwrap();
        let compiler = CraneliftCompiler::new("speed", false).unwrap();
        let code = compiler
            .compile_module(&info, &wasm, Tunables::default(), false)
            .unwrap();
        assert_eq!(code.funcs.len(), 2);
        assert_eq!(code.array_trampolines.len(), info.types.len());
        assert_eq!(code.host_trampolines.len(), info.types.len());
        for (off, len) in &code.funcs {
            assert!((off + len) as usize <= code.text.len());
        }
        assert!(code.traps.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
