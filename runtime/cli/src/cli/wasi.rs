//! The WASI context of `wasmedge run`: `--dir` preopens (`HOST`, `GUEST:HOST`,
//! `GUEST:HOST:readonly`), `--env NAME=VALUE` (the host environment is not inherited), the
//! guest's arguments (`argv[0]` is the module's file name), the inherited standard streams and
//! the network permissions (`--allow-af-unix`, `--net-deny-all`, `--net-allow`).
//!
//! This file only translates options into a `WasiCtx`; it must not run anything and must not
//! implement WASI itself (that is `wasmedge-wasi`).

use crate::cli::Log;
use crate::cli::args::RunArgs;
use std::os::unix::ffi::OsStrExt;
use wasmedge_wasi::{IpAccess, NetPolicy, WasiCtx};

/// One `--dir` value: `(guest path, host path, read-only)`.
pub fn parse_dir(spec: &str) -> (String, String, bool) {
    let (spec, readonly) = match spec.strip_suffix(":readonly") {
        Some(rest) if rest.contains(':') => (rest, true),
        _ => (spec, false),
    };
    match spec.split_once(':') {
        Some((guest, host)) => (guest.to_string(), host.to_string(), readonly),
        None => (spec.to_string(), spec.to_string(), readonly),
    }
}

/// The guest's network permissions: WasmEdge's default (IP allowed, AF_UNIX only with
/// `--allow-af-unix`), restricted by `--net-deny-all` or `--net-allow`.
pub fn network(args: &RunArgs) -> NetPolicy {
    let ip = if args.net_deny_all {
        IpAccess::None
    } else if !args.net_allow.is_empty() {
        IpAccess::Only(args.net_allow.clone())
    } else {
        IpAccess::All
    };
    NetPolicy {
        ip,
        allow_unix: args.allow_af_unix,
    }
}

/// The guest's WASI context for `args`. A directory that cannot be opened is logged and
/// skipped, as WasmEdge does.
pub fn context(args: &RunArgs, log: &Log) -> WasiCtx {
    let mut b = WasiCtx::builder();
    let program = args.file.file_name().unwrap_or(args.file.as_os_str());
    b.arg(program.as_bytes());
    b.args(args.args.iter().map(|a| a.as_bytes()));
    for entry in &args.env {
        b.env_entry(entry);
    }
    for spec in &args.dir {
        let (guest, host, readonly) = parse_dir(spec);
        if let Err(e) = b.preopened_dir(&host, guest.as_str(), readonly) {
            log.error(&format!(
                "cannot preopen directory \"{host}\" (--dir {spec}): {e}"
            ));
        }
    }
    b.network(network(args));
    b.inherit_stdio();
    b.build()
}

#[cfg(test)]
mod tests {
    use super::parse_dir;

    #[test]
    fn dir_specs() {
        let d = |g: &str, h: &str, r| (g.to_string(), h.to_string(), r);
        assert_eq!(parse_dir("/data"), d("/data", "/data", false));
        assert_eq!(parse_dir(".:."), d(".", ".", false));
        assert_eq!(parse_dir("/:/tmp/root"), d("/", "/tmp/root", false));
        assert_eq!(parse_dir("/g:/h:readonly"), d("/g", "/h", true));
        assert_eq!(parse_dir(":/h"), d("", "/h", false));
        // A host directory literally named "readonly" without a guest part.
        assert_eq!(parse_dir("x:readonly"), d("x", "readonly", false));
    }
}
