//! An HTTP/1.1 echo server on `wasmedge_wasi_socket`, the way WasmEdge users write an event
//! loop: a non-blocking listener and connections, `poll::poll` over all of them (`poll_oneoff`,
//! or `epoll_oneoff` with the `epoll` feature), keep-alive, `Content-Length` bodies.
//!
//! Usage: `http_server ADDR:PORT` (port 0 picks a free one). Prints `listening on PORT` once
//! ready. Every response body is `METHOD PATH\n` followed by the request body. `GET /shutdown`
//! answers, then the server exits with status 0.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use wasmedge_wasi_socket::poll::{self, EventType, Subscription};
use wasmedge_wasi_socket::{TcpListener, TcpStream};

const LISTENER: u64 = 0;

struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    output: Vec<u8>,
    close_after_write: bool,
}

/// A complete request at the start of `buf`: (method, path, body, keep-alive, bytes used).
fn parse(buf: &[u8]) -> Result<Option<(String, String, Vec<u8>, bool, usize)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > 64 * 1024 {
            return Err("header too large".into());
        }
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| "header is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, path, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(p), Some(v)) => (m, p, v),
        _ => return Err(format!("bad request line {request_line:?}")),
    };
    let mut length = 0usize;
    let mut keep_alive = version == "HTTP/1.1";
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("bad header {line:?}"));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().map_err(|_| "bad content-length")?;
        } else if name.eq_ignore_ascii_case("connection") {
            keep_alive = !value.eq_ignore_ascii_case("close");
        }
    }
    let total = end + 4 + length;
    if buf.len() < total {
        return Ok(None);
    }
    let body = buf[end + 4..total].to_vec();
    Ok(Some((
        method.to_string(),
        path.to_string(),
        body,
        keep_alive,
        total,
    )))
}

fn respond(conn: &mut Conn, status: &str, body: &[u8], keep_alive: bool) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    conn.output.extend_from_slice(head.as_bytes());
    conn.output.extend_from_slice(body);
    if !keep_alive {
        conn.close_after_write = true;
    }
}

/// Reads what is available and answers every complete request; false when the connection
/// is finished. Sets `shutdown` on `GET /shutdown`.
fn on_readable(conn: &mut Conn, shutdown: &mut bool) -> bool {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match conn.stream.read(&mut buf) {
            Ok(0) => return !conn.output.is_empty() && flush(conn),
            Ok(n) => conn.input.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    loop {
        match parse(&conn.input) {
            Ok(Some((method, path, body, keep_alive, used))) => {
                conn.input.drain(..used);
                let mut out = format!("{method} {path}\n").into_bytes();
                out.extend_from_slice(&body);
                if method == "GET" && path == "/shutdown" {
                    *shutdown = true;
                    respond(conn, "200 OK", &out, false);
                } else {
                    respond(conn, "200 OK", &out, keep_alive);
                }
                if conn.close_after_write {
                    break;
                }
            }
            Ok(None) => break,
            Err(why) => {
                respond(conn, "400 Bad Request", why.as_bytes(), false);
                break;
            }
        }
    }
    flush(conn)
}

/// Writes pending output; false when the connection is finished.
fn flush(conn: &mut Conn) -> bool {
    while !conn.output.is_empty() {
        match conn.stream.write(&conn.output) {
            Ok(0) => return false,
            Ok(n) => {
                conn.output.drain(..n);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    !conn.close_after_write
}

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = match TcpListener::bind(addr.as_str(), true) {
        Ok(l) => l,
        Err(e) => {
            println!(
                "bind failed: {e} (errno {})",
                e.raw_os_error().unwrap_or(-1)
            );
            std::process::exit(3);
        }
    };
    let port = listener.local_addr().expect("local address").port();
    println!("listening on {port}");
    std::io::stdout().flush().unwrap();

    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut next_token = 1u64;
    let mut shutdown = false;
    let mut served = 0u64;
    while !(shutdown && conns.is_empty()) {
        let mut subs = Vec::with_capacity(conns.len() + 1);
        if !shutdown {
            subs.push(Subscription::io(LISTENER, &listener, true, false, None));
        }
        for (token, c) in &conns {
            subs.push(Subscription::io(
                *token,
                &c.stream,
                true,
                !c.output.is_empty(),
                None,
            ));
        }
        let events = poll::poll(&subs).expect("poll");
        for ev in events {
            if ev.userdata == LISTENER {
                loop {
                    match listener.accept(true) {
                        Ok((stream, _peer)) => {
                            conns.insert(
                                next_token,
                                Conn {
                                    stream,
                                    input: Vec::new(),
                                    output: Vec::new(),
                                    close_after_write: false,
                                },
                            );
                            next_token += 1;
                            served += 1;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => {
                            eprintln!("accept failed: {e}");
                            break;
                        }
                    }
                }
                continue;
            }
            let Some(conn) = conns.get_mut(&ev.userdata) else {
                continue;
            };
            let alive = match ev.event_type {
                EventType::Read => on_readable(conn, &mut shutdown),
                EventType::Write => flush(conn),
                EventType::Error(_) => false,
                EventType::Timeout => true,
            };
            if !alive {
                conns.remove(&ev.userdata);
            }
        }
    }
    println!("served {served} connections");
}
