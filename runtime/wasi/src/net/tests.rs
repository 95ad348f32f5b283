//! Tests of the socket extension through the embedding API (WAT guests, real loopback sockets):
//! V1/V2 binding by import type, a TCP round trip with the address forms checked byte by byte,
//! and the permission policy refusing before any system call.

use crate::{self as wasi, IpAccess, NetPolicy, NetRule, WasiCtx};
use wasmedge_runtime::{Engine, Linker, Module, Store, Val};

/// Imports every shape of the socket functions a guest may use; each export calls one with
/// its parameters passed through.
const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "sock_open" (func $open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_bind" (func $bind (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_bind_v2" (func $bind2 (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_listen" (func $listen (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_connect" (func $connect (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_connect_v2" (func $connect2 (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept1 (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept2 (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getlocaladdr" (func $local1 (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getlocaladdr" (func $local2 (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getpeeraddr" (func $peer1 (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv_from" (func $recvfrom2 (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send_to" (func $sendto (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getsockopt" (func $getopt (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_setsockopt" (func $setopt (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getaddrinfo" (func $gai (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "epoll_oneoff" (func $epoll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $setflags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "open") (param i32 i32 i32) (result i32) (call $open (local.get 0) (local.get 1) (local.get 2)))
  (func (export "bind") (param i32 i32 i32) (result i32) (call $bind (local.get 0) (local.get 1) (local.get 2)))
  (func (export "bind2") (param i32 i32 i32) (result i32) (call $bind2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "listen") (param i32 i32) (result i32) (call $listen (local.get 0) (local.get 1)))
  (func (export "connect") (param i32 i32 i32) (result i32) (call $connect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "connect2") (param i32 i32 i32) (result i32) (call $connect2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "accept1") (param i32 i32) (result i32) (call $accept1 (local.get 0) (local.get 1)))
  (func (export "accept2") (param i32 i32 i32) (result i32) (call $accept2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "local1") (param i32 i32 i32 i32) (result i32) (call $local1 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "local2") (param i32 i32 i32) (result i32) (call $local2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "peer1") (param i32 i32 i32 i32) (result i32) (call $peer1 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "send") (param i32 i32 i32 i32 i32) (result i32) (call $send (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "recvfrom2") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (call $recvfrom2 (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7)))
  (func (export "sendto") (param i32 i32 i32 i32 i32 i32 i32) (result i32) (call $sendto (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6)))
  (func (export "getopt") (param i32 i32 i32 i32 i32) (result i32) (call $getopt (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "setopt") (param i32 i32 i32 i32 i32) (result i32) (call $setopt (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "gai") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (call $gai (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7)))
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32) (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32) (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fdstat") (param i32 i32) (result i32) (call $fdstat (local.get 0) (local.get 1)))
  (func (export "setflags") (param i32 i32) (result i32) (call $setflags (local.get 0) (local.get 1)))
  (func (export "close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "epoll") (param i32 i32 i32 i32) (result i32) (call $epoll (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
"#;

struct Guest {
    store: Store<WasiCtx>,
    instance: wasmedge_runtime::Instance,
}

impl Guest {
    fn new(policy: NetPolicy) -> Guest {
        let engine = Engine::default();
        let module = Module::new(&engine, GUEST).unwrap();
        let mut b = WasiCtx::builder();
        b.network(policy);
        let mut store = Store::new(&engine, b.build());
        let mut linker = Linker::new(&engine);
        wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Guest { store, instance }
    }

    /// Calls export `name`; returns the errno.
    fn call(&mut self, name: &str, args: &[u32]) -> u16 {
        let f = self.instance.get_func(&self.store, name).unwrap();
        let args: Vec<Val> = args.iter().map(|&a| Val::I32(a as i32)).collect();
        let mut out = [Val::I32(-1)];
        f.call(&mut self.store, &args, &mut out).unwrap();
        match out[0] {
            Val::I32(v) => v as u16,
            _ => unreachable!(),
        }
    }

    fn mem(&mut self) -> &mut [u8] {
        let m = self.instance.get_memory(&self.store, "memory").unwrap();
        m.data_mut(&mut self.store)
    }
    fn put(&mut self, at: u32, bytes: &[u8]) {
        self.mem()[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    }
    fn put_u32(&mut self, at: u32, v: u32) {
        self.put(at, &v.to_le_bytes());
    }
    fn get(&mut self, at: u32, len: usize) -> Vec<u8> {
        self.mem()[at as usize..at as usize + len].to_vec()
    }
    fn get_u32(&mut self, at: u32) -> u32 {
        u32::from_le_bytes(self.get(at, 4).try_into().unwrap())
    }

    /// Writes an address struct at `at` pointing at `bytes` stored at `at + 8`.
    fn address(&mut self, at: u32, bytes: &[u8]) {
        self.put_u32(at, at + 8);
        self.put_u32(at + 4, bytes.len() as u32);
        self.put(at + 8, bytes);
    }

    /// Opens a socket (errno must be 0) and returns its descriptor.
    fn open(&mut self, af: u32, ty: u32) -> u32 {
        assert_eq!(self.call("open", &[af, ty, 0]), 0);
        self.get_u32(0)
    }
}

const SUCCESS: u16 = 0;
const ACCES: u16 = 2;
const BADF: u16 = 8;
const INVAL: u16 = 28;
const NOSYS: u16 = 52;
const NOTCONN: u16 = 53;
const NOTSOCK: u16 = 57;

#[test]
fn v1_and_v2_bind_by_import_type() {
    // Instantiation alone proves the linker bound both `sock_accept` and both
    // `sock_getlocaladdr` shapes; now check the right bodies run.
    let mut g = Guest::new(NetPolicy::default());
    let l = g.open(1, 2);
    g.address(100, &[127, 0, 0, 1]);
    assert_eq!(g.call("bind", &[l, 100, 0]), SUCCESS);
    assert_eq!(g.call("listen", &[l, 16]), SUCCESS);
    // V1 getlocaladdr: raw 4 bytes, addr_type 4, port u32.
    g.address(200, &[0; 16]);
    assert_eq!(g.call("local1", &[l, 200, 300, 304]), SUCCESS);
    assert_eq!(g.get(208, 4), [127, 0, 0, 1]);
    assert_eq!(g.get_u32(300), 4);
    let port = g.get_u32(304);
    assert!(port > 0 && port <= 65535);
    // V2 getlocaladdr: 128-byte tagged form; a 16-byte buffer is refused.
    assert_eq!(g.call("local2", &[l, 200, 304]), INVAL);
    g.address(400, &[0; 128]);
    assert_eq!(g.call("local2", &[l, 400, 304]), SUCCESS);
    assert_eq!(g.get(408, 6), [1, 0, 127, 0, 0, 1]);
    assert_eq!(g.get_u32(304), port);

    // Connect a guest client (V1 connect), accept it with V1 and with V2 (non-blocking).
    let c = g.open(1, 2);
    assert_eq!(g.call("connect", &[c, 100, port]), SUCCESS);
    assert_eq!(g.call("accept1", &[l, 500]), SUCCESS);
    let a = g.get_u32(500);
    assert!(a != l && a != c);
    // Nothing pending: V2 on a listener made non-blocking would be EAGAIN; here check that V2
    // with NONBLOCK marks the accepted socket.
    let c2 = g.open(1, 2);
    assert_eq!(g.call("connect", &[c2, 100, port]), SUCCESS);
    assert_eq!(g.call("accept2", &[l, 4, 504]), SUCCESS);
    let a2 = g.get_u32(504);
    // The peer of the accepted socket is the client's local address.
    g.address(600, &[0; 16]);
    assert_eq!(g.call("peer1", &[a, 600, 700, 704]), SUCCESS);
    assert_eq!(g.get(608, 4), [127, 0, 0, 1]);
    // Send on the client, receive with V2 recv_from on the accepted socket.
    g.put(800, b"hello");
    g.put_u32(808, 800);
    g.put_u32(812, 5);
    assert_eq!(g.call("send", &[c, 808, 1, 0, 816]), SUCCESS);
    assert_eq!(g.get_u32(816), 5);
    g.put_u32(900, 1000);
    g.put_u32(904, 64);
    g.address(920, &[0; 128]);
    assert_eq!(
        g.call("recvfrom2", &[a, 900, 1, 920, 0, 1100, 1104, 1108]),
        SUCCESS
    );
    assert_eq!(g.get_u32(1104), 5);
    assert_eq!(g.get(1000, 5), b"hello");
    // Errors: bad descriptors, non-sockets, unconnected peers, bad families and types.
    assert_eq!(g.call("listen", &[9999, 1]), BADF);
    assert_eq!(g.call("listen", &[1, 1]), NOTSOCK);
    assert_eq!(g.call("peer1", &[l, 600, 700, 704]), NOTCONN);
    assert_eq!(g.call("open", &[0, 2, 0]), INVAL);
    assert_eq!(g.call("open", &[1, 0, 0]), INVAL);
    assert_eq!(g.call("open", &[1, 3, 0]), INVAL);
    assert_eq!(g.call("open", &[1, 2, 2]), INVAL, "misaligned out-pointer");
    assert_eq!(g.call("open", &[1, 2, 65536]), 21, "out of bounds");
    let _ = a2;
}

#[test]
fn udp_send_to_and_tagged_addresses() {
    let mut g = Guest::new(NetPolicy::default());
    let s = g.open(1, 1);
    g.address(100, &[127, 0, 0, 1]);
    assert_eq!(g.call("bind", &[s, 100, 0]), SUCCESS);
    g.address(200, &[0; 16]);
    assert_eq!(g.call("local1", &[s, 200, 300, 304]), SUCCESS);
    let port = g.get_u32(304);
    // Send to ourselves with the V1 raw form, receive with V2: the port comes back in host
    // order (the decision documented in transfer.rs).
    g.put(400, b"ping");
    g.put_u32(408, 400);
    g.put_u32(412, 4);
    assert_eq!(g.call("sendto", &[s, 408, 1, 100, port, 0, 416]), SUCCESS);
    g.put_u32(500, 600);
    g.put_u32(504, 64);
    g.address(700, &[0; 128]);
    assert_eq!(
        g.call("recvfrom2", &[s, 500, 1, 700, 0, 900, 904, 908]),
        SUCCESS
    );
    assert_eq!(g.get(600, 4), b"ping");
    assert_eq!(g.get(708, 6), [1, 0, 127, 0, 0, 1]);
    assert_eq!(
        u16::from_le_bytes(g.get(900, 2).try_into().unwrap()) as u32,
        port
    );
    // The plain sock_bind (V1) refuses the 128-byte form; sock_bind_v2 takes it.
    let s2 = g.open(1, 1);
    let mut tagged = [0u8; 128];
    tagged[0] = 1;
    tagged[2..6].copy_from_slice(&[127, 0, 0, 1]);
    g.address(1000, &tagged);
    assert_eq!(g.call("bind", &[s2, 1000, 0]), INVAL);
    assert_eq!(g.call("bind2", &[s2, 1000, 0]), SUCCESS);
    // SO_TYPE comes back as the WASI type, SO_RCVBUF raw.
    g.put_u32(1200, 4);
    assert_eq!(g.call("getopt", &[s2, 0, 1, 1204, 1200]), SUCCESS);
    assert_eq!(g.get_u32(1204), 1);
    assert_eq!(g.call("getopt", &[s2, 1, 1, 1204, 1200]), INVAL, "level");
    assert_eq!(g.call("getopt", &[s2, 0, 15, 1204, 1200]), INVAL, "name");
    // SO_BROADCAST set then read back.
    g.put_u32(1300, 1);
    assert_eq!(g.call("setopt", &[s2, 0, 4, 1300, 4]), SUCCESS);
    g.put_u32(1200, 4);
    assert_eq!(g.call("getopt", &[s2, 0, 4, 1204, 1200]), SUCCESS);
    assert_ne!(g.get_u32(1204), 0);
}

#[test]
fn getaddrinfo_fills_the_guest_chain() {
    let mut g = Guest::new(NetPolicy::default());
    g.put(0, b"127.0.0.1\0");
    g.put(16, b"8080\0");
    // hints at 32: flags NUMERICHOST|NUMERICSERV, INET4, STREAM, TCP.
    g.put(32, &[4 | 8, 0, 1, 2, 1]);
    // Two linked entries at 64 and 96, sockaddrs at 128/140, sa_data at 160/192.
    for (i, e) in [64u32, 96].into_iter().enumerate() {
        let sa = 128 + 12 * i as u32;
        let data = 160 + 32 * i as u32;
        g.put_u32(e + 12, sa);
        g.put_u32(e + 24, if i == 0 { 96 } else { 0 });
        g.put_u32(sa + 4, 26);
        g.put_u32(sa + 8, data);
    }
    g.put_u32(240, 64);
    assert_eq!(g.call("gai", &[0, 10, 16, 5, 32, 240, 2, 244]), SUCCESS);
    assert_eq!(g.get_u32(244), 1);
    assert_eq!(g.get(66, 3), [1, 2, 1]);
    assert_eq!(g.get_u32(72), 16);
    assert_eq!(g.get(128, 1), [1]);
    assert_eq!(g.get_u32(132), 14);
    assert_eq!(g.get(160, 6), [0x1f, 0x90, 127, 0, 0, 1]);
    // Errors checked before resolving.
    assert_eq!(
        g.call("gai", &[0, 0, 16, 0, 32, 240, 2, 244]),
        84,
        "AINONAME"
    );
    assert_eq!(
        g.call("gai", &[0, 10, 16, 5, 32, 240, 0, 244]),
        82,
        "AIMEMORY"
    );
    g.put(32, &[0x80, 0, 1, 2, 1]);
    assert_eq!(
        g.call("gai", &[0, 10, 16, 5, 32, 240, 2, 244]),
        79,
        "AIBADFLAG"
    );
    g.put(32, &[0, 0, 9, 2, 1]);
    assert_eq!(
        g.call("gai", &[0, 10, 16, 5, 32, 240, 2, 244]),
        81,
        "AIFAMILY"
    );
}

#[test]
fn denied_guests_get_eacces_and_no_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port() as u32;

    let mut g = Guest::new(NetPolicy {
        ip: IpAccess::None,
        allow_unix: false,
    });
    assert_eq!(g.call("open", &[1, 2, 0]), ACCES);
    assert_eq!(g.call("open", &[2, 1, 0]), ACCES);
    assert_eq!(
        g.call("open", &[3, 2, 0]),
        NOSYS,
        "AF_UNIX needs --allow-af-unix"
    );
    g.put(300, b"localhost\0");
    g.put(320, &[0; 28]);
    g.put_u32(360, 400);
    assert_eq!(g.call("gai", &[300, 10, 0, 0, 320, 360, 1, 364]), ACCES);

    let rule: NetRule = format!("127.0.0.1:{}", port + 1).parse().unwrap();
    let mut g = Guest::new(NetPolicy {
        ip: IpAccess::Only(vec![rule]),
        allow_unix: false,
    });
    let c = g.open(1, 2);
    g.address(100, &[127, 0, 0, 1]);
    assert_eq!(g.call("connect", &[c, 100, port]), ACCES);
    // IPv4-mapped IPv6 does not get around the rule.
    let c6 = g.open(2, 2);
    let mut mapped = [0u8; 16];
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped[12..].copy_from_slice(&[127, 0, 0, 1]);
    g.address(200, &mapped);
    assert_eq!(g.call("connect", &[c6, 200, port]), ACCES);
    assert_eq!(g.call("bind", &[c, 100, 0]), ACCES);
    assert!(
        listener.accept().is_err(),
        "a refused guest must never reach the listener"
    );
    // The allowed port is reachable (connection refused by the kernel, not by the policy).
    assert_eq!(g.call("connect", &[c, 100, port + 1]), 14);
}

#[test]
fn epoll_oneoff_reports_readable_sockets() {
    let mut g = Guest::new(NetPolicy::default());
    let s = g.open(1, 1);
    g.address(100, &[127, 0, 0, 1]);
    assert_eq!(g.call("bind", &[s, 100, 0]), SUCCESS);
    g.address(200, &[0; 16]);
    assert_eq!(g.call("local1", &[s, 200, 300, 304]), SUCCESS);
    let port = g.get_u32(304) as u16;
    let tx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    tx.send_to(b"x", ("127.0.0.1", port)).unwrap();
    // One FD_READ subscription (userdata 7) at 1024, event out at 2048.
    let mut sub = [0u8; 48];
    sub[0] = 7;
    sub[8] = 1;
    sub[16..20].copy_from_slice(&s.to_le_bytes());
    g.put(1024, &sub);
    assert_eq!(g.call("epoll", &[1024, 2048, 1, 3000]), SUCCESS);
    assert_eq!(g.get_u32(3000), 1);
    assert_eq!(g.get(2048, 1), [7]);
    assert_eq!(g.get(2056, 3), [0, 0, 1], "no error, FD_READ");
}

#[test]
fn overloads_are_told_apart_by_type_and_clash_on_equal_types() {
    use wasmedge_runtime::{FuncType, ValType};
    let engine = Engine::default();
    let mut linker: Linker<WasiCtx> = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c).unwrap();
    // A third shape of an overloaded name is fine; a repeated shape is an error.
    let ty = |n| FuncType::new(std::iter::repeat_n(ValType::I32, n), [ValType::I32]);
    assert!(
        linker
            .func_new_overload(wasi::MODULE, "sock_accept", ty(5), |_, _, _| Ok(()))
            .is_ok()
    );
    assert!(
        linker
            .func_new_overload(wasi::MODULE, "sock_accept", ty(2), |_, _, _| Ok(()))
            .is_err()
    );
    // An import whose type matches no shape fails to link with a type error.
    let bad = r#"(module (import "wasi_snapshot_preview1" "sock_recv_from"
        (func (param i32) (result i32))))"#;
    let module = Module::new(&engine, bad).unwrap();
    let mut store = Store::new(&engine, WasiCtx::default());
    assert!(linker.instantiate(&mut store, &module).is_err());
    assert!(wasi::socket_function_names().any(|n| n == "epoll_oneoff"));
    assert_eq!(
        wasi::socket_function_names()
            .filter(|n| *n == "sock_recv_from")
            .count(),
        1
    );
}

#[test]
fn af_unix_with_permission_through_the_v2_names() {
    let dir = std::env::temp_dir().join(format!("wasi-net-unix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let mut tagged = [0u8; 128];
    tagged[0] = 3;
    let p = path.as_os_str().as_encoded_bytes();
    tagged[2..2 + p.len()].copy_from_slice(p);

    let mut g = Guest::new(NetPolicy {
        ip: IpAccess::None,
        allow_unix: true,
    });
    let l = g.open(3, 2);
    g.address(100, &tagged);
    assert_eq!(
        g.call("bind", &[l, 100, 0]),
        INVAL,
        "plain sock_bind is V1: no 128 form"
    );
    assert_eq!(g.call("bind2", &[l, 100, 0]), SUCCESS);
    assert_eq!(g.call("listen", &[l, 4]), SUCCESS);
    let c = g.open(3, 2);
    assert_eq!(g.call("connect2", &[c, 100, 0]), SUCCESS);
    assert_eq!(g.call("accept1", &[l, 300]), SUCCESS);
    // V2 getlocaladdr reports family 3 and the path.
    g.address(400, &[0; 128]);
    assert_eq!(g.call("local2", &[l, 400, 600]), SUCCESS);
    assert_eq!(g.get(408, 2), [3, 0]);
    assert_eq!(g.get(410, p.len()), p);
    // IP stays denied.
    assert_eq!(g.call("open", &[1, 2, 0]), ACCES);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn descriptor_calls_work_on_sockets() {
    const AGAIN: u16 = 6;
    let mut g = Guest::new(NetPolicy::default());
    let l = g.open(1, 2);
    g.address(100, &[127, 0, 0, 1]);
    assert_eq!(g.call("bind", &[l, 100, 0]), SUCCESS);
    assert_eq!(g.call("listen", &[l, 4]), SUCCESS);
    g.address(200, &[0; 16]);
    assert_eq!(g.call("local1", &[l, 200, 300, 304]), SUCCESS);
    let port = g.get_u32(304);
    // Non-blocking listener (fd_fdstat_set_flags, as the crate does): accept says EAGAIN.
    assert_eq!(g.call("setflags", &[l, 4]), SUCCESS);
    assert_eq!(g.call("fdstat", &[l, 400]), SUCCESS);
    assert_eq!(g.get(400, 1), [6], "SOCKET_STREAM");
    assert_eq!(g.get(402, 2), [4, 0], "NONBLOCK reported");
    assert_eq!(g.call("accept2", &[l, 0, 500]), AGAIN);
    let c = g.open(1, 2);
    assert_eq!(g.call("connect", &[c, 100, port]), SUCCESS);
    // Wait for the connection with epoll_oneoff, then accept it non-blocking.
    let mut sub = [0u8; 48];
    sub[8] = 1;
    sub[16..20].copy_from_slice(&l.to_le_bytes());
    g.put(1024, &sub);
    assert_eq!(g.call("epoll", &[1024, 2048, 1, 3000]), SUCCESS);
    assert_eq!(g.call("accept2", &[l, 4, 500]), SUCCESS);
    let a = g.get_u32(500);
    assert_eq!(g.call("fdstat", &[a, 400]), SUCCESS);
    assert_eq!(g.get(402, 2), [4, 0], "accepted socket is non-blocking");
    // Nothing to read yet on the non-blocking socket.
    g.put_u32(600, 700);
    g.put_u32(604, 64);
    assert_eq!(g.call("fd_read", &[a, 600, 1, 608]), AGAIN);
    // fd_write on the client, fd_read on the accepted socket.
    g.put(800, b"over fd_write");
    g.put_u32(820, 800);
    g.put_u32(824, 13);
    assert_eq!(g.call("fd_write", &[c, 820, 1, 828]), SUCCESS);
    assert_eq!(g.get_u32(828), 13);
    g.put(1024 + 16, &a.to_le_bytes());
    assert_eq!(g.call("epoll", &[1024, 2048, 1, 3000]), SUCCESS);
    let mut got = Vec::new();
    while got.len() < 13 {
        match g.call("fd_read", &[a, 600, 1, 608]) {
            SUCCESS => {
                let n = g.get_u32(608) as usize;
                got.extend(g.get(700, n));
            }
            AGAIN => std::thread::sleep(std::time::Duration::from_millis(5)),
            e => panic!("fd_read: errno {e}"),
        }
    }
    assert_eq!(got, b"over fd_write");
    // fd_close releases the descriptor.
    assert_eq!(g.call("close", &[c]), SUCCESS);
    assert_eq!(g.call("listen", &[c, 1]), BADF);
    assert_eq!(g.call("close", &[c]), BADF);
}
