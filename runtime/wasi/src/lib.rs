//! WASI preview1 (`wasi_snapshot_preview1`): every function of the snapshot, sandboxed on a
//! capability-based file system layer (`cap-std`).
//!
//! Use it from an embedding by putting a [`WasiCtx`] in the store's data and registering the
//! imports with [`add_to_linker`]:
//!
//! ```no_run
//! use wasmedge_wasi::{self as wasi, OutputBuffer, Stdio, WasiCtx};
//! use wasmedge_runtime::{Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("app.wasm").unwrap()).unwrap();
//! let out = OutputBuffer::new();
//! let mut b = WasiCtx::builder();
//! b.arg("app.wasm").env("GREETING", "hi").stdout(Stdio::buffer(&out));
//! b.preopened_dir("./data", "/data", false).unwrap();
//! let mut store = Store::new(&engine, b.build());
//! let mut linker = Linker::new(&engine);
//! wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).unwrap();
//! let instance = linker.instantiate(&mut store, &module).unwrap();
//! let start = instance.get_func(&store, "_start").unwrap();
//! match start.call(&mut store, &[], &mut []) {
//!     Ok(()) => println!("exit 0"),
//!     Err(e) => println!("exit {:?}", e.exit_status()),
//! }
//! print!("{}", out.to_string_lossy());
//! ```
//!
//! Module map: [`ctx`] (the context and its builder), [`stdio`] (standard streams),
//! [`fdtable`] (descriptors and rights), [`memory`] (bounds-checked guest memory),
//! [`errno`] (host error → WASI errno), [`abi`] (constants and layouts), the function groups
//! [`args`], [`clocks`], [`fd`], [`io`], [`readdir`], [`path`], [`poll`], [`proc`], [`sock`],
//! WasmEdge's socket extension [`net`] (guest-created sockets, name resolution, `epoll_oneoff`,
//! and the network permission policy), and [`linker`] (registration).
//! The sandbox rests on `cap-std`: a directory descriptor is a
//! capability, and no path ever resolves outside it.
//!
//! This module tree must not use ambient authority except in [`WasiCtxBuilder::preopened_dir`]
//! and the inherited standard streams, and must not terminate the host process (`proc_exit`
//! becomes [`wasmedge_runtime::Error::exit`]).

// The only unsafe code of this crate is `net::sys` (raw socket options and getaddrinfo).
#![deny(unsafe_code)]

pub mod abi;
pub mod args;
pub mod clocks;
pub mod ctx;
pub mod errno;
pub mod fd;
pub mod fdtable;
pub mod filestat;
pub mod io;
pub mod linker;
pub mod memory;
pub mod net;
pub mod path;
pub mod poll;
pub mod proc;
pub mod readdir;
pub mod sock;
pub mod stdio;

pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use fdtable::Socket;
pub use linker::{MODULE, add_to_linker, function_names, socket_function_names};
pub use net::{IpAccess, NetPolicy, NetRule};
pub use stdio::{OutputBuffer, Stdio};

#[cfg(test)]
mod tests;
