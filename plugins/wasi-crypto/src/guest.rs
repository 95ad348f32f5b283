//! [`Guest`]: the calling guest's linear memory as the WASI-Crypto functions use it, with every
//! pointer bounds-checked. An out-of-range `(pointer, length)` gives `algorithm_failure`, as
//! WasmEdge's `checkRangeExist` does, instead of a trap; out-pointers are written only on
//! success, after the whole operation succeeded (callers check them first with [`Guest::check`]).
//!
//! No crypto and no handle tables here.

use crate::errno::{CResult, Errno};
use wasmedge_plugin_sdk::Memory;

/// Guest memory during one call.
pub struct Guest<'a> {
    mem: Memory<'a>,
}

impl<'a> Guest<'a> {
    /// Wraps the caller's memory.
    pub fn new(mem: Memory<'a>) -> Guest<'a> {
        Guest { mem }
    }

    /// The `len` bytes at `ptr`.
    pub fn bytes(&self, ptr: u32, len: u32) -> CResult<&[u8]> {
        self.mem
            .slice(ptr, len)
            .map_err(|_| Errno::ALGORITHM_FAILURE)
    }

    /// The UTF-8 string at `ptr` (algorithm and option names); bad UTF-8 is a guest error.
    pub fn str(&self, ptr: u32, len: u32) -> CResult<&str> {
        std::str::from_utf8(self.bytes(ptr, len)?).map_err(|_| Errno::GUEST_ERROR)
    }

    /// Fails unless `len` bytes at `ptr` are inside memory (for out-pointers and buffers,
    /// checked before doing any work).
    pub fn check(&self, ptr: u32, len: u32) -> CResult<()> {
        self.bytes(ptr, len).map(|_| ())
    }

    /// The `len` bytes at `ptr`, mutably.
    pub fn bytes_mut(&mut self, ptr: u32, len: u32) -> CResult<&mut [u8]> {
        self.mem
            .slice_mut(ptr, len)
            .map_err(|_| Errno::ALGORITHM_FAILURE)
    }

    /// Writes `bytes` at `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> CResult<()> {
        self.mem
            .write(ptr, bytes)
            .map_err(|_| Errno::ALGORITHM_FAILURE)
    }

    /// Writes a little-endian `u32` (a handle or a size) at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, value: u32) -> CResult<()> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, value: u64) -> CResult<()> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Reads an `opt_options` / `opt_symmetric_key` struct at `ptr`: `{ u8 tag; u32 handle at
    /// offset 4 }`, where tag 0 means *some* and 1 means *none* (WasmEdge's encoding).
    pub fn opt_handle(&self, ptr: u32) -> CResult<Option<u32>> {
        let b = self.bytes(ptr, 8)?;
        match b[0] {
            0 => Ok(Some(u32::from_le_bytes([b[4], b[5], b[6], b[7]]))),
            1 => Ok(None),
            _ => Err(Errno::GUEST_ERROR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_optional_structs() {
        let mut bytes = vec![0u8; 32];
        bytes[8] = 1;
        bytes[16] = 0;
        bytes[20] = 7;
        bytes[24] = 9;
        let mut g = Guest::new(Memory::from_slice(&mut bytes));
        assert_eq!(g.opt_handle(8).unwrap(), None);
        assert_eq!(g.opt_handle(16).unwrap(), Some(7));
        assert_eq!(g.opt_handle(24).unwrap_err(), Errno::GUEST_ERROR);
        assert_eq!(g.opt_handle(28).unwrap_err(), Errno::ALGORITHM_FAILURE);
        assert_eq!(g.bytes(u32::MAX, 2).unwrap_err(), Errno::ALGORITHM_FAILURE);
        assert_eq!(g.write_u32(30, 1).unwrap_err(), Errno::ALGORITHM_FAILURE);
        g.write_u64(0, 5).unwrap();
        assert_eq!(g.bytes(0, 1).unwrap(), [5]);
    }
}
