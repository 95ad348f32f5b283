//! `crypto_errno`: the error codes every WASI-Crypto function returns (WasmEdge's
//! `thirdparty/wasi_crypto/api.hpp`, values 0..=30).
//!
//! Only the named values below may ever reach a guest (the public guest crate panics on any
//! other value). This module must not map host details (ring's errors, memory faults) itself:
//! callers pick the code that describes the guest-visible failure.

/// A WASI-Crypto error code (non-zero; success is represented by `Ok`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

/// The result of a host operation.
pub type CResult<T> = Result<T, Errno>;

#[allow(dead_code)]
impl Errno {
    pub const GUEST_ERROR: Errno = Errno(1);
    pub const NOT_IMPLEMENTED: Errno = Errno(2);
    pub const UNSUPPORTED_FEATURE: Errno = Errno(3);
    pub const PROHIBITED_OPERATION: Errno = Errno(4);
    pub const UNSUPPORTED_ENCODING: Errno = Errno(5);
    pub const UNSUPPORTED_ALGORITHM: Errno = Errno(6);
    pub const UNSUPPORTED_OPTION: Errno = Errno(7);
    pub const INVALID_KEY: Errno = Errno(8);
    pub const INVALID_LENGTH: Errno = Errno(9);
    pub const VERIFICATION_FAILED: Errno = Errno(10);
    pub const RNG_ERROR: Errno = Errno(11);
    pub const ALGORITHM_FAILURE: Errno = Errno(12);
    pub const INVALID_SIGNATURE: Errno = Errno(13);
    pub const CLOSED: Errno = Errno(14);
    pub const INVALID_HANDLE: Errno = Errno(15);
    pub const OVERFLOW: Errno = Errno(16);
    pub const INTERNAL_ERROR: Errno = Errno(17);
    pub const TOO_MANY_HANDLES: Errno = Errno(18);
    pub const KEY_NOT_SUPPORTED: Errno = Errno(19);
    pub const KEY_REQUIRED: Errno = Errno(20);
    pub const INVALID_TAG: Errno = Errno(21);
    pub const INVALID_OPERATION: Errno = Errno(22);
    pub const NONCE_REQUIRED: Errno = Errno(23);
    pub const INVALID_NONCE: Errno = Errno(24);
    pub const OPTION_NOT_SET: Errno = Errno(25);
    pub const NOT_FOUND: Errno = Errno(26);
    pub const PARAMETERS_MISSING: Errno = Errno(27);
    pub const IN_PROGRESS: Errno = Errno(28);
    pub const INCOMPATIBLE_KEYS: Errno = Errno(29);
    pub const EXPIRED: Errno = Errno(30);
}

/// The wasm result of a host function: 0 or the error code.
pub fn to_i32(r: CResult<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(Errno(e)) => i32::from(e),
    }
}
