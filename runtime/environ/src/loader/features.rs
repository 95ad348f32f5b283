//! The WebAssembly feature sets this runtime implements, the proposals' names (as the
//! `--enable-<name>` switches spell them) and which proposals need which.
//!
//! Pure data: must not depend on the compiler. Every feature listed as implemented here must be
//! translated by the compiler (`wasmedge-cranelift`).

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

/// Proposal names and their features, as WasmEdge's `--enable-*`/`--disable-*` switches name
/// them.
pub const PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("multi-value", WasmFeatures::MULTI_VALUE),
    ("sign-extension", WasmFeatures::SIGN_EXTENSION),
    (
        "saturating-float-to-int",
        WasmFeatures::SATURATING_FLOAT_TO_INT,
    ),
    ("bulk-memory", WasmFeatures::BULK_MEMORY),
    ("reference-types", WasmFeatures::REFERENCE_TYPES),
    ("simd", WasmFeatures::SIMD),
    ("relaxed-simd", WasmFeatures::RELAXED_SIMD),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("threads", WasmFeatures::THREADS),
    ("memory64", WasmFeatures::MEMORY64),
    ("function-reference", WasmFeatures::FUNCTION_REFERENCES),
    ("gc", WasmFeatures::GC),
    ("exception-handling", WasmFeatures::EXCEPTIONS),
];

/// The features a proposal cannot be validated without.
pub fn implied_by(feature: WasmFeatures) -> WasmFeatures {
    let mut needs = WasmFeatures::empty();
    if feature.intersects(WasmFeatures::RELAXED_SIMD) {
        needs |= WasmFeatures::SIMD;
    }
    if feature.intersects(WasmFeatures::REFERENCE_TYPES) {
        needs |= WasmFeatures::BULK_MEMORY;
    }
    if feature.intersects(WasmFeatures::FUNCTION_REFERENCES | WasmFeatures::GC) {
        needs |= WasmFeatures::REFERENCE_TYPES | WasmFeatures::BULK_MEMORY;
    }
    if feature.intersects(WasmFeatures::GC) {
        needs |= WasmFeatures::FUNCTION_REFERENCES;
    }
    needs
}
