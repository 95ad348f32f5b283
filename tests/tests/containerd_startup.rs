//! Benchmark (ignored by default): "cold container start to first guest output" on a real
//! containerd, median of 10, for
//!
//! - the wasm guest through `io.containerd.wasmedge.v1`, as a wasm OCI artifact (the module
//!   precompiled once per node, then loaded from containerd's content store),
//! - the same guest as a `.wasm` file in an ordinary image layer (compiled at every start:
//!   runwasi's precompilation covers OCI wasm layers only),
//! - a static native hello (`cc -static`) through `io.containerd.runc.v2` (runc).
//!
//! Each sample is a new container (`ctr run --rm`, a new shim): the time from starting `ctr`
//! to the first byte on its stdout. Run it with
//!
//! ```text
//! cargo test --release -p wasmedge-tests --test containerd_startup -- --ignored --nocapture
//! ```

mod containerd_support;

use containerd_support::{Containerd, Entry, Image, RUNTIME, TAR_LAYER};
use std::io::Read;
use std::time::{Duration, Instant};

const SAMPLES: usize = 10;

/// Runs one container and returns the time to its first stdout byte.
fn first_output(c: &Containerd, runtime: &str, extra: &[&str], image: &str, id: &str) -> Duration {
    let mut args = vec!["run", "--rm", "--runtime", runtime];
    args.extend_from_slice(extra);
    args.extend([image, id]);
    let start = Instant::now();
    let mut child = c.command(&args).spawn().expect("starting ctr run");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut byte = [0u8; 1];
    let n = stdout
        .read(&mut byte)
        .expect("reading the container's stdout");
    let elapsed = start.elapsed();
    let mut rest = Vec::new();
    let _ = stdout.read_to_end(&mut rest);
    let status = child.wait().expect("waiting for ctr");
    let stderr = stderr.join().unwrap_or_default();
    assert_eq!(n, 1, "{id} printed nothing ({status}): {stderr}");
    // The guest exits with its argument count (1); the native hello with 0.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{id} failed ({status}): {stderr}"
    );
    elapsed
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[test]
#[ignore = "benchmark; run with --ignored --nocapture"]
fn cold_container_start_to_first_output() {
    let Some(c) = Containerd::start() else { return };

    let artifact = c.import_wasm_artifact("docker.io/library/wasmedge-hello:artifact");
    let artifact = artifact.as_str();
    let platform = ["--platform", "wasip1/wasm"];
    let rootfs = "docker.io/library/wasmedge-hello:rootfs";
    c.import(&containerd_support::wasm_rootfs_image(rootfs));

    let dir = c.dir.join("native");
    std::fs::create_dir_all(&dir).unwrap();
    let hello = containerd_support::native_hello(&dir).expect("cc -static hello");
    let native = "docker.io/library/native-hello:latest";
    c.import(&containerd_support::oci_tarball(&Image {
        name: native,
        os: "linux",
        arch: containerd_support::host_arch(),
        entrypoint: &["/hello"],
        env: &[],
        layers: vec![(
            TAR_LAYER,
            containerd_support::tar(&[Entry::file("hello", &hello, 0o755)]),
        )],
        diff_ids: None,
    }));

    // The first start of the artifact compiles it (the only compile on this node).
    let first = first_output(&c, RUNTIME, &platform, artifact, "first");
    // Warm-up of the other two (page cache, snapshots).
    first_output(&c, RUNTIME, &[], rootfs, "warm-rootfs");
    first_output(&c, "io.containerd.runc.v2", &[], native, "warm-native");

    let (mut wasm_artifact, mut wasm_rootfs, mut runc) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..SAMPLES {
        wasm_artifact.push(first_output(
            &c,
            RUNTIME,
            &platform,
            artifact,
            &format!("a{i}"),
        ));
        wasm_rootfs.push(first_output(&c, RUNTIME, &[], rootfs, &format!("r{i}")));
        runc.push(first_output(
            &c,
            "io.containerd.runc.v2",
            &[],
            native,
            &format!("n{i}"),
        ));
    }
    let show = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ");
    println!("cold container start to first guest output (ctr run --rm, median of {SAMPLES}):");
    println!(
        "  wasmedge shim, wasm OCI artifact (precompiled): {}   [{}]",
        ms(median(wasm_artifact.clone())),
        show(&wasm_artifact)
    );
    println!("    (its very first start, compiling: {})", ms(first));
    println!(
        "  wasmedge shim, .wasm in the rootfs (compiled per start): {}   [{}]",
        ms(median(wasm_rootfs.clone())),
        show(&wasm_rootfs)
    );
    println!(
        "  runc, static native hello: {}   [{}]",
        ms(median(runc.clone())),
        show(&runc)
    );
}
