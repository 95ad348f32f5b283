//! Random paths against a WASI preopen with random symlink layouts; nothing may resolve outside
//! the preopen (see `src/wasi_path.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wasmedge_fuzz::wasi_path::run(data);
});
