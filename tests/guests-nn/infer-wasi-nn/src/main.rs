//! `infer.wasm` written against the `wasi-nn` 0.6 guest crate: loads a model (files from a
//! preopened folder, or a `--nn-preload` name), sets the inputs, computes and prints every
//! output and its top elements. Command line: see `infer_common`.

use infer_common::{Model, Run, Ty, fail, parse_args, print_output};
use wasi_nn::{ExecutionTarget, GraphBuilder, GraphEncoding, TensorType};

fn encoding(name: &str) -> GraphEncoding {
    match name {
        "openvino" => GraphEncoding::Openvino,
        "onnx" => GraphEncoding::Onnx,
        "pytorch" => GraphEncoding::Pytorch,
        other => fail(format!("unknown encoding {other}")),
    }
}

fn target(name: &str) -> ExecutionTarget {
    match name {
        "cpu" => ExecutionTarget::CPU,
        "gpu" => ExecutionTarget::GPU,
        "tpu" => ExecutionTarget::TPU,
        other => fail(format!("unknown target {other}")),
    }
}

fn tensor_type(ty: Ty) -> TensorType {
    match ty {
        Ty::F16 => TensorType::F16,
        Ty::F32 => TensorType::F32,
        Ty::F64 => TensorType::F64,
        Ty::U8 => TensorType::U8,
        Ty::I32 => TensorType::I32,
        Ty::I64 => TensorType::I64,
    }
}

fn infer(n: usize, run: &Run) {
    let builder = GraphBuilder::new(encoding(&run.encoding), target(&run.target));
    let graph = match &run.model {
        Model::Files(files) => builder.build_from_files(files),
        Model::Preload(name) => builder.build_from_cache(name),
    }
    .unwrap_or_else(|e| fail(format!("run {n}: load: {e}")));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(format!("run {n}: init_execution_context: {e}")));
    for (i, input) in run.inputs.iter().enumerate() {
        ctx.set_input(i, tensor_type(input.ty), &input.dims, &input.data)
            .unwrap_or_else(|e| fail(format!("run {n}: set_input {i}: {e}")));
    }
    ctx.compute()
        .unwrap_or_else(|e| fail(format!("run {n}: compute: {e}")));
    let mut buf = vec![0u8; run.out_buf];
    for (i, ty) in run.outputs.iter().enumerate() {
        let len = ctx
            .get_output(i, &mut buf)
            .unwrap_or_else(|e| fail(format!("run {n}: get_output {i}: {e}")));
        print_output(n, i, *ty, &buf[..len], run.top);
    }
}

fn main() {
    let runs = parse_args().unwrap_or_else(|e| fail(e));
    for (n, run) in runs.iter().enumerate() {
        infer(n, run);
    }
}
