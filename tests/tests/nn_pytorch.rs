//! The PyTorch backend (`plugins/wasi-nn-pytorch`, libtorch) end to end: the packaged plug-in
//! folder, the `wasmedge` binary, both guest crates, TorchScript modules from a preopened folder
//! and by `--nn-preload` name: a made-up linear model traced at set-up time with the weights of
//! `linear.onnx` (reference: onnxruntime's output) and the real silero VAD TorchScript module
//! from its PyPI wheel, whose `forward(x, sr: int)` takes a scalar i64 input as an `int`
//! (reference: libtorch called natively at set-up time). Tolerance 1e-5 + 1e-4·|x|.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod nn_support;
mod plugin_support;

use nn_support::{case, infer_guests, packaged_plugins, plugin_dir_args, run_in_models, setup};

#[test]
fn torchscript_models_match_their_references() {
    let Some(setup) = setup() else { return };
    let plugins = packaged_plugins(setup);
    let linear = case(setup, "pytorch_linear");
    let silero = case(setup, "pytorch_silero");
    for (crate_name, guest) in infer_guests() {
        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(linear.run_args(None));
        args.push("+".into());
        args.extend(silero.run_args(None));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        linear.check(&o, 0);
        silero.check(&o, 1);

        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--nn-preload".into(), silero.preload("vad")]);
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(silero.run_args(Some("vad")));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        silero.check(&o, 0);
    }
}
