//! Test support for wasmedge-rs: the WebAssembly spec-test runner ([`spec`]) used by the
//! `spec-runner` binary, `cargo xtask spec` and the `spec_v1` integration test; a small JSON
//! reader ([`json`]) for the WASI test suite's specification files; waiting for child processes
//! under a deadline ([`process`]) for the integration tests.
//!
//! Must not depend on runtime internals: only the public `wasmedge_runtime` API.

pub mod json;
pub mod process;
pub mod spec;
