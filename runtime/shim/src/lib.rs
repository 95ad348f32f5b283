//! `containerd-shim-wasmedge-v1`: a containerd shim (runwasi's `containerd-shim-wasm` 1.0) that
//! runs WASI preview1 commands on wasmedge-rs, so Kubernetes nodes can schedule wasm
//! workloads through a `RuntimeClass` (docs/kubernetes.md).
//!
//! runwasi does the containerd side: the shim v2 protocol, one youki (`libcontainer`)
//! container per task (namespaces, cgroups, the image rootfs as `/`, the log fifos as fds
//! 0–2), reading wasm layers from containerd's content store, and keeping the precompiled
//! layers this crate's [`compiler::WasmEdgeCompiler`] produces next to the image. This crate
//! supplies the engine:
//!
//! - [`WasmEdgeShim`]: the shim's name (`wasmedge`, so containerd's runtime type is
//!   `io.containerd.wasmedge.v1`), version, supported layer types and precompiler.
//! - [`sandbox`]: the container process's payload: loads the module (precompiled artifact,
//!   OCI wasm layer or a `.wasm`/`.wat` file in the rootfs), links WASI (rootfs preopened as
//!   `/`, the container's args and env, stdio on the inherited fds) and the node's plug-ins,
//!   runs `_start` (or `path#func`) and turns the outcome into the exit code.
//! - [`compiler`]: ahead-of-time compilation on the node, through the runtime's artifact cache.
//! - [`plugins`]: plug-in discovery in the shim process before runwasi forks its zygote, so
//!   the libraries are already mapped when the container process (inside the container's
//!   mount namespace) links them.
//!
//! Images that are not wasm are handled as runwasi does: an entrypoint that is a native
//! executable (ELF or `#!` script) runs as an ordinary Linux container; anything else is
//! refused at create time with the reason ([`sandbox::check`]).

pub mod compiler;
pub mod plugins;
pub mod sandbox;

use containerd_shim_wasm::shim::{Compiler, Shim, Version, version};
use wasmedge_runtime::{Config, Engine};

/// The shim: containerd resolves `io.containerd.wasmedge.v1` to `containerd-shim-wasmedge-v1`.
pub struct WasmEdgeShim;

/// The name runwasi uses for the shim's state directories and precompiled-layer labels.
pub const NAME: &str = "wasmedge";

/// OCI layer media types read as wasm modules (runwasi's defaults: the CNCF wasm OCI artifact
/// layer and the Bytecode Alliance component layer, which is refused with a clear error).
pub const LAYER_TYPES: &[&str] = &[
    "application/wasm",
    "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
];

impl Shim for WasmEdgeShim {
    fn name() -> &'static str {
        NAME
    }

    fn version() -> Version {
        version!()
    }

    type Sandbox = sandbox::WasmEdgeSandbox;

    async fn compiler() -> Option<impl Compiler> {
        compiler::WasmEdgeCompiler::new()
    }

    fn supported_layers_types() -> &'static [&'static str] {
        LAYER_TYPES
    }
}

/// The engine configuration of both the precompiler (shim process) and the container
/// process: they must agree, or a precompiled layer is refused and compiled again.
pub fn engine() -> anyhow::Result<Engine> {
    Engine::new(&Config::new()).map_err(|e| anyhow::anyhow!("cannot set up the engine: {e}"))
}
