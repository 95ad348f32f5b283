//! The WebAssembly feature sets this runtime implements, and how they are named on the CLI.
//!
//! Pure data: must not depend on the compiler. Every feature listed as implemented here must be
//! translated by `compiler::translate`.

use wasmparser::WasmFeatures;

/// Every feature the compiler can translate.
pub fn implemented_features() -> WasmFeatures {
    WasmFeatures::WASM1
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::EXTENDED_CONST
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::TAIL_CALL
        | WasmFeatures::MULTI_MEMORY
        | WasmFeatures::SIMD
        | WasmFeatures::RELAXED_SIMD
        | WasmFeatures::THREADS
}

/// The features enabled when the user does not say otherwise: everything implemented except
/// threads, which (as in WasmEdge) must be enabled explicitly.
pub fn default_features() -> WasmFeatures {
    implemented_features().difference(WasmFeatures::THREADS)
}
