//! Threads through the embedding API: shared memories used from several stores on several host
//! threads, atomic read-modify-write, and wait/notify that really block.

use crate::*;

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_features(config.features() | WasmFeatures::THREADS);
    Engine::new(&config).unwrap()
}

/// Instantiates `module` in a fresh store with `shared` as its `env.memory` import.
fn instance_with(engine: &Engine, module: &Module, shared: &SharedMemory) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let mem = shared.attach(&mut store).unwrap();
    let inst = Instance::new(&mut store, module, &[mem.into()]).unwrap();
    (store, inst)
}

#[test]
fn four_threads_increment_a_shared_counter() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module
        (import "env" "memory" (memory 1 1 shared))
        (func (export "run") (param $n i32)
            (loop $l
                (drop (i32.atomic.rmw.add (i32.const 64) (i32.const 1)))
                (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
                (br_if $l)))
        (func (export "get") (result i32) (i32.atomic.load (i32.const 64))))"#,
    )
    .unwrap();
    let shared = SharedMemory::new(
        &engine,
        MemoryType {
            shared: true,
            ..MemoryType::new(1, Some(1))
        },
    )
    .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (engine, module, shared) = (engine.clone(), module.clone(), shared.clone());
            std::thread::spawn(move || {
                let (mut store, inst) = instance_with(&engine, &module, &shared);
                let run = inst.get_typed_func::<i32, ()>(&store, "run").unwrap();
                run.call(&mut store, 1_000_000).unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let (mut store, inst) = instance_with(&engine, &module, &shared);
    let get = inst.get_typed_func::<(), i32>(&store, "get").unwrap();
    assert_eq!(get.call(&mut store, ()).unwrap(), 4_000_000);
}

#[test]
fn wait_notify_ping_pong() {
    let engine = engine();
    // Two players alternate: player p waits until the turn word holds p, then hands the turn
    // to the other player and notifies. 1,000 rounds each.
    let module = Module::new(&engine, r#"(module
        (import "env" "memory" (memory 1 1 shared))
        (func (export "play") (param $me i32) (param $other i32) (param $rounds i32) (result i32)
            (local $waits i32)
            (loop $round
                (block $my_turn
                    (loop $wait
                        (br_if $my_turn (i32.eq (i32.atomic.load (i32.const 0)) (local.get $me)))
                        (drop (memory.atomic.wait32 (i32.const 0) (local.get $other) (i64.const -1)))
                        (local.set $waits (i32.add (local.get $waits) (i32.const 1)))
                        (br $wait)))
                (i32.atomic.store (i32.const 0) (local.get $other))
                (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
                (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))
                (br_if $round))
            (local.get $waits)))"#).unwrap();
    let shared = SharedMemory::new(
        &engine,
        MemoryType {
            shared: true,
            ..MemoryType::new(1, Some(1))
        },
    )
    .unwrap();
    let players: Vec<_> = [(0, 1), (1, 0)]
        .into_iter()
        .map(|(me, other)| {
            let (engine, module, shared) = (engine.clone(), module.clone(), shared.clone());
            std::thread::spawn(move || {
                let (mut store, inst) = instance_with(&engine, &module, &shared);
                let play = inst
                    .get_typed_func::<(i32, i32, i32), i32>(&store, "play")
                    .unwrap();
                play.call(&mut store, (me, other, 1000)).unwrap()
            })
        })
        .collect();
    let waits: Vec<i32> = players.into_iter().map(|t| t.join().unwrap()).collect();
    // Player 1 starts second, so it must have blocked at least once.
    assert!(waits[1] > 0, "waits: {waits:?}");
    assert_eq!(
        shared.data()[0..4],
        [0, 0, 0, 0],
        "the turn went back to player 0 after 2,000 moves"
    );
}

#[test]
fn wait_on_unshared_memory_traps_and_timeouts_return_2() {
    let engine = engine();
    let module = Module::new(&engine, r#"(module
        (memory 1)
        (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let f = inst.get_typed_func::<(), i32>(&store, "wait").unwrap();
    assert_eq!(
        f.call(&mut store, ()).unwrap_err().as_trap().unwrap().code,
        TrapCode::AtomicWaitNonSharedMemory
    );
    let shared = SharedMemory::new(
        &engine,
        MemoryType {
            shared: true,
            ..MemoryType::new(1, Some(2))
        },
    )
    .unwrap();
    let module = Module::new(&engine, r#"(module
        (import "env" "memory" (memory 1 2 shared))
        (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 1000000)))
        (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#).unwrap();
    let (mut store, inst) = instance_with(&engine, &module, &shared);
    let f = inst.get_typed_func::<(), i32>(&store, "wait").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 2);
    let g = inst.get_typed_func::<(), i32>(&store, "grow").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 1);
    assert_eq!(shared.size(), 2);
    assert_eq!(g.call(&mut store, ()).unwrap(), -1);
}

#[test]
fn threads_are_off_by_default() {
    let e = Module::new(&Engine::default(), "(module (memory 1 1 shared))")
        .err()
        .unwrap();
    assert!(e.to_string().contains("--enable-threads"), "{e}");
}
