//! Ahead-of-time artifacts: `wasmedge compile` output that runs without compiling.
//!
//! An artifact holds the machine code, its trap and function tables, the original module
//! and a compatibility header (runtime version, target, CPU features, code-generation
//! settings) sealed by a SHA-256 checksum (`format`). Loading checks all of it and refuses a
//! mismatched or damaged artifact with the reason; a file artifact's code is mapped, not
//! copied. A *universal wasm* file is the original module with the artifact in a custom
//! section, so it still runs anywhere. `cache` keeps artifacts of `run`'s modules.
//!
//! Artifacts contain native code: loading one trusts it (hence `unsafe`). Checksums catch
//! damage, not malice. The container layout is `wasmedge_environ::artifact`; this module
//! checks compatibility and hands code to the VM. It works without a compiler (the lean
//! runtime) and must not compile anything except through `Module` (the compile cache).

#[cfg(feature = "cranelift")]
pub mod cache;

pub use wasmedge_environ::artifact as format;

use crate::api::module::Module;
use crate::engine::Engine;
use crate::vm::module::{CodeParts, CodeTarget, CompiledModule, code_info};
use format::Header;
use std::path::Path;
use std::sync::Arc;
use wasmedge_environ::Tunables;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};

/// Name of the custom section holding the artifact in a universal wasm file.
pub const SECTION_NAME: &str = "wasmedge-rs.aot";

/// The ISA flags enabled on this host CPU (what an artifact may require).
pub fn host_isa_flags() -> &'static [String] {
    wasmedge_environ::cpu::host_flags()
}

/// Serialises a compiled module into an artifact.
pub fn serialize(module: &Module) -> Vec<u8> {
    let m = &module.inner;
    let engine = &module.engine;
    let header = Header {
        runtime_version: crate::BUILD.to_string(),
        triple: m.target.triple.clone(),
        isa_flags: m.target.isa_flags.clone(),
        tunables: engine.tunables().to_bits(),
        features: engine.config().features.bits(),
        opt_level: m.target.opt_level.clone(),
        funcs: m.funcs.clone(),
        array_trampolines: m.array_trampolines.clone(),
        host_trampolines: m.host_trampolines.clone(),
        traps: m.traps.clone(),
        wasm: m.wasm.to_vec(),
    };
    format::write(&header, m.code.bytes())
}

/// Checks that an artifact was made for this runtime, host and engine configuration.
fn check_compatible(engine: &Engine, h: &Header) -> std::result::Result<(), String> {
    if h.runtime_version != crate::BUILD {
        return Err(format!(
            "it was compiled by runtime version {}, this is {} (version+build); recompile it with `wasmedge compile`",
            h.runtime_version,
            crate::BUILD
        ));
    }
    let triple = engine.target_triple();
    if h.triple != triple {
        return Err(format!("it targets {}, this host is {triple}", h.triple));
    }
    if let Some(missing) = wasmedge_environ::cpu::first_missing(&h.isa_flags) {
        return Err(format!(
            "it needs the CPU feature `{missing}`, which this CPU lacks; recompile it on this machine or with `--generic-binary`"
        ));
    }
    let want = engine.tunables().to_bits();
    if h.tunables != want {
        let mut fix = Vec::new();
        if want & 2 != 0 && h.tunables & 2 == 0 {
            fix.push("add `--enable-gas-measuring` to `wasmedge compile`");
        }
        if want & 4 != 0 && h.tunables & 4 == 0 {
            fix.push("add `--interruptible` to `wasmedge compile`");
        }
        if want & 1 != h.tunables & 1 {
            fix.push("compile it on a host with the same memory reservation strategy");
        }
        if fix.is_empty() {
            fix.push("recompile it with the options this run uses");
        }
        return Err(format!(
            "it was compiled with {}, but this run needs {}; {}",
            Tunables::from_bits(h.tunables).describe(),
            Tunables::from_bits(want).describe(),
            fix.join(" and ")
        ));
    }
    if h.features != engine.config().features.bits() {
        return Err("it was compiled with a different set of WebAssembly features (proposal switches); recompile it with the same switches".into());
    }
    Ok(())
}

fn refuse(reason: String) -> Error {
    Error::coded(
        ErrorCode::Artifact,
        Phase::Loading,
        format!("cannot use the AOT artifact: {reason}"),
        None,
    )
}

fn build(
    engine: &Engine,
    parsed: format::Parsed,
    code: impl FnOnce(
        crate::vm::code::CodeInfo,
    ) -> std::result::Result<Arc<crate::vm::code::CodeMemory>, String>,
) -> Result<Module> {
    let h = parsed.header;
    check_compatible(engine, &h).map_err(refuse)?;
    let info = wasmedge_environ::loader::load_with(&h.wasm, engine.config().features, false)?;
    if info.num_defined_funcs() as usize != h.funcs.len()
        || info.types.len() != h.array_trampolines.len()
        || info.types.len() != h.host_trampolines.len()
    {
        return Err(refuse("its tables do not match its module".into()));
    }
    let code = code(code_info(&info, &h.funcs, h.traps.clone())).map_err(refuse)?;
    let parts = CodeParts {
        code,
        funcs: h.funcs,
        array_trampolines: h.array_trampolines,
        host_trampolines: h.host_trampolines,
        traps: h.traps,
    };
    let target = CodeTarget {
        triple: h.triple,
        isa_flags: h.isa_flags,
        opt_level: h.opt_level,
    };
    let inner = CompiledModule::from_parts(engine.shared(), info, h.wasm.into(), parts, target);
    Ok(Module {
        engine: engine.clone(),
        inner: Arc::new(inner),
    })
}

/// Loads an artifact from memory (its code is copied into executable memory).
///
/// # Safety
/// The artifact's machine code runs with the host's privileges: only load artifacts this
/// runtime produced from modules you would run anyway.
#[allow(unsafe_code)]
pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
    let parsed = format::read(bytes).map_err(|e| refuse(e.message))?;
    let code = bytes[parsed.code_offset..parsed.code_offset + parsed.code_len].to_vec();
    build(engine, parsed, |info| {
        crate::vm::code::CodeMemory::new(&code, info)
    })
}

/// Loads an artifact file, mapping its code directly from the file.
///
/// # Safety
/// As for [`deserialize`]; in addition the file must not be modified while it is in use.
#[allow(unsafe_code)]
pub unsafe fn deserialize_file(engine: &Engine, path: &Path) -> Result<Module> {
    let io = |e: std::io::Error| {
        Error::coded(
            ErrorCode::Artifact,
            Phase::Loading,
            format!("cannot read {}: {e}", path.display()),
            None,
        )
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let bytes = std::fs::read(path).map_err(io)?;
    let parsed = format::read(&bytes).map_err(|e| refuse(e.message))?;
    let (off, len) = (parsed.code_offset as u64, parsed.code_len);
    build(engine, parsed, |info| {
        crate::vm::code::CodeMemory::map_file(&file, off, len, info)
    })
}

/// The original module with the artifact appended as a custom section.
pub fn to_universal_wasm(module: &Module) -> Vec<u8> {
    let artifact = serialize(module);
    let mut section = Vec::new();
    leb128(&mut section, SECTION_NAME.len() as u64);
    section.extend_from_slice(SECTION_NAME.as_bytes());
    section.extend_from_slice(&artifact);
    let mut out = module.inner.wasm.to_vec();
    out.push(0);
    leb128(&mut out, section.len() as u64);
    out.extend_from_slice(&section);
    out
}

fn leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The artifact embedded in a universal wasm file, if any.
pub fn embedded_artifact(wasm: &[u8]) -> Option<&[u8]> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            wasmparser::Payload::CustomSection(c) if c.name() == SECTION_NAME => {
                return Some(c.data());
            }
            wasmparser::Payload::End(_) => return None,
            _ => {}
        }
    }
    None
}

#[cfg(all(test, feature = "cranelift"))]
#[allow(unsafe_code)]
mod tests;
