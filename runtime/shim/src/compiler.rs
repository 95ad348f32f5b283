//! Precompilation on the node: runwasi calls [`WasmEdgeCompiler::compile`] in the shim process
//! the first time an image's wasm layers are run, stores the artifacts in containerd's content
//! store (labelled with [`Compiler::cache_key`], kept as long as the image), and hands them to
//! later containers of the image as precompiled layers, so only the first start compiles.
//!
//! The compile itself goes through the runtime's artifact cache
//! (`wasmedge_runtime::artifact::cache`) in a node-level folder ([`cache_dir`]): a module
//! shipped in several images, or an image pulled again after containerd collected its
//! precompiled layer, is compiled once per node.

use containerd_shim_wasm::sandbox::context::WasmLayer;
use containerd_shim_wasm::shim::Compiler;
use std::path::PathBuf;
use wasmedge_runtime::Engine;
use wasmedge_runtime::artifact::cache::{self, Outcome};

/// The node-level artifact cache when `WASMEDGE_RS_CACHE_DIR` is not set.
pub const DEFAULT_CACHE_DIR: &str = "/var/lib/wasmedge-rs/cache";

/// The artifact cache folder: `$WASMEDGE_RS_CACHE_DIR` (from containerd's environment), else
/// [`DEFAULT_CACHE_DIR`].
pub fn cache_dir() -> PathBuf {
    std::env::var_os("WASMEDGE_RS_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CACHE_DIR))
}

/// Compiles wasm layers into AOT artifacts.
pub struct WasmEdgeCompiler {
    engine: Engine,
    cache_dir: PathBuf,
}

impl WasmEdgeCompiler {
    /// A compiler for [`crate::engine`]'s configuration, or `None` (no precompilation: every
    /// container compiles in its own process) if the engine cannot be set up.
    pub fn new() -> Option<WasmEdgeCompiler> {
        WasmEdgeCompiler::with_cache_dir(cache_dir())
    }

    /// [`WasmEdgeCompiler::new`] with another artifact cache folder.
    pub fn with_cache_dir(cache_dir: PathBuf) -> Option<WasmEdgeCompiler> {
        match crate::engine() {
            Ok(engine) => Some(WasmEdgeCompiler { engine, cache_dir }),
            Err(e) => {
                log::warn!("precompilation disabled: {e}");
                None
            }
        }
    }

    /// The artifact of one layer, or `None` if it is not a core wasm module (a component, or
    /// something already precompiled).
    pub fn compile_layer(&self, layer: &WasmLayer) -> anyhow::Result<Option<Vec<u8>>> {
        if layer.precompiled || !crate::sandbox::is_core_module(&layer.layer) {
            return Ok(None);
        }
        let (module, outcome) = cache::load_or_compile(&self.engine, &layer.layer, &self.cache_dir)
            .map_err(|e| anyhow::anyhow!("layer {}: {e}", layer.config.digest()))?;
        let digest = layer.config.digest();
        match outcome {
            Outcome::Hit => log::info!("layer {digest}: artifact cache hit"),
            Outcome::Stored => log::info!(
                "layer {digest}: compiled; artifact cached in {}",
                self.cache_dir.display()
            ),
            Outcome::Replaced(why) => {
                log::info!("layer {digest}: compiled; unusable cache entry replaced ({why})")
            }
            Outcome::NotStored(why) => {
                log::warn!("layer {digest}: compiled, but the artifact cache is unusable: {why}")
            }
        }
        Ok(Some(module.serialize()))
    }
}

impl Compiler for WasmEdgeCompiler {
    /// Everything the artifacts depend on besides the module: runtime version, target, CPU
    /// features and code-generation settings (the artifact cache's key of an empty module).
    fn cache_key(&self) -> impl std::hash::Hash {
        cache::key(&self.engine, b"")
    }

    async fn compile(&self, layers: &[WasmLayer]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        layers.iter().map(|l| self.compile_layer(l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use containerd_shim_wasm::sandbox::context::WasmLayer;
    use oci_spec::image::{Descriptor, Digest, MediaType};
    use wasmedge_runtime::{Instance, Module, Store};

    fn layer(bytes: Vec<u8>, precompiled: bool) -> WasmLayer {
        let digest = Digest::try_from(format!("sha256:{:064}", 0)).unwrap();
        WasmLayer {
            config: Descriptor::new(
                MediaType::Other("application/wasm".into()),
                bytes.len() as u64,
                digest,
            ),
            precompiled,
            layer: bytes,
        }
    }

    #[test]
    fn layers_compile_once_per_node_into_loadable_artifacts() {
        let dir = std::env::temp_dir().join(format!("shim-compiler-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let compiler = WasmEdgeCompiler::with_cache_dir(dir.clone()).unwrap();
        let wasm =
            wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 42))"#).unwrap();
        let first = compiler.compile_layer(&layer(wasm.clone(), false)).unwrap();
        let cached: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(cached.len(), 1, "one artifact in the node cache");
        let again = compiler.compile_layer(&layer(wasm, false)).unwrap();
        assert_eq!(first, again, "the second compile is the cached artifact");

        let engine = crate::engine().unwrap();
        // SAFETY: the artifact was just produced by this runtime.
        let module = unsafe { Module::deserialize(&engine, &first.unwrap()) }.unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), 42);

        // Components and layers that are already precompiled are left alone.
        let component = b"\0asm\x0d\x00\x01\x00".to_vec();
        assert!(
            compiler
                .compile_layer(&layer(component, false))
                .unwrap()
                .is_none()
        );
        assert!(
            compiler
                .compile_layer(&layer(vec![1, 2, 3], true))
                .unwrap()
                .is_none()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
