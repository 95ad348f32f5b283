//! The WASI-Crypto context: every handle table, shared by the five host modules of one
//! session (an options handle from `wasi_ephemeral_crypto_common` is used by
//! `…_symmetric`, a public key from `…_asymmetric_common` by `…_signatures`, and so on).
//!
//! The runtime creates each module's state separately, once per session, so the modules meet
//! through [`shared`]: the first module created makes the context and the other four of the
//! same session join it (WasmEdge shares one `Context` between its modules too). When every
//! module is gone the context drops and every secret in it is wiped. No host functions here.

use crate::asym::{KeyPair, PublicKey, SecretKey, SignState, Signature, VerifyState};
use crate::errno::CResult;
use crate::handles::HandleTable;
use crate::options::Options;
use crate::secret::Secret;
use crate::sym::{SymKey, SymState, Tag};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// A variable-length result, read by the guest with `array_output_len` / `array_output_pull`.
pub struct ArrayOutput {
    data: Secret,
    pos: usize,
}

impl ArrayOutput {
    /// An output holding `data` (possibly secret: exported keys).
    pub fn new(data: Secret) -> ArrayOutput {
        ArrayOutput { data, pos: 0 }
    }

    /// Bytes not pulled yet.
    pub fn remaining(&self) -> &[u8] {
        &self.data.bytes()[self.pos..]
    }

    /// Marks `n` more bytes as pulled; true when everything was pulled.
    pub fn advance(&mut self, n: usize) -> bool {
        self.pos += n;
        self.pos >= self.data.len()
    }
}

/// Every handle table.
pub struct Tables {
    pub options: HandleTable<Options>,
    pub outputs: HandleTable<ArrayOutput>,
    pub keypairs: HandleTable<KeyPair>,
    pub publickeys: HandleTable<PublicKey>,
    pub secretkeys: HandleTable<SecretKey>,
    pub sign_states: HandleTable<SignState>,
    pub verify_states: HandleTable<VerifyState>,
    pub signatures: HandleTable<Signature>,
    pub sym_keys: HandleTable<SymKey>,
    pub sym_states: HandleTable<SymState>,
    pub tags: HandleTable<Tag>,
}

impl Tables {
    fn new() -> Tables {
        Tables {
            options: HandleTable::new(1),
            outputs: HandleTable::new(2),
            keypairs: HandleTable::new(3),
            publickeys: HandleTable::new(4),
            secretkeys: HandleTable::new(5),
            sign_states: HandleTable::new(6),
            verify_states: HandleTable::new(7),
            signatures: HandleTable::new(8),
            sym_keys: HandleTable::new(9),
            sym_states: HandleTable::new(10),
            tags: HandleTable::new(11),
        }
    }

    /// Stores `data` as a new array output.
    pub fn output(&mut self, data: Secret) -> CResult<u32> {
        self.outputs.insert(ArrayOutput::new(data))
    }
}

/// The shared context.
pub struct Ctx {
    tables: Mutex<Tables>,
}

impl Ctx {
    /// A fresh context.
    pub fn new() -> Ctx {
        Ctx {
            tables: Mutex::new(Tables::new()),
        }
    }

    /// The tables, for one call (a panicking call leaves them usable).
    pub fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for Ctx {
    fn default() -> Ctx {
        Ctx::new()
    }
}

/// The context for a new state of host module number `module` (0..=4, in the order the
/// runtime creates them): the context of the session being set up, unless that session already
/// has this module, in which case this is the first module of a new session (see the module
/// comment). Two sessions therefore never share handles, as long as each creates its modules
/// in one go (the runtime does).
pub fn shared(module: u32) -> Arc<Ctx> {
    static PENDING: Mutex<(Weak<Ctx>, u32)> = Mutex::new((Weak::new(), 0));
    let mut pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let bit = 1 << module;
    if pending.1 & bit == 0
        && let Some(ctx) = pending.0.upgrade()
    {
        pending.1 |= bit;
        return ctx;
    }
    let ctx = Arc::new(Ctx::new());
    *pending = (Arc::downgrade(&ctx), bit);
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modules_of_one_session_share_a_context_and_sessions_do_not() {
        let first: Vec<Arc<Ctx>> = (0..5).map(shared).collect();
        assert!(first.iter().all(|c| Arc::ptr_eq(c, &first[0])));
        let second: Vec<Arc<Ctx>> = (0..5).map(shared).collect();
        assert!(second.iter().all(|c| Arc::ptr_eq(c, &second[0])));
        assert!(!Arc::ptr_eq(&first[0], &second[0]));
        let mut out = ArrayOutput::new(Secret::from_slice(b"abc"));
        assert!(!out.advance(2));
        assert_eq!(out.remaining(), b"c");
        assert!(out.advance(1));
    }
}
