//! Builds a tiny native library (`libfixture_native_dep.so`) with the system C compiler and
//! links the plug-in against it. The library stays in OUT_DIR, which is not on the loader's
//! search path: loading the plug-in then fails the way a missing `libonnxruntime.so` would.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let source = out.join("fixture_native_dep.c");
    std::fs::write(&source, "int fixture_native_value(void) { return 7; }\n").expect("write C");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(out.join("libfixture_native_dep.so"))
        .arg(&source)
        .status()
        .unwrap_or_else(|e| panic!("running {cc}: {e}"));
    assert!(status.success(), "{cc} failed: {status}");
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=dylib=fixture_native_dep");
    println!("cargo:rerun-if-changed=build.rs");
}
