//! The `wasi_ephemeral_nn` host module with WasmEdge's ABI (reference: wasmedge-compat §3):
//! the 12 functions, the guest-side handle tables, `load_by_name` over `--nn-preload` entries
//! (graphs cached per name), the errno mapping, and routing by graph encoding to the backends
//! of the loaded plug-ins ([`NnBackends`]).
//!
//! Every guest pointer is bounds-checked here (a bad one is `invalid_argument`); backends only
//! ever see checked slices. This file must not know any framework: inference is the backends'.
//!
//! Errno choices (documented in docs/wasi-nn.md): an encoding number WasmEdge's table does not
//! know is `invalid_encoding`; a known encoding no loaded plug-in serves is `invalid_argument`
//! (WasmEdge's "backend is not built"); an unknown preload name is `not_found`; a bad handle,
//! pointer, tensor type or size is `invalid_argument`; an output buffer that is too small is
//! `too_large` with the needed size written to `bytes_written`.

use crate::nn::{NnBackend, NnBackends};
use crate::nn_preload::Preload;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wasmedge_plugin_sdk::nn::{
    ContextHandle, ExecutionTarget, GraphEncoding, GraphHandle, NnErrno, NnError, TensorType,
};
use wasmedge_runtime::Caller;
use wasmedge_runtime::Linker;
use wasmedge_runtime::Val;
use wasmedge_runtime::{Error, Phase, Result, Trap};
use wasmedge_runtime::{FuncType, ValType};

/// The import module name.
pub const MODULE: &str = "wasi_ephemeral_nn";

/// Where the module's messages go (each failing call logs why it failed).
pub type NnLog = Arc<dyn Fn(&str) + Send + Sync>;

/// Limits on guest-provided counts, so a hostile guest cannot make the host allocate much.
const MAX_BUILDERS: u32 = 64;
const MAX_DIMS: u32 = 32;

type Op = fn(&NnHost, &mut [u8], &[u32]) -> std::result::Result<(), NnError>;

/// The 12 functions: name, number of i32 parameters, body. All return an i32 errno.
const FUNCTIONS: &[(&str, usize, Op)] = &[
    ("load", 5, NnHost::load),
    ("load_by_name", 3, NnHost::load_by_name),
    (
        "load_by_name_with_config",
        5,
        NnHost::load_by_name_with_config,
    ),
    ("init_execution_context", 2, NnHost::init_execution_context),
    ("set_input", 3, NnHost::set_input),
    ("get_output", 5, NnHost::get_output),
    ("get_output_single", 5, NnHost::get_output_single),
    ("compute", 1, NnHost::compute),
    ("compute_single", 1, NnHost::compute_single),
    ("fini_single", 1, NnHost::fini_single),
    ("unload", 1, NnHost::unload),
    (
        "finalize_execution_context",
        1,
        NnHost::finalize_execution_context,
    ),
];

/// A guest-visible graph or context: the backend and its own handle.
#[derive(Clone)]
struct Entry<H> {
    backend: Arc<NnBackend>,
    handle: H,
}

#[derive(Default)]
struct Tables {
    graphs: HashMap<u32, Entry<GraphHandle>>,
    contexts: HashMap<u32, Entry<ContextHandle>>,
    next_graph: u32,
    next_context: u32,
    /// `load_by_name` cache: preload alias → guest graph handle.
    by_name: HashMap<String, u32>,
}

/// The module's state, shared by every function of one run.
pub struct NnHost {
    backends: NnBackends,
    preloads: Vec<Preload>,
    tables: Mutex<Tables>,
    log: NnLog,
}

fn bad(message: impl Into<String>) -> NnError {
    NnError::invalid_argument(message)
}

/// `len` bytes at `ptr` in guest memory.
fn region(
    mem: &[u8],
    ptr: u32,
    len: u32,
    what: &str,
) -> std::result::Result<(usize, usize), NnError> {
    let start = ptr as usize;
    let end = start
        .checked_add(len as usize)
        .filter(|e| *e <= mem.len())
        .ok_or_else(|| {
            bad(format!(
                "{what} ({len} bytes at {ptr:#x}) is outside the guest memory ({} bytes)",
                mem.len()
            ))
        })?;
    Ok((start, end))
}

fn read<'m>(
    mem: &'m [u8],
    ptr: u32,
    len: u32,
    what: &str,
) -> std::result::Result<&'m [u8], NnError> {
    let (s, e) = region(mem, ptr, len, what)?;
    Ok(&mem[s..e])
}

fn write_u32(mem: &mut [u8], ptr: u32, value: u32, what: &str) -> std::result::Result<(), NnError> {
    let (s, e) = region(mem, ptr, 4, what)?;
    mem[s..e].copy_from_slice(&value.to_le_bytes());
    Ok(())
}

fn read_str<'m>(
    mem: &'m [u8],
    ptr: u32,
    len: u32,
    what: &str,
) -> std::result::Result<&'m str, NnError> {
    std::str::from_utf8(read(mem, ptr, len, what)?).map_err(|_| bad(format!("{what} is not UTF-8")))
}

impl NnHost {
    /// The module state for one run. Preload entries whose files cannot be read are kept (their
    /// `load_by_name` fails with `model_not_found`) but reported through `log` now, as WasmEdge
    /// reads them eagerly.
    pub fn new(backends: NnBackends, preloads: Vec<Preload>, log: NnLog) -> Arc<NnHost> {
        for p in &preloads {
            for path in &p.paths {
                if std::fs::metadata(path).is_err() {
                    log(&format!(
                        "WASI-NN: --nn-preload {}: cannot read the model file {path}",
                        p.alias
                    ));
                }
            }
            if backends.for_encoding(p.encoding).is_none() {
                log(&format!(
                    "WASI-NN: --nn-preload {}: {}",
                    p.alias,
                    no_backend_message(p.encoding)
                ));
            }
        }
        Arc::new(NnHost {
            backends,
            preloads,
            tables: Mutex::new(Tables::default()),
            log,
        })
    }

    /// Defines the 12 functions in `linker`. A call from an instance without a memory traps
    /// (as in WasmEdge).
    pub fn add_to_linker<T: 'static>(self: &Arc<Self>, linker: &mut Linker<T>) -> Result<()> {
        for &(name, arity, op) in FUNCTIONS {
            let host = self.clone();
            let ty = FuncType::new(vec![ValType::I32; arity], vec![ValType::I32]);
            linker.func_new(
                MODULE,
                name,
                ty,
                move |mut caller: Caller<'_, T>, params, results| {
                    let memory = caller
                        .get_export("memory")
                        .and_then(|e| e.into_memory())
                        .ok_or_else(|| {
                            Error::trap(
                                Phase::Execution,
                                Trap::host(format!(
                                    "{MODULE}.{name}: the calling module exports no memory"
                                )),
                            )
                        })?;
                    let mem = memory.data_mut(&mut *caller);
                    let args: Vec<u32> = params
                        .iter()
                        .map(|p| match p {
                            Val::I32(v) => *v as u32,
                            _ => 0,
                        })
                        .collect();
                    results[0] = Val::I32(host.call(name, op, mem, &args) as i32);
                    Ok(())
                },
            )?;
        }
        Ok(())
    }

    /// Runs one function body on guest memory `mem` and returns its errno (logging failures).
    pub fn call(&self, name: &str, op: Op, mem: &mut [u8], args: &[u32]) -> u32 {
        match op(self, mem, args) {
            Ok(()) => NnErrno::SUCCESS.0,
            Err(e) => {
                (self.log)(&format!("WASI-NN: {name}: {e}"));
                e.code.0
            }
        }
    }

    /// The body of function `name` (for tests that drive the module without a VM).
    pub fn function(name: &str) -> Option<Op> {
        FUNCTIONS.iter().find(|f| f.0 == name).map(|f| f.2)
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn backend_for(&self, encoding: GraphEncoding) -> std::result::Result<Arc<NnBackend>, NnError> {
        if encoding.name().is_none() {
            return Err(NnError::new(
                NnErrno::INVALID_ENCODING,
                format!("unknown graph encoding {}", encoding.0),
            ));
        }
        self.backends
            .for_encoding(encoding)
            .cloned()
            .ok_or_else(|| bad(no_backend_message(encoding)))
    }

    fn add_graph(&self, backend: Arc<NnBackend>, handle: GraphHandle) -> u32 {
        let mut t = self.tables();
        let id = t.next_graph;
        t.next_graph = t.next_graph.wrapping_add(1);
        t.graphs.insert(id, Entry { backend, handle });
        id
    }

    fn graph(&self, id: u32) -> std::result::Result<Entry<GraphHandle>, NnError> {
        self.tables()
            .graphs
            .get(&id)
            .cloned()
            .ok_or_else(|| bad(format!("no graph {id}")))
    }

    fn context(&self, id: u32) -> std::result::Result<Entry<ContextHandle>, NnError> {
        self.tables()
            .contexts
            .get(&id)
            .cloned()
            .ok_or_else(|| bad(format!("no execution context {id}")))
    }

    /// `load(builder_array_ptr, builder_array_len, encoding, target, graph_out_ptr)`
    fn load(&self, mem: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let (array, count, encoding, target, out) = (a[0], a[1], a[2], a[3], a[4]);
        if count > MAX_BUILDERS {
            return Err(bad(format!("{count} builders (at most {MAX_BUILDERS})")));
        }
        region(mem, out, 4, "the graph out-pointer")?;
        let target = ExecutionTarget(target);
        if !matches!(
            target,
            ExecutionTarget::CPU | ExecutionTarget::GPU | ExecutionTarget::TPU
        ) {
            return Err(bad(format!(
                "execution target {} (load takes cpu=0, gpu=1 or tpu=2)",
                target.0
            )));
        }
        let table = read(mem, array, count * 8, "the graph builder array")?;
        let mut builders = Vec::with_capacity(count as usize);
        for (i, pair) in table.chunks_exact(8).enumerate() {
            let ptr = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]);
            let len = u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
            builders.push(read(mem, ptr, len, &format!("graph builder {i}"))?);
        }
        if let Some(first) = builders.first() {
            self.check_preload_path(first)?;
        }
        let encoding = GraphEncoding(encoding);
        let backend = self.backend_for(encoding)?;
        let handle = backend.load(&builders, encoding, target)?;
        let id = self.add_graph(backend, handle);
        write_u32(mem, out, id, "the graph out-pointer")
    }

    /// WasmEdge's backends read a builder `preload:<path>` as a host file name. A guest may use
    /// that only for a file the operator preloaded (`--nn-preload alias:…:PATH`): otherwise
    /// any guest could make the host open any file it can name, outside the WASI sandbox.
    fn check_preload_path(&self, builder: &[u8]) -> std::result::Result<(), NnError> {
        let Some(path) = builder.strip_prefix(b"preload:") else {
            return Ok(());
        };
        let path = std::str::from_utf8(path).map_err(|_| bad("the preload: path is not UTF-8"))?;
        let wanted = std::fs::canonicalize(path).ok();
        let preloaded = wanted.is_some()
            && self
                .preloads
                .iter()
                .flat_map(|p| &p.paths)
                .any(|p| std::fs::canonicalize(p).ok() == wanted);
        if preloaded {
            Ok(())
        } else {
            // model_not_found whether or not the file exists: the guest learns nothing about
            // the host's files it was not given (WasmEdge answers 103 for an unreadable one).
            Err(NnError::new(
                NnErrno::MODEL_NOT_FOUND,
                format!(
                    "the guest named the host file \"{path}\" with preload:, which only files preloaded by the operator may be (add --nn-preload ALIAS:ENCODING:TARGET:{path}, or pass the model bytes)"
                ),
            ))
        }
    }

    /// `load_by_name(name_ptr, name_len, graph_out_ptr)`
    fn load_by_name(&self, mem: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        self.by_name(mem, a[0], a[1], "", a[2])
    }

    /// `load_by_name_with_config(name_ptr, name_len, config_ptr, config_len, graph_out_ptr)`
    fn load_by_name_with_config(
        &self,
        mem: &mut [u8],
        a: &[u32],
    ) -> std::result::Result<(), NnError> {
        let config = read_str(mem, a[2], a[3], "the config")?.to_string();
        self.by_name(mem, a[0], a[1], &config, a[4])
    }

    fn by_name(
        &self,
        mem: &mut [u8],
        ptr: u32,
        len: u32,
        config: &str,
        out: u32,
    ) -> std::result::Result<(), NnError> {
        region(mem, out, 4, "the graph out-pointer")?;
        let name = read_str(mem, ptr, len, "the model name")?.to_string();
        // Graphs are cached per name (a config makes a fresh graph).
        if config.is_empty() {
            let cached = self.tables().by_name.get(&name).copied();
            if let Some(id) = cached {
                return write_u32(mem, out, id, "the graph out-pointer");
            }
        }
        let p = self
            .preloads
            .iter()
            .find(|p| p.alias == name)
            .ok_or_else(|| {
                NnError::new(
                    NnErrno::NOT_FOUND,
                    format!("no model preloaded as \"{name}\" (see --nn-preload)"),
                )
            })?;
        let backend = self.backend_for(p.encoding)?;
        let paths: Vec<&str> = p.paths.iter().map(String::as_str).collect();
        let handle = backend.load_from_paths(&paths, p.encoding, p.target, config)?;
        let id = self.add_graph(backend, handle);
        if config.is_empty() {
            self.tables().by_name.insert(name, id);
        }
        write_u32(mem, out, id, "the graph out-pointer")
    }

    /// `init_execution_context(graph, ctx_out_ptr)`
    fn init_execution_context(
        &self,
        mem: &mut [u8],
        a: &[u32],
    ) -> std::result::Result<(), NnError> {
        region(mem, a[1], 4, "the context out-pointer")?;
        let g = self.graph(a[0])?;
        let handle = g.backend.init_execution_context(g.handle)?;
        let id = {
            let mut t = self.tables();
            let id = t.next_context;
            t.next_context = t.next_context.wrapping_add(1);
            t.contexts.insert(
                id,
                Entry {
                    backend: g.backend,
                    handle,
                },
            );
            id
        };
        write_u32(mem, a[1], id, "the context out-pointer")
    }

    /// `set_input(ctx, index, tensor_ptr)`; the tensor is
    /// `{dims_ptr, dims_len, type, data_ptr, data_len}` (5 × u32).
    fn set_input(&self, mem: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let c = self.context(a[0])?;
        let t = read(mem, a[2], 20, "the tensor")?;
        let f = |i: usize| u32::from_le_bytes([t[i * 4], t[i * 4 + 1], t[i * 4 + 2], t[i * 4 + 3]]);
        let (dims_ptr, dims_len, ty, data_ptr, data_len) = (f(0), f(1), f(2), f(3), f(4));
        let ty = TensorType(ty);
        let size = ty.element_size().ok_or_else(|| {
            bad(format!(
                "tensor type {} (expected f16=0, f32=1, f64=2, u8=3, i32=4 or i64=5)",
                ty.0
            ))
        })?;
        if dims_len > MAX_DIMS {
            return Err(bad(format!("{dims_len} dimensions (at most {MAX_DIMS})")));
        }
        let dims: Vec<u32> = read(mem, dims_ptr, dims_len * 4, "the tensor dimensions")?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let count = dims
            .iter()
            .try_fold(1usize, |n, d| n.checked_mul(*d as usize))
            .and_then(|n| n.checked_mul(size))
            .ok_or_else(|| bad(format!("tensor dimensions {dims:?} overflow")))?;
        // WasmEdge's GGML backend reads input bytes whatever the dimensions say, and LlamaEdge
        // relies on it (a prompt of N bytes is sent as a u8 tensor of dimensions [1]): for a
        // backend serving ggml the size is not checked against the dimensions.
        let ggml = c.backend.encodings().contains(&GraphEncoding::GGML);
        if count != data_len as usize && !ggml {
            return Err(bad(format!(
                "a {ty} tensor of dimensions {dims:?} has {count} bytes, but {data_len} were given"
            )));
        }
        let data = read(mem, data_ptr, data_len, "the tensor data")?;
        c.backend.set_input(c.handle, a[1], &dims, ty, data)
    }

    /// `get_output(ctx, index, out_ptr, out_max_len, bytes_written_ptr)`
    fn get_output(&self, mem: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        self.output(mem, a, false)
    }

    /// `get_output_single(ctx, index, out_ptr, out_max_len, bytes_written_ptr)`
    fn get_output_single(&self, mem: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        self.output(mem, a, true)
    }

    fn output(&self, mem: &mut [u8], a: &[u32], single: bool) -> std::result::Result<(), NnError> {
        let (ctx, index, out, max, written) = (a[0], a[1], a[2], a[3], a[4]);
        let c = self.context(ctx)?;
        region(mem, written, 4, "the bytes-written pointer")?;
        let (s, e) = region(mem, out, max, "the output buffer")?;
        let result = if single {
            c.backend.get_output_single(c.handle, index, &mut mem[s..e])
        } else {
            c.backend.get_output(c.handle, index, &mut mem[s..e])
        };
        match result {
            Ok(n) => {
                let n = u32::try_from(n).map_err(|_| bad("the output is larger than 4 GiB"))?;
                write_u32(mem, written, n, "the bytes-written pointer")
            }
            Err(err) if err.code == NnErrno::TOO_LARGE => {
                let need = u32::try_from(err.required_size).unwrap_or(u32::MAX);
                write_u32(mem, written, need, "the bytes-written pointer")?;
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    /// `compute(ctx)`
    fn compute(&self, _: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let c = self.context(a[0])?;
        c.backend.compute(c.handle)
    }

    /// `compute_single(ctx)`
    fn compute_single(&self, _: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let c = self.context(a[0])?;
        c.backend.compute_single(c.handle)
    }

    /// `fini_single(ctx)`
    fn fini_single(&self, _: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let c = self.context(a[0])?;
        c.backend.fini_single(c.handle)
    }

    /// `unload(graph)`: also evicts the graph from the `load_by_name` cache. Contexts made from
    /// it stay usable.
    fn unload(&self, _: &mut [u8], a: &[u32]) -> std::result::Result<(), NnError> {
        let g = {
            let mut t = self.tables();
            let g = t
                .graphs
                .remove(&a[0])
                .ok_or_else(|| bad(format!("no graph {}", a[0])))?;
            t.by_name.retain(|_, id| *id != a[0]);
            g
        };
        g.backend.unload(g.handle)
    }

    /// `finalize_execution_context(ctx)`
    fn finalize_execution_context(
        &self,
        _: &mut [u8],
        a: &[u32],
    ) -> std::result::Result<(), NnError> {
        let c = self
            .tables()
            .contexts
            .remove(&a[0])
            .ok_or_else(|| bad(format!("no execution context {}", a[0])))?;
        c.backend.finalize_execution_context(c.handle)
    }
}

/// For a native library a WASI-NN backend plug-in links (and the runtime's loader could not
/// find): how the ML set-up provides it, as a sentence to append to the loader's warning.
pub fn native_library_hint(library: &str) -> Option<String> {
    let (what, var) = if library.starts_with("libtorch") || library.starts_with("libc10") {
        ("libtorch 2.13.0 (the PyTorch backend)", "LIBTORCH")
    } else if library.starts_with("libonnxruntime") {
        ("ONNX Runtime (the ONNX backend)", "ORT_DYLIB_PATH")
    } else if library.starts_with("libopenvino") {
        ("OpenVINO (the OpenVINO backend)", "OPENVINO_LIB")
    } else {
        return None;
    };
    Some(format!(
        ". {library} is {what}: run the set-up `bash .ci/setup-ml` (cargo xtask setup-ml), \
         `source .ml/env.sh` ({var}) and rebuild or reinstall the plug-in"
    ))
}

/// Why `encoding` cannot be served, and which plug-in to install.
fn no_backend_message(encoding: GraphEncoding) -> String {
    let plugin = match encoding {
        GraphEncoding::ONNX => Some("wasi_nn-onnx"),
        GraphEncoding::PYTORCH => Some("wasi_nn-pytorch"),
        GraphEncoding::OPENVINO => Some("wasi_nn-openvino"),
        GraphEncoding::GGML => Some("wasi_nn-ggml"),
        _ => None,
    };
    match plugin {
        Some(p) => format!(
            "no loaded plug-in serves the {encoding} encoding: install the {p} plug-in (or pass \
             its folder with --plugin-dir); see docs/wasi-nn.md"
        ),
        None => format!(
            "no loaded plug-in serves the {encoding} encoding (this runtime ships backends for \
             onnx, pytorch, openvino and ggml)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(log: Arc<Mutex<Vec<String>>>) -> Arc<NnHost> {
        let preloads = vec![Preload {
            alias: "m".into(),
            encoding: GraphEncoding::ONNX,
            target: ExecutionTarget::CPU,
            paths: vec!["/nonexistent/m.onnx".into()],
        }];
        NnHost::new(
            NnBackends::default(),
            preloads,
            Arc::new(move |m: &str| log.lock().unwrap().push(m.to_string())),
        )
    }

    fn call(h: &NnHost, name: &str, mem: &mut [u8], args: &[u32]) -> u32 {
        h.call(name, NnHost::function(name).unwrap(), mem, args)
    }

    #[test]
    fn errors_without_backends_follow_wasmedge() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let h = host(log.clone());
        // The preload's missing file and backend are reported up front.
        assert!(
            log.lock()
                .unwrap()
                .iter()
                .any(|m| m.contains("cannot read the model file"))
        );
        let mut mem = vec![0u8; 256];
        // One builder {ptr 64, len 4}.
        mem[0..4].copy_from_slice(&64u32.to_le_bytes());
        mem[4..8].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(call(&h, "load", &mut mem, &[0, 1, 99, 0, 100]), 2);
        assert_eq!(call(&h, "load", &mut mem, &[0, 1, 1, 0, 100]), 1);
        assert_eq!(call(&h, "load", &mut mem, &[250, 1, 1, 0, 100]), 1);
        assert_eq!(
            call(&h, "load", &mut mem, &[0, 1, 1, 3, 100]),
            1,
            "auto is preload-only"
        );
        assert_eq!(call(&h, "load", &mut mem, &[0, 1000, 1, 0, 100]), 1);
        mem[64..65].copy_from_slice(b"x");
        assert_eq!(call(&h, "load_by_name", &mut mem, &[64, 1, 100]), 8);
        mem[64..65].copy_from_slice(b"m");
        assert_eq!(
            call(&h, "load_by_name", &mut mem, &[64, 1, 100]),
            1,
            "no onnx backend"
        );
        assert_eq!(
            call(&h, "load_by_name", &mut mem, &[64, 1, 254]),
            1,
            "bad out pointer"
        );
        assert_eq!(call(&h, "load_by_name", &mut mem, &[255, 9, 100]), 1);
        mem[64] = 0xff;
        assert_eq!(
            call(&h, "load_by_name", &mut mem, &[64, 1, 100]),
            1,
            "not UTF-8"
        );
        assert_eq!(call(&h, "init_execution_context", &mut mem, &[7, 100]), 1);
        for f in [
            "compute",
            "compute_single",
            "fini_single",
            "unload",
            "finalize_execution_context",
        ] {
            assert_eq!(call(&h, f, &mut mem, &[3]), 1, "{f}");
        }
        assert_eq!(call(&h, "set_input", &mut mem, &[3, 0, 0]), 1);
        assert_eq!(call(&h, "get_output", &mut mem, &[3, 0, 0, 4, 8]), 1);
        let log = log.lock().unwrap();
        assert!(
            log.iter()
                .any(|m| m.contains("load: invalid_encoding: unknown graph encoding 99"))
        );
        assert!(
            log.iter()
                .any(|m| m.contains("install the wasi_nn-onnx plug-in"))
        );
    }

    #[test]
    fn guests_name_only_preloaded_host_files() {
        let dir = std::env::temp_dir().join(format!("nn-preload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model = dir.join("m.gguf");
        std::fs::write(&model, b"GGUF").unwrap();
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let refused = |log: &Mutex<Vec<String>>| {
            log.lock()
                .unwrap()
                .drain(..)
                .any(|m| m.contains("only files preloaded by the operator"))
        };
        let h = NnHost::new(
            NnBackends::default(),
            vec![Preload {
                alias: "m".into(),
                encoding: GraphEncoding::GGML,
                target: ExecutionTarget::AUTO,
                paths: vec![model.display().to_string()],
            }],
            {
                let log = log.clone();
                Arc::new(move |m: &str| log.lock().unwrap().push(m.to_string()))
            },
        );
        let mut mem = vec![0u8; 512];
        let mut load = |text: &str| {
            mem[64..64 + text.len()].copy_from_slice(text.as_bytes());
            mem[0..4].copy_from_slice(&64u32.to_le_bytes());
            mem[4..8].copy_from_slice(&(text.len() as u32).to_le_bytes());
            call(&h, "load", &mut mem, &[0, 1, GraphEncoding::GGML.0, 0, 400])
        };
        // Another host file: refused before any backend sees it, with the same errno
        // (model_not_found) whether it exists or not.
        assert_eq!(load("preload:/etc/passwd"), NnErrno::MODEL_NOT_FOUND.0);
        assert!(refused(&log));
        assert_eq!(
            load("preload:/nonexistent/x.gguf"),
            NnErrno::MODEL_NOT_FOUND.0
        );
        assert!(refused(&log));
        // The preloaded file passes the check (and then fails only for want of a backend).
        let ok = format!("preload:{}", model.display());
        load(&ok);
        assert!(!refused(&log));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_framework_libraries_point_to_the_setup() {
        let h = native_library_hint("libtorch_cpu.so").unwrap();
        assert!(
            h.contains("LIBTORCH") && h.contains("bash .ci/setup-ml"),
            "{h}"
        );
        assert!(
            native_library_hint("libc10.so")
                .unwrap()
                .contains("libtorch")
        );
        assert!(native_library_hint("libfoo.so.1").is_none());
    }

    #[test]
    fn every_function_is_registered_with_its_arity() {
        let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
        assert_eq!(names.len(), 12);
        let arity = |n: &str| FUNCTIONS.iter().find(|f| f.0 == n).unwrap().1;
        assert_eq!(arity("load"), 5);
        assert_eq!(arity("get_output_single"), 5);
        assert_eq!(arity("load_by_name_with_config"), 5);
        assert_eq!(arity("set_input"), 3);
    }
}
