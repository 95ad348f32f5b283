//! The `wasmedge` command line: clap definitions plus the pre-pass that gives clap WasmEdge's
//! argument conventions (`run` may be omitted; everything after FILE belongs to the guest even
//! when it starts with `-`; unknown options print `unknown option: <name>` and exit 1).
//!
//! This file only turns `argv` into a [`Cli`] or an exit code; it must not load, validate or run
//! anything, and must not print anything except clap's own help, version and error texts.

use crate::cli::features::FeatureArgs;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Without a subcommand `run` is assumed: `wasmedge [OPTIONS] FILE [ARGS]...`.
Everything after FILE is passed to the guest, even arguments that start with `-`.
See `wasmedge run --help` for the run options and docs/cli.md for details.";

/// `wasmedge [SUBCOMMAND] [OPTIONS] [--] FILE [ARGS]...`
#[derive(Parser, Debug)]
#[command(
    name = "wasmedge",
    about = "Run, validate or parse WebAssembly modules (WasmEdge-compatible command line)",
    disable_version_flag = true,
    disable_help_subcommand = true,
    args_override_self = true,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Print the version and exit
    #[arg(short = 'v', long = "version", action = ArgAction::SetTrue)]
    pub version: bool,

    /// Directory to load plug-ins from (repeatable; searched before WASMEDGE_PLUGIN_PATH and the
    /// default folders)
    #[arg(long = "plugin-dir", value_name = "DIR", global = true, action = ArgAction::Append)]
    pub plugin_dir: Vec<PathBuf>,

    /// Logging level: off, trace, debug, info, warning, error or fatal (default info)
    #[arg(long = "log-level", value_name = "LEVEL", global = true)]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load, validate, instantiate and run a module (the default)
    Run(RunArgs),
    /// Compile a module ahead of time into an artifact (or universal wasm if OUTPUT ends in .wasm)
    Compile(crate::cli::compile::CompileArgs),
    /// Decode and validate a module
    Validate(CheckArgs),
    /// Decode a module without validating it
    Parse(CheckArgs),
    /// Plug-ins: `wasmedge plugin list`
    Plugin(crate::cli::plugins::PluginArgs),
}

/// Options of `wasmedge run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Reactor mode: call the exported function named by the first guest argument
    #[arg(long)]
    pub reactor: bool,

    /// WASI preopen `host`, `guest:host` or `guest:host:readonly` (repeatable)
    #[arg(long, value_name = "GUEST:HOST", action = ArgAction::Append)]
    pub dir: Vec<String>,

    /// WASI environment variable `NAME=VALUE` (repeatable; the host environment is not inherited)
    #[arg(long, value_name = "NAME=VALUE", action = ArgAction::Append)]
    pub env: Vec<String>,

    /// Execution time limit in milliseconds, 0 = none (exceeding it exits 134)
    #[arg(long, value_name = "MS")]
    pub time_limit: Option<u64>,

    /// Gas limit: instructions the guest may execute (each costs 1); the last one wins
    #[arg(long, value_name = "GAS", action = ArgAction::Append)]
    pub gas_limit: Vec<u64>,

    /// Maximum number of 64 KiB pages of every memory; the last one wins
    #[arg(long, value_name = "PAGES", action = ArgAction::Append)]
    pub memory_page_limit: Vec<u64>,

    /// Count executed instructions (statistics block after the run)
    #[arg(long)]
    pub enable_instruction_count: bool,

    /// Measure gas (statistics block after the run)
    #[arg(long)]
    pub enable_gas_measuring: bool,

    /// Measure execution time (statistics block after the run)
    #[arg(long)]
    pub enable_time_measuring: bool,

    /// Enable every statistic
    #[arg(long)]
    pub enable_all_statistics: bool,

    /// Skip the plug-in with this name (repeatable)
    #[arg(long, value_name = "NAME", action = ArgAction::Append)]
    pub forbidden_plugin: Vec<String>,

    /// Allow AF_UNIX sockets in the socket extension (off: `sock_open(AF_UNIX)` is ENOSYS)
    #[arg(long)]
    pub allow_af_unix: bool,

    /// Deny the guest all IP networking: creating sockets and resolving names fail with EACCES
    #[arg(long, conflicts_with = "net_allow")]
    pub net_deny_all: bool,

    /// Allow IP networking only to/from ADDR[/PREFIX][:PORT] (IPv6 with a port: [ADDR]:PORT;
    /// repeatable); binding, connecting or sending elsewhere fails with EACCES
    #[arg(long, value_name = "ADDR[/PREFIX][:PORT]", action = ArgAction::Append,
          value_parser = clap::value_parser!(wasmedge_wasi::NetRule))]
    pub net_allow: Vec<wasmedge_wasi::NetRule>,

    /// Deprecated WasmEdge switch; this runtime always compiles ahead of time
    #[arg(long)]
    pub enable_jit: bool,

    /// Deprecated WasmEdge switch; this runtime always compiles ahead of time
    #[arg(long)]
    pub force_interpreter: bool,

    /// interpreter, jit, aot or lazyjit; ignored, this runtime always compiles ahead of time
    #[arg(long, value_name = "MODE")]
    pub run_mode: Option<String>,

    /// Do not use or fill the compile cache (~/.cache/wasmedge-rs)
    #[arg(long = "no-compile-cache")]
    pub no_compile_cache: bool,

    #[command(flatten)]
    pub features: FeatureArgs,

    /// The module to run (binary `.wasm` or text `.wat`)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Arguments for the guest (in reactor mode: the function name, then its arguments)
    #[arg(value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

/// Options of `wasmedge validate` and `wasmedge parse`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub features: FeatureArgs,

    /// The module (binary `.wasm` or text `.wat`)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub(crate) const SUBCOMMANDS: &[&str] = &["run", "compile", "validate", "parse", "plugin"];

/// The full command: [`Cli`] plus the options of the loaded plug-ins.
pub fn command() -> clap::Command {
    Cli::command().args(crate::cli::plugins::clap_args())
}

/// Long and short option names (without dashes) that take a value, in any subcommand.
pub(crate) fn value_options() -> (Vec<String>, Vec<char>) {
    fn collect(cmd: &clap::Command, longs: &mut Vec<String>, shorts: &mut Vec<char>) {
        for arg in cmd
            .get_arguments()
            .filter(|a| a.get_action().takes_values())
        {
            longs.extend(arg.get_long().map(str::to_string));
            longs.extend(
                arg.get_all_aliases()
                    .unwrap_or_default()
                    .into_iter()
                    .map(str::to_string),
            );
            shorts.extend(arg.get_short());
        }
        for sub in cmd.get_subcommands() {
            collect(sub, longs, shorts);
        }
    }
    let (mut longs, mut shorts) = (Vec::new(), Vec::new());
    collect(&command(), &mut longs, &mut shorts);
    (longs, shorts)
}

/// Rewrites `argv` (including `argv[0]`) into a form clap parses with WasmEdge's rules: the
/// subcommand (or an implied `run`) goes first, and a `--` is inserted right after FILE so
/// that every later token reaches the guest untouched.
pub fn normalize(argv: Vec<OsString>) -> Vec<OsString> {
    let (longs, shorts) = value_options();
    let mut iter = argv.into_iter();
    let argv0 = iter.next().unwrap_or_else(|| "wasmedge".into());
    let tokens: Vec<OsString> = iter.collect();

    let mut out: Vec<OsString> = Vec::new();
    let mut subcommand: Option<OsString> = None;
    let mut only_top_level = true; // only -h/-v and global options seen so far
    let mut options_ended = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let text = token.to_string_lossy();
        i += 1;
        if !options_ended && text == "--" {
            options_ended = true;
            out.push(token.clone());
        } else if !options_ended && text.len() > 1 && text.starts_with('-') {
            out.push(token.clone());
            let takes_value = if let Some(long) = text.strip_prefix("--") {
                if !matches!(long, "help" | "version" | "plugin-dir" | "log-level")
                    && !long.starts_with("plugin-dir=")
                    && !long.starts_with("log-level=")
                {
                    only_top_level = false;
                }
                !long.contains('=') && longs.iter().any(|l| l == long)
            } else {
                let flags: Vec<char> = text.chars().skip(1).collect();
                if flags.iter().any(|c| !matches!(c, 'h' | 'v')) {
                    only_top_level = false;
                }
                // In a group, the first short option taking a value consumes the rest of the
                // token, or the next token if it is the group's last letter.
                match flags.iter().position(|c| shorts.contains(c)) {
                    Some(p) => p + 1 == flags.len(),
                    None => false,
                }
            };
            if takes_value && i < tokens.len() {
                out.push(tokens[i].clone());
                i += 1;
            }
        } else if subcommand.is_none() && !options_ended && SUBCOMMANDS.contains(&text.as_ref()) {
            subcommand = Some(token.clone());
        } else if subcommand.as_ref().is_some_and(|s| s == "plugin") {
            // `plugin list`: no FILE, nothing for a guest.
            out.push(token.clone());
        } else {
            // FILE: everything after it belongs to the guest.
            only_top_level = false;
            out.push(token.clone());
            if !options_ended {
                out.push("--".into());
            }
            out.extend(tokens[i..].iter().cloned());
            break;
        }
    }

    let mut result = vec![argv0];
    match subcommand {
        Some(sub) => result.push(sub),
        None if !only_top_level || tokens.is_empty() => result.push("run".into()),
        None => {}
    }
    result.extend(out);
    result
}

/// Parses `argv` with WasmEdge's conventions. `Err` carries the exit code after clap's output
/// (help, errors) or our `unknown option` message was printed.
pub fn parse(argv: Vec<OsString>) -> Result<Cli, i32> {
    let parsed = command()
        .try_get_matches_from(normalize(argv))
        .and_then(|matches| {
            crate::cli::plugins::record_values(&matches);
            Cli::from_arg_matches(&matches)
        });
    parsed.map_err(|err| {
        match unknown_option(&err) {
            Some(name) => {
                eprintln!("unknown option: {name}");
                if let Some(hint) = crate::cli::plugins::unknown_option_hint(&name) {
                    eprintln!("{hint}");
                }
            }
            None => {
                let _ = err.print();
            }
        }
        exit_code(&err)
    })
}

/// The option name (without dashes or `=value`) of an "unknown argument" error about an option.
fn unknown_option(err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) if arg.starts_with('-') => {
            let name = arg.trim_start_matches('-');
            Some(name.split('=').next().unwrap_or(name).to_string())
        }
        _ => None,
    }
}

/// The exit code of a clap outcome: 0 for help, 1 for every error (clap's own default is 2).
fn exit_code(err: &clap::Error) -> i32 {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        let argv = std::iter::once("wasmedge")
            .chain(args.iter().copied())
            .map(OsString::from);
        normalize(argv.collect())
            .into_iter()
            .skip(1)
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    fn run_args(args: &[&str]) -> RunArgs {
        let argv = std::iter::once("wasmedge")
            .chain(args.iter().copied())
            .map(OsString::from);
        match parse(argv.collect()).expect("parses").command {
            Some(Command::Run(r)) => r,
            other => panic!("not a run command: {other:?}"),
        }
    }

    #[test]
    fn run_is_implied_and_guest_args_are_protected() {
        assert_eq!(
            norm(&["--reactor", "m.wasm", "f", "-2"]),
            ["run", "--reactor", "m.wasm", "--", "f", "-2"]
        );
        assert_eq!(
            norm(&["run", "m.wasm", "--reactor"]),
            ["run", "m.wasm", "--", "--reactor"]
        );
        assert_eq!(norm(&["--", "m.wasm", "-x"]), ["run", "--", "m.wasm", "-x"]);
        assert_eq!(
            norm(&["--dir", "run", "m.wasm"]),
            ["run", "--dir", "run", "m.wasm", "--"]
        );
    }

    #[test]
    fn subcommand_moves_to_front_and_globals_stay_global() {
        assert_eq!(
            norm(&["--plugin-dir", "p", "run", "x.wasm"]),
            ["run", "--plugin-dir", "p", "x.wasm", "--"]
        );
        assert_eq!(norm(&["validate", "x.wasm"]), ["validate", "x.wasm", "--"]);
        assert_eq!(norm(&["--version"]), ["--version"]);
        assert_eq!(norm(&["--plugin-dir=p", "-v"]), ["--plugin-dir=p", "-v"]);
        assert_eq!(norm(&[]), ["run"]);
    }

    #[test]
    fn options_and_guest_arguments_parse() {
        let r = run_args(&[
            "--memory-page-limit",
            "5",
            "--memory-page-limit=7",
            "--reactor",
            "m.wasm",
            "add",
            "1",
            "-2",
            "--x",
        ]);
        assert!(r.reactor);
        assert_eq!(r.memory_page_limit, vec![5, 7]);
        assert_eq!(r.file, PathBuf::from("m.wasm"));
        assert_eq!(r.args, ["add", "1", "-2", "--x"].map(OsString::from));

        let cli = parse(
            ["wasmedge", "--plugin-dir", "./p", "run", "x.wasm"]
                .map(OsString::from)
                .to_vec(),
        )
        .unwrap();
        assert_eq!(cli.plugin_dir, vec![PathBuf::from("./p")]);
    }

    #[test]
    fn bad_command_lines_exit_1() {
        let err = |a: &[&str]| {
            let argv = std::iter::once("wasmedge")
                .chain(a.iter().copied())
                .map(OsString::from);
            Cli::try_parse_from(normalize(argv.collect())).expect_err("must not parse")
        };
        let e = err(&["--no-such-option", "m.wasm"]);
        assert_eq!(unknown_option(&e).as_deref(), Some("no-such-option"));
        assert_eq!(exit_code(&e), 1);
        let e = err(&["run", "--nn-preload=a:b", "m.wasm"]);
        assert_eq!(unknown_option(&e).as_deref(), Some("nn-preload"));
        for bad in [
            &["--time-limit", "10ms", "m.wasm"][..],
            &["run"],
            &["validate", "a.wasm", "b.wasm"],
        ] {
            let e = err(bad);
            assert_eq!(unknown_option(&e), None, "{bad:?}");
            assert_eq!(exit_code(&e), 1, "{bad:?}");
        }
        assert_eq!(exit_code(&err(&["--help"])), 0);
    }
}
