//! The llama.cpp side of the GGML backend (feature `llama`), on `llama-cpp-2`: the process-wide
//! llama backend and log gate, loading a model, one [`Session`] (a llama context with its own
//! KV cache and the model it came from), the sampler chain built as llama.cpp's
//! `common_sampler_init` builds it, and prompt/token evaluation with WasmEdge's checks
//! (`prompt_too_long` when the prompt leaves fewer than 4 free cells, `context_full` when a
//! token does not fit).
//!
//! Nothing here knows WASI-NN handles, guest memory or output formats (see `backend.rs`).

use crate::params::{FlashAttn, Params};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::logit_bias::LlamaLogitBias;
use std::ffi::{CStr, c_char, c_void};
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use wasmedge_plugin_sdk::nn::{NnErrno, NnError};

/// The one llama backend of the process (llama.cpp allows a single initialisation).
pub fn backend() -> &'static LlamaBackend {
    static BACKEND: OnceLock<LlamaBackend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        // SAFETY: the callback is a plain function that only reads a static and writes stderr;
        // it stays valid for the life of the process.
        unsafe { llama_cpp_sys_2::llama_log_set(Some(llama_log), std::ptr::null_mut()) };
        LlamaBackend::init().expect("the llama backend is initialised only here")
    })
}

/// Whether llama.cpp's own log lines reach stderr (`enable-log`; one gate for the process, as
/// in WasmEdge).
static LLAMA_LOG: AtomicBool = AtomicBool::new(false);

/// Opens or closes the llama.cpp log gate.
pub fn set_llama_log(enabled: bool) {
    LLAMA_LOG.store(enabled, Ordering::Relaxed);
}

unsafe extern "C" fn llama_log(
    _level: llama_cpp_sys_2::ggml_log_level,
    text: *const c_char,
    _: *mut c_void,
) {
    if !LLAMA_LOG.load(Ordering::Relaxed) || text.is_null() {
        return;
    }
    // SAFETY: llama.cpp passes a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(text) };
    eprint!("{}", text.to_string_lossy());
}

/// llama.cpp's build number and commit, as its `build-info` (in llama.cpp's common library)
/// reports them. llama-cpp-sys-2 builds the vendored sources outside git, so llama.cpp itself
/// reports 0 and "unknown" there; the plug-in passes on what llama.cpp says.
pub fn build_info() -> (i64, String) {
    unsafe extern "C" {
        // C++ functions of common/build-info.cpp (no extern "C" there): their mangled names.
        #[link_name = "_Z18llama_build_numberv"]
        fn llama_build_number() -> i32;
        #[link_name = "_Z12llama_commitv"]
        fn llama_commit() -> *const c_char;
    }
    // SAFETY: both take no arguments and return a number and a static NUL-terminated string.
    let (n, c) = unsafe { (llama_build_number(), llama_commit()) };
    let commit = if c.is_null() {
        String::new()
    } else {
        // SAFETY: `c` points at llama.cpp's static commit string.
        unsafe { CStr::from_ptr(c) }.to_string_lossy().into_owned()
    };
    (n as i64, commit)
}

fn runtime(what: &str, e: impl std::fmt::Display) -> NnError {
    NnError::runtime(format!("llama.cpp: {what}: {e}"))
}

/// Loads the GGUF model at `path` (memory-mapped unless `use-mmap` is false).
pub fn load_model(path: &Path, params: &Params) -> Result<Arc<LlamaModel>, NnError> {
    if !path.is_file() {
        return Err(NnError::new(
            NnErrno::MODEL_NOT_FOUND,
            format!("the model file {} does not exist", path.display()),
        ));
    }
    let mut magic = [0u8; 4];
    let is_gguf = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && &magic == b"GGUF";
    if !is_gguf {
        return Err(NnError::invalid_argument(format!(
            "{} is not a GGUF model (it does not start with \"GGUF\")",
            path.display()
        )));
    }
    let mut mp = LlamaModelParams::default()
        .with_use_mmap(params.use_mmap)
        .with_use_mlock(params.use_mlock);
    if params.n_gpu_layers >= 0 {
        mp = mp.with_n_gpu_layers(u32::try_from(params.n_gpu_layers).unwrap_or(u32::MAX));
    }
    let model = LlamaModel::load_from_file(backend(), path, &mp).map_err(|e| {
        NnError::invalid_argument(format!(
            "llama.cpp cannot load the model {}: {e} (a corrupt or unsupported GGUF file; \
             enable-log shows llama.cpp's reason)",
            path.display()
        ))
    })?;
    Ok(Arc::new(model))
}

/// Checks the numbers llama.cpp would assert on (a bad value must be an errno, not an abort).
pub fn check_params(p: &Params) -> Result<(), NnError> {
    let bad = |what: &str| Err(NnError::invalid_argument(format!("GGML metadata: {what}")));
    if !(0..=1 << 24).contains(&p.ctx_size) {
        return bad("ctx-size must be between 0 (the model's own) and 16777216");
    }
    if !(1..=1 << 24).contains(&p.batch_size) || !(1..=1 << 24).contains(&p.ubatch_size) {
        return bad("batch-size and ubatch-size must be between 1 and 16777216");
    }
    if !(-1..=1024).contains(&p.threads) || !(-1..=1024).contains(&p.threads_batch) {
        return bad("threads and threads-batch must be between -1 (all cores) and 1024");
    }
    if !(-1..=4).contains(&p.pooling_type) {
        return bad("pooling-type must be between -1 and 4");
    }
    Ok(())
}

/// A llama context of one model: its own KV cache, position and batch.
pub struct Session {
    // Declared before `model`: dropped first, while the model it points into is still alive.
    ctx: LlamaContext<'static>,
    model: Arc<LlamaModel>,
    batch: LlamaBatch<'static>,
    n_batch: usize,
    /// The next position in the KV cache.
    pub n_pos: i32,
}

// SAFETY: a llama context may be used from any thread, one thread at a time; the backend
// keeps each Session behind its execution context's mutex.
unsafe impl Send for Session {}

impl Session {
    /// A new llama context for `model` with the graph's parameters.
    pub fn new(model: &Arc<LlamaModel>, p: &Params) -> Result<Session, NnError> {
        check_params(p)?;
        let mut cp = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(p.ctx_size as u32))
            .with_n_batch(p.batch_size as u32)
            .with_n_ubatch(p.ubatch_size.min(p.batch_size) as u32)
            .with_n_threads(p.n_threads())
            .with_n_threads_batch(p.n_threads_batch())
            .with_embeddings(p.embedding)
            .with_pooling_type(LlamaPoolingType::from(p.pooling_type as i32))
            .with_flash_attention_policy(match p.flash_attn {
                FlashAttn::On => llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_ENABLED,
                FlashAttn::Off => llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_DISABLED,
                FlashAttn::Auto => llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_AUTO,
            });
        if p.rope_freq_base != 0.0 {
            cp = cp.with_rope_freq_base(p.rope_freq_base as f32);
        }
        if p.rope_freq_scale != 0.0 {
            cp = cp.with_rope_freq_scale(p.rope_freq_scale as f32);
        }
        // llama-cpp-2 notes that creating contexts of one model concurrently is unsound
        // (llama.cpp may write to the model): one at a time.
        static CREATE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = CREATE.lock().unwrap_or_else(|p| p.into_inner());
        let ctx = model
            .new_context(backend(), cp)
            .map_err(|e| runtime("cannot create a context (out of memory?)", e))?;
        // SAFETY: the context borrows the model; `Session` owns an `Arc` of that model and drops
        // the context first (field order), so the borrow never outlives the model.
        let ctx: LlamaContext<'static> = unsafe { std::mem::transmute(ctx) };
        let n_batch = (ctx.n_batch() as usize).clamp(1, p.batch_size as usize);
        Ok(Session {
            ctx,
            model: model.clone(),
            batch: LlamaBatch::new(n_batch, 1),
            n_batch,
            n_pos: 0,
        })
    }

    /// The model.
    pub fn model(&self) -> &Arc<LlamaModel> {
        &self.model
    }

    /// The context size in tokens.
    pub fn n_ctx(&self) -> usize {
        self.ctx.n_ctx() as usize
    }

    /// The largest batch one decode takes.
    pub fn n_batch(&self) -> usize {
        self.n_batch
    }

    /// Empties the KV cache and rewinds to position 0.
    pub fn clear(&mut self) {
        self.ctx.clear_kv_cache();
        self.n_pos = 0;
    }

    /// Evaluates the prompt: `prompt_too_long` if it leaves fewer than 4 free cells.
    pub fn evaluate_prompt(&mut self, tokens: &[LlamaToken], what: &str) -> Result<(), NnError> {
        if tokens.is_empty() {
            return Err(NnError::invalid_argument(format!(
                "{what}: the prompt (input 0) is not set"
            )));
        }
        let max = self.n_ctx().saturating_sub(4);
        if tokens.len() > max {
            return Err(NnError::new(
                NnErrno::PROMPT_TOO_LONG,
                format!(
                    "{what}: the prompt is too long: it has {} tokens, at most {max} fit the \
                     context of {} (ctx-size)",
                    tokens.len(),
                    self.n_ctx()
                ),
            ));
        }
        self.evaluate(tokens, what)
    }

    /// Decodes `tokens` at the current position in batches, with logits for the last one:
    /// `context_full` if they do not fit.
    pub fn evaluate(&mut self, tokens: &[LlamaToken], what: &str) -> Result<(), NnError> {
        let n_ctx = self.n_ctx();
        if self.n_pos as usize + tokens.len() > n_ctx {
            return Err(NnError::new(
                NnErrno::CONTEXT_FULL,
                format!(
                    "{what}: the context is full ({} of {n_ctx} tokens): increase ctx-size",
                    self.n_pos as usize + tokens.len()
                ),
            ));
        }
        for (i, chunk) in tokens.chunks(self.n_batch).enumerate() {
            let last_chunk = (i + 1) * self.n_batch >= tokens.len();
            self.batch.clear();
            for (k, t) in chunk.iter().enumerate() {
                let logits = last_chunk && k + 1 == chunk.len();
                self.batch
                    .add(*t, self.n_pos + k as i32, &[0], logits)
                    .map_err(|e| runtime(what, e))?;
            }
            self.ctx.decode(&mut self.batch).map_err(|e| {
                runtime(
                    what,
                    format!(
                        "{e}: llama_decode failed (try a smaller batch-size or a larger ctx-size)"
                    ),
                )
            })?;
            self.n_pos += chunk.len() as i32;
        }
        Ok(())
    }

    /// Samples the next token from the last logits with `sampler` (which accepts it).
    pub fn sample(&mut self, sampler: &mut Sampler) -> LlamaToken {
        sampler.0.sample(&self.ctx, -1)
    }

    /// The embedding of the last evaluated token: the pooled sequence embedding when the
    /// context pools, otherwise the last token's.
    pub fn embedding(&self) -> Result<Vec<f32>, NnError> {
        if let Ok(e) = self.ctx.embeddings_seq_ith(0) {
            return Ok(e.to_vec());
        }
        let last = self.batch.n_tokens() - 1;
        self.ctx
            .embeddings_ith(last)
            .map(<[f32]>::to_vec)
            .map_err(|e| runtime("no embedding for the last token", e))
    }

    /// The text of `token` (special tokens rendered), as `common_token_to_piece` gives it.
    pub fn piece(&self, token: LlamaToken) -> Vec<u8> {
        self.model.vocab().token_to_piece(token, true, None)
    }
}

/// The sampler chain llama.cpp's `common_sampler_init` builds for these parameters (the
/// grammar first, so it constrains the candidates; the model's suppressed tokens; then the
/// configured samplers and a final distribution draw, or mirostat).
pub fn sampler(model: &LlamaModel, p: &Params) -> Result<Sampler, NnError> {
    let s = &p.sampling;
    let seed = s.seed as u32;
    let n_vocab = model.n_vocab();
    let mut chain = Vec::new();
    if !s.grammar.is_empty() {
        chain.push(
            LlamaSampler::grammar(model, &s.grammar, "root").map_err(|e| {
                NnError::invalid_argument(format!("GGML metadata: the grammar does not parse: {e}"))
            })?,
        );
    }
    let vocab = model.vocab();
    let suppress: Vec<LlamaLogitBias> = vocab
        .suppress_tokens()
        .iter()
        .map(|t| LlamaLogitBias::new(*t, f32::NEG_INFINITY))
        .collect();
    if !suppress.is_empty() {
        chain.push(LlamaSampler::logit_bias(n_vocab, &suppress));
    }
    // Greedy settings (temp ≤ 0, no penalty, no DRY, no XTC, no mirostat): the full chain keeps
    // only the most likely token (temp_ext drops every other one, the cut-offs never drop the
    // top one), so a plain argmax picks the same token without sorting the vocabulary.
    let neutral = s.penalty_repeat == 1.0 && s.penalty_freq == 0.0 && s.penalty_present == 0.0;
    if s.temp <= 0.0
        && s.mirostat == 0
        && neutral
        && s.dry_multiplier == 0.0
        && s.xtc_probability == 0.0
    {
        chain.push(LlamaSampler::greedy());
        return Ok(Sampler(LlamaSampler::chain_simple(chain)));
    }
    match s.mirostat {
        0 => {
            chain.push(LlamaSampler::penalties(
                n_vocab,
                s.penalty_last_n as i32,
                s.penalty_repeat as f32,
                s.penalty_freq as f32,
                s.penalty_present as f32,
            ));
            chain.push(LlamaSampler::dry(
                model,
                s.dry_multiplier as f32,
                s.dry_base as f32,
                s.dry_allowed_length as i32,
                s.dry_penalty_last_n as i32,
                ["\n", ":", "\"", "*"],
            ));
            chain.push(LlamaSampler::top_n_sigma(-1.0));
            chain.push(LlamaSampler::top_k(s.top_k as i32));
            chain.push(LlamaSampler::typical(s.typ_p as f32, s.min_keep as usize));
            chain.push(LlamaSampler::top_p(s.top_p as f32, s.min_keep as usize));
            chain.push(LlamaSampler::min_p(s.min_p as f32, s.min_keep as usize));
            chain.push(LlamaSampler::xtc(
                s.xtc_probability as f32,
                s.xtc_threshold as f32,
                s.min_keep as usize,
                seed,
            ));
            chain.push(LlamaSampler::temp_ext(
                s.temp as f32,
                s.dynatemp_range as f32,
                s.dynatemp_exponent as f32,
            ));
            chain.push(LlamaSampler::dist(seed));
        }
        1 => {
            chain.push(LlamaSampler::temp(s.temp as f32));
            chain.push(LlamaSampler::mirostat(
                n_vocab,
                seed,
                s.mirostat_tau as f32,
                s.mirostat_eta as f32,
                100,
            ));
        }
        _ => {
            chain.push(LlamaSampler::temp(s.temp as f32));
            chain.push(LlamaSampler::mirostat_v2(
                seed,
                s.mirostat_tau as f32,
                s.mirostat_eta as f32,
            ));
        }
    }
    Ok(Sampler(LlamaSampler::chain_simple(chain)))
}

/// A sampler chain that may move between threads.
pub struct Sampler(pub LlamaSampler);

// SAFETY: a llama sampler is plain state (no thread affinity); each one is used by one
// execution context at a time, behind that context's mutex.
unsafe impl Send for Sampler {}

/// Converts a JSON schema to a GBNF grammar (llama.cpp's converter).
pub fn json_schema_to_grammar(schema: &str) -> Result<String, String> {
    llama_cpp_2::json_schema_to_grammar(schema).map_err(|e| e.to_string())
}
