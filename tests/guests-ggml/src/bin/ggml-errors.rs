//! Provokes every GGML errno through the public guest crate (and, where the crate hides the
//! value, the raw `wasi_ephemeral_nn` import): one line `case NAME: RESULT` per case, in a fixed
//! order, so the test can check each errno and that the guest keeps running afterwards.
//!
//! Usage: `ggml-errors MODEL.gguf` (a host path for `preload:`; run in the model's folder).

use ggml_guest::{errno_name, fail, hex, output, output_single};
use wasmedge_wasi_nn::{
    ExecutionTarget, Graph, GraphBuilder, GraphEncoding, GraphExecutionContext, TensorType,
};

#[link(wasm_import_module = "wasi_ephemeral_nn")]
unsafe extern "C" {
    #[link_name = "get_output"]
    fn raw_get_output(ctx: u32, index: u32, out: *mut u8, max: u32, written: *mut u32) -> u32;
    #[link_name = "get_output_single"]
    fn raw_get_output_single(
        ctx: u32,
        index: u32,
        out: *mut u8,
        max: u32,
        written: *mut u32,
    ) -> u32;
}

/// The context's handle (the crate prints it as `GraphExecutionContext#N`).
fn handle(ctx: &GraphExecutionContext) -> u32 {
    ctx.to_string()
        .rsplit('#')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| fail("no handle"))
}

fn load(builders: &[&[u8]]) -> Result<Graph, wasmedge_wasi_nn::Error> {
    GraphBuilder::new(GraphEncoding::Ggml, ExecutionTarget::CPU).build_from_bytes(builders)
}

fn report<T>(name: &str, r: Result<T, wasmedge_wasi_nn::Error>) {
    match r {
        Ok(_) => println!("case {name}: ok"),
        Err(e) => println!("case {name}: {}", errno_name(&e)),
    }
}

fn prompt(ctx: &mut GraphExecutionContext, p: &str) {
    ctx.set_input(0, TensorType::U8, &[1], p.as_bytes())
        .unwrap_or_else(|e| fail(&format!("set_input: {}", errno_name(&e))));
}

fn main() {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| fail("usage: ggml-errors MODEL.gguf"));
    let preload = format!("preload:{model}");
    let fox = "The quick brown fox jumps over the lazy dog. ";

    report("model_not_found", load(&[b"preload:no-such-model.gguf"]));
    report("not_a_gguf", load(&[b"hello, not a model"]));
    report("bad_config_json", load(&[preload.as_bytes(), b"{not json"]));
    report(
        "bad_config_type",
        load(&[preload.as_bytes(), br#"{"ctx-size": "big"}"#]),
    );
    report(
        "bad_config_value",
        load(&[preload.as_bytes(), br#"{"ctx-size": -5}"#]),
    );
    report(
        "unknown_key_ignored",
        load(&[
            preload.as_bytes(),
            br#"{"no-such-key": [1, 2], "ctx-size": 256}"#,
        ]),
    );

    let graph = load(&[preload.as_bytes(), br#"{"ctx-size": 256, "temp": 0.0}"#])
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init: {}", errno_name(&e))));
    report("compute_without_prompt", ctx.compute());
    report("output_single_before_compute", output_single(&ctx));
    report(
        "bad_metadata_json",
        ctx.set_input(1, TensorType::U8, &[1], b"{oops".as_slice()),
    );
    report(
        "bad_metadata_type",
        ctx.set_input(1, TensorType::U8, &[1], br#"{"n-predict": "8"}"#.as_slice()),
    );

    prompt(&mut ctx, &fox.repeat(22));
    report("prompt_too_long", ctx.compute());
    report("prompt_too_long_single", ctx.compute_single());

    prompt(&mut ctx, &fox.repeat(20));
    report("context_full", ctx.compute());
    let text = output(&ctx, 0).unwrap_or_default();
    println!("case context_full_text: {}", hex(&text));
    let mut n = 0;
    let end = loop {
        match ctx.compute_single() {
            Ok(()) => n += 1,
            Err(e) => break errno_name(&e),
        }
    };
    println!("case context_full_single: {end} after {n}");
    ctx.fini_single()
        .unwrap_or_else(|e| fail(&format!("fini_single: {}", errno_name(&e))));

    prompt(&mut ctx, "Hello");
    let mut n = 0;
    let end = loop {
        match ctx.compute_single() {
            Ok(()) => n += 1,
            Err(e) => break errno_name(&e),
        }
    };
    println!("case end_of_sequence_single: {end} after {n}");
    ctx.fini_single()
        .unwrap_or_else(|e| fail(&format!("fini_single: {}", errno_name(&e))));

    // Too-small buffers: too_large (7) and the size needed in bytes_written.
    report("compute_hello", ctx.compute());
    let h = handle(&ctx);
    for (name, index) in [("too_large_text", 0), ("too_large_metadata", 1)] {
        let mut buf = [0u8; 1];
        let mut written = 0u32;
        // SAFETY: `buf` and `written` are valid for the sizes passed.
        let e = unsafe { raw_get_output(h, index, buf.as_mut_ptr(), 1, &mut written) };
        let full = output(&ctx, index as usize).map(|v| v.len()).unwrap_or(0);
        println!("case {name}: errno {e} needed {written} full {full}");
    }
    prompt(&mut ctx, "Once upon a time");
    report("compute_single_once", ctx.compute_single());
    let mut written = 0u32;
    let mut buf = [0u8; 0];
    // SAFETY: a zero-length buffer; `written` is valid.
    let e = unsafe { raw_get_output_single(h, 0, buf.as_mut_ptr(), 0, &mut written) };
    let full = output_single(&ctx).map(|v| v.len()).unwrap_or(0);
    println!("case too_large_single: errno {e} needed {written} full {full}");
    // Hostile pointers: outside the guest memory.
    // SAFETY: the host checks the pointers; nothing is dereferenced here.
    let e = unsafe { raw_get_output(h, 0, (usize::MAX - 16) as *mut u8, 64, &mut written) };
    println!("case bad_output_pointer: errno {e}");
    // SAFETY: as above.
    let e = unsafe { raw_get_output(h, 0, buf.as_mut_ptr(), 16, usize::MAX as *mut u32) };
    println!("case bad_written_pointer: errno {e}");
    // Still usable after all of that.
    ctx.fini_single()
        .unwrap_or_else(|e| fail(&format!("fini_single: {}", errno_name(&e))));
    prompt(&mut ctx, "Hello");
    report("good_compute", ctx.compute());
    let meta = output(&ctx, 1).unwrap_or_default();
    println!("case good_metadata: {}", String::from_utf8_lossy(&meta));
}
