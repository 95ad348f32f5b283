//! Sandbox escape attempts against the WASI implementation: a scripted hostile guest (see
//! `wasi_harness`) tries `..`, absolute paths, planted symlinks, symlink loops, hard links,
//! renames across preopens, writes under a read-only preopen, guessed descriptor numbers, very
//! long paths, bad pointers and a symlink-swapping race. Every attempt must be refused with the
//! right errno, and nothing outside the preopens (nor inside the read-only one) may be read or
//! changed.
//!
//! Layout of each fixture (a fresh temporary directory):
//! `outside/` (secret.txt, dir/), `sandbox/` = fd 3 `/sandbox` (inside.txt, sub/),
//! `ro/` = fd 4 `/ro` read-only (data.txt, sub/f.txt), `other/` = fd 5 `/other`.

mod cli_support;
mod wasi_harness;
mod wasi_support;

use cli_support::TempDir;
use std::path::PathBuf;
use wasi_harness::{Guest, MEMORY_SIZE, OUT};
use wasmedge_runtime::Val;
use wasmedge_wasi::{Errno, WasiCtx};

const SANDBOX: u32 = 3;
const RO: u32 = 4;
const OTHER: u32 = 5;

const FOLLOW: u32 = 1;
const O_CREAT: u32 = 1;
const O_DIRECTORY: u32 = 2;
const O_TRUNC: u32 = 8;
const APPEND: u32 = 1;
const FD_READ: u64 = 1 << 1;
const FD_WRITE: u64 = 1 << 6;
const PATH_CREATE_FILE: u64 = 1 << 10;
const ALL_RIGHTS: u64 = (1 << 30) - 1;
/// Every right except writing (which a directory, or anything below a read-only preopen,
/// refuses outright).
const ALL_BUT_WRITE: u64 = ALL_RIGHTS & !FD_WRITE;

const NOTCAPABLE: i32 = Errno::NotCapable as i32;

fn e(errno: Errno) -> i32 {
    errno as i32
}

struct Fixture {
    _tmp: TempDir,
    root: PathBuf,
    guest: Guest,
    before: Vec<(String, u64, Option<std::time::SystemTime>, bool)>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = TempDir::new();
        let root = tmp.path().to_path_buf();
        let mk = |p: &str| std::fs::create_dir_all(root.join(p)).unwrap();
        let put = |p: &str, data: &str| std::fs::write(root.join(p), data).unwrap();
        mk("outside/dir");
        put("outside/secret.txt", "TOP SECRET");
        mk("sandbox/sub");
        put("sandbox/inside.txt", "inside");
        mk("ro/sub");
        put("ro/data.txt", "read only data");
        put("ro/sub/f.txt", "f");
        mk("other");
        let mut b = WasiCtx::builder();
        b.arg("sandbox-test");
        b.preopened_dir(root.join("sandbox"), "/sandbox", false)
            .unwrap();
        b.preopened_dir(root.join("ro"), "/ro", true).unwrap();
        b.preopened_dir(root.join("other"), "/other", false)
            .unwrap();
        let guest = Guest::new(&mut b);
        let before = Fixture::protected(&root);
        Fixture {
            _tmp: tmp,
            root,
            guest,
            before,
        }
    }

    /// Everything that must never change: `outside/` and the read-only `ro/`.
    fn protected(
        root: &std::path::Path,
    ) -> Vec<(String, u64, Option<std::time::SystemTime>, bool)> {
        let mut v = wasi_support::fingerprint(&root.join("outside"));
        for mut entry in wasi_support::fingerprint(&root.join("ro")) {
            entry.0 = format!("ro/{}", entry.0);
            v.push(entry);
        }
        v
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(
                Fixture::protected(&self.root),
                self.before,
                "something outside the sandbox (or inside the read-only preopen) changed"
            );
            assert_eq!(
                std::fs::read(self.root.join("outside/secret.txt")).unwrap(),
                b"TOP SECRET"
            );
        }
    }
}

#[test]
fn dot_dot_cannot_leave_the_preopen() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    for path in [
        "../outside/secret.txt",
        "sub/../../outside/secret.txt",
        "./sub/./../../outside/secret.txt",
        "..",
        "sub/../..",
    ] {
        assert_eq!(
            g.open(SANDBOX, 0, path.as_bytes(), 0, FD_READ, 0),
            Err(NOTCAPABLE),
            "{path}"
        );
    }
    // `..` that stays inside is fine.
    assert!(
        g.open(SANDBOX, 0, b"sub/../inside.txt", 0, FD_READ, 0)
            .is_ok()
    );
}

#[test]
fn absolute_paths_are_refused() {
    let mut f = Fixture::new();
    let secret = f.path("outside/secret.txt");
    let g = &mut f.guest;
    assert_eq!(
        g.open(SANDBOX, 0, b"/etc/passwd", 0, FD_READ, 0),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.open(
            SANDBOX,
            0,
            secret.to_str().unwrap().as_bytes(),
            0,
            FD_READ,
            0
        ),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.path_op("path_create_directory", SANDBOX, b"/tmp/x"),
        NOTCAPABLE
    );
}

#[test]
fn a_directory_descriptor_is_its_own_root() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    let sub = g
        .open(SANDBOX, 0, b"sub", O_DIRECTORY, ALL_BUT_WRITE, 0)
        .unwrap();
    assert_eq!(
        g.open(sub, 0, b"../inside.txt", 0, FD_READ, 0),
        Err(NOTCAPABLE)
    );
    assert_eq!(g.open(sub, 0, b"..", O_DIRECTORY, 0, 0), Err(NOTCAPABLE));
}

#[test]
fn planted_relative_symlink_pointing_out_is_not_followed() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    // Creating a link whose text points out is harmless; following it is refused.
    assert_eq!(g.symlink(b"../outside/secret.txt", SANDBOX, b"evil"), 0);
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"evil", 0, FD_READ, 0),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.open(SANDBOX, 0, b"evil", 0, FD_READ, 0),
        Err(e(Errno::Loop))
    );
    assert_eq!(g.stat(SANDBOX, FOLLOW, b"evil"), Err(NOTCAPABLE));
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"evil", O_TRUNC, FD_WRITE, 0),
        Err(NOTCAPABLE)
    );
}

#[test]
fn dangling_symlink_out_cannot_create_files_outside() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(g.symlink(b"../outside/created.txt", SANDBOX, b"dangle"), 0);
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"dangle", O_CREAT, FD_WRITE, 0),
        Err(NOTCAPABLE)
    );
    assert!(!f.path("outside/created.txt").exists());
}

#[test]
fn host_symlinks_to_outside_directories_are_not_traversed() {
    let mut f = Fixture::new();
    std::os::unix::fs::symlink("../outside", f.path("sandbox/rel_out")).unwrap();
    std::os::unix::fs::symlink(f.path("outside"), f.path("sandbox/abs_out")).unwrap();
    let g = &mut f.guest;
    for link in ["rel_out", "abs_out"] {
        let file = format!("{link}/secret.txt");
        assert_eq!(
            g.open(SANDBOX, FOLLOW, file.as_bytes(), 0, FD_READ, 0),
            Err(NOTCAPABLE),
            "{file}"
        );
        let dir = format!("{link}/newdir");
        assert_eq!(
            g.path_op("path_create_directory", SANDBOX, dir.as_bytes()),
            NOTCAPABLE
        );
        let victim = format!("{link}/secret.txt");
        assert_eq!(
            g.path_op("path_unlink_file", SANDBOX, victim.as_bytes()),
            NOTCAPABLE
        );
        assert_eq!(
            g.open(SANDBOX, FOLLOW, link.as_bytes(), O_DIRECTORY, 0, 0),
            Err(NOTCAPABLE)
        );
    }
}

#[test]
fn symlinks_with_absolute_targets_cannot_be_created() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(g.symlink(b"/etc/passwd", SANDBOX, b"abs"), NOTCAPABLE);
    assert_eq!(g.stat(SANDBOX, 0, b"abs"), Err(e(Errno::NoEnt)));
}

#[test]
fn symlink_loops_end_in_eloop() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(g.symlink(b"b", SANDBOX, b"a"), 0);
    assert_eq!(g.symlink(b"a", SANDBOX, b"b"), 0);
    assert_eq!(g.symlink(b"self", SANDBOX, b"self"), 0);
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"a", 0, FD_READ, 0),
        Err(e(Errno::Loop))
    );
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"self", 0, FD_READ, 0),
        Err(e(Errno::Loop))
    );
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"a/x", O_CREAT, FD_WRITE, 0),
        Err(e(Errno::Loop))
    );
}

#[test]
fn symlink_chains_leading_out_are_refused() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(g.symlink(b"l2", SANDBOX, b"l1"), 0);
    assert_eq!(g.symlink(b"sub/../l3", SANDBOX, b"l2"), 0);
    assert_eq!(g.symlink(b"../outside", SANDBOX, b"l3"), 0);
    assert_eq!(
        g.open(SANDBOX, FOLLOW, b"l1/secret.txt", 0, FD_READ, 0),
        Err(NOTCAPABLE)
    );
}

#[test]
fn hard_links_cannot_cross_the_boundary() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.link(SANDBOX, 0, b"inside.txt", SANDBOX, b"../outside/hard"),
        NOTCAPABLE
    );
    assert_eq!(
        g.link(SANDBOX, 0, b"../outside/secret.txt", SANDBOX, b"stolen"),
        NOTCAPABLE
    );
    assert_eq!(g.symlink(b"../outside/secret.txt", SANDBOX, b"evil"), 0);
    assert_eq!(
        g.link(SANDBOX, FOLLOW, b"evil", SANDBOX, b"stolen"),
        NOTCAPABLE
    );
    // Linking a file out of the read-only preopen would make it writable elsewhere.
    assert_eq!(g.link(RO, 0, b"data.txt", SANDBOX, b"writable"), NOTCAPABLE);
    assert!(!f.path("sandbox/stolen").exists());
    assert!(!f.path("sandbox/writable").exists());
}

#[test]
fn renames_cannot_move_files_out_or_in() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.rename(SANDBOX, b"inside.txt", SANDBOX, b"../outside/moved"),
        NOTCAPABLE
    );
    assert_eq!(
        g.rename(SANDBOX, b"../outside/secret.txt", SANDBOX, b"got"),
        NOTCAPABLE
    );
    assert_eq!(g.rename(SANDBOX, b"sub", SANDBOX, b"/tmp/sub"), NOTCAPABLE);
    assert!(f.path("sandbox/inside.txt").exists());
}

#[test]
fn renames_across_preopens_stay_inside_and_respect_readonly() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    // Between two writable preopens: allowed, and contained.
    assert_eq!(g.rename(SANDBOX, b"inside.txt", OTHER, b"moved.txt"), 0);
    assert_eq!(std::fs::read(f.path("other/moved.txt")).unwrap(), b"inside");
    let g = &mut f.guest;
    assert_eq!(g.rename(RO, b"data.txt", SANDBOX, b"stolen"), NOTCAPABLE);
    assert_eq!(g.rename(SANDBOX, b"sub", RO, b"planted"), NOTCAPABLE);
    assert_eq!(g.rename(OTHER, b"moved.txt", RO, b"data.txt"), NOTCAPABLE);
}

#[test]
fn readonly_preopen_refuses_writing_opens() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(g.open(RO, 0, b"data.txt", 0, FD_WRITE, 0), Err(NOTCAPABLE));
    assert_eq!(
        g.open(RO, 0, b"data.txt", 0, FD_READ, APPEND),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.open(RO, 0, b"data.txt", O_TRUNC, FD_READ, 0),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.open(RO, 0, b"new.txt", O_CREAT, FD_READ, 0),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        g.open(RO, 0, b"sub/new.txt", O_CREAT, 0, 0),
        Err(NOTCAPABLE)
    );
    assert!(!f.path("ro/new.txt").exists());
}

#[test]
fn readonly_preopen_refuses_every_path_change() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.path_op("path_create_directory", RO, b"newdir"),
        NOTCAPABLE
    );
    assert_eq!(g.path_op("path_remove_directory", RO, b"sub"), NOTCAPABLE);
    assert_eq!(g.path_op("path_unlink_file", RO, b"data.txt"), NOTCAPABLE);
    assert_eq!(g.symlink(b"data.txt", RO, b"link"), NOTCAPABLE);
    assert_eq!(g.link(RO, 0, b"data.txt", RO, b"hard"), NOTCAPABLE);
    assert_eq!(g.rename(RO, b"data.txt", RO, b"renamed.txt"), NOTCAPABLE);
    let (p, l) = g.put(b"data.txt");
    let r = g.call(
        "path_filestat_set_times",
        &[
            Val::I32(RO as i32),
            Val::I32(0),
            Val::I32(p),
            Val::I32(l),
            Val::I64(0),
            Val::I64(0),
            Val::I32(4 | 1),
        ],
    );
    assert_eq!(r, NOTCAPABLE);
}

#[test]
fn readonly_file_descriptors_cannot_write_or_regain_rights() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.open(RO, 0, b"data.txt", 0, ALL_RIGHTS, 0),
        Err(NOTCAPABLE)
    );
    let fd = g.open(RO, 0, b"data.txt", 0, ALL_BUT_WRITE, 0).unwrap();
    assert_eq!(g.read(fd, 100).unwrap(), b"read only data");
    assert_eq!(g.write(fd, b"overwrite"), Err(NOTCAPABLE));
    let fdi = Val::I32(fd as i32);
    let all = Val::I64(ALL_RIGHTS as i64);
    assert_eq!(
        g.call("fd_fdstat_set_rights", &[fdi.clone(), all.clone(), all]),
        NOTCAPABLE
    );
    assert_eq!(
        g.call("fd_filestat_set_size", &[fdi.clone(), Val::I64(0)]),
        NOTCAPABLE
    );
    assert_eq!(
        g.call("fd_allocate", &[fdi.clone(), Val::I64(0), Val::I64(4096)]),
        NOTCAPABLE
    );
    assert_eq!(
        g.call(
            "fd_filestat_set_times",
            &[fdi.clone(), Val::I64(0), Val::I64(0), Val::I32(5)]
        ),
        NOTCAPABLE
    );
    let (iov, _) = g.put(&[2048u32.to_le_bytes(), 4u32.to_le_bytes()].concat());
    assert_eq!(
        g.call(
            "fd_pwrite",
            &[
                fdi,
                Val::I32(iov),
                Val::I32(1),
                Val::I64(0),
                Val::I32(OUT as i32)
            ]
        ),
        NOTCAPABLE
    );
    // The preopen itself cannot regain rights either.
    let all = Val::I64(ALL_RIGHTS as i64);
    assert_eq!(
        g.call(
            "fd_fdstat_set_rights",
            &[Val::I32(RO as i32), all.clone(), all]
        ),
        NOTCAPABLE
    );
}

#[test]
fn readonly_subdirectories_stay_readonly() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    let sub = g
        .open(RO, 0, b"sub", O_DIRECTORY, ALL_BUT_WRITE, 0)
        .unwrap();
    assert_eq!(
        g.call(
            "fd_fdstat_get",
            &[Val::I32(sub as i32), Val::I32(OUT as i32)]
        ),
        0
    );
    let base = g.u64_at(OUT + 8);
    assert_eq!(
        base & PATH_CREATE_FILE,
        0,
        "no create right below a read-only preopen"
    );
    assert_eq!(g.open(sub, 0, b"new.txt", O_CREAT, 0, 0), Err(NOTCAPABLE));
    assert_eq!(g.path_op("path_unlink_file", sub, b"f.txt"), NOTCAPABLE);
    assert_eq!(g.open(sub, 0, b"f.txt", 0, FD_WRITE, 0), Err(NOTCAPABLE));
}

#[test]
fn guessed_descriptor_numbers_reach_nothing() {
    let mut f = Fixture::new();
    // The host process has descriptors of its own open (this file, the test harness's); none is
    // reachable from the guest.
    let host_file = std::fs::File::open(f.path("outside/secret.txt")).unwrap();
    let host_fd = std::os::fd::AsRawFd::as_raw_fd(&host_file) as u32;
    let g = &mut f.guest;
    let mut candidates: Vec<u32> = (6..300).collect();
    candidates.extend([host_fd, 1 << 16, i32::MAX as u32, u32::MAX]);
    for fd in candidates {
        if fd <= OTHER {
            continue;
        }
        assert_eq!(g.read(fd, 16), Err(e(Errno::Badf)), "fd_read({fd})");
        assert_eq!(g.write(fd, b"x"), Err(e(Errno::Badf)), "fd_write({fd})");
        assert_eq!(
            g.open(fd, 0, b"x", O_CREAT, FD_WRITE, 0),
            Err(e(Errno::Badf))
        );
        assert_eq!(g.call("fd_close", &[Val::I32(fd as i32)]), e(Errno::Badf));
        assert_eq!(
            g.call(
                "fd_renumber",
                &[Val::I32(SANDBOX as i32), Val::I32(fd as i32)]
            ),
            e(Errno::Badf)
        );
        assert_eq!(
            g.call(
                "fd_prestat_get",
                &[Val::I32(fd as i32), Val::I32(OUT as i32)]
            ),
            e(Errno::Badf)
        );
    }
    // Standard streams are not directories.
    assert_eq!(
        g.open(1, 0, b"x", O_CREAT, FD_WRITE, 0),
        Err(e(Errno::NotDir))
    );
    assert_eq!(
        g.path_op("path_create_directory", 0, b"x"),
        e(Errno::NotDir)
    );
    drop(host_file);
}

#[test]
fn very_long_paths_are_refused_without_effect() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    let long_name = "n".repeat(300);
    assert_eq!(
        g.open(SANDBOX, 0, long_name.as_bytes(), O_CREAT, FD_WRITE, 0),
        Err(e(Errno::NameTooLong))
    );
    let deep = "d/".repeat(3000) + "x";
    let r = g.open(SANDBOX, 0, deep.as_bytes(), O_CREAT, FD_WRITE, 0);
    assert!(
        matches!(r, Err(x) if x == e(Errno::NameTooLong) || x == e(Errno::NoEnt)),
        "{r:?}"
    );
    let escape = "../".repeat(20_000) + "etc/passwd";
    let r = g.open(SANDBOX, 0, escape.as_bytes(), 0, FD_READ, 0);
    assert!(
        matches!(r, Err(x) if x == e(Errno::NameTooLong) || x == NOTCAPABLE),
        "{r:?}"
    );
    assert_eq!(
        g.path_op(
            "path_create_directory",
            SANDBOX,
            "x".repeat(70_000).as_bytes()
        ),
        e(Errno::NameTooLong)
    );
    let names: Vec<String> = std::fs::read_dir(f.path("sandbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "nothing was created: {names:?}");
}

#[test]
fn bad_guest_pointers_are_efault_not_crashes() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    let fault = e(Errno::Fault);
    let near_end = (MEMORY_SIZE - 2) as i32;
    let open = |g: &mut Guest, path: i32, len: i32, out: i32| {
        g.call(
            "path_open",
            &[
                Val::I32(SANDBOX as i32),
                Val::I32(0),
                Val::I32(path),
                Val::I32(len),
                Val::I32(0),
                Val::I64(FD_READ as i64),
                Val::I64(0),
                Val::I32(0),
                Val::I32(out),
            ],
        )
    };
    assert_eq!(open(g, near_end, 10, 0), fault);
    assert_eq!(open(g, -1, 10, 0), fault);
    let (p, l) = g.put(b"inside.txt");
    assert_eq!(open(g, p, l, -1), fault);
    assert_eq!(open(g, p, l, near_end), fault);
    // iovecs: the array, a buffer, or the count out of bounds.
    let (iov, _) = g.put(&[near_end.to_le_bytes(), 100i32.to_le_bytes()].concat());
    let w = |g: &mut Guest, iovs: i32, n: i32, out: i32| {
        g.call(
            "fd_write",
            &[Val::I32(1), Val::I32(iovs), Val::I32(n), Val::I32(out)],
        )
    };
    assert_eq!(w(g, iov, 1, 0), fault);
    assert_eq!(w(g, 0, 0x2000_0000, 0), fault);
    assert_eq!(w(g, near_end, 1, 0), fault);
    let fd = g.open(SANDBOX, 0, b"inside.txt", 0, FD_READ, 0).unwrap();
    assert_eq!(
        g.call(
            "fd_read",
            &[Val::I32(fd as i32), Val::I32(iov), Val::I32(1), Val::I32(0)]
        ),
        fault
    );
    assert_eq!(
        g.call(
            "fd_readdir",
            &[
                Val::I32(3),
                Val::I32(near_end),
                Val::I32(100),
                Val::I64(0),
                Val::I32(0)
            ]
        ),
        fault
    );
    assert_eq!(
        g.call("random_get", &[Val::I32(near_end), Val::I32(100)]),
        fault
    );
    assert_eq!(
        g.call(
            "poll_oneoff",
            &[Val::I32(0), Val::I32(0), Val::I32(0x1000_0000), Val::I32(0)]
        ),
        fault
    );
    assert_eq!(
        g.call("fd_prestat_get", &[Val::I32(3), Val::I32(-4)]),
        fault
    );
}

#[test]
fn malformed_path_strings_are_rejected() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.open(SANDBOX, 0, b"\xff\xfe", 0, FD_READ, 0),
        Err(e(Errno::Ilseq))
    );
    assert_eq!(
        g.open(
            SANDBOX,
            0,
            b"inside.txt\0../../outside/secret.txt",
            0,
            FD_READ,
            0
        ),
        Err(e(Errno::Inval))
    );
    assert_eq!(g.open(SANDBOX, 0, b"", 0, FD_READ, 0), Err(e(Errno::NoEnt)));
}

#[test]
fn nothing_outside_leaks_through_stat_or_readdir() {
    let mut f = Fixture::new();
    let g = &mut f.guest;
    assert_eq!(
        g.stat(SANDBOX, FOLLOW, b"../outside/secret.txt"),
        Err(NOTCAPABLE)
    );
    assert_eq!(g.stat(SANDBOX, 0, b"../outside"), Err(NOTCAPABLE));
    let mut names = g.list(SANDBOX).unwrap();
    names.sort();
    assert_eq!(names, [".", "..", "inside.txt", "sub"]);
    let (buf, len) = g.put(&[0u8; 64]);
    let (p, l) = g.put(b"../outside/secret.txt");
    assert_eq!(
        g.call(
            "path_readlink",
            &[
                Val::I32(3),
                Val::I32(p),
                Val::I32(l),
                Val::I32(buf),
                Val::I32(len),
                Val::I32(0)
            ]
        ),
        NOTCAPABLE
    );
}

#[test]
fn swapping_a_directory_for_a_symlink_races_nothing_out() {
    let mut f = Fixture::new();
    std::fs::write(f.path("outside/target.txt"), "TOP SECRET").unwrap();
    f.before = Fixture::protected(&f.root);
    std::fs::create_dir(f.path("sandbox/real")).unwrap();
    std::fs::write(f.path("sandbox/real/target.txt"), "safe").unwrap();
    std::os::unix::fs::symlink("../outside", f.path("sandbox/evil")).unwrap();
    let swap = f.path("sandbox/swap");
    let (real, evil) = (f.path("sandbox/real"), f.path("sandbox/evil"));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Atomically point `swap` at the real directory or at the link leading out.
                let tmp = swap.with_extension(format!("tmp{i}"));
                let _ = if i.is_multiple_of(2) {
                    std::os::unix::fs::symlink("real", &tmp)
                } else {
                    std::os::unix::fs::symlink("evil", &tmp)
                };
                let _ = std::fs::rename(&tmp, &swap);
                i += 1;
            }
            let _ = std::fs::remove_file(&swap);
            drop((real, evil));
        })
    };
    let g = &mut f.guest;
    let (mut safe_reads, mut refused) = (0, 0);
    for _ in 0..3000 {
        match g.open(SANDBOX, FOLLOW, b"swap/target.txt", 0, FD_READ, 0) {
            Ok(fd) => {
                let data = g.read(fd, 64).unwrap();
                assert_eq!(data, b"safe", "read outside the sandbox through a race");
                g.call("fd_close", &[Val::I32(fd as i32)]);
                safe_reads += 1;
            }
            Err(_) => refused += 1,
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flipper.join().unwrap();
    eprintln!("race: {safe_reads} safe reads, {refused} refused");
    assert_eq!(safe_reads + refused, 3000);
}
