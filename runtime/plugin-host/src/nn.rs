//! The runtime side of the WASI-NN backend interface: [`NnBackends::create`] instantiates every
//! backend the loaded plug-ins provide, [`NnBackends::for_encoding`] routes a graph encoding to
//! one, and [`NnBackend`] wraps its `extern "C"` table in safe methods.
//!
//! The `wasi_ephemeral_nn` host module (guest memory, handle tables, `--nn-preload`, errno
//! mapping) is built on top of this by the WASI-NN work; nothing here touches guest memory.

use crate::host::PluginHost;
use crate::link::{OptionValues, host_api, option_values};
use crate::load::{Plugin, PluginWarning};
use abi_stable::std_types::{RResult, RSlice, RSliceMut, RStr};
use std::sync::Arc;
use wasmedge_plugin_sdk::nn::{
    ContextHandle, ExecutionTarget, GraphEncoding, GraphHandle, NnBackendDescriptorRef, NnError,
    TensorRef, TensorType,
};
use wasmedge_plugin_sdk::{InitContext, StatePtr};

/// One instantiated backend.
pub struct NnBackend {
    plugin: Arc<Plugin>,
    desc: NnBackendDescriptorRef,
    state: StatePtr,
}

impl Drop for NnBackend {
    fn drop(&mut self) {
        // SAFETY: `state` came from this backend's `create` and is destroyed once.
        unsafe { (self.desc.destroy())(self.state) }
    }
}

fn result<T>(r: RResult<T, NnError>) -> Result<T, NnError> {
    r.into_result()
}

impl NnBackend {
    /// The backend's name.
    pub fn name(&self) -> &str {
        self.desc.name().as_str()
    }

    /// The plug-in that provides it.
    pub fn plugin(&self) -> &Arc<Plugin> {
        &self.plugin
    }

    /// The encodings it serves.
    pub fn encodings(&self) -> &[GraphEncoding] {
        self.desc.encodings().as_slice()
    }

    /// Loads a graph from builders.
    pub fn load(
        &self,
        builders: &[&[u8]],
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<GraphHandle, NnError> {
        let b: Vec<RSlice<'_, u8>> = builders.iter().map(|b| RSlice::from_slice(b)).collect();
        // SAFETY: the table's functions take this backend's state; the slices outlive the call.
        result(unsafe { (self.desc.load())(self.state, RSlice::from_slice(&b), encoding, target) })
    }

    /// Loads a graph from files, with an optional JSON config.
    pub fn load_from_paths(
        &self,
        paths: &[&str],
        encoding: GraphEncoding,
        target: ExecutionTarget,
        config: &str,
    ) -> Result<GraphHandle, NnError> {
        let p: Vec<RStr<'_>> = paths.iter().map(|p| RStr::from_str(p)).collect();
        // SAFETY: as in `load`.
        result(unsafe {
            (self.desc.load_from_paths())(
                self.state,
                RSlice::from_slice(&p),
                encoding,
                target,
                RStr::from_str(config),
            )
        })
    }

    /// Unloads a graph.
    pub fn unload(&self, graph: GraphHandle) -> Result<(), NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.unload())(self.state, graph) })
    }

    /// Creates an execution context.
    pub fn init_execution_context(&self, graph: GraphHandle) -> Result<ContextHandle, NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.init_execution_context())(self.state, graph) })
    }

    /// Destroys an execution context.
    pub fn finalize_execution_context(&self, ctx: ContextHandle) -> Result<(), NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.finalize_execution_context())(self.state, ctx) })
    }

    /// Sets input `index` to a tensor.
    pub fn set_input(
        &self,
        ctx: ContextHandle,
        index: u32,
        dims: &[u32],
        ty: TensorType,
        data: &[u8],
    ) -> Result<(), NnError> {
        let tensor = TensorRef {
            dims: RSlice::from_slice(dims),
            ty,
            data: RSlice::from_slice(data),
        };
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.set_input())(self.state, ctx, index, tensor) })
    }

    /// Runs inference.
    pub fn compute(&self, ctx: ContextHandle) -> Result<(), NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.compute())(self.state, ctx) })
    }

    /// Copies output `index` into `out`; returns the bytes written.
    pub fn get_output(
        &self,
        ctx: ContextHandle,
        index: u32,
        out: &mut [u8],
    ) -> Result<u64, NnError> {
        // SAFETY: as in `load`.
        result(unsafe {
            (self.desc.get_output())(self.state, ctx, index, RSliceMut::from_mut_slice(out))
        })
    }

    /// Generates one token.
    pub fn compute_single(&self, ctx: ContextHandle) -> Result<(), NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.compute_single())(self.state, ctx) })
    }

    /// Copies the latest token's output.
    pub fn get_output_single(
        &self,
        ctx: ContextHandle,
        index: u32,
        out: &mut [u8],
    ) -> Result<u64, NnError> {
        // SAFETY: as in `load`.
        result(unsafe {
            (self.desc.get_output_single())(self.state, ctx, index, RSliceMut::from_mut_slice(out))
        })
    }

    /// Ends a single-token session.
    pub fn fini_single(&self, ctx: ContextHandle) -> Result<(), NnError> {
        // SAFETY: as in `load`.
        result(unsafe { (self.desc.fini_single())(self.state, ctx) })
    }
}

/// Every instantiated backend, in plug-in order.
#[derive(Default, Clone)]
pub struct NnBackends {
    backends: Vec<Arc<NnBackend>>,
}

impl NnBackends {
    /// Instantiates the backends of every plug-in in `host` with the plug-in's option values.
    /// A backend whose `create` fails is skipped with a warning.
    pub fn create(host: &PluginHost, options: &OptionValues) -> (NnBackends, Vec<PluginWarning>) {
        let mut out = NnBackends::default();
        let mut warnings = Vec::new();
        for plugin in host.plugins() {
            let values = option_values(plugin, options);
            // SAFETY: `values` outlives the `create` calls.
            let init = unsafe { InitContext::new(&values, host_api()) };
            for desc in plugin.nn_backends() {
                // SAFETY: `create` is the backend's constructor; the SDK glue catches panics.
                match unsafe { (desc.create())(&init) } {
                    RResult::ROk(state) => out.backends.push(Arc::new(NnBackend {
                        plugin: plugin.clone(),
                        desc,
                        state,
                    })),
                    RResult::RErr(e) => warnings.push(PluginWarning::part(
                        plugin.path(),
                        format!(
                            "plug-in \"{}\" could not initialise its WASI-NN backend \"{}\": {e}",
                            plugin.name(),
                            desc.name().as_str()
                        ),
                        "check the plug-in's options and native libraries",
                    )),
                }
            }
        }
        (out, warnings)
    }

    /// Every backend.
    pub fn all(&self) -> &[Arc<NnBackend>] {
        &self.backends
    }

    /// True if no plug-in provides a backend.
    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }

    /// The first backend serving `encoding`.
    pub fn for_encoding(&self, encoding: GraphEncoding) -> Option<&Arc<NnBackend>> {
        self.backends
            .iter()
            .find(|b| b.encodings().contains(&encoding))
    }
}
