//! End-to-end: a real containerd (private socket, root, state and config; started and stopped
//! here) runs wasm images through `containerd-shim-wasmedge-v1` with
//! `ctr run --runtime io.containerd.wasmedge.v1`: a wasm module inside an ordinary image
//! layer, a wasm OCI artifact (precompiled once, then loaded from containerd's content store),
//! and images that are not wasm. Needs root, `containerd` and `runc` (see containerd_support).

mod containerd_support;

use containerd_support::{Containerd, Entry, Image, RUNTIME, TAR_LAYER};

#[test]
fn wasm_module_in_an_image_layer_gets_args_env_rootfs_stdio_and_exit_code() {
    let Some(c) = Containerd::start() else { return };
    let image = "docker.io/library/wasmedge-hello:rootfs";
    c.import(&containerd_support::wasm_rootfs_image(image));
    let out = c.run(
        RUNTIME,
        &["--env", "GREETING=hi there"],
        image,
        "hello-rootfs",
        &["/hello.wasm", "first", "second arg"],
    );
    assert_eq!(
        out.code, 3,
        "the guest exits with its argument count: {out:#?}"
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "hello from wasm", "{out:#?}");
    assert_eq!(
        &lines[1..4],
        ["arg: /hello.wasm", "arg: first", "arg: second arg"],
        "{out:#?}"
    );
    assert!(lines.contains(&"env: GREETING=hi there"), "{out:#?}");
    // The image's own environment is there too.
    assert!(lines.contains(&"env: PATH=/"), "{out:#?}");
    assert!(
        lines.contains(&"file: message from the rootfs"),
        "the rootfs is the guest's /: {out:#?}"
    );
    assert_eq!(out.stderr, "to stderr\n", "{out:#?}");
}

#[test]
fn wasm_oci_artifact_runs_and_is_compiled_once_per_node() {
    let Some(c) = Containerd::start() else { return };
    let image = c.import_wasm_artifact("docker.io/library/wasmedge-hello:artifact");
    let image = image.as_str();
    let platform = ["--platform", "wasip1/wasm"];
    let args = ["/hello.wasm", "x"];
    let first = c.run(RUNTIME, &platform, image, "artifact-1", &args);
    let second = c.run(RUNTIME, &platform, image, "artifact-2", &args);
    for (i, out) in [first, second].iter().enumerate() {
        assert_eq!(out.code, 2, "run {i}: {out:#?}");
        assert!(
            out.stdout
                .starts_with("hello from wasm\narg: /hello.wasm\narg: x\n"),
            "run {i}: {out:#?}"
        );
        assert!(out.stdout.contains("file: none\n"), "run {i}: {out:#?}");
        assert_eq!(out.stderr, "to stderr\n", "run {i}: {out:#?}");
    }
    // The first start compiled the module into the node's artifact cache …
    let artifacts: Vec<_> = std::fs::read_dir(c.cache_dir())
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(
        artifacts.len(),
        1,
        "one cached artifact expected in {}: {artifacts:?}",
        c.cache_dir().display()
    );
    // … and runwasi keeps the precompiled layer in containerd's content store, labelled for
    // this shim, so later starts load it instead of compiling.
    let content = c.ctr(["content", "ls"]);
    content.ok();
    assert!(
        content.stdout.contains("runwasi.io/precompiled/wasmedge/"),
        "no precompiled layer in the content store: {content:#?}"
    );
    let log = c.log();
    assert_eq!(
        log.matches("precompiling layers for image").count(),
        1,
        "the module must be compiled on the first start only:\n{log}"
    );
}

#[test]
fn images_that_are_not_wasm_are_refused_or_run_natively() {
    let Some(c) = Containerd::start() else { return };

    // Neither wasm nor an executable: refused at create time, with the reason in the log.
    let text = containerd_support::tar(&[Entry::file("notwasm.txt", b"just text\n", 0o644)]);
    let image = "docker.io/library/wasmedge-notwasm:latest";
    c.import(&containerd_support::oci_tarball(&Image {
        name: image,
        os: "linux",
        arch: containerd_support::host_arch(),
        entrypoint: &["/notwasm.txt"],
        env: &[],
        layers: vec![(TAR_LAYER, text)],
        diff_ids: None,
    }));
    let out = c.run(RUNTIME, &[], image, "notwasm", &[]);
    assert_ne!(out.code, 0, "a non-wasm image must not run: {out:#?}");
    assert!(
        !out.stdout.contains("hello"),
        "nothing may have run: {out:#?}"
    );
    // The reason reaches the user (the container's stderr) and the shim log.
    let reason = "/notwasm.txt is neither a WebAssembly module nor WebAssembly text";
    assert!(out.stderr.contains(reason), "ctr must say why: {out:#?}");
    let log = c.log();
    assert!(log.contains(reason), "the shim log must say why:\n{log}");

    // A native executable entrypoint runs as an ordinary Linux container (runwasi hands it to
    // youki's default executor), like runc would.
    let dir = c.dir.join("native");
    std::fs::create_dir_all(&dir).unwrap();
    let Some(hello) = containerd_support::native_hello(&dir) else {
        containerd_support::skip("no C compiler with a static libc for the native image");
        return;
    };
    let layer = containerd_support::tar(&[Entry::file("hello", &hello, 0o755)]);
    let image = "docker.io/library/native-hello:latest";
    c.import(&containerd_support::oci_tarball(&Image {
        name: image,
        os: "linux",
        arch: containerd_support::host_arch(),
        entrypoint: &["/hello"],
        env: &[],
        layers: vec![(TAR_LAYER, layer)],
        diff_ids: None,
    }));
    let out = c.run(RUNTIME, &[], image, "native", &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(out.stdout, "hello from native\n", "{out:#?}");
}

#[test]
fn plugins_from_the_nodes_plugin_folder_are_linked() {
    let Some(c) = Containerd::start_with_plugins(&[containerd_support::logging_plugin]) else {
        return;
    };
    let guest = wat::parse_str(
        r#"(module
          (import "wasi:logging/logging@0.1.0-draft" "log"
            (func $log (param i32 i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "shimhello from a plug-in")
          (func (export "_start")
            (call $log (i32.const 2) (i32.const 0) (i32.const 4) (i32.const 4) (i32.const 20))))"#,
    )
    .unwrap();
    let layer = containerd_support::tar(&[Entry::file("log.wasm", &guest, 0o644)]);
    let image = "docker.io/library/wasmedge-logging:latest";
    c.import(&containerd_support::oci_tarball(&Image {
        name: image,
        os: "linux",
        arch: containerd_support::host_arch(),
        entrypoint: &["/log.wasm"],
        env: &[],
        layers: vec![(TAR_LAYER, layer)],
        diff_ids: None,
    }));
    let out = c.run(RUNTIME, &[], image, "logging", &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(
        out.stderr, "[info] shim: hello from a plug-in\n",
        "{out:#?}"
    );
}
