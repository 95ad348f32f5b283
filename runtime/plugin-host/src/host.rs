//! [`PluginHost`]: the plug-ins of one process. Discovery walks the [`SearchPaths`] in order,
//! loads each file once (by canonical path), keeps the first plug-in of each name, drops
//! forbidden names, and collects one [`PluginWarning`] per unusable file.
//!
//! Creating module states and registering host functions is [`crate::link`]'s job.

use crate::load::{Plugin, PluginWarning, load_file};
use crate::search::{Origin, SearchPaths, scan};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// A command-line option contributed by a loaded plug-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionInfo {
    /// The plug-in's name.
    pub plugin: String,
    /// The option name without dashes.
    pub name: String,
    /// The value placeholder (empty for a switch).
    pub value_name: String,
    /// The help text.
    pub description: String,
    /// Whether every value is kept (otherwise the last one wins).
    pub repeatable: bool,
}

impl OptionInfo {
    /// True if the option takes a value.
    pub fn takes_value(&self) -> bool {
        !self.value_name.is_empty()
    }
}

/// The loaded plug-ins.
#[derive(Clone, Debug, Default)]
pub struct PluginHost {
    plugins: Vec<Arc<Plugin>>,
    forbidden: Vec<Arc<Plugin>>,
}

impl PluginHost {
    /// A host without plug-ins.
    pub fn empty() -> PluginHost {
        PluginHost::default()
    }

    /// Finds and loads every plug-in under `search`, skipping those named in `forbidden`.
    /// Returns the host and one warning per unusable file (or unreadable explicit folder).
    pub fn discover(
        search: &SearchPaths,
        forbidden: &[String],
    ) -> (PluginHost, Vec<PluginWarning>) {
        let mut warnings = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        for (path, origin) in &search.paths {
            if !path.exists() {
                if *origin != Origin::Default {
                    warnings.push(PluginWarning::folder(
                        path,
                        format!(
                            "it does not exist (it was given with {})",
                            origin.describe()
                        ),
                        "create it, or correct the path",
                    ));
                }
                continue;
            }
            let mut problems = Vec::new();
            scan(path, &mut files, &mut problems);
            for p in problems {
                warnings.push(PluginWarning::folder(
                    &p.path,
                    format!("it cannot be read ({})", p.error),
                    "check its permissions",
                ));
            }
        }
        let mut host = PluginHost::default();
        let mut seen_files = HashSet::new();
        let mut by_name: HashMap<String, PathBuf> = HashMap::new();
        for file in files {
            let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
            if !seen_files.insert(canonical) {
                continue;
            }
            let plugin = match load_file(&file) {
                Ok(p) => p,
                Err(w) => {
                    warnings.push(w);
                    continue;
                }
            };
            if let Some(first) = by_name.get(plugin.name()) {
                warnings.push(PluginWarning::new(
                    &file,
                    format!(
                        "a plug-in named \"{}\" was already loaded from {} (earlier in the \
                         search order); the first one found is used",
                        plugin.name(),
                        first.display()
                    ),
                    "remove one of the two files, or point --plugin-dir at the one you want",
                ));
                continue;
            }
            by_name.insert(plugin.name().to_string(), file.clone());
            host.add(plugin, forbidden);
        }
        (host, warnings)
    }

    /// Adds an already loaded plug-in (for embedders that load files themselves). Returns
    /// false (and keeps it only as forbidden) if its name is in `forbidden`.
    pub fn add(&mut self, plugin: Plugin, forbidden: &[String]) -> bool {
        let plugin = Arc::new(plugin);
        if forbidden.iter().any(|f| f == plugin.name()) {
            self.forbidden.push(plugin);
            false
        } else {
            self.plugins.push(plugin);
            true
        }
    }

    /// The usable plug-ins, in search order.
    pub fn plugins(&self) -> &[Arc<Plugin>] {
        &self.plugins
    }

    /// Plug-ins that were found but skipped because of `--forbidden-plugin`.
    pub fn forbidden(&self) -> &[Arc<Plugin>] {
        &self.forbidden
    }

    /// The plug-in named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Plugin>> {
        self.plugins.iter().find(|p| p.name() == name)
    }

    /// Every option the usable plug-ins add, in plug-in order (an option several plug-ins
    /// declare is listed once per plug-in).
    pub fn options(&self) -> Vec<OptionInfo> {
        self.plugins
            .iter()
            .flat_map(|p| {
                p.options()
                    .into_iter()
                    .map(|(name, value_name, description, repeatable)| OptionInfo {
                        plugin: p.name().to_string(),
                        name,
                        value_name,
                        description,
                        repeatable,
                    })
            })
            .collect()
    }

    /// The usable plug-in providing import module `module`, if any.
    pub fn provider_of(&self, module: &str) -> Option<&Arc<Plugin>> {
        self.plugins.iter().find(|p| {
            p.descriptor()
                .modules()
                .iter()
                .any(|m| m.name.as_str() == module)
        })
    }

    /// The forbidden plug-in that would provide `module`, if any.
    pub fn forbidden_provider_of(&self, module: &str) -> Option<&Arc<Plugin>> {
        self.forbidden.iter().find(|p| {
            p.descriptor()
                .modules()
                .iter()
                .any(|m| m.name.as_str() == module)
        })
    }
}
