//! `plugin-bench PLUGIN [--calls N] [--rounds R]`: times calls from wasm to a plug-in host
//! function (`testkit.add` of the `testkit` fixture plug-in at PLUGIN) against calls to a
//! built-in host function of the same signature (`(i32, i32) -> i32`, defined with
//! `Linker::func_new`), each from a tight wasm loop. Prints the cost per call and the ratio,
//! and exits 1 if the plug-in call costs more than 2× the built-in one.
//!
//! Run it through `cargo xtask bench-plugins`, which builds the plug-in in release mode.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use wasmedge_plugin_host::load::load_file;
use wasmedge_plugin_host::{PluginHost, PluginModules};
use wasmedge_runtime::{Engine, FuncType, Linker, Module, Store, Val, ValType};

/// The budget: a plug-in call may cost at most this many built-in calls.
const MAX_RATIO: f64 = 2.0;

const GUEST: &str = r#"
(module
  (import "testkit" "add" (func $plugin (param i32 i32) (result i32)))
  (import "builtin" "add" (func $builtin (param i32 i32) (result i32)))
  (func (export "plugin") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $plugin (local.get $acc) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc))
  (func (export "builtin") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $builtin (local.get $acc) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))
"#;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(plugin) = args.next().map(PathBuf::from) else {
        eprintln!("usage: plugin-bench PLUGIN [--calls N] [--rounds R]");
        return ExitCode::from(2);
    };
    let (mut calls, mut rounds) = (2_000_000i32, 7);
    while let Some(a) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok());
        match (a.as_str(), value) {
            ("--calls", Some(v)) => calls = v,
            ("--rounds", Some(v)) => rounds = v,
            _ => {
                eprintln!("plugin-bench: bad argument {a}");
                return ExitCode::from(2);
            }
        }
    }

    let loaded = match load_file(&plugin) {
        Ok(p) => p,
        Err(w) => {
            eprintln!("plugin-bench: {w}");
            return ExitCode::FAILURE;
        }
    };
    let mut host = PluginHost::empty();
    host.add(loaded, &[]);
    let (modules, warnings) = PluginModules::create(&host, &[]);
    for w in &warnings {
        eprintln!("plugin-bench: {w}");
    }

    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).expect("the benchmark guest compiles");
    let mut linker: Linker<()> = Linker::new(&engine);
    let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
    linker
        .func_new("builtin", "add", ty, |_, params, results| {
            let (a, b) = (params[0].i32().unwrap_or(0), params[1].i32().unwrap_or(0));
            results[0] = Val::I32(a.wrapping_add(b));
            Ok(())
        })
        .expect("defining the built-in");
    for w in modules.add_to_linker(&mut linker) {
        eprintln!("plugin-bench: {w}");
    }
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiating the benchmark guest");
    let plugin_loop = instance
        .get_typed_func::<i32, i32>(&store, "plugin")
        .expect("plugin loop");
    let builtin_loop = instance
        .get_typed_func::<i32, i32>(&store, "builtin")
        .expect("built-in loop");

    // Correctness first, and warm-up.
    assert_eq!(plugin_loop.call(&mut store, 1000).unwrap(), 1000);
    assert_eq!(builtin_loop.call(&mut store, 1000).unwrap(), 1000);

    let mut best = [f64::INFINITY; 2];
    for _ in 0..rounds {
        for (i, f) in [builtin_loop, plugin_loop].iter().enumerate() {
            let start = Instant::now();
            let acc = f.call(&mut store, calls).unwrap();
            let ns = start.elapsed().as_nanos() as f64 / calls as f64;
            assert_eq!(acc, calls);
            best[i] = best[i].min(ns);
        }
    }
    let ratio = best[1] / best[0];
    println!("host function call (i32, i32) -> i32, best of {rounds} rounds of {calls} calls:");
    println!("  built-in (Linker::func_new): {:8.1} ns/call", best[0]);
    println!("  plug-in  (testkit.add):      {:8.1} ns/call", best[1]);
    println!("  ratio plug-in / built-in:    {ratio:8.2} (budget {MAX_RATIO})");
    if ratio > MAX_RATIO {
        eprintln!(
            "plugin-bench: the plug-in call costs {ratio:.2}x a built-in call (budget {MAX_RATIO}x)"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
