//! Resource handle tables (`bucket`, `cas`) as the canonical ABI sees them: `u32` handles
//! starting at 1, never 0 or `u32::MAX` (wit-bindgen's "taken" marker), freed slots reused.
//!
//! Bookkeeping only; an unknown handle is reported as `None` and the caller traps.

use std::sync::Mutex;

/// The most live handles of one type in one session (a guest leaking handles gets an error,
/// not unbounded host memory).
pub const MAX_HANDLES: usize = 1 << 16;

/// A table of resources of type `T`.
pub struct HandleTable<T> {
    slots: Mutex<Vec<Option<T>>>,
}

impl<T: Clone> HandleTable<T> {
    /// An empty table.
    pub fn new() -> HandleTable<T> {
        HandleTable {
            slots: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<T>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores `value` and returns its handle, or `None` when the table is full.
    pub fn insert(&self, value: T) -> Option<u32> {
        let mut slots = self.lock();
        let index = match slots.iter().position(Option::is_none) {
            Some(i) => i,
            None if slots.len() < MAX_HANDLES => {
                slots.push(None);
                slots.len() - 1
            }
            None => return None,
        };
        slots[index] = Some(value);
        Some(index as u32 + 1)
    }

    /// A copy of the resource behind `handle` (a borrow).
    pub fn get(&self, handle: u32) -> Option<T> {
        let slots = self.lock();
        let i = (handle as usize).checked_sub(1)?;
        slots.get(i)?.clone()
    }

    /// Removes and returns the resource behind `handle` (a drop or an owned parameter).
    pub fn remove(&self, handle: u32) -> Option<T> {
        let mut slots = self.lock();
        let i = (handle as usize).checked_sub(1)?;
        let value = slots.get_mut(i)?.take();
        while matches!(slots.last(), Some(None)) {
            slots.pop();
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_start_at_one_and_are_reused() {
        let t = HandleTable::new();
        assert_eq!(t.insert("a"), Some(1));
        assert_eq!(t.insert("b"), Some(2));
        assert_eq!(t.get(0), None);
        assert_eq!(t.get(u32::MAX), None);
        assert_eq!(t.remove(1), Some("a"));
        assert_eq!(t.remove(1), None);
        assert_eq!(t.get(1), None);
        assert_eq!(t.insert("c"), Some(1));
        assert_eq!(t.get(2), Some("b"));
    }
}
