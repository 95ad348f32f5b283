//! One-shot completion, as LlamaEdge's simple examples do it: load the graph, set the prompt
//! (and metadata), `compute`, read the text (output 0) and the token counts (output 1).
//!
//! Usage: `ggml-complete GRAPH-OPTIONS PROMPT [PROMPT...]` (see the library). For each prompt it
//! prints `text <hex>` and `metadata <json>`, or `error <errno name>` and goes on.

use ggml_guest::{Options, errno_name, fail, hex, output};

fn main() {
    let o = Options::from_args();
    let graph = o
        .graph()
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init_execution_context: {}", errno_name(&e))));
    for prompt in &o.rest {
        let r = o
            .set_prompt(&mut ctx, prompt)
            .and_then(|_| ctx.compute())
            .and_then(|_| Ok((output(&ctx, 0)?, output(&ctx, 1)?)));
        match r {
            Ok((text, meta)) => {
                println!("text {}", hex(&text));
                println!("metadata {}", String::from_utf8_lossy(&meta));
            }
            Err(e) => println!("error {}", errno_name(&e)),
        }
    }
}
