//! The visit counter: `visit-counter [BUCKET]` adds one to the key `visits` of BUCKET (default
//! `default`) atomically and prints the new count.

use keyvalue_guests::{atomics, describe, store};

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "default".to_string());
    let bucket = match store::open(&name) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot open bucket {name}: {}", describe(&e));
            std::process::exit(1);
        }
    };
    match atomics::increment(&bucket, "visits", 1) {
        Ok(n) => println!("visit number {n}"),
        Err(e) => {
            eprintln!("increment failed: {}", describe(&e));
            std::process::exit(1);
        }
    }
}
