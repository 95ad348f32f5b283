//! The state one `wasmedge` session shares between the plug-in's three host modules (`store`,
//! `atomics`, `batch`): the configuration, the backend (opened on the first `open`), and the
//! `bucket` and `cas` handle tables.
//!
//! The runtime creates one state per host module, so the three states of a session are tied
//! together through a process-wide registry keyed by the configuration. No storage logic here.

use crate::backend::{self, Backend};
use crate::config::{Access, Config};
use crate::error::KvResult;
use crate::handles::HandleTable;
use std::sync::{Arc, Mutex, Weak};
use wasmedge_plugin_sdk::InitContext;

/// An open bucket (what a `bucket` handle stands for).
#[derive(Clone, Debug)]
pub struct BucketRef {
    pub name: String,
    pub access: Access,
}

/// A pending compare-and-swap (what a `cas` handle stands for): the key and the value it had
/// when the handle was made (`None`: absent).
#[derive(Clone, Debug)]
pub struct CasRef {
    pub bucket: BucketRef,
    pub key: String,
    pub seen: Option<Vec<u8>>,
}

/// The shared state.
pub struct Shared {
    pub config: Config,
    backend: Mutex<Option<Arc<dyn Backend>>>,
    pub buckets: HandleTable<BucketRef>,
    pub cas: HandleTable<CasRef>,
}

impl Shared {
    /// The backend, opened now if this is the first use (a failure is reported to the guest
    /// and retried on the next call).
    pub fn backend(&self) -> KvResult<Arc<dyn Backend>> {
        let mut guard = self.backend.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = guard.as_ref() {
            return Ok(b.clone());
        }
        let b = backend::open(&self.config)?;
        *guard = Some(b.clone());
        Ok(b)
    }
}

/// A host module's state: a handle on the session's [`Shared`].
pub struct Session(pub Arc<Shared>);

static REGISTRY: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

impl Session {
    /// The state for a module, from the plug-in's options.
    pub fn from_options(init: &InitContext) -> Result<Session, String> {
        Ok(Session::for_config(Config::from_init(init)?))
    }

    /// The session state for `config`: the one the other modules of this session already made,
    /// or a new one.
    pub fn for_config(config: Config) -> Session {
        let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
        registry.retain(|w| w.strong_count() > 0);
        if let Some(shared) = registry
            .iter()
            .filter_map(Weak::upgrade)
            .find(|s| s.config == config)
        {
            return Session(shared);
        }
        let shared = Arc::new(Shared {
            config,
            backend: Mutex::new(None),
            buckets: HandleTable::new(),
            cas: HandleTable::new(),
        });
        registry.push(Arc::downgrade(&shared));
        Session(shared)
    }
}
