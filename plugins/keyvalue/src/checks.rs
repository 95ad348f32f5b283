//! The checks every host function makes before touching the store: resolving a borrowed
//! `bucket` handle (an unknown one traps, as the canonical ABI does), the key and value size
//! limits (`--kv-max-key-size`, `--kv-max-value-size`; an `other` error naming the option, given
//! before anything is read or written, so an oversized batch writes nothing) and write access.

use crate::config::{Access, Config};
use crate::error::KvError;
use crate::session::{BucketRef, Shared};
use wasmedge_plugin_sdk::HostError;

/// The bucket behind a borrowed handle, or a trap.
pub fn bucket(kv: &Shared, handle: u32) -> Result<BucketRef, HostError> {
    kv.buckets.get(handle).ok_or_else(|| {
        HostError::new(format!(
            "wasi:keyvalue: invalid bucket handle {handle} (never opened, or already dropped)"
        ))
    })
}

/// `other(..)` if a key of `len` bytes is over the limit.
pub fn key_len(config: &Config, len: u64) -> Result<(), KvError> {
    if len > config.max_key as u64 {
        return Err(KvError::Other(format!(
            "key of {len} bytes is longer than the limit of {} bytes (--kv-max-key-size)",
            config.max_key
        )));
    }
    Ok(())
}

/// `other(..)` if a value of `len` bytes is over the limit.
pub fn value_len(config: &Config, len: u64) -> Result<(), KvError> {
    if len > config.max_value as u64 {
        return Err(KvError::Other(format!(
            "value of {len} bytes is larger than the limit of {} bytes (--kv-max-value-size)",
            config.max_value
        )));
    }
    Ok(())
}

/// `access-denied` for a write to a read-only bucket (`--kv-bucket NAME:ro`).
pub fn writable(bucket: &BucketRef) -> Result<(), KvError> {
    match bucket.access {
        Access::ReadWrite => Ok(()),
        Access::ReadOnly => Err(KvError::AccessDenied),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Location;

    #[test]
    fn limits_name_their_option() {
        let c = Config {
            location: Location::Dir("/x".into()),
            buckets: vec![],
            max_key: 3,
            max_value: 5,
        };
        assert!(key_len(&c, 3).is_ok());
        let e = key_len(&c, 4).unwrap_err().to_string();
        assert!(e.contains("--kv-max-key-size"), "{e}");
        let e = value_len(&c, 6).unwrap_err().to_string();
        assert!(e.contains("--kv-max-value-size"), "{e}");
        let ro = BucketRef {
            name: "b".into(),
            access: Access::ReadOnly,
        };
        assert_eq!(writable(&ro), Err(KvError::AccessDenied));
    }
}
