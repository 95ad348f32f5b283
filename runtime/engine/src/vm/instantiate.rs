//! Instantiation: builds the VMContext (header, memory/table/global pointers, function
//! references), creates the defined memories, tables and globals, and applies element and data
//! segments. Import type checks (a linking concern) and running the start function are the
//! embedding API's job, before and after this.
//!
//! Segments are applied in order (element segments, then data segments) and the first one out
//! of bounds traps, leaving earlier writes in place, as WebAssembly 2.0 specifies (the 1.0
//! rule, check everything first, was retired with bulk memory). Must not compile code.

use crate::vm::module::CompiledModule;
use crate::vm::store::{InstanceData, StoreInner, VmExtern};
use crate::vm::vmcontext::{VMFuncRef, VMGlobal, VMMemoryDefinition, VMTableDefinition};
use std::sync::Arc;
use wasmedge_environ::error::{Error, Phase, Result, Trap, TrapCode};
use wasmedge_environ::loader::const_expr::{ConstExpr, ConstOp};
use wasmedge_environ::loader::info::{DataMode, ElementMode, EntityIndex};
use wasmedge_environ::vmabi::{VMOffsets, header};

/// The entities a module's imports resolved to, by store index, in import order per kind.
#[derive(Default)]
pub(crate) struct Imports {
    pub(crate) funcs: Vec<usize>,
    pub(crate) memories: Vec<usize>,
    pub(crate) tables: Vec<usize>,
    pub(crate) globals: Vec<usize>,
}

/// A new instance: its index in the store, and its start function's index, to be run by the
/// caller.
pub(crate) struct Instantiated {
    pub(crate) instance: usize,
    pub(crate) start: Option<usize>,
}

/// Writes a pointer-sized value into the VMContext at `offset`.
fn write_vmctx<V>(vmctx: &mut [u128], offset: u32, value: V) {
    assert!(offset as usize + size_of::<V>() <= vmctx.len() * 16);
    // SAFETY: bounds checked above; the VMContext is plain bytes and `offset` is aligned for
    // `V` by construction of `VMOffsets`.
    unsafe {
        (vmctx.as_mut_ptr() as *mut u8)
            .add(offset as usize)
            .cast::<V>()
            .write(value)
    }
}

/// Evaluates a constant expression to its 16-byte raw value.
fn eval_const(globals: &[*mut VMGlobal], func_ref: impl Fn(u32) -> usize, e: &ConstExpr) -> u128 {
    let mut stack: Vec<u128> = Vec::new();
    for op in &e.0 {
        let v = match op {
            ConstOp::I32(x) => u128::from(*x as u32),
            ConstOp::I64(x) => u128::from(*x as u64),
            ConstOp::F32(x) => u128::from(*x),
            ConstOp::F64(x) => u128::from(*x),
            ConstOp::V128(x) => *x,
            // SAFETY: global pointers point into store-owned storage.
            ConstOp::GlobalGet(i) => unsafe { (*globals[*i as usize]).bits },
            ConstOp::RefNull(_) => 0,
            ConstOp::RefFunc(i) => func_ref(*i) as u128,
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let b = stack.pop().unwrap_or(0) as u32;
                let a = stack.pop().unwrap_or(0) as u32;
                u128::from(match op {
                    ConstOp::I32Add => a.wrapping_add(b),
                    ConstOp::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                let b = stack.pop().unwrap_or(0) as u64;
                let a = stack.pop().unwrap_or(0) as u64;
                u128::from(match op {
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
        };
        stack.push(v);
    }
    stack.pop().unwrap_or(0)
}

/// Instantiates `m` in `inner` with type-checked `imports`.
pub(crate) fn instantiate(
    inner: &mut StoreInner,
    m: &Arc<CompiledModule>,
    imports: Imports,
) -> Result<Instantiated> {
    let info = &m.info;
    inner.fill_host_trampolines();
    let offsets = VMOffsets::for_module(info);
    let mut vmctx: Box<[u128]> =
        vec![0u128; offsets.size().div_ceil(16) as usize].into_boxed_slice();
    let vmctx_ptr = vmctx.as_mut_ptr() as *mut u8;
    let instance_index = inner.instances.len();
    write_vmctx(&mut vmctx, header::STORE_CTX, &mut *inner.ctx as *mut _);
    write_vmctx(
        &mut vmctx,
        header::BUILTINS,
        &crate::vm::builtins::BUILTINS as *const _,
    );
    write_vmctx(&mut vmctx, header::TYPE_IDS, m.type_ids.as_ptr());
    write_vmctx(&mut vmctx, header::INSTANCE, instance_index);

    let Imports {
        mut funcs,
        mut memories,
        mut tables,
        globals,
    } = imports;
    // Defined memories, tables, globals.
    for ty in &info.memories[info.num_imported_memories as usize..] {
        memories.push(inner.new_memory(*ty)?);
    }
    for ty in &info.tables[info.num_imported_tables as usize..] {
        tables.push(inner.new_table(*ty, 0)?);
    }
    for (i, mem) in memories.iter().enumerate() {
        let def: *mut VMMemoryDefinition = inner.memory(*mem).definition();
        write_vmctx(&mut vmctx, offsets.memory(i as u32), def);
    }
    for (i, t) in tables.iter().enumerate() {
        let def: *mut VMTableDefinition = inner.table(*t).definition();
        write_vmctx(&mut vmctx, offsets.table(i as u32), def);
    }
    // Function references: imports are copies of the exporter's; defined ones point here.
    for (i, f) in funcs.iter().enumerate() {
        // SAFETY: the function's reference lives in store-owned memory.
        let fr = unsafe { *inner.funcs[*f].func_ref };
        write_vmctx(&mut vmctx, offsets.func_ref(i as u32), fr);
        let slot = vmctx_ptr as usize + offsets.func_ref(i as u32) as usize;
        inner.funcref_index.insert(slot, *f);
    }
    for d in 0..info.num_defined_funcs() {
        let index = info.num_imported_funcs + d;
        let ty = info.funcs[index as usize];
        let fr = VMFuncRef {
            wasm_call: m.func_addr(d),
            array_call: m.trampoline_addr(ty),
            vmctx: vmctx_ptr,
            type_id: m.type_ids[ty as usize],
            _pad: 0,
        };
        write_vmctx(&mut vmctx, offsets.func_ref(index), fr);
        let slot = vmctx_ptr.wrapping_add(offsets.func_ref(index) as usize) as *const VMFuncRef;
        funcs.push(inner.push_func(slot, fr.type_id, false));
    }
    let func_ref = |i: u32| vmctx_ptr as usize + offsets.func_ref(i) as usize;
    // Globals (initialisers may read imported and earlier globals).
    let mut global_ptrs: Vec<*mut VMGlobal> =
        globals.iter().map(|g| inner.global_ptr(*g)).collect();
    let mut globals = globals;
    for (k, init) in info.global_inits.iter().enumerate() {
        let ty = info.globals[info.num_imported_globals as usize + k];
        let g = inner.new_global(ty, eval_const(&global_ptrs, func_ref, init));
        global_ptrs.push(inner.global_ptr(g));
        globals.push(g);
    }
    for (i, p) in global_ptrs.iter().enumerate() {
        write_vmctx(&mut vmctx, offsets.global(i as u32), *p);
    }
    // Exports.
    let exports = info
        .exports
        .iter()
        .map(|(name, idx)| {
            let e = match *idx {
                EntityIndex::Func(i) => VmExtern::Func(funcs[i as usize]),
                EntityIndex::Table(i) => VmExtern::Table(tables[i as usize]),
                EntityIndex::Memory(i) => VmExtern::Memory(memories[i as usize]),
                EntityIndex::Global(i) => VmExtern::Global(globals[i as usize]),
            };
            (name.clone(), e)
        })
        .collect();
    // Element segment items are evaluated once; passive ones stay for `table.init`.
    let elements: Vec<Vec<usize>> = info
        .elements
        .iter()
        .map(|seg| {
            seg.items
                .iter()
                .map(|e| eval_const(&global_ptrs, func_ref, e) as usize)
                .collect()
        })
        .collect();
    inner.instances.push(InstanceData {
        module: m.clone(),
        vmctx,
        exports,
        elements,
        data_dropped: vec![false; info.data.len()],
        offsets,
    });

    // Segments, applied in order; the first that does not fit traps.
    let oob = |code: TrapCode| Error::trap(Phase::Instantiation, Trap::new(code));
    for (k, seg) in info.elements.iter().enumerate() {
        let items = std::mem::take(&mut inner.instances[instance_index].elements[k]);
        // Active and declared segments are dropped once instantiation has used them.
        let ElementMode::Active { table, offset } = &seg.mode else {
            if let ElementMode::Passive = seg.mode {
                inner.instances[instance_index].elements[k] = items;
            }
            continue;
        };
        let start = eval_const(&global_ptrs, func_ref, offset) as u32 as usize;
        let dst = inner.table(tables[*table as usize]).elements_mut();
        match dst.get_mut(start..).and_then(|d| d.get_mut(..items.len())) {
            Some(d) => d.copy_from_slice(&items),
            None => return Err(oob(TrapCode::TableOutOfBounds)),
        }
    }
    for (k, seg) in info.data.iter().enumerate() {
        let DataMode::Active { memory, offset } = &seg.mode else {
            continue;
        };
        inner.instances[instance_index].data_dropped[k] = true;
        let start = eval_const(&global_ptrs, func_ref, offset) as u32 as usize;
        let bytes = &m.data[k];
        let dst = inner.memory_data_mut(memories[*memory as usize]);
        match dst.get_mut(start..).and_then(|d| d.get_mut(..bytes.len())) {
            Some(d) => d.copy_from_slice(bytes),
            None => return Err(oob(TrapCode::MemoryOutOfBounds)),
        }
    }
    Ok(Instantiated {
        instance: instance_index,
        start: info.start.map(|s| funcs[s as usize]),
    })
}
