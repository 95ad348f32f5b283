//! The WebAssembly spec-test runner: executes `.wast` scripts against `wasmedge_runtime`.
//!
//! Layout: `suites` (which files, which features) → `harness` (worker thread, panic
//! containment, engines) → `script` (directive semantics) → `context` (store, linker,
//! instances) with `values` (argument/result conversion and matching), `traps` (trap message
//! matching) and `spectest` (the host module); `report` holds results. This module only wires
//! them together and must not contain logic of its own.

pub mod context;
pub mod harness;
pub mod report;
pub mod script;
pub mod spectest;
pub mod suites;
pub mod traps;
pub mod values;

pub use harness::{
    Engines, WastFile, default_features, new_engine, run_all_expect_pass, run_file, run_files,
};
pub use report::{Failure, FileReport, Totals};
pub use script::run_script;
pub use suites::{dir_files, features_by_name, filter, proposal_files, suite_files};
