//! A UDP echo server on `wasmedge_wasi_socket`: every datagram goes back to its sender (the
//! address `recv_from` reported). A datagram `quit` ends it with status 0.
//!
//! Usage: `udp_echo ADDR:PORT` (port 0 picks a free one). Prints `listening on PORT` once
//! ready, and `echoed N datagrams` at the end.

use std::io::Write;
use wasmedge_wasi_socket::UdpSocket;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let socket = match UdpSocket::bind(addr.as_str()) {
        Ok(s) => s,
        Err(e) => {
            println!(
                "bind failed: errno {} ({e})",
                e.raw_os_error().unwrap_or(-1)
            );
            std::process::exit(3);
        }
    };
    let port = socket.as_ref().get_local().expect("local address").port();
    println!("listening on {port}");
    std::io::stdout().flush().unwrap();
    let mut buf = [0u8; 65536];
    let mut echoed = 0u64;
    loop {
        let (n, from) = socket.recv_from(&mut buf).expect("recv_from");
        if &buf[..n] == b"quit" {
            break;
        }
        socket.send_to(&buf[..n], from).expect("send_to");
        echoed += 1;
    }
    println!("echoed {echoed} datagrams");
}
