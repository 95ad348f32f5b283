//! The `wasi:keyvalue` conformance suite, run unchanged against every backend:
//! `kv-suite PREFIX` uses the buckets `PREFIX-a`, `PREFIX-b` and `PREFIX-pages` (which must be
//! empty) and expects the runtime to run with `--kv-max-key-size 64 --kv-max-value-size 1024`.
//! Prints `PASS <check>` per check and `kv-suite: all N checks passed` at the end; the first
//! failed check panics (non-zero exit) with what differed.

use keyvalue_guests::{atomics, batch, describe, store};
use store::Error;

struct Suite {
    passed: usize,
}

impl Suite {
    fn pass(&mut self, name: &str) {
        self.passed += 1;
        println!("PASS {name}");
    }
}

fn other_containing<T: std::fmt::Debug>(r: Result<T, Error>, needle: &str) {
    match r {
        Err(Error::Other(m)) if m.contains(needle) => {}
        other => panic!("expected other(..{needle}..), got {other:?}"),
    }
}

fn main() {
    let prefix = std::env::args().nth(1).expect("usage: kv-suite PREFIX");
    let mut s = Suite { passed: 0 };
    let a = store::open(&format!("{prefix}-a")).expect("open a");
    let b = store::open(&format!("{prefix}-b")).expect("open b");

    // open: malformed identifiers are unknown stores.
    for bad in ["bad name", "x*", "a:b", &"x".repeat(65)] {
        match store::open(bad) {
            Err(Error::NoSuchStore) => {}
            other => panic!(
                "open({bad:?}): expected no-such-store, got {:?}",
                other.err()
            ),
        }
    }
    s.pass("open rejects malformed identifiers with no-such-store");

    // get / set / exists / delete.
    assert_eq!(a.get("missing").unwrap(), None);
    assert!(!a.exists("missing").unwrap());
    a.set("k", b"v1").unwrap();
    assert_eq!(a.get("k").unwrap().as_deref(), Some(&b"v1"[..]));
    a.set("k", b"v2").unwrap();
    assert_eq!(a.get("k").unwrap().as_deref(), Some(&b"v2"[..]));
    assert!(a.exists("k").unwrap());
    a.delete("k").unwrap();
    assert_eq!(a.get("k").unwrap(), None);
    a.delete("k").unwrap();
    s.pass("get/set/overwrite/exists/delete; deleting a missing key is ok");

    a.set("empty", b"").unwrap();
    assert_eq!(a.get("empty").unwrap(), Some(vec![]));
    assert!(a.exists("empty").unwrap());
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    a.set("bytes", &all_bytes).unwrap();
    assert_eq!(a.get("bytes").unwrap(), Some(all_bytes.clone()));
    a.set("ключ-😀", "значение".as_bytes()).unwrap();
    assert_eq!(
        a.get("ключ-😀").unwrap().as_deref(),
        Some("значение".as_bytes())
    );
    a.set("", b"empty key").unwrap();
    assert_eq!(a.get("").unwrap().as_deref(), Some(&b"empty key"[..]));
    s.pass("empty values, all 256 byte values, UTF-8 keys, the empty key");

    b.set("bytes", b"other bucket").unwrap();
    assert_eq!(a.get("bytes").unwrap(), Some(all_bytes.clone()));
    assert_eq!(
        b.get("bytes").unwrap().as_deref(),
        Some(&b"other bucket"[..])
    );
    b.delete("bytes").unwrap();
    assert_eq!(a.get("bytes").unwrap(), Some(all_bytes));
    assert_eq!(b.get("k").unwrap(), None);
    s.pass("buckets are isolated");

    // list-keys paging.
    let pages = store::open(&format!("{prefix}-pages")).expect("open pages");
    let expected: Vec<String> = (0..250).map(|i| format!("key-{i:03}")).collect();
    let pairs: Vec<(String, Vec<u8>)> = expected
        .iter()
        .map(|k| (k.clone(), k.as_bytes().to_vec()))
        .collect();
    batch::set_many(&pages, &pairs).unwrap();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut calls = 0;
    loop {
        let page = pages.list_keys(cursor.as_deref()).unwrap();
        calls += 1;
        assert!(calls < 10_000, "list-keys never ended");
        seen.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen, expected);
    assert!(calls >= 2, "250 keys came back in one page ({calls} calls)");
    s.pass(&format!("list-keys pages through 250 keys ({calls} calls)"));

    // increment.
    assert_eq!(atomics::increment(&a, "counter", 5).unwrap(), 5);
    assert_eq!(atomics::increment(&a, "counter", -8).unwrap(), -3);
    assert_eq!(a.get("counter").unwrap().as_deref(), Some(&b"-3"[..]));
    a.set("text", b"hello").unwrap();
    other_containing(atomics::increment(&a, "text", 1), "");
    assert_eq!(a.get("text").unwrap().as_deref(), Some(&b"hello"[..]));
    a.set("big", i64::MAX.to_string().as_bytes()).unwrap();
    other_containing(atomics::increment(&a, "big", 1), "");
    assert_eq!(
        a.get("big").unwrap(),
        Some(i64::MAX.to_string().into_bytes())
    );
    s.pass("increment: create, negative delta, non-numeric and overflow errors leave the value");

    // compare-and-swap.
    let cas = atomics::Cas::new(&a, "cas").unwrap();
    assert_eq!(cas.current().unwrap(), None);
    atomics::swap(cas, b"first").unwrap();
    assert_eq!(a.get("cas").unwrap().as_deref(), Some(&b"first"[..]));
    let stale = atomics::Cas::new(&a, "cas").unwrap();
    assert_eq!(stale.current().unwrap().as_deref(), Some(&b"first"[..]));
    a.set("cas", b"changed").unwrap();
    let fresh = match atomics::swap(stale, b"lost update") {
        Err(atomics::CasError::CasFailed(fresh)) => fresh,
        other => panic!(
            "expected cas-failed, got {:?}",
            other.err().map(|_| "other error")
        ),
    };
    assert_eq!(a.get("cas").unwrap().as_deref(), Some(&b"changed"[..]));
    assert_eq!(fresh.current().unwrap().as_deref(), Some(&b"changed"[..]));
    atomics::swap(fresh, b"second").unwrap();
    assert_eq!(a.get("cas").unwrap().as_deref(), Some(&b"second"[..]));
    let gone = atomics::Cas::new(&a, "cas").unwrap();
    a.delete("cas").unwrap();
    assert!(matches!(
        atomics::swap(gone, b"x"),
        Err(atomics::CasError::CasFailed(_))
    ));
    assert_eq!(a.get("cas").unwrap(), None);
    let dropped = atomics::Cas::new(&a, "cas").unwrap();
    drop(dropped);
    s.pass("compare-and-swap: success, conflict with a fresh handle, retry, deleted key");

    // batch.
    let kvs = vec![
        ("b1".to_string(), b"one".to_vec()),
        ("b2".to_string(), b"two".to_vec()),
        ("b3".to_string(), b"".to_vec()),
    ];
    batch::set_many(&a, &kvs).unwrap();
    let keys: Vec<String> = ["b1", "nope", "b3", "b2"].map(String::from).to_vec();
    let got = batch::get_many(&a, &keys).unwrap();
    assert_eq!(
        got,
        vec![
            Some(("b1".to_string(), b"one".to_vec())),
            None,
            Some(("b3".to_string(), vec![])),
            Some(("b2".to_string(), b"two".to_vec())),
        ]
    );
    assert_eq!(batch::get_many(&a, &[]).unwrap(), vec![]);
    batch::set_many(&a, &[]).unwrap();
    batch::delete_many(&a, &["b1".into(), "nope".into(), "b3".into()]).unwrap();
    let got = batch::get_many(&a, &keys).unwrap();
    assert_eq!(got.iter().filter(|x| x.is_some()).count(), 1);
    assert!(got[3].is_some());
    s.pass("get-many (missing key in the middle), set-many, delete-many");

    // limits (the test runs with --kv-max-key-size 64 --kv-max-value-size 1024).
    let long_key = "k".repeat(65);
    other_containing(a.set(&long_key, b"v"), "--kv-max-key-size");
    other_containing(a.get(&long_key), "--kv-max-key-size");
    other_containing(atomics::increment(&a, &long_key, 1), "--kv-max-key-size");
    a.set(&"k".repeat(64), &[7; 1024]).unwrap();
    other_containing(a.set("v", &[0; 1025]), "--kv-max-value-size");
    assert_eq!(a.get("v").unwrap(), None);
    let torn = vec![
        ("t1".to_string(), b"ok".to_vec()),
        ("t2".to_string(), vec![0; 1025]),
    ];
    other_containing(batch::set_many(&a, &torn), "--kv-max-value-size");
    assert_eq!(
        a.get("t1").unwrap(),
        None,
        "a rejected batch wrote part of itself"
    );
    s.pass("key and value limits give other(..) naming the option; rejected batches write nothing");

    // handles are freed on drop: more open/drop cycles than the host's handle limit.
    for i in 0..70_000 {
        let h = store::open(&format!("{prefix}-a"))
            .unwrap_or_else(|e| panic!("open #{i} failed: {}", describe(&e)));
        drop(h);
    }
    s.pass("70000 open/drop cycles (handles are released)");

    println!("kv-suite: all {} checks passed", s.passed);
}
