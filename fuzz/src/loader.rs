//! The `loader` target: arbitrary bytes through `Module::validate` and `Module::new`.
//!
//! Besides "never panic, never crash", it checks three consistency properties:
//! - a module our loader accepts is also valid for `wasmparser`'s own validator under the same
//!   feature set (our loader must not skip any check);
//! - `Module::validate` and `Module::new` agree on binary input (a module that validates must
//!   compile, and one that does not must not);
//! - the same holds with every implemented feature (threads) enabled.

use crate::{default_features, engine, implemented_features};
use wasmedge_runtime::{MemoryStrategy, Module, Phase, WasmFeatures};

/// Runs one input.
pub fn run(data: &[u8]) {
    let is_binary = data.starts_with(b"\0asm");
    let default_ok = check_validate(data, default_features(), None);
    let all_ok = check_validate(data, implemented_features(), Some(implemented_features()));
    assert!(
        !default_ok || all_ok,
        "valid with the default features but invalid with all of them"
    );
    // Compile under the smallest feature set that accepts the module (text input: default).
    let features = if !default_ok && all_ok {
        Some(implemented_features())
    } else {
        None
    };
    let engine = engine(MemoryStrategy::Auto, features);
    match Module::new(&engine, data) {
        Ok(_) if is_binary => assert!(
            default_ok || all_ok,
            "Module::new accepted a module that Module::validate rejects"
        ),
        Err(e) if is_binary && (default_ok || all_ok) => {
            panic!("Module::validate accepted a module that Module::new rejects: {e}")
        }
        Err(e) => assert!(
            matches!(e.phase(), Phase::Loading | Phase::Validation),
            "unexpected phase for a rejected module: {e}"
        ),
        Ok(_) => {}
    }
}

/// `Module::validate` under `features`, cross-checked against `wasmparser`'s validator.
fn check_validate(data: &[u8], features: WasmFeatures, all: Option<WasmFeatures>) -> bool {
    let engine = engine(MemoryStrategy::Auto, all);
    let ours = Module::validate(&engine, data);
    if ours.is_ok() {
        let reference = wasmparser::Validator::new_with_features(features).validate_all(data);
        if let Err(e) = reference {
            panic!("our loader accepted a module wasmparser rejects: {e}");
        }
    }
    if let Err(e) = &ours {
        assert!(
            matches!(e.phase(), Phase::Loading | Phase::Validation),
            "Module::validate failed in phase {:?}: {e}",
            e.phase()
        );
    }
    ours.is_ok()
}
