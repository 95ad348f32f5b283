//! Calls the guest crate cannot make: out-of-range pointers, bad and closed handles, bad enum
//! values and handle exhaustion, through raw imports of the WasmEdge ABI. Each must return the
//! documented `crypto_errno` (never trap, never succeed).

use crate::report::Report;

#[link(wasm_import_module = "wasi_ephemeral_crypto_common")]
unsafe extern "C" {
    fn options_open(alg_type: i32, out: *mut u32) -> i32;
    fn options_close(h: u32) -> i32;
    fn options_set(h: u32, name: *const u8, name_len: usize, v: *const u8, v_len: usize) -> i32;
    fn array_output_len(h: u32, out: *mut usize) -> i32;
    fn array_output_pull(h: u32, buf: *mut u8, len: usize, out: *mut usize) -> i32;
    fn secrets_manager_open(opt: *const u8, out: *mut u32) -> i32;
}

#[link(wasm_import_module = "wasi_ephemeral_crypto_symmetric")]
unsafe extern "C" {
    fn symmetric_state_open(
        alg: *const u8,
        alg_len: usize,
        key: *const u8,
        opts: *const u8,
        out: *mut u32,
    ) -> i32;
    fn symmetric_state_absorb(h: u32, data: *const u8, len: usize) -> i32;
    fn symmetric_state_squeeze(h: u32, out: *mut u8, len: usize) -> i32;
    fn symmetric_state_close(h: u32) -> i32;
    fn symmetric_state_squeeze_tag(h: u32, out: *mut u32) -> i32;
    fn symmetric_tag_len(h: u32, out: *mut usize) -> i32;
    fn symmetric_tag_pull(h: u32, buf: *mut u8, len: usize, out: *mut usize) -> i32;
    fn symmetric_tag_close(h: u32) -> i32;
    fn symmetric_key_import(
        alg: *const u8,
        alg_len: usize,
        raw: *const u8,
        len: usize,
        out: *mut u32,
    ) -> i32;
    fn symmetric_key_export(h: u32, out: *mut u32) -> i32;
    fn symmetric_key_close(h: u32) -> i32;
}

#[link(wasm_import_module = "wasi_ephemeral_crypto_asymmetric_common")]
unsafe extern "C" {
    fn keypair_generate(
        alg_type: i32,
        alg: *const u8,
        alg_len: usize,
        opt: *const u8,
        out: *mut u32,
    ) -> i32;
}

#[link(wasm_import_module = "wasi_ephemeral_crypto_kx")]
unsafe extern "C" {
    fn kx_encapsulate(pk: u32, out1: *mut u32, out2: *mut u32) -> i32;
}

const GUEST_ERROR: i32 = 1;
const NOT_IMPLEMENTED: i32 = 2;
const UNSUPPORTED_ALGORITHM: i32 = 6;
const INVALID_LENGTH: i32 = 9;
const ALGORITHM_FAILURE: i32 = 12;
const INVALID_HANDLE: i32 = 15;
const OVERFLOW: i32 = 16;
const TOO_MANY_HANDLES: i32 = 18;
const UNSUPPORTED_OPTION: i32 = 7;
const INVALID_OPERATION: i32 = 22;

/// Far past the end of any memory this guest has.
const BAD: usize = 0xffff_fff0;
/// `{ tag = none }` and `{ tag = 2 }` optional structs.
static NONE: [u8; 8] = [1, 0, 0, 0, 0, 0, 0, 0];
static BAD_TAG: [u8; 8] = [2, 0, 0, 0, 0, 0, 0, 0];

/// A `{ tag = some, handle }` optional struct.
fn some(handle: u32) -> [u8; 8] {
    let h = handle.to_le_bytes();
    [0, 0, 0, 0, h[0], h[1], h[2], h[3]]
}

fn sha256_state() -> u32 {
    let mut h = 0;
    let alg = b"SHA-256";
    assert_eq!(
        unsafe {
            symmetric_state_open(
                alg.as_ptr(),
                alg.len(),
                NONE.as_ptr(),
                NONE.as_ptr(),
                &mut h,
            )
        },
        0
    );
    h
}

/// Runs the checks; returns the number of failures.
pub fn run() -> usize {
    let mut r = Report::new("raw");
    // SAFETY (whole function): the imports only read and write the guest memory named by their
    // arguments, which the host bounds-checks; deliberately bad pointers are never dereferenced
    // by the guest itself.
    unsafe {
        let mut h = 0u32;
        r.eq(
            "options_open bad out-pointer",
            options_open(1, BAD as *mut u32),
            ALGORITHM_FAILURE,
        );
        r.eq(
            "options_open bad alg_type",
            options_open(9, &mut h),
            INVALID_OPERATION,
        );
        r.eq(
            "options_close unknown",
            options_close(12345),
            INVALID_HANDLE,
        );
        assert_eq!(options_open(1, &mut h), 0);
        let name = b"nonce";
        r.eq(
            "options_set bad value pointer",
            options_set(h, name.as_ptr(), name.len(), BAD as *const u8, 12),
            ALGORITHM_FAILURE,
        );
        let colour = b"colour";
        r.eq(
            "options_set unknown name",
            options_set(h, colour.as_ptr(), colour.len(), name.as_ptr(), 1),
            UNSUPPORTED_OPTION,
        );
        let bad_utf8 = [0xffu8, 0xfe];
        r.eq(
            "options_set name not UTF-8",
            options_set(h, bad_utf8.as_ptr(), 2, name.as_ptr(), 1),
            GUEST_ERROR,
        );
        r.eq("options_close", options_close(h), 0);
        r.eq("options_close twice", options_close(h), INVALID_HANDLE);

        let st = sha256_state();
        r.eq(
            "absorb bad data pointer",
            symmetric_state_absorb(st, BAD as *const u8, 64),
            ALGORITHM_FAILURE,
        );
        r.eq(
            "absorb length overflowing",
            symmetric_state_absorb(st, 16 as *const u8, usize::MAX),
            ALGORITHM_FAILURE,
        );
        r.eq(
            "squeeze bad out pointer",
            symmetric_state_squeeze(st, BAD as *mut u8, 32),
            ALGORITHM_FAILURE,
        );
        let mut out = [0u8; 33];
        r.eq(
            "squeeze too long",
            symmetric_state_squeeze(st, out.as_mut_ptr(), 33),
            INVALID_LENGTH,
        );
        r.eq(
            "options handle as a state",
            symmetric_state_absorb(h, out.as_ptr(), 1),
            INVALID_HANDLE,
        );
        r.eq("state_close", symmetric_state_close(st), 0);
        r.eq(
            "absorb after close",
            symmetric_state_absorb(st, out.as_ptr(), 1),
            INVALID_HANDLE,
        );
        let alg = b"SHA-256";
        r.eq(
            "opt tag 2",
            symmetric_state_open(
                alg.as_ptr(),
                alg.len(),
                BAD_TAG.as_ptr(),
                NONE.as_ptr(),
                &mut h,
            ),
            GUEST_ERROR,
        );
        r.eq(
            "opt pointer out of range",
            symmetric_state_open(
                alg.as_ptr(),
                alg.len(),
                BAD as *const u8,
                NONE.as_ptr(),
                &mut h,
            ),
            ALGORITHM_FAILURE,
        );
        let md5 = b"MD5";
        r.eq(
            "unknown algorithm",
            symmetric_state_open(
                md5.as_ptr(),
                md5.len(),
                NONE.as_ptr(),
                NONE.as_ptr(),
                &mut h,
            ),
            UNSUPPORTED_ALGORITHM,
        );

        // Array outputs: partial pulls, release on the last byte.
        let hmac = b"HMAC/SHA-256";
        let mut key = 0u32;
        assert_eq!(
            symmetric_key_import(
                hmac.as_ptr(),
                hmac.len(),
                b"0123456789".as_ptr(),
                10,
                &mut key
            ),
            0
        );
        let mut ao = 0u32;
        r.eq("key export", symmetric_key_export(key, &mut ao), 0);
        let mut len = 0usize;
        r.eq("array_output_len", array_output_len(ao, &mut len), 0);
        r.eq("array_output_len value", len, 10);
        let mut buf = [0u8; 10];
        let mut n = 0usize;
        r.eq(
            "pull bad buffer",
            array_output_pull(ao, BAD as *mut u8, 10, &mut n),
            ALGORITHM_FAILURE,
        );
        r.eq(
            "pull 4",
            array_output_pull(ao, buf.as_mut_ptr(), 4, &mut n),
            0,
        );
        r.eq("pulled 4", n, 4);
        r.eq(
            "pull rest",
            array_output_pull(ao, buf.as_mut_ptr().add(4), 6, &mut n),
            0,
        );
        r.eq("pulled bytes", &buf[..], &b"0123456789"[..]);
        r.eq(
            "released after the last byte",
            array_output_len(ao, &mut len),
            INVALID_HANDLE,
        );
        // Tags: the pull buffer must be exactly the tag's length; a pull closes the tag.
        let mut st = 0u32;
        assert_eq!(
            symmetric_state_open(
                hmac.as_ptr(),
                hmac.len(),
                some(key).as_ptr(),
                NONE.as_ptr(),
                &mut st
            ),
            0
        );
        let mut tag = 0u32;
        r.eq("squeeze_tag", symmetric_state_squeeze_tag(st, &mut tag), 0);
        r.eq("tag_len", symmetric_tag_len(tag, &mut len), 0);
        r.eq("tag length", len, 32);
        let mut tag_buf = [0u8; 33];
        r.eq(
            "tag pull short",
            symmetric_tag_pull(tag, tag_buf.as_mut_ptr(), 31, &mut n),
            OVERFLOW,
        );
        r.eq(
            "tag pull long",
            symmetric_tag_pull(tag, tag_buf.as_mut_ptr(), 33, &mut n),
            INVALID_LENGTH,
        );
        r.eq(
            "tag pull",
            symmetric_tag_pull(tag, tag_buf.as_mut_ptr(), 32, &mut n),
            0,
        );
        r.eq(
            "tag closed by the pull",
            symmetric_tag_close(tag),
            INVALID_HANDLE,
        );
        r.eq("state close", symmetric_state_close(st), 0);
        r.eq("key close", symmetric_key_close(key), 0);

        // Asymmetric enum and algorithm errors.
        let ed = b"Ed25519";
        r.eq(
            "symmetric alg_type for a key pair",
            keypair_generate(1, ed.as_ptr(), ed.len(), NONE.as_ptr(), &mut h),
            INVALID_OPERATION,
        );
        let rsa = b"RSA_PSS_2048_SHA256";
        r.eq(
            "RSA generation",
            keypair_generate(0, rsa.as_ptr(), rsa.len(), NONE.as_ptr(), &mut h),
            NOT_IMPLEMENTED,
        );
        let k256 = b"ECDSA_K256_SHA256";
        r.eq(
            "secp256k1",
            keypair_generate(0, k256.as_ptr(), k256.len(), NONE.as_ptr(), &mut h),
            NOT_IMPLEMENTED,
        );
        let small = b"RSA_PKCS1_1024_SHA256";
        r.eq(
            "RSA-1024",
            keypair_generate(0, small.as_ptr(), small.len(), NONE.as_ptr(), &mut h),
            UNSUPPORTED_ALGORITHM,
        );
        let p256 = b"P256-SHA256";
        r.eq(
            "P-256 ECDH",
            keypair_generate(2, p256.as_ptr(), p256.len(), NONE.as_ptr(), &mut h),
            NOT_IMPLEMENTED,
        );
        r.eq(
            "kx_encapsulate",
            kx_encapsulate(0, &mut h, &mut h),
            NOT_IMPLEMENTED,
        );
        r.eq(
            "secrets manager",
            secrets_manager_open(NONE.as_ptr(), &mut h),
            NOT_IMPLEMENTED,
        );

        // Handle exhaustion: 4096 live options objects, then too_many_handles; closing one
        // frees a slot.
        let mut handles = Vec::new();
        let mut last = 0;
        for _ in 0..5000 {
            let mut h = 0u32;
            last = options_open(1, &mut h);
            if last != 0 {
                break;
            }
            handles.push(h);
        }
        r.eq("handles before exhaustion", handles.len(), 4096);
        r.eq("exhaustion errno", last, TOO_MANY_HANDLES);
        r.eq("close one", options_close(handles.pop().unwrap()), 0);
        let mut again = 0u32;
        r.eq("open after close", options_open(1, &mut again), 0);
        handles.push(again);
        let closed = handles.iter().filter(|h| options_close(**h) == 0).count();
        r.eq("all closed", closed, 4096);
    }
    r.finish()
}
