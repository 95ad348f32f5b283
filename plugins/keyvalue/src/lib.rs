//! The `wasi_keyvalue` plug-in: `wasi:keyvalue` 0.2.0-draft2 (`store`, `atomics`, `batch`) for
//! core-wasm guests, lowered exactly as `wit-bindgen` generates guest imports (module
//! `wasi:keyvalue/<interface>@0.2.0-draft2`, every result through a return pointer, returned
//! strings and lists allocated with the guest's `cabi_realloc`).
//!
//! Storage: an embedded redb database (`--kv-dir`, default `$XDG_DATA_HOME/wasmedge/keyvalue`
//! or `~/.local/share/wasmedge/keyvalue`), shared safely by several processes, every write
//! durable when acknowledged; or a Redis server (`--kv-url redis://HOST:PORT/DB`).
//! See docs/keyvalue.md.
//!
//! This file only declares the plug-in (options and host modules); the functions live in
//! `store_api`, `atomics_api` and `batch_api`.

mod abi;
mod atomics_api;
mod backend;
mod batch_api;
mod checks;
mod config;
mod error;
mod handles;
mod redb_backend;
mod redis_backend;
mod session;
mod store_api;

use session::Session;
use wasmedge_plugin_sdk::{export_plugin, host_module, plugin_option};

export_plugin! {
    name: "wasi_keyvalue",
    description: "wasi:keyvalue 0.2.0-draft2 (store, atomics, batch) on redb or Redis",
    version: env!("CARGO_PKG_VERSION"),
    options: [
        plugin_option!(
            "kv-dir",
            "DIR",
            "Folder of the embedded key-value store (default: $XDG_DATA_HOME/wasmedge/keyvalue \
             or ~/.local/share/wasmedge/keyvalue)"
        ),
        plugin_option!(
            "kv-url",
            "URL",
            "Use a Redis server instead of the embedded store: redis://HOST:PORT/DB"
        ),
        plugin_option!(
            "kv-bucket",
            "NAME[:ro]",
            "Allow guests to open only these buckets (comma-separated or repeated; :ro makes \
             one read-only). Default: any bucket name",
            repeatable
        ),
        plugin_option!(
            "kv-max-key-size",
            "BYTES",
            "Largest key accepted (default 4096)"
        ),
        plugin_option!(
            "kv-max-value-size",
            "BYTES",
            "Largest value accepted (default 1048576)"
        ),
    ],
    modules: [
        host_module! {
            name: "wasi:keyvalue/store@0.2.0-draft2",
            description: "open and the bucket resource (get, set, delete, exists, list-keys)",
            state: Session = Session::from_options,
            functions: [
                "open" (i32, i32, i32) -> () = store_api::open,
                "[method]bucket.get" (i32, i32, i32, i32) -> () = store_api::get,
                "[method]bucket.set" (i32, i32, i32, i32, i32, i32) -> () = store_api::set,
                "[method]bucket.delete" (i32, i32, i32, i32) -> () = store_api::delete,
                "[method]bucket.exists" (i32, i32, i32, i32) -> () = store_api::exists,
                "[method]bucket.list-keys" (i32, i32, i32, i32, i32) -> () = store_api::list_keys,
                "[resource-drop]bucket" (i32) -> () = store_api::drop_bucket,
            ],
        },
        host_module! {
            name: "wasi:keyvalue/atomics@0.2.0-draft2",
            description: "increment and compare-and-swap",
            state: Session = Session::from_options,
            functions: [
                "increment" (i32, i32, i32, i64, i32) -> () = atomics_api::increment,
                "[static]cas.new" (i32, i32, i32, i32) -> () = atomics_api::cas_new,
                "[method]cas.current" (i32, i32) -> () = atomics_api::cas_current,
                "swap" (i32, i32, i32, i32) -> () = atomics_api::swap,
                "[resource-drop]cas" (i32) -> () = atomics_api::drop_cas,
            ],
        },
        host_module! {
            name: "wasi:keyvalue/batch@0.2.0-draft2",
            description: "get-many, set-many, delete-many",
            state: Session = Session::from_options,
            functions: [
                "get-many" (i32, i32, i32, i32) -> () = batch_api::get_many,
                "set-many" (i32, i32, i32, i32) -> () = batch_api::set_many,
                "delete-many" (i32, i32, i32, i32) -> () = batch_api::delete_many,
            ],
        },
    ],
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_lists_the_three_interfaces() {
        let d = super::__wasmedge_plugin_descriptor();
        assert_eq!(d.name().as_str(), "wasi_keyvalue");
        let names: Vec<&str> = d.modules().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "wasi:keyvalue/store@0.2.0-draft2",
                "wasi:keyvalue/atomics@0.2.0-draft2",
                "wasi:keyvalue/batch@0.2.0-draft2"
            ]
        );
        let total: usize = d.modules().iter().map(|m| m.functions.len()).sum();
        assert_eq!(total, 15);
    }
}
