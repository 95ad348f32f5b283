//! The Cranelift target: the host CPU with the flags our generated code relies on.
//!
//! Must not decide anything about wasm semantics; only code-generation settings.

use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use std::sync::Arc;

/// The ISA flags Cranelift enables for this host CPU (what `cranelift-native` detects), for
/// comparison with `wasmedge_environ::cpu::host_flags`.
pub fn host_isa_flags() -> Result<Vec<String>, String> {
    Ok(enabled_flags(&*isa_for("speed", false)?))
}

/// The names of the ISA flags that are on in `isa`.
pub fn enabled_flags(isa: &dyn TargetIsa) -> Vec<String> {
    isa.isa_flags()
        .iter()
        .filter(|f| f.as_bool() == Some(true))
        .map(|f| f.name.to_string())
        .collect()
}

/// Builds an ISA with the given optimisation level, for this CPU or (with `generic`) for a
/// baseline x86-64-v2 CPU (SSE4.2 and POPCNT, which every x86-64 CPU of the last 15 years has).
pub fn isa_for(opt_level: &str, generic: bool) -> Result<Arc<dyn TargetIsa>, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| format!("cranelift setting {k}={v}: {e}"))
    };
    set(&mut flags, "opt_level", opt_level)?;
    // Large frames touch the guard page instead of skipping over it.
    set(&mut flags, "enable_probestack", "true")?;
    set(&mut flags, "probestack_strategy", "inline")?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    set(&mut flags, "unwind_info", "false")?;
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let mut builder = cranelift_native::builder_with_options(!generic)
        .map_err(|e| format!("unsupported host CPU: {e}"))?;
    if generic && builder.triple().architecture == target_lexicon::Architecture::X86_64 {
        for f in [
            "has_sse3",
            "has_ssse3",
            "has_sse41",
            "has_sse42",
            "has_popcnt",
        ] {
            builder
                .enable(f)
                .map_err(|e| format!("cranelift setting {f}: {e}"))?;
        }
    }
    let isa = builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("cannot build the code generator for this CPU: {e}"))?;
    if isa.triple().architecture == target_lexicon::Architecture::X86_64 {
        let has = |name: &str| {
            isa.isa_flags()
                .iter()
                .any(|f| f.name == name && f.as_bool() == Some(true))
        };
        if !has("has_sse41") {
            return Err(
                "this CPU lacks SSE4.1, which the code generator needs for float rounding".into(),
            );
        }
    }
    Ok(isa)
}
