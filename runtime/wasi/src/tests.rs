//! Unit tests of the WASI embedding API: standard streams redirected to memory, arguments and
//! environment, `proc_exit`, and the set of registered functions. (The sandbox and the official
//! suite are tested from `tests/`.)

use crate::{self as wasi, OutputBuffer, Stdio, WasiCtx};
use wasmedge_runtime::{Engine, Linker, Module, Store};

/// A guest that copies stdin to stdout (upper-casing nothing), writes its argc/environ sizes to
/// stderr as raw bytes, then exits with status 9.
const CAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $n i32)
    ;; iovec at 0: buffer 64..1088
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1024))
    (block $done
      (loop $again
        (br_if $done (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store (i32.const 4) (local.get $n))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store (i32.const 4) (i32.const 1024))
        (br $again)))
    ;; sizes at 16..32, written to stderr
    (drop (call $args (i32.const 16) (i32.const 20)))
    (drop (call $env (i32.const 24) (i32.const 28)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 9))
    unreachable))
"#;

#[test]
fn streams_in_memory_and_exit_status() {
    let engine = Engine::default();
    let module = Module::new(&engine, CAT).unwrap();
    let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
    let mut b = WasiCtx::builder();
    b.args(["cat.wasm", "-n"])
        .env("A", "1")
        .env_entry("B=22")
        .stdin(Stdio::bytes(b"hello\0binary\xff".to_vec()))
        .stdout(Stdio::buffer(&out))
        .stderr(Stdio::buffer(&err));
    let mut store = Store::new(&engine, b.build());
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_func(&store, "_start").unwrap();
    let e = start.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(e.exit_status(), Some(9));
    assert_eq!(out.contents(), b"hello\0binary\xff");
    let sizes: Vec<u32> = err
        .contents()
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    // argc 2, "cat.wasm\0-n\0" = 12 bytes; 2 variables, "A=1\0B=22\0" = 9 bytes.
    assert_eq!(sizes, [2, 12, 2, 9]);
    assert_eq!(store.data().args().count(), 2);
}

#[test]
fn every_preview1_function_is_registered() {
    let names: Vec<&str> = wasi::function_names().collect();
    assert_eq!(names.len(), 46);
    for n in [
        "args_get",
        "fd_readdir",
        "path_open",
        "poll_oneoff",
        "proc_exit",
        "proc_raise",
        "sock_accept",
        "sock_shutdown",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let engine = Engine::default();
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |c| c).unwrap();
    for n in names {
        assert!(linker.contains(wasi::MODULE, n), "{n}");
    }
}

#[test]
fn builder_defaults_are_empty() {
    let ctx = WasiCtx::builder().build();
    assert_eq!(ctx.args().count(), 0);
    assert_eq!(ctx.env().count(), 0);
    assert!(ctx.fds.get(3).is_err());
}

/// Accepts one connection on the handed-in listener (fd 3), echoes what it receives, shuts the
/// connection down; returns 0 or the negative step that failed.
const ECHO: &str = r#"
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv"
    (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "serve") (result i32)
    (if (call $accept (i32.const 3) (i32.const 0) (i32.const 0)) (then (return (i32.const -1))))
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.const 64))
    (if (call $recv (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 0)
                    (i32.const 24) (i32.const 28))
      (then (return (i32.const -2))))
    (i32.store (i32.const 20) (i32.load (i32.const 24)))
    (if (call $send (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 0)
                    (i32.const 32))
      (then (return (i32.const -3))))
    (if (call $shutdown (i32.load (i32.const 0)) (i32.const 3)) (then (return (i32.const -4))))
    ;; Not a socket: stdout.
    (if (i32.ne (call $shutdown (i32.const 1) (i32.const 3)) (i32.const 57))
      (then (return (i32.const -5))))
    (i32.const 0)))
"#;

#[test]
fn handed_in_sockets_accept_recv_send_shutdown() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.write_all(b"ping").unwrap();
        let mut back = Vec::new();
        c.read_to_end(&mut back).unwrap();
        back
    });
    let engine = Engine::default();
    let module = Module::new(&engine, ECHO).unwrap();
    let mut b = WasiCtx::builder();
    b.socket(listener);
    let mut store = Store::new(&engine, b.build());
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let serve = instance.get_typed_func::<(), i32>(&store, "serve").unwrap();
    assert_eq!(serve.call(&mut store, ()).unwrap(), 0);
    assert_eq!(client.join().unwrap(), b"ping");
}
