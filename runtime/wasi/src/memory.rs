//! Bounds-checked access to the guest's linear memory for the WASI functions.
//!
//! Every guest pointer goes through [`GuestMemory`]: a range that does not fit in the memory
//! (including `ptr + len` overflowing 32 bits) is `EFAULT`, never a panic and never a host
//! access outside the slice. Multi-byte values are little-endian and may be unaligned. This
//! module must not know about file descriptors or any WASI semantics beyond "bytes at an
//! address".

use crate::abi::IOVEC_SIZE;
use crate::errno::{Errno, WasiResult};

/// The guest's linear memory, borrowed for the duration of one WASI call.
pub struct GuestMemory<'a> {
    data: &'a mut [u8],
}

/// One `iovec`/`ciovec`: a guest buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoVec {
    pub ptr: u32,
    pub len: u32,
}

impl<'a> GuestMemory<'a> {
    /// Wraps the memory's bytes (an empty slice for a module without memory).
    pub fn new(data: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { data }
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.data.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// The bytes at `ptr..ptr + len`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.data[r])
    }

    /// The bytes at `ptr..ptr + len`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.data[r])
    }

    /// Checks that `ptr..ptr + len` is inside the memory without touching it.
    pub fn check(&self, ptr: u32, len: u32) -> WasiResult<()> {
        self.range(ptr, len).map(|_| ())
    }

    /// Copies `bytes` to `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let mut b = [0u8; N];
        b.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(b)
    }

    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A guest string (a path or a symlink target): must be in bounds (`EFAULT`) and valid
    /// UTF-8 (`EILSEQ`).
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// A guest string copied out of memory.
    pub fn string(&self, ptr: u32, len: u32) -> WasiResult<String> {
        self.str(ptr, len).map(str::to_owned)
    }

    /// Reads an array of `count` iovecs at `ptr`. Each buffer is bounds-checked too.
    pub fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let bytes = count.checked_mul(IOVEC_SIZE).ok_or(Errno::Fault)?;
        self.check(ptr, bytes)?;
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = ptr + i * IOVEC_SIZE;
            let v = IoVec {
                ptr: self.read_u32(at)?,
                len: self.read_u32(at + 4)?,
            };
            self.check(v.ptr, v.len)?;
            out.push(v);
        }
        Ok(out)
    }

    /// The concatenated contents of `iovs` (for writes), at most `limit` bytes.
    pub fn gather(&self, iovs: &[IoVec], limit: usize) -> WasiResult<Vec<u8>> {
        let mut out = Vec::new();
        for v in iovs {
            if out.len() >= limit {
                break;
            }
            let take = (v.len as usize).min(limit - out.len());
            out.extend_from_slice(&self.slice(v.ptr, v.len)?[..take]);
        }
        Ok(out)
    }

    /// Distributes `bytes` over `iovs` in order (for reads).
    pub fn scatter(&mut self, iovs: &[IoVec], mut bytes: &[u8]) -> WasiResult<()> {
        for v in iovs {
            if bytes.is_empty() {
                break;
            }
            let n = (v.len as usize).min(bytes.len());
            self.slice_mut(v.ptr, n as u32)?
                .copy_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

/// The total length of `iovs`, saturating.
pub fn total_len(iovs: &[IoVec]) -> usize {
    iovs.iter()
        .fold(0usize, |acc, v| acc.saturating_add(v.len as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut bytes);
        assert!(m.write_u64(8, 7).is_ok());
        assert_eq!(m.write_u64(9, 7), Err(Errno::Fault));
        assert_eq!(m.read_u32(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.slice(u32::MAX, 2).err(), Some(Errno::Fault));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.iovecs(0, u32::MAX).err(), Some(Errno::Fault));
        m.write(0, b"\xff\xfe").unwrap();
        assert_eq!(m.str(0, 2).err(), Some(Errno::Ilseq));
    }

    #[test]
    fn gather_and_scatter() {
        let mut bytes = vec![0u8; 32];
        let mut m = GuestMemory::new(&mut bytes);
        m.write(0, b"hello world").unwrap();
        let iovs = [IoVec { ptr: 0, len: 5 }, IoVec { ptr: 5, len: 6 }];
        assert_eq!(m.gather(&iovs, usize::MAX).unwrap(), b"hello world");
        assert_eq!(m.gather(&iovs, 7).unwrap(), b"hello w");
        let out = [IoVec { ptr: 20, len: 2 }, IoVec { ptr: 24, len: 8 }];
        m.scatter(&out, b"abcde").unwrap();
        assert_eq!(m.slice(20, 2).unwrap(), b"ab");
        assert_eq!(m.slice(24, 3).unwrap(), b"cde");
    }
}
