//! The libtorch backend (feature `libtorch`): TorchScript modules through `tch`.
//!
//! - One builder: the TorchScript archive (`torch.jit.save` / `CModule::save`).
//! - Targets: `cpu` (and `auto`); `gpu` when libtorch sees CUDA, otherwise
//!   `unsupported_operation`; `tpu` is unsupported.
//! - Inputs are `forward`'s arguments in order. A tensor with no dimensions of type i64 is
//!   passed as a TorchScript `int` and of type f64 as a `float` (so `forward(x, sr: int)` is
//!   callable); every other input is a tensor of its WASI-NN type.
//! - Outputs: `forward`'s result flattened (a tensor, or tuples/lists of tensors, in order), each
//!   in its own type (f16, f32, f64, u8, i32, i64; others are `unsupported_operation`).

use std::sync::{Arc, Mutex};
use tch::{CModule, Device, IValue, Kind, Tensor};
use wasmedge_plugin_sdk::InitContext;
use wasmedge_plugin_sdk::nn::{
    ExecutionTarget, GraphEncoding, NnBackend, NnError, TensorRef, TensorType, copy_output,
};

/// The backend (libtorch keeps no per-session state).
pub struct Torch;

/// A loaded module and the device it lives on.
pub struct Graph {
    module: Mutex<CModule>,
    device: Device,
}

/// A `forward` argument (`IValue` itself is not `Send`; it is made at compute time).
enum Arg {
    Tensor(Tensor),
    Int(i64),
    Double(f64),
}

impl Arg {
    fn ivalue(&self) -> IValue {
        match self {
            Arg::Tensor(t) => IValue::Tensor(t.shallow_clone()),
            Arg::Int(i) => IValue::Int(*i),
            Arg::Double(d) => IValue::Double(*d),
        }
    }
}

/// Inputs set so far and the last outputs.
pub struct Context {
    graph: Arc<Graph>,
    inputs: Vec<Option<Arg>>,
    outputs: Vec<Tensor>,
}

fn kind(ty: TensorType) -> Option<Kind> {
    Some(match ty {
        TensorType::F16 => Kind::Half,
        TensorType::F32 => Kind::Float,
        TensorType::F64 => Kind::Double,
        TensorType::U8 => Kind::Uint8,
        TensorType::I32 => Kind::Int,
        TensorType::I64 => Kind::Int64,
        _ => return None,
    })
}

fn failed(what: &str, e: impl std::fmt::Display) -> NnError {
    NnError::runtime(format!("libtorch: {what}: {e}"))
}

/// Appends the tensors of `v` in order.
fn flatten(v: IValue, out: &mut Vec<Tensor>) -> Result<(), NnError> {
    match v {
        IValue::Tensor(t) => out.push(t),
        IValue::TensorList(ts) => out.extend(ts),
        IValue::Tuple(vs) | IValue::GenericList(vs) => {
            for v in vs {
                flatten(v, out)?;
            }
        }
        IValue::Double(d) => out.push(Tensor::from(d)),
        IValue::Int(i) => out.push(Tensor::from(i)),
        other => {
            return Err(NnError::unsupported(format!(
                "forward returned {other:?}, which has no WASI-NN tensor form"
            )));
        }
    }
    Ok(())
}

impl NnBackend for Torch {
    type Graph = Graph;
    type Context = Context;

    fn create(_: &InitContext) -> Result<Self, String> {
        Ok(Torch)
    }

    fn load(
        &self,
        builders: &[&[u8]],
        _: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, NnError> {
        let [model] = builders else {
            return Err(NnError::invalid_argument(format!(
                "the pytorch encoding takes one builder (the TorchScript module), not {}",
                builders.len()
            )));
        };
        let device = match target {
            ExecutionTarget::CPU | ExecutionTarget::AUTO => Device::Cpu,
            ExecutionTarget::GPU if tch::Cuda::is_available() => Device::Cuda(0),
            ExecutionTarget::GPU => {
                return Err(NnError::unsupported(
                    "the gpu target needs CUDA, which libtorch does not see on this machine",
                ));
            }
            other => {
                return Err(NnError::unsupported(format!(
                    "the pytorch backend runs on cpu or gpu, not {other}"
                )));
            }
        };
        let mut module = CModule::load_data_on_device(&mut std::io::Cursor::new(model), device)
            .map_err(|e| {
                NnError::invalid_argument(format!(
                    "libtorch cannot load the TorchScript module: {e}"
                ))
            })?;
        module.set_eval();
        Ok(Graph {
            module: Mutex::new(module),
            device,
        })
    }

    fn init_execution_context(&self, graph: &Arc<Graph>) -> Result<Context, NnError> {
        Ok(Context {
            graph: graph.clone(),
            inputs: Vec::new(),
            outputs: Vec::new(),
        })
    }

    fn set_input(&self, ctx: &mut Context, index: u32, t: &TensorRef<'_>) -> Result<(), NnError> {
        let index = index as usize;
        if index > 64 {
            return Err(NnError::invalid_argument(format!(
                "input {index}: at most 64 inputs"
            )));
        }
        let k = kind(t.ty)
            .ok_or_else(|| NnError::invalid_argument(format!("unknown tensor type {}", t.ty.0)))?;
        let data = t.data.as_slice();
        let value = match (t.dims.is_empty(), t.ty) {
            (true, TensorType::I64) => {
                Arg::Int(i64::from_le_bytes(data.try_into().expect("8 bytes")))
            }
            (true, TensorType::F64) => {
                Arg::Double(f64::from_le_bytes(data.try_into().expect("8 bytes")))
            }
            _ => {
                let dims: Vec<i64> = t.dims.iter().map(|d| *d as i64).collect();
                let tensor = Tensor::f_from_data_size(data, &dims, k)
                    .and_then(|x| x.f_to_device(ctx.graph.device))
                    .map_err(|e| failed("input tensor", e))?;
                Arg::Tensor(tensor)
            }
        };
        if ctx.inputs.len() <= index {
            ctx.inputs.resize_with(index + 1, || None);
        }
        ctx.inputs[index] = Some(value);
        Ok(())
    }

    fn compute(&self, ctx: &mut Context) -> Result<(), NnError> {
        let mut args = Vec::with_capacity(ctx.inputs.len());
        for (i, v) in ctx.inputs.iter().enumerate() {
            args.push(
                v.as_ref()
                    .ok_or_else(|| NnError::invalid_argument(format!("input {i} was not set")))?
                    .ivalue(),
            );
        }
        let module = ctx.graph.module.lock().unwrap_or_else(|p| p.into_inner());
        let result = tch::no_grad(|| module.forward_is(&args)).map_err(|e| failed("forward", e))?;
        let mut outputs = Vec::new();
        flatten(result, &mut outputs)?;
        ctx.outputs = outputs
            .into_iter()
            .map(|t| t.f_to_device(Device::Cpu).and_then(|t| t.f_contiguous()))
            .collect::<Result<_, _>>()
            .map_err(|e| failed("output", e))?;
        Ok(())
    }

    fn get_output(&self, ctx: &mut Context, index: u32, out: &mut [u8]) -> Result<usize, NnError> {
        if ctx.outputs.is_empty() {
            return Err(NnError::invalid_argument(
                "no outputs yet: call compute first",
            ));
        }
        let t = ctx.outputs.get(index as usize).ok_or_else(|| {
            NnError::invalid_argument(format!(
                "output {index} does not exist (forward returned {})",
                ctx.outputs.len()
            ))
        })?;
        let size = match t.kind() {
            Kind::Half => 2,
            Kind::Float | Kind::Int => 4,
            Kind::Double | Kind::Int64 => 8,
            Kind::Uint8 => 1,
            other => {
                return Err(NnError::unsupported(format!(
                    "output {index} is {other:?}, which WASI-NN has no tensor type for"
                )));
            }
        };
        let numel = t.numel();
        let mut bytes = vec![0u8; numel * size];
        t.f_copy_data_u8(&mut bytes, numel)
            .map_err(|e| failed("output copy", e))?;
        copy_output(out, &bytes)
    }
}
