//! Computes the build identity `WASMEDGE_RS_BUILD_ID`: a hash of the runtime's sources, its
//! manifest and the workspace lock file. Compiled code depends on the runtime that made it (the
//! builtin table, VMContext layout, trap encoding), so the compile cache and AOT artifacts are
//! keyed by it rather than by the version number alone: a rebuilt runtime never runs machine code
//! from another build. Must stay dependency-free and deterministic (sorted paths, contents only).

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
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut files = Vec::new();
    files_below(&root.join("src"), &mut files);
    files.sort();
    files.push(root.join("Cargo.toml"));
    files.push(root.join("..").join("Cargo.lock"));
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        fnv1a(&mut hash, rel.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=WASMEDGE_RS_BUILD_ID={hash:016x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=../Cargo.lock");
}
