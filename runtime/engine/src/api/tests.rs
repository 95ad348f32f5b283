//! End-to-end tests of the embedding API: compile, instantiate, call, trap, host functions.

use crate::*;

fn run(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

#[test]
fn add_and_fib() {
    let (mut store, inst) = run(r#"(module
        (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
        (func $fib (export "fib") (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_s
            if (result i32) local.get 0
            else local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end))"#);
    let add = inst
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 30).unwrap(), 832040);
}

#[test]
fn traps_are_reported() {
    let (mut store, inst) = run(r#"(module
        (memory 1)
        (func (export "unreachable") unreachable)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
        (func (export "load") (param i32) (result i32) local.get 0 i32.load)
        (func $r (export "recurse") (result i32) call $r i32.const 1 i32.add))"#);
    let f = inst
        .get_typed_func::<(), ()>(&store, "unreachable")
        .unwrap();
    let e = f.call(&mut store, ()).unwrap_err();
    assert_eq!(
        e.as_trap().unwrap().code,
        TrapCode::UnreachableCodeReached,
        "{e}"
    );
    assert_eq!(
        e.as_trap().unwrap().function.as_deref(),
        Some("unreachable")
    );
    let div = inst
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    assert_eq!(
        div.call(&mut store, (7, 0))
            .unwrap_err()
            .as_trap()
            .unwrap()
            .code,
        TrapCode::IntegerDivisionByZero
    );
    assert_eq!(
        div.call(&mut store, (i32::MIN, -1))
            .unwrap_err()
            .as_trap()
            .unwrap()
            .code,
        TrapCode::IntegerOverflow
    );
    assert_eq!(div.call(&mut store, (-7, 2)).unwrap(), -3);
    let load = inst.get_typed_func::<i32, i32>(&store, "load").unwrap();
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    assert_eq!(
        load.call(&mut store, 65533)
            .unwrap_err()
            .as_trap()
            .unwrap()
            .code,
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        load.call(&mut store, -1)
            .unwrap_err()
            .as_trap()
            .unwrap()
            .code,
        TrapCode::MemoryOutOfBounds
    );
    let rec = inst.get_typed_func::<(), i32>(&store, "recurse").unwrap();
    assert_eq!(
        rec.call(&mut store, ())
            .unwrap_err()
            .as_trap()
            .unwrap()
            .code,
        TrapCode::StackOverflow
    );
    // The store still works after traps.
    assert_eq!(div.call(&mut store, (9, 3)).unwrap(), 3);
}

#[test]
fn host_functions_and_errors() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
        (import "env" "double" (func $d (param i32) (result i32)))
        (import "env" "fail" (func $f))
        (func (export "run") (param i32) (result i32) local.get 0 call $d i32.const 1 i32.add)
        (func (export "fail") call $f))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "env",
            "double",
            FuncType::new([ValType::I32], [ValType::I32]),
            |mut c, p, r| {
                *c.data_mut() += 1;
                r[0] = Val::I32(p[0].i32().unwrap() * 2);
                Ok(())
            },
        )
        .unwrap();
    linker
        .func_new("env", "fail", FuncType::new([], []), |_, _, _| {
            Err(Error::exit(7))
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 20).unwrap(), 41);
    assert_eq!(*store.data(), 1);
    let fail = inst.get_typed_func::<(), ()>(&store, "fail").unwrap();
    assert_eq!(
        fail.call(&mut store, ()).unwrap_err().exit_status(),
        Some(7)
    );
}

#[test]
fn ten_million_tail_calls_run_in_constant_stack() {
    let (mut store, inst) = run(r#"(module
        (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
            (if (result i64) (i64.eqz (local.get $n))
                (then (local.get $acc))
                (else (return_call $count (i64.sub (local.get $n) (i64.const 1))
                                          (i64.add (local.get $acc) (i64.const 1)))))))"#);
    let f = inst
        .get_typed_func::<(i64, i64), i64>(&store, "count")
        .unwrap();
    // With a 1 MiB wasm stack, 10,000,000 ordinary calls would overflow many times over.
    assert_eq!(f.call(&mut store, (10_000_000, 0)).unwrap(), 10_000_000);
}
