//! The `wasi_nn-onnx` plug-in: a WASI-NN backend for the `onnx` graph encoding on ONNX Runtime
//! (the `ort` crate, which opens `libonnxruntime.so` at run time: nothing native at build time).
//!
//! - One builder: the `.onnx` model bytes (`--nn-preload` reads the file).
//! - Targets: `cpu` (and `auto`, which means cpu); `gpu` when the ONNX Runtime library has the
//!   CUDA execution provider, otherwise `unsupported_operation`; `tpu` is unsupported.
//! - Inputs and outputs by index in the model's order, in every WASI-NN tensor type (f16, f32,
//!   f64, u8, i32, i64); an input whose type differs from the model's is `invalid_argument`.
//!   Outputs of other ONNX types (bool, string, …) are `unsupported_operation` when read.
//!
//! The library is found through `ORT_DYLIB_PATH` (set by `.ml/env.sh`, which `bash .ci/setup-ml`
//! writes), falling back to the path that variable had when the plug-in was built. The runtime
//! side (guest memory, handles, errno) is the runtime's; this crate only runs models.

mod convert;

use convert::{Output, input_value, output_of};
use ort::ep::ExecutionProvider;
use ort::session::{Session, SessionInputValue};
use std::sync::{Arc, Mutex};
use wasmedge_plugin_sdk::nn::{
    ExecutionTarget, GraphEncoding, NnBackend, NnErrno, NnError, TensorRef, copy_output,
};
use wasmedge_plugin_sdk::{InitContext, export_plugin, nn_backend, plugin_option};

/// The variable naming the ONNX Runtime library.
const LIB_VAR: &str = "ORT_DYLIB_PATH";

/// The backend: one ONNX Runtime environment per session.
struct Onnx {
    env: ort::environment::Environment,
}

/// A loaded model.
struct Graph {
    session: Mutex<Session>,
}

/// An execution context: the graph, the inputs set so far and the last outputs.
struct Context {
    graph: Arc<Graph>,
    inputs: Vec<Option<ort::value::DynValue>>,
    outputs: Vec<Output>,
}

fn library_path() -> Result<String, String> {
    let path = std::env::var(LIB_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| option_env!("ORT_DYLIB_PATH").map(str::to_string));
    match path {
        Some(p) if std::path::Path::new(&p).is_file() => Ok(p),
        found => Err(format!(
            "the ONNX Runtime library (libonnxruntime.so, version 1.31 or newer) was not found{}: \
             set {LIB_VAR} to its path, or run the set-up `bash .ci/setup-ml` (cargo xtask \
             setup-ml) and `source .ml/env.sh`",
            match found {
                Some(p) => format!(" at {p}"),
                None => String::new(),
            }
        )),
    }
}

fn runtime_error(what: &str, e: impl std::fmt::Display) -> NnError {
    NnError::runtime(format!("{what}: {e}"))
}

impl NnBackend for Onnx {
    type Graph = Graph;
    type Context = Context;

    fn create(_: &InitContext) -> Result<Self, String> {
        let path = library_path()?;
        let env = ort::init_from(&path)
            .map_err(|e| format!("cannot load the ONNX Runtime library {path} ({LIB_VAR}): {e}"))?
            .with_name("wasmedge-wasi-nn")
            .build()
            .map_err(|e| format!("cannot start ONNX Runtime from {path} ({LIB_VAR}): {e}"))?;
        Ok(Onnx { env })
    }

    fn load(
        &self,
        builders: &[&[u8]],
        _: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, NnError> {
        let [model] = builders else {
            return Err(NnError::invalid_argument(format!(
                "the onnx encoding takes one builder (the model), not {}",
                builders.len()
            )));
        };
        let mut builder =
            Session::builder(&self.env).map_err(|e| runtime_error("session builder", e))?;
        match target {
            ExecutionTarget::CPU | ExecutionTarget::AUTO => {}
            ExecutionTarget::GPU => {
                let cuda = ort::ep::CUDA::default();
                if !matches!(ort::ep::CUDA::is_available(), Ok(true)) {
                    return Err(NnError::unsupported(
                        "the gpu target needs an ONNX Runtime library with the CUDA execution \
                         provider (this one has only the CPU provider)",
                    ));
                }
                cuda.register(&mut builder).map_err(|e| {
                    NnError::unsupported(format!("the gpu target is unavailable: {e}"))
                })?;
            }
            other => {
                return Err(NnError::unsupported(format!(
                    "the onnx backend runs on cpu or gpu, not {other}"
                )));
            }
        }
        let session = builder.commit_from_memory(model).map_err(|e| {
            NnError::invalid_argument(format!("ONNX Runtime cannot load the model: {e}"))
        })?;
        Ok(Graph {
            session: Mutex::new(session),
        })
    }

    fn init_execution_context(&self, graph: &Arc<Graph>) -> Result<Context, NnError> {
        let n = graph
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .inputs()
            .len();
        Ok(Context {
            graph: graph.clone(),
            inputs: (0..n).map(|_| None).collect(),
            outputs: Vec::new(),
        })
    }

    fn set_input(
        &self,
        ctx: &mut Context,
        index: u32,
        tensor: &TensorRef<'_>,
    ) -> Result<(), NnError> {
        let session = ctx.graph.session.lock().unwrap_or_else(|p| p.into_inner());
        let inputs = session.inputs();
        let outlet = inputs.get(index as usize).ok_or_else(|| {
            NnError::invalid_argument(format!(
                "input {index} does not exist (the model has {})",
                inputs.len()
            ))
        })?;
        let value = input_value(outlet, tensor)?;
        drop(session);
        ctx.inputs[index as usize] = Some(value);
        Ok(())
    }

    fn compute(&self, ctx: &mut Context) -> Result<(), NnError> {
        let mut session = ctx.graph.session.lock().unwrap_or_else(|p| p.into_inner());
        let mut feed: Vec<(String, SessionInputValue<'_>)> = Vec::with_capacity(ctx.inputs.len());
        for (i, (value, outlet)) in ctx.inputs.iter().zip(session.inputs()).enumerate() {
            let value = value.as_ref().ok_or_else(|| {
                NnError::invalid_argument(format!("input {i} (\"{}\") was not set", outlet.name()))
            })?;
            feed.push((outlet.name().to_string(), SessionInputValue::from(value)));
        }
        let outputs = session
            .run(feed)
            .map_err(|e| runtime_error("ONNX Runtime could not run the model", e))?;
        ctx.outputs = outputs.iter().map(|(_, v)| output_of(&v)).collect();
        Ok(())
    }

    fn get_output(&self, ctx: &mut Context, index: u32, out: &mut [u8]) -> Result<usize, NnError> {
        if ctx.outputs.is_empty() {
            return Err(NnError::invalid_argument(
                "no outputs yet: call compute first",
            ));
        }
        match ctx.outputs.get(index as usize) {
            None => Err(NnError::invalid_argument(format!(
                "output {index} does not exist (the model has {})",
                ctx.outputs.len()
            ))),
            Some(Output::Bytes(bytes)) => copy_output(out, bytes),
            Some(Output::Unsupported(what)) => Err(NnError::new(
                NnErrno::UNSUPPORTED_OPERATION,
                format!("output {index} is {what}, which WASI-NN has no tensor type for"),
            )),
        }
    }
}

export_plugin! {
    name: "wasi_nn-onnx",
    description: "WASI-NN backend for ONNX models (ONNX Runtime 1.31+, opened at run time from ORT_DYLIB_PATH)",
    version: env!("CARGO_PKG_VERSION"),
    options: [plugin_option!(
        "nn-preload",
        "ALIAS:ENCODING:TARGET:PATH[:PATH...]",
        "Preload a model for WASI-NN's load_by_name",
        repeatable
    )],
    nn_backends: [nn_backend!(Onnx, "onnx", [GraphEncoding::ONNX])],
}
