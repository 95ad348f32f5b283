//! The node's plug-ins. The container process runs inside the container's mount namespace,
//! where the node's plug-in folders do not exist, so the libraries are found and loaded by
//! [`preload`] in the shim daemon's `main`, before runwasi forks the zygote that every
//! container process descends from: they inherit the mapped libraries and [`host`].
//!
//! Search order (the runtime's `plugin::SearchPaths::standard`): `WASMEDGE_PLUGIN_PATH` from
//! containerd's environment, `$HOME/.wasmedge/plugin`, then `<shim dir>/../plugin` and
//! `<shim dir>/../lib/wasmedge` (`/usr/local/lib/wasmedge` for a shim in `/usr/local/bin`).

use std::sync::OnceLock;
use wasmedge_plugin_host::sdk::LogLevel;
use wasmedge_plugin_host::{PluginHost, PluginModules, SearchPaths};
use wasmedge_runtime::Linker;

struct Loaded {
    host: PluginHost,
    /// Problems found while loading, logged by each container (the logger is set up later).
    warnings: Vec<String>,
}

static LOADED: OnceLock<Loaded> = OnceLock::new();

/// True if these command-line arguments start the long-running shim daemon (the process that
/// creates containers), not one of the short `start`/`delete`/`-v`/`-info` invocations.
pub fn is_daemon(args: &[String]) -> bool {
    // containerd passes the action last: `… -id ID start`.
    let action =
        args.len() > 1 && matches!(args.last().map(String::as_str), Some("start" | "delete"));
    let query = args
        .iter()
        .skip(1)
        .any(|a| matches!(a.as_str(), "-v" | "--version" | "-info"));
    !action && !query
}

/// Finds and loads the node's plug-ins. Call once, while the process is single-threaded.
pub fn preload() {
    LOADED.get_or_init(|| {
        let (host, warnings) = PluginHost::discover(&SearchPaths::standard(&[]), &[]);
        wasmedge_plugin_host::set_log_handler(|level, message| {
            if level >= LogLevel::ERROR {
                log::error!("plug-in: {message}");
            } else if level >= LogLevel::WARNING {
                log::warn!("plug-in: {message}");
            } else {
                log::info!("plug-in: {message}");
            }
        });
        Loaded {
            host,
            warnings: warnings.iter().map(ToString::to_string).collect(),
        }
    });
}

/// The loaded plug-ins (none if [`preload`] did not run).
pub fn host() -> PluginHost {
    LOADED
        .get()
        .map(|l| l.host.clone())
        .unwrap_or_else(PluginHost::empty)
}

/// Creates the plug-ins' host modules and defines them in `linker`; problems are logged (the
/// guest still runs, and fails at link time only if it imports a missing module). The
/// returned modules must live as long as the guest.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>) -> PluginModules {
    let Some(loaded) = LOADED.get() else {
        return PluginModules::default();
    };
    for w in &loaded.warnings {
        log::warn!("{w}");
    }
    let names: Vec<&str> = loaded.host.plugins().iter().map(|p| p.name()).collect();
    if !names.is_empty() {
        log::info!("plug-ins: {}", names.join(", "));
    }
    let (modules, warnings) = PluginModules::create(&loaded.host, &[]);
    for w in warnings.iter().chain(&modules.add_to_linker(linker)) {
        log::warn!("{w}");
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::is_daemon;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn daemon_invocations_are_told_apart() {
        let shim = "containerd-shim-wasmedge-v1";
        assert!(is_daemon(&args(&[
            shim,
            "-namespace",
            "default",
            "-id",
            "c1",
            "-address",
            "/run/containerd/containerd.sock"
        ])));
        assert!(!is_daemon(&args(&[
            shim,
            "-namespace",
            "default",
            "-id",
            "c1",
            "start"
        ])));
        assert!(!is_daemon(&args(&[shim, "-id", "c1", "delete"])));
        assert!(!is_daemon(&args(&[shim, "-v"])));
        // A container may be called "start".
        assert!(is_daemon(&args(&[
            shim, "-id", "start", "-address", "/a.sock"
        ])));
    }
}
