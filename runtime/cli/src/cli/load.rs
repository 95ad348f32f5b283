//! Loading the module `run` executes: an AOT artifact (`wasmedge compile` output), a universal
//! wasm file (its embedded artifact, or the module itself when that artifact does not fit this
//! host), or a plain module — compiled through the compile cache unless it is turned off.
//!
//! The lean build (no `compiler` feature) runs artifacts and universal wasm only and explains
//! how to make one from a plain module. Decides only where the compiled code comes from; must
//! not run anything.

use crate::cli::Log;
use std::path::Path;
use wasmedge_runtime::artifact;
use wasmedge_runtime::{Engine, Error, Module, Phase};

/// Loads `path` for `engine`.
pub fn load_module(
    engine: &Engine,
    path: &Path,
    use_cache: bool,
    log: &Log,
) -> Result<Module, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(
            Phase::Loading,
            format!("cannot read \"{}\": {e}", path.display()),
            None,
        )
    })?;
    if artifact::format::is_artifact(&bytes) {
        // SAFETY: the user asked to run this artifact; artifacts are trusted native code
        // (docs/security.md). Damage and mismatches are refused with the reason.
        return unsafe { artifact::deserialize_file(engine, path) };
    }
    let wasm = wasmedge_environ::loader::to_binary(&bytes)?;
    if let Some(embedded) = artifact::embedded_artifact(&wasm) {
        // SAFETY: as above, for the artifact embedded in a universal wasm file.
        match unsafe { artifact::deserialize(engine, embedded) } {
            Ok(m) => return Ok(m),
            Err(e) if engine.has_compiler() => {
                log.warn(&format!("{e}; compiling the module instead"))
            }
            Err(e) => return Err(e),
        }
    }
    compile(engine, &wasm, path, use_cache, log)
}

/// A plain module in the lean build: validated (so a broken module is reported as such), then
/// refused with the way to an artifact.
#[cfg(not(feature = "compiler"))]
fn compile(
    engine: &Engine,
    wasm: &[u8],
    path: &Path,
    _use_cache: bool,
    _log: &Log,
) -> Result<Module, Error> {
    Module::validate(engine, wasm)?;
    let name = path.display();
    let stem = path.with_extension("");
    Err(Error::coded(
        wasmedge_runtime::ErrorCode::NoCompiler,
        Phase::Loading,
        format!(
            "\"{name}\" is a plain WebAssembly module, and this wasmedge is the lean build without a compiler: it runs AOT artifacts and universal wasm files only. Compile the module with the full build first (`wasmedge compile {name} {}.so`, or `{}_aot.wasm` for universal wasm) and run that file",
            stem.display(),
            stem.display()
        ),
        None,
    ))
}

/// A plain module: compiled, through the compile cache unless it is off.
#[cfg(feature = "compiler")]
fn compile(
    engine: &Engine,
    wasm: &[u8],
    _path: &Path,
    use_cache: bool,
    log: &Log,
) -> Result<Module, Error> {
    use wasmedge_runtime::artifact::cache;
    let dir = if use_cache {
        cache::default_dir()
    } else {
        None
    };
    let Some(dir) = dir else {
        return Module::from_binary(engine, wasm);
    };
    let (module, outcome) = cache::load_or_compile(engine, wasm, &dir)?;
    match outcome {
        cache::Outcome::Replaced(why) => log.warn(&format!(
            "discarded a broken compile-cache entry ({why}); recompiled it"
        )),
        cache::Outcome::NotStored(why) => log.debug(&format!("compile cache not updated: {why}")),
        cache::Outcome::Hit | cache::Outcome::Stored => {}
    }
    Ok(module)
}
