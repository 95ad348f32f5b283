//! The state of one running `.wast` script: its store, linker (with `spectest`), named and
//! current instances and module definitions, plus the primitive operations directives are made
//! of (compile, instantiate, invoke, get, register).
//!
//! Knows nothing about assertions: it reports what happened and leaves judging to `script.rs`.
//! Must not print or catch panics.

use crate::spec::spectest;
use crate::spec::values::{arg_to_val, describe_vals};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use wasmedge_runtime::{
    Engine, Error, ErrorCode, Instance, Linker, Module, Phase, Store, Val, WasmFeatures,
};
use wast::token::Id;
use wast::{QuoteWat, WastExecute, WastInvoke, Wat};

/// Why a module could not be turned into a `Module`.
#[derive(Debug)]
pub enum CompileError {
    /// The text did not parse or encode (the module is malformed at the text level).
    Encode(String),
    /// The runtime rejected the binary (malformed, invalid, or failed to compile).
    Runtime(Error),
    /// A component or other construct this runner does not support.
    Unsupported(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Encode(m) => write!(f, "text does not encode: {m}"),
            CompileError::Runtime(e) => write!(f, "{e}"),
            CompileError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

/// The per-script state. One per `.wast` file.
pub struct Context {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
}

/// Where the modules of a script come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ModuleSource {
    /// Compiled in this process.
    #[default]
    Compile,
    /// Compiled, serialised to an AOT artifact and loaded back (what `wasmedge compile` plus
    /// `wasmedge run` do).
    AotRoundTrip,
    /// Compiled, and the artifact also written into this folder (see [`artifact_path`]), for a
    /// run of another build with [`ModuleSource::Artifacts`].
    EmitArtifacts(PathBuf),
    /// Loaded from artifacts another build wrote into this folder: how the lean runtime (no
    /// compiler) runs the suites. Modules are still decoded and validated here, so malformed
    /// and invalid ones are judged by this build.
    Artifacts(PathBuf),
}

static SOURCE: Mutex<ModuleSource> = Mutex::new(ModuleSource::Compile);

/// Sets where modules come from, process-wide.
pub fn set_module_source(source: ModuleSource) {
    *SOURCE.lock().unwrap_or_else(|p| p.into_inner()) = source;
}

/// Where modules come from.
pub fn module_source() -> ModuleSource {
    SOURCE.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Makes every module go through an AOT artifact (serialise, then load) before it is used.
pub fn set_aot_mode(on: bool) {
    set_module_source(if on {
        ModuleSource::AotRoundTrip
    } else {
        ModuleSource::Compile
    });
}

/// The artifact file of module `binary` compiled with `features` in folder `dir`: named by the
/// SHA-256 of both, so every build finds the same file for the same module.
pub fn artifact_path(dir: &Path, features: WasmFeatures, binary: &[u8]) -> PathBuf {
    let mut keyed = features.bits().to_le_bytes().to_vec();
    keyed.extend_from_slice(binary);
    let hash: String = wasmedge_environ::artifact::checksum(&keyed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("{hash}.aot"))
}

/// The name of a wast identifier.
pub fn id_name(id: Option<Id<'_>>) -> Option<String> {
    id.map(|id| id.name().to_string())
}

/// True for component-model modules, which this runner does not support.
pub fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

impl Context {
    /// A fresh store and linker with `spectest` defined.
    pub fn new(engine: &Engine) -> Result<Context, String> {
        let mut store = Store::new(engine, ());
        let mut linker = Linker::new(engine);
        linker.allow_shadowing(true);
        spectest::define(&mut linker, &mut store)
            .map_err(|e| format!("cannot define the spectest module: {e}"))?;
        Ok(Context {
            engine: engine.clone(),
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
        })
    }

    /// Encodes and compiles a module.
    pub fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, CompileError> {
        if is_component(module) {
            return Err(CompileError::Unsupported("component model modules".into()));
        }
        let bytes = module
            .encode()
            .map_err(|e| CompileError::Encode(e.message()))?;
        let features = self.engine.config().features();
        match module_source() {
            ModuleSource::Compile => {
                Module::from_binary(&self.engine, &bytes).map_err(CompileError::Runtime)
            }
            ModuleSource::AotRoundTrip => {
                let module =
                    Module::from_binary(&self.engine, &bytes).map_err(CompileError::Runtime)?;
                let artifact = module.serialize();
                // SAFETY: the artifact was produced by this runtime a moment ago.
                unsafe { Module::deserialize(&self.engine, &artifact) }
                    .map_err(CompileError::Runtime)
            }
            ModuleSource::EmitArtifacts(dir) => {
                let module =
                    Module::from_binary(&self.engine, &bytes).map_err(CompileError::Runtime)?;
                let path = artifact_path(&dir, features, &bytes);
                std::fs::write(&path, module.serialize()).map_err(|e| {
                    CompileError::Unsupported(format!("cannot write {}: {e}", path.display()))
                })?;
                Ok(module)
            }
            ModuleSource::Artifacts(dir) => match Module::from_binary(&self.engine, &bytes) {
                Err(e) if e.code() == ErrorCode::NoCompiler => {
                    let path = artifact_path(&dir, features, &bytes);
                    let artifact = std::fs::read(&path).map_err(|io| {
                        CompileError::Runtime(Error::new(
                            Phase::Loading,
                            format!(
                                "no artifact for this module at {} ({io}); write them with a full build's `spec-runner --emit-artifacts`",
                                path.display()
                            ),
                            None,
                        ))
                    })?;
                    // SAFETY: the artifacts in this folder were written by the full build of
                    // the same sources (the build identity check refuses any other).
                    unsafe { Module::deserialize(&self.engine, &artifact) }
                        .map_err(CompileError::Runtime)
                }
                other => other.map_err(CompileError::Runtime),
            },
        }
    }

    /// Resolves imports through the linker and instantiates.
    pub fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        self.linker.instantiate(&mut self.store, module)
    }

    /// Makes `instance` the current instance, and names it `id` if given.
    pub fn add_instance(&mut self, id: Option<String>, instance: Instance) {
        if let Some(id) = id {
            self.instances.insert(id, instance);
        }
        self.current = Some(instance);
    }

    /// Forgets the current instance and the instance named `id` (when a `module` directive
    /// fails), so later directives do not silently run against an older module.
    pub fn forget_instance(&mut self, id: Option<&str>) {
        self.current = None;
        if let Some(id) = id {
            self.instances.remove(id);
        }
    }

    /// Remembers a `module definition`.
    pub fn add_definition(&mut self, id: Option<String>, module: Module) {
        if let Some(id) = id {
            self.definitions.insert(id, module.clone());
        }
        self.last_definition = Some(module);
    }

    /// The module definition named `id` (or the last one defined).
    pub fn definition(&self, id: Option<String>) -> Result<Module, String> {
        match id {
            Some(id) => self
                .definitions
                .get(&id)
                .cloned()
                .ok_or_else(|| format!("no module definition named ${id}")),
            None => self
                .last_definition
                .clone()
                .ok_or_else(|| "no module definition".to_string()),
        }
    }

    /// The instance named `id`, or the current one.
    pub fn instance(&self, id: Option<String>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(&id)
                .copied()
                .ok_or_else(|| format!("no instance named ${id}")),
            None => self
                .current
                .ok_or_else(|| "no current module instance (the last module failed?)".to_string()),
        }
    }

    /// `register "name" $id?`: makes the instance's exports importable as `name`.
    pub fn register(&mut self, name: &str, id: Option<String>) -> Result<(), String> {
        let instance = self.instance(id)?;
        self.linker
            .instance(&self.store, name, instance)
            .map(|_| ())
            .map_err(|e| format!("cannot register \"{name}\": {e}"))
    }

    /// Calls an export. The outer `Err` is a problem setting up the call (unknown export,
    /// unsupported argument); the inner result is what the call did.
    pub fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        let instance = self.instance(id_name(invoke.module))?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function \"{}\"", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(arg_to_val)
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    /// Reads an exported global.
    pub fn get(&mut self, id: Option<String>, name: &str) -> Result<Val, String> {
        let instance = self.instance(id)?;
        let global = instance
            .get_global(&self.store, name)
            .ok_or_else(|| format!("no exported global \"{name}\""))?;
        Ok(global.get(&self.store))
    }

    /// Runs the action of `assert_return` / `assert_trap`: an invocation, a global read, or
    /// the instantiation of a module (which yields no values).
    pub fn execute(&mut self, exec: WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                self.get(id_name(module), global).map(|v| Ok(vec![v]))
            }
            WastExecute::Wat(wat) => {
                let mut quoted = QuoteWat::Wat(wat);
                let module = self
                    .compile(&mut quoted)
                    .map_err(|e| format!("module failed to compile: {e}"))?;
                Ok(self.instantiate(&module).map(|_| Vec::new()))
            }
        }
    }
}

/// `"name" [args]` of an invocation, for messages.
pub fn describe_invoke(invoke: &WastInvoke<'_>) -> String {
    match invoke
        .args
        .iter()
        .map(arg_to_val)
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(args) => format!("\"{}\" {}", invoke.name, describe_vals(&args)),
        Err(_) => format!("\"{}\" (unsupported arguments)", invoke.name),
    }
}

/// A short description of an action, for messages.
pub fn describe_execute(exec: &WastExecute<'_>) -> String {
    match exec {
        WastExecute::Invoke(invoke) => format!("invoke {}", describe_invoke(invoke)),
        WastExecute::Get { global, .. } => format!("get \"{global}\""),
        WastExecute::Wat(_) => "module instantiation".to_string(),
    }
}
