//! The WASI-NN backend interface. The runtime owns the one `wasi_ephemeral_nn` host module
//! (guest memory, handles, preloads, errno mapping) and routes each graph, by its encoding, to
//! a backend a plug-in provides. A backend implements [`NnBackend`]; [`nn_backend!`](crate::nn_backend) turns it
//! into an [`NnBackendDescriptorRef`] for the plug-in descriptor's `nn_backends`.
//!
//! Numbering follows WasmEdge (`wasi_ephemeral_nn`): [`GraphEncoding`], [`ExecutionTarget`],
//! [`TensorType`] and [`NnErrno`] use WasmEdge's values, so the runtime can pass them through.
//! Backends see graphs and execution contexts as Rust values; the glue here keeps the handle
//! tables and catches panics (they become [`NnErrno::RUNTIME_ERROR`]).

use crate::descriptor::StatePtr;
use crate::host::InitContext;
use abi_stable::StableAbi;
use abi_stable::std_types::{RResult, RSlice, RSliceMut, RStr, RString};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

macro_rules! numbered {
    ($(#[$doc:meta])* $name:ident { $($(#[$cdoc:meta])* $c:ident = $v:expr, $text:literal;)* }) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(StableAbi, Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $name(pub u32);
        impl $name {
            $($(#[$cdoc])* pub const $c: $name = $name($v);)*
            /// WasmEdge's lower-case name for this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 { $($v => Some($text),)* _ => None }
            }
            /// The value with this (case-insensitive) name.
            pub fn from_name(name: &str) -> Option<$name> {
                $(if name.eq_ignore_ascii_case($text) { return Some($name::$c); })*
                None
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() { Some(n) => f.write_str(n), None => write!(f, "{}", self.0) }
            }
        }
    };
}

numbered! {
    /// A graph encoding (WasmEdge's numbering, which differs from upstream WIT above 4).
    GraphEncoding {
        /// OpenVINO IR (xml + weights).
        OPENVINO = 0, "openvino";
        /// ONNX.
        ONNX = 1, "onnx";
        /// TensorFlow.
        TENSORFLOW = 2, "tensorflow";
        /// PyTorch (TorchScript).
        PYTORCH = 3, "pytorch";
        /// TensorFlow Lite.
        TENSORFLOWLITE = 4, "tensorflowlite";
        /// Autodetect (preloads only).
        AUTODETECT = 5, "autodetect";
        /// GGML (llama.cpp).
        GGML = 6, "ggml";
    }
}

numbered! {
    /// An execution target.
    ExecutionTarget {
        /// CPU.
        CPU = 0, "cpu";
        /// GPU.
        GPU = 1, "gpu";
        /// TPU.
        TPU = 2, "tpu";
        /// Let the backend choose (WasmEdge extension, preloads only).
        AUTO = 3, "auto";
    }
}

numbered! {
    /// A tensor element type (WasmEdge ≥ 0.15 numbering).
    TensorType {
        /// 16-bit float.
        F16 = 0, "f16";
        /// 32-bit float.
        F32 = 1, "f32";
        /// 64-bit float.
        F64 = 2, "f64";
        /// Unsigned byte.
        U8 = 3, "u8";
        /// 32-bit signed integer.
        I32 = 4, "i32";
        /// 64-bit signed integer.
        I64 = 5, "i64";
    }
}

numbered! {
    /// A `wasi_ephemeral_nn` errno.
    NnErrno {
        /// Success (never inside an [`NnError`]).
        SUCCESS = 0, "success";
        /// A bad argument.
        INVALID_ARGUMENT = 1, "invalid_argument";
        /// An encoding no backend serves.
        INVALID_ENCODING = 2, "invalid_encoding";
        /// The guest has no memory.
        MISSING_MEMORY = 3, "missing_memory";
        /// The backend is busy.
        BUSY = 4, "busy";
        /// The backend failed.
        RUNTIME_ERROR = 5, "runtime_error";
        /// The operation is not supported by this backend or target.
        UNSUPPORTED_OPERATION = 6, "unsupported_operation";
        /// The output buffer is too small ([`NnError::required_size`] says how large it must be).
        TOO_LARGE = 7, "too_large";
        /// Not found (for example an unknown preload name).
        NOT_FOUND = 8, "not_found";
        /// End of the generated sequence (single-token calls).
        END_OF_SEQUENCE = 100, "end_of_sequence";
        /// The context is full (single-token calls).
        CONTEXT_FULL = 101, "context_full";
        /// The prompt is too long.
        PROMPT_TOO_LONG = 102, "prompt_too_long";
        /// The model file was not found.
        MODEL_NOT_FOUND = 103, "model_not_found";
    }
}

impl TensorType {
    /// The size in bytes of one element, or `None` for a value WasmEdge does not number.
    pub fn element_size(self) -> Option<usize> {
        Some(match self {
            TensorType::F16 => 2,
            TensorType::F32 | TensorType::I32 => 4,
            TensorType::F64 | TensorType::I64 => 8,
            TensorType::U8 => 1,
            _ => return None,
        })
    }
}

/// Copies an output's bytes into the guest's buffer `out` for [`NnBackend::get_output`]:
/// returns the bytes written, or [`NnError::too_large`] with the size needed.
pub fn copy_output(out: &mut [u8], bytes: &[u8]) -> Result<usize, NnError> {
    let dest = out
        .get_mut(..bytes.len())
        .ok_or_else(|| NnError::too_large(bytes.len()))?;
    dest.copy_from_slice(bytes);
    Ok(bytes.len())
}

/// A backend's error: the errno the guest gets, a message for the log, and for
/// [`NnErrno::TOO_LARGE`] the size the output buffer needs.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct NnError {
    /// The errno.
    pub code: NnErrno,
    /// What went wrong, for the runtime's log.
    pub message: RString,
    /// For `TOO_LARGE`: the number of bytes needed; otherwise 0.
    pub required_size: u64,
}

impl NnError {
    /// An error with `code` and `message`.
    pub fn new(code: NnErrno, message: impl Into<String>) -> NnError {
        NnError {
            code,
            message: RString::from(message.into()),
            required_size: 0,
        }
    }
    /// [`NnErrno::INVALID_ARGUMENT`].
    pub fn invalid_argument(message: impl Into<String>) -> NnError {
        NnError::new(NnErrno::INVALID_ARGUMENT, message)
    }
    /// [`NnErrno::RUNTIME_ERROR`].
    pub fn runtime(message: impl Into<String>) -> NnError {
        NnError::new(NnErrno::RUNTIME_ERROR, message)
    }
    /// [`NnErrno::UNSUPPORTED_OPERATION`].
    pub fn unsupported(message: impl Into<String>) -> NnError {
        NnError::new(NnErrno::UNSUPPORTED_OPERATION, message)
    }
    /// [`NnErrno::TOO_LARGE`]: the output needs `required` bytes.
    pub fn too_large(required: usize) -> NnError {
        NnError {
            required_size: required as u64,
            ..NnError::new(
                NnErrno::TOO_LARGE,
                format!("the output needs {required} bytes"),
            )
        }
    }
}

impl fmt::Display for NnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for NnError {}

/// A tensor passed to [`NnBackend::set_input`], borrowed from the guest for the call.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug)]
pub struct TensorRef<'a> {
    /// The dimensions.
    pub dims: RSlice<'a, u32>,
    /// The element type.
    pub ty: TensorType,
    /// The elements' bytes (little-endian).
    pub data: RSlice<'a, u8>,
}

/// A loaded graph's handle, as the runtime sees it.
pub type GraphHandle = u64;
/// An execution context's handle, as the runtime sees it.
pub type ContextHandle = u64;

/// The function table of one NN backend (a prefix type: later SDKs may append calls).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = NnBackendDescriptorRef, prefix_fields = NnBackendDescriptorPrefix)))]
pub struct NnBackendDescriptor {
    /// The backend's name, e.g. `"onnx"`.
    pub name: RStr<'static>,
    /// The graph encodings it serves.
    pub encodings: RSlice<'static, GraphEncoding>,
    /// Creates the backend's state (once per session, with the plug-in's option values).
    pub create: unsafe extern "C" fn(init: *const InitContext) -> RResult<StatePtr, RString>,
    /// Destroys the state.
    pub destroy: unsafe extern "C" fn(state: StatePtr),
    /// Loads a graph from builders (model bytes).
    pub load: unsafe extern "C" fn(
        state: StatePtr,
        builders: RSlice<'_, RSlice<'_, u8>>,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> RResult<GraphHandle, NnError>,
    /// Loads a graph from files (`--nn-preload`), with an optional JSON config.
    pub load_from_paths: unsafe extern "C" fn(
        state: StatePtr,
        paths: RSlice<'_, RStr<'_>>,
        encoding: GraphEncoding,
        target: ExecutionTarget,
        config: RStr<'_>,
    ) -> RResult<GraphHandle, NnError>,
    /// Unloads a graph (contexts made from it stay valid).
    pub unload: unsafe extern "C" fn(state: StatePtr, graph: GraphHandle) -> RResult<(), NnError>,
    /// Creates an execution context for a graph.
    pub init_execution_context: unsafe extern "C" fn(
        state: StatePtr,
        graph: GraphHandle,
    ) -> RResult<ContextHandle, NnError>,
    /// Destroys an execution context.
    pub finalize_execution_context:
        unsafe extern "C" fn(state: StatePtr, ctx: ContextHandle) -> RResult<(), NnError>,
    /// Sets input `index`.
    pub set_input: unsafe extern "C" fn(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        tensor: TensorRef<'_>,
    ) -> RResult<(), NnError>,
    /// Runs inference.
    pub compute: unsafe extern "C" fn(state: StatePtr, ctx: ContextHandle) -> RResult<(), NnError>,
    /// Copies output `index` into `out`, returning the bytes written (or `TOO_LARGE` with the
    /// size needed).
    pub get_output: unsafe extern "C" fn(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        out: RSliceMut<'_, u8>,
    ) -> RResult<u64, NnError>,
    /// Generates one token.
    pub compute_single:
        unsafe extern "C" fn(state: StatePtr, ctx: ContextHandle) -> RResult<(), NnError>,
    /// Copies the latest token's output, like `get_output`.
    pub get_output_single: unsafe extern "C" fn(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        out: RSliceMut<'_, u8>,
    ) -> RResult<u64, NnError>,
    /// Ends a single-token session.
    #[sabi(last_prefix_field)]
    pub fini_single:
        unsafe extern "C" fn(state: StatePtr, ctx: ContextHandle) -> RResult<(), NnError>,
}

/// A WASI-NN backend, written in safe Rust. One value is created per session; calls may come
/// from several threads (contexts are locked individually).
pub trait NnBackend: Send + Sync + Sized + 'static {
    /// A loaded graph.
    type Graph: Send + Sync + 'static;
    /// An execution context.
    type Context: Send + 'static;

    /// Creates the backend from the plug-in's option values.
    fn create(init: &InitContext) -> Result<Self, String>;

    /// Loads a graph from builders (for OpenVINO `[xml, weights]`, for most others one model).
    fn load(
        &self,
        builders: &[&[u8]],
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Self::Graph, NnError>;

    /// Loads a graph from files (for `--nn-preload`). The default reads every file and calls
    /// [`NnBackend::load`] with their contents, plus `config` as a last builder if it is not
    /// empty; backends that load from paths natively override it.
    fn load_from_paths(
        &self,
        paths: &[&str],
        encoding: GraphEncoding,
        target: ExecutionTarget,
        config: &str,
    ) -> Result<Self::Graph, NnError> {
        let mut files = Vec::with_capacity(paths.len() + 1);
        for p in paths {
            let bytes = std::fs::read(p).map_err(|e| {
                NnError::new(NnErrno::MODEL_NOT_FOUND, format!("cannot read {p}: {e}"))
            })?;
            files.push(bytes);
        }
        if !config.is_empty() {
            files.push(config.as_bytes().to_vec());
        }
        let builders: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        self.load(&builders, encoding, target)
    }

    /// Creates an execution context (it may keep the graph alive through the `Arc`).
    fn init_execution_context(&self, graph: &Arc<Self::Graph>) -> Result<Self::Context, NnError>;

    /// Sets input `index`.
    fn set_input(
        &self,
        ctx: &mut Self::Context,
        index: u32,
        tensor: &TensorRef<'_>,
    ) -> Result<(), NnError>;

    /// Runs inference.
    fn compute(&self, ctx: &mut Self::Context) -> Result<(), NnError>;

    /// Copies output `index` into `out` and returns the bytes written; if `out` is too small,
    /// returns [`NnError::too_large`] with the size needed.
    fn get_output(
        &self,
        ctx: &mut Self::Context,
        index: u32,
        out: &mut [u8],
    ) -> Result<usize, NnError>;

    /// Generates one token (LLM backends). Unsupported by default.
    fn compute_single(&self, _ctx: &mut Self::Context) -> Result<(), NnError> {
        Err(NnError::invalid_argument(
            "this backend has no single-token calls",
        ))
    }

    /// Copies the latest token's output. Unsupported by default.
    fn get_output_single(
        &self,
        _ctx: &mut Self::Context,
        _index: u32,
        _out: &mut [u8],
    ) -> Result<usize, NnError> {
        Err(NnError::invalid_argument(
            "this backend has no single-token calls",
        ))
    }

    /// Ends a single-token session. Unsupported by default.
    fn fini_single(&self, _ctx: &mut Self::Context) -> Result<(), NnError> {
        Err(NnError::invalid_argument(
            "this backend has no single-token calls",
        ))
    }
}

/// Builds the [`NnBackendDescriptorRef`] of backend type `B`:
/// `nn_backend!(MyBackend, "onnx", [GraphEncoding::ONNX])`. Usable in
/// [`export_plugin!`](crate::export_plugin)'s `nn_backends` list.
#[macro_export]
macro_rules! nn_backend {
    ($backend:ty, $name:expr, [$($encoding:expr),* $(,)?] $(,)?) => {{
        static DESCRIPTOR: $crate::__private::WithMetadata<$crate::nn::NnBackendDescriptor> =
            $crate::__private::WithMetadata::new($crate::nn::descriptor_for::<$backend>(
                $name,
                $crate::__private::RSlice::from_slice(&[$($encoding),*]),
            ));
        $crate::nn::NnBackendDescriptorRef($crate::__private::PrefixRef::from_ref(&DESCRIPTOR))
    }};
}

/// The descriptor of backend `B` (used by [`nn_backend!`](crate::nn_backend)).
pub const fn descriptor_for<B: NnBackend>(
    name: &'static str,
    encodings: RSlice<'static, GraphEncoding>,
) -> NnBackendDescriptor {
    NnBackendDescriptor {
        name: RStr::from_str(name),
        encodings,
        create: glue::create::<B>,
        destroy: glue::destroy::<B>,
        load: glue::load::<B>,
        load_from_paths: glue::load_from_paths::<B>,
        unload: glue::unload::<B>,
        init_execution_context: glue::init_execution_context::<B>,
        finalize_execution_context: glue::finalize_execution_context::<B>,
        set_input: glue::set_input::<B>,
        compute: glue::compute::<B>,
        get_output: glue::get_output::<B>,
        compute_single: glue::compute_single::<B>,
        get_output_single: glue::get_output_single::<B>,
        fini_single: glue::fini_single::<B>,
    }
}

/// The state behind a backend's [`StatePtr`]: the backend and its handle tables.
struct NnState<B: NnBackend> {
    backend: B,
    next: AtomicU64,
    graphs: Mutex<HashMap<GraphHandle, Arc<B::Graph>>>,
    contexts: Mutex<HashMap<ContextHandle, Arc<Mutex<B::Context>>>>,
}

/// The `extern "C"` functions of [`descriptor_for`]; each catches panics.
mod glue {
    use super::*;

    fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, NnError>) -> RResult<T, NnError> {
        match crate::export::catching(f) {
            Ok(r) => r.into(),
            Err(panicked) => RResult::RErr(NnError::runtime(format!(
                "the backend {panicked} (in {what})"
            ))),
        }
    }

    /// # Safety
    /// `state` must come from `create::<B>`.
    unsafe fn state_of<'a, B: NnBackend>(state: StatePtr) -> &'a NnState<B> {
        // SAFETY: guaranteed by the caller.
        unsafe { &*(state.0 as *const NnState<B>) }
    }

    fn context<B: NnBackend>(
        s: &NnState<B>,
        ctx: ContextHandle,
    ) -> Result<Arc<Mutex<B::Context>>, NnError> {
        s.contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&ctx)
            .cloned()
            .ok_or_else(|| NnError::invalid_argument(format!("no execution context {ctx}")))
    }

    fn with_context<B: NnBackend, T>(
        s: &NnState<B>,
        ctx: ContextHandle,
        f: impl FnOnce(&B, &mut B::Context) -> Result<T, NnError>,
    ) -> Result<T, NnError> {
        let c = context(s, ctx)?;
        let mut guard = c.lock().unwrap_or_else(|p| p.into_inner());
        f(&s.backend, &mut guard)
    }

    fn add_graph<B: NnBackend>(s: &NnState<B>, g: B::Graph) -> GraphHandle {
        let id = s.next.fetch_add(1, Ordering::Relaxed);
        s.graphs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::new(g));
        id
    }

    pub unsafe extern "C" fn create<B: NnBackend>(
        init: *const InitContext,
    ) -> RResult<StatePtr, RString> {
        let made = crate::export::catching(|| {
            // SAFETY: the runtime passes a valid InitContext.
            B::create(unsafe { &*init })
        });
        match made {
            Ok(Ok(backend)) => {
                let s = Box::new(NnState {
                    backend,
                    next: AtomicU64::new(1),
                    graphs: Mutex::new(HashMap::new()),
                    contexts: Mutex::new(HashMap::new()),
                });
                RResult::ROk(StatePtr(Box::into_raw(s).cast()))
            }
            Ok(Err(e)) => RResult::RErr(e.into()),
            Err(panicked) => RResult::RErr(panicked.into()),
        }
    }

    pub unsafe extern "C" fn destroy<B: NnBackend>(state: StatePtr) {
        let _ = crate::export::catching(|| {
            // SAFETY: `state` came from `create::<B>` and is destroyed once.
            drop(unsafe { Box::from_raw(state.0 as *mut NnState<B>) })
        });
    }

    pub unsafe extern "C" fn load<B: NnBackend>(
        state: StatePtr,
        builders: RSlice<'_, RSlice<'_, u8>>,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> RResult<GraphHandle, NnError> {
        // SAFETY: the runtime passes a state made by `create::<B>`.
        let s = unsafe { state_of::<B>(state) };
        guard("load", || {
            let b: Vec<&[u8]> = builders.iter().map(|b| b.as_slice()).collect();
            let g = s.backend.load(&b, encoding, target)?;
            Ok(add_graph(s, g))
        })
    }

    pub unsafe extern "C" fn load_from_paths<B: NnBackend>(
        state: StatePtr,
        paths: RSlice<'_, RStr<'_>>,
        encoding: GraphEncoding,
        target: ExecutionTarget,
        config: RStr<'_>,
    ) -> RResult<GraphHandle, NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("load_from_paths", || {
            let p: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
            let g = s
                .backend
                .load_from_paths(&p, encoding, target, config.as_str())?;
            Ok(add_graph(s, g))
        })
    }

    pub unsafe extern "C" fn unload<B: NnBackend>(
        state: StatePtr,
        graph: GraphHandle,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("unload", || {
            let removed = s
                .graphs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&graph);
            removed
                .map(drop)
                .ok_or_else(|| NnError::invalid_argument(format!("no graph {graph}")))
        })
    }

    pub unsafe extern "C" fn init_execution_context<B: NnBackend>(
        state: StatePtr,
        graph: GraphHandle,
    ) -> RResult<ContextHandle, NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("init_execution_context", || {
            let g = s
                .graphs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&graph)
                .cloned()
                .ok_or_else(|| NnError::invalid_argument(format!("no graph {graph}")))?;
            let ctx = s.backend.init_execution_context(&g)?;
            let id = s.next.fetch_add(1, Ordering::Relaxed);
            s.contexts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, Arc::new(Mutex::new(ctx)));
            Ok(id)
        })
    }

    pub unsafe extern "C" fn finalize_execution_context<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("finalize_execution_context", || {
            let removed = s
                .contexts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&ctx);
            removed
                .map(drop)
                .ok_or_else(|| NnError::invalid_argument(format!("no execution context {ctx}")))
        })
    }

    pub unsafe extern "C" fn set_input<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        tensor: TensorRef<'_>,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("set_input", || {
            with_context(s, ctx, |b, c| b.set_input(c, index, &tensor))
        })
    }

    pub unsafe extern "C" fn compute<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("compute", || with_context(s, ctx, |b, c| b.compute(c)))
    }

    pub unsafe extern "C" fn get_output<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        mut out: RSliceMut<'_, u8>,
    ) -> RResult<u64, NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("get_output", || {
            with_context(s, ctx, |b, c| {
                b.get_output(c, index, out.as_mut_slice()).map(|n| n as u64)
            })
        })
    }

    pub unsafe extern "C" fn compute_single<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("compute_single", || {
            with_context(s, ctx, |b, c| b.compute_single(c))
        })
    }

    pub unsafe extern "C" fn get_output_single<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
        index: u32,
        mut out: RSliceMut<'_, u8>,
    ) -> RResult<u64, NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("get_output_single", || {
            with_context(s, ctx, |b, c| {
                b.get_output_single(c, index, out.as_mut_slice())
                    .map(|n| n as u64)
            })
        })
    }

    pub unsafe extern "C" fn fini_single<B: NnBackend>(
        state: StatePtr,
        ctx: ContextHandle,
    ) -> RResult<(), NnError> {
        // SAFETY: as in `load`.
        let s = unsafe { state_of::<B>(state) };
        guard("fini_single", || {
            with_context(s, ctx, |b, c| b.fini_single(c))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{HostApi, HostApiRef, LogLevel, MemoryRegion};
    use crate::types::Value;
    use abi_stable::prefix_type::{PrefixRef, WithMetadata};
    use std::ffi::c_void;

    /// A backend whose "model" is a scale factor: output 0 = input 0 (f32) times the factor.
    struct Scale;
    struct Ctx {
        factor: f32,
        input: Vec<f32>,
        output: Vec<f32>,
    }

    impl NnBackend for Scale {
        type Graph = f32;
        type Context = Ctx;
        fn create(_: &InitContext) -> Result<Self, String> {
            Ok(Scale)
        }
        fn load(
            &self,
            builders: &[&[u8]],
            _: GraphEncoding,
            _: ExecutionTarget,
        ) -> Result<f32, NnError> {
            let b: [u8; 4] = builders
                .first()
                .and_then(|b| (*b).try_into().ok())
                .ok_or_else(|| NnError::invalid_argument("want one 4-byte builder"))?;
            Ok(f32::from_le_bytes(b))
        }
        fn init_execution_context(&self, g: &Arc<f32>) -> Result<Ctx, NnError> {
            Ok(Ctx {
                factor: **g,
                input: vec![],
                output: vec![],
            })
        }
        fn set_input(&self, c: &mut Ctx, index: u32, t: &TensorRef<'_>) -> Result<(), NnError> {
            if index != 0 || t.ty != TensorType::F32 {
                return Err(NnError::invalid_argument("input 0 must be f32"));
            }
            c.input = t
                .data
                .as_slice()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect();
            Ok(())
        }
        fn compute(&self, c: &mut Ctx) -> Result<(), NnError> {
            if c.input.is_empty() {
                panic!("compute without input");
            }
            c.output = c.input.iter().map(|x| x * c.factor).collect();
            Ok(())
        }
        fn get_output(&self, c: &mut Ctx, _: u32, out: &mut [u8]) -> Result<usize, NnError> {
            let need = c.output.len() * 4;
            if out.len() < need {
                return Err(NnError::too_large(need));
            }
            for (o, v) in out.chunks_exact_mut(4).zip(&c.output) {
                o.copy_from_slice(&v.to_le_bytes());
            }
            Ok(need)
        }
    }

    unsafe extern "C" fn no_memory(_: *mut c_void, _: *mut MemoryRegion) -> bool {
        false
    }
    unsafe extern "C" fn no_trap(_: *mut c_void, _: RStr<'_>) {}
    unsafe extern "C" fn no_call(
        _: *mut c_void,
        _: RStr<'_>,
        _: *const Value,
        _: usize,
        _: *mut Value,
        _: usize,
    ) -> RResult<(), RString> {
        RResult::RErr("no".into())
    }
    unsafe extern "C" fn no_log(_: LogLevel, _: RStr<'_>) {}
    static API: WithMetadata<HostApi> = WithMetadata::new(HostApi {
        memory: no_memory,
        trap: no_trap,
        call_export: no_call,
        log: no_log,
    });

    #[test]
    fn backend_glue_round_trip() {
        let d: NnBackendDescriptorRef = nn_backend!(Scale, "scale", [GraphEncoding::ONNX]);
        assert_eq!(d.name().as_str(), "scale");
        assert_eq!(d.encodings().as_slice(), &[GraphEncoding::ONNX]);
        let api = HostApiRef(PrefixRef::from_ref(&API));
        // SAFETY: the test calls the functions as the runtime would.
        unsafe {
            let init = InitContext::new(&[], api);
            let state = (d.create())(&init).unwrap();
            let model = 3.0f32.to_le_bytes();
            let builders = [RSlice::from_slice(&model[..])];
            let g = (d.load())(
                state,
                RSlice::from_slice(&builders),
                GraphEncoding::ONNX,
                ExecutionTarget::CPU,
            )
            .unwrap();
            let c = (d.init_execution_context())(state, g).unwrap();
            // A panic inside the backend becomes RUNTIME_ERROR.
            let e = (d.compute())(state, c).unwrap_err();
            assert_eq!(e.code, NnErrno::RUNTIME_ERROR);
            assert!(e.message.contains("panicked"), "{e}");
            assert!(e.message.contains("(in compute)"), "{e}");
            let input: Vec<u8> = [1.0f32, -2.0]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            let dims = [2u32];
            let t = TensorRef {
                dims: RSlice::from_slice(&dims),
                ty: TensorType::F32,
                data: RSlice::from_slice(&input),
            };
            (d.set_input())(state, c, 0, t).unwrap();
            (d.compute())(state, c).unwrap();
            let mut small = [0u8; 4];
            let e =
                (d.get_output())(state, c, 0, RSliceMut::from_mut_slice(&mut small)).unwrap_err();
            assert_eq!((e.code, e.required_size), (NnErrno::TOO_LARGE, 8));
            let mut out = [0u8; 8];
            let n = (d.get_output())(state, c, 0, RSliceMut::from_mut_slice(&mut out)).unwrap();
            assert_eq!(n, 8);
            assert_eq!(f32::from_le_bytes(out[4..].try_into().unwrap()), -6.0);
            let e = (d.compute_single())(state, c).unwrap_err();
            assert_eq!(e.code, NnErrno::INVALID_ARGUMENT);
            (d.unload())(state, g).unwrap();
            // The context outlives its graph.
            (d.compute())(state, c).unwrap();
            (d.finalize_execution_context())(state, c).unwrap();
            assert!((d.compute())(state, c).is_err());
            (d.destroy())(state);
        }
    }

    #[test]
    fn output_copies_check_the_size() {
        let mut out = [0u8; 4];
        assert_eq!(copy_output(&mut out, &[1, 2, 3]).unwrap(), 3);
        assert_eq!(out, [1, 2, 3, 0]);
        let e = copy_output(&mut out, &[0; 9]).unwrap_err();
        assert_eq!((e.code, e.required_size), (NnErrno::TOO_LARGE, 9));
        assert_eq!(TensorType::I64.element_size(), Some(8));
        assert_eq!(TensorType(9).element_size(), None);
    }

    #[test]
    fn names() {
        assert_eq!(GraphEncoding::from_name("GGML"), Some(GraphEncoding::GGML));
        assert_eq!(ExecutionTarget::AUTO.to_string(), "auto");
        assert_eq!(NnErrno(7).name(), Some("too_large"));
        assert_eq!(TensorType(42).to_string(), "42");
    }
}
