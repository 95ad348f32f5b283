//! The GGML backend (feature `llama`): WasmEdge's GGML contract on top of [`engine`].
//!
//! - `load`: builder 0 is the GGUF bytes (written to a private temporary file that llama.cpp
//!   memory-maps; the file is removed once loaded) or `preload:<path>`; builder 1, if present, is
//!   the metadata JSON. `--nn-preload alias:GGML:AUTO:model.gguf` loads from the path (no copy).
//!   A missing file is `model_not_found`; a file that is not a usable GGUF is `invalid_argument`.
//!   The target is ignored, as in WasmEdge (this build has only llama.cpp's CPU backend).
//! - `set_input(1)`: metadata JSON (reload rules in `params.rs`); any other index is the prompt
//!   (bytes, tokenised with special tokens added and parsed), which also clears the KV cache and
//!   ends a single-token session.
//! - `compute`: clears the context, evaluates the prompt (`prompt_too_long`) and samples until
//!   end of sequence (success), `n-predict` tokens, a reverse prompt, or a full context
//!   (`context_full`); in embedding mode it computes the embedding instead.
//! - `get_output(1)` is the output metadata; any other index is the text (or embedding JSON).
//! - `compute_single` / `get_output_single` / `fini_single`: one token per call, ending with
//!   `end_of_sequence` or `context_full`.
//!
//! One deliberate difference: WasmEdge keeps one llama context per graph, shared by all its
//! execution contexts; here every execution context has its own (its own KV cache), so
//! contexts of one graph can run side by side. A guest that uses one context at a time sees
//! the same results.

use crate::engine::{self, Sampler, Session};
use crate::output;
use crate::params::{Conf, Params, parse_json};
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmedge_plugin_sdk::InitContext;
use wasmedge_plugin_sdk::abi_stable::std_types::RStr;
use wasmedge_plugin_sdk::host::{HostApiRef, LogLevel};
use wasmedge_plugin_sdk::nn::{
    ExecutionTarget, GraphEncoding, NnBackend, NnErrno, NnError, TensorRef, copy_output,
};

/// The backend: the runtime's logger.
pub struct Ggml {
    api: HostApiRef,
}

/// A loaded model and the parameters it was loaded with.
pub struct Graph {
    state: Mutex<GraphState>,
    path: PathBuf,
}

struct GraphState {
    params: Params,
    conf: Conf,
    model: Arc<LlamaModel>,
    /// The llama context made at load time (to report bad parameters then, as WasmEdge does),
    /// handed to the first execution context.
    spare: Option<Session>,
}

/// An execution context.
pub struct Context {
    graph: Arc<Graph>,
    conf: Conf,
    params: Params,
    session: Option<Session>,
    sampler: Option<Sampler>,
    /// False after a failed reload in `set_input(1)` (WasmEdge's invalid graph state).
    ready: bool,
    inputs: Vec<LlamaToken>,
    outputs: Vec<u8>,
    output_tokens: Vec<LlamaToken>,
    single_started: bool,
}

impl Ggml {
    fn log(&self, level: LogLevel, message: &str) {
        // SAFETY: the runtime's log function takes any string.
        unsafe { (self.api.log())(level, RStr::from_str(message)) }
    }
    fn info(&self, p: &Params, message: &str) {
        if p.enable_log || p.enable_debug_log {
            self.log(
                LogLevel::INFO,
                &format!("[WASI-NN] GGML backend: {message}"),
            );
        }
    }
}

/// The path of a model given as bytes: a fresh private file under the temporary folder.
fn write_temp_model(bytes: &[u8]) -> Result<PathBuf, NnError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "wasmedge-ggml-{}-{}.gguf",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| NnError::runtime(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(bytes).and_then(|_| f.flush()).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        NnError::runtime(format!("cannot write the model to {}: {e}", path.display()))
    })?;
    Ok(path)
}

fn not_supported(p: &Params) -> Result<(), NnError> {
    if p.tts {
        return Err(NnError::unsupported(
            "GGML metadata: text-to-speech (tts) is not supported by this plug-in",
        ));
    }
    Ok(())
}

impl Ggml {
    fn load_path(&self, path: &Path, metadata: Option<&[u8]>) -> Result<Graph, NnError> {
        let mut params = Params::default();
        let mut conf = Conf::default();
        if let Some(m) = metadata {
            let json = parse_json(m)?;
            params.apply(&mut conf, &json, &engine::json_schema_to_grammar)?;
        }
        not_supported(&params)?;
        engine::check_params(&params)?;
        engine::set_llama_log(params.enable_log);
        let (build, commit) = engine::build_info();
        self.info(&params, &format!("LLAMA_COMMIT {commit}"));
        self.info(&params, &format!("LLAMA_BUILD_NUMBER {build}"));
        let model = engine::load_model(path, &params)?;
        let spare = Session::new(&model, &params)?;
        Ok(Graph {
            state: Mutex::new(GraphState {
                params,
                conf,
                model,
                spare: Some(spare),
            }),
            path: path.to_path_buf(),
        })
    }
}

impl Context {
    fn session(&mut self) -> Result<&mut Session, NnError> {
        self.session
            .as_mut()
            .ok_or_else(|| NnError::invalid_argument("the llama context failed to load"))
    }

    /// WasmEdge's `clearContext`: empty KV cache, reset sampler, no outputs.
    fn clear(&mut self) -> Result<(), NnError> {
        self.session()?.clear();
        if let Some(s) = &mut self.sampler {
            s.0.reset();
        }
        self.outputs.clear();
        self.output_tokens.clear();
        Ok(())
    }

    /// Samples one token and evaluates it (WasmEdge's `sampleOutput`). `end_of_sequence` on EOS
    /// (or, outside single mode, the reverse prompt).
    fn sample(&mut self, single: bool) -> Result<(), NnError> {
        let (Some(session), Some(sampler)) = (self.session.as_mut(), self.sampler.as_mut()) else {
            return Err(NnError::invalid_argument(
                "the llama context or sampler failed to load",
            ));
        };
        let token = session.sample(sampler);
        self.output_tokens.push(token);
        let piece = session.piece(token);
        self.outputs.extend_from_slice(&piece);
        if !single {
            if self.conf.stream_stdout {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&piece).and_then(|_| out.flush());
            }
            if !self.conf.reverse_prompt.is_empty()
                && String::from_utf8_lossy(&self.outputs).contains(&self.conf.reverse_prompt)
            {
                return Err(NnError::new(
                    NnErrno::END_OF_SEQUENCE,
                    "the reverse prompt was generated",
                ));
            }
        }
        if !self.params.sampling.ignore_eos && session.model().vocab().is_eog(token) {
            return Err(NnError::new(NnErrno::END_OF_SEQUENCE, "end of sequence"));
        }
        session.evaluate(&[token], "compute")
    }

    fn embedding(&mut self) -> Result<(), NnError> {
        let n_batch = self.session()?.n_batch();
        if self.inputs.len() > n_batch {
            return Err(NnError::new(
                NnErrno::PROMPT_TOO_LONG,
                format!(
                    "embedding: the prompt has {} tokens, more than the batch size {n_batch}: \
                     shorten it or raise batch-size",
                    self.inputs.len()
                ),
            ));
        }
        let inputs = std::mem::take(&mut self.inputs);
        let r = self.session()?.evaluate_prompt(&inputs, "embedding");
        self.inputs = inputs;
        r?;
        let raw = self.session()?.embedding()?;
        let values = output::normalize(&raw, self.params.embd_normalize);
        self.outputs = output::embedding(&values).into_bytes();
        Ok(())
    }

    fn evaluate_input(&mut self, what: &str) -> Result<(), NnError> {
        let inputs = std::mem::take(&mut self.inputs);
        let r = self.session()?.evaluate_prompt(&inputs, what);
        self.inputs = inputs;
        r
    }

    fn metadata(&self) -> Vec<u8> {
        let (build, commit) = engine::build_info();
        output::metadata(self.inputs.len(), self.output_tokens.len(), build, &commit).into_bytes()
    }
}

fn is_eos(e: &NnError) -> bool {
    e.code == NnErrno::END_OF_SEQUENCE
}

impl NnBackend for Ggml {
    type Graph = Graph;
    type Context = Context;

    fn create(init: &InitContext) -> Result<Self, String> {
        engine::backend();
        Ok(Ggml { api: init.api() })
    }

    fn load(
        &self,
        builders: &[&[u8]],
        _: GraphEncoding,
        _: ExecutionTarget,
    ) -> Result<Graph, NnError> {
        let Some(model) = builders.first() else {
            return Err(NnError::invalid_argument(
                "the ggml encoding takes the model (GGUF bytes or \"preload:<path>\") and an \
                 optional metadata JSON",
            ));
        };
        if builders.len() > 2 {
            return Err(NnError::invalid_argument(format!(
                "the ggml encoding takes at most 2 builders (model, metadata), not {}",
                builders.len()
            )));
        }
        let metadata = builders.get(1).copied();
        if let Some(path) = model.strip_prefix(b"preload:") {
            let path = std::str::from_utf8(path)
                .map_err(|_| NnError::invalid_argument("the preload: path is not UTF-8"))?;
            return self.load_path(Path::new(path), metadata);
        }
        if !model.starts_with(b"GGUF") {
            return Err(NnError::invalid_argument(
                "builder 0 is neither a GGUF model (it does not start with \"GGUF\") nor \
                 \"preload:<path>\"",
            ));
        }
        let path = write_temp_model(model)?;
        let graph = self.load_path(&path, metadata);
        // llama.cpp has mapped (or read) the file: its name is no longer needed.
        let _ = std::fs::remove_file(&path);
        graph
    }

    fn load_from_paths(
        &self,
        paths: &[&str],
        _: GraphEncoding,
        _: ExecutionTarget,
        config: &str,
    ) -> Result<Graph, NnError> {
        let [path] = paths else {
            return Err(NnError::invalid_argument(format!(
                "a ggml preload names one GGUF file, not {}",
                paths.len()
            )));
        };
        let config = (!config.is_empty()).then_some(config.as_bytes());
        self.load_path(Path::new(path), config)
    }

    fn init_execution_context(&self, graph: &Arc<Graph>) -> Result<Context, NnError> {
        let (params, conf, model, spare) = {
            let mut g = graph.state.lock().unwrap_or_else(|p| p.into_inner());
            (
                g.params.clone(),
                g.conf.clone(),
                g.model.clone(),
                g.spare.take(),
            )
        };
        let session = match spare {
            Some(s) => s,
            None => Session::new(&model, &params)?,
        };
        let sampler = engine::sampler(&model, &params)?;
        self.info(&params, &format!("model {}", graph.path.display()));
        Ok(Context {
            graph: graph.clone(),
            conf,
            params,
            session: Some(session),
            sampler: Some(sampler),
            ready: true,
            inputs: Vec::new(),
            outputs: Vec::new(),
            output_tokens: Vec::new(),
            single_started: false,
        })
    }

    fn set_input(&self, ctx: &mut Context, index: u32, t: &TensorRef<'_>) -> Result<(), NnError> {
        let data = t.data.as_slice();
        if index == 1 {
            let json = parse_json(data)?;
            let (params, changes, model) = {
                let mut g = ctx.graph.state.lock().unwrap_or_else(|p| p.into_inner());
                let mut params = g.params.clone();
                let changes =
                    params.apply(&mut ctx.conf, &json, &engine::json_schema_to_grammar)?;
                not_supported(&params)?;
                engine::check_params(&params)?;
                g.params = params.clone();
                (params, changes, g.model.clone())
            };
            engine::set_llama_log(params.enable_log);
            ctx.params = params;
            // n-gpu-layers changes would make WasmEdge reload the model: this build has only
            // the CPU backend, where the reloaded model would be the same, so it is kept.
            if changes.context || ctx.session.is_none() {
                self.info(&ctx.params, "reload the llama context (parameters changed)");
                ctx.session = None;
                match Session::new(&model, &ctx.params) {
                    Ok(s) => ctx.session = Some(s),
                    Err(e) => {
                        ctx.ready = false;
                        return Err(e);
                    }
                }
            }
            if changes.sampler || ctx.sampler.is_none() {
                ctx.sampler = None;
                match engine::sampler(&model, &ctx.params) {
                    Ok(s) => ctx.sampler = Some(s),
                    Err(e) => {
                        ctx.ready = false;
                        return Err(e);
                    }
                }
            }
            ctx.ready = true;
            return Ok(());
        }
        if !ctx.ready {
            return Err(NnError::invalid_argument(
                "the graph is not usable after a failed reload: set input 1 (metadata) again",
            ));
        }
        if !ctx.conf.image.is_empty()
            || (data.windows(11).any(|w| w == b"data:image/")
                && data.windows(8).any(|w| w == b";base64,"))
        {
            return Err(NnError::invalid_argument(
                "image input needs a multimodal projector (mmproj), which this plug-in does not \
                 support",
            ));
        }
        let session = ctx.session()?;
        session.clear();
        ctx.inputs = session.model().vocab().tokenize(data, true, true);
        ctx.single_started = false;
        Ok(())
    }

    fn compute(&self, ctx: &mut Context) -> Result<(), NnError> {
        ctx.clear()?;
        if ctx.params.embedding {
            return ctx.embedding();
        }
        ctx.evaluate_input("compute")?;
        let mut left = if ctx.conf.n_predict < 0 {
            i64::from(i32::MAX)
        } else {
            ctx.conf.n_predict
        };
        while left > 0 {
            left -= 1;
            match ctx.sample(false) {
                Ok(()) => {}
                Err(e) if is_eos(&e) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn get_output(&self, ctx: &mut Context, index: u32, out: &mut [u8]) -> Result<usize, NnError> {
        if index == 1 {
            return copy_output(out, &ctx.metadata());
        }
        copy_output(out, &ctx.outputs)
    }

    fn compute_single(&self, ctx: &mut Context) -> Result<(), NnError> {
        if !ctx.single_started {
            ctx.clear()?;
            ctx.evaluate_input("compute_single")?;
            ctx.single_started = true;
        }
        let r = ctx.sample(true);
        if r.is_err() {
            ctx.single_started = false;
        }
        r
    }

    fn get_output_single(
        &self,
        ctx: &mut Context,
        index: u32,
        out: &mut [u8],
    ) -> Result<usize, NnError> {
        if index == 1 {
            return copy_output(out, &ctx.metadata());
        }
        let token = *ctx
            .output_tokens
            .last()
            .ok_or_else(|| NnError::invalid_argument("no token yet: call compute_single first"))?;
        let piece = ctx.session()?.piece(token);
        copy_output(out, &piece)
    }

    fn fini_single(&self, ctx: &mut Context) -> Result<(), NnError> {
        ctx.outputs.clear();
        ctx.output_tokens.clear();
        if let Some(s) = &mut ctx.sampler {
            s.0.reset();
        }
        ctx.single_started = false;
        if let Some(s) = &mut ctx.session {
            s.n_pos = 0;
        }
        Ok(())
    }
}
