//! Tables: growable arrays of raw references (pointers to `VMFuncRef`s or to host `ExternRef`
//! boxes; 0 is null) that compiled code indexes through a `VMTableDefinition`.
//!
//! Owns the element storage only; converting raw elements to API values is the store's job.

use crate::error::{Error, Phase, Result};
use crate::types::TableType;
use crate::vm::layout::VMTableDefinition;

/// The most elements a table may have (keeps allocations bounded for hostile modules).
pub const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// A table owned by a store.
pub struct VmTable {
    def: Box<VMTableDefinition>,
    elements: Vec<usize>,
    ty: TableType,
}

// SAFETY: owned by one store; access is synchronised by the store's `&mut`.
unsafe impl Send for VmTable {}

impl VmTable {
    /// A table of type `ty` with every element set to `init`.
    pub fn new(ty: TableType, init: usize) -> Result<Box<VmTable>> {
        if ty.minimum > MAX_TABLE_ELEMENTS {
            return Err(Error::new(
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
    pub fn definition(&mut self) -> *mut VMTableDefinition {
        &mut *self.def
    }

    /// The declared type.
    pub fn declared_type(&self) -> TableType {
        self.ty
    }

    /// The type with the minimum set to the current size.
    pub fn ty(&self) -> TableType {
        TableType {
            minimum: self.elements.len() as u64,
            ..self.ty
        }
    }

    pub fn len(&self) -> usize {
        self.elements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    pub fn get(&self, i: u64) -> Option<usize> {
        self.elements.get(usize::try_from(i).ok()?).copied()
    }

    pub fn set(&mut self, i: u64, v: usize) -> bool {
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
    pub fn grow(&mut self, delta: u64, init: usize) -> Option<u64> {
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
    pub fn elements_mut(&mut self) -> &mut [usize] {
        &mut self.elements
    }
}
