//! The native llama.cpp driver: llama-cpp-2 called directly, with none of the plug-in's or the
//! runtime's code, so its results are llama.cpp's own. Three commands:
//!
//! - `reference MODEL OUT.json`: greedy decoding of the fixed cases below (prompt, context size,
//!   token limit), writing each case's prompt tokens, generated tokens, their pieces (hex) and
//!   whether it ended on end-of-sequence, plus the last-token embedding of the embedding cases.
//!   `.ci/setup-ml` runs it; the `nn_ggml_*` tests compare the plug-in with it token for token.
//! - `generate MODEL PROMPT N_PREDICT CTX`: one greedy run, printed as JSON.
//! - `bench MODEL K GEN_TOKENS REPEATS`: prompt-processing (the prompt is `FOX` × K) and
//!   generation tokens/s (the native side of `cargo xtask bench-ggml`), one JSON line.
//!
//! Threads: every core this process may use (as the plug-in's default), or GGML_NATIVE_THREADS.
//!
//! It must stay independent of the plug-in: it is the yardstick.

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::time::Instant;

/// The prompt of the `context_full` case: 242 tokens, so 15 generated tokens fill the context
/// of 256 (llama.cpp rounds context sizes up to 256 cells).
const FOX: &str = "The quick brown fox jumps over the lazy dog. ";

/// (name, prompt, prompt repeats, ctx-size, n-predict) of the generation cases.
const CASES: &[(&str, &str, usize, u32, i32)] = &[
    ("once", "Once upon a time", 1, 256, 48),
    ("chat", "<s>[INST] What is WebAssembly? [/INST]", 1, 256, -1),
    (
        "chat_cat",
        "<s>[INST] Tell me a story about a cat. [/INST]",
        1,
        256,
        -1,
    ),
    ("hello", "Hello", 1, 256, -1),
    ("unicode", "Grüße, 世界! 🦀", 1, 256, -1),
    ("context_full", FOX, 20, 256, -1),
];

/// (name, prompt) of the embedding cases.
const EMBED_CASES: &[(&str, &str)] = &[("embed", "WebAssembly runs everywhere.")];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn die(msg: String) -> ! {
    eprintln!("ggml-native: {msg}");
    std::process::exit(1)
}

struct Run {
    prompt_tokens: Vec<LlamaToken>,
    tokens: Vec<LlamaToken>,
    pieces: Vec<Vec<u8>>,
    eos: bool,
    context_full: bool,
    n_ctx: usize,
}

/// Greedy decoding until EOS, `n_predict` tokens or a full context (WasmEdge's loop: every
/// sampled token is kept; the loop ends on EOS, or when the next token has no room).
fn generate(
    backend: &LlamaBackend,
    model: &LlamaModel,
    prompt: &str,
    ctx_size: u32,
    n_predict: i32,
) -> Run {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(ctx_size))
        .with_n_threads(threads())
        .with_n_threads_batch(threads());
    let mut ctx = model
        .new_context(backend, params)
        .unwrap_or_else(|e| die(format!("context: {e}")));
    let n_ctx = ctx.n_ctx() as usize;
    let vocab = model.vocab();
    let prompt_tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    let n_batch = ctx.n_batch() as usize;
    let mut batch = LlamaBatch::new(n_batch.max(1), 1);
    let mut pos = 0i32;
    for (i, chunk) in prompt_tokens.chunks(n_batch).enumerate() {
        batch.clear();
        for (k, t) in chunk.iter().enumerate() {
            let last = i * n_batch + k + 1 == prompt_tokens.len();
            batch.add(*t, pos + k as i32, &[0], last).unwrap();
        }
        ctx.decode(&mut batch)
            .unwrap_or_else(|e| die(format!("decode: {e}")));
        pos += chunk.len() as i32;
    }
    let mut sampler = LlamaSampler::greedy();
    let mut run = Run {
        prompt_tokens,
        tokens: Vec::new(),
        pieces: Vec::new(),
        eos: false,
        context_full: false,
        n_ctx,
    };
    let limit = if n_predict < 0 { i32::MAX } else { n_predict };
    for _ in 0..limit {
        let t = sampler.sample(&ctx, -1);
        run.tokens.push(t);
        run.pieces.push(vocab.token_to_piece(t, true, None));
        if vocab.is_eog(t) {
            run.eos = true;
            break;
        }
        if pos as usize + 1 > n_ctx {
            run.context_full = true;
            break;
        }
        batch.clear();
        batch.add(t, pos, &[0], true).unwrap();
        ctx.decode(&mut batch)
            .unwrap_or_else(|e| die(format!("decode: {e}")));
        pos += 1;
    }
    run
}

/// The embedding of the prompt's last token, Euclidean-normalised (WasmEdge's default).
fn embed(backend: &LlamaBackend, model: &LlamaModel, prompt: &str) -> Vec<f32> {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(256))
        .with_n_threads(threads())
        .with_n_threads_batch(threads())
        .with_embeddings(true);
    let mut ctx = model
        .new_context(backend, params)
        .unwrap_or_else(|e| die(format!("context: {e}")));
    let tokens = model.vocab().tokenize(prompt.as_bytes(), true, true);
    let mut batch = LlamaBatch::new(tokens.len(), 1);
    for (i, t) in tokens.iter().enumerate() {
        batch
            .add(*t, i as i32, &[0], i + 1 == tokens.len())
            .unwrap();
    }
    ctx.decode(&mut batch)
        .unwrap_or_else(|e| die(format!("decode: {e}")));
    let e = ctx
        .embeddings_ith(tokens.len() as i32 - 1)
        .unwrap_or_else(|e| die(format!("embedding: {e}")));
    let sum: f64 = e.iter().map(|v| (v * v) as f64).sum::<f64>().sqrt();
    let scale = if sum > 0.0 { (1.0 / sum) as f32 } else { 0.0 };
    e.iter().map(|v| v * scale).collect()
}

fn threads() -> i32 {
    std::env::var("GGML_NATIVE_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() as i32)
                .unwrap_or(1)
        })
}

fn run_json(name: &str, prompt: &str, ctx: u32, n_predict: i32, r: &Run) -> Value {
    json!({
        "name": name,
        "prompt": prompt,
        "ctx_size": ctx,
        "n_predict": n_predict,
        "prompt_tokens": r.prompt_tokens.iter().map(|t| t.0).collect::<Vec<_>>(),
        "tokens": r.tokens.iter().map(|t| t.0).collect::<Vec<_>>(),
        "pieces": r.pieces.iter().map(|p| hex(p)).collect::<Vec<_>>(),
        "eos": r.eos,
        "context_full": r.context_full,
        "n_ctx": r.n_ctx,
    })
}

/// Prompt processing of `FOX` × `k`, then `n_gen` greedy tokens (end of sequence ignored),
/// `repeats` times; the best run's rates (the runtime side, `ggml-bench.wasm`, does the same).
fn bench(
    backend: &LlamaBackend,
    model: &LlamaModel,
    k: usize,
    n_gen: usize,
    repeats: usize,
) -> Value {
    let vocab = model.vocab();
    let prompt = vocab.tokenize(FOX.repeat(k).as_bytes(), true, true);
    let n_prompt = prompt.len();
    let (mut best_pp, mut best_tg) = (0.0f64, 0.0f64);
    for _ in 0..repeats {
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(((n_prompt + n_gen + 8) as u32).max(1024)))
            .with_n_threads(threads())
            .with_n_threads_batch(threads());
        let mut ctx = model
            .new_context(backend, params)
            .unwrap_or_else(|e| die(format!("context: {e}")));
        let n_batch = ctx.n_batch() as usize;
        let mut batch = LlamaBatch::new(n_batch, 1);
        let start = Instant::now();
        let mut pos = 0i32;
        for (i, chunk) in prompt.chunks(n_batch).enumerate() {
            batch.clear();
            for (k, t) in chunk.iter().enumerate() {
                let last = i * n_batch + k + 1 == prompt.len();
                batch.add(*t, pos + k as i32, &[0], last).unwrap();
            }
            ctx.decode(&mut batch).unwrap();
            pos += chunk.len() as i32;
        }
        // As the runtime side measures it: the first `compute_single` evaluates the prompt and
        // then samples and evaluates the first token; generation is the other n-1 tokens.
        let mut sampler = LlamaSampler::greedy();
        let mut step = |ctx: &mut llama_cpp_2::context::LlamaContext<'_>, pos: &mut i32| {
            let t = sampler.sample(ctx, -1);
            batch.clear();
            batch.add(t, *pos, &[0], true).unwrap();
            ctx.decode(&mut batch).unwrap();
            *pos += 1;
        };
        step(&mut ctx, &mut pos);
        let pp = prompt.len() as f64 / start.elapsed().as_secs_f64();
        let start = Instant::now();
        for _ in 1..n_gen {
            step(&mut ctx, &mut pos);
        }
        let tg = (n_gen - 1) as f64 / start.elapsed().as_secs_f64();
        best_pp = best_pp.max(pp);
        best_tg = best_tg.max(tg);
    }
    json!({"prompt_tokens": prompt.len(), "gen_tokens": n_gen, "pp_tps": best_pp, "tg_tps": best_tg, "threads": threads()})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = LlamaBackend::init().unwrap_or_else(|e| die(format!("backend: {e}")));
    // llama.cpp logs every load to stderr; keep the output readable.
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
    let load = |path: &str| {
        LlamaModel::load_from_file(&backend, path, &LlamaModelParams::default())
            .unwrap_or_else(|e| die(format!("cannot load {path}: {e}")))
    };
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["reference", model, out] => {
            let m = load(model);
            let mut cases = Vec::new();
            for (name, prompt, repeats, ctx, n) in CASES {
                let prompt = prompt.repeat(*repeats);
                let run = generate(&backend, &m, &prompt, *ctx, *n);
                cases.push(run_json(name, &prompt, *ctx, *n, &run));
            }
            let embeds: Vec<Value> = EMBED_CASES
                .iter()
                .map(|(name, prompt)| json!({"name": name, "prompt": prompt, "embedding": embed(&backend, &m, prompt)}))
                .collect();
            let doc = json!({"model": model, "cases": cases, "embeddings": embeds});
            std::fs::write(out, serde_json::to_string_pretty(&doc).unwrap())
                .unwrap_or_else(|e| die(format!("cannot write {out}: {e}")));
            println!("ggml-native: wrote the greedy references of {} cases to {out}", CASES.len());
        }
        ["generate", model, prompt, n, ctx] => {
            let m = load(model);
            let (n, ctx) = (n.parse().unwrap(), ctx.parse().unwrap());
            println!("{}", run_json("generate", prompt, ctx, n, &generate(&backend, &m, prompt, ctx, n)));
        }
        ["bench", model, pp, tg, reps] => {
            let m = load(model);
            println!("{}", bench(&backend, &m, pp.parse().unwrap(), tg.parse().unwrap(), reps.parse().unwrap()));
        }
        _ => die("usage: ggml-native reference MODEL OUT.json | generate MODEL PROMPT N_PREDICT CTX | bench MODEL K GEN_TOKENS REPEATS".into()),
    }
}
