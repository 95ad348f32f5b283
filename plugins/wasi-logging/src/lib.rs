//! The `wasi_logging` plug-in: `wasi:logging/logging@0.1.0-draft` for core-wasm guests.
//!
//! The interface has one function, `log(level: level, context: string, message: string)`,
//! with `level` = `trace | debug | info | warn | error | critical`. `wit-bindgen` lowers it for
//! a core module to the import
//!
//! ```wat
//! (import "wasi:logging/logging@0.1.0-draft" "log"
//!   (func (param i32 i32 i32 i32 i32)))   ;; level, context ptr, context len, message ptr, len
//! ```
//!
//! The same function is also provided under WasmEdge's unversioned module name
//! `wasi:logging/logging`. Each record is written as one line, `[level] context: message` (or
//! `[level] message` for an empty context), to standard error, standard output or a file chosen
//! with `--wasi-logging-output`; `--wasi-logging-level` drops records below a level.
//!
//! This crate is the example third parties copy: one state type built from the plug-in's
//! options, one host function, and `export_plugin!`. See docs/plugin-guide.md.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;
use wasmedge_plugin_sdk::{
    Caller, HostError, InitContext, Value, export_plugin, host_module, plugin_option,
};

/// The option choosing where records go.
const OUTPUT_OPTION: &str = "wasi-logging-output";
/// The option setting the lowest level written.
const LEVEL_OPTION: &str = "wasi-logging-level";

/// The `level` enum's cases, in discriminant order.
const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "critical"];

/// Where records go.
enum Sink {
    Stderr,
    Stdout,
    /// A file opened for appending (one `write_all` per record, so records from several
    /// modules or processes do not interleave).
    File(Mutex<File>),
}

/// The module state: the sink and the level filter, from the options.
struct Logger {
    sink: Sink,
    min_level: u32,
}

impl Logger {
    /// Builds the logger from `--wasi-logging-output` and `--wasi-logging-level`.
    fn from_options(init: &InitContext) -> Result<Logger, String> {
        let sink = match init.value(OUTPUT_OPTION) {
            None | Some("stderr") => Sink::Stderr,
            Some("stdout") => Sink::Stdout,
            Some(path) => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("--{OUTPUT_OPTION}: cannot open {path}: {e}"))?;
                Sink::File(Mutex::new(file))
            }
        };
        let min_level = match init.value(LEVEL_OPTION) {
            None => 0,
            Some(name) => level_named(name).ok_or_else(|| {
                format!(
                    "--{LEVEL_OPTION}: unknown level \"{name}\" (expected one of {})",
                    LEVELS.join(", ")
                )
            })?,
        };
        Ok(Logger { sink, min_level })
    }

    /// Writes one line.
    fn write(&self, line: &str) {
        // A failing log write must not kill the guest; like stderr, logging is best-effort.
        let _ = match &self.sink {
            Sink::Stderr => std::io::stderr().lock().write_all(line.as_bytes()),
            Sink::Stdout => std::io::stdout().lock().write_all(line.as_bytes()),
            Sink::File(f) => f
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .write_all(line.as_bytes()),
        };
    }
}

/// The discriminant of a level name (`warning` is accepted for `warn`).
fn level_named(name: &str) -> Option<u32> {
    let name = name.to_ascii_lowercase();
    let name = if name == "warning" { "warn" } else { &name };
    LEVELS.iter().position(|l| *l == name).map(|i| i as u32)
}

/// The record line for `level`, `context` and `message`.
fn format_record(level: &str, context: &str, message: &str) -> String {
    if context.is_empty() {
        format!("[{level}] {message}\n")
    } else {
        format!("[{level}] {context}: {message}\n")
    }
}

/// `log(level, context, message)`.
fn log(c: &mut Caller<'_, Logger>, args: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    let level = args[0].u32();
    let name = LEVELS.get(level as usize).ok_or_else(|| {
        // The canonical ABI traps when lifting an enum discriminant out of range.
        HostError::new(format!("invalid wasi:logging level {level}"))
    })?;
    let logger = c.state();
    if level < logger.min_level {
        return Ok(());
    }
    let memory = c.memory()?;
    let context = memory.str(args[1].u32(), args[2].u32())?;
    let message = memory.str(args[3].u32(), args[4].u32())?;
    logger.write(&format_record(name, context, message));
    Ok(())
}

export_plugin! {
    name: "wasi_logging",
    description: "wasi:logging/logging@0.1.0-draft: guest log records to stderr, stdout or a file",
    version: env!("CARGO_PKG_VERSION"),
    options: [
        plugin_option!(
            "wasi-logging-output",
            "DEST",
            "Where wasi:logging records go: stderr (default), stdout or a file path (appended to)"
        ),
        plugin_option!(
            "wasi-logging-level",
            "LEVEL",
            "Drop wasi:logging records below LEVEL (trace, debug, info, warn, error, critical)"
        ),
    ],
    modules: [
        host_module! {
            name: "wasi:logging/logging@0.1.0-draft",
            description: "log(level, context, message), as wit-bindgen lowers it",
            state: Logger = Logger::from_options,
            functions: ["log" (i32, i32, i32, i32, i32) -> () = log],
        },
        host_module! {
            name: "wasi:logging/logging",
            description: "The same, under WasmEdge's unversioned module name",
            state: Logger = Logger::from_options,
            functions: ["log" (i32, i32, i32, i32, i32) -> () = log],
        },
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_records() {
        assert_eq!(level_named("WARNING"), Some(3));
        assert_eq!(level_named("critical"), Some(5));
        assert_eq!(level_named("fatal"), None);
        assert_eq!(format_record("info", "", "hi"), "[info] hi\n");
        assert_eq!(format_record("error", "db", "down"), "[error] db: down\n");
    }

    #[test]
    fn descriptor_lists_both_module_names() {
        let d = __wasmedge_plugin_descriptor();
        let names: Vec<&str> = d.modules().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["wasi:logging/logging@0.1.0-draft", "wasi:logging/logging"]
        );
        assert_eq!(d.name().as_str(), "wasi_logging");
        assert_eq!(d.nn_backends().map(|b| b.len()), Some(0));
        let f = &d.modules()[0].functions[0];
        assert_eq!(
            (f.name.as_str(), f.params.len(), f.results.len()),
            ("log", 5, 0)
        );
    }
}
