//! An HTTP/1.1 client on `wasmedge_wasi_socket`: connects to `HOST:PORT` the crate's way (an IP
//! literal directly, a name such as `localhost` through `nslookup`, i.e. `sock_getaddrinfo`),
//! sends one request with `Connection: close` and prints the whole response to stdout.
//!
//! Usage: `http_client HOST:PORT PATH [BODY]` (a BODY makes it a POST). On failure it prints
//! `<step> failed: errno N` and exits with status 3.

use std::io::{Read, Write};
use wasmedge_wasi_socket::{Shutdown, TcpStream};

fn fail(step: &str, e: std::io::Error) -> ! {
    println!(
        "{step} failed: errno {} ({e})",
        e.raw_os_error().unwrap_or(-1)
    );
    std::process::exit(3);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (target, path) = (&args[1], &args[2]);
    let body = args.get(3);
    let mut stream = match TcpStream::connect(target.as_str()) {
        Ok(s) => s,
        Err(e) => fail("connect", e),
    };
    let request = match body {
        Some(b) => format!(
            "POST {path} HTTP/1.1\r\nHost: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
            b.len()
        ),
        None => format!("GET {path} HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n"),
    };
    if let Err(e) = stream.write_all(request.as_bytes()) {
        fail("send", e);
    }
    let mut response = Vec::new();
    if let Err(e) = stream.read_to_end(&mut response) {
        fail("receive", e);
    }
    let _ = stream.shutdown(Shutdown::Both);
    std::io::stdout().write_all(&response).unwrap();
}
