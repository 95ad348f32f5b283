//! From loaded plug-ins to importable host functions: [`PluginModules::create`] runs each
//! module's `create` with the plug-in's option values, [`PluginModules::add_to_linker`] defines
//! every function in a [`Linker`]. Also the [`HostApi`] table plug-ins call back into: the
//! calling instance's memory, calls to its exports, and logging ([`set_log_handler`]).
//!
//! The call path is: compiled wasm → the VM's host shim → the closure made here, which copies
//! the arguments into a [`Value`] array on the stack and calls the plug-in's plain `extern "C"`
//! entry point directly (no trait objects, no allocation for up to 8 values).

use crate::host::PluginHost;
use crate::load::{Plugin, PluginWarning, func_type};
use abi_stable::prefix_type::{PrefixRef, WithMetadata};
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, RwLock};
use wasmedge_plugin_sdk::{
    CallContext, CallStatus, HostApi, HostApiRef, InitContext, LogLevel, MemoryRegion, OptionValue,
    StatePtr, Value,
};
use wasmedge_runtime::Caller;
use wasmedge_runtime::Extern;
use wasmedge_runtime::Linker;
use wasmedge_runtime::Val;
use wasmedge_runtime::ValType;
use wasmedge_runtime::{Error, Phase, Result, Trap};

/// Arguments and results up to this count live on the stack during a call.
const INLINE_VALUES: usize = 8;

/// A host module whose state was created; destroys the state when the last function using it
/// is dropped.
struct ModuleInstance {
    plugin: Arc<Plugin>,
    index: usize,
    state: StatePtr,
}

impl ModuleInstance {
    fn descriptor(&self) -> &'static wasmedge_plugin_sdk::ModuleDescriptor {
        let modules = self.plugin.descriptor().modules();
        &modules.as_slice()[self.index]
    }
}

impl Drop for ModuleInstance {
    fn drop(&mut self) {
        let destroy = self.descriptor().destroy;
        // SAFETY: `state` was made by this module's `create` and is destroyed only here. The SDK's
        // `destroy` catches panics.
        unsafe { destroy(self.state) }
    }
}

/// The host modules of the loaded plug-ins, with their states created.
#[derive(Clone, Default)]
pub struct PluginModules {
    modules: Vec<Arc<ModuleInstance>>,
    failed: Vec<(String, String)>,
}

/// The values given on the command line for options: `(option name, values)`.
pub type OptionValues = [(String, Vec<String>)];

impl PluginModules {
    /// Creates the state of every module of every plug-in in `host`, passing each plug-in the
    /// values of the options it declared. A module whose `create` fails or panics, or whose
    /// name another plug-in already provides, is skipped with a warning.
    pub fn create(
        host: &PluginHost,
        options: &OptionValues,
    ) -> (PluginModules, Vec<PluginWarning>) {
        let mut out = PluginModules::default();
        let mut warnings = Vec::new();
        for plugin in host.plugins() {
            let values = option_values(plugin, options);
            // SAFETY: `values` outlives every `create` call below.
            let init = unsafe { InitContext::new(&values, host_api()) };
            // Modules that failed with the same message are reported in one warning.
            let mut failures: Vec<(String, Vec<String>)> = Vec::new();
            for (index, m) in plugin.descriptor().modules().iter().enumerate() {
                let name = m.name.as_str();
                if let Some(other) = out
                    .modules
                    .iter()
                    .find(|o| o.descriptor().name.as_str() == name)
                {
                    warnings.push(PluginWarning::part(
                        plugin.path(),
                        format!(
                            "its host module \"{name}\" is already provided by plug-in \"{}\" ({}); \
                             the first one is used",
                            other.plugin.name(),
                            other.plugin.path().display()
                        ),
                        format!(
                            "remove one of the plug-ins, or skip one with --forbidden-plugin {}",
                            plugin.name()
                        ),
                    ));
                    continue;
                }
                // SAFETY: `create` is the plug-in's constructor for this module; `init` is valid.
                // The SDK's wrapper catches panics; `catch_unwind` guards hand-written plug-ins.
                let created = catch_unwind(AssertUnwindSafe(|| unsafe { (m.create)(&init) }));
                let error = match created {
                    Ok(RResult::ROk(state)) => {
                        out.modules.push(Arc::new(ModuleInstance {
                            plugin: plugin.clone(),
                            index,
                            state,
                        }));
                        continue;
                    }
                    Ok(RResult::RErr(e)) => e.into_string(),
                    Err(_) => "panicked (and the panic reached the runtime)".to_string(),
                };
                out.failed
                    .push((name.to_string(), plugin.name().to_string()));
                match failures.iter_mut().find(|(e, _)| *e == error) {
                    Some((_, modules)) => modules.push(name.to_string()),
                    None => failures.push((error, vec![name.to_string()])),
                }
            }
            for (error, modules) in failures {
                let modules = modules
                    .iter()
                    .map(|m| format!("\"{m}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let what = if modules.contains(", ") {
                    "modules"
                } else {
                    "module"
                };
                let (cause, fix) = if let Some(rest) = error.strip_prefix("panicked") {
                    (
                        format!(
                            "plug-in \"{}\" panicked while initialising its {what} {modules}{rest}",
                            plugin.name()
                        ),
                        format!(
                            "report this to the plug-in's author, or skip the plug-in with \
                             --forbidden-plugin {}",
                            plugin.name()
                        ),
                    )
                } else {
                    (
                        format!(
                            "plug-in \"{}\" could not initialise its {what} {modules}: {error}",
                            plugin.name()
                        ),
                        "check the plug-in's options (`wasmedge plugin list` shows them)"
                            .to_string(),
                    )
                };
                warnings.push(PluginWarning::part(plugin.path(), cause, fix));
            }
        }
        (out, warnings)
    }

    /// The import module names available.
    pub fn module_names(&self) -> Vec<&str> {
        self.modules
            .iter()
            .map(|m| m.descriptor().name.as_str())
            .collect()
    }

    /// If a plug-in provides `module` but its initialisation failed: that plug-in's name.
    pub fn failed_provider_of(&self, module: &str) -> Option<&str> {
        self.failed
            .iter()
            .find(|(m, _)| m == module)
            .map(|(_, p)| p.as_str())
    }

    /// Defines every function of every module in `linker`. Names the linker already defines
    /// (for example built-in modules) are left alone; they are returned as warnings.
    pub fn add_to_linker<T: 'static>(&self, linker: &mut Linker<T>) -> Vec<PluginWarning> {
        let mut warnings = Vec::new();
        for m in &self.modules {
            let d = m.descriptor();
            for f in d.functions.iter() {
                let (module, name) = (d.name.as_str(), f.name.as_str());
                if linker.contains(module, name) {
                    warnings.push(PluginWarning::part(
                        m.plugin.path(),
                        format!(
                            "its function \"{module}\".\"{name}\" is already provided by the \
                             runtime; the runtime's is used"
                        ),
                        format!(
                            "skip the plug-in with --forbidden-plugin {}",
                            m.plugin.name()
                        ),
                    ));
                    continue;
                }
                let ty = func_type(f).expect("checked when the plug-in was loaded");
                let call = PluginCall {
                    module: m.clone(),
                    entry: f.entry,
                    state: m.state,
                    results: ty.results().into(),
                    name: f.name.as_str(),
                };
                linker
                    .func_new(module, name, ty, move |caller, params, results| {
                        call.call(caller, params, results)
                    })
                    .expect("checked that the name is free");
            }
        }
        warnings
    }
}

/// The values of the options `plugin` declared, as the SDK passes them.
pub(crate) fn option_values(plugin: &Plugin, options: &OptionValues) -> Vec<OptionValue> {
    let declared: Vec<String> = plugin.options().into_iter().map(|o| o.0).collect();
    options
        .iter()
        .filter(|(name, _)| declared.contains(name))
        .map(|(name, values)| OptionValue {
            name: RString::from(name.as_str()),
            values: values
                .iter()
                .map(|v| RString::from(v.as_str()))
                .collect::<RVec<_>>(),
        })
        .collect()
}

/// What the closure of one plug-in function holds.
struct PluginCall {
    /// Keeps the module state alive.
    module: Arc<ModuleInstance>,
    entry: unsafe extern "C" fn(
        *mut CallContext,
        *const Value,
        usize,
        *mut Value,
        usize,
    ) -> CallStatus,
    state: StatePtr,
    results: Box<[ValType]>,
    name: &'static str,
}

impl PluginCall {
    #[inline]
    fn call<T: 'static>(
        &self,
        mut caller: Caller<'_, T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let mut inline_args = [Value::ZERO; INLINE_VALUES];
        let mut heap_args = Vec::new();
        let args: &mut [Value] = if params.len() <= INLINE_VALUES {
            &mut inline_args[..params.len()]
        } else {
            heap_args.resize(params.len(), Value::ZERO);
            &mut heap_args
        };
        for (a, p) in args.iter_mut().zip(params) {
            *a = to_value(p);
        }
        let mut inline_results = [Value::ZERO; INLINE_VALUES];
        let mut heap_results = Vec::new();
        let outs: &mut [Value] = if results.len() <= INLINE_VALUES {
            &mut inline_results[..results.len()]
        } else {
            heap_results.resize(results.len(), Value::ZERO);
            &mut heap_results
        };
        let mut frame = Frame {
            caller: &mut caller,
            trap: None,
        };
        // SAFETY: the frame is what HOST_API's functions expect and lives for the whole call;
        // `state` is this function's module state.
        let mut cx = unsafe {
            CallContext::new(
                &mut frame as *mut Frame<'_> as *mut c_void,
                host_api(),
                self.state,
            )
        };
        // SAFETY: `entry` is the plug-in's entry point for this function; the arrays have the
        // lengths passed. The SDK's wrapper never unwinds.
        let status = unsafe {
            (self.entry)(
                &mut cx,
                args.as_ptr(),
                args.len(),
                outs.as_mut_ptr(),
                outs.len(),
            )
        };
        if status != CallStatus::OK {
            let message = frame
                .trap
                .take()
                .unwrap_or_else(|| "failed without a message".to_string());
            return Err(Error::trap(
                Phase::Execution,
                Trap::host(format!(
                    "plug-in \"{}\" function \"{}\".\"{}\" failed: {message}",
                    self.module.plugin.name(),
                    self.module.descriptor().name.as_str(),
                    self.name
                )),
            ));
        }
        for ((r, o), t) in results.iter_mut().zip(outs.iter()).zip(self.results.iter()) {
            *r = from_value(*o, *t);
        }
        Ok(())
    }
}

/// A runtime value as a plug-in value (references, which plug-in signatures cannot have, are 0).
fn to_value(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::from_i32(*x),
        Val::I64(x) => Value::from_i64(*x),
        Val::F32(bits) => Value::from_f32_bits(*bits),
        Val::F64(bits) => Value::from_f64_bits(*bits),
        Val::V128(x) => Value::from_v128(*x),
        Val::FuncRef(_) | Val::ExternRef(_) => Value::ZERO,
    }
}

/// A plug-in value of type `t` as a runtime value.
fn from_value(v: Value, t: ValType) -> Val {
    match t {
        ValType::I32 => Val::I32(v.i32()),
        ValType::I64 => Val::I64(v.i64()),
        ValType::F32 => Val::F32(v.f32_bits()),
        ValType::F64 => Val::F64(v.f64_bits()),
        ValType::V128 => Val::V128(v.v128()),
        ValType::FuncRef => Val::FuncRef(None),
        ValType::ExternRef => Val::ExternRef(None),
    }
}

/// The calling instance, type-erased for the `extern "C"` host services.
trait CallerOps {
    fn memory(&mut self) -> Option<MemoryRegion>;
    fn call_export(
        &mut self,
        name: &str,
        args: &[Value],
        results: &mut [Value],
    ) -> std::result::Result<(), String>;
}

impl<T: 'static> CallerOps for Caller<'_, T> {
    fn memory(&mut self) -> Option<MemoryRegion> {
        let memory = self.get_export("memory")?.into_memory()?;
        let data = memory.data_mut(&mut **self);
        Some(MemoryRegion {
            base: data.as_mut_ptr(),
            len: data.len(),
        })
    }

    fn call_export(
        &mut self,
        name: &str,
        args: &[Value],
        results: &mut [Value],
    ) -> std::result::Result<(), String> {
        let func = self
            .get_export(name)
            .and_then(Extern::into_func)
            .ok_or_else(|| format!("the calling module exports no function named \"{name}\""))?;
        let ty = func.ty(self);
        if ty.params().len() != args.len() || ty.results().len() != results.len() {
            return Err(format!(
                "\"{name}\" has type {ty}; it was called with {} arguments and {} result slots",
                args.len(),
                results.len()
            ));
        }
        if let Some(t) = ty.params().iter().chain(ty.results()).find(|t| t.is_ref()) {
            return Err(format!(
                "\"{name}\" has type {ty}; plug-ins cannot pass {t} values"
            ));
        }
        let params: Vec<Val> = args
            .iter()
            .zip(ty.params())
            .map(|(a, t)| from_value(*a, *t))
            .collect();
        let mut out: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut **self, &params, &mut out)
            .map_err(|e| e.to_string())?;
        for (r, v) in results.iter_mut().zip(&out) {
            *r = to_value(v);
        }
        Ok(())
    }
}

/// What `CallContext::frame` points to during a plug-in call.
struct Frame<'a> {
    caller: &'a mut dyn CallerOps,
    trap: Option<String>,
}

unsafe extern "C" fn api_memory(frame: *mut c_void, out: *mut MemoryRegion) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: plug-ins pass back the frame of the current call (see `CallContext::new`).
        let frame = unsafe { &mut *(frame as *mut Frame<'_>) };
        match frame.caller.memory() {
            Some(region) => {
                // SAFETY: `out` is the plug-in's valid out-pointer.
                unsafe { *out = region };
                true
            }
            None => false,
        }
    }))
    .unwrap_or(false)
}

unsafe extern "C" fn api_trap(frame: *mut c_void, message: RStr<'_>) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as in `api_memory`.
        let frame = unsafe { &mut *(frame as *mut Frame<'_>) };
        frame.trap = Some(message.to_string());
    }));
}

unsafe extern "C" fn api_call_export(
    frame: *mut c_void,
    name: RStr<'_>,
    args: *const Value,
    nargs: usize,
    results: *mut Value,
    nresults: usize,
) -> RResult<(), RString> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as in `api_memory`; the arrays have the lengths the plug-in passed.
        let (frame, args, results) = unsafe {
            (
                &mut *(frame as *mut Frame<'_>),
                if nargs == 0 {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(args, nargs)
                },
                if nresults == 0 {
                    &mut [][..]
                } else {
                    std::slice::from_raw_parts_mut(results, nresults)
                },
            )
        };
        frame.caller.call_export(name.as_str(), args, results)
    }));
    match outcome {
        Ok(Ok(())) => RResult::ROk(()),
        Ok(Err(e)) => RResult::RErr(e.into()),
        Err(_) => RResult::RErr("the runtime panicked while calling the guest".into()),
    }
}

/// How plug-in log messages are printed.
type LogHandler = Box<dyn Fn(LogLevel, &str) + Send + Sync>;

static LOG_HANDLER: RwLock<Option<LogHandler>> = RwLock::new(None);

/// Sets where plug-in log messages ([`HostApi::log`]) go. Without a handler, warnings and
/// errors are printed to stderr as `[warning] …` / `[error] …`.
pub fn set_log_handler(handler: impl Fn(LogLevel, &str) + Send + Sync + 'static) {
    *LOG_HANDLER.write().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(handler));
}

unsafe extern "C" fn api_log(level: LogLevel, message: RStr<'_>) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let handler = LOG_HANDLER.read().unwrap_or_else(|p| p.into_inner());
        match handler.as_ref() {
            Some(h) => h(level, message.as_str()),
            None if level >= LogLevel::WARNING => {
                let name = if level >= LogLevel::ERROR {
                    "error"
                } else {
                    "warning"
                };
                eprintln!("[{name}] {}", message.as_str());
            }
            None => {}
        }
    }));
}

static HOST_API: WithMetadata<HostApi> = WithMetadata::new(HostApi {
    memory: api_memory,
    trap: api_trap,
    call_export: api_call_export,
    log: api_log,
});

/// The runtime's host-service table.
pub fn host_api() -> HostApiRef {
    HostApiRef(PrefixRef::from_ref(&HOST_API))
}
