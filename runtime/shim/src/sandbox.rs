//! The container process's payload. runwasi's executor calls [`WasmEdgeSandbox`] inside the
//! container, after youki set it up: `/` is the image's rootfs, fds 0–2 are containerd's log
//! fifos, the cgroup and namespaces are the container's. [`check`] runs at create time (a
//! failure refuses the container with the reason); [`run`] at start.
//!
//! Exit codes follow `wasmedge run`: the guest's `proc_exit` status, 0 when the entry function
//! returns, 134 after a trap, 1 when the module cannot be loaded, linked or started. Messages
//! go to the container's stderr (so `kubectl logs` shows them) and to the shim log.

use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{RuntimeContext, Source, WasmLayer};
use std::io::Write;
use wasmedge_runtime::{Engine, Error, ExternType, Linker, Module, Phase, Store, Val};
use wasmedge_wasi::{self as wasi, WasiCtx};

/// Exit code after a trap (as `wasmedge run`).
pub const EXIT_TRAP: i32 = 134;
/// Exit code when the module cannot be loaded, linked or started.
pub const EXIT_FAILURE: i32 = 1;

/// runwasi's per-container engine object (stateless: everything lives in the process).
#[derive(Clone, Copy, Debug, Default)]
pub struct WasmEdgeSandbox;

impl Sandbox for WasmEdgeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> anyhow::Result<i32> {
        Ok(run(ctx))
    }

    async fn can_handle(&self, ctx: &impl RuntimeContext) -> anyhow::Result<()> {
        // runwasi logs the reason; the container's stderr (already containerd's fifo) gets it
        // too, since the error containerd reports is only "executor can't handle spec".
        check(ctx).inspect_err(|e| report(&format!("refusing the container: {e}")))
    }
}

/// True for a core WebAssembly module binary (version 1).
pub fn is_core_module(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0]
}

/// True for a WebAssembly component binary.
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[6..8] == [1, 0]
}

/// Why `bytes` (named `what`) cannot run, if it cannot.
fn refuse_bytes(what: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if is_core_module(bytes) {
        return Ok(());
    }
    if is_component(bytes) {
        anyhow::bail!(
            "{what} is a WebAssembly component (WASI preview 2); wasmedge-rs runs core modules \
             (WASI preview 1 commands) only"
        );
    }
    if bytes.starts_with(b"\x7fELF") {
        anyhow::bail!(
            "{what} is a native executable, not WebAssembly (and it is not marked executable, \
             so it cannot run as a Linux container either)"
        );
    }
    if wasmedge_environ::loader::to_binary(bytes).is_ok() {
        return Ok(()); // WebAssembly text: validated when it is compiled
    }
    anyhow::bail!(
        "{what} is neither a WebAssembly module nor WebAssembly text; this runtime class runs \
         wasm images: set the entrypoint to the .wasm file (or use a wasm OCI artifact), or run \
         Linux images with the default runtime"
    )
}

/// Checks at create time that the container is something this shim runs: exactly one wasm
/// layer that is a core module (or its precompiled artifact), or an entrypoint naming a
/// `.wasm`/`.wat` file in the rootfs.
pub fn check(ctx: &impl RuntimeContext) -> anyhow::Result<()> {
    let entrypoint = ctx.entrypoint();
    match &entrypoint.source {
        Source::Oci([layer]) if layer.precompiled => Ok(()),
        Source::Oci([layer]) => refuse_bytes(&describe_layer(layer), &layer.layer),
        Source::Oci(layers) => anyhow::bail!(
            "the image has {} wasm layers; wasmedge-rs runs one module per container",
            layers.len()
        ),
        Source::File(path) if path.as_os_str().is_empty() => anyhow::bail!(
            "the container has no entrypoint: set the image's entrypoint (or the pod's \
             command) to the wasm module, e.g. /app.wasm"
        ),
        Source::File(path) => {
            let bytes = entrypoint.source.as_bytes().map_err(|e| {
                anyhow::anyhow!("the entrypoint {} cannot be read: {e}", path.display())
            })?;
            refuse_bytes(&format!("the entrypoint {}", path.display()), &bytes)
        }
    }
}

fn describe_layer(layer: &WasmLayer) -> String {
    format!(
        "the layer {} ({})",
        layer.config.digest(),
        layer.config.media_type()
    )
}

/// A failure before or during the guest's run: its exit code and message.
struct Failure {
    code: i32,
    message: String,
}

fn fail(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: EXIT_FAILURE,
        message: message.to_string(),
    }
}

/// Runs the container's module and returns the container's exit code.
pub fn run(ctx: &impl RuntimeContext) -> i32 {
    exit_on_termination_signals();
    match run_inner(ctx) {
        Ok(code) => code,
        Err(f) => {
            log::error!("{}", f.message);
            report(&f.message);
            f.code
        }
    }
}

/// Writes a message for the user to the container's stderr.
fn report(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "wasmedge-shim: {message}");
    let _ = err.flush();
}

fn run_inner(ctx: &impl RuntimeContext) -> Result<i32, Failure> {
    let entrypoint = ctx.entrypoint();
    let engine = crate::engine().map_err(fail)?;
    let module = load(&engine, &entrypoint.source)?;

    let mut b = WasiCtx::builder();
    let mut args = ctx.args().iter();
    if let Some(arg0) = args.next() {
        // `path#func` names the function to call; the guest sees only the path.
        b.arg(arg0.split_once('#').map_or(arg0.as_str(), |(path, _)| path));
    }
    b.args(args);
    for entry in ctx.envs() {
        b.env_entry(entry);
    }
    b.preopened_dir("/", "/", false)
        .map_err(|e| fail(format!("cannot preopen the container's root: {e}")))?;
    b.inherit_stdio();

    let mut store = Store::new(&engine, b.build());
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).map_err(fail)?;
    let _plugins = crate::plugins::add_to_linker(&mut linker);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        // A start function may exit or trap; anything else is a link or set-up failure.
        Err(e) if e.exit_status().is_some() || e.phase() == Phase::Execution => return exited(e),
        Err(e) => return Err(fail(e)),
    };

    let func = entrypoint.func.as_str();
    let Some(f) = instance.get_func(&store, func) else {
        let exports: Vec<String> = module
            .exports()
            .into_iter()
            .filter(|e| matches!(e.ty, ExternType::Func(_)))
            .map(|e| e.name)
            .collect();
        return Err(fail(format!(
            "the module exports no function \"{func}\" (it exports: {}); name another with \
             the entrypoint `path#function`",
            exports.join(", ")
        )));
    };
    let ty = f.ty(&store);
    if !ty.params().is_empty() {
        return Err(fail(format!(
            "the entry function \"{func}\" has type {ty}; it must take no parameters"
        )));
    }
    if func != "_start"
        && func != "_initialize"
        && let Some(init) = instance.get_func(&store, "_initialize")
        && init.ty(&store).params().is_empty()
        && init.ty(&store).results().is_empty()
    {
        // A reactor: initialise it before calling the named function.
        if let Err(e) = init.call(&mut store, &[], &mut []) {
            return exited(e);
        }
    }
    log::info!("calling \"{func}\"");
    let mut results: Vec<_> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    match f.call(&mut store, &[], &mut results) {
        Ok(()) => Ok(0),
        Err(e) => exited(e),
    }
}

/// The exit code of a guest that stopped with `e`: its `proc_exit` status, or 134 for a trap.
fn exited(e: Error) -> Result<i32, Failure> {
    match e.exit_status() {
        Some(status) => Ok(status),
        None => Err(Failure {
            code: EXIT_TRAP,
            message: e.to_string(),
        }),
    }
}

/// The module of `source`: a precompiled layer is loaded as an artifact (falling back to
/// compiling the module inside it if this process's engine cannot use it); a wasm layer or
/// file is compiled here.
fn load(engine: &Engine, source: &Source<'_>) -> Result<Module, Failure> {
    match source {
        Source::Oci([layer]) if layer.precompiled => {
            // SAFETY: precompiled layers are artifacts this shim's compiler wrote to
            // containerd's content store, labelled with the shim's name and cache key; the
            // artifact's checksum and compatibility header are checked on load.
            match unsafe { Module::deserialize(engine, &layer.layer) } {
                Ok(m) => Ok(m),
                Err(e) => {
                    log::warn!("precompiled layer unusable ({e}); compiling its module");
                    let parsed = wasmedge_environ::artifact::read(&layer.layer)
                        .map_err(|e| fail(format!("damaged precompiled layer: {e}")))?;
                    Module::from_binary(engine, &parsed.header.wasm).map_err(fail)
                }
            }
        }
        Source::Oci([layer]) => Module::new(engine, &layer.layer).map_err(fail),
        Source::Oci(layers) => Err(fail(format!(
            "the image has {} wasm layers; wasmedge-rs runs one module per container",
            layers.len()
        ))),
        Source::File(path) => {
            let bytes = source
                .as_bytes()
                .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
            Module::new(engine, &bytes).map_err(fail)
        }
    }
}

/// The container process is the init process of its PID namespace, which the kernel shields
/// from every signal it has no handler for (except SIGKILL), so `kill`/`ctr task kill`/a pod
/// deletion's SIGTERM would be ignored. Handle the termination signals the way a process
/// without handlers dies: at once, with status 128 + signal.
fn exit_on_termination_signals() {
    extern "C" fn on_signal(sig: libc::c_int) {
        // SAFETY: `_exit` is async-signal-safe; guest output is written unbuffered.
        unsafe { libc::_exit(128 + sig) }
    }
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: installs a handler that only calls `_exit`; the runtime's own handlers
        // (SIGSEGV, SIGBUS, SIGILL, SIGFPE) are different signals.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_kinds() {
        let module = wat::parse_str("(module)").unwrap();
        assert!(is_core_module(&module));
        assert!(!is_component(&module));
        let component = b"\0asm\x0d\x00\x01\x00";
        assert!(is_component(component));
        assert!(!is_core_module(component));
        assert!(refuse_bytes("x", &module).is_ok());
        assert!(refuse_bytes("x", b"(module)").is_ok());
        let e = refuse_bytes("x", component).unwrap_err().to_string();
        assert!(e.contains("component"), "{e}");
        let e = refuse_bytes("x", b"\x7fELF\x02\x01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("native executable"), "{e}");
        let e = refuse_bytes("x", b"hello world").unwrap_err().to_string();
        assert!(e.contains("neither a WebAssembly module"), "{e}");
    }
}
