//! `cargo xtask package-plugins [--plugin NAME]... [--out DIR] [--profile PROFILE]`: builds
//! every plug-in crate under `plugins/` (release by default), and writes for each
//! `wasmedge-plugin-<name>-<version>-<target>.tar.gz` into DIR (default `dist/plugins`), holding
//! one folder with the shared library and a `manifest.json` (name, version, ABI version, SDK
//! version, target triple, the library's sha256, the native libraries it needs); then
//! `SHA256SUMS` for every tarball in DIR. Finally it extracts each new tarball and loads it with
//! the freshly built `wasmedge` (`--plugin-dir <extracted> plugin list --json`), and fails if
//! any plug-in does not load cleanly.
//!
//! The plug-in's name, version and ABI come from the runtime's own view of the library, so the
//! manifest says exactly what the runtime will see.

use crate::util::{cargo, host_triple, profile_dir, workspace_manifest};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask package-plugins [--plugin NAME]... [--out DIR] [--profile PROFILE]

  --plugin NAME     package only this plug-in (its folder under plugins/, its package name or
                    its plug-in name; repeatable). Default: every crate under plugins/.
  --out DIR         where the tarballs and SHA256SUMS go (default: dist/plugins)
  --profile NAME    cargo profile to build with (default: release)";

/// Native libraries every Linux process has; not listed as requirements.
const SYSTEM_LIBRARIES: &[&str] = &[
    "libc.so",
    "libm.so",
    "libgcc_s.so",
    "libpthread.so",
    "libdl.so",
    "librt.so",
    "libutil.so",
    "ld-linux",
    "linux-vdso",
];

struct Options {
    plugins: Vec<String>,
    out: PathBuf,
    profile: String,
}

/// A plug-in crate under `plugins/`.
struct Crate {
    package: String,
    folder: String,
    lib_name: String,
    /// Native libraries the plug-in opens at run time (not in its ELF dependencies), from
    /// `[package.metadata.wasmedge-plugin] native-libraries` in its Cargo.toml.
    runtime_libraries: Vec<String>,
    /// A cargo feature turned on when an environment variable is set, from
    /// `[package.metadata.wasmedge-plugin] build-feature = { feature, env }` (the PyTorch
    /// plug-in links libtorch only with `libtorch`, which needs `LIBTORCH`).
    build_feature: Option<(String, String)>,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("xtask package-plugins: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match package(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask package-plugins: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let root = workspace_root();
    let mut options = Options {
        plugins: Vec::new(),
        out: root.join("dist").join("plugins"),
        profile: "release".to_string(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--plugin" => options.plugins.push(value()?),
            "--out" => options.out = PathBuf::from(value()?),
            "--profile" => options.profile = value()?,
            other => return Err(format!("unknown argument \"{other}\"")),
        }
    }
    Ok(options)
}

fn workspace_root() -> PathBuf {
    workspace_manifest()
        .parent()
        .expect("the manifest has a folder")
        .to_path_buf()
}

fn package(options: &Options) -> Result<(), String> {
    let metadata = cargo_metadata()?;
    let target_dir = PathBuf::from(
        metadata["target_directory"]
            .as_str()
            .ok_or("cargo metadata has no target_directory")?,
    );
    let crates = select(plugin_crates(&metadata)?, &options.plugins)?;
    if crates.is_empty() {
        return Err("no plug-in crates under plugins/".to_string());
    }

    // Build the plug-ins and the runtime that checks them.
    let mut build = cargo();
    build
        .args(["build", "--manifest-path"])
        .arg(workspace_manifest())
        .args(["--profile", &options.profile]);
    for c in &crates {
        build.args(["-p", &c.package]);
        if let Some((feature, var)) = &c.build_feature {
            if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
                build.args(["--features", &format!("{}/{feature}", c.package)]);
            } else {
                println!(
                    "note: {} is built without its \"{feature}\" feature ({var} is not set; \
                     run `cargo xtask setup-ml` and `source .ml/env.sh`)",
                    c.package
                );
            }
        }
    }
    run_ok(&mut build, "building the plug-ins")?;
    let mut build = cargo();
    build
        .args(["build", "--manifest-path"])
        .arg(workspace_manifest())
        .args(["--profile", &options.profile])
        .args(["-p", "wasmedge-cli", "--bin", "wasmedge"]);
    run_ok(&mut build, "building the runtime")?;
    let out_dir = target_dir.join(profile_dir(&options.profile));
    let wasmedge = out_dir.join(format!("wasmedge{}", std::env::consts::EXE_SUFFIX));
    let triple = host_triple()?;

    std::fs::create_dir_all(&options.out)
        .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
    let scratch = tempdir(&target_dir, "package-plugins")?;
    let mut written = Vec::new();
    for c in &crates {
        let lib_file = format!(
            "{}{}{}",
            std::env::consts::DLL_PREFIX,
            c.lib_name,
            std::env::consts::DLL_SUFFIX
        );
        let lib = out_dir.join(&lib_file);
        // Ask the runtime what it sees in the library.
        let probe = scratch.join(format!("probe-{}", c.folder));
        std::fs::create_dir_all(&probe).map_err(|e| e.to_string())?;
        std::fs::copy(&lib, probe.join(&lib_file))
            .map_err(|e| format!("cannot copy {}: {e}", lib.display()))?;
        let info = inspect(&wasmedge, &probe, &scratch)?;
        let name = info["name"].as_str().unwrap_or_default().to_string();
        let version = info["version"].as_str().unwrap_or_default().to_string();
        let bytes =
            std::fs::read(&lib).map_err(|e| format!("cannot read {}: {e}", lib.display()))?;
        let mut needed: Vec<String> = info["needed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter(|n| !SYSTEM_LIBRARIES.iter().any(|s| n.starts_with(s)))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        needed.extend(c.runtime_libraries.iter().cloned());
        let manifest = serde_json::json!({
            "name": name,
            "version": version,
            "description": info["description"],
            "abi_version": info["abi_version"],
            "sdk_version": info["sdk_version"],
            "target": triple,
            "library": lib_file,
            "sha256": sha256_hex(&bytes),
            "native_libraries": needed,
            "crate": c.package,
        });
        let stem = format!("wasmedge-plugin-{name}-{version}-{triple}");
        let tarball = options.out.join(format!("{stem}.tar.gz"));
        write_tarball(&tarball, &stem, &lib_file, &bytes, &manifest)?;
        println!("packaged {}", tarball.display());
        written.push((name, tarball));
    }
    write_checksums(&options.out)?;

    // Every tarball must load as shipped.
    for (name, tarball) in &written {
        let dir = scratch.join(format!("extract-{name}"));
        extract(tarball, &dir)?;
        let info = inspect(&wasmedge, &dir, &scratch)?;
        if info["name"].as_str() != Some(name) {
            return Err(format!(
                "{} loads as plug-in {:?}, expected {name:?}",
                tarball.display(),
                info["name"]
            ));
        }
        println!(
            "verified {} (loads with {})",
            tarball.display(),
            wasmedge.display()
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "wrote {} tarball(s) and SHA256SUMS to {}",
        written.len(),
        options.out.display()
    );
    Ok(())
}

fn cargo_metadata() -> Result<Value, String> {
    let output = cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(workspace_manifest())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("bad cargo metadata: {e}"))
}

/// The workspace members under `plugins/` that build a `cdylib`.
fn plugin_crates(metadata: &Value) -> Result<Vec<Crate>, String> {
    let plugins_dir = workspace_root().join("plugins");
    let mut crates = Vec::new();
    for p in metadata["packages"].as_array().ok_or("no packages")? {
        let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap_or_default());
        let Ok(rel) = manifest.strip_prefix(&plugins_dir) else {
            continue;
        };
        let folder = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let lib = p["targets"].as_array().and_then(|ts| {
            ts.iter().find(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
            })
        });
        let Some(lib) = lib else { continue };
        let runtime_libraries = p["metadata"]["wasmedge-plugin"]["native-libraries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let bf = &p["metadata"]["wasmedge-plugin"]["build-feature"];
        let build_feature = bf["feature"]
            .as_str()
            .zip(bf["env"].as_str())
            .map(|(f, e)| (f.to_string(), e.to_string()));
        crates.push(Crate {
            package: p["name"].as_str().unwrap_or_default().to_string(),
            folder,
            lib_name: lib["name"].as_str().unwrap_or_default().replace('-', "_"),
            runtime_libraries,
            build_feature,
        });
    }
    crates.sort_by(|a, b| a.folder.cmp(&b.folder));
    Ok(crates)
}

/// The crates `wanted` names (all if empty); unknown names are an error.
fn select(crates: Vec<Crate>, wanted: &[String]) -> Result<Vec<Crate>, String> {
    if wanted.is_empty() {
        return Ok(crates);
    }
    let norm = |s: &str| s.replace('_', "-");
    for w in wanted {
        if !crates.iter().any(|c| matches(c, &norm(w))) {
            let known: Vec<&str> = crates.iter().map(|c| c.folder.as_str()).collect();
            return Err(format!(
                "no plug-in crate named \"{w}\" (plug-ins: {})",
                known.join(", ")
            ));
        }
    }
    Ok(crates
        .into_iter()
        .filter(|c| wanted.iter().any(|w| matches(c, &norm(w))))
        .collect())
}

fn matches(c: &Crate, wanted: &str) -> bool {
    let w = wanted.to_string();
    c.folder.replace('_', "-") == w
        || c.package == w
        || c.package == format!("wasmedge-plugin-{w}")
        || c.lib_name.replace('_', "-") == w
}

/// Runs `wasmedge --plugin-dir DIR plugin list --json` in a clean environment and returns the
/// one plug-in it reports; any warning is an error.
fn inspect(wasmedge: &Path, dir: &Path, scratch: &Path) -> Result<Value, String> {
    let home = scratch.join("home");
    std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let output = Command::new(wasmedge)
        .arg("--plugin-dir")
        .arg(dir)
        .args(["plugin", "list", "--json"])
        .env("HOME", &home)
        .env_remove("WASMEDGE_PLUGIN_PATH")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wasmedge.display()))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || stderr.contains("[warning]") || stderr.contains("[error]") {
        return Err(format!(
            "the plug-in in {} does not load cleanly:\n{stderr}",
            dir.display()
        ));
    }
    let list: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("bad `plugin list --json` output: {e}"))?;
    match list.as_array().map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        _ => Err(format!(
            "expected exactly one plug-in in {}, the runtime reports: {list}",
            dir.display()
        )),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a reproducible tarball: `stem/` with the library and `manifest.json`.
fn write_tarball(
    path: &Path,
    stem: &str,
    lib_file: &str,
    lib: &[u8],
    manifest: &Value,
) -> Result<(), String> {
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::best()));
    let manifest = serde_json::to_vec_pretty(manifest).map_err(|e| e.to_string())?;
    for (name, data, mode) in [
        (lib_file, lib, 0o755),
        ("manifest.json", manifest.as_slice(), 0o644),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, format!("{stem}/{name}"), data)
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(())
}

/// Rewrites `SHA256SUMS` (sha256sum format) for every plug-in tarball in `dir`.
fn write_checksums(dir: &Path) -> Result<(), String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("wasmedge-plugin-") && n.ends_with(".tar.gz"))
        .collect();
    names.sort();
    let mut sums = String::new();
    for n in names {
        let bytes = std::fs::read(dir.join(&n)).map_err(|e| e.to_string())?;
        sums.push_str(&format!("{}  {n}\n", sha256_hex(&bytes)));
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).map_err(|e| e.to_string())
}

fn extract(tarball: &Path, dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(tarball).map_err(|e| e.to_string())?;
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(dir)
        .map_err(|e| format!("extracting {}: {e}", tarball.display()))
}

fn tempdir(target_dir: &Path, what: &str) -> Result<PathBuf, String> {
    let dir = target_dir
        .join("tmp")
        .join(format!("{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn run_ok(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
