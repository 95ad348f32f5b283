//! `wasmedge run` (also the default subcommand): builds the configuration from the options,
//! loads and instantiates the module, then runs it in command mode (`_start`) or reactor mode
//! (an exported function named on the command line), following WasmEdge's run semantics and
//! exit codes (docs/cli.md).
//!
//! This file decides exit codes and what is printed; it must not parse the command line (that is
//! `args.rs`) or convert argument text to values (`values.rs`), and must not reach into the
//! runtime's internals: only the public embedding API is used.

use crate::cli::args::RunArgs;
use crate::cli::limits::TimeLimit;
use crate::cli::values::{format_val, parse_arg};
use crate::cli::{EXIT_FAILURE, EXIT_SUCCESS, EXIT_TRAP, Log};
use std::io::Write;
use wasmedge_runtime::{
    Config, Engine, Error, ExternType, Instance, Linker, Module, Phase, Store, Val,
};
use wasmedge_wasi::{self as wasi, WasiCtx};

/// `wasmedge run`: returns the process exit code.
pub fn run(args: &RunArgs, log: &Log) -> i32 {
    warn_ignored(args, log);
    let engine = match Engine::new(&config(args, log)) {
        Ok(e) => e,
        Err(e) => return fail_setup(&e, log),
    };
    let limits = crate::cli::limits::Limits::from_args(args);
    let module =
        match crate::cli::load::load_module(&engine, &args.file, !args.no_compile_cache, log) {
            Ok(m) => m,
            Err(e) => return fail_setup(&e, log),
        };
    // WASI is registered in both modes, as in WasmEdge.
    let mut store = Store::new(&engine, crate::cli::wasi::context(args, log));
    let time_limit = limits.arm(&engine, &mut store, *log);
    let started = std::time::Instant::now();
    let mut linker = Linker::new(&engine);
    if let Err(e) = wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx) {
        return fail_setup(&e, log);
    }
    crate::cli::plugins::add_to_linker(&mut linker, &module, log);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            if let Some(status) = e.exit_status() {
                return status;
            }
            log.error(&e.to_string());
            if e.phase() == Phase::Linking
                && let Some(hint) = import_hint(&module, &linker)
            {
                log.error(&hint);
            }
            return EXIT_FAILURE;
        }
    };

    let mut guest_args: Vec<String> = args
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if !args.reactor {
        let start = module.exports().into_iter().find_map(|e| match e.ty {
            ExternType::Func(ty) if e.name == "_start" => Some(ty),
            _ => None,
        });
        match start {
            Some(ty) if ty.params().is_empty() && ty.results().is_empty() => {
                let start = instance
                    .get_func(&store, "_start")
                    .expect("_start is exported");
                let result = start.call(&mut store, &[], &mut []);
                time_limit.disarm();
                limits.report(&store, started, log);
                return finish(result, log);
            }
            Some(_) => guest_args.insert(0, "_start".to_string()),
            None => {}
        }
    }
    let code = reactor(&mut store, instance, &guest_args, &time_limit, log);
    time_limit.disarm();
    limits.report(&store, started, log);
    code
}

/// Reactor mode: `guest_args[0]` names the function, the rest are its arguments.
fn reactor(
    store: &mut Store<WasiCtx>,
    instance: Instance,
    guest_args: &[String],
    time_limit: &TimeLimit,
    log: &Log,
) -> i32 {
    let Some(name) = guest_args.first() else {
        log.error("A function name is required when reactor mode is enabled.");
        return EXIT_FAILURE;
    };
    let Some(func) = instance.get_func(store, name) else {
        log.error(&format!(
            "Function \"{name}\" not found in the module export list."
        ));
        return EXIT_FAILURE;
    };
    let ty = func.ty(store);
    let texts = &guest_args[1..];
    if texts.len() != ty.params().len() {
        let few = if texts.len() < ty.params().len() {
            "too few"
        } else {
            "too many"
        };
        log.error(&format!(
            "{few} arguments for function \"{name}\" of type {ty}: it takes {}, {} given",
            ty.params().len(),
            texts.len()
        ));
        return EXIT_FAILURE;
    }
    let mut params = Vec::with_capacity(texts.len());
    for (i, (text, t)) in texts.iter().zip(ty.params()).enumerate() {
        match parse_arg(*t, text) {
            Ok(v) => params.push(v),
            Err(reason) => {
                log.error(&format!(
                    "invalid argument \"{text}\" for {t} parameter {} of function \"{name}\": \
                     {reason}",
                    i + 1
                ));
                return EXIT_FAILURE;
            }
        }
    }

    if name != "_initialize"
        && let Some(init) = instance.get_func(store, "_initialize")
    {
        let init_ty = init.ty(store);
        if init_ty.params().is_empty() && init_ty.results().is_empty() {
            let code = finish(init.call(store, &[], &mut []), log);
            if code != EXIT_SUCCESS {
                return code;
            }
        } else {
            log.warn(&format!(
                "_initialize has type {init_ty}, not [] -> []; not called"
            ));
        }
    }

    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let result = func.call(store, &params, &mut results);
    time_limit.disarm();
    let code = finish(result, log);
    if code == EXIT_SUCCESS {
        let mut out = std::io::stdout().lock();
        for r in &results {
            let _ = writeln!(out, "{}", format_val(r));
        }
        let _ = out.flush();
    }
    code
}

/// The exit code of a finished call: 0, the guest's exit status, or 134 after logging a trap
/// or any other execution failure.
fn finish(result: Result<(), Error>, log: &Log) -> i32 {
    match result {
        Ok(()) => EXIT_SUCCESS,
        Err(e) => match e.exit_status() {
            Some(status) => status,
            None => {
                log.error(&e.to_string());
                EXIT_TRAP
            }
        },
    }
}

fn fail_setup(e: &Error, log: &Log) -> i32 {
    log.error(&e.to_string());
    EXIT_FAILURE
}

/// The engine configuration: proposal switches and `--memory-page-limit`.
fn config(args: &RunArgs, log: &Log) -> Config {
    let mut config = Config::new();
    let implemented = wasmedge_environ::loader::features::implemented_features();
    let features = args.features.apply(config.features());
    let missing = crate::cli::features::unimplemented(features, implemented);
    if !missing.is_empty() {
        log.warn(&format!(
            "proposal(s) enabled but not implemented by this runtime yet: {}; modules that use \
             them will fail to compile",
            missing.join(", ")
        ));
    }
    config.wasm_features(features);
    if let Some(pages) = args.memory_page_limit.last() {
        config.memory_page_limit(Some(*pages));
    }
    crate::cli::limits::Limits::from_args(args).configure(&mut config);
    config
}

/// Warns about every accepted-but-ignored option that was given.
fn warn_ignored(args: &RunArgs, log: &Log) {
    let modes = [
        ("--enable-jit", args.enable_jit),
        ("--force-interpreter", args.force_interpreter),
        ("--run-mode", args.run_mode.is_some()),
    ];
    for (name, _) in modes.iter().filter(|(_, on)| *on) {
        log.warn(&format!(
            "{name} is ignored: this runtime always compiles ahead of time"
        ));
    }
    if let Some(mode) = &args.run_mode {
        let known = ["interpreter", "jit", "aot", "lazyjit"];
        if !known.contains(&mode.to_ascii_lowercase().as_str()) {
            log.warn(&format!(
                "unknown run mode \"{mode}\" (expected one of {})",
                known.join(", ")
            ));
        }
    }
}

/// The hint WasmEdge logs after an unknown import, for the first import `linker` cannot
/// resolve.
fn import_hint(module: &Module, linker: &Linker<WasiCtx>) -> Option<String> {
    let import = module
        .imports()
        .into_iter()
        .find(|i| !linker.contains(&i.module, &i.name))?;
    let m = import.module.as_str();
    let what = if m == "wasi_snapshot_preview1" {
        "WASI preview1 (wasi_snapshot_preview1) has no such function".to_string()
    } else if m == "wasi_unstable" {
        "This is a WASI preview0 import; only WASI preview1 (wasi_snapshot_preview1) is \
         implemented"
            .to_string()
    } else if let Some(hint) = crate::cli::plugins::import_hint(m, &import.name) {
        hint
    } else if m == "env" {
        "The module expects a host environment like JavaScript or Golang (module \"env\")"
            .to_string()
    } else {
        format!("No module named \"{m}\" is registered")
    };
    Some(format!(
        "    When linking module: \"{}\" , {} name: \"{}\". {what}.",
        import.module,
        import.ty.kind_name(),
        import.name
    ))
}
