//! The `wasi_crypto` plug-in: WASI-Crypto with WasmEdge's ABI (the witx "ephemeral" modules
//! `wasi_ephemeral_crypto_common`, `…_asymmetric_common`, `…_symmetric`, `…_signatures` and
//! `…_kx`, 72 functions, `crypto_errno` results), with ring for the primitives (and
//! x25519-dalek for X25519). `docs/wasi-crypto.md` lists the algorithms and encodings.
//!
//! Layout: [`host`] has one file per host module (ABI translation only); [`sym`] and [`asym`]
//! the algorithms; [`ctx`] and [`handles`] the handle tables shared by the modules; [`guest`]
//! bounds-checked guest memory; [`secret`] key bytes wiped on drop; [`encoding`] DER/PEM.

pub mod asym;
pub mod ctx;
pub mod encoding;
pub mod errno;
pub mod guest;
pub mod handles;
pub mod host;
pub mod options;
pub mod secret;
pub mod sym;

use wasmedge_plugin_sdk::export_plugin;

export_plugin! {
    name: "wasi_crypto",
    description: "WASI-Crypto (wasi_ephemeral_crypto_*): hashes, MACs, HKDF, AEADs, signatures and X25519 on ring",
    version: env!("CARGO_PKG_VERSION"),
    modules: [
        host::common::MODULE,
        host::asymmetric::MODULE,
        host::symmetric::MODULE,
        host::signatures::MODULE,
        host::kx::MODULE,
    ],
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_lists_the_five_modules_and_72_functions() {
        let d = super::__wasmedge_plugin_descriptor();
        assert_eq!(d.name().as_str(), "wasi_crypto");
        let names: Vec<&str> = d.modules().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "wasi_ephemeral_crypto_common",
                "wasi_ephemeral_crypto_asymmetric_common",
                "wasi_ephemeral_crypto_symmetric",
                "wasi_ephemeral_crypto_signatures",
                "wasi_ephemeral_crypto_kx",
            ]
        );
        let total: usize = d.modules().iter().map(|m| m.functions.len()).sum();
        assert_eq!(total, 72);
        for m in d.modules().iter() {
            for f in m.functions.iter() {
                assert_eq!(f.results.len(), 1, "{}", f.name);
            }
        }
    }
}
