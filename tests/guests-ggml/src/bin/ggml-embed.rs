//! An embedding call, as LlamaEdge's embeddings endpoint makes one: a graph loaded with
//! `{"embedding": true}`, the text as input 0, `compute`, and the embedding JSON at output 0.
//!
//! Usage: `ggml-embed GRAPH-OPTIONS TEXT`. Prints `embedding <json>` or `error <errno name>`.

use ggml_guest::{Options, errno_name, fail, output};

fn main() {
    let o = Options::from_args();
    let [text] = o.rest.as_slice() else {
        fail("usage: ggml-embed GRAPH-OPTIONS TEXT")
    };
    let graph = o
        .graph()
        .unwrap_or_else(|e| fail(&format!("load: {}", errno_name(&e))));
    let mut ctx = graph
        .init_execution_context()
        .unwrap_or_else(|e| fail(&format!("init_execution_context: {}", errno_name(&e))));
    match o
        .set_prompt(&mut ctx, text)
        .and_then(|_| ctx.compute())
        .and_then(|_| output(&ctx, 0))
    {
        Ok(json) => println!("embedding {}", String::from_utf8_lossy(&json)),
        Err(e) => println!("error {}", errno_name(&e)),
    }
}
