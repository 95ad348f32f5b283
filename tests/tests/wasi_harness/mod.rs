//! A scriptable WASI guest for tests: a wasm module that re-exports every
//! `wasi_snapshot_preview1` function through a thin wasm wrapper (so calls come from a real
//! wasm instance with its own memory), driven from Rust like a hostile program would drive the
//! imports: arbitrary descriptors, paths, pointers and flags.
//!
//! Helpers only: no assertions about WASI behaviour belong here.

#![allow(dead_code)]

use wasmedge_runtime::{Engine, Instance, Linker, Memory, Module, Store, Val};
use wasmedge_wasi::{self as wasi, WasiCtx, WasiCtxBuilder};

/// `(name, params)` of the preview1 functions (all return an `i32` errno); `i` = i32, `l` = i64.
const SIGNATURES: &[(&str, &str)] = &[
    ("fd_close", "i"),
    ("fd_read", "iiii"),
    ("fd_write", "iiii"),
    ("fd_pread", "iiili"),
    ("fd_pwrite", "iiili"),
    ("fd_seek", "ilii"),
    ("fd_renumber", "ii"),
    ("fd_fdstat_get", "ii"),
    ("fd_fdstat_set_rights", "ill"),
    ("fd_filestat_get", "ii"),
    ("fd_filestat_set_size", "il"),
    ("fd_filestat_set_times", "illi"),
    ("fd_allocate", "ill"),
    ("fd_prestat_get", "ii"),
    ("fd_readdir", "iiili"),
    ("path_open", "iiiiilli"),
    ("path_create_directory", "iii"),
    ("path_remove_directory", "iii"),
    ("path_unlink_file", "iii"),
    ("path_rename", "iiiiii"),
    ("path_link", "iiiiiii"),
    ("path_symlink", "iiiii"),
    ("path_readlink", "iiiiii"),
    ("path_filestat_get", "iiiii"),
    ("path_filestat_set_times", "iiiilli"),
    ("poll_oneoff", "iiii"),
    ("random_get", "ii"),
    ("sock_shutdown", "ii"),
];

fn module_text() -> String {
    let mut wat = String::from("(module\n");
    let ty = |c: char| if c == 'l' { "i64" } else { "i32" };
    for (name, params) in SIGNATURES {
        // path_open has one more i32 (the result pointer) than listed above.
        let params: String = if *name == "path_open" {
            format!("{params}i")
        } else {
            params.to_string()
        };
        let plist: Vec<&str> = params.chars().map(ty).collect();
        wat += &format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {}) (result i32)))\n",
            plist.join(" ")
        );
    }
    wat += "  (memory (export \"memory\") 2)\n";
    for (name, params) in SIGNATURES {
        let params: String = if *name == "path_open" {
            format!("{params}i")
        } else {
            params.to_string()
        };
        let plist: Vec<&str> = params.chars().map(ty).collect();
        let gets: Vec<String> = (0..plist.len())
            .map(|i| format!("(local.get {i})"))
            .collect();
        wat += &format!(
            "  (func (export \"{name}\") (param {}) (result i32) (call ${name} {}))\n",
            plist.join(" "),
            gets.join(" ")
        );
    }
    wat += ")\n";
    wat
}

/// Offsets in guest memory used by the helpers.
pub const OUT: u32 = 0; // result slots (fd, sizes, ...)
const SCRATCH: u32 = 1024; // strings and buffers written by the host
pub const MEMORY_SIZE: u32 = 2 * 65536;

/// A wasm instance with WASI, driven from the test.
pub struct Guest {
    pub store: Store<WasiCtx>,
    instance: Instance,
    memory: Memory,
    next: u32,
}

impl Guest {
    /// Instantiates the guest with the context `b` builds.
    pub fn new(b: &mut WasiCtxBuilder) -> Guest {
        let engine = Engine::default();
        let module = Module::new(&engine, module_text()).expect("harness module");
        let mut store = Store::new(&engine, b.build());
        let mut linker = Linker::new(&engine);
        wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).expect("adding WASI");
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiating");
        let memory = instance.get_memory(&store, "memory").expect("memory");
        Guest {
            store,
            instance,
            memory,
            next: SCRATCH,
        }
    }

    /// Calls WASI function `name` with raw arguments; returns the errno.
    pub fn call(&mut self, name: &str, args: &[Val]) -> i32 {
        let f = self
            .instance
            .get_func(&self.store, name)
            .unwrap_or_else(|| panic!("no export {name}"));
        let mut results = [Val::I32(0)];
        f.call(&mut self.store, args, &mut results)
            .unwrap_or_else(|e| panic!("{name} trapped: {e}"));
        results[0].i32().expect("i32 errno")
    }

    /// Copies bytes into guest memory; returns `(ptr, len)`.
    pub fn put(&mut self, bytes: &[u8]) -> (i32, i32) {
        if self.next as usize + bytes.len() > MEMORY_SIZE as usize {
            self.next = SCRATCH;
        }
        let ptr = self.next;
        self.memory
            .write(&mut self.store, ptr as usize, bytes)
            .expect("writing guest memory");
        self.next += (bytes.len() as u32 + 7) & !7;
        (ptr as i32, bytes.len() as i32)
    }

    /// Reads guest memory.
    pub fn get(&self, ptr: u32, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        self.memory
            .read(&self.store, ptr as usize, &mut v)
            .expect("reading guest memory");
        v
    }

    pub fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.get(ptr, 4).try_into().unwrap())
    }

    pub fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.get(ptr, 8).try_into().unwrap())
    }

    /// `path_open`; `Ok(fd)` or `Err(errno)`.
    pub fn open(
        &mut self,
        dirfd: u32,
        lookup: u32,
        path: &[u8],
        oflags: u32,
        rights: u64,
        fdflags: u32,
    ) -> Result<u32, i32> {
        let (p, l) = self.put(path);
        let e = self.call(
            "path_open",
            &[
                Val::I32(dirfd as i32),
                Val::I32(lookup as i32),
                Val::I32(p),
                Val::I32(l),
                Val::I32(oflags as i32),
                Val::I64(rights as i64),
                Val::I64(rights as i64),
                Val::I32(fdflags as i32),
                Val::I32(OUT as i32),
            ],
        );
        if e == 0 { Ok(self.u32_at(OUT)) } else { Err(e) }
    }

    /// A path function taking `(fd, path)`: create/remove directory, unlink.
    pub fn path_op(&mut self, name: &str, dirfd: u32, path: &[u8]) -> i32 {
        let (p, l) = self.put(path);
        self.call(name, &[Val::I32(dirfd as i32), Val::I32(p), Val::I32(l)])
    }

    /// `fd_read` of up to `n` bytes.
    pub fn read(&mut self, fd: u32, n: usize) -> Result<Vec<u8>, i32> {
        let (buf, _) = self.put(&vec![0u8; n]);
        let (iov, _) = self.put(&[buf.to_le_bytes(), (n as u32).to_le_bytes()].concat());
        let e = self.call(
            "fd_read",
            &[
                Val::I32(fd as i32),
                Val::I32(iov),
                Val::I32(1),
                Val::I32(OUT as i32),
            ],
        );
        if e != 0 {
            return Err(e);
        }
        let got = self.u32_at(OUT) as usize;
        Ok(self.get(buf as u32, got))
    }

    /// `fd_write` of `data`.
    pub fn write(&mut self, fd: u32, data: &[u8]) -> Result<usize, i32> {
        let (buf, len) = self.put(data);
        let (iov, _) = self.put(&[buf.to_le_bytes(), len.to_le_bytes()].concat());
        let e = self.call(
            "fd_write",
            &[
                Val::I32(fd as i32),
                Val::I32(iov),
                Val::I32(1),
                Val::I32(OUT as i32),
            ],
        );
        if e == 0 {
            Ok(self.u32_at(OUT) as usize)
        } else {
            Err(e)
        }
    }

    /// `path_symlink(target, dirfd, link)`.
    pub fn symlink(&mut self, target: &[u8], dirfd: u32, link: &[u8]) -> i32 {
        let (t, tl) = self.put(target);
        let (l, ll) = self.put(link);
        self.call(
            "path_symlink",
            &[
                Val::I32(t),
                Val::I32(tl),
                Val::I32(dirfd as i32),
                Val::I32(l),
                Val::I32(ll),
            ],
        )
    }

    /// `path_rename(fd1, old, fd2, new)`.
    pub fn rename(&mut self, fd1: u32, old: &[u8], fd2: u32, new: &[u8]) -> i32 {
        let (o, ol) = self.put(old);
        let (n, nl) = self.put(new);
        self.call(
            "path_rename",
            &[
                Val::I32(fd1 as i32),
                Val::I32(o),
                Val::I32(ol),
                Val::I32(fd2 as i32),
                Val::I32(n),
                Val::I32(nl),
            ],
        )
    }

    /// `path_link(fd1, flags, old, fd2, new)`.
    pub fn link(&mut self, fd1: u32, flags: u32, old: &[u8], fd2: u32, new: &[u8]) -> i32 {
        let (o, ol) = self.put(old);
        let (n, nl) = self.put(new);
        self.call(
            "path_link",
            &[
                Val::I32(fd1 as i32),
                Val::I32(flags as i32),
                Val::I32(o),
                Val::I32(ol),
                Val::I32(fd2 as i32),
                Val::I32(n),
                Val::I32(nl),
            ],
        )
    }

    /// `path_filestat_get`; the 64-byte filestat or the errno.
    pub fn stat(&mut self, dirfd: u32, flags: u32, path: &[u8]) -> Result<Vec<u8>, i32> {
        let (p, l) = self.put(path);
        let e = self.call(
            "path_filestat_get",
            &[
                Val::I32(dirfd as i32),
                Val::I32(flags as i32),
                Val::I32(p),
                Val::I32(l),
                Val::I32(OUT as i32),
            ],
        );
        if e == 0 {
            Ok(self.get(OUT, 64))
        } else {
            Err(e)
        }
    }

    /// The names `fd_readdir` lists for directory `fd` (one call, 8 KiB buffer).
    pub fn list(&mut self, fd: u32) -> Result<Vec<String>, i32> {
        let (buf, len) = self.put(&[0u8; 8192]);
        let e = self.call(
            "fd_readdir",
            &[
                Val::I32(fd as i32),
                Val::I32(buf),
                Val::I32(len),
                Val::I64(0),
                Val::I32(OUT as i32),
            ],
        );
        if e != 0 {
            return Err(e);
        }
        let used = self.u32_at(OUT) as usize;
        let bytes = self.get(buf as u32, used);
        let mut names = Vec::new();
        let mut at = 0;
        while at + 24 <= bytes.len() {
            let namlen = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
            let end = (at + 24 + namlen).min(bytes.len());
            names.push(String::from_utf8_lossy(&bytes[at + 24..end]).into_owned());
            at += 24 + namlen;
        }
        Ok(names)
    }
}
