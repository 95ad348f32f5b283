//! Where plug-ins are looked for, in order: `--plugin-dir DIR` (repeatable), the folders in
//! `WASMEDGE_PLUGIN_PATH` (colon-separated), then `~/.wasmedge/plugin`, and `../plugin` and
//! `../lib/wasmedge` beside the executable. Each folder is scanned recursively for shared
//! libraries (`.so` on Linux, `.dylib` on macOS, `.dll` on Windows); a path may also name a
//! library directly.
//!
//! Only paths are produced here; nothing is opened.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The environment variable with extra plug-in folders.
pub const PLUGIN_PATH_VAR: &str = "WASMEDGE_PLUGIN_PATH";

/// How deep the recursive scan goes below a search folder.
const MAX_DEPTH: usize = 16;

/// Where a search folder came from (decides whether a missing folder deserves a warning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--plugin-dir`.
    CommandLine,
    /// `WASMEDGE_PLUGIN_PATH`.
    Environment,
    /// A default folder.
    Default,
}

impl Origin {
    /// How the origin is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::CommandLine => "--plugin-dir",
            Origin::Environment => PLUGIN_PATH_VAR,
            Origin::Default => "a default plug-in folder",
        }
    }
}

/// The ordered list of folders (or files) to search.
#[derive(Clone, Debug, Default)]
pub struct SearchPaths {
    /// The paths in search order.
    pub paths: Vec<(PathBuf, Origin)>,
}

impl SearchPaths {
    /// The standard order: `cli_dirs`, then `WASMEDGE_PLUGIN_PATH`, then the default folders.
    pub fn standard(cli_dirs: &[PathBuf]) -> SearchPaths {
        let mut paths: Vec<(PathBuf, Origin)> = cli_dirs
            .iter()
            .map(|d| (d.clone(), Origin::CommandLine))
            .collect();
        if let Some(var) = std::env::var_os(PLUGIN_PATH_VAR) {
            paths.extend(
                split_path_list(&var.to_string_lossy())
                    .into_iter()
                    .map(|p| (p, Origin::Environment)),
            );
        }
        paths.extend(default_dirs().into_iter().map(|p| (p, Origin::Default)));
        SearchPaths { paths }
    }

    /// Only the given folders (no environment, no defaults).
    pub fn only(dirs: &[PathBuf]) -> SearchPaths {
        SearchPaths {
            paths: dirs
                .iter()
                .map(|d| (d.clone(), Origin::CommandLine))
                .collect(),
        }
    }
}

/// Splits a `WASMEDGE_PLUGIN_PATH` value on `:`, skipping empty entries (as WasmEdge does).
pub fn split_path_list(value: &str) -> Vec<PathBuf> {
    value
        .split(':')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// The default folders: `$HOME/.wasmedge/plugin`, then `<exe dir>/../plugin` and
/// `<exe dir>/../lib/wasmedge`.
pub fn default_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        dirs.push(PathBuf::from(home).join(".wasmedge").join("plugin"));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join("..").join("plugin"));
        dirs.push(exe_dir.join("..").join("lib").join("wasmedge"));
    }
    dirs
}

/// True if `path` has the platform's shared-library extension.
pub fn is_shared_library(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == std::env::consts::DLL_EXTENSION)
}

/// A problem met while scanning (a folder that cannot be read).
#[derive(Debug)]
pub struct ScanProblem {
    /// The folder.
    pub path: PathBuf,
    /// What went wrong.
    pub error: std::io::Error,
}

/// Every shared library under `root` (recursively, sorted by path within each folder), or
/// `root` itself if it is a file. Folders reached twice (through symbolic links) are scanned
/// once.
pub fn scan(root: &Path, found: &mut Vec<PathBuf>, problems: &mut Vec<ScanProblem>) {
    let mut seen = HashSet::new();
    if root.is_file() {
        found.push(root.to_path_buf());
        return;
    }
    scan_dir(root, 0, &mut seen, found, problems);
}

fn scan_dir(
    dir: &Path,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    found: &mut Vec<PathBuf>,
    problems: &mut Vec<ScanProblem>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if !seen.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(error) => {
            problems.push(ScanProblem {
                path: dir.to_path_buf(),
                error,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // `metadata` follows symbolic links.
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => scan_dir(&path, depth + 1, seen, found, problems),
            Ok(m) if m.is_file() && is_shared_library(&path) => found.push(path),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_lists_skip_empty_entries() {
        assert_eq!(
            split_path_list("a::b:"),
            vec![PathBuf::from("a"), PathBuf::from("b")]
        );
        assert!(split_path_list("").is_empty());
    }

    #[test]
    fn scan_is_recursive_and_filters_extensions() {
        let dir = std::env::temp_dir().join(format!("plugin-scan-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
        let ext = std::env::consts::DLL_EXTENSION;
        for f in [
            format!("b.{ext}"),
            format!("sub/deeper/a.{ext}"),
            "manifest.json".into(),
            "README".into(),
        ] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        let (mut found, mut problems) = (Vec::new(), Vec::new());
        scan(&dir, &mut found, &mut problems);
        let rel: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, [format!("b.{ext}"), format!("sub/deeper/a.{ext}")]);
        assert!(problems.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
