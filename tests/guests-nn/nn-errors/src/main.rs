//! `nn-errors.wasm`: calls `wasi_ephemeral_nn` directly (raw ABI, no guest crate) with bad
//! arguments and prints each errno as `case NAME: errno N`, then runs one good inference to
//! show the runtime kept going. Usage: `nn-errors MODEL.onnx INPUT.bin` (a `[1,4]` f32 model
//! with a `[1,2]` f32 output, e.g. the set-up's linear.onnx).

#[link(wasm_import_module = "wasi_ephemeral_nn")]
unsafe extern "C" {
    fn load(builders: u32, len: u32, encoding: u32, target: u32, graph: *mut u32) -> u32;
    fn load_by_name(name: *const u8, len: u32, graph: *mut u32) -> u32;
    fn init_execution_context(graph: u32, ctx: *mut u32) -> u32;
    fn set_input(ctx: u32, index: u32, tensor: *const Tensor) -> u32;
    fn compute(ctx: u32) -> u32;
    fn get_output(ctx: u32, index: u32, out: *mut u8, max: u32, written: *mut u32) -> u32;
}

/// WasmEdge's tensor layout: 5 × u32.
#[repr(C)]
struct Tensor {
    dims: *const u32,
    dims_len: u32,
    ty: u32,
    data: *const u8,
    data_len: u32,
}

const ONNX: u32 = 1;
const PYTORCH: u32 = 3;
const CPU: u32 = 0;
const F32: u32 = 1;
const I32: u32 = 4;

fn report(name: &str, errno: u32) {
    println!("case {name}: errno {errno}");
}

fn builders(model: &[u8]) -> [u32; 2] {
    [model.as_ptr() as u32, model.len() as u32]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = std::fs::read(&args[1]).expect("model file");
    let input = std::fs::read(&args[2]).expect("input file");
    let b = builders(&model);
    let mut g = 0u32;
    // SAFETY (all blocks): raw WASI-NN calls; the host bounds-checks every pointer.
    unsafe {
        report(
            "unknown_encoding",
            load(b.as_ptr() as u32, 1, 99, CPU, &mut g),
        );
        report(
            "missing_backend",
            load(b.as_ptr() as u32, 1, PYTORCH, CPU, &mut g),
        );
        report("bad_builder_array", load(0xFFFF_FFF0, 1, ONNX, CPU, &mut g));
        let wild = [0xFFFF_0000u32, 0x10_0000];
        report(
            "bad_builder_pointer",
            load(wild.as_ptr() as u32, 1, ONNX, CPU, &mut g),
        );
        report(
            "bad_graph_out_pointer",
            load(b.as_ptr() as u32, 1, ONNX, CPU, 0xFFFF_FFFE as *mut u32),
        );
        report("bad_target", load(b.as_ptr() as u32, 1, ONNX, 7, &mut g));
        let junk = b"this is not a model";
        let j = builders(junk);
        report("not_a_model", load(j.as_ptr() as u32, 1, ONNX, CPU, &mut g));
        let name = b"no-such-model";
        report(
            "unknown_preload",
            load_by_name(name.as_ptr(), name.len() as u32, &mut g),
        );
        let mut c = 0u32;
        report("bad_graph_handle", init_execution_context(12345, &mut c));

        assert_eq!(
            load(b.as_ptr() as u32, 1, ONNX, CPU, &mut g),
            0,
            "loading the model"
        );
        assert_eq!(init_execution_context(g, &mut c), 0);
        let dims = [1u32, 4];
        let mut t = Tensor {
            dims: dims.as_ptr(),
            dims_len: 2,
            ty: I32,
            data: input.as_ptr(),
            data_len: input.len() as u32,
        };
        report("wrong_tensor_type", set_input(c, 0, &t));
        t.ty = 42;
        report("unknown_tensor_type", set_input(c, 0, &t));
        t.ty = F32;
        t.data_len = 12;
        report("wrong_data_size", set_input(c, 0, &t));
        t.data_len = input.len() as u32;
        let bad_dims = [1u32, 3];
        let t3 = Tensor {
            dims: bad_dims.as_ptr(),
            dims_len: 2,
            ty: F32,
            data: input.as_ptr(),
            data_len: 12,
        };
        report("wrong_shape", set_input(c, 0, &t3));
        report("bad_input_index", set_input(c, 5, &t));
        report("bad_context_handle", set_input(777, 0, &t));
        report(
            "bad_tensor_pointer",
            set_input(c, 0, 0xFFFF_FFF0 as *const Tensor),
        );
        report("compute_without_input", compute(c));
        assert_eq!(set_input(c, 0, &t), 0, "set_input");
        assert_eq!(compute(c), 0, "compute");
        let mut small = [0u8; 4];
        let mut written = 0u32;
        let e = get_output(c, 0, small.as_mut_ptr(), 4, &mut written);
        println!("case output_too_small: errno {e} needed {written}");
        report(
            "bad_output_index",
            get_output(c, 9, small.as_mut_ptr(), 4, &mut written),
        );
        report(
            "bad_output_buffer",
            get_output(c, 0, 0xFFFF_FFF0 as *mut u8, 64, &mut written),
        );
        // Still running: a good read.
        let mut out = [0u8; 8];
        let e = get_output(c, 0, out.as_mut_ptr(), 8, &mut written);
        let v: Vec<f32> = out
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        println!("case good_output: errno {e} written {written} values {v:?}");
    }
}
