//! wasm-smith configurations: swarm testing (`Config::arbitrary` picks limits and which
//! instruction kinds and proposals appear) clamped to what the runtime implements by default
//! (`loader::features::default_features`: Wasm 2.0 + extended-const, tail calls,
//! multi-memory, SIMD, relaxed SIMD — no GC, exceptions, memory64, wide arithmetic, custom page
//! sizes, compact imports or components), plus threads for `compile_instantiate` (the runtime
//! implements them behind a flag; wasmi, the differential oracle, does not).

use arbitrary::{Arbitrary, Result, Unstructured};
use wasm_smith::Config;

/// The fuel (loop iterations plus function entries, summed over every call into the instance)
/// that `ensure_termination` grants a generated module; then it executes `unreachable`.
pub const FUEL: u32 = 1000;

/// Largest memory (initial or maximum) wasm-smith may declare: 16 MiB = 256 pages.
const MAX_MEMORY_BYTES: u64 = 16 << 20;

/// Turns off every proposal the runtime does not implement by default.
fn restrict_to_runtime(config: &mut Config) {
    config.gc_enabled = false;
    config.exceptions_enabled = false;
    config.memory64_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.custom_descriptors_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.compact_imports_enabled = false;
    config.max_components = 0;
    config.max_instances = 0;
    config.max_modules = 0;
    config.max_tags = 0;
    // Keep modules small enough that one iteration stays in the millisecond range.
    config.max_funcs = config.max_funcs.min(100);
    config.max_memories = config.max_memories.min(4);
    config.max_tables = config.max_tables.min(4);
    config.max_memory32_bytes = config.max_memory32_bytes.min(MAX_MEMORY_BYTES);
    config.max_table_elements = config.max_table_elements.min(10_000);
    config.max_data_segments = config.max_data_segments.min(100);
    config.max_element_segments = config.max_element_segments.min(100);
}

/// The configuration for `compile_instantiate`: anything the runtime accepts by default,
/// imports allowed (satisfied by dummies).
/// Threads (shared memories, atomics, wait/notify) are kept when swarm testing picks them: the
/// runtime implements them behind `--enable-threads`, and the target then uses an engine with
/// every implemented feature.
pub fn compile_instantiate_config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut config = Config::arbitrary(u)?;
    let threads = config.threads_enabled;
    restrict_to_runtime(&mut config);
    config.threads_enabled = threads;
    config.max_imports = config.max_imports.min(20);
    // Export every function (so that calls reach all of them), memory, table and global.
    config.export_everything = true;
    Ok(config)
}

/// The configuration for `differential`: deterministic modules only.
///
/// - NaN canonicalisation on (NaN payloads are nondeterministic in Wasm).
/// - No relaxed SIMD (its results are implementation-defined by design).
/// - No imports (every entity is defined by the module, identically in both engines).
/// - Memories and tables always declare a maximum, so `memory.grow`/`table.grow` succeed or
///   fail identically (no engine-specific resource limit is involved).
pub fn differential_config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut config = Config::arbitrary(u)?;
    restrict_to_runtime(&mut config);
    config.canonicalize_nans = true;
    config.relaxed_simd_enabled = false;
    config.max_imports = 0;
    config.memory_max_size_required = true;
    config.table_max_size_required = true;
    // Export every function, memory, table and global: all of them are compared.
    config.export_everything = true;
    Ok(config)
}

/// Generates a module with `config` and makes it terminate (fuel counter in a global).
/// `None` when the input is too short to make a module.
pub fn module(config: Config, u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let mut module = wasm_smith::Module::new(config, u).ok()?;
    module.ensure_termination(FUEL).ok()?;
    Some(module.to_bytes())
}
