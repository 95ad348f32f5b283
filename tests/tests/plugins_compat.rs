//! Plug-in compatibility and robustness: a plug-in built against the previous SDK (descriptor
//! layout v1) still loads and works; every kind of unusable plug-in file (incompatible layout,
//! truncated library, a library that is not a plug-in, a plug-in whose initialisation panics, a
//! plug-in whose native library is missing) gives exactly one warning that names the file, the
//! cause and the fix, and the runtime still runs the guest. Also the NN-backend interface
//! through the library API.

mod cli_support;
mod plugin_support;

use cli_support::TempDir;
use plugin_support::{Env, LOGGED, LOGGING_GUEST, fixtures, plugin_dir, warnings, wasi_logging};
use wasmedge_plugin_host::nn::NnBackends;
use wasmedge_plugin_host::sdk::nn::{ExecutionTarget, GraphEncoding, NnErrno, TensorType};
use wasmedge_plugin_host::{PluginHost, SearchPaths};

#[test]
fn a_plugin_built_with_the_previous_sdk_still_loads() {
    let plugins = plugin_dir(&[(&fixtures().v1, "libfixture_v1_plugin.so")]);
    let work = TempDir::new();
    let guest = work.wasm(
        "v1.wasm",
        r#"(module (import "v1" "triple" (func $t (param i32) (result i32)))
             (func (export "triple") (param i32) (result i32) (call $t (local.get 0))))"#,
    );
    let env = Env::clean();
    let dir = plugins.path().display().to_string();

    let o = env.run(["--plugin-dir", &dir, "plugin", "list"]);
    o.code(0);
    assert!(warnings(&o).is_empty(), "{o:#?}");
    assert!(
        o.stdout
            .contains("built with wasmedge-plugin-sdk 1.0.0 (descriptor layout v1)"),
        "{o:#?}"
    );
    // Its option is accepted, and reaches it.
    let g = guest.display().to_string();
    let o = env.run([
        "--plugin-dir",
        &dir,
        "--v1-offset",
        "2",
        "--reactor",
        &g,
        "triple",
        "5",
    ]);
    o.code(0).stdout("17\n");
    assert!(o.stderr.is_empty(), "{o:#?}");
}

#[test]
fn each_unusable_plugin_gives_one_warning_and_the_guest_still_runs() {
    let f = fixtures();
    let testkit = std::fs::read(&f.testkit).unwrap();
    let plugins = plugin_dir(&[
        (wasi_logging(), "libwasmedge_plugin_wasi_logging.so"),
        (&f.bad_layout, "libbad_layout.so"),
        (&f.not_a_plugin, "libnot_a_plugin.so"),
        (&f.panic_init, "libpanic_init.so"),
        (&f.needs_native_lib, "libneeds_native_lib.so"),
    ]);
    // Cut in the middle, as an interrupted download would leave it.
    plugins.file("libtruncated.so", &testkit[..testkit.len() / 2]);
    let work = TempDir::new();
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);

    let o = Env::clean().run([
        "--plugin-dir".as_ref(),
        plugins.path().as_os_str(),
        "run".as_ref(),
        guest.as_os_str(),
    ]);
    o.code(0);
    assert!(o.stderr.ends_with(LOGGED), "{o:#?}");
    let w = warnings(&o);
    assert_eq!(w.len(), 5, "one warning per unusable file: {o:#?}");
    // Nothing but warnings and the guest's records (no panic messages, no backtraces).
    assert_eq!(
        o.stderr.lines().count(),
        5 + LOGGED.lines().count(),
        "{o:#?}"
    );
    let about = |file: &str| -> &str {
        let hits: Vec<&&str> = w.iter().filter(|l| l.contains(file)).collect();
        assert_eq!(hits.len(), 1, "{file}: {w:#?}");
        hits[0]
    };
    let expect = |file: &str, needles: &[&str]| {
        let line = about(file);
        assert!(line.contains("Fix: "), "no fix in {line}");
        for n in needles {
            assert!(line.contains(n), "{n:?} missing in {line}");
        }
    };
    expect(
        "libbad_layout.so",
        &[
            "plug-in not loaded",
            "layout does not match",
            "wasmedge-plugin-sdk 1.0.0",
            "field abi_version: mismatched type (expected u64, found u32)",
            "rebuild the plug-in against wasmedge-plugin-sdk 1.1.0",
        ],
    );
    expect(
        "libtruncated.so",
        &["plug-in not loaded", "truncated or damaged", "SHA256SUMS"],
    );
    expect(
        "libnot_a_plugin.so",
        &[
            "plug-in not loaded",
            "it is not a plug-in",
            "export_plugin!",
        ],
    );
    expect(
        "libpanic_init.so",
        &[
            "plug-in \"fixture_panic_init\" panicked while initialising its module \"panicky\"",
            "fixture: initialisation exploded",
            "--forbidden-plugin fixture_panic_init",
        ],
    );
    expect(
        "libneeds_native_lib.so",
        &[
            "it needs the native library libfixture_native_dep.so, which cannot be found",
            "LD_LIBRARY_PATH",
        ],
    );

    // The panicking plug-in's module is then reported as the cause of a missing import.
    let g = work.wasm(
        "panicky.wasm",
        r#"(module (import "panicky" "unused" (func)))"#,
    );
    let o = Env::clean().run([
        "--plugin-dir".as_ref(),
        plugins.path().as_os_str(),
        g.as_os_str(),
    ]);
    o.code(1)
        .stderr_has("is provided by plug-in \"fixture_panic_init\"")
        .stderr_has("which failed to initialise it");
}

#[test]
fn nn_backends_are_served_through_the_sdk_interface() {
    let plugins = plugin_dir(&[
        (&fixtures().testkit, "libfixture_testkit.so"),
        (&fixtures().v1, "libfixture_v1_plugin.so"),
    ]);
    let (host, warnings) =
        PluginHost::discover(&SearchPaths::only(&[plugins.path().to_path_buf()]), &[]);
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(host.plugins().len(), 2);
    let (backends, warnings) = NnBackends::create(&host, &[]);
    assert!(warnings.is_empty(), "{warnings:#?}");
    // Only the layout-v2 plug-in has backends; the v1 one reads as having none.
    assert_eq!(backends.all().len(), 1);
    assert!(backends.for_encoding(GraphEncoding::ONNX).is_none());
    let b = backends
        .for_encoding(GraphEncoding::TENSORFLOW)
        .expect("the testkit backend");
    assert_eq!((b.name(), b.plugin().name()), ("scale", "fixture_testkit"));

    let factor = 2.5f32.to_le_bytes();
    let graph = b
        .load(&[&factor], GraphEncoding::TENSORFLOW, ExecutionTarget::CPU)
        .unwrap();
    let ctx = b.init_execution_context(graph).unwrap();
    let input: Vec<u8> = [1.0f32, 2.0, 4.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    b.set_input(ctx, 0, &[3], TensorType::F32, &input).unwrap();
    b.compute(ctx).unwrap();
    let mut small = [0u8; 4];
    let e = b.get_output(ctx, 0, &mut small).unwrap_err();
    assert_eq!((e.code, e.required_size), (NnErrno::TOO_LARGE, 12));
    let mut out = [0u8; 12];
    assert_eq!(b.get_output(ctx, 0, &mut out).unwrap(), 12);
    let values: Vec<f32> = out
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values, [2.5, 5.0, 10.0]);
    let e = b.compute_single(ctx).unwrap_err();
    assert_eq!(e.code, NnErrno::INVALID_ARGUMENT);
    let e = b
        .load(&[], GraphEncoding::TENSORFLOW, ExecutionTarget::CPU)
        .unwrap_err();
    assert_eq!(e.code, NnErrno::INVALID_ARGUMENT);
    b.finalize_execution_context(ctx).unwrap();
    b.unload(graph).unwrap();
    assert!(b.compute(ctx).is_err());
}
