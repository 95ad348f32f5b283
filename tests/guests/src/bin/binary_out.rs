//! Writes every byte value (0..=255) 1000 times to stdout in odd-sized chunks, and the byte
//! values in reverse to stderr: the host must pass binary output through unchanged.
use std::io::Write;

fn main() {
    let data: Vec<u8> = (0..256_000u32).map(|i| (i % 256) as u8).collect();
    let mut out = std::io::stdout().lock();
    for chunk in data.chunks(4093) {
        out.write_all(chunk).unwrap();
    }
    out.flush().unwrap();
    let rev: Vec<u8> = (0..=255u8).rev().collect();
    std::io::stderr().write_all(&rev).unwrap();
}
