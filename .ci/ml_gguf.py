"""Small llama-architecture GGUF models for the GGML (llama.cpp) tests and benchmark (run by
.ci/setup-ml).

usage: python ml_gguf.py VOCAB.gguf OUT.gguf NAME

VOCAB.gguf is a vocabulary-only GGUF (the Llama-2 SentencePiece vocabulary that llama.cpp ships
as models/ggml-vocab-llama-spm.gguf, taken from the llama-cpp-python sdist). Its tokenizer.*
keys are copied unchanged; the weights are random, drawn from numpy's PCG64 with a fixed seed,
so the file is byte-for-byte reproducible with the pinned gguf and numpy (setup-ml checks its
sha256). NAME picks a shape from MODELS:
  - tiny: 2 layers, n_embd 64, for the tests (a few MB, thousands of tokens/s);
  - bench: 6 layers, n_embd 512, f16 weights, for `cargo xtask bench-ggml`.
The end-of-sequence token's output row is scaled up (EOS_BOOST) so that greedy decoding ends
some prompts with EOS after a few tokens and not others; nothing here knows any expected output.
"""

import sys

import gguf
import numpy as np

MODELS = {
    # name: (seed, n_layer, n_embd, n_ff, n_head, n_head_kv, ctx, dtype, weight scale, eos boost)
    "tiny": (20261204, 2, 64, 128, 4, 2, 2048, np.float32, 3.0, 1.5),
    "bench": (20261205, 6, 512, 1408, 8, 8, 2048, np.float16, 3.0, 1.0),
}


def main():
    vocab_path, out_path, name = sys.argv[1], sys.argv[2], sys.argv[3]
    seed, n_layer, n_embd, n_ff, n_head, n_head_kv, ctx, dtype, scale, eos_boost = MODELS[name]
    vocab = gguf.GGUFReader(vocab_path)
    tokens = vocab.fields["tokenizer.ggml.tokens"]
    n_vocab = len(tokens.data)
    eos = int(vocab.fields["tokenizer.ggml.eos_token_id"].contents())
    rng = np.random.Generator(np.random.PCG64(seed))
    head_dim = n_embd // n_head

    w = gguf.GGUFWriter(out_path, "llama")
    w.add_name(f"wasmedge-rs-test-{name}")
    w.add_context_length(ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_dimension_count(head_dim)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(1 if dtype == np.float16 else 0)
    # The tokenizer, copied key by key with its own types.
    for key, field in vocab.fields.items():
        if not key.startswith("tokenizer."):
            continue
        vtype = gguf.GGUFValueType(field.types[0])
        if vtype == gguf.GGUFValueType.ARRAY:
            w.add_key_value(key, field.contents(), vtype, sub_type=gguf.GGUFValueType(field.types[1]))
        else:
            w.add_key_value(key, field.contents(), vtype)

    def mat(rows, cols, std):
        # GGUF stores a [rows, cols] numpy array as ne = [cols, rows].
        return (rng.standard_normal((rows, cols)) * std).astype(dtype)

    def norm(n):
        return np.ones(n, np.float32)

    kv = n_head_kv * head_dim
    w.add_tensor("token_embd.weight", mat(n_vocab, n_embd, 1.0))
    for i in range(n_layer):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", norm(n_embd))
        w.add_tensor(p + "attn_q.weight", mat(n_embd, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "attn_k.weight", mat(kv, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "attn_v.weight", mat(kv, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "attn_output.weight", mat(n_embd, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "ffn_norm.weight", norm(n_embd))
        w.add_tensor(p + "ffn_gate.weight", mat(n_ff, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "ffn_up.weight", mat(n_ff, n_embd, scale / np.sqrt(n_embd)))
        w.add_tensor(p + "ffn_down.weight", mat(n_embd, n_ff, scale / np.sqrt(n_ff)))
    w.add_tensor("output_norm.weight", norm(n_embd))
    out = mat(n_vocab, n_embd, 1.0 / np.sqrt(n_embd))
    out[eos] *= eos_boost
    w.add_tensor("output.weight", out)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"ml_gguf: wrote {out_path} ({name}: {n_layer} layers, n_embd {n_embd}, vocab {n_vocab})")


main()
