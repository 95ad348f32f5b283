//! Opening one plug-in library: `dlopen` (through `abi_stable`'s `RawLibrary`), the root
//! symbol, the SDK version and layout checks, the root-module constructor, and a sanity check of
//! the descriptor. Every failure becomes one [`PluginWarning`] that names the file, the cause
//! and the fix; nothing here panics or aborts on a bad file.
//!
//! A library that loads is leaked (never closed): the descriptor points into it.

use abi_stable::library::{LibraryError, RawLibrary, RootModuleError, lib_header_from_raw_library};
use std::fmt;
use std::path::{Path, PathBuf};
use wasmedge_plugin_sdk as sdk;
use wasmedge_plugin_sdk::nn::NnBackendDescriptorRef;
use wasmedge_plugin_sdk::{PluginDescriptorRef, PluginVersion};
use wasmedge_runtime::{FuncType, ValType};

/// Why a plug-in file (or part of it, or a search folder) cannot be used, and what to do
/// about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginWarning {
    /// The library (or search folder) concerned.
    pub file: PathBuf,
    /// What is affected.
    pub scope: Scope,
    /// What is wrong.
    pub cause: String,
    /// What the user can do.
    pub fix: String,
}

/// What a [`PluginWarning`] is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole plug-in file was not loaded.
    Plugin,
    /// The plug-in was loaded, but some of what it provides is unavailable.
    Part,
    /// A search folder.
    Folder,
}

impl PluginWarning {
    /// The plug-in file `file` was not loaded.
    pub fn new(file: &Path, cause: impl Into<String>, fix: impl Into<String>) -> PluginWarning {
        PluginWarning {
            file: file.to_path_buf(),
            scope: Scope::Plugin,
            cause: cause.into(),
            fix: fix.into(),
        }
    }

    /// Part of the loaded plug-in `file` (a module, an option, a backend) is unavailable.
    pub fn part(file: &Path, cause: impl Into<String>, fix: impl Into<String>) -> PluginWarning {
        PluginWarning {
            scope: Scope::Part,
            ..PluginWarning::new(file, cause, fix)
        }
    }

    /// A problem with the search folder `path`.
    pub fn folder(path: &Path, cause: impl Into<String>, fix: impl Into<String>) -> PluginWarning {
        PluginWarning {
            scope: Scope::Folder,
            ..PluginWarning::new(path, cause, fix)
        }
    }
}

impl fmt::Display for PluginWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lead = match self.scope {
            Scope::Plugin => "plug-in not loaded",
            Scope::Part => "plug-in partly unusable",
            Scope::Folder => "plug-in folder unusable",
        };
        write!(
            f,
            "{lead}: {}: {}. Fix: {}",
            self.file.display(),
            self.cause,
            self.fix
        )
    }
}

/// A loaded, checked plug-in library.
#[derive(Clone)]
pub struct Plugin {
    path: PathBuf,
    descriptor: PluginDescriptorRef,
    sdk_version: String,
}

/// One host module of a plug-in, as plain data.
#[derive(Clone, Debug)]
pub struct ModuleInfo {
    /// The import module name.
    pub name: String,
    /// The description.
    pub description: String,
    /// The functions and their types.
    pub functions: Vec<(String, FuncType)>,
}

impl Plugin {
    /// The library's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plug-in's name.
    pub fn name(&self) -> &str {
        self.descriptor.name().as_str()
    }

    /// The description.
    pub fn description(&self) -> &str {
        self.descriptor.description().as_str()
    }

    /// The plug-in's own version.
    pub fn version(&self) -> PluginVersion {
        self.descriptor.version()
    }

    /// The version of the SDK it was built with.
    pub fn sdk_version(&self) -> &str {
        &self.sdk_version
    }

    /// The descriptor layout version it was built with: 1 or 2 (see the SDK's
    /// `PluginDescriptor`).
    pub fn layout_version(&self) -> u32 {
        if self.descriptor.nn_backends().is_some() {
            2
        } else {
            1
        }
    }

    /// The raw descriptor.
    pub fn descriptor(&self) -> PluginDescriptorRef {
        self.descriptor
    }

    /// The host modules.
    pub fn modules(&self) -> Vec<ModuleInfo> {
        self.descriptor
            .modules()
            .iter()
            .map(|m| ModuleInfo {
                name: m.name.to_string(),
                description: m.description.to_string(),
                functions: m
                    .functions
                    .iter()
                    .map(|f| {
                        let ty = func_type(f).expect("checked when the plug-in was loaded");
                        (f.name.to_string(), ty)
                    })
                    .collect(),
            })
            .collect()
    }

    /// The command-line options it adds: `(name, value name, description, repeatable)`.
    pub fn options(&self) -> Vec<(String, String, String, bool)> {
        self.descriptor
            .options()
            .iter()
            .map(|o| {
                (
                    o.name.to_string(),
                    o.value_name.to_string(),
                    o.description.to_string(),
                    o.repeatable,
                )
            })
            .collect()
    }

    /// The WASI-NN backends it provides (none for plug-ins with layout v1).
    pub fn nn_backends(&self) -> Vec<NnBackendDescriptorRef> {
        self.descriptor
            .nn_backends()
            .map(|b| b.to_vec())
            .unwrap_or_default()
    }
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.name())
            .field("version", &self.version().to_string())
            .field("path", &self.path)
            .finish()
    }
}

/// The runtime type of a plug-in function's signature; `Err` names an unknown value type.
pub fn func_type(f: &sdk::HostFuncDescriptor) -> Result<FuncType, sdk::ValType> {
    let conv = |t: &sdk::ValType| match *t {
        sdk::ValType::I32 => Ok(ValType::I32),
        sdk::ValType::I64 => Ok(ValType::I64),
        sdk::ValType::F32 => Ok(ValType::F32),
        sdk::ValType::F64 => Ok(ValType::F64),
        sdk::ValType::V128 => Ok(ValType::V128),
        other => Err(other),
    };
    let params = f.params.iter().map(conv).collect::<Result<Vec<_>, _>>()?;
    let results = f.results.iter().map(conv).collect::<Result<Vec<_>, _>>()?;
    Ok(FuncType::new(params, results))
}

/// The fix for anything that needs a rebuild against this runtime's SDK.
fn rebuild_fix() -> String {
    format!(
        "rebuild the plug-in against wasmedge-plugin-sdk {} (any {}.x works with this runtime), \
         or use a runtime release that matches it",
        sdk::SDK_VERSION,
        sdk::ABI_VERSION
    )
}

/// Opens and checks the library at `path`.
pub fn load_file(path: &Path) -> Result<Plugin, PluginWarning> {
    #[cfg(all(unix, not(target_vendor = "apple")))]
    if let Err(problem) = crate::elf::check(path) {
        return Err(elf_warning(path, problem));
    }
    let raw = RawLibrary::load_at(path).map_err(|e| open_failure(path, &e))?;
    // SAFETY: reading the root symbol as abi_stable's header reference is how abi_stable itself
    // loads libraries; `upgrade` checks the header before anything else is read through it. The
    // header is used only while `raw` is alive (it is leaked below on success).
    let header = match unsafe { lib_header_from_raw_library(&raw) } {
        Ok(h) => h,
        Err(LibraryError::GetSymbolError { .. }) => return Err(not_a_plugin(path, &raw)),
        Err(e) => return Err(library_error(path, "?", e)),
    };
    let sdk_version = header.version_strings().version.to_string();
    check_compatibility(path, header, &sdk_version)?;
    // SAFETY: `check_compatibility` checked the layout of the root module and of every type
    // reachable from it (in the direction that matches the plug-in's SDK version).
    let descriptor =
        unsafe { header.init_root_module_with_unchecked_layout::<PluginDescriptorRef>() }
            .map_err(|e| library_error(path, &sdk_version, e))?;
    // The descriptor lives in the library: keep it loaded for the rest of the process.
    std::mem::forget(raw);
    let plugin = Plugin {
        path: path.to_path_buf(),
        descriptor,
        sdk_version,
    };
    check_descriptor(&plugin)?;
    Ok(plugin)
}

/// The warning for a file that failed the ELF pre-check.
#[cfg(all(unix, not(target_vendor = "apple")))]
fn elf_warning(path: &Path, problem: crate::elf::ElfProblem) -> PluginWarning {
    use crate::elf::ElfProblem;
    let fix = match &problem {
        ElfProblem::NotElf => {
            "move files that are not plug-ins out of the plug-in folders".to_string()
        }
        ElfProblem::Truncated(_) => "reinstall the plug-in: copy or download it again and \
                                     compare its sha256 with the release's SHA256SUMS"
            .to_string(),
        ElfProblem::WrongMachine { expected, .. } => {
            format!("install the build of the plug-in for {expected}")
        }
        ElfProblem::Io(_) => "check the file's permissions".to_string(),
    };
    PluginWarning::new(path, problem.to_string(), fix)
}

/// Checks the plug-in's SDK version and the layout of its descriptor against this runtime's.
///
/// `abi_stable` itself only accepts libraries built with the same or a *newer* interface than
/// the loader (prefix types may have more fields, never fewer). Plug-ins built with an *older*
/// SDK of the same major version are the common case here, so the layout is checked in both
/// directions: as `abi_stable` does (plug-in's SDK newer or equal), or with the roles swapped
/// (plug-in's SDK older: its types must be prefixes of ours; fields it lacks read as `None`).
fn check_compatibility(
    path: &Path,
    header: &abi_stable::library::LibHeader,
    plugin_sdk: &str,
) -> Result<(), PluginWarning> {
    use abi_stable::StableAbi;
    use abi_stable::abi_stability::abi_checking::check_layout_compatibility;
    let version = abi_stable::sabi_types::VersionNumber::new(header.version_strings())
        .map_err(|e| library_error(path, plugin_sdk, LibraryError::ParseVersionError(e)))?;
    if version.major != sdk::ABI_VERSION {
        return Err(PluginWarning::new(
            path,
            format!(
                "it was built with wasmedge-plugin-sdk {plugin_sdk}, but this runtime loads \
                 plug-ins built with SDK {}.x (ABI version {})",
                sdk::ABI_VERSION,
                sdk::ABI_VERSION
            ),
            rebuild_fix(),
        ));
    }
    let Some(theirs) = header.layout() else {
        return Err(PluginWarning::new(
            path,
            "it carries no layout information, so its compatibility cannot be checked",
            rebuild_fix(),
        ));
    };
    let ours = <PluginDescriptorRef as StableAbi>::LAYOUT;
    let forward = check_layout_compatibility(ours, theirs);
    if forward.is_ok() {
        return Ok(());
    }
    let backward = check_layout_compatibility(theirs, ours);
    if backward.is_ok() {
        return Ok(());
    }
    let ours_minor = sdk::SDK_VERSION
        .split('.')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    let details = match (version.minor < ours_minor, forward, backward) {
        (true, _, Err(e)) | (false, Err(e), _) => e.to_string(),
        _ => String::new(),
    };
    Err(library_error(
        path,
        plugin_sdk,
        LibraryError::AbiInstability(abi_stable::std_types::RBoxError::from_fmt(&details)),
    ))
}

/// The warning for a library `dlopen` refused.
fn open_failure(path: &Path, e: &LibraryError) -> PluginWarning {
    let text = match e {
        LibraryError::OpenError { err, .. } => err.to_string(),
        other => other.to_string(),
    };
    if let Some(dep) = missing_dependency(path, &text) {
        return PluginWarning::new(
            path,
            format!(
                "it needs the native library {dep}, which cannot be found (the system loader \
                 said: {text})"
            ),
            format!(
                "install {dep}, or add the folder that contains it to LD_LIBRARY_PATH; the \
                 plug-in's manifest.json lists the native libraries it needs{}",
                crate::nn_host::native_library_hint(&dep).unwrap_or_default()
            ),
        );
    }
    if let Some(symbol) = text.split("undefined symbol: ").nth(1) {
        return PluginWarning::new(
            path,
            format!(
                "it uses the symbol {symbol}, which no loaded library defines (the system \
                 loader said: {text})"
            ),
            "install the version of its native libraries it was built against, or rebuild it",
        );
    }
    PluginWarning::new(
        path,
        format!("it is not a loadable shared library for this platform ({text})"),
        format!(
            "reinstall the plug-in: the file may be truncated or damaged, or built for another \
             platform (this runtime is {}-{})",
            std::env::consts::ARCH,
            std::env::consts::OS
        ),
    )
}

/// The library a `dlopen` error says is missing, if it is not the plug-in itself
/// (glibc: `libfoo.so.1: cannot open shared object file: No such file or directory`).
fn missing_dependency(path: &Path, text: &str) -> Option<String> {
    let (name, rest) = text.split_once(": ")?;
    if !rest.starts_with("cannot open shared object file") {
        return None;
    }
    let own = path.to_string_lossy();
    let own_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if name == own || Some(name) == own_name.as_deref() {
        return None;
    }
    Some(name.to_string())
}

/// The warning for a library without the root symbol.
fn not_a_plugin(path: &Path, raw: &RawLibrary) -> PluginWarning {
    // SAFETY: only the presence of these symbols is checked; nothing is called or read.
    let is_wasmedge = ["WasmEdge_Plugin_GetDescriptor\0", "GetDescriptor\0"]
        .iter()
        .any(|s| unsafe { raw.get::<*const u8>(s.as_bytes()) }.is_ok());
    if is_wasmedge {
        PluginWarning::new(
            path,
            "it is a plug-in for the original (C++) WasmEdge, which this runtime cannot load",
            "remove it from the plug-in folders and install the build of the plug-in made for \
             this runtime (wasmedge-plugin-<name>-<version>-<target>.tar.gz)",
        )
    } else {
        PluginWarning::new(
            path,
            format!(
                "it is not a plug-in: the shared library does not export the plug-in root \
                 symbol {} (plug-ins are built with wasmedge-plugin-sdk's export_plugin!)",
                sdk::ROOT_SYMBOL
            ),
            "move non-plug-in libraries out of the plug-in folders, or, if it is meant to be a \
             plug-in, invoke export_plugin! in its crate and build it as a cdylib",
        )
    }
}

/// The warning for an `abi_stable` loading error.
fn library_error(path: &Path, plugin_sdk: &str, e: LibraryError) -> PluginWarning {
    match e {
        LibraryError::OpenError { .. } => open_failure(path, &e),
        LibraryError::GetSymbolError { .. } => PluginWarning::new(
            path,
            "it is not a plug-in (no plug-in root symbol)",
            "move it out of the plug-in folders",
        ),
        LibraryError::InvalidAbiHeader(h) => PluginWarning::new(
            path,
            format!(
                "it was built with an abi_stable version whose ABI differs from this runtime's \
                 ({h:?})"
            ),
            rebuild_fix(),
        ),
        LibraryError::IncompatibleVersionNumber { actual_version, .. } => PluginWarning::new(
            path,
            format!(
                "it was built with wasmedge-plugin-sdk {actual_version}, but this runtime loads \
                 plug-ins built with SDK {}.x (ABI version {})",
                sdk::ABI_VERSION,
                sdk::ABI_VERSION
            ),
            rebuild_fix(),
        ),
        LibraryError::ParseVersionError(e) => PluginWarning::new(
            path,
            format!("its SDK version cannot be read ({e})"),
            rebuild_fix(),
        ),
        LibraryError::AbiInstability(details) => PluginWarning::new(
            path,
            format!(
                "its plug-in interface layout does not match this runtime's (the plug-in was \
                 built with wasmedge-plugin-sdk {plugin_sdk}, the runtime implements {}): {}",
                sdk::SDK_VERSION,
                summarize_layout_error(&details.to_string())
            ),
            rebuild_fix(),
        ),
        LibraryError::RootModule { err, .. } => match err {
            RootModuleError::Unwound => PluginWarning::new(
                path,
                "it panicked while being loaded (in its root-module constructor)",
                "report this to the plug-in's author; remove the file to silence this warning",
            ),
            RootModuleError::Returned(e) => PluginWarning::new(
                path,
                format!("its initialisation failed: {e}"),
                "check the plug-in's requirements (see its documentation)",
            ),
        },
        LibraryError::InvalidCAbi { expected, found } => PluginWarning::new(
            path,
            format!(
                "it was built by a compiler with another C ABI (expected {expected}, found \
                 {found})"
            ),
            rebuild_fix(),
        ),
        LibraryError::Many(errors) => {
            let first = errors.into_iter().next();
            match first {
                Some(e) => library_error(path, plugin_sdk, e),
                None => PluginWarning::new(path, "it cannot be loaded", rebuild_fix()),
            }
        }
    }
}

/// The gist of `abi_stable`'s (long) layout-mismatch report, on one line: each error with the
/// field it is in and the expected and found types, e.g. `field abi_version: mismatched type
/// (expected u64, found u32)`.
fn summarize_layout_error(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut field: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(name) = line.strip_prefix("field_name:")
            && !name.chars().all(|c| c.is_ascii_digit())
        {
            field = Some(name);
        }
        let Some(error) = line.strip_prefix("Error:") else {
            continue;
        };
        let value_after = |label: &str| {
            lines[i + 1..]
                .iter()
                .take(4)
                .position(|l| *l == label)
                .and_then(|p| lines.get(i + 2 + p))
                .copied()
        };
        let mut s = match field {
            Some(f) => format!("field {f}: {error}"),
            None => error.to_string(),
        };
        if let (Some(e), Some(f)) = (value_after("Expected:"), value_after("Found:")) {
            s.push_str(&format!(" (expected {e}, found {f})"));
        }
        if !found.contains(&s) {
            found.push(s);
        }
    }
    if found.is_empty() {
        found = lines.iter().take(3).map(|l| l.to_string()).collect();
    }
    let mut s = found.into_iter().take(3).collect::<Vec<_>>().join("; ");
    if s.len() > 400 {
        let mut end = 400;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Checks what the descriptor declares: a usable name, known value types, no duplicate
/// module or function names.
fn check_descriptor(p: &Plugin) -> Result<(), PluginWarning> {
    let author = "report this to the plug-in's author (the plug-in's descriptor is invalid)";
    let name = p.name();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(PluginWarning::new(
            &p.path,
            format!("its name {name:?} is not made of letters, digits, '_', '-' and '.'"),
            author,
        ));
    }
    let mut modules = std::collections::HashSet::new();
    for m in p.descriptor.modules().iter() {
        if m.name.is_empty() || !modules.insert(m.name.as_str()) {
            return Err(PluginWarning::new(
                &p.path,
                format!(
                    "plug-in \"{name}\" declares the host module {:?} twice or with an empty name",
                    m.name.as_str()
                ),
                author,
            ));
        }
        let mut funcs = std::collections::HashSet::new();
        for f in m.functions.iter() {
            if !funcs.insert(f.name.as_str()) {
                return Err(PluginWarning::new(
                    &p.path,
                    format!(
                        "plug-in \"{name}\" declares function \"{}\".\"{}\" twice",
                        m.name.as_str(),
                        f.name.as_str()
                    ),
                    author,
                ));
            }
            if let Err(t) = func_type(f) {
                return Err(PluginWarning::new(
                    &p.path,
                    format!(
                        "plug-in \"{name}\" function \"{}\".\"{}\" uses the value type {t}, which \
                         this runtime does not support in plug-in signatures",
                        m.name.as_str(),
                        f.name.as_str()
                    ),
                    rebuild_fix(),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_dependencies_are_recognised() {
        let p = Path::new("/plugins/libwasi_nn_onnx.so");
        assert_eq!(
            missing_dependency(
                p,
                "libonnxruntime.so.1: cannot open shared object file: No such file or directory"
            )
            .as_deref(),
            Some("libonnxruntime.so.1")
        );
        assert_eq!(
            missing_dependency(
                p,
                "/plugins/libwasi_nn_onnx.so: cannot open shared object file: No such file"
            ),
            None
        );
        assert_eq!(
            missing_dependency(p, "/plugins/libwasi_nn_onnx.so: file too short"),
            None
        );
    }

    #[test]
    fn a_file_that_is_not_a_library_gives_a_warning() {
        let dir = std::env::temp_dir().join(format!("plugin-load-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("libjunk.so");
        std::fs::write(&f, b"\x7fELF not really").unwrap();
        let w = load_file(&f).unwrap_err();
        assert_eq!(w.file, f);
        assert!(w.to_string().starts_with("plug-in not loaded: "), "{w}");
        assert!(w.cause.contains("not"), "{w}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn layout_errors_are_summarised() {
        let text = "1 error(s)inside:\n    field_name:0\n    type:PluginDescriptor\n\n    \
                    field_name:abi_version\n    type:u32\nLayout of expected type:\n  \
                    type:u64\n\nError:mismatched type\nExpected:\n    u64\nFound:\n    u32\n";
        assert_eq!(
            summarize_layout_error(text),
            "field abi_version: mismatched type (expected u64, found u32)"
        );
    }
}
