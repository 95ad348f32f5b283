//! The safe side of a host function call, as plug-in code sees it: [`Caller`] (module state,
//! guest memory, calls back into the guest, logging), [`Memory`] (bounds-checked access to the
//! guest's linear memory) and [`HostError`] (an error that becomes a trap).
//!
//! Nothing here crosses the FFI boundary by itself: these types wrap a
//! [`CallContext`] for the duration of one call.

use crate::host::{CallContext, LogLevel};
use crate::types::Value;
use abi_stable::std_types::{RResult, RStr};
use std::fmt;

/// An error a host function returns: the guest traps with this message (the runtime adds the
/// plug-in's name and the function's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    message: String,
}

impl HostError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            message: message.into(),
        }
    }

    /// An out-of-bounds guest memory access of `len` bytes at `offset` in a memory of
    /// `memory_len` bytes.
    pub fn out_of_bounds(offset: u64, len: u64, memory_len: usize) -> HostError {
        HostError::new(format!(
            "out of bounds memory access: {len} bytes at offset {offset} in a memory of \
             {memory_len} bytes"
        ))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

impl From<String> for HostError {
    fn from(message: String) -> HostError {
        HostError { message }
    }
}

impl From<&str> for HostError {
    fn from(message: &str) -> HostError {
        HostError::new(message)
    }
}

/// What a host function sees of its call: the module state `S` and the calling instance.
pub struct Caller<'a, S> {
    cx: &'a mut CallContext,
    state: &'a S,
}

impl<'a, S> Caller<'a, S> {
    /// Wraps a call context (used by the generated wrappers).
    ///
    /// # Safety
    /// `cx`'s state pointer must point to a live `S`.
    pub unsafe fn new(cx: &'a mut CallContext) -> Caller<'a, S> {
        // SAFETY: guaranteed by the caller.
        let state = unsafe { &*(cx.state_ptr().0 as *const S) };
        Caller { cx, state }
    }

    /// The module's state (shared by every call, possibly from several threads).
    pub fn state(&self) -> &'a S {
        self.state
    }

    /// The calling instance's linear memory (its export `"memory"`). Fails, trapping the guest
    /// if returned, when the guest exports no memory.
    pub fn memory(&mut self) -> Result<Memory<'_>, HostError> {
        let region = self.cx.memory_region().ok_or_else(|| {
            HostError::new("the calling module exports no memory named \"memory\"")
        })?;
        let data = if region.len == 0 {
            &mut [][..]
        } else {
            // SAFETY: the host guarantees `len` bytes at `base` for the rest of this call or
            // until `call_export`, which needs `&mut self` and so ends this borrow first.
            unsafe { std::slice::from_raw_parts_mut(region.base, region.len) }
        };
        Ok(Memory { data })
    }

    /// Calls the calling instance's exported function `name` (for example `cabi_realloc`).
    /// `results` must have as many elements as the function has results. Memory borrowed
    /// before must be fetched again afterwards (the callee may grow it): the borrow checker
    /// enforces this.
    pub fn call_export(
        &mut self,
        name: &str,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        let api = self.cx.api();
        // SAFETY: the frame is the one the API expects; the slices are valid for the call.
        let outcome = unsafe {
            (api.call_export())(
                self.cx.frame(),
                RStr::from_str(name),
                args.as_ptr(),
                args.len(),
                results.as_mut_ptr(),
                results.len(),
            )
        };
        match outcome {
            RResult::ROk(()) => Ok(()),
            RResult::RErr(e) => Err(HostError::new(e.into_string())),
        }
    }

    /// Logs through the runtime's logger.
    pub fn log(&self, level: LogLevel, message: &str) {
        // SAFETY: `log` has no preconditions beyond a valid string.
        unsafe { (self.cx.api().log())(level, RStr::from_str(message)) }
    }
}

/// A guest's linear memory during a host call. Every access is bounds-checked and fails with
/// an out-of-bounds [`HostError`] instead of touching memory outside the guest's.
///
/// Offsets and lengths are taken as `u64` (`u32` guest pointers convert with `.into()`).
pub struct Memory<'a> {
    data: &'a mut [u8],
}

impl<'a> Memory<'a> {
    /// A memory over `data` (for tests of host functions).
    pub fn from_slice(data: &'a mut [u8]) -> Memory<'a> {
        Memory { data }
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if the memory has no pages.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn range(&self, offset: u64, len: u64) -> Result<std::ops::Range<usize>, HostError> {
        let end = offset.checked_add(len);
        match end {
            Some(end) if end <= self.data.len() as u64 => Ok(offset as usize..end as usize),
            _ => Err(HostError::out_of_bounds(offset, len, self.data.len())),
        }
    }

    /// The `len` bytes at `offset`.
    pub fn slice(&self, offset: impl Into<u64>, len: impl Into<u64>) -> Result<&[u8], HostError> {
        let r = self.range(offset.into(), len.into())?;
        Ok(&self.data[r])
    }

    /// The `len` bytes at `offset`, mutably.
    pub fn slice_mut(
        &mut self,
        offset: impl Into<u64>,
        len: impl Into<u64>,
    ) -> Result<&mut [u8], HostError> {
        let r = self.range(offset.into(), len.into())?;
        Ok(&mut self.data[r])
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read(&self, offset: impl Into<u64>, buf: &mut [u8]) -> Result<(), HostError> {
        buf.copy_from_slice(self.slice(offset, buf.len() as u64)?);
        Ok(())
    }

    /// Copies `bytes` to `offset`.
    pub fn write(&mut self, offset: impl Into<u64>, bytes: &[u8]) -> Result<(), HostError> {
        self.slice_mut(offset, bytes.len() as u64)?
            .copy_from_slice(bytes);
        Ok(())
    }

    /// The UTF-8 string of `len` bytes at `offset`; invalid UTF-8 is an error (as when the
    /// canonical ABI lifts a string).
    pub fn str(&self, offset: impl Into<u64>, len: impl Into<u64>) -> Result<&str, HostError> {
        let offset = offset.into();
        std::str::from_utf8(self.slice(offset, len)?)
            .map_err(|e| HostError::new(format!("invalid UTF-8 in the string at {offset}: {e}")))
    }

    /// The little-endian `u32` at `offset`.
    pub fn read_u32(&self, offset: impl Into<u64>) -> Result<u32, HostError> {
        let mut b = [0; 4];
        self.read(offset, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Writes `value` little-endian at `offset`.
    pub fn write_u32(&mut self, offset: impl Into<u64>, value: u32) -> Result<(), HostError> {
        self.write(offset, &value.to_le_bytes())
    }

    /// The little-endian `u64` at `offset`.
    pub fn read_u64(&self, offset: impl Into<u64>) -> Result<u64, HostError> {
        let mut b = [0; 8];
        self.read(offset, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Writes `value` little-endian at `offset`.
    pub fn write_u64(&mut self, offset: impl Into<u64>, value: u64) -> Result<(), HostError> {
        self.write(offset, &value.to_le_bytes())
    }

    /// The whole memory.
    pub fn data(&self) -> &[u8] {
        self.data
    }

    /// The whole memory, mutably.
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_accesses_are_bounds_checked() {
        let mut bytes = vec![0u8; 16];
        let mut m = Memory::from_slice(&mut bytes);
        m.write_u32(12u32, 0xdead_beef).unwrap();
        assert_eq!(m.read_u32(12u32).unwrap(), 0xdead_beef);
        assert!(m.write_u32(13u32, 1).is_err());
        assert!(m.slice(16u32, 0u32).is_ok());
        assert!(m.slice(17u32, 0u32).is_err());
        assert!(m.slice(u64::MAX, 2u64).is_err());
        m.write(0u32, b"hi\xff").unwrap();
        assert_eq!(m.str(0u32, 2u32).unwrap(), "hi");
        let e = m.str(0u32, 3u32).unwrap_err();
        assert!(e.message().contains("UTF-8"), "{e}");
        let e = m.read_u64(10u32).unwrap_err();
        assert_eq!(
            e.message(),
            "out of bounds memory access: 8 bytes at offset 10 in a memory of 16 bytes"
        );
    }
}
