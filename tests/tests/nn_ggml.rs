//! The GGML backend (`plugins/wasi-nn-ggml`, llama.cpp) end to end through `wasmedge
//! --plugin-dir`, with LlamaEdge-style guests on `wasmedge-wasi-nn` 0.8: greedy output identical,
//! token for token, to llama.cpp's own (the native driver's references, same model and prompt);
//! streaming (`compute_single`) yields the same tokens as one-shot `compute`; every GGML errno
//! (100–103 and the too-small buffer with the size needed) is provoked; embeddings match
//! llama.cpp's; a missing preload file is `model_not_found` with a log line.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod ggml_support;
mod nn_support;
mod plugin_support;

use ggml_support::{Case, hex, lines, reference, run_guest};
use nn_support::setup;

fn config(c: &Case) -> String {
    format!(
        r#"{{"temp": 0.0, "ctx-size": {}, "n-predict": {}}}"#,
        c.ctx_size, c.n_predict
    )
}

fn expected_metadata(c: &Case) -> String {
    format!(
        r#"{{"input_tokens": {}, "output_tokens": {}, "llama_build_number": "#,
        c.prompt_tokens,
        c.tokens.len()
    )
}

#[test]
fn greedy_completions_match_native_llama_cpp_token_for_token() {
    let Some(setup) = setup() else { return };
    let r = reference(setup);
    let mut checked = 0;
    for c in r.cases.iter().filter(|c| !c.context_full) {
        let cfg = config(c);
        // The three ways a guest names the model: a preload alias, GGUF bytes, a preload: path
        // (allowed only for a file the operator preloaded).
        let ways: [(&[&str], Vec<&str>); 3] = [
            (
                &["--nn-preload", "default:GGML:AUTO:ggml-tiny.gguf"],
                vec!["--preload", "default"],
            ),
            (&[], vec!["--model", "ggml-tiny.gguf"]),
            (
                &["--nn-preload", "default:GGML:AUTO:ggml-tiny.gguf"],
                vec!["--preload-path", "ggml-tiny.gguf"],
            ),
        ];
        for (pre, mut args) in ways {
            args.extend(["--config", &cfg, &c.prompt]);
            let o = run_guest(setup, pre, "ggml-complete", &args);
            assert_eq!(o.code, 0, "{}: {o:#?}", c.name);
            let text = lines(&o, "text");
            assert_eq!(text, [c.pieces.concat()], "{}: {o:#?}", c.name);
            let meta = lines(&o, "metadata");
            assert_eq!(meta.len(), 1, "{o:#?}");
            assert!(
                meta[0].starts_with(&expected_metadata(c)),
                "{}: {} vs {}",
                c.name,
                meta[0],
                expected_metadata(c)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 15, "five cases, three ways each");
}

#[test]
fn streaming_yields_the_tokens_of_one_shot_compute() {
    let Some(setup) = setup() else { return };
    let r = reference(setup);
    let pre = ["--nn-preload", "default:GGML:AUTO:ggml-tiny.gguf"];
    let cfg = r#"{"temp": 0.0, "ctx-size": 256}"#;
    // Two chat turns: the first prompt is the reference's "chat" case; the second carries the
    // first reply (LlamaEdge's llama-2-chat history).
    let o = run_guest(
        setup,
        &pre,
        "ggml-chat",
        &[
            "--preload",
            "default",
            "--config",
            cfg,
            "What is WebAssembly?",
            "Tell me a story about a cat.",
        ],
    );
    assert_eq!(o.code, 0, "{o:#?}");
    let chat = r.case("chat");
    let prompts = lines(&o, "prompt");
    assert_eq!(prompts.len(), 2, "{o:#?}");
    assert_eq!(prompts[0], hex(chat.prompt.as_bytes()));
    let ends = lines(&o, "end");
    assert_eq!(ends, ["end_of_sequence", "end_of_sequence"], "{o:#?}");
    // Turn 1, token for token against llama.cpp: every piece but the end-of-sequence token's
    // (compute_single answers that one with errno 100).
    let all: Vec<&str> = o.stdout.lines().collect();
    let split = all.iter().position(|l| l.starts_with("end ")).unwrap();
    let first: Vec<&str> = all[..split]
        .iter()
        .filter_map(|l| l.strip_prefix("token "))
        .collect();
    let want: Vec<&str> = chat.pieces[..chat.pieces.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    assert!(chat.eos);
    assert_eq!(first, want, "{o:#?}");
    let meta = lines(&o, "metadata");
    assert!(
        meta[0].starts_with(&expected_metadata(chat)),
        "{} {o:#?}",
        meta[0]
    );
    // Turn 2 against one-shot compute of the same prompt in the same runtime.
    let second: Vec<&str> = all[split + 1..]
        .iter()
        .filter_map(|l| l.strip_prefix("token "))
        .collect();
    let prompt2 = String::from_utf8(
        (0..prompts[1].len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&prompts[1][i..i + 2], 16).unwrap())
            .collect(),
    )
    .unwrap();
    assert!(
        prompt2.starts_with(&chat.prompt)
            && prompt2.ends_with("Tell me a story about a cat. [/INST]"),
        "{prompt2}"
    );
    let one = run_guest(
        setup,
        &pre,
        "ggml-complete",
        &["--preload", "default", "--config", cfg, &prompt2],
    );
    assert_eq!(one.code, 0, "{one:#?}");
    let text = lines(&one, "text")[0];
    assert!(!second.is_empty());
    // One-shot text = the streamed pieces + the end-of-sequence piece ("</s>").
    assert_eq!(
        text,
        format!("{}{}", second.concat(), hex(b"</s>")),
        "{o:#?} {one:#?}"
    );
}

#[test]
fn every_ggml_errno_is_produced_and_the_guest_keeps_running() {
    let Some(setup) = setup() else { return };
    let r = reference(setup);
    let full = r.case("context_full");
    let hello = r.case("hello");
    // The model is preloaded (under an alias the guest does not use) so that its
    // `preload:ggml-tiny.gguf` loads are allowed; `preload:no-such-model.gguf` is not.
    let o = run_guest(
        setup,
        &["--nn-preload", "tiny:GGML:AUTO:ggml-tiny.gguf"],
        "ggml-errors",
        &["ggml-tiny.gguf"],
    );
    assert_eq!(o.code, 0, "{o:#?}");
    let hello_meta = format!(
        "{{\"input_tokens\": {}, \"output_tokens\": {}, \"llama_build_number\": 0, \"llama_commit\": \"unknown\"}}",
        hello.prompt_tokens,
        hello.tokens.len()
    );
    let expected: Vec<String> = [
        "model_not_found: model_not_found".to_string(),
        "not_a_gguf: invalid_argument".into(),
        "bad_config_json: invalid_encoding".into(),
        "bad_config_type: invalid_argument".into(),
        "bad_config_value: invalid_argument".into(),
        "unknown_key_ignored: ok".into(),
        "compute_without_prompt: invalid_argument".into(),
        "output_single_before_compute: invalid_argument".into(),
        "bad_metadata_json: invalid_encoding".into(),
        "bad_metadata_type: invalid_argument".into(),
        "prompt_too_long: prompt_too_long".into(),
        "prompt_too_long_single: prompt_too_long".into(),
        "context_full: context_full".into(),
        format!("context_full_text: {}", full.pieces.concat()),
        format!(
            "context_full_single: context_full after {}",
            full.tokens.len() - 1
        ),
        format!(
            "end_of_sequence_single: end_of_sequence after {}",
            hello.tokens.len() - 1
        ),
        "compute_hello: ok".into(),
        format!(
            "too_large_text: errno 7 needed {0} full {0}",
            hello.pieces.concat().len() / 2
        ),
        format!(
            "too_large_metadata: errno 7 needed {0} full {0}",
            hello_meta.len()
        ),
        "compute_single_once: ok".into(),
        format!(
            "too_large_single: errno 7 needed {0} full {0}",
            r.case("once").pieces[0].len() / 2
        ),
        "bad_output_pointer: errno 1".into(),
        "bad_written_pointer: errno 1".into(),
        "good_compute: ok".into(),
        format!("good_metadata: {hello_meta}"),
    ]
    .into();
    let got: Vec<&str> = lines(&o, "case");
    assert_eq!(got.len(), expected.len(), "{o:#?}");
    for (g, w) in got.iter().zip(&expected) {
        assert_eq!(g, w, "{o:#?}");
    }
    assert!(full.context_full && full.prompt_tokens + full.tokens.len() > 256);
    for needle in [
        // A preload: path the operator did not preload never reaches the backend.
        "load: model_not_found: the guest named the host file \"no-such-model.gguf\" with preload:",
        "is neither a GGUF model",
        "invalid_encoding: GGML metadata is not valid JSON",
        "the \"ctx-size\" option must be an integer",
        "prompt_too_long: compute: the prompt is too long: it has 266 tokens, at most 252 fit",
        "context_full: compute: the context is full",
        "too_large: the output needs",
        "is outside the guest memory",
    ] {
        assert!(o.stderr.contains(needle), "stderr lacks {needle:?}: {o:#?}");
    }
}

#[test]
fn embeddings_match_native_llama_cpp() {
    let Some(setup) = setup() else { return };
    let r = reference(setup);
    let (_, prompt, want) = &r.embeddings[0];
    let o = run_guest(
        setup,
        &["--nn-preload", "embed:GGML:AUTO:ggml-tiny.gguf"],
        "ggml-embed",
        &[
            "--preload",
            "embed",
            "--config",
            r#"{"embedding": true, "ctx-size": 256}"#,
            prompt,
        ],
    );
    assert_eq!(o.code, 0, "{o:#?}");
    let json = lines(&o, "embedding");
    assert_eq!(json.len(), 1, "{o:#?}");
    let v: serde_json::Value = serde_json::from_str(json[0]).expect("embedding JSON");
    assert_eq!(v["n_embedding"].as_u64(), Some(want.len() as u64), "{o:#?}");
    let got: Vec<f64> = v["embedding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        // %.10g of the same f32: equal to 10 significant digits.
        assert!((g - w).abs() <= 1e-9 + 1e-8 * w.abs(), "[{i}] {g} vs {w}");
    }
}

#[test]
fn a_missing_preload_file_is_model_not_found_with_a_log_line() {
    let Some(setup) = setup() else { return };
    let o = run_guest(
        setup,
        &["--nn-preload", "default:GGML:AUTO:missing.gguf"],
        "ggml-complete",
        &["--preload", "default", "Hello"],
    );
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("load: model_not_found"), "{o:#?}");
    assert!(
        o.stderr
            .contains("--nn-preload default: cannot read the model file missing.gguf"),
        "{o:#?}"
    );
    assert!(
        o.stderr
            .contains("the model file missing.gguf does not exist"),
        "{o:#?}"
    );
}
