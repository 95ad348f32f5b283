"""Made-up models and reference outputs for the WASI-NN tests (run by .ci/setup-ml).

usage: python ml_models.py MODELS_DIR

Writes into MODELS_DIR:
  - made-up ONNX models built with onnx.helper (linear.onnx: y = x W + b; types.onnx: one
    input and output per tensor type f16/f32/f64/u8/i32/i64), and their OpenVINO IR
    conversions (*.xml + *.bin, weights kept in f32);
  - linear.weights.bin (W then b, f32) for the TorchScript twin linear.pt, which the Rust
    example make-torchscript traces (Python torch cannot be imported: see ml-deps);
  - the real models' IR conversion (ppocr_cls.xml/.bin from ppocr_cls.onnx);
  - for every test case NAME: the input tensors as raw little-endian files NAME.inK.bin and
    NAME.case, a line-based description the end-to-end tests read:
        encoding ENC
        model FILE [FILE]
        input TYPE DIMS FILE          (DIMS comma-separated, "-" for a scalar)
        output TYPE DIMS V V V ...    (the reference framework's own output, full precision)
Reference outputs come from onnxruntime (ONNX cases) and OpenVINO with the f32 inference
precision hint (OpenVINO cases). It must not hard-code any result.
"""

import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import openvino as ov
from onnx import TensorProto, helper

OUT = sys.argv[1]
TYPES = {
    "f16": (np.float16, TensorProto.FLOAT16),
    "f32": (np.float32, TensorProto.FLOAT),
    "f64": (np.float64, TensorProto.DOUBLE),
    "u8": (np.uint8, TensorProto.UINT8),
    "i32": (np.int32, TensorProto.INT32),
    "i64": (np.int64, TensorProto.INT64),
}
NP_TO_NAME = {np.dtype(v[0]): k for k, v in TYPES.items()}


def path(name):
    return os.path.join(OUT, name)


def save_onnx(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, path(name))


def linear():
    w = np.array([[0.5, -1.0], [1.0, 0.25], [1.5, 0.5], [0.25, -0.125]], np.float32)
    b = np.array([0.75, -0.25], np.float32)
    g = helper.make_graph(
        [helper.make_node("MatMul", ["input", "W"], ["xw"]),
         helper.make_node("Add", ["xw", "B"], ["output"])],
        "linear",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor("W", TensorProto.FLOAT, [4, 2], w.flatten().tolist()),
         helper.make_tensor("B", TensorProto.FLOAT, [2], b.flatten().tolist())])
    save_onnx(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "linear.onnx")
    # The same weights for the TorchScript twin (traced by make-torchscript, see setup-ml).
    with open(path("linear.weights.bin"), "wb") as fh:
        fh.write(np.concatenate([w.flatten(), b]).astype("<f4").tobytes())


def types():
    """out_T = x_T + x_T for the arithmetic types, Identity for u8 and f16."""
    nodes, ins, outs = [], [], []
    for t, (_, proto) in TYPES.items():
        if t in ("u8", "f16"):
            nodes.append(helper.make_node("Identity", [f"x_{t}"], [f"y_{t}"]))
        else:
            nodes.append(helper.make_node("Add", [f"x_{t}", f"x_{t}"], [f"y_{t}"]))
        ins.append(helper.make_tensor_value_info(f"x_{t}", proto, [3]))
        outs.append(helper.make_tensor_value_info(f"y_{t}", proto, [3]))
    g = helper.make_graph(nodes, "types", ins, outs)
    save_onnx(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "types.onnx")


def to_ir(onnx_name, stem):
    m = ov.convert_model(path(onnx_name))
    ov.save_model(m, path(stem + ".xml"), compress_to_fp16=False)


def fmt(v):
    return repr(float(v)) if v.dtype.kind == "f" else str(int(v))


def write_case(name, encoding, models, inputs, outputs):
    lines = [f"encoding {encoding}", "model " + " ".join(models)]
    for k, x in enumerate(inputs):
        f = f"{name}.in{k}.bin"
        x = np.array(x, order="C")  # keeps 0-d (scalar) arrays 0-d
        with open(path(f), "wb") as fh:
            fh.write(x.astype(x.dtype.newbyteorder("<")).tobytes())
        dims = ",".join(str(d) for d in x.shape) or "-"
        lines.append(f"input {NP_TO_NAME[x.dtype]} {dims} {f}")
    for y in outputs:
        y = np.asarray(y)
        dims = ",".join(str(d) for d in y.shape) or "-"
        lines.append(f"output {NP_TO_NAME[y.dtype]} {dims} " + " ".join(fmt(v) for v in y.flatten()))
    with open(path(name + ".case"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def run_ort(model, inputs):
    s = ort.InferenceSession(path(model), providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(s.get_inputs(), inputs)}
    return s.run(None, feed)


def run_ov(xml, inputs):
    core = ov.Core()
    core.set_property("CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    c = core.compile_model(core.read_model(path(xml)), "CPU")
    r = c.infer_new_request([np.ascontiguousarray(x) for x in inputs])
    return [np.asarray(r[o]) for o in c.outputs]


def cls_input():
    i = np.arange(3 * 48 * 192)
    return (((i % 255) / 255.0 - 0.5) / 0.5).astype(np.float32).reshape(1, 3, 48, 192)


def silero_inputs():
    t = np.arange(512)
    x = (0.5 * np.sin(2 * np.pi * 440 * t / 16000)).astype(np.float32).reshape(1, 512)
    return [x, np.zeros((2, 1, 128), np.float32), np.array(16000, np.int64)]


def main():
    linear()
    types()
    to_ir("linear.onnx", "linear")
    to_ir("ppocr_cls.onnx", "ppocr_cls")

    lin_in = [np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)]
    write_case("onnx_linear", "onnx", ["linear.onnx"], lin_in, run_ort("linear.onnx", lin_in))
    ty_in = [np.array([1.5, -2.25, 65504.0 / 4], np.float16),
             np.array([1.5, -2.25, 1e30], np.float32),
             np.array([1.5, -2.25, 1e300], np.float64),
             np.array([0, 7, 255], np.uint8),
             np.array([1, -2, 2**30 - 1], np.int32),
             np.array([1, -2, 2**62 - 1], np.int64)]
    write_case("onnx_types", "onnx", ["types.onnx"], ty_in, run_ort("types.onnx", ty_in))
    cls_in = [cls_input()]
    write_case("onnx_cls", "onnx", ["ppocr_cls.onnx"], cls_in, run_ort("ppocr_cls.onnx", cls_in))
    sil_in = silero_inputs()
    write_case("onnx_silero", "onnx", ["silero_vad.onnx"], sil_in,
               run_ort("silero_vad.onnx", sil_in))
    write_case("openvino_linear", "openvino", ["linear.xml", "linear.bin"], lin_in,
               run_ov("linear.xml", lin_in))
    write_case("openvino_cls", "openvino", ["ppocr_cls.xml", "ppocr_cls.bin"], cls_in,
               run_ov("ppocr_cls.xml", cls_in))
    # linear.pt (made by make-torchscript) has linear.onnx's weights: onnxruntime is its reference.
    write_case("pytorch_linear", "pytorch", ["linear.pt"], lin_in, run_ort("linear.onnx", lin_in))
    print(f"ml_models: wrote the made-up models and the reference cases into {OUT}")


main()
