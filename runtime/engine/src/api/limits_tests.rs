//! Resource limits through the embedding API: fuel (gas) with exact accounting, epoch
//! interruption of loops without calls, and memory page limits.

use crate::*;
use std::time::{Duration, Instant};

fn engine(fuel: bool, epochs: bool) -> Engine {
    let mut c = Config::new();
    c.consume_fuel(fuel).epoch_interruption(epochs);
    Engine::new(&c).unwrap()
}

const COUNTER: &str = r#"(module
    (global $iters (export "iters") (mut i32) (i32.const 0))
    (func (export "spin")
        (loop $l
            (global.set $iters (i32.add (global.get $iters) (i32.const 1)))
            (br $l))))"#;

#[test]
fn fuel_stops_a_loop_at_the_exact_budget() {
    let engine = engine(true, false);
    let module = Module::new(&engine, COUNTER).unwrap();
    // Entry segment: `loop` = 1 instruction. Each iteration: global.get, i32.const, i32.add,
    // global.set, br = 5 instructions.
    for budget in [0u64, 1, 5, 6, 7, 10, 11, 1_000_001] {
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        store.set_fuel(budget);
        let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
        let err = spin.call(&mut store, ()).unwrap_err();
        assert_eq!(err.as_trap().unwrap().code, TrapCode::OutOfFuel, "{err}");
        let iters = inst
            .get_global(&store, "iters")
            .unwrap()
            .get(&store)
            .i32()
            .unwrap() as u64;
        let expected = budget.saturating_sub(1) / 5;
        assert_eq!(iters, expected, "budget {budget}");
        assert_eq!(store.fuel_remaining(), 0);
    }
}

#[test]
fn fuel_is_not_charged_without_metering_and_counts_exactly_with_it() {
    let engine = engine(true, false);
    let module = Module::new(
        &engine,
        r#"(module
        (func (export "f") (param i32) (result i32)
            local.get 0 i32.const 1 i32.add))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    store.set_fuel(100);
    let f = inst.get_typed_func::<i32, i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, 1).unwrap(), 2);
    // local.get, i32.const, i32.add, end.
    assert_eq!(store.fuel_remaining(), 96);
}

#[test]
fn epoch_interrupts_a_loop_without_calls() {
    let engine = engine(false, true);
    let module = Module::new(&engine, "(module (func (export \"f\") (loop br 0)))").unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    store.set_epoch_deadline(1);
    let ticker = engine.clone();
    let started = Instant::now();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        ticker.increment_epoch();
    });
    let f = inst.get_typed_func::<(), ()>(&store, "f").unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    t.join().unwrap();
    assert_eq!(err.as_trap().unwrap().code, TrapCode::Interrupt);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn memory_page_limit_makes_grow_fail() {
    let mut c = Config::new();
    c.memory_page_limit(Some(3));
    let engine = Engine::new(&c).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (memory 1)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
}
