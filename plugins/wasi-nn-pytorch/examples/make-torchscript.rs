//! Writes the PyTorch test models into MODELS_DIR (run by `.ci/setup-ml`, which cannot use
//! Python torch: the PyPI wheel is installed without its CUDA dependencies):
//! - `linear.pt`: TorchScript traced from `y = x W + b` with the weights the set-up's
//!   `linear.weights.bin` holds (the same as `linear.onnx`; its reference is onnxruntime's);
//! - `pytorch_silero.case`: the real silero VAD TorchScript module with libtorch's own output
//!   for the set-up's audio input (called natively here, not through WASI-NN).
//!
//! usage: make-torchscript MODELS_DIR

use std::path::Path;
use tch::{CModule, IValue, Kind, Tensor};

fn floats(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: make-torchscript MODELS_DIR");
    let dir = Path::new(&dir);
    let wb = floats(&dir.join("linear.weights.bin"));
    let w = Tensor::from_slice(&wb[..8]).reshape([4, 2]);
    let b = Tensor::from_slice(&wb[8..10]);
    let x = Tensor::zeros([1, 4], (Kind::Float, tch::Device::Cpu));
    let m = CModule::create_by_tracing("Linear", "forward", &[x], &mut |xs| {
        vec![xs[0].matmul(&w) + &b]
    })
    .expect("tracing the linear model");
    m.save(dir.join("linear.pt")).expect("saving linear.pt");

    let silero = CModule::load(dir.join("silero_vad.jit")).expect("loading silero_vad.jit");
    let audio = floats(&dir.join("onnx_silero.in0.bin"));
    let x = Tensor::from_slice(&audio).reshape([1, audio.len() as i64]);
    let y = tch::no_grad(|| silero.forward_is(&[IValue::Tensor(x), IValue::Int(16000)]))
        .expect("running silero_vad.jit");
    let IValue::Tensor(y) = y else {
        panic!("silero returned {y:?}")
    };
    let values: Vec<f32> = Vec::try_from(y.flatten(0, -1)).expect("f32 output");
    let dims: Vec<String> = y.size().iter().map(|d| d.to_string()).collect();
    let case = format!(
        "encoding pytorch\nmodel silero_vad.jit\ninput f32 1,{} onnx_silero.in0.bin\n\
         input i64 - onnx_silero.in2.bin\noutput f32 {} {}\n",
        audio.len(),
        dims.join(","),
        values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::fs::write(dir.join("pytorch_silero.case"), case).expect("writing pytorch_silero.case");
    println!(
        "make-torchscript: wrote linear.pt and pytorch_silero.case into {}",
        dir.display()
    );
}
