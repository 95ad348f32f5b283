//! Reads all of stdin; prints its length, a checksum, the number of lines, and the first line
//! upper-cased.
use std::io::Read;

fn main() {
    let mut data = Vec::new();
    std::io::stdin().read_to_end(&mut data).unwrap();
    let sum = data
        .iter()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(*b as u32));
    let lines = data.iter().filter(|b| **b == b'\n').count();
    let first = data.split(|b| *b == b'\n').next().unwrap_or(&[]);
    println!("bytes={} sum={sum} lines={lines}", data.len());
    println!("first={}", String::from_utf8_lossy(first).to_uppercase());
}
