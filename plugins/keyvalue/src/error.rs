//! The `wasi:keyvalue/store.error` variant as the backends report it, and the mapping of
//! storage-library errors onto it. Data only: lowering it into guest memory is `abi`'s job.

use std::fmt;

/// `variant error { no-such-store, access-denied, other(string) }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvError {
    /// The bucket identifier is unknown (or not well formed, or not allowed by `--kv-bucket`).
    NoSuchStore,
    /// The caller may not do this (read-only bucket, file or Redis permissions).
    AccessDenied,
    /// Anything else, with a message for the guest.
    Other(String),
}

/// A backend result.
pub type KvResult<T> = Result<T, KvError>;

impl KvError {
    /// `other(message)`.
    pub fn other(message: impl Into<String>) -> KvError {
        KvError::Other(message.into())
    }

    /// The variant's discriminant in the canonical ABI (declaration order).
    pub fn discriminant(&self) -> u8 {
        match self {
            KvError::NoSuchStore => 0,
            KvError::AccessDenied => 1,
            KvError::Other(_) => 2,
        }
    }
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvError::NoSuchStore => f.write_str("no such store"),
            KvError::AccessDenied => f.write_str("access denied"),
            KvError::Other(m) => f.write_str(m),
        }
    }
}

/// Maps an I/O error: permission problems are `access-denied`, the rest `other`.
pub fn from_io(what: &str, e: &std::io::Error) -> KvError {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        KvError::AccessDenied
    } else {
        KvError::Other(format!("{what}: {e}"))
    }
}
