//! [`Secret`]: owned key bytes that are overwritten with zeroes when dropped (handle close,
//! replacement, or the end of a session).
//!
//! This is the only module with `unsafe` in the plug-in: volatile writes, so the compiler cannot
//! drop the wipe as a dead store. It must not hand out the bytes beyond a borrow. Key schedules
//! that ring builds internally (AES round keys, HMAC pads, RSA private key state) live inside
//! ring's own types for the duration of one operation and are not covered.

use std::fmt;

/// Secret bytes, wiped on drop.
#[derive(Clone, Default)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// A copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Secret {
        Secret(bytes.to_vec())
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, mutably (to fill in place).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Overwrites `bytes` with zeroes in a way the optimiser keeps.
pub fn wipe(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference to a `u8`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Wipe the whole allocation, including spare capacity that may hold older copies.
        let cap = self.0.capacity();
        self.0.resize(cap, 0);
        wipe(&mut self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_zeroes_bytes() {
        let mut b = vec![1u8, 2, 3];
        wipe(&mut b);
        assert_eq!(b, [0, 0, 0]);
        let s = Secret::from_slice(b"key");
        assert_eq!(s.bytes(), b"key");
        assert_eq!(format!("{s:?}"), "Secret(3 bytes)");
    }
}
