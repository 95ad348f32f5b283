//! A plug-in that needs a native library the loader cannot find (`libfixture_native_dep.so`,
//! built by build.rs into OUT_DIR). The runtime must name that library in its warning.

use wasmedge_plugin_sdk::{Caller, HostError, Value, export_plugin, host_module};

unsafe extern "C" {
    fn fixture_native_value() -> i32;
}

fn native(_: &mut Caller<'_, ()>, _: &[Value], r: &mut [Value]) -> Result<(), HostError> {
    // SAFETY: a plain C function without arguments.
    r[0] = Value::from_i32(unsafe { fixture_native_value() });
    Ok(())
}

export_plugin! {
    name: "fixture_needs_native_lib",
    description: "Needs libfixture_native_dep.so",
    version: "0.1.0",
    modules: [host_module! {
        name: "native",
        functions: ["value" () -> (i32) = native],
    }],
}
