//! With the `libtorch` feature: bakes an rpath to the real libtorch folder into the plug-in, so
//! it loads without LD_LIBRARY_PATH. The rpath must name the wheel's own `torch/lib` (not the
//! set-up's symlinked view): libtorch_cpu.so finds its CUDA runtime through $ORIGIN.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if std::env::var_os("CARGO_FEATURE_LIBTORCH").is_none() {
        return;
    }
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        let view = std::path::Path::new(&lib);
        let real = std::fs::canonicalize(view.join("libtorch_cpu.so"))
            .ok()
            .and_then(|p| p.parent().map(|d| d.to_path_buf()))
            .unwrap_or_else(|| view.to_path_buf());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", real.display());
    }
}
