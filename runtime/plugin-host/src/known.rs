//! Well-known plug-ins: which plug-in provides an import namespace or a command-line option,
//! so that a guest importing `wasi_ephemeral_nn` or a user typing `--nn-preload` without the
//! plug-in is told what to install instead of just "unknown".
//!
//! Data only. Keep it in step with the crates in `plugins/` and with WasmEdge's names.

/// A plug-in users commonly need.
#[derive(Debug)]
pub struct KnownPlugin {
    /// The plug-in's name (what `--forbidden-plugin` and `wasmedge plugin list` show).
    pub name: &'static str,
    /// What it provides, for messages.
    pub what: &'static str,
    /// Where to get it.
    pub source: Source,
    /// Import module names it provides: an entry ending in `*` is a prefix.
    pub imports: &'static [&'static str],
    /// The command-line options it adds that take a value (without dashes).
    pub options: &'static [&'static str],
    /// The switches (options without a value) it adds.
    pub switches: &'static [&'static str],
}

/// Where a known plug-in comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Built from this repository's `plugins/<dir>` (released as
    /// `wasmedge-plugin-<name>-<version>-<target>.tar.gz`).
    Project {
        /// The folder under `plugins/`.
        dir: &'static str,
    },
    /// Only the original WasmEdge has it; this runtime cannot load WasmEdge's plug-ins.
    WasmEdgeOnly,
}

/// The table.
pub const KNOWN_PLUGINS: &[KnownPlugin] = &[
    KnownPlugin {
        name: "wasi_logging",
        what: "wasi:logging",
        source: Source::Project {
            dir: "wasi-logging",
        },
        imports: &["wasi:logging/*"],
        options: &["wasi-logging-output", "wasi-logging-level"],
        switches: &[],
    },
    KnownPlugin {
        name: "wasi_nn",
        what: "WASI-NN (install a backend plug-in: wasi_nn-onnx, wasi_nn-pytorch or wasi_nn-openvino)",
        source: Source::Project { dir: "wasi-nn-*" },
        imports: &["wasi_ephemeral_nn", "wasi_nn"],
        options: &["nn-preload", "nn-rpc-uri"],
        switches: &[],
    },
    KnownPlugin {
        name: "wasi_crypto",
        what: "WASI-Crypto",
        source: Source::Project { dir: "wasi-crypto" },
        imports: &["wasi_ephemeral_crypto_*", "wasi_crypto_*"],
        options: &[],
        switches: &[],
    },
    KnownPlugin {
        name: "wasi_keyvalue",
        what: "wasi:keyvalue",
        source: Source::Project { dir: "keyvalue" },
        imports: &["wasi:keyvalue/*"],
        options: &[
            "kv-url",
            "kv-dir",
            "kv-bucket",
            "kv-max-key-size",
            "kv-max-value-size",
        ],
        switches: &[],
    },
    KnownPlugin {
        name: "wasmedge_process",
        what: "WasmEdge's process interface (removed in WasmEdge 0.17)",
        source: Source::WasmEdgeOnly,
        imports: &["wasmedge_process"],
        options: &["allow-command"],
        switches: &["allow-command-all"],
    },
    KnownPlugin {
        name: "wasmedge_image",
        what: "WasmEdge's image decoding interface",
        source: Source::WasmEdgeOnly,
        imports: &["wasmedge_image"],
        options: &[],
        switches: &[],
    },
    KnownPlugin {
        name: "wasmedge_tensorflow",
        what: "WasmEdge's TensorFlow interface",
        source: Source::WasmEdgeOnly,
        imports: &["wasmedge_tensorflow", "wasmedge_tensorflowlite"],
        options: &[],
        switches: &[],
    },
];

/// The known plug-in that provides import module `module`.
pub fn provider_of_import(module: &str) -> Option<&'static KnownPlugin> {
    KNOWN_PLUGINS.iter().find(|k| {
        k.imports
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => module.starts_with(prefix),
                None => module == *pattern,
            })
    })
}

/// The known plug-in that adds option `name` (without dashes).
pub fn provider_of_option(name: &str) -> Option<&'static KnownPlugin> {
    KNOWN_PLUGINS
        .iter()
        .find(|k| k.options.contains(&name) || k.switches.contains(&name))
}

impl KnownPlugin {
    /// How to get the plug-in, as a sentence fragment ("install …").
    pub fn how_to_install(&self) -> String {
        match self.source {
            Source::Project { .. } => format!(
                "install the {} plug-in (release file wasmedge-plugin-{}-<version>-<target>.tar.gz, \
                 or build it with `cargo xtask package-plugins`) into ~/.wasmedge/plugin, or pass \
                 its folder with --plugin-dir DIR",
                self.name, self.name
            ),
            Source::WasmEdgeOnly => format!(
                "the {} plug-in exists only for the original WasmEdge and is not available for this \
                 runtime",
                self.name
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_options_map_to_plugins() {
        let name = |m| provider_of_import(m).map(|k| k.name);
        assert_eq!(name("wasi_ephemeral_nn"), Some("wasi_nn"));
        assert_eq!(name("wasi_ephemeral_crypto_symmetric"), Some("wasi_crypto"));
        assert_eq!(
            name("wasi:keyvalue/store@0.2.0-draft2"),
            Some("wasi_keyvalue")
        );
        assert_eq!(
            name("wasi:logging/logging@0.1.0-draft"),
            Some("wasi_logging")
        );
        assert_eq!(name("wasi_snapshot_preview1"), None);
        assert_eq!(
            provider_of_option("nn-preload").map(|k| k.name),
            Some("wasi_nn")
        );
        assert_eq!(provider_of_option("dir").map(|k| k.name), None);
        assert!(
            provider_of_option("nn-preload")
                .unwrap()
                .how_to_install()
                .contains("--plugin-dir")
        );
    }
}
