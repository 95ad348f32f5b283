//! Writes to stdout and stderr without a trailing newline, then exits with the status given as
//! its first argument (through `proc_exit`): the output written just before must not be lost.
use std::io::Write;

fn main() {
    let code: i32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut out = std::io::stdout();
    out.write_all(b"last words on stdout").unwrap();
    out.flush().unwrap();
    std::io::stderr()
        .write_all(b"last words on stderr")
        .unwrap();
    std::process::exit(code);
}
