//! Runs the WebAssembly 2.0 spec suite and the proposal suites this runtime implements (SIMD,
//! relaxed SIMD, tail calls, extended-const, multi-memory, threads), each with its own feature
//! set, and requires zero failures. No skip list.
//!
//! Only drives `wasmedge_tests::spec`; must not special-case files.

use wasmedge_tests::spec;

#[test]
fn spec_v2_suite_passes() {
    spec::run_all_expect_pass(
        spec::suite_files("wasm-v2", None).expect("the wasm-v2 suite exists"),
    );
}

fn proposal(name: &str) {
    spec::run_all_expect_pass(spec::proposal_files(name, None).expect("the proposal suite exists"));
}

#[test]
fn simd_passes() {
    proposal("simd");
}

#[test]
fn relaxed_simd_passes() {
    proposal("relaxed-simd");
}

#[test]
fn tail_call_passes() {
    proposal("tail-call");
}

#[test]
fn extended_const_passes() {
    proposal("extended-const");
}

#[test]
fn multi_memory_passes() {
    proposal("multi-memory");
}

#[test]
fn threads_passes() {
    proposal("threads");
}
