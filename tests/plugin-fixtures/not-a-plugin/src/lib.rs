//! A shared library that is not a plug-in: it exports a plain C function and no plug-in root
//! symbol. The runtime must skip it with one warning.

/// Some unrelated exported function.
#[unsafe(no_mangle)]
pub extern "C" fn fixture_answer() -> i32 {
    42
}
