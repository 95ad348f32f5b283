//! `wasmedge compile [OPTIONS] IN.wasm OUT`: compiles a module ahead of time into an artifact,
//! or — when OUT ends in `.wasm` — into a universal wasm file (the module with the artifact in a
//! custom section, so it still runs on any runtime).
//!
//! Only maps options to an engine configuration and writes the file; the format is
//! `wasmedge_runtime::artifact`.

use crate::cli::features::FeatureArgs;
use crate::cli::{EXIT_FAILURE, EXIT_SUCCESS, Log};
use clap::{ArgAction, Args};
use std::path::PathBuf;
use wasmedge_runtime::{Config, Engine, Module};

/// Options of `wasmedge compile`.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// Optimisation level: 0, 1, 2, 3, s or z (default 2)
    #[arg(long, value_name = "LEVEL", default_value = "2")]
    pub optimize: String,
    /// Generate code for any x86-64-v2 CPU instead of this one
    #[arg(long = "generic-binary")]
    pub generic_binary: bool,
    /// Compile in instruction counting (needed for --enable-instruction-count at run time)
    #[arg(long = "enable-instruction-count")]
    pub enable_instruction_count: bool,
    /// Compile in gas metering (needed for --gas-limit and --enable-gas-measuring at run time)
    #[arg(long = "enable-gas-measuring")]
    pub enable_gas_measuring: bool,
    /// Accepted for compatibility: time measuring needs no compiled-in support here
    #[arg(long = "enable-time-measuring")]
    pub enable_time_measuring: bool,
    /// Compile in interruption checks (needed for --time-limit at run time)
    #[arg(long)]
    pub interruptible: bool,
    /// All of the statistics switches
    #[arg(long = "enable-all-statistics")]
    pub enable_all_statistics: bool,
    /// Accepted for compatibility and ignored (there is no LLVM IR to dump)
    #[arg(long, action = ArgAction::SetTrue)]
    pub dump: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// The module to compile (binary `.wasm` or text `.wat`)
    #[arg(value_name = "WASM")]
    pub input: PathBuf,
    /// Where to write the artifact (a name ending in `.wasm` gives universal wasm)
    #[arg(value_name = "OUTPUT")]
    pub output: PathBuf,
}

impl CompileArgs {
    /// True if the artifact needs fuel metering.
    pub fn metering(&self) -> bool {
        self.enable_instruction_count || self.enable_gas_measuring || self.enable_all_statistics
    }
}

/// Cranelift's name for a WasmEdge `--optimize` level.
pub fn opt_level(level: &str, log: &Log) -> &'static str {
    match level {
        "0" => "none",
        "1" | "2" | "3" => "speed",
        "s" | "z" => "speed_and_size",
        other => {
            log.warn(&format!("unknown optimisation level \"{other}\", using 2"));
            "speed"
        }
    }
}

/// `wasmedge compile`: returns the process exit code.
pub fn compile(args: &CompileArgs, log: &Log) -> i32 {
    if !wasmedge_runtime::HAS_COMPILER {
        log.error(
            "this wasmedge is the lean build without a compiler, so it cannot compile; use the full build (`cargo build --release -p wasmedge-cli`) for `wasmedge compile`, then run its output with either build",
        );
        return EXIT_FAILURE;
    }
    if args.dump {
        log.warn("--dump is ignored: this runtime has no LLVM IR to dump");
    }
    let mut config = Config::new();
    config
        .wasm_features(args.features.apply(config.features()))
        .opt_level(opt_level(&args.optimize, log))
        .generic_cpu(args.generic_binary)
        .consume_fuel(args.metering())
        .epoch_interruption(args.interruptible);
    let result = Engine::new(&config).and_then(|engine| {
        let wasm = crate::cli::inspect::read_binary(&args.input)?;
        Module::from_binary(&engine, &wasm)
    });
    let module = match result {
        Ok(m) => m,
        Err(e) => {
            log.error(&e.to_string());
            return EXIT_FAILURE;
        }
    };
    let universal = args.output.extension().is_some_and(|e| e == "wasm");
    let bytes = if universal {
        wasmedge_runtime::artifact::to_universal_wasm(&module)
    } else {
        module.serialize()
    };
    match std::fs::write(&args.output, bytes) {
        Ok(()) => EXIT_SUCCESS,
        Err(e) => {
            log.error(&format!(
                "compilation failed: cannot write \"{}\": {e}",
                args.output.display()
            ));
            EXIT_FAILURE
        }
    }
}
