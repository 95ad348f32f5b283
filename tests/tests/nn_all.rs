//! All three WASI-NN backend plug-ins (ONNX Runtime, OpenVINO, libtorch) loaded together in one
//! `wasmedge` process, serving one guest run that uses three encodings in turn (files from a
//! preopened folder and `--nn-preload` names mixed); every output matches its reference.
//! `wasmedge plugin list` shows the three backends.
//!
//! Needs `bash .ci/setup-ml` (skipped with a visible line outside CI when it is missing).

mod cli_support;
mod nn_support;
mod plugin_support;

use nn_support::{case, infer_guests, packaged_plugins, plugin_dir_args, run_in_models, setup};

#[test]
fn three_backends_serve_one_guest_with_several_encodings() {
    let Some(setup) = setup() else { return };
    let plugins = packaged_plugins(setup);
    let o = run_in_models(
        setup,
        [
            plugin_dir_args(plugins).as_slice(),
            &["plugin".into(), "list".into()],
        ]
        .concat(),
    );
    assert_eq!(o.code, 0, "{o:#?}");
    for backend in [
        "WASI-NN backend \"onnx\" (onnx)",
        "WASI-NN backend \"openvino\" (openvino)",
        "WASI-NN backend \"pytorch\" (pytorch)",
    ] {
        assert!(o.stdout.contains(backend), "{backend}: {o:#?}");
    }

    // Each packaged plug-in's manifest names the native libraries it needs.
    for (plugin, library) in [
        ("wasi_nn-onnx", "libonnxruntime.so"),
        ("wasi_nn-openvino", "libopenvino_c.so"),
        ("wasi_nn-pytorch", "libtorch_cpu.so"),
    ] {
        let folder = std::fs::read_dir(plugins)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.to_string_lossy()
                    .contains(&format!("wasmedge-plugin-{plugin}-"))
            })
            .unwrap_or_else(|| panic!("no packaged {plugin}"));
        let manifest = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
        let native = manifest.split("\"native_libraries\"").nth(1).unwrap_or("");
        assert!(native.contains(library), "{plugin}: {manifest}");
    }

    let onnx = case(setup, "onnx_cls");
    let ov = case(setup, "openvino_cls");
    let torch = case(setup, "pytorch_linear");
    for (crate_name, guest) in infer_guests() {
        let mut args: Vec<String> = plugin_dir_args(plugins).into();
        args.extend(["--nn-preload".into(), ov.preload("ov-cls")]);
        args.extend(["--dir".into(), ".:.".into(), "run".into()]);
        args.push(guest.display().to_string());
        args.extend(onnx.run_args(None));
        args.push("+".into());
        args.extend(ov.run_args(Some("ov-cls")));
        args.push("+".into());
        args.extend(torch.run_args(None));
        let o = run_in_models(setup, &args);
        assert_eq!(o.code, 0, "{crate_name}: {o:#?}");
        assert!(!o.stderr.contains("[warning]"), "{crate_name}: {o:#?}");
        onnx.check(&o, 0);
        ov.check(&o, 1);
        torch.check(&o, 2);
    }
}
