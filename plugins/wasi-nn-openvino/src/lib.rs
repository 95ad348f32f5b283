//! The `wasi_nn-openvino` plug-in: a WASI-NN backend for the `openvino` graph encoding (IR:
//! the `.xml` model and its `.bin` weights) on OpenVINO, through the `openvino` crate with
//! runtime linking (`libopenvino_c.so` is opened at run time: nothing native at build time).
//!
//! - Two builders: `[xml, weights]` (`--nn-preload name:OpenVINO:CPU:m.xml:m.bin`).
//! - Targets: `cpu`; `gpu` when OpenVINO reports a GPU device, otherwise
//!   `unsupported_operation`; `auto` is OpenVINO's AUTO device; `tpu` is unsupported.
//! - Inference precision is pinned to f32 (the CPU plug-in would pick bf16 on CPUs with AMX,
//!   which changes results), so outputs are deterministic.
//! - Inputs and outputs by index in every WASI-NN tensor type; an input whose element type
//!   differs from the model's is `invalid_argument`.
//!
//! The library is found through `OPENVINO_LIB` (set by `.ml/env.sh`, written by
//! `bash .ci/setup-ml`), falling back to the path that variable had at build time.

use openvino::{
    CompiledModel, Core, DeviceType, ElementType, InferRequest, RwPropertyKey, Shape, Tensor,
};
use std::sync::{Arc, Mutex};
use wasmedge_plugin_sdk::nn::{
    ExecutionTarget, GraphEncoding, NnBackend, NnError, TensorRef, TensorType, copy_output,
};
use wasmedge_plugin_sdk::{InitContext, export_plugin, nn_backend, plugin_option};

/// The variable naming `libopenvino_c.so`.
const LIB_VAR: &str = "OPENVINO_LIB";

/// The backend: one OpenVINO core.
struct OpenVino {
    core: Mutex<Core>,
}

/// A compiled model and its inputs' element types.
struct Graph {
    compiled: Mutex<CompiledModel>,
    inputs: Vec<ElementType>,
    outputs: usize,
}

/// An inference request.
struct Context {
    request: InferRequest,
    graph: Arc<Graph>,
    computed: bool,
}

fn library_path() -> Result<String, String> {
    let path = std::env::var(LIB_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| option_env!("OPENVINO_LIB").map(str::to_string));
    match path {
        Some(p) if std::path::Path::new(&p).exists() => Ok(p),
        found => Err(format!(
            "the OpenVINO C library (libopenvino_c.so, 2025.1 or newer) was not found{}: set \
             {LIB_VAR} to its path, or run the set-up `bash .ci/setup-ml` (cargo xtask setup-ml) \
             and `source .ml/env.sh`",
            match found {
                Some(p) => format!(" at {p}"),
                None => String::new(),
            }
        )),
    }
}

fn ov_type(ty: TensorType) -> Option<ElementType> {
    Some(match ty {
        TensorType::F16 => ElementType::F16,
        TensorType::F32 => ElementType::F32,
        TensorType::F64 => ElementType::F64,
        TensorType::U8 => ElementType::U8,
        TensorType::I32 => ElementType::I32,
        TensorType::I64 => ElementType::I64,
        _ => return None,
    })
}

fn failed(what: &str, e: impl std::fmt::Debug) -> NnError {
    NnError::runtime(format!("OpenVINO: {what}: {e:?}"))
}

impl NnBackend for OpenVino {
    type Graph = Graph;
    type Context = Context;

    fn create(_: &InitContext) -> Result<Self, String> {
        let path = library_path()?;
        openvino_sys::library::load_from(&path)
            .map_err(|e| format!("cannot load the OpenVINO library {path} ({LIB_VAR}): {e}"))?;
        let mut core = Core::new().map_err(|e| format!("cannot start OpenVINO ({path}): {e:?}"))?;
        core.set_property(
            &DeviceType::CPU,
            &RwPropertyKey::HintInferencePrecision,
            "f32",
        )
        .map_err(|e| format!("cannot pin OpenVINO's CPU precision to f32: {e:?}"))?;
        Ok(OpenVino {
            core: Mutex::new(core),
        })
    }

    fn load(
        &self,
        builders: &[&[u8]],
        _: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, NnError> {
        let [xml, weights] = builders else {
            return Err(NnError::invalid_argument(format!(
                "the openvino encoding takes two builders (the IR xml and its weights), not {}",
                builders.len()
            )));
        };
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        let device = match target {
            ExecutionTarget::CPU => DeviceType::CPU,
            ExecutionTarget::AUTO => DeviceType::Other("AUTO".into()),
            ExecutionTarget::GPU => {
                let devices = core.available_devices().map_err(|e| failed("devices", e))?;
                if !devices.iter().any(|d| matches!(d, DeviceType::GPU)) {
                    return Err(NnError::unsupported(
                        "the gpu target needs an OpenVINO GPU device; this machine has none",
                    ));
                }
                DeviceType::GPU
            }
            other => {
                return Err(NnError::unsupported(format!(
                    "the openvino backend runs on cpu, gpu or auto, not {other}"
                )));
            }
        };
        let mut blob = Tensor::new(
            ElementType::U8,
            &Shape::new(&[weights.len() as i64]).map_err(|e| failed("shape", e))?,
        )
        .map_err(|e| failed("weights tensor", e))?;
        blob.get_raw_data_mut()
            .map_err(|e| failed("weights tensor", e))?
            .copy_from_slice(weights);
        let model = core.read_model_from_buffer(xml, Some(&blob)).map_err(|e| {
            NnError::invalid_argument(format!("OpenVINO cannot read the model: {e:?}"))
        })?;
        let count = |n: Result<usize, _>| n.map_err(|e| failed("model ports", e));
        let inputs = (0..count(model.get_inputs_len())?)
            .map(|i| {
                model
                    .get_input_by_index(i)
                    .and_then(|n| n.get_element_type())
                    .map_err(|e| failed("model input", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = count(model.get_outputs_len())?;
        let compiled = core.compile_model(&model, device).map_err(|e| {
            NnError::invalid_argument(format!("OpenVINO cannot compile the model: {e:?}"))
        })?;
        Ok(Graph {
            compiled: Mutex::new(compiled),
            inputs,
            outputs,
        })
    }

    fn init_execution_context(&self, graph: &Arc<Graph>) -> Result<Context, NnError> {
        let request = graph
            .compiled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .create_infer_request()
            .map_err(|e| failed("create_infer_request", e))?;
        Ok(Context {
            request,
            graph: graph.clone(),
            computed: false,
        })
    }

    fn set_input(&self, ctx: &mut Context, index: u32, t: &TensorRef<'_>) -> Result<(), NnError> {
        let want = *ctx.graph.inputs.get(index as usize).ok_or_else(|| {
            NnError::invalid_argument(format!(
                "input {index} does not exist (the model has {})",
                ctx.graph.inputs.len()
            ))
        })?;
        let got = ov_type(t.ty)
            .ok_or_else(|| NnError::invalid_argument(format!("unknown tensor type {}", t.ty.0)))?;
        if got != want {
            return Err(NnError::invalid_argument(format!(
                "input {index} is {want:?}, but a {} tensor was given",
                t.ty
            )));
        }
        let dims: Vec<i64> = t.dims.iter().map(|d| *d as i64).collect();
        let shape = Shape::new(&dims).map_err(|e| failed("shape", e))?;
        let mut tensor = Tensor::new(got, &shape).map_err(|e| failed("input tensor", e))?;
        tensor
            .get_raw_data_mut()
            .map_err(|e| failed("input tensor", e))?
            .copy_from_slice(t.data.as_slice());
        ctx.request
            .set_input_tensor_by_index(index as usize, &tensor)
            .map_err(|e| NnError::invalid_argument(format!("input {index}: {e:?}")))
    }

    fn compute(&self, ctx: &mut Context) -> Result<(), NnError> {
        ctx.request.infer().map_err(|e| failed("inference", e))?;
        ctx.computed = true;
        Ok(())
    }

    fn get_output(&self, ctx: &mut Context, index: u32, out: &mut [u8]) -> Result<usize, NnError> {
        if !ctx.computed {
            return Err(NnError::invalid_argument(
                "no outputs yet: call compute first",
            ));
        }
        if index as usize >= ctx.graph.outputs {
            return Err(NnError::invalid_argument(format!(
                "output {index} does not exist (the model has {})",
                ctx.graph.outputs
            )));
        }
        let tensor = ctx
            .request
            .get_output_tensor_by_index(index as usize)
            .map_err(|e| failed("output", e))?;
        let ty = tensor
            .get_element_type()
            .map_err(|e| failed("output type", e))?;
        if !matches!(
            ty,
            ElementType::F16
                | ElementType::F32
                | ElementType::F64
                | ElementType::U8
                | ElementType::I32
                | ElementType::I64
        ) {
            return Err(NnError::unsupported(format!(
                "output {index} is {ty:?}, which WASI-NN has no tensor type for"
            )));
        }
        copy_output(
            out,
            tensor
                .get_raw_data()
                .map_err(|e| failed("output data", e))?,
        )
    }
}

export_plugin! {
    name: "wasi_nn-openvino",
    description: "WASI-NN backend for OpenVINO IR models (OpenVINO 2025.1+, opened at run time from OPENVINO_LIB)",
    version: env!("CARGO_PKG_VERSION"),
    options: [plugin_option!(
        "nn-preload",
        "ALIAS:ENCODING:TARGET:PATH[:PATH...]",
        "Preload a model for WASI-NN's load_by_name",
        repeatable
    )],
    nn_backends: [nn_backend!(OpenVino, "openvino", [GraphEncoding::OPENVINO])],
}
