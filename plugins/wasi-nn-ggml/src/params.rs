//! The GGML metadata JSON (WasmEdge's keys, types and defaults): [`Params`] holds what a graph
//! was loaded with (builder 1, or the config of `load_by_name_with_config`), [`Conf`] what each
//! execution context may change on its own (`n-predict`, `reverse-prompt`, `stream-stdout`, …).
//! [`Params::apply`] parses one JSON document into both and says which parts changed, so the
//! backend can follow WasmEdge's reload rules (the model when `n-gpu-layers` changes, the llama
//! context when `embedding` changes, the sampler when a sampling value changes).
//!
//! WasmEdge's rules, kept here: a document that is not JSON is `invalid_encoding`; a known key
//! with a value of the wrong JSON type is `invalid_argument`; unknown keys, and keys WasmEdge
//! accepts that this backend has no use for, are ignored (their types are still checked); a
//! JSON value that is not an object changes nothing. Parsing only: nothing here calls llama.cpp.

use serde_json::Value;
use wasmedge_plugin_sdk::nn::{NnErrno, NnError};

/// llama.cpp's `LLAMA_DEFAULT_SEED`: pick a random seed.
pub const DEFAULT_SEED: u32 = 0xFFFF_FFFF;

/// Graph-wide parameters (WasmEdge's `common_params` subset that changes what llama.cpp does).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub enable_log: bool,
    pub enable_debug_log: bool,
    pub n_gpu_layers: i64,
    pub main_gpu: i64,
    pub use_mmap: bool,
    pub use_mlock: bool,
    pub embedding: bool,
    /// 0: the model's training context.
    pub ctx_size: i64,
    pub batch_size: i64,
    pub ubatch_size: i64,
    /// -1: every core this process may use.
    pub threads: i64,
    pub threads_batch: i64,
    pub rope_freq_base: f64,
    pub rope_freq_scale: f64,
    pub pooling_type: i64,
    pub flash_attn: FlashAttn,
    pub embd_normalize: i64,
    pub mmproj: String,
    pub tts: bool,
    pub sampling: Sampling,
}

/// `flash-attn`: on, off or auto.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashAttn {
    On,
    Off,
    Auto,
}

/// The sampler chain's parameters (llama.cpp `common_params_sampling` defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Sampling {
    pub seed: u64,
    pub min_keep: i64,
    pub top_k: i64,
    pub top_p: f64,
    pub min_p: f64,
    pub xtc_probability: f64,
    pub xtc_threshold: f64,
    pub typ_p: f64,
    pub temp: f64,
    pub dynatemp_range: f64,
    pub dynatemp_exponent: f64,
    pub penalty_last_n: i64,
    pub penalty_repeat: f64,
    pub penalty_freq: f64,
    pub penalty_present: f64,
    pub dry_multiplier: f64,
    pub dry_base: f64,
    pub dry_allowed_length: i64,
    pub dry_penalty_last_n: i64,
    pub mirostat: i64,
    pub mirostat_tau: f64,
    pub mirostat_eta: f64,
    pub ignore_eos: bool,
    /// A GBNF grammar (`grammar`, or `json-schema` converted); empty: none.
    pub grammar: String,
}

/// What each execution context may change for itself (WasmEdge's `LocalConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct Conf {
    pub stream_stdout: bool,
    /// -1: until end of sequence or a full context.
    pub n_predict: i64,
    pub reverse_prompt: String,
    pub image: String,
}

/// Which parts of [`Params`] one document changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// `n-gpu-layers` changed: WasmEdge reloads the model.
    pub model: bool,
    /// `embedding` changed: WasmEdge recreates the llama context.
    pub context: bool,
    /// temp, top-p, a penalty, the grammar or the seed changed: the sampler is rebuilt.
    pub sampler: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            enable_log: false,
            enable_debug_log: false,
            // llama_model_default_params().n_gpu_layers
            n_gpu_layers: -1,
            main_gpu: 0,
            use_mmap: true,
            use_mlock: false,
            embedding: false,
            ctx_size: 0,
            batch_size: 2048,
            ubatch_size: 512,
            threads: -1,
            threads_batch: -1,
            rope_freq_base: 0.0,
            rope_freq_scale: 0.0,
            pooling_type: -1,
            flash_attn: FlashAttn::Auto,
            embd_normalize: 2,
            mmproj: String::new(),
            tts: false,
            sampling: Sampling::default(),
        }
    }
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling {
            seed: DEFAULT_SEED as u64,
            min_keep: 0,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            xtc_probability: 0.0,
            xtc_threshold: 0.10,
            typ_p: 1.0,
            temp: 0.80,
            dynatemp_range: 0.0,
            dynatemp_exponent: 1.0,
            penalty_last_n: 64,
            penalty_repeat: 1.0,
            penalty_freq: 0.0,
            penalty_present: 0.0,
            dry_multiplier: 0.0,
            dry_base: 1.75,
            dry_allowed_length: 2,
            dry_penalty_last_n: 64,
            mirostat: 0,
            mirostat_tau: 5.0,
            mirostat_eta: 0.10,
            ignore_eos: false,
            grammar: String::new(),
        }
    }
}

impl Default for Conf {
    fn default() -> Conf {
        Conf {
            stream_stdout: false,
            n_predict: -1,
            reverse_prompt: String::new(),
            image: String::new(),
        }
    }
}

/// The JSON type WasmEdge reads a key as (simdjson's `get<T>`).
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    /// A JSON integer that fits i64 (a float is the wrong type).
    Int,
    /// A JSON integer that fits u64.
    Uint,
    /// Any JSON number.
    Float,
    Str,
}

/// Keys WasmEdge's GGML backend accepts that change nothing here (server, benchmark, speculative
/// and vocoder options of llama.cpp's `common_params`); their types are still checked.
const ACCEPTED: &[(&str, Kind)] = {
    use Kind::*;
    &[
        ("cpu-moe", Bool),
        ("n-cpu-moe", Int),
        ("tensor-split", Str),
        ("split-mode", Str),
        ("model-vocoder", Str),
        ("tts-output-file", Str),
        ("tts-speaker-file", Str),
        ("n-keep", Int),
        ("n-chunks", Int),
        ("n-parallel", Int),
        ("n-sequences", Int),
        ("grp-attn-n", Int),
        ("grp-attn-w", Int),
        ("n-print", Int),
        ("yarn-ext-factor", Float),
        ("yarn-attn-factor", Float),
        ("yarn-beta-fast", Float),
        ("yarn-beta-slow", Float),
        ("yarn-orig-ctx", Int),
        ("mask-valid", Bool),
        ("priority", Int),
        ("strict-cpu", Bool),
        ("poll", Int),
        ("mask-valid-batch", Bool),
        ("priority-batch", Int),
        ("strict-cpu-batch", Bool),
        ("poll-batch", Int),
        ("numa", Int),
        ("rope-scaling-type", Int),
        ("attention-type", Int),
        ("n-prev", Int),
        ("n-probs", Int),
        ("no-perf-sampling", Bool),
        ("timing-per-token", Bool),
        ("n-ctx-speculative", Int),
        ("n-max-speculative", Int),
        ("n-min-speculative", Int),
        ("n-gpu-layers-speculative", Int),
        ("p-split-speculative", Float),
        ("p-min-speculative", Float),
        ("hf-repo-vocoder", Str),
        ("hf-file-vocoder", Str),
        ("model-url-vocoder", Str),
        ("always-regenerate-image-embd", Bool),
        ("model-alias", Str),
        ("model-url", Str),
        ("hf-token", Str),
        ("hf-repo", Str),
        ("hf-file", Str),
        ("prompt-file", Str),
        ("path-prompt-cache", Str),
        ("input-prefix", Str),
        ("input-suffix", Str),
        ("lookup-cache-static", Str),
        ("lookup-cache-dynamic", Str),
        ("logits-file", Str),
        ("lora-init-without-apply", Bool),
        ("verbosity", Int),
        ("control-vector-layer-start", Int),
        ("control-vector-layer-end", Int),
        ("ppl-stride", Int),
        ("ppl-output-type", Int),
        ("hellaswag", Bool),
        ("hellaswag-tasks", Uint),
        ("winogrande", Bool),
        ("winogrande-tasks", Uint),
        ("multiple-choice", Bool),
        ("multiple-choice-tasks", Uint),
        ("kl-divergence", Bool),
        ("usage", Bool),
        ("use-color", Bool),
        ("special", Bool),
        ("interactive", Bool),
        ("interactive-first", Bool),
        ("prompt-cache-all", Bool),
        ("prompt-cache-ro", Bool),
        ("escape", Bool),
        ("multiline-input", Bool),
        ("simple-io", Bool),
        ("cont-batching", Bool),
        ("no-perf", Bool),
        ("ctx-shift", Bool),
        ("input-prefix-bos", Bool),
        ("verbose-prompt", Bool),
        ("display-prompt", Bool),
        ("no-kv-offload", Bool),
        ("warmup", Bool),
        ("check-tensors", Bool),
        ("cache-type-k", Int),
        ("cache-type-v", Int),
        ("embd-out", Str),
        ("embd-sep", Str),
        ("port", Int),
        ("timeout-read", Int),
        ("timeout-write", Int),
        ("n-threads-http", Int),
        ("n-cache-reuse", Int),
        ("hostname", Str),
        ("public-path", Str),
        ("chat-template", Str),
        ("enable-chat-template", Bool),
        ("ssl-file-key", Str),
        ("ssl-file-cert", Str),
        ("webui", Bool),
        ("endpoint-slots", Bool),
        ("endpoint-props", Bool),
        ("endpoint-metrics", Bool),
        ("log-json", Bool),
        ("slot-save-path", Str),
        ("slot-prompt-similarity", Float),
        ("is-pp-shared", Bool),
        ("n-pp", Int),
        ("n-tg", Int),
        ("n-pl", Int),
        ("context-files", Str),
        ("chunk-size", Int),
        ("chunk-separator", Str),
        ("n-junk", Int),
        ("i-pos", Int),
        ("out-file", Str),
        ("n-out-freq", Int),
        ("n-save-freq", Int),
        ("i-chunk", Int),
        ("process-output", Bool),
        ("compute-ppl", Bool),
        ("n-pca-batch", Int),
        ("n-pca-iterations", Int),
        ("cvector-dimre-method", Str),
        ("cvector-positive-file", Str),
        ("cvector-negative-file", Str),
        ("spm-infill", Bool),
        ("batched-bench-output-jsonl", Bool),
    ]
};

/// One JSON object being read, with WasmEdge's type rules.
struct Doc<'a>(Option<&'a serde_json::Map<String, Value>>);

fn wrong(key: &str, what: &str) -> NnError {
    NnError::invalid_argument(format!(
        "GGML metadata: the \"{key}\" option must be {what}"
    ))
}

impl Doc<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.and_then(|m| m.get(key))
    }
    fn check(&self, key: &str, kind: Kind) -> Result<(), NnError> {
        let Some(v) = self.get(key) else {
            return Ok(());
        };
        let ok = match kind {
            Kind::Bool => v.is_boolean(),
            Kind::Int => v.is_i64(),
            Kind::Uint => v.is_u64(),
            Kind::Float => v.is_number(),
            Kind::Str => v.is_string(),
        };
        if ok {
            Ok(())
        } else {
            Err(wrong(
                key,
                match kind {
                    Kind::Bool => "true or false",
                    Kind::Int => "an integer",
                    Kind::Uint => "a non-negative integer",
                    Kind::Float => "a number",
                    Kind::Str => "a string",
                },
            ))
        }
    }
    fn bool(&self, key: &str, var: &mut bool) -> Result<(), NnError> {
        self.check(key, Kind::Bool)?;
        if let Some(v) = self.get(key).and_then(Value::as_bool) {
            *var = v;
        }
        Ok(())
    }
    fn int(&self, key: &str, var: &mut i64) -> Result<(), NnError> {
        self.check(key, Kind::Int)?;
        if let Some(v) = self.get(key).and_then(Value::as_i64) {
            *var = v;
        }
        Ok(())
    }
    fn uint(&self, key: &str, var: &mut u64) -> Result<(), NnError> {
        self.check(key, Kind::Uint)?;
        if let Some(v) = self.get(key).and_then(Value::as_u64) {
            *var = v;
        }
        Ok(())
    }
    fn float(&self, key: &str, var: &mut f64) -> Result<(), NnError> {
        self.check(key, Kind::Float)?;
        if let Some(v) = self.get(key).and_then(Value::as_f64) {
            *var = v;
        }
        Ok(())
    }
    /// A float WasmEdge clamps at 0 (`temp`, `top-p`, the penalties).
    fn non_negative(&self, key: &str, var: &mut f64) -> Result<(), NnError> {
        self.float(key, var)?;
        if self.get(key).is_some() {
            *var = var.max(0.0);
        }
        Ok(())
    }
    fn string(&self, key: &str) -> Result<Option<&str>, NnError> {
        self.check(key, Kind::Str)?;
        Ok(self.get(key).and_then(Value::as_str))
    }
    fn set_string(&self, key: &str, var: &mut String) -> Result<(), NnError> {
        if let Some(s) = self.string(key)? {
            *var = s.to_string();
        }
        Ok(())
    }
}

/// Parses `text` as JSON (`invalid_encoding` if it is not).
pub fn parse_json(text: &[u8]) -> Result<Value, NnError> {
    serde_json::from_slice(text).map_err(|e| {
        NnError::new(
            NnErrno::INVALID_ENCODING,
            format!("GGML metadata is not valid JSON: {e}"),
        )
    })
}

impl Params {
    /// Applies the metadata document `json` to `self` and `conf`. On an error nothing is
    /// changed. `json_schema_to_grammar` converts a `json-schema` value to GBNF.
    pub fn apply(
        &mut self,
        conf: &mut Conf,
        json: &Value,
        json_schema_to_grammar: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Changes, NnError> {
        let mut p = self.clone();
        let mut c = conf.clone();
        let d = Doc(json.as_object());
        for (key, kind) in ACCEPTED {
            d.check(key, *kind)?;
        }
        d.bool("enable-log", &mut p.enable_log)?;
        d.bool("enable-debug-log", &mut p.enable_debug_log)?;
        d.int("main-gpu", &mut p.main_gpu)?;
        d.int("n-gpu-layers", &mut p.n_gpu_layers)?;
        d.bool("embedding", &mut p.embedding)?;
        d.set_string("mmproj", &mut p.mmproj)?;
        d.bool("tts", &mut p.tts)?;
        d.int("ctx-size", &mut p.ctx_size)?;
        d.int("batch-size", &mut p.batch_size)?;
        d.int("ubatch-size", &mut p.ubatch_size)?;
        d.float("rope-freq-base", &mut p.rope_freq_base)?;
        d.float("rope-freq-scale", &mut p.rope_freq_scale)?;
        d.int("pooling-type", &mut p.pooling_type)?;
        d.int("threads", &mut p.threads)?;
        d.int("threads-batch", &mut p.threads_batch)?;
        let s = &mut p.sampling;
        d.int("min-keep", &mut s.min_keep)?;
        d.int("top-k", &mut s.top_k)?;
        d.float("min-p", &mut s.min_p)?;
        d.float("xtc-probability", &mut s.xtc_probability)?;
        d.float("xtc-threshold", &mut s.xtc_threshold)?;
        d.float("typ-p", &mut s.typ_p)?;
        d.float("dynatemp-range", &mut s.dynatemp_range)?;
        d.float("dynatemp-exponent", &mut s.dynatemp_exponent)?;
        d.int("last-n-penalty", &mut s.penalty_last_n)?;
        d.non_negative("temp", &mut s.temp)?;
        d.non_negative("top-p", &mut s.top_p)?;
        d.non_negative("repeat-penalty", &mut s.penalty_repeat)?;
        d.non_negative("presence-penalty", &mut s.penalty_present)?;
        d.non_negative("frequency-penalty", &mut s.penalty_freq)?;
        // WasmEdge's spelling.
        d.float("dry-multipier", &mut s.dry_multiplier)?;
        d.float("dry-base", &mut s.dry_base)?;
        d.int("dry-allowed-length", &mut s.dry_allowed_length)?;
        // WasmEdge stores this one in the repetition penalty's window, not DRY's: kept.
        d.int("dry-last-n-penalty", &mut s.penalty_last_n)?;
        d.int("mirostat", &mut s.mirostat)?;
        d.float("mirostat-eta", &mut s.mirostat_eta)?;
        d.bool("ignore-eos", &mut s.ignore_eos)?;
        d.set_string("grammar", &mut s.grammar)?;
        if let Some(schema) = d.string("json-schema")? {
            s.grammar = json_schema_to_grammar(schema).map_err(|e| {
                NnError::invalid_argument(format!(
                    "GGML metadata: the \"json-schema\" option is not a usable JSON schema: {e}"
                ))
            })?;
        }
        d.uint("seed", &mut s.seed)?;
        if !(0..=2).contains(&s.mirostat) {
            return Err(wrong("mirostat", "0, 1 or 2"));
        }
        d.bool("stream-stdout", &mut c.stream_stdout)?;
        d.int("n-predict", &mut c.n_predict)?;
        d.set_string("reverse-prompt", &mut c.reverse_prompt)?;
        d.set_string("image", &mut c.image)?;
        if let Some(v) = d.string("flash-attn")? {
            p.flash_attn = match v {
                "on" | "enabled" => FlashAttn::On,
                "off" | "disabled" => FlashAttn::Off,
                "auto" => FlashAttn::Auto,
                _ => return Err(wrong("flash-attn", "one of on, off, auto")),
            };
        }
        d.bool("use-mlock", &mut p.use_mlock)?;
        d.bool("use-mmap", &mut p.use_mmap)?;
        d.int("embd-normalize", &mut p.embd_normalize)?;
        if d.get("reranking").is_some() {
            d.check("reranking", Kind::Bool)?;
            // WasmEdge: reranking turns embeddings on with rank pooling (LLAMA_POOLING_TYPE_RANK).
            p.embedding = true;
            p.pooling_type = 4;
        }
        let (a, b) = (&self.sampling, &p.sampling);
        let changes = Changes {
            model: self.n_gpu_layers != p.n_gpu_layers,
            context: self.embedding != p.embedding,
            sampler: a.temp != b.temp
                || a.top_p != b.top_p
                || a.penalty_repeat != b.penalty_repeat
                || a.penalty_present != b.penalty_present
                || a.penalty_freq != b.penalty_freq
                || a.grammar != b.grammar
                || a.seed != b.seed,
        };
        *self = p;
        *conf = c;
        Ok(changes)
    }

    /// The number of threads to run with (`threads`, or every core this process may use).
    pub fn n_threads(&self) -> i32 {
        resolve_threads(self.threads)
    }

    /// The number of threads for prompt batches (`threads-batch`, else `threads`).
    pub fn n_threads_batch(&self) -> i32 {
        if self.threads_batch > 0 {
            resolve_threads(self.threads_batch)
        } else {
            self.n_threads()
        }
    }
}

fn resolve_threads(n: i64) -> i32 {
    if n > 0 {
        i32::try_from(n).unwrap_or(i32::MAX)
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get() as i32)
            .unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_schema(_: &str) -> Result<String, String> {
        Err("no converter in this test".into())
    }

    fn apply(p: &mut Params, c: &mut Conf, text: &str) -> Result<Changes, NnError> {
        let v = parse_json(text.as_bytes())?;
        p.apply(c, &v, &no_schema)
    }

    #[test]
    fn keys_and_change_flags_follow_wasmedge() {
        let (mut p, mut c) = (Params::default(), Conf::default());
        let ch = apply(
            &mut p,
            &mut c,
            r#"{"ctx-size": 64, "n-predict": 8, "temp": -1.5, "reverse-prompt": "</s>",
                "threads": 2, "unknown-key": [1, 2], "n-gpu-layers": 0, "seed": 42}"#,
        )
        .unwrap();
        assert_eq!((p.ctx_size, c.n_predict, p.threads), (64, 8, 2));
        assert_eq!(p.sampling.temp, 0.0, "temp is clamped at 0");
        assert_eq!(p.sampling.seed, 42);
        assert_eq!(c.reverse_prompt, "</s>");
        assert_eq!(
            ch,
            Changes {
                model: true,
                context: false,
                sampler: true
            }
        );
        // ctx-size alone does not ask for a new context (WasmEdge recreates it only when
        // `embedding` changes); top-k alone does not rebuild the sampler.
        let ch = apply(&mut p, &mut c, r#"{"ctx-size": 128, "top-k": 1}"#).unwrap();
        assert_eq!(ch, Changes::default());
        let ch = apply(&mut p, &mut c, r#"{"embedding": true}"#).unwrap();
        assert!(ch.context && !ch.model && !ch.sampler);
        // Not an object: nothing changes.
        assert_eq!(apply(&mut p, &mut c, "[1]").unwrap(), Changes::default());
    }

    #[test]
    fn bad_documents_get_wasmedge_errnos_and_change_nothing() {
        let (mut p, mut c) = (Params::default(), Conf::default());
        let e = apply(&mut p, &mut c, "{not json").unwrap_err();
        assert_eq!(e.code, NnErrno::INVALID_ENCODING);
        for bad in [
            r#"{"ctx-size": 1.5}"#,
            r#"{"ctx-size": "64"}"#,
            r#"{"n-predict": 8, "embedding": 1}"#,
            r#"{"seed": -1}"#,
            r#"{"flash-attn": "maybe"}"#,
            r#"{"warmup": "yes"}"#,
            r#"{"mirostat": 3}"#,
        ] {
            let e = apply(&mut p, &mut c, bad).unwrap_err();
            assert_eq!(e.code, NnErrno::INVALID_ARGUMENT, "{bad}: {e}");
        }
        assert_eq!((p, c), (Params::default(), Conf::default()));
        let (mut p, mut c) = (Params::default(), Conf::default());
        let e = apply(&mut p, &mut c, r#"{"json-schema": "{}"}"#).unwrap_err();
        assert!(e.message.contains("json-schema"), "{e}");
    }

    #[test]
    fn floats_accept_integers_and_threads_resolve() {
        let (mut p, mut c) = (Params::default(), Conf::default());
        apply(&mut p, &mut c, r#"{"top-p": 1, "threads": -1}"#).unwrap();
        assert_eq!(p.sampling.top_p, 1.0);
        assert!(p.n_threads() >= 1);
        assert_eq!(p.n_threads_batch(), p.n_threads());
    }
}
