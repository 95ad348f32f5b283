//! End-to-end UDP over WasmEdge's socket extension: the wasm UDP echo server of
//! `tests/guests-sockets` (public `wasmedge_wasi_socket` crate) runs under `wasmedge` on a free
//! loopback port; a native `std::net::UdpSocket` sends datagrams of many sizes and checks that
//! each comes back, from the server's port, to the sender's port (which exercises
//! `sock_recv_from` V2's address and port output and `sock_send_to`).

mod cli_support;
mod sockets_support;

use sockets_support::{Flavour, Server, guest};
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

fn echo_round_trips(bind: &str, local: &str) {
    let server = Server::start(&[], &guest(Flavour::Poll, "udp_echo"), &[bind]);
    let mut addr: SocketAddr = bind.parse().unwrap();
    addr.set_port(server.port);
    let sock = UdpSocket::bind(local).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = vec![0u8; 65536];
    let sizes = [
        0usize, 1, 2, 15, 16, 100, 512, 1400, 1500, 9000, 30_000, 65_000,
    ];
    let mut sent = 0;
    for round in 0..10 {
        for &n in &sizes {
            let msg: Vec<u8> = (0..n).map(|i| (i * 31 + round * 7 + n) as u8).collect();
            sock.send_to(&msg, addr).unwrap();
            let (got, from) = sock.recv_from(&mut buf).expect("echo (timed out?)");
            assert_eq!(from, addr, "the echo must come from the server's address");
            assert_eq!(
                &buf[..got],
                &msg[..],
                "datagram of {n} bytes, round {round}"
            );
            sent += 1;
        }
    }
    sock.send_to(b"quit", addr).unwrap();
    let (status, rest) = server.wait(Duration::from_secs(60));
    assert!(status.success(), "{status:?} {rest:?}");
    assert_eq!(rest, format!("echoed {sent} datagrams\n"));
}

#[test]
fn wasm_udp_echo_over_ipv4_loopback() {
    echo_round_trips("127.0.0.1:0", "127.0.0.1:0");
}

#[test]
fn wasm_udp_echo_over_ipv6_loopback() {
    if UdpSocket::bind("[::1]:0").is_err() {
        println!("SKIPPED wasm_udp_echo_over_ipv6_loopback: this host has no IPv6 loopback");
        return;
    }
    echo_round_trips("[::1]:0", "[::1]:0");
}
