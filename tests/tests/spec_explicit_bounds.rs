//! The spec suites (1.0, 2.0 and the implemented proposals) again with explicit bounds checks
//! instead of guard-page memories, so the explicit-check code paths (`heap_addr`, table and
//! bulk-memory checks, growth by remapping) meet the whole suite, not only the fuzzers.
//! Zero failures required. The strategy is process-wide, hence its own test binary.

use wasmedge_runtime::MemoryStrategy;
use wasmedge_tests::spec;

#[test]
fn spec_suites_pass_with_explicit_bounds_checks() {
    spec::harness::set_memory_strategy(MemoryStrategy::Explicit);
    let engine = spec::harness::new_engine(spec::harness::default_features()).unwrap();
    assert_eq!(engine.memory_strategy(), MemoryStrategy::Explicit);
    assert!(!engine.tunables().guard_pages);
    let mut files = spec::suite_files("wasm-v1", None).unwrap();
    files.extend(spec::suite_files("wasm-v2", None).unwrap());
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
    spec::run_all_expect_pass(files);
}
