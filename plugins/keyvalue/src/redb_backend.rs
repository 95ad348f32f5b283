//! The embedded backend: one redb database file (`keyvalue.redb` in the `--kv-dir` folder), one
//! table per bucket (`bucket/<name>`, `&str` keys, byte values).
//!
//! Several processes share the file through redb's `ConcurrencyMode::MultiWriter` (redb 4.5+):
//! each process keeps the database open; write transactions are serialised across processes by
//! redb's file locks, so a read-modify-write inside one write transaction (`increment`,
//! compare-and-swap) is atomic across every process and thread. Every write commits with
//! `Durability::Immediate` (fsync before `commit` returns), so an acknowledged write survives
//! `kill -9` of the runtime. Must not cache anything outside transactions.

use crate::backend::{Backend, PAGE_SIZE, Page, add_counter, parse_counter};
use crate::config::DB_FILE;
use crate::error::{KvError, KvResult, from_io};
use redb::{
    ConcurrencyMode, Database, Durability, ReadableDatabase, ReadableTable, TableDefinition,
    TableError, WriteTransaction,
};
use std::ops::Bound;
use std::path::Path;

/// The redb store.
pub struct RedbBackend {
    db: Database,
}

/// The table name of a bucket.
fn table_name(bucket: &str) -> String {
    format!("bucket/{bucket}")
}

/// A redb error as a `wasi:keyvalue` error.
fn err(what: &str, e: impl Into<redb::Error>) -> KvError {
    match e.into() {
        redb::Error::Io(io) => from_io(what, &io),
        other => KvError::Other(format!("{what}: {other}")),
    }
}

impl RedbBackend {
    /// Opens (creating it and its folder if needed) `dir/keyvalue.redb`.
    pub fn open(dir: &Path) -> KvResult<RedbBackend> {
        std::fs::create_dir_all(dir)
            .map_err(|e| from_io(&format!("creating the store folder {}", dir.display()), &e))?;
        let path = dir.join(DB_FILE);
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .create(&path)
            .map_err(|e| err(&format!("opening {}", path.display()), e))?;
        Ok(RedbBackend { db })
    }

    /// Runs `body` in a write transaction of its own and commits it durably.
    fn write<T>(
        &self,
        what: &str,
        body: impl FnOnce(&WriteTransaction) -> KvResult<T>,
    ) -> KvResult<T> {
        let mut txn = self.db.begin_write().map_err(|e| err(what, e))?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| KvError::Other(format!("{what}: {e}")))?;
        let out = body(&txn)?;
        txn.commit().map_err(|e| err(what, e))?;
        Ok(out)
    }

    /// Runs `body` on the bucket's table in a read transaction; `None` if the table does not
    /// exist yet (nothing was ever written to the bucket).
    fn read<T>(
        &self,
        what: &str,
        bucket: &str,
        body: impl FnOnce(&redb::ReadOnlyTable<&str, &[u8]>) -> KvResult<T>,
    ) -> KvResult<Option<T>> {
        let name = table_name(bucket);
        let txn = self.db.begin_read().map_err(|e| err(what, e))?;
        match txn.open_table(TableDefinition::<&str, &[u8]>::new(&name)) {
            Ok(table) => body(&table).map(Some),
            Err(TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(err(what, e)),
        }
    }
}

/// The value at `key` in a readable table.
fn lookup(
    what: &str,
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> KvResult<Option<Vec<u8>>> {
    Ok(table
        .get(key)
        .map_err(|e| err(what, e))?
        .map(|v| v.value().to_vec()))
}

impl Backend for RedbBackend {
    fn get(&self, bucket: &str, key: &str) -> KvResult<Option<Vec<u8>>> {
        Ok(self
            .read("get", bucket, |t| lookup("get", t, key))?
            .flatten())
    }

    fn set(&self, bucket: &str, key: &str, value: &[u8]) -> KvResult<()> {
        self.set_many_inner("set", bucket, std::iter::once((key, value)))
    }

    fn delete(&self, bucket: &str, key: &str) -> KvResult<()> {
        self.delete_many_inner("delete", bucket, std::iter::once(key))
    }

    fn exists(&self, bucket: &str, key: &str) -> KvResult<bool> {
        Ok(self
            .read("exists", bucket, |t| {
                Ok(t.get(key).map_err(|e| err("exists", e))?.is_some())
            })?
            .unwrap_or(false))
    }

    fn list_keys(&self, bucket: &str, cursor: Option<&str>) -> KvResult<Page> {
        let page = self.read("list-keys", bucket, |t| {
            let start = match cursor {
                Some(c) => Bound::Excluded(c),
                None => Bound::Unbounded,
            };
            let range = t
                .range::<&str>((start, Bound::Unbounded))
                .map_err(|e| err("list-keys", e))?;
            let mut keys = Vec::new();
            let mut more = false;
            for entry in range {
                let (k, _) = entry.map_err(|e| err("list-keys", e))?;
                if keys.len() == PAGE_SIZE {
                    more = true;
                    break;
                }
                keys.push(k.value().to_string());
            }
            let next = if more { keys.last().cloned() } else { None };
            Ok((keys, next))
        })?;
        Ok(page.unwrap_or_default())
    }

    fn increment(&self, bucket: &str, key: &str, delta: i64) -> KvResult<i64> {
        let name = table_name(bucket);
        self.write("increment", |txn| {
            let mut table = txn
                .open_table(TableDefinition::<&str, &[u8]>::new(&name))
                .map_err(|e| err("increment", e))?;
            let current = match lookup("increment", &table, key)? {
                Some(bytes) => parse_counter(key, &bytes)?,
                None => 0,
            };
            let new = add_counter(key, current, delta)?;
            table
                .insert(key, new.to_string().as_bytes())
                .map_err(|e| err("increment", e))?;
            Ok(new)
        })
    }

    fn compare_and_swap(
        &self,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> KvResult<bool> {
        let name = table_name(bucket);
        let mut txn = self.db.begin_write().map_err(|e| err("swap", e))?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| KvError::Other(format!("swap: {e}")))?;
        let swapped = {
            let mut table = txn
                .open_table(TableDefinition::<&str, &[u8]>::new(&name))
                .map_err(|e| err("swap", e))?;
            let current = lookup("swap", &table, key)?;
            if current.as_deref() == expected {
                table.insert(key, value).map_err(|e| err("swap", e))?;
                true
            } else {
                false
            }
        };
        if swapped {
            txn.commit().map_err(|e| err("swap", e))?;
        } else {
            txn.abort().map_err(|e| err("swap", e))?;
        }
        Ok(swapped)
    }

    fn get_many(&self, bucket: &str, keys: &[String]) -> KvResult<Vec<Option<Vec<u8>>>> {
        let values = self.read("get-many", bucket, |t| {
            keys.iter().map(|k| lookup("get-many", t, k)).collect()
        })?;
        Ok(values.unwrap_or_else(|| vec![None; keys.len()]))
    }

    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> KvResult<()> {
        self.set_many_inner(
            "set-many",
            bucket,
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
        )
    }

    fn delete_many(&self, bucket: &str, keys: &[String]) -> KvResult<()> {
        self.delete_many_inner("delete-many", bucket, keys.iter().map(String::as_str))
    }
}

impl RedbBackend {
    fn set_many_inner<'a>(
        &self,
        what: &str,
        bucket: &str,
        pairs: impl Iterator<Item = (&'a str, &'a [u8])>,
    ) -> KvResult<()> {
        let name = table_name(bucket);
        self.write(what, |txn| {
            let mut table = txn
                .open_table(TableDefinition::<&str, &[u8]>::new(&name))
                .map_err(|e| err(what, e))?;
            for (k, v) in pairs {
                table.insert(k, v).map_err(|e| err(what, e))?;
            }
            Ok(())
        })
    }

    fn delete_many_inner<'a>(
        &self,
        what: &str,
        bucket: &str,
        keys: impl Iterator<Item = &'a str>,
    ) -> KvResult<()> {
        let name = table_name(bucket);
        self.write(what, |txn| {
            let mut table = txn
                .open_table(TableDefinition::<&str, &[u8]>::new(&name))
                .map_err(|e| err(what, e))?;
            for k in keys {
                table.remove(k).map_err(|e| err(what, e))?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("kv-redb-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn buckets_are_isolated_and_pages_chain() {
        let dir = temp("pages");
        let db = RedbBackend::open(&dir).unwrap();
        for i in 0..250 {
            db.set("a", &format!("k{i:03}"), b"v").unwrap();
        }
        db.set("b", "k000", b"other").unwrap();
        assert_eq!(db.get("a", "k000").unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(db.get("b", "k000").unwrap().as_deref(), Some(&b"other"[..]));
        assert_eq!(db.get("c", "k000").unwrap(), None);
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let (keys, next) = db.list_keys("a", cursor.as_deref()).unwrap();
            all.extend(keys);
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(all.len(), 250);
        assert_eq!(db.list_keys("nothing", None).unwrap(), (vec![], None));
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn counters_and_cas() {
        let dir = temp("cas");
        let db = RedbBackend::open(&dir).unwrap();
        assert_eq!(db.increment("a", "n", 5).unwrap(), 5);
        assert_eq!(db.increment("a", "n", -7).unwrap(), -2);
        db.set("a", "s", b"text").unwrap();
        assert!(db.increment("a", "s", 1).is_err());
        assert_eq!(db.get("a", "s").unwrap().as_deref(), Some(&b"text"[..]));
        assert!(db.compare_and_swap("a", "c", None, b"1").unwrap());
        assert!(!db.compare_and_swap("a", "c", None, b"2").unwrap());
        assert!(db.compare_and_swap("a", "c", Some(b"1"), b"2").unwrap());
        assert_eq!(db.get("a", "c").unwrap().as_deref(), Some(&b"2"[..]));
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
