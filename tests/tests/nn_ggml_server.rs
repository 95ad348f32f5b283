//! The OpenAI-compatible server guest (`tests/guests-ggml/src/bin/ggml-server.rs`, on
//! `wasmedge_wasi_socket` and `wasmedge-wasi-nn`) under `wasmedge --plugin-dir`: 20 chat
//! requests from 4 concurrent loopback clients, half plain and half `stream: true` (server-sent
//! events), each answered with exactly llama.cpp's greedy tokens for its prompt (the native
//! references), then `GET /shutdown`.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod ggml_support;
mod nn_support;
mod plugin_support;

use ggml_support::{guests, plugin_dir, reference};
use nn_support::setup;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

/// One HTTP/1.1 request on a fresh connection; the response head and body (read to EOF or
/// Content-Length).
fn request(port: u16, method: &str, path: &str, body: &str) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let mut head = String::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("response head");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        head.push_str(&line);
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body).expect("response body");
        }
        None => {
            r.read_to_end(&mut body).expect("response body");
        }
    }
    (head, String::from_utf8(body).expect("UTF-8 body"))
}

/// Kills the server if the test fails before it shuts down.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .arg("-9")
                .arg(self.0.to_string())
                .status();
        }
    }
}

#[test]
fn twenty_chat_requests_four_at_a_time_get_llama_cpp_tokens() {
    let Some(setup) = setup() else { return };
    let r = reference(setup);
    // (user message, expected content, completion tokens): the reference's chat prompts.
    let expect: Vec<(String, String, u64)> = ["chat", "chat_cat"]
        .iter()
        .map(|name| {
            let c = r.case(name);
            assert!(c.eos, "{name} ends with end of sequence");
            let user = c
                .prompt
                .strip_prefix("<s>[INST] ")
                .and_then(|p| p.strip_suffix(" [/INST]"))
                .expect("a llama-2-chat prompt")
                .to_string();
            let text: Vec<u8> = c.pieces[..c.pieces.len() - 1]
                .iter()
                .flat_map(|p| unhex(p))
                .collect();
            (
                user,
                String::from_utf8(text).expect("UTF-8 reply"),
                c.tokens.len() as u64,
            )
        })
        .collect();
    let mut child = Command::new(cli_support::wasmedge())
        .arg("--plugin-dir")
        .arg(plugin_dir(setup))
        .args(["--nn-preload", "default:GGML:AUTO:ggml-tiny.gguf", "run"])
        .arg(guests().join("ggml-server.wasm"))
        .args([
            "--preload",
            "default",
            "--config",
            r#"{"temp": 0.0, "ctx-size": 256}"#,
            "127.0.0.1:0",
        ])
        .current_dir(&setup.models)
        .envs(setup.vars.iter().cloned())
        .env_remove("WASMEDGE_PLUGIN_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the server guest");
    let _guard = KillOnDrop(child.id());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the server printed {line:?}")
        });
    let expect = std::sync::Arc::new(expect);
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let expect = expect.clone();
            std::thread::spawn(move || {
                let mut answered = 0;
                for k in 0..5 {
                    let (user, want, tokens) = &expect[(client + k) % 2];
                    let stream = (client * 5 + k) % 2 == 1;
                    let body = json!({"model": "default", "messages": [{"role": "user", "content": user}], "stream": stream}).to_string();
                    let (head, body) = request(port, "POST", "/v1/chat/completions", &body);
                    assert!(head.starts_with("HTTP/1.1 200"), "{head}{body}");
                    if stream {
                        assert!(head.contains("text/event-stream"), "{head}");
                        let events: Vec<&str> = body.split("\n\n").filter(|e| !e.is_empty()).collect();
                        assert_eq!(events.last(), Some(&"data: [DONE]"), "{body}");
                        let mut content = String::new();
                        let mut finish = Value::Null;
                        for e in &events[..events.len() - 1] {
                            let v: Value = serde_json::from_str(e.strip_prefix("data: ").expect("an SSE data line")).unwrap();
                            assert_eq!(v["object"], "chat.completion.chunk");
                            content.push_str(v["choices"][0]["delta"]["content"].as_str().unwrap_or(""));
                            finish = v["choices"][0]["finish_reason"].clone();
                            if !finish.is_null() {
                                assert_eq!(v["usage"]["completion_tokens"].as_u64(), Some(*tokens));
                            }
                        }
                        assert_eq!(&content, want, "client {client} request {k} (stream)");
                        assert_eq!(finish, "stop");
                    } else {
                        let v: Value = serde_json::from_str(&body).unwrap();
                        assert_eq!(v["object"], "chat.completion");
                        assert_eq!(v["choices"][0]["message"]["content"].as_str(), Some(want.as_str()), "client {client} request {k}");
                        assert_eq!(v["choices"][0]["finish_reason"], "stop");
                        assert_eq!(v["usage"]["completion_tokens"].as_u64(), Some(*tokens));
                    }
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    let answered: usize = clients
        .into_iter()
        .map(|c| c.join().expect("a client thread"))
        .sum();
    let (head, _) = request(port, "GET", "/shutdown", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let status = child.wait().expect("waiting for the server");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status}: {err}");
    assert_eq!(answered, 20);
}
