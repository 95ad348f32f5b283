//! `cargo xtask package-plugins`: writes one tarball per plug-in crate with the library and a
//! `manifest.json`, plus `SHA256SUMS`; each extracted tarball loads with `--plugin-dir` and
//! serves guests.
//!
//! Packages in this test's cargo profile (`--profile`) so that nothing is built twice.

mod cli_support;
mod plugin_support;

use cli_support::{TempDir, repo_root};
use plugin_support::{Env, LOGGED, LOGGING_GUEST, target_and_profile, warnings};
use std::process::Command;

#[test]
fn packaged_plugins_load_from_their_extracted_tarballs() {
    let (target, profile) = target_and_profile();
    let out = TempDir::new();
    let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args([
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--",
            "package-plugins",
            "--out",
        ])
        .arg(out.path())
        .args(["--profile", &profile])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo_root())
        .status()
        .expect("running cargo xtask");
    assert!(
        status.success(),
        "cargo xtask package-plugins failed: {status}"
    );

    let mut tarballs: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tar.gz"))
        .collect();
    tarballs.sort();
    assert!(
        tarballs
            .iter()
            .any(|t| t.starts_with("wasmedge-plugin-wasi_logging-0.1.0-")
                && t.ends_with("-linux-gnu.tar.gz")),
        "{tarballs:?}"
    );
    let sums = std::fs::read_to_string(out.path().join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), tarballs.len(), "{sums}");
    for (line, name) in sums.lines().zip(&tarballs) {
        let (hash, file) = line.split_once("  ").expect("sha256sum format");
        assert_eq!(file, name);
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    }

    let work = TempDir::new();
    let guest = work.wasm("guest.wasm", LOGGING_GUEST);
    for t in &tarballs {
        let dir = TempDir::new();
        let status = Command::new("tar")
            .arg("xzf")
            .arg(out.path().join(t))
            .arg("-C")
            .arg(dir.path())
            .status()
            .expect("running tar");
        assert!(status.success(), "extracting {t}");
        let folder = dir.path().join(t.trim_end_matches(".tar.gz"));
        let manifest = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
        for key in [
            "\"name\"",
            "\"version\"",
            "\"abi_version\": 1",
            "\"target\"",
            "\"sha256\"",
            "\"native_libraries\"",
        ] {
            assert!(manifest.contains(key), "{key} missing in {manifest}");
        }

        let env = Env::clean();
        let o = env.run([
            "--plugin-dir".as_ref(),
            dir.path().as_os_str(),
            "plugin".as_ref(),
            "list".as_ref(),
        ]);
        o.code(0);
        assert!(warnings(&o).is_empty(), "{t}: {o:#?}");
        assert!(!o.stdout.contains("No plug-ins loaded"), "{t}: {o:#?}");
        if t.starts_with("wasmedge-plugin-wasi_logging-") {
            let o = env.run([
                "--plugin-dir".as_ref(),
                dir.path().as_os_str(),
                guest.as_os_str(),
            ]);
            o.code(0);
            assert_eq!(o.stderr, LOGGED, "{o:#?}");
        }
    }
}
