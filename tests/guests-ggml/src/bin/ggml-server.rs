//! An OpenAI-compatible chat server, the part of LlamaEdge's `llama-api-server` that talks to
//! WASI-NN: `POST /v1/chat/completions` with `{"messages": [...], "stream": bool,
//! "max_tokens": N}` builds the Llama-2 chat prompt, then answers with one
//! `chat.completion` object (`compute`) or, with `"stream": true`, server-sent events of
//! `chat.completion.chunk` objects, one per token (`compute_single`), then `data: [DONE]`.
//! One graph and one execution context serve every request, one request at a time (LlamaEdge
//! also serialises requests on its graph); waiting connections queue in the listen backlog.
//! `GET /shutdown` answers and exits.
//!
//! Usage: `ggml-server GRAPH-OPTIONS ADDR:PORT` (port 0 picks one). Prints `listening on PORT`.

use ggml_guest::{Message, Options, errno_name, fail, llama2_chat_prompt, output, output_single};
use serde_json::{Value, json};
use std::io::{Read, Write};
use wasmedge_wasi_nn::{BackendError, Error, GraphExecutionContext, TensorType};
use wasmedge_wasi_socket::{TcpListener, TcpStream};

/// One request: (method, path, body), or None at end of stream.
fn read_request(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(String, String, Vec<u8>)> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap_or_default().split(' ');
            let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
            let length = lines
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let mut chunk = [0u8; 8192];
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buf[end + 4..end + 4 + length].to_vec();
            buf.drain(..end + 4 + length);
            return Some((method, path, body));
        }
        let mut chunk = [0u8; 8192];
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn respond(s: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())
}

/// The longest valid UTF-8 prefix of `pending`, removed from it (a token can end inside a
/// character; the rest waits for the next token).
fn take_utf8(pending: &mut Vec<u8>) -> String {
    let valid = match std::str::from_utf8(pending) {
        Ok(_) => pending.len(),
        Err(e) => e.valid_up_to(),
    };
    let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
    pending.drain(..valid);
    text
}

fn chat(
    ctx: &mut GraphExecutionContext,
    s: &mut TcpStream,
    req: &Value,
    id: u64,
) -> std::io::Result<()> {
    let messages: Vec<Message> = req["messages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| Message {
                    role: m["role"].as_str().unwrap_or("user").to_string(),
                    content: m["content"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if messages.is_empty() {
        return respond(s, "400 Bad Request", r#"{"error":"messages is empty"}"#);
    }
    let max_tokens = req["max_tokens"].as_i64().unwrap_or(-1);
    let prompt = llama2_chat_prompt(&messages);
    let meta = json!({"n-predict": max_tokens}).to_string();
    let set = ctx
        .set_input(1, TensorType::U8, &[1], meta.as_bytes())
        .and_then(|_| ctx.set_input(0, TensorType::U8, &[1], prompt.as_bytes()));
    if let Err(e) = set {
        return respond(
            s,
            "500 Internal Server Error",
            &json!({"error": errno_name(&e)}).to_string(),
        );
    }
    let usage = |ctx: &GraphExecutionContext| -> Value {
        let m: Value = output(ctx, 1)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let (p, c) = (
            m["input_tokens"].as_u64().unwrap_or(0),
            m["output_tokens"].as_u64().unwrap_or(0),
        );
        json!({"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c})
    };
    if req["stream"].as_bool() != Some(true) {
        let r = ctx.compute();
        let finish = match &r {
            Ok(()) => "stop",
            Err(Error::BackendError(BackendError::ContextFull)) => "length",
            Err(e) => {
                return respond(
                    s,
                    "500 Internal Server Error",
                    &json!({"error": errno_name(e)}).to_string(),
                );
            }
        };
        let text = output(ctx, 0).unwrap_or_default();
        let mut content = String::from_utf8_lossy(&text).into_owned();
        // LlamaEdge's post-processing for llama-2-chat drops the end-of-sequence marker.
        if let Some(c) = content.strip_suffix("</s>") {
            content = c.to_string();
        }
        let finish = if finish == "stop"
            && max_tokens >= 0
            && usage(ctx)["completion_tokens"].as_i64() == Some(max_tokens)
        {
            "length"
        } else {
            finish
        };
        let body = json!({
            "id": format!("chatcmpl-{id}"), "object": "chat.completion", "created": 0, "model": "default",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": usage(ctx),
        });
        return respond(s, "200 OK", &body.to_string());
    }
    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")?;
    let chunk = |delta: Value, finish: Value| {
        json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion.chunk", "created": 0, "model": "default",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    s.write_all(
        format!(
            "data: {}\n\n",
            chunk(json!({"role": "assistant", "content": ""}), Value::Null)
        )
        .as_bytes(),
    )?;
    let mut pending = Vec::new();
    let mut n = 0i64;
    let finish = loop {
        if max_tokens >= 0 && n == max_tokens {
            break "length";
        }
        match ctx.compute_single() {
            Ok(()) => {
                n += 1;
                pending.extend(output_single(ctx).unwrap_or_default());
                let text = take_utf8(&mut pending);
                if !text.is_empty() {
                    s.write_all(
                        format!("data: {}\n\n", chunk(json!({"content": text}), Value::Null))
                            .as_bytes(),
                    )?;
                }
            }
            Err(Error::BackendError(BackendError::EndOfSequence)) => break "stop",
            Err(Error::BackendError(BackendError::ContextFull)) => break "length",
            Err(e) => fail(&format!("compute_single: {}", errno_name(&e))),
        }
    };
    let last = chunk(json!({}), json!(finish));
    let mut last = last;
    last["usage"] = usage(ctx);
    s.write_all(format!("data: {last}\n\ndata: [DONE]\n\n").as_bytes())?;
    let _ = ctx.fini_single();
    Ok(())
}

fn main() {
    let o = Options::from_args();
    let [addr] = o.rest.as_slice() else {
        fail("usage: ggml-server GRAPH-OPTIONS ADDR:PORT")
    };
    let graph = o
        .graph()
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init_execution_context: {}", errno_name(&e))));
    let listener = TcpListener::bind(addr.as_str(), false)
        .unwrap_or_else(|e| fail(&format!("bind {addr}: {e}")));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    println!("listening on {port}");
    let _ = std::io::stdout().flush();
    let mut id = 0u64;
    loop {
        let Ok((mut s, _)) = listener.accept(false) else {
            continue;
        };
        let mut buf = Vec::new();
        // Keep-alive: requests on one connection until it closes (a stream closes it).
        while let Some((method, path, body)) = read_request(&mut s, &mut buf) {
            id += 1;
            let r = match (method.as_str(), path.as_str()) {
                ("POST", "/v1/chat/completions") => match serde_json::from_slice::<Value>(&body) {
                    Ok(req) => {
                        let streamed = req["stream"].as_bool() == Some(true);
                        let r = chat(&mut ctx, &mut s, &req, id);
                        if streamed {
                            break;
                        }
                        r
                    }
                    Err(e) => respond(
                        &mut s,
                        "400 Bad Request",
                        &json!({"error": e.to_string()}).to_string(),
                    ),
                },
                ("GET", "/shutdown") => {
                    let _ = respond(&mut s, "200 OK", "{}");
                    return;
                }
                _ => respond(&mut s, "404 Not Found", r#"{"error":"not found"}"#),
            };
            if r.is_err() {
                break;
            }
        }
    }
}
