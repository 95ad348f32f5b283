//! The runtime side of `cargo xtask bench-ggml`: prompt processing and generation speed through
//! the WASI-NN calls a LlamaEdge guest makes. The prompt is `The quick brown fox jumps over the
//! lazy dog. ` repeated K times (the native driver uses the same text); generation runs N
//! `compute_single` calls with `ignore-eos`, so every run makes N tokens.
//!
//! Usage: `ggml-bench GRAPH-OPTIONS K N REPEATS`. Prints one JSON line with the best run's
//! `pp_tps` (prompt tokens / time of the first `compute_single`, which evaluates the prompt)
//! and `tg_tps` (N-1 tokens / time of the other calls).

use ggml_guest::{Options, errno_name, fail, output};
use std::time::Instant;

fn main() {
    let o = Options::from_args();
    let [k, n, reps] = o.rest.as_slice() else {
        fail("usage: ggml-bench GRAPH-OPTIONS K N REPEATS")
    };
    let (k, n, reps): (usize, usize, usize) = (
        k.parse().unwrap(),
        n.parse().unwrap(),
        reps.parse().unwrap(),
    );
    let graph = o
        .graph()
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init_execution_context: {}", errno_name(&e))));
    let prompt = "The quick brown fox jumps over the lazy dog. ".repeat(k);
    let (mut best_pp, mut best_tg, mut n_prompt) = (0.0f64, 0.0f64, 0u64);
    for _ in 0..reps {
        o.set_prompt(&mut ctx, &prompt)
            .unwrap_or_else(|e| fail(&format!("set_input: {}", errno_name(&e))));
        let t = Instant::now();
        ctx.compute_single()
            .unwrap_or_else(|e| fail(&format!("compute_single: {}", errno_name(&e))));
        let pp_time = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 1..n {
            ctx.compute_single()
                .unwrap_or_else(|e| fail(&format!("compute_single: {}", errno_name(&e))));
        }
        let tg = (n - 1) as f64 / t.elapsed().as_secs_f64();
        let meta =
            output(&ctx, 1).unwrap_or_else(|e| fail(&format!("get_output: {}", errno_name(&e))));
        let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap_or_default();
        n_prompt = meta["input_tokens"].as_u64().unwrap_or(0);
        assert_eq!(meta["output_tokens"].as_u64(), Some(n as u64));
        ctx.fini_single()
            .unwrap_or_else(|e| fail(&format!("fini_single: {}", errno_name(&e))));
        best_pp = best_pp.max(n_prompt as f64 / pp_time);
        best_tg = best_tg.max(tg);
    }
    println!(
        "{}",
        serde_json::json!({"prompt_tokens": n_prompt, "gen_tokens": n, "pp_tps": best_pp, "tg_tps": best_tg})
    );
}
