//! The spec suites again, with every module compiled to an AOT artifact and loaded back from
//! it before use (what `wasmedge compile` + `wasmedge run` do). Zero failures required.
//!
//! AOT mode is process-wide, which is why this is its own test binary.

use wasmedge_tests::spec;

fn aot(files: Vec<spec::WastFile>) {
    spec::context::set_aot_mode(true);
    spec::run_all_expect_pass(files);
}

#[test]
fn spec_v1_passes_from_artifacts() {
    aot(spec::suite_files("wasm-v1", None).unwrap());
}

#[test]
fn spec_v2_passes_from_artifacts() {
    aot(spec::suite_files("wasm-v2", None).unwrap());
}

#[test]
fn proposals_pass_from_artifacts() {
    let mut files = Vec::new();
    for p in [
        "simd",
        "relaxed-simd",
        "tail-call",
        "extended-const",
        "multi-memory",
        "threads",
    ] {
        files.extend(spec::proposal_files(p, None).unwrap());
    }
    aot(files);
}
