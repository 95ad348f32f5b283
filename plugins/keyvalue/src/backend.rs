//! The storage interface both backends implement ([`Backend`]), the counter encoding shared by
//! them (decimal ASCII, as wasmtime's provider and Redis's `INCRBY` store it), and opening the
//! backend a [`Config`] names.
//!
//! No guest memory here: arguments arrive as owned Rust values, already checked against the
//! size limits.

use crate::config::{Config, Location};
use crate::error::{KvError, KvResult};
use std::sync::Arc;

/// How many keys one `list-keys` page holds at most.
pub const PAGE_SIZE: usize = 100;

/// One page of `list-keys`: the keys and the cursor of the next page (`None`: no more).
pub type Page = (Vec<String>, Option<String>);

/// A key-value store holding isolated buckets. Every method that returns `Ok` for a write has
/// made it durable (redb) or acknowledged by the server (Redis).
pub trait Backend: Send + Sync {
    /// `get`: `None` for a missing key.
    fn get(&self, bucket: &str, key: &str) -> KvResult<Option<Vec<u8>>>;
    /// `set`: create or overwrite.
    fn set(&self, bucket: &str, key: &str, value: &[u8]) -> KvResult<()>;
    /// `delete`: a missing key is not an error.
    fn delete(&self, bucket: &str, key: &str) -> KvResult<()>;
    /// `exists`.
    fn exists(&self, bucket: &str, key: &str) -> KvResult<bool>;
    /// One page of keys after `cursor` (`None`: from the start).
    fn list_keys(&self, bucket: &str, cursor: Option<&str>) -> KvResult<Page>;
    /// Atomically adds `delta` (a missing key counts as 0) and returns the new value.
    fn increment(&self, bucket: &str, key: &str, delta: i64) -> KvResult<i64>;
    /// Atomically writes `value` if the key's value is still `expected` (`None`: absent).
    /// `Ok(false)`: it was not, nothing was written.
    fn compare_and_swap(
        &self,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> KvResult<bool>;
    /// `get-many`: one slot per key, in order.
    fn get_many(&self, bucket: &str, keys: &[String]) -> KvResult<Vec<Option<Vec<u8>>>>;
    /// `set-many`.
    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> KvResult<()>;
    /// `delete-many`.
    fn delete_many(&self, bucket: &str, keys: &[String]) -> KvResult<()>;
}

/// Opens the backend `config` names.
pub fn open(config: &Config) -> KvResult<Arc<dyn Backend>> {
    Ok(match &config.location {
        Location::Dir(dir) => Arc::new(crate::redb_backend::RedbBackend::open(dir)?),
        Location::Redis(url) => Arc::new(crate::redis_backend::RedisBackend::connect(url)?),
    })
}

/// The counter in a stored value (decimal ASCII, optional leading `-`).
pub fn parse_counter(key: &str, bytes: &[u8]) -> KvResult<i64> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| {
            KvError::other(format!(
                "increment: the value of \"{key}\" is not a decimal 64-bit integer"
            ))
        })
}

/// `current + delta`, or an overflow error.
pub fn add_counter(key: &str, current: i64, delta: i64) -> KvResult<i64> {
    current.checked_add(delta).ok_or_else(|| {
        KvError::other(format!(
            "increment: {current} + {delta} overflows a 64-bit integer (key \"{key}\")"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_decimal() {
        assert_eq!(parse_counter("k", b"-42"), Ok(-42));
        assert!(parse_counter("k", b"4x").is_err());
        assert!(parse_counter("k", b"\xff").is_err());
        assert_eq!(add_counter("k", 1, -3), Ok(-2));
        assert!(add_counter("k", i64::MAX, 1).is_err());
    }
}
