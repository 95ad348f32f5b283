//! End-to-end HTTP over WasmEdge's socket extension: the wasm HTTP/1.1 echo server of
//! `tests/guests-sockets` (written against the public `wasmedge_wasi_socket` crate) runs under
//! `wasmedge` on a free loopback port and answers native `std::net` clients — 1,000 sequential
//! requests (half on fresh connections, half on one keep-alive connection) and 1,000 more from
//! 50 concurrent keep-alive clients, every response checked; over IPv6 loopback; and with the
//! crate's `epoll` feature (`epoll_oneoff`). The wasm HTTP client fetches from a native
//! loopback server, by IP literal and by `localhost` (`sock_getaddrinfo`).

mod cli_support;
mod sockets_support;
mod wasi_support;

use sockets_support::{Flavour, Server, guest};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A native keep-alive HTTP/1.1 client connection.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        Client {
            reader: BufReader::new(s),
        }
    }

    /// Sends one request and reads its response: (status line, headers, body).
    fn request(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        close: bool,
    ) -> (String, Vec<String>, Vec<u8>) {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n",
            body.len()
        )
        .into_bytes();
        if close {
            req.extend_from_slice(b"Connection: close\r\n");
        }
        req.extend_from_slice(b"\r\n");
        req.extend_from_slice(body);
        self.reader
            .get_mut()
            .write_all(&req)
            .expect("sending a request");
        let mut status = String::new();
        self.reader
            .read_line(&mut status)
            .expect("reading the status line");
        let mut headers = Vec::new();
        let mut length = None;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("reading a header");
            let line = line.trim_end().to_string();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = Some(v.parse::<usize>().expect("numeric Content-Length"));
            }
            headers.push(line);
        }
        let mut body =
            vec![0u8; length.unwrap_or_else(|| panic!("no Content-Length in {headers:?}"))];
        self.reader.read_exact(&mut body).expect("reading the body");
        (status.trim_end().to_string(), headers, body)
    }
}

/// Sends a request and checks the echo server's answer.
#[track_caller]
fn check(client: &mut Client, method: &str, path: &str, body: &[u8], close: bool) {
    let (status, headers, got) = client.request(method, path, body, close);
    assert_eq!(status, "HTTP/1.1 200 OK", "headers {headers:?}");
    let mut want = format!("{method} {path}\n").into_bytes();
    want.extend_from_slice(body);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want),
        "wrong echo for {method} {path}"
    );
    let connection = if close {
        "Connection: close"
    } else {
        "Connection: keep-alive"
    };
    assert!(headers.iter().any(|h| h == connection), "{headers:?}");
}

fn shutdown(server: Server, addr: SocketAddr) -> String {
    let mut c = Client::connect(addr);
    check(&mut c, "GET", "/shutdown", b"", true);
    let (status, rest) = server.wait(Duration::from_secs(60));
    assert!(
        status.success(),
        "server exit status {status:?}, output {rest:?}"
    );
    rest
}

#[test]
fn wasm_http_server_answers_2000_native_requests() {
    let server = Server::start(&[], &guest(Flavour::Poll, "http_server"), &["127.0.0.1:0"]);
    let addr: SocketAddr = ([127, 0, 0, 1], server.port).into();

    // 1,000 sequential requests: even ones on a fresh connection each, odd ones on one
    // keep-alive connection; bodies of varying size (up to 64 KiB) and content.
    let started = std::time::Instant::now();
    let mut keep = Client::connect(addr);
    let mut fresh_connections = 0;
    for i in 0..1000usize {
        let body: Vec<u8> = (0..(i * 67) % 65_536).map(|j| (i + j) as u8).collect();
        let path = format!("/seq/{i}?q={}", i * 7);
        if i % 2 == 0 {
            let mut c = Client::connect(addr);
            check(&mut c, "POST", &path, &body, true);
            fresh_connections += 1;
        } else {
            check(
                &mut keep,
                if i % 3 == 0 { "GET" } else { "PUT" },
                &path,
                &body,
                false,
            );
        }
    }
    drop(keep);
    let sequential = started.elapsed();
    let started = std::time::Instant::now();

    // 1,000 more from 50 concurrent clients, 20 keep-alive requests each.
    let threads: Vec<_> = (0..50)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                for k in 0..20 {
                    let body = format!("client {t} request {k} ").repeat(1 + (t * k) % 50);
                    check(
                        &mut c,
                        "POST",
                        &format!("/c/{t}/{k}"),
                        body.as_bytes(),
                        false,
                    );
                }
                20
            })
        })
        .collect();
    let answered: usize = threads
        .into_iter()
        .map(|t| t.join().expect("client thread"))
        .sum();
    assert_eq!(answered, 1000);
    println!(
        "1000 sequential requests in {sequential:?}, 1000 requests from 50 concurrent clients in {:?}",
        started.elapsed()
    );

    let rest = shutdown(server, addr);
    // fresh + the keep-alive one + 50 concurrent + the shutdown request.
    let connections = fresh_connections + 1 + 50 + 1;
    assert_eq!(rest, format!("served {connections} connections\n"));
}

#[test]
fn wasm_http_server_over_ipv6_loopback() {
    if TcpListener::bind("[::1]:0").is_err() {
        println!("SKIPPED wasm_http_server_over_ipv6_loopback: this host has no IPv6 loopback");
        return;
    }
    let server = Server::start(&[], &guest(Flavour::Poll, "http_server"), &["[::1]:0"]);
    let addr: SocketAddr = "[::1]:0"
        .parse::<SocketAddr>()
        .map(|mut a| {
            a.set_port(server.port);
            a
        })
        .unwrap();
    let mut c = Client::connect(addr);
    for i in 0..100 {
        check(
            &mut c,
            "POST",
            &format!("/v6/{i}"),
            format!("body {i}").as_bytes(),
            false,
        );
    }
    drop(c);
    assert_eq!(shutdown(server, addr), "served 2 connections\n");
}

#[test]
fn wasm_http_server_with_epoll_oneoff() {
    let server = Server::start(&[], &guest(Flavour::Epoll, "http_server"), &["127.0.0.1:0"]);
    let addr: SocketAddr = ([127, 0, 0, 1], server.port).into();
    let threads: Vec<_> = (0..20)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                for k in 0..10 {
                    check(
                        &mut c,
                        "POST",
                        &format!("/e/{t}/{k}"),
                        format!("{t}:{k}").as_bytes(),
                        false,
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    assert_eq!(shutdown(server, addr), "served 21 connections\n");
}

/// A native one-shot HTTP server on loopback: returns its address and a handle yielding the
/// raw request it received.
fn native_server(reply_body: &'static str) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, peer) = listener.accept().expect("accepting the wasm client");
        assert!(peer.ip().is_loopback());
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        // Headers, then the Content-Length body if any.
        loop {
            let n = s.read(&mut buf).expect("reading the request");
            assert!(
                n > 0,
                "client closed early: {:?}",
                String::from_utf8_lossy(&req)
            );
            req.extend_from_slice(&buf[..n]);
            if let Some(end) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&req[..end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map_or(0, |v| v.parse::<usize>().unwrap());
                if req.len() >= end + 4 + len {
                    break;
                }
            }
        }
        let resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply_body}",
            reply_body.len()
        );
        s.write_all(resp.as_bytes()).unwrap();
        req
    });
    (port, handle)
}

#[test]
fn wasm_http_client_fetches_from_a_native_server() {
    for (host, body) in [
        ("127.0.0.1", None),
        ("localhost", Some("payload from wasm")),
    ] {
        let (port, server) = native_server("hello from the native server\n");
        let client = guest(Flavour::Poll, "http_client");
        let target = format!("{host}:{port}");
        let mut args = vec![
            client.into_os_string(),
            target.clone().into(),
            "/fetch/me".into(),
        ];
        if let Some(b) = body {
            args.push(b.into());
        }
        let r = wasi_support::run_wasmedge(&args, None, Duration::from_secs(120));
        assert_eq!(r.code, Some(0), "{}", r.describe());
        let request = String::from_utf8(server.join().expect("native server")).unwrap();
        let stdout = String::from_utf8_lossy(&r.stdout);
        assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
        assert!(
            stdout.ends_with("\r\n\r\nhello from the native server\n"),
            "{stdout}"
        );
        match body {
            None => assert_eq!(
                request,
                format!("GET /fetch/me HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n")
            ),
            Some(b) => assert_eq!(
                request,
                format!(
                    "POST /fetch/me HTTP/1.1\r\nHost: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                    b.len()
                )
            ),
        }
    }
}
