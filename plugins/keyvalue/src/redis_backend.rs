//! The distributed backend: a Redis server (`--kv-url redis://HOST:PORT/DB`). A bucket is the key
//! prefix `wasi-kv:<bucket>:` (bucket names have no glob or `:` characters, so the prefix is
//! unambiguous and safe in a `SCAN MATCH` pattern).
//!
//! Atomicity comes from Redis: `INCRBY` for `increment`, a Lua script (`EVAL`, one atomic step
//! on the server) for compare-and-swap, `MGET`/`MSET`/`DEL` for the batches, `SCAN` for paging.
//! One connection per session, behind a mutex, re-established after an I/O error. Must not
//! keep any data outside Redis.

use crate::backend::{Backend, PAGE_SIZE, Page};
use crate::error::{KvError, KvResult};
use redis::{Client, Connection, ErrorKind, RedisError, Value, cmd};
use std::sync::Mutex;
use std::time::Duration;

/// Compare-and-swap on the server: KEYS[1] = key; ARGV[1] = "1" if a value is expected (ARGV[2])
/// or "0" if the key must be absent; ARGV[3] = the new value. Returns 1 if written, 0 if not.
const CAS_SCRIPT: &str = r#"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
"#;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The Redis store.
pub struct RedisBackend {
    client: Client,
    conn: Mutex<Option<Connection>>,
}

/// The Redis key of `key` in `bucket`.
fn redis_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + bucket.len() + 1 + key.len());
    k.extend_from_slice(b"wasi-kv:");
    k.extend_from_slice(bucket.as_bytes());
    k.push(b':');
    k.extend_from_slice(key.as_bytes());
    k
}

/// A Redis error as a `wasi:keyvalue` error.
fn err(what: &str, e: &RedisError) -> KvError {
    let code = e.code().unwrap_or("");
    if matches!(code, "NOPERM" | "NOAUTH" | "WRONGPASS")
        || e.kind() == ErrorKind::AuthenticationFailed
    {
        KvError::AccessDenied
    } else {
        KvError::Other(format!("{what}: redis: {e}"))
    }
}

impl RedisBackend {
    /// Connects to `url` (checked with a `PING`).
    pub fn connect(url: &str) -> KvResult<RedisBackend> {
        let client =
            Client::open(url).map_err(|e| KvError::Other(format!("--kv-url {url}: {e}")))?;
        let backend = RedisBackend {
            client,
            conn: Mutex::new(None),
        };
        backend.with("connect", |c| cmd("PING").query::<String>(c))?;
        Ok(backend)
    }

    /// Runs `f` on the connection (connecting first if needed); an I/O error drops the
    /// connection so that the next call reconnects.
    fn with<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> KvResult<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let conn = self
                .client
                .get_connection_with_timeout(CONNECT_TIMEOUT)
                .map_err(|e| err(&format!("{what}: connecting"), &e))?;
            *guard = Some(conn);
        }
        let conn = guard.as_mut().expect("connected above");
        match f(conn) {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() {
                    *guard = None;
                }
                Err(err(what, &e))
            }
        }
    }
}

/// The bytes of a bulk-string reply, or `None` for nil.
fn bytes_of(what: &str, v: Value) -> KvResult<Option<Vec<u8>>> {
    match v {
        Value::Nil => Ok(None),
        Value::BulkString(b) => Ok(Some(b)),
        Value::SimpleString(s) => Ok(Some(s.into_bytes())),
        other => Err(KvError::Other(format!(
            "{what}: unexpected reply from redis: {other:?}"
        ))),
    }
}

impl Backend for RedisBackend {
    fn get(&self, bucket: &str, key: &str) -> KvResult<Option<Vec<u8>>> {
        let v = self.with("get", |c| cmd("GET").arg(redis_key(bucket, key)).query(c))?;
        bytes_of("get", v)
    }

    fn set(&self, bucket: &str, key: &str, value: &[u8]) -> KvResult<()> {
        self.with("set", |c| {
            cmd("SET").arg(redis_key(bucket, key)).arg(value).query(c)
        })
    }

    fn delete(&self, bucket: &str, key: &str) -> KvResult<()> {
        self.with("delete", |c| {
            cmd("DEL").arg(redis_key(bucket, key)).query::<i64>(c)
        })
        .map(drop)
    }

    fn exists(&self, bucket: &str, key: &str) -> KvResult<bool> {
        let n: i64 = self.with("exists", |c| {
            cmd("EXISTS").arg(redis_key(bucket, key)).query(c)
        })?;
        Ok(n > 0)
    }

    fn list_keys(&self, bucket: &str, cursor: Option<&str>) -> KvResult<Page> {
        let start: u64 = match cursor {
            None => 0,
            Some(c) => c.parse().map_err(|_| {
                KvError::other(format!(
                    "list-keys: invalid cursor \"{c}\" (pass back the cursor of the previous page)"
                ))
            })?,
        };
        let prefix = redis_key(bucket, "");
        let mut pattern = prefix.clone();
        pattern.push(b'*');
        // SCAN may return an empty page with a non-zero cursor; the guest simply asks again.
        let (next, raw): (u64, Vec<Vec<u8>>) = self.with("list-keys", |c| {
            cmd("SCAN")
                .arg(start)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(PAGE_SIZE)
                .query(c)
        })?;
        let mut keys = Vec::with_capacity(raw.len());
        for k in raw {
            let rest = k.strip_prefix(prefix.as_slice()).unwrap_or(&k);
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    if !keys.iter().any(|x: &String| x == s) {
                        keys.push(s.to_string());
                    }
                }
                // Written by something other than this plug-in; not a wasi:keyvalue key.
                Err(_) => continue,
            }
        }
        Ok((keys, (next != 0).then(|| next.to_string())))
    }

    fn increment(&self, bucket: &str, key: &str, delta: i64) -> KvResult<i64> {
        self.with("increment", |c| {
            cmd("INCRBY")
                .arg(redis_key(bucket, key))
                .arg(delta)
                .query(c)
        })
    }

    fn compare_and_swap(
        &self,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> KvResult<bool> {
        let n: i64 = self.with("swap", |c| {
            cmd("EVAL")
                .arg(CAS_SCRIPT)
                .arg(1)
                .arg(redis_key(bucket, key))
                .arg(if expected.is_some() { "1" } else { "0" })
                .arg(expected.unwrap_or(b""))
                .arg(value)
                .query(c)
        })?;
        Ok(n == 1)
    }

    fn get_many(&self, bucket: &str, keys: &[String]) -> KvResult<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = cmd("MGET");
        for k in keys {
            c.arg(redis_key(bucket, k));
        }
        let values: Vec<Value> = self.with("get-many", |conn| c.query(conn))?;
        if values.len() != keys.len() {
            return Err(KvError::other(
                "get-many: redis returned a wrong number of values",
            ));
        }
        values
            .into_iter()
            .map(|v| bytes_of("get-many", v))
            .collect()
    }

    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> KvResult<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let mut c = cmd("MSET");
        for (k, v) in pairs {
            c.arg(redis_key(bucket, k)).arg(v.as_slice());
        }
        self.with("set-many", |conn| c.query(conn))
    }

    fn delete_many(&self, bucket: &str, keys: &[String]) -> KvResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut c = cmd("DEL");
        for k in keys {
            c.arg(redis_key(bucket, k));
        }
        self.with("delete-many", |conn| c.query::<i64>(conn))
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_by_bucket() {
        assert_eq!(redis_key("b", "k"), b"wasi-kv:b:k");
        assert_eq!(redis_key("b", ""), b"wasi-kv:b:");
    }
}
