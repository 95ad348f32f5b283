//! `wasi_ephemeral_crypto_common`: options objects, array outputs and the (unimplemented)
//! secrets manager.

use super::{Plugin, host_fn, new_state, not_implemented};
use crate::options::{AlgType, Options};
use wasmedge_plugin_sdk::{ModuleDescriptor, host_module};

host_fn!(
    /// `options_open(alg_type, →options)`.
    options_open(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let h = t.options.insert(Options::new(AlgType::from_raw(a[0].u32())?))?;
        g.write_u32(a[1].u32(), h)
    }
);

host_fn!(
    /// `options_close(options)`.
    options_close(t, g, a) {
        t.options.remove(a[0].u32()).map(drop)
    }
);

host_fn!(
    /// `options_set(options, name, name_len, value, value_len)`.
    options_set(t, g, a) {
        let o = t.options.get_mut(a[0].u32())?;
        o.set(g.str(a[1].u32(), a[2].u32())?, g.bytes(a[3].u32(), a[4].u32())?)
    }
);

host_fn!(
    /// `options_set_u64(options, name, name_len, value: i64)`.
    options_set_u64(t, g, a) {
        let o = t.options.get_mut(a[0].u32())?;
        o.set_u64(g.str(a[1].u32(), a[2].u32())?, a[3].u64())
    }
);

host_fn!(
    /// `options_set_guest_buffer(options, name, name_len, buffer, buffer_len)`.
    options_set_guest_buffer(t, g, a) {
        g.check(a[3].u32(), a[4].u32())?;
        let o = t.options.get_mut(a[0].u32())?;
        o.set_guest_buffer(g.str(a[1].u32(), a[2].u32())?, a[3].u32(), a[4].u32())
    }
);

host_fn!(
    /// `array_output_len(array_output, →size)`: the bytes not pulled yet.
    array_output_len(t, g, a) {
        g.check(a[1].u32(), 4)?;
        let len = t.outputs.get(a[0].u32())?.remaining().len();
        g.write_u32(a[1].u32(), len as u32)
    }
);

host_fn!(
    /// `array_output_pull(array_output, buf, buf_len, →size)`: copies up to `buf_len` bytes;
    /// the handle is released by the pull that delivers the last byte.
    array_output_pull(t, g, a) {
        let (h, buf, buf_len, out) = (a[0].u32(), a[1].u32(), a[2].u32(), a[3].u32());
        g.check(buf, buf_len)?;
        g.check(out, 4)?;
        let output = t.outputs.get_mut(h)?;
        let n = output.remaining().len().min(buf_len as usize);
        g.write(buf, &output.remaining()[..n])?;
        if output.advance(n) {
            t.outputs.remove(h)?;
        }
        g.write_u32(out, n as u32)
    }
);

not_implemented!(
    secrets_manager_open,
    secrets_manager_close,
    secrets_manager_invalidate
);

/// The module.
pub const MODULE: ModuleDescriptor = host_module! {
    name: "wasi_ephemeral_crypto_common",
    description: "WASI-Crypto options and array outputs",
    state: Plugin = new_state(0),
    functions: [
        "options_open" (i32, i32) -> (i32) = options_open,
        "options_close" (i32) -> (i32) = options_close,
        "options_set" (i32, i32, i32, i32, i32) -> (i32) = options_set,
        "options_set_u64" (i32, i32, i32, i64) -> (i32) = options_set_u64,
        "options_set_guest_buffer" (i32, i32, i32, i32, i32) -> (i32) = options_set_guest_buffer,
        "array_output_len" (i32, i32) -> (i32) = array_output_len,
        "array_output_pull" (i32, i32, i32, i32) -> (i32) = array_output_pull,
        "secrets_manager_open" (i32, i32) -> (i32) = secrets_manager_open,
        "secrets_manager_close" (i32) -> (i32) = secrets_manager_close,
        "secrets_manager_invalidate" (i32, i32, i32, i64) -> (i32) = secrets_manager_invalidate,
    ],
};
