//! Tables: growable arrays of raw references (pointers to `VMFuncRef`s or to host `ExternRef`
//! boxes; 0 is null) that compiled code indexes through a `VMTableDefinition`.
//!
//! Owns the element storage only; converting raw elements to API values is the store's job.

use crate::vm::vmcontext::VMTableDefinition;
use wasmedge_environ::error::{Error, ErrorCode, Phase, Result};
use wasmedge_environ::types::TableType;

/// The most elements a table may have (keeps allocations bounded for hostile modules).
pub(crate) const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// A table owned by a store.
pub(crate) struct VmTable {
    def: Box<VMTableDefinition>,
    elements: Vec<usize>,
    ty: TableType,
}

// SAFETY: owned by one store; access is synchronised by the store's `&mut`.
unsafe impl Send for VmTable {}

impl VmTable {
    /// A table of type `ty` with every element set to `init`.
    pub(crate) fn new(ty: TableType, init: usize) -> Result<Box<VmTable>> {
        if ty.minimum > MAX_TABLE_ELEMENTS {
            return Err(Error::coded(
                ErrorCode::Resource,
                Phase::Instantiation,
                format!(
                    "table of {} elements exceeds the limit of {MAX_TABLE_ELEMENTS}",
                    ty.minimum
                ),
                None,
            ));
        }
        let mut t = Box::new(VmTable {
            def: Box::new(VMTableDefinition {
                base: std::ptr::null_mut(),
                length: 0,
                owner: std::ptr::null_mut(),
            }),
            elements: vec![init; ty.minimum as usize],
            ty,
        });
        t.def.owner = &mut *t;
        t.sync();
        Ok(t)
    }

    fn sync(&mut self) {
        self.def.base = self.elements.as_mut_ptr();
        self.def.length = self.elements.len();
    }

    /// The definition compiled code reads.
    pub(crate) fn definition(&mut self) -> *mut VMTableDefinition {
        &mut *self.def
    }

    /// The declared type.
    pub(crate) fn declared_type(&self) -> TableType {
        self.ty
    }

    /// The type with the minimum set to the current size.
    pub(crate) fn ty(&self) -> TableType {
        TableType {
            minimum: self.elements.len() as u64,
            ..self.ty
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.elements.len()
    }

    pub(crate) fn get(&self, i: u64) -> Option<usize> {
        self.elements.get(usize::try_from(i).ok()?).copied()
    }

    pub(crate) fn set(&mut self, i: u64, v: usize) -> bool {
        match usize::try_from(i)
            .ok()
            .and_then(|i| self.elements.get_mut(i))
        {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// Grows by `delta` elements set to `init`; returns the old length or `None`.
    pub(crate) fn grow(&mut self, delta: u64, init: usize) -> Option<u64> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        let max = self
            .ty
            .maximum
            .unwrap_or(u64::from(u32::MAX))
            .min(MAX_TABLE_ELEMENTS);
        if new > max {
            return None;
        }
        self.elements.resize(new as usize, init);
        self.sync();
        Some(old)
    }

    /// All elements, mutably (for segment initialisation).
    pub(crate) fn elements_mut(&mut self) -> &mut [usize] {
        &mut self.elements
    }
}
