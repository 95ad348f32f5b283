//! Plug-ins on the command line: loading them before the command line is parsed (their options
//! must be known to the parser), the options they add, `wasmedge plugin list`, the plug-in lines
//! of `--version`, registering their host modules for `run`, and hints that name the plug-in a
//! guest's unknown import or an unknown option needs.
//!
//! Plug-ins are process-wide (their libraries are never unloaded), so the loaded set lives in a
//! global set once by [`load`]. The mechanics (search, loading, checks) are the library's
//! (`wasmedge-plugin-host`); this file only decides what is printed.

use crate::cli::Log;
use crate::cli::args::{SUBCOMMANDS, value_options};
use clap::{Arg, ArgAction, ArgMatches};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use wasmedge_plugin_host::known::{self, KNOWN_PLUGINS};
use wasmedge_plugin_host::sdk::LogLevel;
use wasmedge_plugin_host::{OptionInfo, PluginHost, PluginModules, SearchPaths};
use wasmedge_runtime::{Linker, Module};

/// `wasmedge plugin …`
#[derive(clap::Args, Debug)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

/// The `plugin` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum PluginCommand {
    /// List the loaded plug-ins (name, version, file, host modules, options) and the search path
    List(ListArgs),
}

/// Options of `wasmedge plugin list`.
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Print JSON (one array of plug-in objects) instead of text
    #[arg(long)]
    pub json: bool,
}

/// What [`load`] found.
struct Loaded {
    host: PluginHost,
    search: SearchPaths,
    /// Plug-in options accepted on the command line (conflicting ones are left out).
    options: Vec<OptionInfo>,
    /// The same as clap wants them (`'static` strings, made once per process).
    clap_options: Vec<ClapOption>,
}

/// A plug-in option's strings for clap, which only takes `'static` ones.
struct ClapOption {
    id: &'static str,
    long: &'static str,
    value_name: Option<&'static str>,
    help: &'static str,
    repeatable: bool,
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

static LOADED: OnceLock<Loaded> = OnceLock::new();
/// The values given for plug-in options, recorded by the parser.
static VALUES: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());
/// The modules created for the last `run` (for import hints).
static MODULES: Mutex<Option<PluginModules>> = Mutex::new(None);

/// What the pre-pass takes from the command line before plug-ins are loaded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Prescan {
    pub plugin_dirs: Vec<PathBuf>,
    pub forbidden: Vec<String>,
    pub log_level: Option<String>,
}

/// Finds `--plugin-dir`, `--forbidden-plugin` and `--log-level` among the options before FILE
/// (anywhere before or after the subcommand), skipping the values of every option that takes
/// one, including the well-known plug-in options.
pub fn prescan(argv: &[OsString]) -> Prescan {
    let (mut longs, shorts) = value_options();
    longs.extend(
        KNOWN_PLUGINS
            .iter()
            .flat_map(|k| k.options.iter().map(|o| o.to_string())),
    );
    let mut out = Prescan::default();
    let mut subcommand: Option<String> = None;
    let mut i = 1;
    while i < argv.len() {
        let text = argv[i].to_string_lossy().into_owned();
        i += 1;
        if text == "--" {
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (long.to_string(), None),
            };
            let value = match inline {
                Some(v) => Some(v),
                None if longs.contains(&name) && i < argv.len() => {
                    i += 1;
                    Some(argv[i - 1].to_string_lossy().into_owned())
                }
                None => None,
            };
            match (name.as_str(), value) {
                ("plugin-dir", Some(v)) => out.plugin_dirs.push(PathBuf::from(v)),
                ("forbidden-plugin", Some(v)) => out.forbidden.push(v),
                ("log-level", Some(v)) => out.log_level = Some(v),
                _ => {}
            }
        } else if text.len() > 1 && text.starts_with('-') {
            let flags: Vec<char> = text.chars().skip(1).collect();
            if let Some(p) = flags.iter().position(|c| shorts.contains(c))
                && p + 1 == flags.len()
            {
                i += 1;
            }
        } else if subcommand.is_none() && SUBCOMMANDS.contains(&text.as_str()) {
            subcommand = Some(text);
        } else if subcommand.as_deref() == Some("plugin") {
            continue; // `plugin list`: no FILE
        } else {
            break; // FILE: the rest belongs to the guest.
        }
    }
    out
}

/// Loads the plug-ins the command line and the environment point to, printing one warning per
/// unusable file, and routes plug-ins' own log messages through the CLI's logger.
pub fn load(argv: &[OsString]) {
    let pre = prescan(argv);
    // An unknown level is reported once, by the main parse; use the default meanwhile.
    let level = pre.log_level.as_deref().filter(|l| {
        let l = l.to_ascii_lowercase();
        l == "warn" || crate::cli::LEVELS.contains(&l.as_str())
    });
    let log = Log::new(level);
    let search = SearchPaths::standard(&pre.plugin_dirs);
    let (host, warnings) = PluginHost::discover(&search, &pre.forbidden);
    for w in &warnings {
        log.warn(&w.to_string());
    }
    let options = accepted_options(&host, &log);
    let clap_options = options
        .iter()
        .map(|o| ClapOption {
            id: leak(arg_id(&o.name)),
            long: leak(o.name.clone()),
            value_name: o.takes_value().then(|| leak(o.value_name.clone())),
            help: leak(format!("{} [plug-in {}]", o.description, o.plugin)),
            repeatable: o.repeatable,
        })
        .collect();
    wasmedge_plugin_host::set_log_handler(move |level, message| {
        if level >= LogLevel::ERROR {
            log.error(message);
        } else if level >= LogLevel::WARNING {
            log.warn(message);
        }
    });
    let _ = LOADED.set(Loaded {
        host,
        search,
        options,
        clap_options,
    });
}

/// The plug-in options that can be added to the parser: the first declaration of each name,
/// minus names the command line already has (those are reported).
fn accepted_options(host: &PluginHost, log: &Log) -> Vec<OptionInfo> {
    use clap::CommandFactory;
    let mut taken: Vec<String> = Vec::new();
    fn collect(cmd: &clap::Command, taken: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            taken.extend(a.get_long().map(str::to_string));
            taken.extend(
                a.get_all_aliases()
                    .unwrap_or_default()
                    .into_iter()
                    .map(str::to_string),
            );
        }
        for sub in cmd.get_subcommands() {
            collect(sub, taken);
        }
    }
    collect(&crate::cli::args::Cli::command(), &mut taken);
    taken.extend(["help".to_string(), "version".to_string()]);
    let mut accepted: Vec<OptionInfo> = Vec::new();
    for o in host.options() {
        if accepted.iter().any(|a| a.name == o.name) {
            continue; // declared by several plug-ins: all of them get the values
        }
        let valid = !o.name.is_empty()
            && o.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid || taken.contains(&o.name) {
            let path = host
                .get(&o.plugin)
                .map(|p| p.path().display().to_string())
                .unwrap_or_default();
            log.warn(&format!(
                "plug-in \"{}\" ({path}) declares the option --{}, which {}; the option is \
                 ignored. Fix: report this to the plug-in's author",
                o.plugin,
                o.name,
                if valid {
                    "the command line already has"
                } else {
                    "is not a valid option name"
                }
            ));
            continue;
        }
        accepted.push(o);
    }
    accepted
}

/// The loaded plug-ins' options as clap arguments (global: accepted before and after the
/// subcommand). Empty before [`load`].
pub fn clap_args() -> Vec<Arg> {
    let Some(loaded) = LOADED.get() else {
        return Vec::new();
    };
    loaded
        .clap_options
        .iter()
        .map(|o| {
            let arg = Arg::new(o.id).long(o.long).help(o.help).global(true);
            match o.value_name {
                None => arg.action(ArgAction::SetTrue),
                Some(v) if o.repeatable => arg.value_name(v).action(ArgAction::Append),
                Some(v) => arg.value_name(v).action(ArgAction::Set),
            }
        })
        .collect()
}

fn arg_id(name: &str) -> String {
    format!("plugin-option:{name}")
}

/// Records the plug-in option values of a successful parse.
pub fn record_values(matches: &ArgMatches) {
    let Some(loaded) = LOADED.get() else {
        return;
    };
    // Global arguments are propagated into the subcommand's matches.
    let m = matches.subcommand().map(|(_, sub)| sub).unwrap_or(matches);
    let mut values = Vec::new();
    for o in &loaded.options {
        let id = arg_id(&o.name);
        if o.takes_value() {
            if let Ok(Some(v)) = m.try_get_many::<String>(&id) {
                values.push((o.name.clone(), v.cloned().collect()));
            }
        } else if m.try_get_one::<bool>(&id).ok().flatten() == Some(&true) {
            values.push((o.name.clone(), Vec::new()));
        }
    }
    *VALUES.lock().unwrap_or_else(|p| p.into_inner()) = values;
}

/// The extra line printed after `unknown option: NAME` when a known plug-in provides NAME.
pub fn unknown_option_hint(name: &str) -> Option<String> {
    let k = known::provider_of_option(name)?;
    Some(format!(
        "--{name} is an option of the {} plug-in, which is not loaded: {}",
        k.name,
        k.how_to_install()
    ))
}

/// The plug-in lines of `--version`, as WasmEdge prints them:
/// `<path> (plugin "<name>") version <version>`.
pub fn version_lines() -> Vec<String> {
    let Some(loaded) = LOADED.get() else {
        return Vec::new();
    };
    loaded
        .host
        .plugins()
        .iter()
        .map(|p| {
            format!(
                "{} (plugin \"{}\") version {}",
                p.path().display(),
                p.name(),
                p.version()
            )
        })
        .collect()
}

/// Creates the plug-ins' module states (with the recorded option values) and registers their
/// functions in `linker`. The WASI-NN backends (which start ONNX Runtime, OpenVINO or libtorch)
/// are created only when `module` imports `wasi_ephemeral_nn`. Problems are warnings: the
/// guest still runs.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, module: &Module, log: &Log) {
    let Some(loaded) = LOADED.get() else {
        return;
    };
    let values = VALUES.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (modules, warnings) = PluginModules::create(&loaded.host, &values);
    for w in warnings.iter().chain(&modules.add_to_linker(linker)) {
        log.warn(&w.to_string());
    }
    *MODULES.lock().unwrap_or_else(|p| p.into_inner()) = Some(modules);
    let uses_nn = module
        .imports()
        .iter()
        .any(|i| i.module == wasmedge_plugin_host::nn_host::MODULE);
    if uses_nn {
        add_nn_to_linker(linker, &loaded.host, &values, log);
    }
}

/// The runtime's `wasi_ephemeral_nn` module, when a loaded plug-in provides a WASI-NN backend
/// (its `--nn-preload` values feed `load_by_name`).
fn add_nn_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    host: &PluginHost,
    values: &[(String, Vec<String>)],
    log: &Log,
) {
    use wasmedge_plugin_host::{nn::NnBackends, nn_host, nn_preload};
    if host.plugins().iter().all(|p| p.nn_backends().is_empty())
        || linker.contains(nn_host::MODULE, "load")
    {
        return;
    }
    let (backends, warnings) = NnBackends::create(host, values);
    for w in &warnings {
        log.warn(&w.to_string());
    }
    let preload_values: Vec<String> = values
        .iter()
        .filter(|(name, _)| name == "nn-preload")
        .flat_map(|(_, v)| v.iter().cloned())
        .collect();
    let (preloads, warnings) = nn_preload::parse_all(&preload_values);
    for w in &warnings {
        log.warn(&format!("WASI-NN: {w}"));
    }
    let log = *log;
    let nn = nn_host::NnHost::new(
        backends,
        preloads,
        std::sync::Arc::new(move |m| log.error(m)),
    );
    if let Err(e) = nn.add_to_linker(linker) {
        log.warn(&format!("WASI-NN: cannot define {}: {e}", nn_host::MODULE));
    }
}

/// Why the import `module`.`name` is missing, when a plug-in is (or would be) involved.
pub fn import_hint(module: &str, name: &str) -> Option<String> {
    if let Some(loaded) = LOADED.get() {
        if let Some(p) = loaded.host.provider_of(module) {
            if let Some(failed) = MODULES
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .and_then(|m| m.failed_provider_of(module).map(str::to_string))
            {
                return Some(format!(
                    "Module \"{module}\" is provided by plug-in \"{failed}\" ({}), which failed \
                     to initialise it (see the warning above)",
                    p.path().display()
                ));
            }
            return Some(format!(
                "Plug-in \"{}\" {} ({}) provides module \"{module}\" but no \"{name}\"; the \
                 guest may need a newer version of the plug-in",
                p.name(),
                p.version(),
                p.path().display()
            ));
        }
        if let Some(p) = loaded.host.forbidden_provider_of(module) {
            return Some(format!(
                "Module \"{module}\" is provided by plug-in \"{}\" ({}), which \
                 --forbidden-plugin skipped",
                p.name(),
                p.path().display()
            ));
        }
    }
    let k = known::provider_of_import(module)?;
    Some(format!(
        "This is a {} import; it needs the {} plug-in, which is not loaded: {}",
        k.what,
        k.name,
        k.how_to_install()
    ))
}

/// `wasmedge plugin …`: returns the exit code.
pub fn command(args: &PluginArgs) -> i32 {
    match &args.command {
        PluginCommand::List(a) => list(a),
    }
}

fn list(args: &ListArgs) -> i32 {
    let empty = Loaded {
        host: PluginHost::empty(),
        search: SearchPaths::default(),
        options: Vec::new(),
        clap_options: Vec::new(),
    };
    let loaded = LOADED.get().unwrap_or(&empty);
    let mut out = String::new();
    if args.json {
        let items: Vec<String> = loaded
            .host
            .plugins()
            .iter()
            .map(|p| plugin_json(p, false))
            .chain(loaded.host.forbidden().iter().map(|p| plugin_json(p, true)))
            .collect();
        out.push_str(&format!("[{}]\n", items.join(",\n")));
    } else {
        for (p, forbidden) in loaded
            .host
            .plugins()
            .iter()
            .map(|p| (p, false))
            .chain(loaded.host.forbidden().iter().map(|p| (p, true)))
        {
            out.push_str(&format!(
                "{} {}{}\n    file: {}\n    built with wasmedge-plugin-sdk {} (descriptor layout v{})\n",
                p.name(),
                p.version(),
                if forbidden { " (skipped: --forbidden-plugin)" } else { "" },
                p.path().display(),
                p.sdk_version(),
                p.layout_version()
            ));
            if !p.description().is_empty() {
                out.push_str(&format!("    {}\n", p.description()));
            }
            for m in p.modules() {
                out.push_str(&format!("    module \"{}\"\n", m.name));
                for (f, ty) in &m.functions {
                    out.push_str(&format!("        {f}: {ty}\n"));
                }
            }
            for (name, value, description, _) in p.options() {
                let value = if value.is_empty() {
                    String::new()
                } else {
                    format!(" {value}")
                };
                out.push_str(&format!("    option --{name}{value}: {description}\n"));
            }
            for b in p.nn_backends() {
                let encodings: Vec<String> = b.encodings().iter().map(|e| e.to_string()).collect();
                out.push_str(&format!(
                    "    WASI-NN backend \"{}\" ({})\n",
                    b.name().as_str(),
                    encodings.join(", ")
                ));
            }
        }
        if loaded.host.plugins().is_empty() && loaded.host.forbidden().is_empty() {
            out.push_str("No plug-ins loaded.\n");
        }
        out.push_str("Plug-in search path (in order):\n");
        for (path, origin) in &loaded.search.paths {
            let state = if path.exists() {
                ""
            } else {
                " (does not exist)"
            };
            out.push_str(&format!(
                "    {} [{}]{state}\n",
                path.display(),
                origin.describe()
            ));
        }
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    crate::cli::EXIT_SUCCESS
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plugin_json(p: &wasmedge_plugin_host::Plugin, forbidden: bool) -> String {
    let modules: Vec<String> = p
        .modules()
        .iter()
        .map(|m| {
            let funcs: Vec<String> = m
                .functions
                .iter()
                .map(|(name, ty)| {
                    let list = |v: &[wasmedge_runtime::ValType]| {
                        v.iter()
                            .map(|t| json_str(&t.to_string()))
                            .collect::<Vec<_>>()
                            .join(",")
                    };
                    format!(
                        "{{\"name\":{},\"params\":[{}],\"results\":[{}]}}",
                        json_str(name),
                        list(ty.params()),
                        list(ty.results())
                    )
                })
                .collect();
            format!(
                "{{\"name\":{},\"functions\":[{}]}}",
                json_str(&m.name),
                funcs.join(",")
            )
        })
        .collect();
    let options: Vec<String> = p
        .options()
        .iter()
        .map(|(name, value, description, repeatable)| {
            format!(
                "{{\"name\":{},\"value_name\":{},\"description\":{},\"repeatable\":{repeatable}}}",
                json_str(name),
                json_str(value),
                json_str(description)
            )
        })
        .collect();
    let backends: Vec<String> = p
        .nn_backends()
        .iter()
        .map(|b| {
            let enc: Vec<String> = b.encodings().iter().map(|e| e.0.to_string()).collect();
            format!(
                "{{\"name\":{},\"encodings\":[{}]}}",
                json_str(b.name().as_str()),
                enc.join(",")
            )
        })
        .collect();
    #[cfg(all(unix, not(target_vendor = "apple")))]
    let needed = wasmedge_plugin_host::elf::needed_libraries(p.path()).unwrap_or_default();
    #[cfg(not(all(unix, not(target_vendor = "apple"))))]
    let needed: Vec<String> = Vec::new();
    let needed: Vec<String> = needed.iter().map(|n| json_str(n)).collect();
    format!(
        "{{\"name\":{},\"version\":{},\"description\":{},\"path\":{},\"sdk_version\":{},\
         \"abi_version\":{},\"layout\":{},\"forbidden\":{forbidden},\"modules\":[{}],\
         \"options\":[{}],\"nn_backends\":[{}],\"needed\":[{}]}}",
        json_str(p.name()),
        json_str(&p.version().to_string()),
        json_str(p.description()),
        json_str(&p.path().display().to_string()),
        json_str(p.sdk_version()),
        p.descriptor().abi_version(),
        p.layout_version(),
        modules.join(","),
        options.join(","),
        backends.join(","),
        needed.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(args: &[&str]) -> Prescan {
        let argv: Vec<OsString> = std::iter::once("wasmedge")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        prescan(&argv)
    }

    #[test]
    fn prescan_finds_plugin_options_before_file_only() {
        let p = pre(&[
            "--plugin-dir",
            "a",
            "run",
            "--plugin-dir=b",
            "--forbidden-plugin",
            "x",
            "m.wasm",
            "--plugin-dir",
            "guest",
        ]);
        assert_eq!(p.plugin_dirs, [PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(p.forbidden, ["x"]);
        // The value of a well-known plug-in option is not mistaken for FILE.
        let p = pre(&[
            "--nn-preload",
            "a:b:c:d",
            "--plugin-dir",
            "p",
            "--log-level",
            "error",
            "x.wasm",
        ]);
        assert_eq!(p.plugin_dirs, [PathBuf::from("p")]);
        assert_eq!(p.log_level.as_deref(), Some("error"));
        // `--dir` takes a value: `--plugin-dir` here is that value.
        let p = pre(&["--dir", "--plugin-dir", "x.wasm"]);
        assert!(p.plugin_dirs.is_empty());
        let p = pre(&["--plugin-dir", "q", "plugin", "list"]);
        assert_eq!(p.plugin_dirs, [PathBuf::from("q")]);
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
