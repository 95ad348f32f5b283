//! The backend of a build without the `llama` feature: it cannot run anything, so `create`
//! fails with the fix (the runtime prints it as the plug-in's warning). Nothing else here.

use std::sync::Arc;
use wasmedge_plugin_sdk::InitContext;
use wasmedge_plugin_sdk::nn::{ExecutionTarget, GraphEncoding, NnBackend, NnError, TensorRef};

/// Never constructed.
pub enum Unbuilt {}

impl NnBackend for Unbuilt {
    type Graph = ();
    type Context = ();

    fn create(_: &InitContext) -> Result<Self, String> {
        Err(
            "this build of the plug-in has no llama.cpp: run the set-up `bash .ci/setup-ml` \
             (installs cmake and libclang, writes the CPU flags), `source .ml/env.sh` (sets \
             LLAMA_LIB_PROFILE and GGML_*) and rebuild it with `cargo xtask package-plugins \
             --plugin wasi-nn-ggml` (or cargo build --features llama)"
                .to_string(),
        )
    }

    fn load(&self, _: &[&[u8]], _: GraphEncoding, _: ExecutionTarget) -> Result<(), NnError> {
        match *self {}
    }

    fn init_execution_context(&self, _: &Arc<()>) -> Result<(), NnError> {
        match *self {}
    }

    fn set_input(&self, _: &mut (), _: u32, _: &TensorRef<'_>) -> Result<(), NnError> {
        match *self {}
    }

    fn compute(&self, _: &mut ()) -> Result<(), NnError> {
        match *self {}
    }

    fn get_output(&self, _: &mut (), _: u32, _: &mut [u8]) -> Result<usize, NnError> {
        match *self {}
    }
}
