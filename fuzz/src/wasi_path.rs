//! The `wasi_path` target: random path strings against a WASI preopen with a random layout of
//! files, directories and symlinks, asserting that nothing resolves outside the preopen.
//!
//! Each input builds, in a fresh temporary directory `ROOT`:
//! - `ROOT/outside/secret` (a file whose content is [`SECRET`]) and `ROOT/outside/dir/`;
//! - `ROOT/pre/`, preopened as the guest's `/sandbox` (fd 3), filled with random entries: files
//!   (content `inside`), directories, and symlinks whose targets are random relative paths
//!   (`..`-heavy), absolute paths into `ROOT/outside`, `/`, or loops.
//!
//! Then a guest (`GUEST_WAT`) performs random operations with random paths through the real
//! `wasi_snapshot_preview1` imports: open and read, open with `O_CREAT`/`O_TRUNC`/`O_EXCL`,
//! `path_create_directory`, `path_symlink`, with and without `SYMLINK_FOLLOW`.
//!
//! Checks: no read ever returns the secret; afterwards `ROOT/outside` is byte-for-byte what it
//! was (no entry created, removed or changed) and `ROOT` holds only `outside` and `pre`.

use crate::engine;
use arbitrary::{Result, Unstructured};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmedge_wasi::{self as wasi, WasiCtx};
use wasmedge_runtime::{Linker, MemoryStrategy, Module, Store, Val};

/// The content of the file outside the preopen.
pub const SECRET: &[u8] = b"SECRET-OUTSIDE-THE-PREOPEN";

/// The guest: thin wrappers around the path functions. Memory layout: the path at 4096, a
/// second path at 8192, the read buffer at 16384 (1024 bytes), scratch at 0..64.
const GUEST_WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; open_read(dirflags, len, oflags) -> bytes read (>= 0) or -errno
  (func (export "open_read") (param $dirflags i32) (param $len i32) (param $oflags i32)
    (result i32)
    (local $e i32) (local $fd i32)
    (local.set $e (call $path_open (i32.const 3) (local.get $dirflags)
      (i32.const 4096) (local.get $len) (local.get $oflags)
      (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 0)))
    (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
    (local.set $fd (i32.load (i32.const 0)))
    ;; one iovec at 8: buf 16384, len 1024; nread at 16
    (i32.store (i32.const 8) (i32.const 16384))
    (i32.store (i32.const 12) (i32.const 1024))
    (local.set $e (call $fd_read (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))
    (drop (call $fd_close (local.get $fd)))
    (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
    (i32.load (i32.const 16)))
  (func (export "mkdir") (param $len i32) (result i32)
    (call $mkdir (i32.const 3) (i32.const 4096) (local.get $len)))
  ;; symlink(target at 8192, link path at 4096)
  (func (export "symlink") (param $target_len i32) (param $len i32) (result i32)
    (call $symlink (i32.const 8192) (local.get $target_len)
      (i32.const 3) (i32.const 4096) (local.get $len)))
)
"#;

const PATH_AT: usize = 4096;
const TARGET_AT: usize = 8192;
const BUF_AT: usize = 16384;

fn module() -> Module {
    static MODULE: OnceLock<Module> = OnceLock::new();
    MODULE
        .get_or_init(|| {
            Module::new(&engine(MemoryStrategy::Auto, None), GUEST_WAT).expect("guest module")
        })
        .clone()
}

/// Names used for entries, so that random paths hit existing entries often.
const NAMES: &[&str] = &["a", "b", "l", "m", "dir", "secret", "outside", "pre"];

/// A random path built from components that matter for resolution.
fn path(u: &mut Unstructured<'_>, root: &Path) -> Result<String> {
    let mut s = String::new();
    if u.ratio(1, 8)? {
        s.push('/');
    }
    let n = u.int_in_range(0..=6)?;
    for i in 0..n {
        if i > 0 {
            s.push_str(u.choose(&["/", "/", "//", "/./"])?);
        }
        match u.int_in_range(0..=9)? {
            0..=2 => s.push_str(".."),
            3 => s.push('.'),
            4 => s.push_str(&root.to_string_lossy()),
            _ => s.push_str(u.choose(NAMES)?),
        }
    }
    if u.ratio(1, 8)? {
        s.push('/');
    }
    Ok(s)
}

/// Everything below `dir`, by relative path: files with their contents, directories and
/// symlinks with their targets (never following links).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_path_buf();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            let desc = if meta.file_type().is_symlink() {
                format!("symlink -> {:?}", std::fs::read_link(&p).ok())
            } else if meta.is_dir() {
                stack.push(p.clone());
                "dir".to_string()
            } else {
                format!("file {:?}", std::fs::read(&p).ok())
            };
            out.insert(rel, desc);
        }
    }
    out
}

/// A fresh, empty directory for one input; removed on drop.
struct TempRoot(PathBuf);

impl TempRoot {
    fn new() -> TempRoot {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wasmedge-fuzz-wasi-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempRoot(dir)
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let tmp = TempRoot::new();
    let root = tmp.0.clone();
    let outside = root.join("outside");
    let pre = root.join("pre");
    std::fs::create_dir_all(outside.join("dir")).expect("outside");
    std::fs::write(outside.join("secret"), SECRET).expect("secret");
    std::fs::create_dir_all(&pre).expect("pre");

    // Random layout inside the preopen (host side: setting up the test, not the guest).
    for _ in 0..u.int_in_range(0..=8)? {
        let parent = if u.ratio(1, 3)? {
            pre.join(u.choose(NAMES)?)
        } else {
            pre.clone()
        };
        let target = parent.join(u.choose(NAMES)?);
        // Only below real directories: the host must not follow a symlink while setting up.
        let real_dir = std::fs::symlink_metadata(&parent).is_ok_and(|m| m.is_dir());
        if !real_dir || std::fs::symlink_metadata(&target).is_ok() {
            continue;
        }
        match u.int_in_range(0..=3)? {
            0 => {
                let _ = std::fs::write(&target, b"inside");
            }
            1 => {
                let _ = std::fs::create_dir(&target);
            }
            _ => {
                let dest = match u.int_in_range(0..=4)? {
                    0 => outside.join("secret").to_string_lossy().into_owned(),
                    1 => outside.to_string_lossy().into_owned(),
                    2 => "/".to_string(),
                    _ => path(&mut u, &root)?,
                };
                let _ = std::os::unix::fs::symlink(dest, &target);
            }
        }
    }
    let outside_before = snapshot(&outside);

    let engine = engine(MemoryStrategy::Auto, None);
    let mut b = WasiCtx::builder();
    b.preopened_dir(&pre, "/sandbox", false).expect("preopen");
    let mut store = Store::new(&engine, b.build());
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).expect("wasi linker");
    let instance = linker
        .instantiate(&mut store, &module())
        .expect("instantiate");
    let memory = instance.get_memory(&store, "memory").expect("memory");
    let open_read = instance.get_func(&store, "open_read").expect("open_read");
    let mkdir = instance.get_func(&store, "mkdir").expect("mkdir");
    let symlink = instance.get_func(&store, "symlink").expect("symlink");

    let trace = std::env::var_os("WASI_PATH_TRACE").is_some();
    if trace {
        eprintln!("layout: {:#?}", snapshot(&pre));
    }
    for _ in 0..u.int_in_range(1..=8)? {
        let p = path(&mut u, &root)?;
        memory.data_mut(&mut store)[PATH_AT..PATH_AT + p.len()].copy_from_slice(p.as_bytes());
        let len = Val::I32(p.len() as i32);
        let mut result = [Val::I32(0)];
        match u.int_in_range(0..=5)? {
            0..=2 => {
                let dirflags = Val::I32(u.int_in_range(0..=1)?); // SYMLINK_FOLLOW or not
                let oflags = Val::I32(u.int_in_range(0..=15)?); // CREAT|DIRECTORY|EXCL|TRUNC
                open_read
                    .call(
                        &mut store,
                        &[dirflags.clone(), len, oflags.clone()],
                        &mut result,
                    )
                    .expect("open_read does not trap");
                let n = result[0].i32().unwrap_or(0);
                if trace {
                    eprintln!("open_read {p:?} {dirflags:?} {oflags:?} -> {n}");
                }
                if n > 0 {
                    let read = &memory.data(&store)[BUF_AT..BUF_AT + n as usize];
                    assert!(
                        !read.windows(SECRET.len()).any(|w| w == SECRET),
                        "path {p:?} read the file outside the preopen"
                    );
                }
            }
            3 => {
                mkdir
                    .call(&mut store, &[len], &mut result)
                    .expect("mkdir does not trap");
                if trace {
                    eprintln!("mkdir {p:?} -> {:?}", result[0]);
                }
            }
            _ => {
                let t = path(&mut u, &root)?;
                memory.data_mut(&mut store)[TARGET_AT..TARGET_AT + t.len()]
                    .copy_from_slice(t.as_bytes());
                symlink
                    .call(&mut store, &[Val::I32(t.len() as i32), len], &mut result)
                    .expect("symlink does not trap");
                if trace {
                    eprintln!("symlink {t:?} at {p:?} -> {:?}", result[0]);
                }
            }
        }
    }
    drop(store);

    assert_eq!(
        snapshot(&outside),
        outside_before,
        "something outside the preopen changed"
    );
    let mut top: Vec<String> = std::fs::read_dir(&root)
        .expect("root")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["outside", "pre"],
        "an entry appeared beside the preopen"
    );
    Ok(())
}
