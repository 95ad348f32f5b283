//! The OpenVINO backend (`plugins/wasi-nn-openvino`) end to end: the packaged plug-in folder,
//! the `wasmedge` binary, both guest crates, IR models (xml + weights) from a preopened folder
//! and by `--nn-preload` name, on a made-up model and the real PaddleOCR direction classifier
//! converted to IR at set-up time. Outputs must match OpenVINO's own Python output (f32
//! inference precision), computed by the set-up, within 1e-5 + 1e-4·|x|.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod nn_support;
mod plugin_support;

use nn_support::{case, infer_guests, packaged_plugins, plugin_dir_args, run_in_models, setup};

#[test]
fn openvino_ir_models_match_openvino() {
    let Some(setup) = setup() else { return };
    let plugins = packaged_plugins(setup);
    let cases = [case(setup, "openvino_linear"), case(setup, "openvino_cls")];
    for (crate_name, guest) in infer_guests() {
        // From files in a preopened folder: both models in one run of the guest.
        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(cases[0].run_args(None));
        args.push("+".into());
        args.extend(cases[1].run_args(None));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        cases[0].check(&o, 0);
        cases[1].check(&o, 1);

        // By preload name (`name:OpenVINO:CPU:m.xml:m.bin`).
        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--nn-preload".into(), cases[1].preload("cls")]);
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(cases[1].run_args(Some("cls")));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        cases[1].check(&o, 0);
        assert!(o.stdout.contains("run 0 top 0: 1=0.628"), "{o:#?}");
    }
}
