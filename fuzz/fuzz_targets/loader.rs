//! Arbitrary bytes → `Module::validate` and `Module::new` (see `src/loader.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wasmedge_fuzz::loader::run(data);
});
