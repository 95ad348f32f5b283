//! Shared pieces of the GGML guests: the command-line options every guest takes to get its
//! graph (the ways LlamaEdge and WasmEdge's examples load one), the Llama-2 chat prompt that
//! LlamaEdge's `llama-2-chat` template builds, and the output helpers (hex, errno names).
//!
//! Options: `--preload ALIAS` (build_from_cache: `load_by_name`, or `load_by_name_with_config`
//! with `--config`), `--model FILE` (build_from_bytes with the file's bytes, plus `--config` as
//! builder 1), `--preload-path PATH` (build_from_bytes with `preload:PATH`), `--config JSON`,
//! `--metadata JSON` (set as input 1 before each prompt). The rest are the guest's own.

use wasmedge_wasi_nn::{
    BackendError, Error, ExecutionTarget, Graph, GraphBuilder, GraphEncoding,
    GraphExecutionContext, TensorType,
};

/// How to get the graph, and the other arguments.
pub struct Options {
    pub preload: Option<String>,
    pub model: Option<String>,
    pub preload_path: Option<String>,
    pub config: Option<String>,
    pub metadata: Option<String>,
    pub rest: Vec<String>,
}

impl Options {
    /// Parses `std::env::args()`.
    pub fn from_args() -> Options {
        let mut o = Options {
            preload: None,
            model: None,
            preload_path: None,
            config: None,
            metadata: None,
            rest: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut value = || {
                it.next()
                    .unwrap_or_else(|| fail(&format!("{a} needs a value")))
            };
            match a.as_str() {
                "--preload" => o.preload = Some(value()),
                "--model" => o.model = Some(value()),
                "--preload-path" => o.preload_path = Some(value()),
                "--config" => o.config = Some(value()),
                "--metadata" => o.metadata = Some(value()),
                _ => o.rest.push(a),
            }
        }
        o
    }

    /// Loads the graph as the options say.
    pub fn graph(&self) -> Result<Graph, Error> {
        if let Some(alias) = &self.preload {
            let mut b = GraphBuilder::new(GraphEncoding::Ggml, ExecutionTarget::AUTO);
            if let Some(c) = &self.config {
                b = b.config(c.clone());
            }
            return b.build_from_cache(alias);
        }
        let model: Vec<u8> = match (&self.model, &self.preload_path) {
            (Some(file), _) => std::fs::read(file)?,
            (None, Some(path)) => format!("preload:{path}").into_bytes(),
            (None, None) => fail("give --preload, --model or --preload-path"),
        };
        let mut builders = vec![model];
        if let Some(c) = &self.config {
            builders.push(c.clone().into_bytes());
        }
        GraphBuilder::new(GraphEncoding::Ggml, ExecutionTarget::CPU).build_from_bytes(&builders)
    }

    /// Sets `--metadata` (if any) and then `prompt` on `ctx`.
    pub fn set_prompt(&self, ctx: &mut GraphExecutionContext, prompt: &str) -> Result<(), Error> {
        if let Some(m) = &self.metadata {
            ctx.set_input(1, TensorType::U8, &[1], m.as_bytes())?;
        }
        ctx.set_input(0, TensorType::U8, &[1], prompt.as_bytes())
    }
}

/// Reads output `index` as LlamaEdge does (a large buffer, cut to the size written).
pub fn output(ctx: &GraphExecutionContext, index: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 1 << 20];
    let n = ctx.get_output(index, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// The latest token's piece (`get_output_single(0)`).
pub fn output_single(ctx: &GraphExecutionContext) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 4096];
    let n = ctx.get_output_single(0, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The errno name the tests match on.
pub fn errno_name(e: &Error) -> String {
    match e {
        Error::BackendError(b) => match b {
            BackendError::InvalidArgument => "invalid_argument".into(),
            BackendError::InvalidEncoding => "invalid_encoding".into(),
            BackendError::MissingMemory => "missing_memory".into(),
            BackendError::Busy => "busy".into(),
            BackendError::RuntimeError => "runtime_error".into(),
            BackendError::UnsupportedOperation => "unsupported_operation".into(),
            BackendError::TooLarge => "too_large".into(),
            BackendError::NotFound => "not_found".into(),
            BackendError::EndOfSequence => "end_of_sequence".into(),
            BackendError::ContextFull => "context_full".into(),
            BackendError::PromptTooLong => "prompt_too_long".into(),
            BackendError::ModelNotFound => "model_not_found".into(),
            BackendError::UnknownError(n) => format!("errno_{n}"),
        },
        Error::IoError(e) => format!("io: {e}"),
    }
}

/// One chat message.
pub struct Message {
    pub role: String,
    pub content: String,
}

/// The prompt LlamaEdge's `llama-2-chat` template builds: `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n
/// {user} [/INST]` for the first turn (no `<<SYS>>` block without a system message), then
/// ` {assistant} </s><s>[INST] {user} [/INST]` for each later turn.
pub fn llama2_chat_prompt(messages: &[Message]) -> String {
    let system = messages
        .iter()
        .find(|m| m.role == "system")
        .map(|m| m.content.trim().to_string());
    let mut prompt = String::new();
    for m in messages.iter().filter(|m| m.role != "system") {
        match m.role.as_str() {
            "user" if prompt.is_empty() => match &system {
                Some(s) => {
                    prompt = format!(
                        "<s>[INST] <<SYS>>\n{s}\n<</SYS>>\n\n{} [/INST]",
                        m.content.trim()
                    )
                }
                None => prompt = format!("<s>[INST] {} [/INST]", m.content.trim()),
            },
            "user" => prompt = format!("{prompt}<s>[INST] {} [/INST]", m.content.trim()),
            _ => prompt = format!("{prompt} {} </s>", m.content.trim()),
        }
    }
    prompt
}

/// Prints `message` to stderr and exits with status 1.
pub fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
