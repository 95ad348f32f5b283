//! Key exchange: X25519 Diffie-Hellman (`kx_dh`) on x25519-dalek, because ring's agreement API
//! only has single-use ephemeral keys and cannot import a secret key. KEMs
//! (`kx_encapsulate` / `kx_decapsulate`) are not implemented, as in WasmEdge.

use super::{AsymAlg, PkData, PublicKey, SecretKey, SkData};
use crate::errno::{CResult, Errno};
use crate::secret::Secret;

/// `kx_dh`: the shared secret of `pk` and `sk`. An all-zero result (a low-order public key)
/// is `invalid_key` (RFC 7748 §6.1).
pub fn dh(pk: &PublicKey, sk: &SecretKey) -> CResult<Secret> {
    if pk.alg != sk.alg {
        return Err(Errno::INCOMPATIBLE_KEYS);
    }
    match (&pk.data, &sk.data, pk.alg) {
        (PkData::X25519(p), SkData::X25519(s), AsymAlg::X25519) => {
            let s: [u8; 32] = s.bytes().try_into().map_err(|_| Errno::INVALID_KEY)?;
            let secret = x25519_dalek::StaticSecret::from(s);
            let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*p));
            if !shared.was_contributory() {
                return Err(Errno::INVALID_KEY);
            }
            Ok(Secret::from_slice(shared.as_bytes()))
        }
        _ => Err(Errno::INVALID_OPERATION),
    }
}
