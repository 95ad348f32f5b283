//! The `wasi_nn-ggml` plug-in: a WASI-NN backend for the `ggml` graph encoding (GGUF language
//! models) on llama.cpp through `llama-cpp-2`, keeping WasmEdge's GGML contract so LlamaEdge
//! guests run unchanged (see `backend.rs` and docs/wasi-nn.md).
//!
//! llama.cpp is compiled from source and linked statically, so the backend is behind the
//! `llama` feature (Cargo.toml; `cargo xtask package-plugins` enables it when
//! `LLAMA_LIB_PROFILE` is set by `.ml/env.sh`). A build without it still loads as a plug-in,
//! but its backend refuses to start with a message saying how to rebuild it ([`unbuilt`]), so a
//! workspace build never needs cmake or a C++ compiler. [`params`] and [`output`] hold the
//! parts of the contract that need no llama.cpp (and are unit-tested without it).

#[cfg(feature = "llama")]
mod backend;
#[cfg(feature = "llama")]
mod engine;
#[cfg_attr(not(feature = "llama"), allow(dead_code))]
mod output;
#[cfg_attr(not(feature = "llama"), allow(dead_code))]
mod params;
#[cfg(not(feature = "llama"))]
mod unbuilt;

#[cfg(feature = "llama")]
use backend::Ggml as Backend;
#[cfg(not(feature = "llama"))]
use unbuilt::Unbuilt as Backend;
use wasmedge_plugin_sdk::nn::GraphEncoding;
use wasmedge_plugin_sdk::{export_plugin, nn_backend, plugin_option};

export_plugin! {
    name: "wasi_nn-ggml",
    description: "WASI-NN backend for GGUF language models (llama.cpp, linked statically)",
    version: env!("CARGO_PKG_VERSION"),
    options: [plugin_option!(
        "nn-preload",
        "ALIAS:ENCODING:TARGET:PATH[:PATH...]",
        "Preload a model for WASI-NN's load_by_name",
        repeatable
    )],
    nn_backends: [nn_backend!(Backend, "ggml", [GraphEncoding::GGML])],
}
