//! The compile cache: `wasmedge run x.wasm` reuses an artifact keyed by the module's hash, the
//! runtime version and build (`crate::BUILD`), the target, the CPU features and every setting
//! that changes code.
//!
//! Lives in `$WASMEDGE_RS_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmedge-rs`, else
//! `~/.cache/wasmedge-rs`. Entries are written atomically (temporary file + rename); an entry
//! that fails to load is discarded and rebuilt. Must not decide whether caching is wanted
//! (the caller does).

use crate::api::module::Module;
use crate::engine::Engine;
use std::path::{Path, PathBuf};
use wasmedge_environ::error::Result;

/// What the cache did for one module.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A valid cached artifact was used.
    Hit,
    /// The module was compiled and stored.
    Stored,
    /// The module was compiled but could not be stored (the reason).
    NotStored(String),
    /// A cached entry was unusable (the reason); it was replaced.
    Replaced(String),
}

/// The default cache directory, if a home or cache directory is known.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("WASMEDGE_RS_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("wasmedge-rs")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("wasmedge-rs")))
}

/// The cache key of `wasm` for `engine`.
pub fn key(engine: &Engine, wasm: &[u8]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(wasm);
    h.update(crate::BUILD.as_bytes());
    let compiler = engine.compiler().ok();
    h.update(engine.target_triple().as_bytes());
    for f in compiler.map(|c| c.isa_flags()).unwrap_or_default() {
        h.update(f.as_bytes());
    }
    h.update(format!("{:?}", engine.tunables()).as_bytes());
    h.update(engine.config().features.bits().to_le_bytes());
    h.update(engine.config().opt_level.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads `wasm`'s artifact from `dir`, or compiles it and stores the artifact there.
#[allow(unsafe_code)]
pub fn load_or_compile(engine: &Engine, wasm: &[u8], dir: &Path) -> Result<(Module, Outcome)> {
    let path = dir.join(format!("{}.aot", key(engine, wasm)));
    let mut replaced = None;
    if path.exists() {
        // SAFETY: cache entries are artifacts this runtime wrote for this exact module and
        // configuration (the key covers both); a damaged one is caught by the checksum.
        match unsafe { super::deserialize_file(engine, &path) } {
            Ok(m) => return Ok((m, Outcome::Hit)),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                replaced = Some(e.message());
            }
        }
    }
    let module = Module::from_binary(engine, wasm)?;
    let outcome = match store(dir, &path, &super::serialize(&module)) {
        Ok(()) => replaced.map_or(Outcome::Stored, Outcome::Replaced),
        Err(e) => Outcome::NotStored(e),
    };
    Ok((module, outcome))
}

fn store(dir: &Path, path: &Path, bytes: &[u8]) -> std::result::Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot store {}: {e}", path.display())
    })
}
