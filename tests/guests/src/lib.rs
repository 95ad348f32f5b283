//! Shared helpers of the WASI guest programs: raw preview1 imports that `std` does not expose
//! (`poll_oneoff`, `fd_fdstat_get`) and small utilities.
//!
//! Only for the test guests; must not be used by the runtime.

/// Raw `wasi_snapshot_preview1` imports.
pub mod raw {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn poll_oneoff(subs: *const u8, events: *mut u8, nsubs: u32, nevents: *mut u32) -> u16;
        pub fn fd_fdstat_get(fd: u32, out: *mut u8) -> u16;
        pub fn fd_write(fd: u32, iovs: *const u32, n: u32, written: *mut u32) -> u16;
        pub fn proc_exit(code: u32) -> !;
    }
}

/// A `subscription` for `poll_oneoff` (48 bytes).
pub fn clock_sub(userdata: u64, clock: u32, timeout_ns: u64, abstime: bool) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = 0; // eventtype clock
    s[16..20].copy_from_slice(&clock.to_le_bytes());
    s[24..32].copy_from_slice(&timeout_ns.to_le_bytes());
    s[40..42].copy_from_slice(&(abstime as u16).to_le_bytes());
    s
}

/// A `subscription` for readiness of `fd` (`write`: for writing, else reading).
pub fn fd_sub(userdata: u64, fd: u32, write: bool) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = if write { 2 } else { 1 };
    s[16..20].copy_from_slice(&fd.to_le_bytes());
    s
}

/// One reported event: `(userdata, error, type, nbytes, flags)`.
pub type Event = (u64, u16, u8, u64, u16);

/// Calls `poll_oneoff` with `subs`; returns the events.
pub fn poll(subs: &[[u8; 48]]) -> Result<Vec<Event>, u16> {
    let input: Vec<u8> = subs.concat();
    let mut out = vec![0u8; 32 * subs.len()];
    let mut n = 0u32;
    let e =
        unsafe { raw::poll_oneoff(input.as_ptr(), out.as_mut_ptr(), subs.len() as u32, &mut n) };
    if e != 0 {
        return Err(e);
    }
    Ok((0..n as usize)
        .map(|i| {
            let b = &out[i * 32..i * 32 + 32];
            (
                u64::from_le_bytes(b[0..8].try_into().unwrap()),
                u16::from_le_bytes(b[8..10].try_into().unwrap()),
                b[10],
                u64::from_le_bytes(b[16..24].try_into().unwrap()),
                u16::from_le_bytes(b[24..26].try_into().unwrap()),
            )
        })
        .collect())
}
