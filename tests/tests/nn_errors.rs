//! WASI-NN error paths through the `wasmedge` binary with the packaged ONNX plug-in: every bad
//! call returns its errno (WasmEdge's numbering) and the guest keeps running to a good
//! inference afterwards; a missing native library makes the plug-in's backend fail to load
//! with a warning naming the library, the variable and the set-up command.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod nn_support;
mod plugin_support;

use cli_support::TempDir;
use nn_support::{guests, infer_guests, packaged_plugins, plugin_dir_args, run_in_models, setup};
use std::path::Path;

/// A folder with only the ONNX plug-in of the packaged set.
fn onnx_only(packaged: &Path) -> TempDir {
    let dir = TempDir::new();
    let lib = "libwasmedge_plugin_wasi_nn_onnx.so";
    let found = std::fs::read_dir(packaged)
        .unwrap()
        .map(|e| e.unwrap().path().join(lib))
        .find(|p| p.exists())
        .expect("the packaged ONNX plug-in");
    std::fs::copy(found, dir.path().join(lib)).unwrap();
    dir
}

#[test]
fn bad_calls_return_their_errno_and_the_guest_keeps_running() {
    let Some(setup) = setup() else { return };
    let plugins = onnx_only(packaged_plugins(setup));
    let guest = guests().join("nn-errors.wasm");
    let mut args: Vec<String> = plugin_dir_args(plugins.path()).into();
    args.extend(["--dir".into(), ".:.".into(), "run".into()]);
    args.push(guest.display().to_string());
    args.extend(["linear.onnx".into(), "onnx_linear.in0.bin".into()]);
    let o = run_in_models(setup, &args);
    assert_eq!(o.code, 0, "{o:#?}");
    let expected = [
        ("unknown_encoding", "errno 2"), // invalid_encoding
        ("missing_backend", "errno 1"),  // invalid_argument (no pytorch plug-in loaded)
        ("bad_builder_array", "errno 1"),
        ("bad_builder_pointer", "errno 1"),
        ("bad_graph_out_pointer", "errno 1"),
        ("bad_target", "errno 1"),
        ("not_a_model", "errno 1"),
        ("unknown_preload", "errno 8"), // not_found
        ("bad_graph_handle", "errno 1"),
        ("wrong_tensor_type", "errno 1"),
        ("unknown_tensor_type", "errno 1"),
        ("wrong_data_size", "errno 1"),
        ("wrong_shape", "errno 1"),
        ("bad_input_index", "errno 1"),
        ("bad_context_handle", "errno 1"),
        ("bad_tensor_pointer", "errno 1"),
        ("compute_without_input", "errno 1"),
        ("output_too_small", "errno 7 needed 8"), // too_large, the needed size written
        ("bad_output_index", "errno 1"),
        ("bad_output_buffer", "errno 1"),
        ("good_output", "errno 0 written 8 values [8.75, 0.25]"),
    ];
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{o:#?}");
    for (line, (name, result)) in lines.iter().zip(expected) {
        assert_eq!(*line, format!("case {name}: {result}"), "{o:#?}");
    }
    // Each failure is logged with its cause.
    for needle in [
        "unknown graph encoding 99",
        "no loaded plug-in serves the pytorch encoding: install the wasi_nn-pytorch plug-in",
        "is outside the guest memory",
        "ONNX Runtime cannot load the model",
        "no model preloaded as \"no-such-model\"",
        "input \"input\" is f32, but a i32 tensor was given",
        "the output needs 8 bytes",
    ] {
        assert!(o.stderr.contains(needle), "stderr lacks {needle:?}: {o:#?}");
    }
}

#[test]
fn guest_crates_report_errors_and_missing_preload_files() {
    let Some(setup) = setup() else { return };
    let plugins = onnx_only(packaged_plugins(setup));
    for (crate_name, guest) in infer_guests() {
        let mut args: Vec<String> = plugin_dir_args(plugins.path()).into();
        args.extend(["--nn-preload".into(), "gone:ONNX:CPU:missing.onnx".into()]);
        args.extend(["--nn-preload".into(), "bad:NOPE:CPU:linear.onnx".into()]);
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(["onnx", "cpu", "--preload", "gone"].map(String::from));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 1, "{crate_name}: {o:#?}");
        assert!(
            o.stderr
                .contains("--nn-preload gone: cannot read the model file missing.onnx"),
            "{o:#?}"
        );
        assert!(
            o.stderr.contains("unknown graph encoding \"NOPE\""),
            "{o:#?}"
        );
        assert!(o.stderr.contains("infer: run 0: load:"), "{o:#?}");
        // The GPU target is refused honestly on a machine without one.
        let mut args: Vec<String> = plugin_dir_args(plugins.path()).into();
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(["onnx", "gpu", "--model", "linear.onnx"].map(String::from));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 1, "{crate_name}: {o:#?}");
        assert!(
            o.stderr.contains("unsupported_operation: the gpu target"),
            "{o:#?}"
        );
    }
}

#[test]
fn a_missing_native_library_is_named_with_its_variable_and_the_setup_command() {
    let Some(setup) = setup() else { return };
    let plugins = onnx_only(packaged_plugins(setup));
    let guest = guests().join("nn-errors.wasm");
    let mut args: Vec<String> = plugin_dir_args(plugins.path()).into();
    args.extend(["--dir".into(), ".:.".into(), "run".into()]);
    args.push(guest.display().to_string());
    args.extend(["linear.onnx".into(), "onnx_linear.in0.bin".into()]);
    let mut s = setup.clone();
    for (k, v) in &mut s.vars {
        if k == "ORT_DYLIB_PATH" {
            *v = "/nonexistent/libonnxruntime.so.1.32.0".into();
        }
    }
    let o = run_in_models(&s, &args);
    for needle in [
        "could not initialise its WASI-NN backend \"onnx\"",
        "libonnxruntime.so",
        "ORT_DYLIB_PATH",
        "bash .ci/setup-ml",
    ] {
        assert!(o.stderr.contains(needle), "stderr lacks {needle:?}: {o:#?}");
    }
    // The guest still runs: its ONNX loads fail with an errno instead of crashing.
    assert!(
        o.stdout.contains("case unknown_encoding: errno 2"),
        "{o:#?}"
    );
}
