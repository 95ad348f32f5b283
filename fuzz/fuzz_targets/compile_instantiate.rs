//! wasm-smith module → compile, instantiate with dummy imports, call every export (see
//! `src/compile_instantiate.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wasmedge_fuzz::compile_instantiate::run(data);
});
