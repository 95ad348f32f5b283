//! A small key-value CLI over `wasi:keyvalue`:
//!
//! ```text
//! kv-cli get BUCKET KEY            print the value (or "(none)")
//! kv-cli set BUCKET KEY VALUE
//! kv-cli delete BUCKET KEY
//! kv-cli exists BUCKET KEY         print true / false
//! kv-cli list BUCKET               print every key, one a line (pages through list-keys)
//! kv-cli dump BUCKET               print every key=value, sorted
//! kv-cli incr BUCKET KEY DELTA     print the new value
//! kv-cli fill BUCKET [COUNT]       set n<i> = value-<i> for i = 0.. (forever without COUNT),
//!                                  printing each i once the store acknowledged it
//! kv-cli incr-loop BUCKET KEY N    increment KEY by 1, N times
//! kv-cli cas-loop BUCKET KEY N     add 1 to KEY N times with compare-and-swap (retrying)
//! kv-cli bench BUCKET N            time N sets and N gets of 100-byte values
//! ```
//!
//! Errors are printed as `error: <wit name>` on stderr with exit code 1.

use keyvalue_guests::{atomics, describe, store};
use std::io::Write;
use std::time::Instant;

fn fail(what: &str, e: &store::Error) -> ! {
    eprintln!("error: {what}: {}", describe(e));
    std::process::exit(1)
}

fn all_keys(bucket: &store::Bucket) -> Vec<String> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = bucket
            .list_keys(cursor.as_deref())
            .unwrap_or_else(|e| fail("list-keys", &e));
        keys.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn cas_add_one(bucket: &store::Bucket, key: &str) {
    let mut cas = atomics::Cas::new(bucket, key).unwrap_or_else(|e| fail("cas.new", &e));
    loop {
        let current = cas.current().unwrap_or_else(|e| fail("cas.current", &e));
        let n: i64 = match current {
            None => 0,
            Some(bytes) => String::from_utf8(bytes)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| fail("cas", &store::Error::Other("not a number".into()))),
        };
        match atomics::swap(cas, (n + 1).to_string().as_bytes()) {
            Ok(()) => return,
            Err(atomics::CasError::CasFailed(fresh)) => cas = fresh,
            Err(atomics::CasError::StoreError(e)) => fail("swap", &e),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str {
        args.get(i).map(String::as_str).unwrap_or_else(|| {
            eprintln!("usage: kv-cli COMMAND BUCKET [ARGS...] (see the source)");
            std::process::exit(2)
        })
    };
    let command = arg(0);
    let bucket = store::open(arg(1)).unwrap_or_else(|e| fail("open", &e));
    let mut out = std::io::stdout().lock();
    match command {
        "get" => match bucket.get(arg(2)).unwrap_or_else(|e| fail("get", &e)) {
            Some(v) => writeln!(out, "{}", String::from_utf8_lossy(&v)),
            None => writeln!(out, "(none)"),
        }
        .unwrap(),
        "set" => bucket
            .set(arg(2), arg(3).as_bytes())
            .unwrap_or_else(|e| fail("set", &e)),
        "delete" => bucket.delete(arg(2)).unwrap_or_else(|e| fail("delete", &e)),
        "exists" => {
            let yes = bucket.exists(arg(2)).unwrap_or_else(|e| fail("exists", &e));
            writeln!(out, "{yes}").unwrap();
        }
        "list" => {
            for k in all_keys(&bucket) {
                writeln!(out, "{k}").unwrap();
            }
        }
        "dump" => {
            for k in all_keys(&bucket) {
                let v = bucket.get(&k).unwrap_or_else(|e| fail("get", &e));
                let v = v.map(|v| String::from_utf8_lossy(&v).into_owned());
                writeln!(out, "{k}={}", v.unwrap_or_else(|| "(none)".into())).unwrap();
            }
        }
        "incr" => {
            let delta: i64 = arg(3).parse().expect("DELTA is an integer");
            let n = atomics::increment(&bucket, arg(2), delta)
                .unwrap_or_else(|e| fail("increment", &e));
            writeln!(out, "{n}").unwrap();
        }
        "fill" => {
            let count: u64 = args.get(2).map_or(u64::MAX, |c| c.parse().expect("COUNT"));
            let mut i = 0;
            while i < count {
                bucket
                    .set(&format!("n{i}"), format!("value-{i}").as_bytes())
                    .unwrap_or_else(|e| fail("set", &e));
                // Printed (and flushed) only after the store acknowledged the write.
                writeln!(out, "{i}").unwrap();
                out.flush().unwrap();
                i += 1;
            }
        }
        "incr-loop" => {
            let n: u64 = arg(3).parse().expect("N");
            for _ in 0..n {
                atomics::increment(&bucket, arg(2), 1).unwrap_or_else(|e| fail("increment", &e));
            }
        }
        "cas-loop" => {
            let n: u64 = arg(3).parse().expect("N");
            for _ in 0..n {
                cas_add_one(&bucket, arg(2));
            }
        }
        "bench" => {
            let n: usize = arg(2).parse().expect("N");
            let value = vec![b'x'; 100];
            let start = Instant::now();
            for i in 0..n {
                bucket
                    .set(&format!("bench-{i}"), &value)
                    .unwrap_or_else(|e| fail("set", &e));
            }
            let set_secs = start.elapsed().as_secs_f64();
            let start = Instant::now();
            for i in 0..n {
                let v = bucket
                    .get(&format!("bench-{i}"))
                    .unwrap_or_else(|e| fail("get", &e));
                assert_eq!(v.as_deref(), Some(&value[..]), "bench-{i} read back wrong");
            }
            let get_secs = start.elapsed().as_secs_f64();
            writeln!(
                out,
                "ops={n} set_seconds={set_secs:.3} get_seconds={get_secs:.3} \
                 set_ops_per_sec={:.0} get_ops_per_sec={:.0}",
                n as f64 / set_secs,
                n as f64 / get_secs
            )
            .unwrap();
        }
        other => {
            eprintln!("kv-cli: unknown command {other}");
            std::process::exit(2);
        }
    }
}
