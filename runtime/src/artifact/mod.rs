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
//! damage, not malice. This module must not compile anything except through `Module`.

pub mod cache;
pub mod format;

use crate::api::module::Module;
use crate::config::{Engine, Tunables};
use crate::error::{Error, Phase, Result};
use crate::vm::code::CodeMemory;
use crate::vm::module::{CodeParts, CompiledModule, code_info};
use format::Header;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Name of the custom section holding the artifact in a universal wasm file.
pub const SECTION_NAME: &str = "wasmedge-rs.aot";

fn tunables_bits(t: Tunables) -> u8 {
    u8::from(t.guard_pages) | u8::from(t.fuel) << 1 | u8::from(t.epochs) << 2
}

fn describe_tunables(bits: u8) -> String {
    let on = |b: u8| if bits & b != 0 { "on" } else { "off" };
    format!(
        "guard-page memories {}, gas metering {}, interruption {}",
        on(1),
        on(2),
        on(4)
    )
}

/// The ISA flags enabled on this host CPU.
pub fn host_isa_flags() -> &'static [String] {
    static FLAGS: OnceLock<Vec<String>> = OnceLock::new();
    FLAGS.get_or_init(|| match crate::compiler::isa::host_isa() {
        Ok(isa) => enabled_flags(&*isa),
        Err(_) => Vec::new(),
    })
}

fn enabled_flags(isa: &dyn cranelift_codegen::isa::TargetIsa) -> Vec<String> {
    isa.isa_flags()
        .iter()
        .filter(|f| f.as_bool() == Some(true))
        .map(|f| f.name.to_string())
        .collect()
}

/// Serialises a compiled module into an artifact.
pub fn serialize(module: &Module) -> Vec<u8> {
    let m = &module.inner;
    let engine = &m.engine;
    let header = Header {
        runtime_version: crate::BUILD.to_string(),
        triple: engine.inner.isa.triple().to_string(),
        isa_flags: enabled_flags(&*engine.inner.isa),
        tunables: tunables_bits(engine.tunables()),
        features: engine.config().features.bits(),
        opt_level: engine.config().opt_level.clone(),
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
    let triple = engine.inner.isa.triple().to_string();
    if h.triple != triple {
        return Err(format!("it targets {}, this host is {triple}", h.triple));
    }
    let host = host_isa_flags();
    if let Some(missing) = h.isa_flags.iter().find(|f| !host.contains(f)) {
        return Err(format!(
            "it needs the CPU feature `{missing}`, which this CPU lacks; recompile it on this machine or with `--generic-binary`"
        ));
    }
    let want = tunables_bits(engine.tunables());
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
            describe_tunables(h.tunables),
            describe_tunables(want),
            fix.join(" and ")
        ));
    }
    if h.features != engine.config().features.bits() {
        return Err("it was compiled with a different set of WebAssembly features (proposal switches); recompile it with the same switches".into());
    }
    Ok(())
}

fn refuse(reason: String) -> Error {
    Error::new(
        Phase::Loading,
        format!("cannot use the AOT artifact: {reason}"),
        None,
    )
}

fn build(
    engine: &Engine,
    parsed: format::Parsed,
    code: impl FnOnce(crate::vm::code::CodeInfo) -> std::result::Result<Arc<CodeMemory>, String>,
) -> Result<Module> {
    let h = parsed.header;
    check_compatible(engine, &h).map_err(refuse)?;
    let info = crate::loader::load_with(&h.wasm, engine.config().features, false)?;
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
    let inner = CompiledModule::from_parts(engine, info, h.wasm.into(), parts);
    Ok(Module {
        inner: Arc::new(inner),
    })
}

/// Loads an artifact from memory (its code is copied into executable memory).
///
/// # Safety
/// The artifact's machine code runs with the host's privileges: only load artifacts this
/// runtime produced from modules you would run anyway.
pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
    let parsed = format::read(bytes).map_err(refuse)?;
    let code = bytes[parsed.code_offset..parsed.code_offset + parsed.code_len].to_vec();
    build(engine, parsed, |info| CodeMemory::new(&code, info))
}

/// Loads an artifact file, mapping its code directly from the file.
///
/// # Safety
/// As for [`deserialize`]; in addition the file must not be modified while it is in use.
pub unsafe fn deserialize_file(engine: &Engine, path: &Path) -> Result<Module> {
    let io = |e: std::io::Error| {
        Error::new(
            Phase::Loading,
            format!("cannot read {}: {e}", path.display()),
            None,
        )
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let bytes = std::fs::read(path).map_err(io)?;
    let parsed = format::read(&bytes).map_err(refuse)?;
    let (off, len) = (parsed.code_offset as u64, parsed.code_len);
    build(engine, parsed, |info| {
        CodeMemory::map_file(&file, off, len, info)
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

#[cfg(test)]
mod tests;
