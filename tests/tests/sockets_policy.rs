//! End-to-end network permissions: guests under `--net-deny-all` or `--net-allow` that try to
//! connect or listen elsewhere get `EACCES` (WASI errno 2, reported by the guest itself) and a
//! native loopback listener sees no connection; an allowed address works; bad rules are
//! refused by the command line. Guests from `tests/guests-sockets` (public
//! `wasmedge_wasi_socket` crate).

mod cli_support;
mod sockets_support;
mod wasi_support;

use sockets_support::{Flavour, Server, guest};
use std::ffi::OsString;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::time::Duration;
use wasi_support::{RunResult, run_wasmedge};

fn client(options: &[&str], target: &str) -> RunResult {
    let mut args: Vec<OsString> = options.iter().map(OsString::from).collect();
    args.push(guest(Flavour::Poll, "http_client").into_os_string());
    args.push(target.into());
    args.push("/".into());
    run_wasmedge(&args, None, Duration::from_secs(120))
}

/// Asserts that nothing ever connected to `listener`.
#[track_caller]
fn assert_no_connection(listener: &TcpListener) {
    listener.set_nonblocking(true).unwrap();
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("a denied guest reached the listener from {peer}"),
        Err(e) => panic!("accept failed: {e}"),
    }
}

#[test]
fn denied_guest_gets_eacces_and_never_connects() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let other = if port == 65535 { 1 } else { port + 1 };
    let cases: Vec<Vec<String>> = vec![
        vec!["--net-deny-all".into()],
        vec!["--net-allow".into(), format!("127.0.0.1:{other}")],
        vec!["--net-allow".into(), "10.0.0.0/8".into()],
        vec!["--net-allow".into(), "::1".into()],
    ];
    for opts in &cases {
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        for target in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
            let r = client(&opts, &target);
            let stdout = String::from_utf8_lossy(&r.stdout);
            assert_eq!(r.code, Some(3), "{opts:?} {target}: {}", r.describe());
            assert!(
                stdout.starts_with("connect failed: errno 2 "),
                "{opts:?} {target}: the guest must report EACCES; {}",
                r.describe()
            );
            assert_no_connection(&listener);
        }
    }
}

#[test]
fn allowed_address_connects() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 1024];
        let mut req = Vec::new();
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0);
            req.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            .unwrap();
    });
    let r = client(
        &["--net-allow", &format!("127.0.0.0/8:{port}")],
        &format!("127.0.0.1:{port}"),
    );
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(String::from_utf8_lossy(&r.stdout).starts_with("HTTP/1.1 204 No Content"));
    server.join().unwrap();
}

#[test]
fn denied_server_cannot_listen() {
    let http = guest(Flavour::Poll, "http_server");
    for opts in [
        vec!["--net-deny-all"],
        // Port 0 (any free port) is only covered by a rule without a port.
        vec!["--net-allow", "127.0.0.1:8080"],
        vec!["--net-allow", "127.0.0.2"],
    ] {
        let mut args: Vec<OsString> = opts.iter().map(OsString::from).collect();
        args.push(http.clone().into_os_string());
        args.push("127.0.0.1:0".into());
        let r = run_wasmedge(&args, None, Duration::from_secs(120));
        assert_eq!(r.code, Some(3), "{opts:?}: {}", r.describe());
        assert!(
            String::from_utf8_lossy(&r.stdout).contains("(errno 2)"),
            "{opts:?}: {}",
            r.describe()
        );
    }
    // A rule covering the bind address lets the server run.
    let server = Server::start(&["--net-allow", "127.0.0.1"], &http, &["127.0.0.1:0"]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(b"GET /shutdown HTTP/1.1\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.ends_with("GET /shutdown\n"), "{resp}");
    let (status, _) = server.wait(Duration::from_secs(60));
    assert!(status.success());
}

#[test]
fn bad_rules_are_refused_by_the_command_line() {
    let http = guest(Flavour::Poll, "http_server");
    for opts in [
        vec!["--net-allow", "localhost"],
        vec!["--net-allow", "10.0.0.0/33"],
        vec!["--net-allow", "1.2.3.4:70000"],
        vec!["--net-allow", "::1", "--net-deny-all"],
    ] {
        let mut args: Vec<OsString> = opts.iter().map(OsString::from).collect();
        args.push(http.clone().into_os_string());
        let r = run_wasmedge(&args, None, Duration::from_secs(60));
        assert_ne!(r.code, Some(0), "{opts:?} was accepted");
        assert!(r.stdout.is_empty(), "{opts:?}: the guest must not run");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(stderr.contains("--net-allow"), "{opts:?}: {stderr}");
    }
}
