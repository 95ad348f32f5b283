//! Writes with a raw `fd_write` and calls `proc_exit` directly, bypassing std's exit path.
fn main() {
    let msg = b"raw write then proc_exit(7)";
    let iov = [msg.as_ptr() as u32, msg.len() as u32];
    let mut n = 0u32;
    unsafe {
        wasi_guests::raw::fd_write(1, iov.as_ptr(), 1, &mut n);
        wasi_guests::raw::proc_exit(7);
    }
}
