//! `EngineShared`: the part of an engine the VM uses — memory settings, the engine-wide
//! signature registry, the wasm-to-host trampoline per signature, and the epoch counter.
//!
//! Shared (`Arc`) by the API's `Engine`, every store and every compiled module of it. Must not
//! hold configuration the VM does not act on, nor a compiler.

use crate::vm::code::CodeMemory;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmedge_environ::types::FuncType;

/// Interns function types into engine-wide ids used by `call_indirect` signature checks.
#[derive(Default)]
struct SignatureRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

/// What the VM needs of an engine.
pub(crate) struct EngineShared {
    /// Memories are guard-page reservations (no bounds checks in compiled code).
    pub(crate) guard_pages: bool,
    /// Every memory's cap in pages.
    pub(crate) memory_page_limit: Option<u64>,
    /// Native stack wasm may use below the outermost entry.
    pub(crate) max_wasm_stack: usize,
    signatures: Mutex<SignatureRegistry>,
    /// Wasm-to-host trampoline per signature id: the code holding it and its offset.
    host_trampolines: Mutex<HashMap<u32, (Arc<CodeMemory>, u32)>>,
    /// The epoch counter compiled code compares with store deadlines.
    pub(crate) epoch: AtomicU64,
}

impl EngineShared {
    pub(crate) fn new(
        guard_pages: bool,
        memory_page_limit: Option<u64>,
        max_wasm_stack: usize,
    ) -> EngineShared {
        EngineShared {
            guard_pages,
            memory_page_limit,
            max_wasm_stack,
            signatures: Mutex::default(),
            host_trampolines: Mutex::default(),
            epoch: AtomicU64::new(0),
        }
    }

    /// The engine-wide id of `ty`.
    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        let mut reg = self.signatures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = reg.ids.get(ty) {
            return *id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(ty.clone());
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The type with engine-wide id `id` (ids come from [`EngineShared::intern`]).
    pub(crate) fn signature(&self, id: u32) -> FuncType {
        let reg = self.signatures.lock().unwrap_or_else(|p| p.into_inner());
        reg.types.get(id as usize).cloned().unwrap_or_default()
    }

    /// Records a wasm-to-host trampoline for signature `id` unless one is known.
    pub(crate) fn add_host_trampoline(&self, id: u32, code: &Arc<CodeMemory>, offset: u32) {
        let mut map = self
            .host_trampolines
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(id).or_insert_with(|| (code.clone(), offset));
    }

    /// The wasm-to-host trampoline for signature `id`, if any module or compilation gave one.
    pub(crate) fn host_trampoline(&self, id: u32) -> Option<*const u8> {
        let map = self
            .host_trampolines
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.get(&id).map(|(code, off)| code.addr(*off))
    }

    /// Advances the epoch and wakes every atomic waiter to check its deadline.
    pub(crate) fn increment_epoch(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        crate::vm::parking::interrupt_all();
    }

    pub(crate) fn current_epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }
}
