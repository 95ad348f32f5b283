//! The `spectest` host module the WebAssembly spec suite imports from: `print*` functions,
//! the `global_*` globals, `table`, `memory` and `shared_memory`.
//!
//! Only defines those entities in a `Linker`; must not run scripts or know about directives.

use wasmedge_runtime::{
    FuncType, Global, GlobalType, Linker, Memory, MemoryType, RefType, Result, SharedMemory, Store,
    Table, TableType, Val, ValType,
};

/// The name scripts import the host module by.
pub const MODULE: &str = "spectest";

/// Defines the `spectest` module in `linker`, creating its globals, table and memory in
/// `store`. The `print*` functions accept their arguments and print nothing (the suite never
/// checks output, and printing would clutter the runner's report).
pub fn define<T: 'static>(linker: &mut Linker<T>, store: &mut Store<T>) -> Result<()> {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new(MODULE, name, ty, |_caller, _args, _results| Ok(()))?;
    }

    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let global = Global::new(store, GlobalType::new(ty, false), val)?;
        linker.define(MODULE, name, global)?;
    }

    let table = Table::new(
        store,
        TableType::new(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    )?;
    linker.define(MODULE, "table", table)?;

    let memory = Memory::new(store, MemoryType::new(1, Some(2)))?;
    linker.define(MODULE, "memory", memory)?;
    // The threads proposal's tests import a shared memory too.
    let shared_ty = MemoryType {
        shared: true,
        ..MemoryType::new(1, Some(2))
    };
    let shared = SharedMemory::new(store.engine(), shared_ty)?.attach(store)?;
    linker.define(MODULE, "shared_memory", shared)?;
    Ok(())
}
