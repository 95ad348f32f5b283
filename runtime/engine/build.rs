//! Computes the build identity `WASMEDGE_RS_BUILD_ID`: a hash of the sources and manifests of
//! every crate that shapes machine code — `wasmedge-environ` (VMContext layout, builtin ids,
//! trap encoding), `wasmedge-cranelift` (the code generator) and this runtime (the VM that
//! runs it) — and of the workspace manifest and lock file (the pinned Cranelift). The compile
//! cache and AOT artifacts are keyed by it rather than by the version number alone: a rebuilt
//! runtime never runs machine code from another build. The hash does not depend on features,
//! so the lean build (no compiler) and the full build of the same sources share it. Must stay
//! dependency-free and deterministic (sorted paths, contents only).

use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: enough to tell builds apart; not a security boundary (artifacts are
/// trusted input, docs/security.md).
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            files_below(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    // runtime/engine -> runtime -> the workspace root.
    let runtime = std::fs::canonicalize(here.join("..")).expect("runtime/ exists");
    let root = std::fs::canonicalize(runtime.join("..")).expect("the workspace exists");
    let crates = ["environ", "cranelift", "engine"];
    let mut files = Vec::new();
    for c in crates {
        files_below(&runtime.join(c).join("src"), &mut files);
        files.push(runtime.join(c).join("Cargo.toml"));
    }
    files.sort();
    files.push(root.join("Cargo.toml"));
    files.push(root.join("Cargo.lock"));
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        fnv1a(&mut hash, rel.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=WASMEDGE_RS_BUILD_ID={hash:016x}");
    for c in crates {
        println!("cargo:rerun-if-changed=../{c}/src");
        println!("cargo:rerun-if-changed=../{c}/Cargo.toml");
    }
    println!("cargo:rerun-if-changed=../../Cargo.toml");
    println!("cargo:rerun-if-changed=../../Cargo.lock");
}
