//! The `wasi_crypto` plug-in (plugins/wasi-crypto) end to end: the guests of
//! `tests/guests-crypto` (built with the public `wasi-crypto-guest` crate for wasm32-wasip1)
//! run under `wasmedge --plugin-dir <dir with the built plug-in> run guest.wasm <group>`:
//!
//! - `kat`: FIPS 180-4, RFC 4231, RFC 5869, GCM, RFC 8439, RFC 8032 and RFC 7748 vectors;
//! - `interop`: OpenSSL-made keys and signatures (ECDSA, RSA PKCS#1 v1.5 / PSS, Ed25519); every
//!   signature the guest makes is then verified here by the `openssl` command (an independent
//!   implementation);
//! - `tamper`: tampered ciphertexts, tags, signatures and keys give the right errno;
//! - `raw`: bad pointers, bad handles and handle exhaustion give errnos, never traps.
//!
//! Needs the `openssl` command (Debian package `openssl`, installed by `.ci/run`).

mod cli_support;
mod plugin_support;

use cli_support::{Outcome, TempDir};
use plugin_support::{Env, plugin_dir, wasm_guests, workspace_plugin};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The message the interop guest signs (`tests/guests-crypto/src/interop.rs`).
const MSG: &[u8] = b"wasi-crypto interoperability test message";

fn guest() -> &'static Path {
    static WASM: OnceLock<PathBuf> = OnceLock::new();
    WASM.get_or_init(|| wasm_guests("guests-crypto").join("crypto-guests.wasm"))
}

/// A folder with the freshly built plug-in, as a user would pass to `--plugin-dir`.
fn plugin_folder() -> &'static TempDir {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let lib = workspace_plugin("wasmedge-plugin-wasi-crypto", "wasmedge_plugin_wasi_crypto");
        let name = lib.file_name().unwrap().to_string_lossy().into_owned();
        plugin_dir(&[(&lib, &name)])
    })
}

fn run_group(group: &str) -> Outcome {
    Env::clean().run([
        "--plugin-dir".as_ref(),
        plugin_folder().path().as_os_str(),
        "run".as_ref(),
        guest().as_os_str(),
        group.as_ref(),
    ])
}

/// Asserts a clean run whose report lines are exactly `expected` (group: passed/total).
fn expect_report(o: &Outcome, expected: &[&str]) {
    o.code(0);
    assert!(!o.stdout.contains("FAIL"), "{o:#?}");
    let lines: Vec<&str> = o.stdout.lines().filter(|l| l.contains(" checks")).collect();
    assert_eq!(lines, expected, "{o:#?}");
}

#[test]
fn published_known_answer_vectors_pass_through_the_plugin() {
    let o = run_group("kat");
    // Counts: each vector is checked several ways (one-shot and streaming hashes; tag and
    // verify for HMAC; PRK, OKM and the high-level API for HKDF; attached and detached AEAD).
    expect_report(
        &o,
        &[
            "hash: 16/16 checks",
            "hmac: 28/28 checks",
            "hkdf: 9/9 checks",
            "aead: 49/49 checks",
            "ed25519: 16/16 checks",
            "x25519: 6/6 checks",
        ],
    );
}

#[test]
fn tampered_ciphertexts_tags_signatures_and_keys_fail_with_the_right_errno() {
    let o = run_group("tamper");
    expect_report(
        &o,
        &[
            "tamper-aead: 42/42 checks",
            "tamper-mac: 12/12 checks",
            "tamper-signature: 34/34 checks",
            "tamper-key: 9/9 checks",
        ],
    );
}

#[test]
fn bad_pointers_handles_and_exhaustion_return_errnos() {
    let o = run_group("raw");
    expect_report(&o, &["raw: 48/48 checks"]);
}

/// Runs `openssl` with `args`; true if it exited 0. Fails the test if it cannot be started.
fn openssl(args: &[&str], dir: &Path) -> bool {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` ({e}): install the Debian package openssl (.ci/run does)")
        });
    out.status.success()
}

/// Verifies `sig` over [`MSG`] with the DER SubjectPublicKeyInfo `spki` using OpenSSL.
fn openssl_verifies(dir: &Path, alg: &str, spki: &[u8], sig: &[u8]) -> bool {
    std::fs::write(dir.join("pub.der"), spki).unwrap();
    std::fs::write(dir.join("sig.bin"), sig).unwrap();
    let hash = alg.rsplit("SHA").next().unwrap_or("");
    let digest = format!("-sha{hash}");
    let base = [
        "dgst",
        digest.as_str(),
        "-keyform",
        "DER",
        "-verify",
        "pub.der",
    ];
    let tail = ["-signature", "sig.bin", "msg.bin"];
    if alg == "Ed25519" {
        let args = [
            "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der",
        ];
        openssl(
            &[
                &args[..],
                &["-rawin", "-in", "msg.bin", "-sigfile", "sig.bin"],
            ]
            .concat(),
            dir,
        )
    } else if alg.starts_with("RSA_PSS_") {
        let pss = [
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:-1",
        ];
        openssl(&[&base[..], &pss, &tail].concat(), dir)
    } else {
        openssl(&[&base[..], &tail].concat(), dir)
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn ecdsa_rsa_and_ed25519_interoperate_with_openssl() {
    let o = run_group("interop");
    expect_report(&o, &["interop: 145/145 checks"]);
    let dir = TempDir::new();
    std::fs::write(dir.path().join("msg.bin"), MSG).unwrap();
    let sigs: Vec<(&str, Vec<u8>, Vec<u8>)> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("SIG "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 3, "{l}");
            (f[0], unhex(f[1]), unhex(f[2]))
        })
        .collect();
    // 18 RSA (PKCS#1 v1.5 and PSS × 2048/3072/4096 × SHA-256/384/512), 2 ECDSA and 1 Ed25519
    // with OpenSSL's keys, then 3 with freshly generated keys.
    assert_eq!(sigs.len(), 24, "{o:#?}");
    let mut failed = Vec::new();
    for (alg, spki, sig) in &sigs {
        if !openssl_verifies(dir.path(), alg, spki, sig) {
            failed.push(*alg);
        }
    }
    assert!(
        failed.is_empty(),
        "OpenSSL rejected the guest's signatures for {failed:?}"
    );
    // Control: OpenSSL does reject a tampered signature of each kind.
    for (alg, spki, sig) in sigs
        .iter()
        .filter(|s| ["Ed25519", "ECDSA_P256_SHA256", "RSA_PSS_2048_SHA256"].contains(&s.0))
        .take(3)
    {
        let mut bad = sig.clone();
        let i = bad.len() / 2;
        bad[i] ^= 1;
        assert!(
            !openssl_verifies(dir.path(), alg, spki, &bad),
            "{alg}: tampered signature accepted"
        );
    }
}

#[test]
fn without_the_plugin_the_guest_is_told_what_to_install() {
    let o = Env::clean().run(["run".as_ref(), guest().as_os_str(), "kat".as_ref()]);
    o.code(1);
    assert!(o.stderr.contains("unknown import"), "{o:#?}");
    assert!(o.stderr.contains("needs the wasi_crypto plug-in"), "{o:#?}");
}
