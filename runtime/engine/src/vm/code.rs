//! Executable code memory and the process-wide registry of code ranges that the trap handler
//! consults.
//!
//! Maps machine code with `mmap`, makes it read+execute with `mprotect`, and records for each
//! range its trap sites (sorted offsets with trap codes) and function boundaries (for naming
//! the function a trap happened in). Must not interpret wasm; must not allocate in
//! `trap_code_at`, which runs inside the signal handler.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use wasmedge_environ::error::TrapCode;

/// Information about one code range, used when a trap happens.
pub(crate) struct CodeInfo {
    /// `(offset, code)` sorted by offset.
    pub(crate) traps: Vec<(u32, TrapCode)>,
    /// `(start offset, end offset, display name)` of every function, sorted by start.
    pub(crate) functions: Vec<(u32, u32, String)>,
}

struct Range {
    start: usize,
    info: Arc<CodeInfo>,
}

/// Code ranges keyed by their end address (exclusive).
static REGISTRY: RwLock<BTreeMap<usize, Range>> = RwLock::new(BTreeMap::new());

/// Read+execute memory holding one module's (or trampoline set's) machine code.
pub(crate) struct CodeMemory {
    ptr: *mut u8,
    /// Length of the mapping (whole pages).
    len: usize,
    /// Length of the machine code in it.
    text_len: usize,
}

// SAFETY: the mapping is immutable (read+execute) after construction and freed only on drop.
unsafe impl Send for CodeMemory {}
// SAFETY: as above; shared access only reads.
unsafe impl Sync for CodeMemory {}

fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

impl CodeMemory {
    /// Copies `text` into fresh executable memory and registers it with its trap information.
    pub(crate) fn new(text: &[u8], info: CodeInfo) -> Result<Arc<CodeMemory>, String> {
        let len = text.len().max(1).next_multiple_of(page_size());
        // SAFETY: an anonymous private mapping with no address hint; the result is checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(format!(
                "cannot map {len} bytes for machine code: {}",
                std::io::Error::last_os_error()
            ));
        }
        let ptr = ptr as *mut u8;
        // SAFETY: `ptr` is a fresh writable mapping of `len >= text.len()` bytes.
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), ptr, text.len()) };
        // SAFETY: `ptr..ptr+len` is our mapping; switching it to read+execute.
        let rc = unsafe { libc::mprotect(ptr as *mut _, len, libc::PROT_READ | libc::PROT_EXEC) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            // SAFETY: unmapping the mapping created above.
            unsafe { libc::munmap(ptr as *mut _, len) };
            return Err(format!("cannot make machine code executable: {err}"));
        }
        Ok(CodeMemory::register(ptr, len, text.len(), info))
    }

    /// Maps `len` bytes of machine code at page-aligned `offset` of `file` directly as
    /// read+execute memory (no copy) and registers it.
    pub(crate) fn map_file(
        file: &std::fs::File,
        offset: u64,
        len: usize,
        info: CodeInfo,
    ) -> Result<Arc<CodeMemory>, String> {
        use std::os::fd::AsRawFd;
        let map_len = len.max(1).next_multiple_of(page_size());
        if !offset.is_multiple_of(page_size() as u64) {
            return Err("machine code is not page-aligned in the file".into());
        }
        // SAFETY: a private, read+execute mapping of a range of an open file; result checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_EXEC,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                offset as libc::off_t,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(format!(
                "cannot map machine code from the file: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(CodeMemory::register(ptr as *mut u8, map_len, len, info))
    }

    fn register(ptr: *mut u8, len: usize, text_len: usize, info: CodeInfo) -> Arc<CodeMemory> {
        let start = ptr as usize;
        REGISTRY.write().unwrap().insert(
            start + len,
            Range {
                start,
                info: Arc::new(info),
            },
        );
        Arc::new(CodeMemory { ptr, len, text_len })
    }

    /// The machine code.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is readable and at least `text_len` bytes long.
        unsafe { std::slice::from_raw_parts(self.ptr, self.text_len) }
    }

    /// The address of `offset` within the code.
    pub(crate) fn addr(&self, offset: u32) -> *const u8 {
        debug_assert!((offset as usize) < self.len);
        self.ptr.wrapping_add(offset as usize)
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        REGISTRY
            .write()
            .unwrap()
            .remove(&(self.ptr as usize + self.len));
        // SAFETY: the mapping was created in `new` and no compiled code can run any more: every
        // instance holding this code has been dropped.
        unsafe { libc::munmap(self.ptr as *mut _, self.len) };
    }
}

fn with_range<R>(pc: usize, f: impl FnOnce(usize, &CodeInfo) -> Option<R>) -> Option<R> {
    let reg = REGISTRY.read().ok()?;
    let (_, range) = reg.range(pc + 1..).next()?;
    if pc < range.start {
        return None;
    }
    f(range.start, &range.info)
}

/// The trap code of the trap site at `pc`, if `pc` is one in registered code.
/// Called from the signal handler: takes a read lock and does not allocate.
pub(crate) fn trap_code_at(pc: usize) -> Option<TrapCode> {
    with_range(pc, |start, info| {
        let off = u32::try_from(pc - start).ok()?;
        let i = info.traps.binary_search_by_key(&off, |(o, _)| *o).ok()?;
        Some(info.traps[i].1)
    })
}

/// The name of the function containing `pc`, if any.
pub(crate) fn function_name_at(pc: usize) -> Option<String> {
    with_range(pc, |start, info| {
        let off = u32::try_from(pc - start).ok()?;
        let i = info
            .functions
            .partition_point(|(s, _, _)| *s <= off)
            .checked_sub(1)?;
        let (s, e, name) = &info.functions[i];
        (off >= *s && off < *e).then(|| name.clone())
    })
}
