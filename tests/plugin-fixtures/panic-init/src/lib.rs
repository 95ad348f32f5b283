//! A plug-in whose module initialisation panics. The SDK's wrapper catches the panic inside the
//! plug-in; the runtime must print one warning and still run guests that do not need it.

use wasmedge_plugin_sdk::{Caller, HostError, InitContext, Value, export_plugin, host_module};

struct Never;

fn create(_: &InitContext) -> Result<Never, String> {
    panic!("fixture: initialisation exploded");
}

fn unused(_: &mut Caller<'_, Never>, _: &[Value], _: &mut [Value]) -> Result<(), HostError> {
    Ok(())
}

export_plugin! {
    name: "fixture_panic_init",
    description: "Panics while initialising its module",
    version: "0.1.0",
    modules: [host_module! {
        name: "panicky",
        state: Never = create,
        functions: ["unused" () -> () = unused],
    }],
}
