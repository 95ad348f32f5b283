//! A streaming chat loop, as LlamaEdge's chat guest runs one: the conversation so far becomes a
//! Llama-2 chat prompt, then `compute_single` is called until `EndOfSequence` (or
//! `ContextFull`), each token read with `get_output_single` as it comes, then `fini_single`
//! and the output metadata; the reply joins the history for the next turn.
//!
//! Usage: `ggml-chat GRAPH-OPTIONS [--max-tokens N] USER-MESSAGE [USER-MESSAGE...]`. Prints, per
//! turn: `prompt <hex>`, one `token <hex>` line per token, `end <reason>` and `metadata <json>`.

use ggml_guest::{
    Message, Options, errno_name, fail, hex, llama2_chat_prompt, output, output_single,
};
use wasmedge_wasi_nn::{BackendError, Error};

fn main() {
    let mut o = Options::from_args();
    let mut max_tokens = usize::MAX;
    if let Some(i) = o.rest.iter().position(|a| a == "--max-tokens") {
        max_tokens = o
            .rest
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| fail("--max-tokens N"));
        o.rest.drain(i..i + 2);
    }
    let graph = o
        .graph()
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init_execution_context: {}", errno_name(&e))));
    let mut history: Vec<Message> = Vec::new();
    for user in &o.rest {
        history.push(Message {
            role: "user".into(),
            content: user.clone(),
        });
        let prompt = llama2_chat_prompt(&history);
        println!("prompt {}", hex(prompt.as_bytes()));
        if let Err(e) = o.set_prompt(&mut ctx, &prompt) {
            println!("end {}", errno_name(&e));
            continue;
        }
        let mut reply = Vec::new();
        let mut n = 0;
        let end = loop {
            if n == max_tokens {
                break "max_tokens".to_string();
            }
            match ctx.compute_single() {
                Ok(()) => {
                    let piece = output_single(&ctx).unwrap_or_else(|e| {
                        fail(&format!("get_output_single: {}", errno_name(&e)))
                    });
                    println!("token {}", hex(&piece));
                    reply.extend_from_slice(&piece);
                    n += 1;
                }
                Err(Error::BackendError(BackendError::EndOfSequence)) => {
                    break "end_of_sequence".into();
                }
                Err(Error::BackendError(BackendError::ContextFull)) => break "context_full".into(),
                Err(e) => break errno_name(&e),
            }
        };
        println!("end {end}");
        let meta =
            output(&ctx, 1).unwrap_or_else(|e| fail(&format!("get_output 1: {}", errno_name(&e))));
        println!("metadata {}", String::from_utf8_lossy(&meta));
        ctx.fini_single()
            .unwrap_or_else(|e| fail(&format!("fini_single: {}", errno_name(&e))));
        history.push(Message {
            role: "assistant".into(),
            content: String::from_utf8_lossy(&reply).into_owned(),
        });
    }
}
