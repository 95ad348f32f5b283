//! Registers every `wasi_snapshot_preview1` function in a [`Linker`]: the import signatures,
//! the glue that gives each handler the guest's memory and the [`WasiCtx`], and the
//! conversion of results to `errno` return values.
//!
//! This is the only place that touches the embedding API; the handlers themselves see just a
//! `WasiCtx`, a [`GuestMemory`] and their parameters. It must not implement any WASI
//! semantics.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::memory::GuestMemory;
use crate::net::{conn, dns, names, sockopt, transfer};
use crate::{args, clocks, fd, io, path, poll, proc, readdir, sock};
use wasmedge_runtime::Caller;
use wasmedge_runtime::Linker;
use wasmedge_runtime::Val;
use wasmedge_runtime::{Error, Result};
use wasmedge_runtime::{FuncType, ValType};

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The parameters of a call, typed by the import signature.
pub struct Params<'a>(&'a [Val]);

impl Params<'_> {
    /// Parameter `i` (an `i32`) as unsigned.
    pub fn u32(&self, i: usize) -> u32 {
        match self.0.get(i) {
            Some(Val::I32(v)) => *v as u32,
            _ => 0,
        }
    }
    /// Parameter `i` (an `i64`) as unsigned.
    pub fn u64(&self, i: usize) -> u64 {
        match self.0.get(i) {
            Some(Val::I64(v)) => *v as u64,
            _ => 0,
        }
    }
    /// Parameter `i` (an `i64`).
    pub fn i64(&self, i: usize) -> i64 {
        self.u64(i) as i64
    }
}

/// A WASI function body: `Ok` is `errno` 0.
pub type Handler = fn(&mut WasiCtx, &mut GuestMemory<'_>, &Params<'_>) -> WasiResult<()>;

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

/// Every preview1 function except `proc_exit` (which does not return): name, parameter
/// types, body. All return one `i32` errno.
const FUNCTIONS: &[(&str, &[ValType], Handler)] = &[
    ("args_get", &[I, I], args::args_get),
    ("args_sizes_get", &[I, I], args::args_sizes_get),
    ("environ_get", &[I, I], args::environ_get),
    ("environ_sizes_get", &[I, I], args::environ_sizes_get),
    ("clock_res_get", &[I, I], clocks::clock_res_get),
    ("clock_time_get", &[I, L, I], clocks::clock_time_get),
    ("fd_advise", &[I, L, L, I], fd::fd_advise),
    ("fd_allocate", &[I, L, L], fd::fd_allocate),
    ("fd_close", &[I], fd::fd_close),
    ("fd_datasync", &[I], fd::fd_datasync),
    ("fd_fdstat_get", &[I, I], fd::fd_fdstat_get),
    ("fd_fdstat_set_flags", &[I, I], fd::fd_fdstat_set_flags),
    ("fd_fdstat_set_rights", &[I, L, L], fd::fd_fdstat_set_rights),
    ("fd_filestat_get", &[I, I], fd::fd_filestat_get),
    ("fd_filestat_set_size", &[I, L], fd::fd_filestat_set_size),
    (
        "fd_filestat_set_times",
        &[I, L, L, I],
        fd::fd_filestat_set_times,
    ),
    ("fd_pread", &[I, I, I, L, I], io::fd_pread),
    ("fd_prestat_get", &[I, I], fd::fd_prestat_get),
    ("fd_prestat_dir_name", &[I, I, I], fd::fd_prestat_dir_name),
    ("fd_pwrite", &[I, I, I, L, I], io::fd_pwrite),
    ("fd_read", &[I, I, I, I], io::fd_read),
    ("fd_readdir", &[I, I, I, L, I], readdir::fd_readdir),
    ("fd_renumber", &[I, I], fd::fd_renumber),
    ("fd_seek", &[I, L, I, I], io::fd_seek),
    ("fd_sync", &[I], fd::fd_sync),
    ("fd_tell", &[I, I], io::fd_tell),
    ("fd_write", &[I, I, I, I], io::fd_write),
    (
        "path_create_directory",
        &[I, I, I],
        path::path_create_directory,
    ),
    (
        "path_filestat_get",
        &[I, I, I, I, I],
        path::path_filestat_get,
    ),
    (
        "path_filestat_set_times",
        &[I, I, I, I, L, L, I],
        path::path_filestat_set_times,
    ),
    ("path_link", &[I, I, I, I, I, I, I], path::path_link),
    ("path_open", &[I, I, I, I, I, L, L, I, I], path::path_open),
    ("path_readlink", &[I, I, I, I, I, I], path::path_readlink),
    (
        "path_remove_directory",
        &[I, I, I],
        path::path_remove_directory,
    ),
    ("path_rename", &[I, I, I, I, I, I], path::path_rename),
    ("path_symlink", &[I, I, I, I, I], path::path_symlink),
    ("path_unlink_file", &[I, I, I], path::path_unlink_file),
    ("poll_oneoff", &[I, I, I, I], poll::poll_oneoff),
    ("proc_raise", &[I], proc::proc_raise),
    ("sched_yield", &[], proc::sched_yield),
    ("random_get", &[I, I], proc::random_get),
    ("sock_accept", &[I, I, I], sock::sock_accept),
    ("sock_recv", &[I, I, I, I, I, I], sock::sock_recv),
    ("sock_send", &[I, I, I, I, I], sock::sock_send),
    ("sock_shutdown", &[I, I], sock::sock_shutdown),
];

/// WasmEdge's socket extension (also in `wasi_snapshot_preview1`). A name may appear twice with
/// different types (V1 and V2 of `sock_accept`, `sock_recv_from`, `sock_getlocaladdr`,
/// `sock_getpeeraddr`): each import entry binds the one its type matches, as in WasmEdge. The
/// `_v2` names are exported too; the plain `sock_bind`/`sock_connect`/`sock_send_to` are V1
/// (4/16-byte addresses), their `_v2` names also take the 128-byte form.
const SOCKET_FUNCTIONS: &[(&str, &[ValType], Handler)] = &[
    ("sock_open", &[I, I, I], conn::sock_open),
    ("sock_open_v2", &[I, I, I], conn::sock_open),
    ("sock_bind", &[I, I, I], conn::sock_bind),
    ("sock_bind_v2", &[I, I, I], conn::sock_bind_v2),
    ("sock_connect", &[I, I, I], conn::sock_connect),
    ("sock_connect_v2", &[I, I, I], conn::sock_connect_v2),
    ("sock_listen", &[I, I], conn::sock_listen),
    ("sock_listen_v2", &[I, I], conn::sock_listen),
    ("sock_accept", &[I, I], conn::sock_accept_v1),
    ("sock_accept_v2", &[I, I, I], sock::sock_accept),
    ("sock_recv_v2", &[I, I, I, I, I, I], sock::sock_recv),
    ("sock_send_v2", &[I, I, I, I, I], sock::sock_send),
    (
        "sock_recv_from",
        &[I, I, I, I, I, I, I],
        transfer::sock_recv_from_v1,
    ),
    (
        "sock_recv_from",
        &[I, I, I, I, I, I, I, I],
        transfer::sock_recv_from_v2,
    ),
    (
        "sock_recv_from_v2",
        &[I, I, I, I, I, I, I, I],
        transfer::sock_recv_from_v2,
    ),
    (
        "sock_send_to",
        &[I, I, I, I, I, I, I],
        transfer::sock_send_to,
    ),
    (
        "sock_send_to_v2",
        &[I, I, I, I, I, I, I],
        transfer::sock_send_to_v2,
    ),
    (
        "sock_getlocaladdr",
        &[I, I, I, I],
        names::sock_getlocaladdr_v1,
    ),
    ("sock_getlocaladdr", &[I, I, I], names::sock_getlocaladdr_v2),
    (
        "sock_getlocaladdr_v2",
        &[I, I, I],
        names::sock_getlocaladdr_v2,
    ),
    (
        "sock_getpeeraddr",
        &[I, I, I, I],
        names::sock_getpeeraddr_v1,
    ),
    ("sock_getpeeraddr", &[I, I, I], names::sock_getpeeraddr_v2),
    (
        "sock_getpeeraddr_v2",
        &[I, I, I],
        names::sock_getpeeraddr_v2,
    ),
    (
        "sock_getsockopt",
        &[I, I, I, I, I],
        sockopt::sock_getsockopt,
    ),
    (
        "sock_setsockopt",
        &[I, I, I, I, I],
        sockopt::sock_setsockopt,
    ),
    (
        "sock_getaddrinfo",
        &[I, I, I, I, I, I, I, I],
        dns::sock_getaddrinfo,
    ),
    // Same ABI as `poll_oneoff`; level-triggered readiness is a superset of the edge-triggered
    // reports WasmEdge gives (every known guest drains a socket until `EAGAIN`).
    ("epoll_oneoff", &[I, I, I, I], poll::poll_oneoff),
];

/// The names of WasmEdge's socket-extension functions this implementation provides (each
/// once, though some have two types).
pub fn socket_function_names() -> impl Iterator<Item = &'static str> {
    let mut seen = Vec::new();
    SOCKET_FUNCTIONS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(move |n| {
            let new = !seen.contains(n);
            seen.push(*n);
            new
        })
}

/// The names of all preview1 functions this implementation provides.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|(name, _, _)| *name)
        .chain(std::iter::once("proc_exit"))
}

/// Runs `f` with the context (taken out of the store for the call) and the caller's memory.
fn with_ctx<T, R>(
    caller: &mut Caller<'_, T>,
    get: fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> R,
) -> R {
    // The context is moved out so that it and the memory (both owned by the store) can be
    // borrowed at once; WASI functions never call back into wasm, so nothing can observe the
    // empty placeholder.
    let mut ctx = std::mem::take(get(caller.data_mut()));
    let memory = caller.get_export("memory").and_then(|e| e.into_memory());
    let mut no_memory: [u8; 0] = [];
    let data: &mut [u8] = match memory {
        Some(m) => m.data_mut(&mut *caller),
        None => &mut no_memory,
    };
    let result = f(&mut ctx, &mut GuestMemory::new(data));
    *get(caller.data_mut()) = ctx;
    result
}

/// Defines every `wasi_snapshot_preview1` import in `linker`; `get` finds the [`WasiCtx`] in
/// the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut WasiCtx,
) -> Result<()> {
    for &(name, params, handler) in FUNCTIONS.iter().chain(SOCKET_FUNCTIONS) {
        let ty = FuncType::new(params.iter().copied(), [I]);
        linker.func_new_overload(MODULE, name, ty, move |mut caller, args, results| {
            let r = with_ctx(&mut caller, get, |ctx, mem| {
                handler(ctx, mem, &Params(args))
            });
            results[0] = Val::I32(match r {
                Ok(()) => 0,
                Err(e) => i32::from(e.raw()),
            });
            Ok(())
        })?;
    }
    linker.func_new(
        MODULE,
        "proc_exit",
        FuncType::new([I], []),
        move |mut caller, args, _results| {
            let status = Params(args).u32(0) as i32;
            with_ctx(&mut caller, get, |ctx, _| proc::flush_all(ctx));
            Err(Error::exit(status))
        },
    )?;
    Ok(())
}
