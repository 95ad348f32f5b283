//! [`HandleTable`]: the guest-visible handles of one object type (options, keys, states, …).
//!
//! A handle is `type tag << 24 | counter`, so a handle of one type is never valid in another
//! table, and a closed handle is not reused until the 24-bit counter wraps. Each table holds at
//! most [`MAX_HANDLES`] live objects; one more gives `too_many_handles`. Closing drops the
//! object (secrets inside are wiped by their own `Drop`). No crypto here.

use crate::errno::{CResult, Errno};
use std::collections::HashMap;

/// Live objects per table.
pub const MAX_HANDLES: usize = 4096;

/// The objects of one type, by handle.
pub struct HandleTable<T> {
    tag: u32,
    next: u32,
    objects: HashMap<u32, T>,
}

impl<T> HandleTable<T> {
    /// An empty table whose handles carry `tag` in their top byte.
    pub fn new(tag: u8) -> HandleTable<T> {
        HandleTable {
            tag: u32::from(tag) << 24,
            next: 0,
            objects: HashMap::new(),
        }
    }

    /// Stores `object` and returns its new handle.
    pub fn insert(&mut self, object: T) -> CResult<u32> {
        if self.objects.len() >= MAX_HANDLES {
            return Err(Errno::TOO_MANY_HANDLES);
        }
        loop {
            let handle = self.tag | (self.next & 0x00ff_ffff);
            self.next = self.next.wrapping_add(1);
            if let std::collections::hash_map::Entry::Vacant(v) = self.objects.entry(handle) {
                v.insert(object);
                return Ok(handle);
            }
        }
    }

    /// The object of `handle`.
    pub fn get(&self, handle: u32) -> CResult<&T> {
        self.objects.get(&handle).ok_or(Errno::INVALID_HANDLE)
    }

    /// The object of `handle`, mutably.
    pub fn get_mut(&mut self, handle: u32) -> CResult<&mut T> {
        self.objects.get_mut(&handle).ok_or(Errno::INVALID_HANDLE)
    }

    /// Closes `handle`, returning its object.
    pub fn remove(&mut self, handle: u32) -> CResult<T> {
        self.objects.remove(&handle).ok_or(Errno::INVALID_HANDLE)
    }

    /// The number of live handles.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.objects.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_typed_limited_and_not_reused_at_once() {
        let mut t = HandleTable::new(3);
        let a = t.insert("a").unwrap();
        assert_eq!(a >> 24, 3);
        assert_eq!(t.remove(a).unwrap(), "a");
        assert_eq!(t.get(a).unwrap_err(), Errno::INVALID_HANDLE);
        let b = t.insert("b").unwrap();
        assert_ne!(a, b);
        let mut u: HandleTable<u8> = HandleTable::new(4);
        assert_eq!(u.get(b).unwrap_err(), Errno::INVALID_HANDLE);
        for _ in 0..MAX_HANDLES {
            u.insert(0).unwrap();
        }
        assert_eq!(u.insert(0).unwrap_err(), Errno::TOO_MANY_HANDLES);
        assert_eq!(u.len(), MAX_HANDLES);
    }
}
