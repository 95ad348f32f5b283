//! WASI-Crypto test guest: `crypto-guests <group>` runs one group of checks against the
//! host's wasi_ephemeral_crypto_* modules and exits 1 if any check failed.
//! Groups: `kat` (published vectors), `interop` (OpenSSL keys and signatures; prints the
//! guest's signatures for the test to verify), `tamper` (tampered inputs and their errno),
//! `raw` (bad pointers, bad handles, handle exhaustion, via raw imports).

mod interop;
mod kat;
mod raw;
mod report;
mod tamper;
mod vectors;

fn main() {
    let group = std::env::args().nth(1).unwrap_or_default();
    let failures = match group.as_str() {
        "kat" => kat::run(),
        "interop" => interop::run(),
        "tamper" => tamper::run(),
        "raw" => raw::run(),
        other => {
            eprintln!("unknown group {other:?}: expected kat, interop, tamper or raw");
            std::process::exit(2);
        }
    };
    if failures > 0 {
        println!("{failures} check(s) failed");
        std::process::exit(1);
    }
}
