//! The five host modules, one file each, and the glue they share: every function takes i32 (or
//! i64) arguments, returns an i32 `crypto_errno`, runs with the shared handle tables locked and
//! reaches guest memory only through [`Guest`]. Out-pointers are checked before any work and
//! written only on success. These files translate between the ABI and the crypto modules; they
//! must not implement algorithms themselves.

pub mod asymmetric;
pub mod common;
pub mod kx;
pub mod signatures;
pub mod symmetric;

use crate::ctx::{Ctx, Tables};
use crate::errno::{CResult, Errno, to_i32};
use crate::guest::Guest;
use crate::options::{AlgType, Options};
use std::sync::Arc;
use wasmedge_plugin_sdk::{Caller, HostError, InitContext, Value};

/// Every crypto module's state: the session's shared context.
pub struct Plugin(pub Arc<Ctx>);

/// Creates the state of host module number `module` (joining its session's context).
pub fn new_state(module: u32) -> impl Fn(&InitContext) -> Result<Plugin, std::convert::Infallible> {
    move |_| Ok(Plugin(crate::ctx::shared(module)))
}

/// Runs one host function body and stores its errno as the wasm result. A guest without a
/// memory traps (as in WasmEdge).
pub fn call(
    c: &mut Caller<'_, Plugin>,
    results: &mut [Value],
    f: impl FnOnce(&mut Tables, &mut Guest<'_>) -> CResult<()>,
) -> Result<(), HostError> {
    let ctx = Arc::clone(&c.state().0);
    let mut guest = Guest::new(c.memory()?);
    let mut tables = ctx.lock();
    results[0] = Value::from_i32(to_i32(f(&mut tables, &mut guest)));
    Ok(())
}

/// Defines a host function: `host_fn!(name(tables, guest, args) { body returning CResult<()> })`.
macro_rules! host_fn {
    ($(#[$m:meta])* $name:ident($t:ident, $g:ident, $a:ident) $body:block) => {
        $(#[$m])*
        pub fn $name(
            c: &mut wasmedge_plugin_sdk::Caller<'_, crate::host::Plugin>,
            $a: &[wasmedge_plugin_sdk::Value],
            r: &mut [wasmedge_plugin_sdk::Value],
        ) -> Result<(), wasmedge_plugin_sdk::HostError> {
            #[allow(unused_variables)]
            crate::host::call(c, r, |$t: &mut crate::ctx::Tables, $g: &mut crate::guest::Guest<'_>| {
                #[allow(unused_variables)]
                let $a = $a;
                $body
            })
        }
    };
}
pub(crate) use host_fn;

/// Defines host functions that always return `not_implemented` (the managed-key API: this
/// host has no secrets manager).
macro_rules! not_implemented {
    ($($name:ident),* $(,)?) => {$(
        crate::host::host_fn!(
            /// Not implemented: this host has no secrets manager.
            $name(t, g, a) { Err(crate::errno::Errno::NOT_IMPLEMENTED) }
        );
    )*};
}
pub(crate) use not_implemented;

/// Reads the optional options handle at `ptr` and checks it is an options object of
/// `alg_type`.
pub fn opt_options(
    t: &Tables,
    g: &Guest<'_>,
    ptr: u32,
    alg_type: AlgType,
) -> CResult<Option<Options>> {
    match g.opt_handle(ptr)? {
        None => Ok(None),
        Some(h) => {
            let o = t.options.get(h)?;
            if o.alg_type != alg_type {
                return Err(Errno::INVALID_HANDLE);
            }
            Ok(Some(o.clone()))
        }
    }
}
