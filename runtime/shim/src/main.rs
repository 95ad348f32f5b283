//! `containerd-shim-wasmedge-v1`: containerd starts it for the runtime type
//! `io.containerd.wasmedge.v1` (see docs/kubernetes.md and the crate documentation).

use containerd_shim_wasm::shim::Cli;
use containerd_shim_wasmedge::{WasmEdgeShim, plugins};

fn main() {
    // Plug-ins are loaded while the process is still single-threaded and before runwasi forks
    // the zygote the container processes descend from (they cannot see the node's folders).
    let args: Vec<String> = std::env::args().collect();
    if plugins::is_daemon(&args) {
        plugins::preload();
    }
    WasmEdgeShim::run(None);
}
