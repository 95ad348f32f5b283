//! The `wasi_nn-pytorch` plug-in: a WASI-NN backend for the `pytorch` graph encoding
//! (TorchScript modules) on libtorch through `tch`.
//!
//! libtorch is linked at build time, so the backend is behind the `libtorch` feature (see
//! Cargo.toml; `cargo xtask package-plugins` enables it when `LIBTORCH` is set). A build without
//! it still loads as a plug-in, but its backend refuses to start with a message saying how to
//! rebuild it ([`unbuilt`]), so a workspace build never needs libtorch.

#[cfg(feature = "libtorch")]
mod torch;
#[cfg(not(feature = "libtorch"))]
mod unbuilt;

#[cfg(feature = "libtorch")]
use torch::Torch as Backend;
#[cfg(not(feature = "libtorch"))]
use unbuilt::Unbuilt as Backend;
use wasmedge_plugin_sdk::nn::GraphEncoding;
use wasmedge_plugin_sdk::{export_plugin, nn_backend, plugin_option};

export_plugin! {
    name: "wasi_nn-pytorch",
    description: "WASI-NN backend for TorchScript models (libtorch 2.13, linked at build time)",
    version: env!("CARGO_PKG_VERSION"),
    options: [plugin_option!(
        "nn-preload",
        "ALIAS:ENCODING:TARGET:PATH[:PATH...]",
        "Preload a model for WASI-NN's load_by_name",
        repeatable
    )],
    nn_backends: [nn_backend!(Backend, "pytorch", [GraphEncoding::PYTORCH])],
}
