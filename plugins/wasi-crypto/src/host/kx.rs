//! `wasi_ephemeral_crypto_kx`: Diffie-Hellman key exchange. The KEM functions are
//! `not_implemented`, as in WasmEdge.

use super::{Plugin, host_fn, new_state, not_implemented};
use crate::asym::kx;
use wasmedge_plugin_sdk::{ModuleDescriptor, host_module};

host_fn!(
    /// `kx_dh(publickey, secretkey, →array_output)`: the shared secret.
    kx_dh(t, g, a) {
        g.check(a[2].u32(), 4)?;
        let shared = kx::dh(t.publickeys.get(a[0].u32())?, t.secretkeys.get(a[1].u32())?)?;
        let h = t.output(shared)?;
        g.write_u32(a[2].u32(), h)
    }
);

not_implemented!(kx_encapsulate, kx_decapsulate);

/// The module.
pub const MODULE: ModuleDescriptor = host_module! {
    name: "wasi_ephemeral_crypto_kx",
    description: "WASI-Crypto key exchange: X25519",
    state: Plugin = new_state(4),
    functions: [
        "kx_dh" (i32, i32, i32) -> (i32) = kx_dh,
        "kx_encapsulate" (i32, i32, i32) -> (i32) = kx_encapsulate,
        "kx_decapsulate" (i32, i32, i32, i32) -> (i32) = kx_decapsulate,
    ],
};
