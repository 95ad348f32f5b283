//! Instantiation: type-checks imports, builds the VMContext (header, memory/table/global
//! pointers, function references), creates the defined memories, tables and globals, applies
//! element and data segments, and runs the start function.
//!
//! Segments are applied in order (element segments, then data segments) and the first one out
//! of bounds traps, leaving earlier writes in place, as WebAssembly 2.0 specifies (the 1.0
//! rule, check everything first, was retired with bulk memory). Must not compile code.

use crate::api::{Extern, func::Func, instance::Instance, module::Module, store::Store};
use crate::error::{Error, Phase, Result, Trap, TrapCode};
use crate::loader::const_expr::{ConstExpr, ConstOp};
use crate::loader::info::{DataMode, ElementMode, EntityIndex};
use crate::types::ExternType;
use crate::values::Val;
use crate::vm::layout::{
    VMFuncRef, VMGlobal, VMMemoryDefinition, VMOffsets, VMTableDefinition, header,
};
use crate::vm::store::InstanceData;
use std::sync::Arc;

fn link_error(msg: String) -> Error {
    Error::new(Phase::Linking, msg, None)
}

fn limits_match(min: u64, max: Option<u64>, emin: u64, emax: Option<u64>) -> bool {
    min >= emin
        && match emax {
            None => true,
            Some(em) => max.is_some_and(|m| m <= em),
        }
}

fn import_matches(actual: &ExternType, expected: &ExternType) -> bool {
    match (actual, expected) {
        (ExternType::Func(a), ExternType::Func(e)) => a == e,
        (ExternType::Table(a), ExternType::Table(e)) => {
            a.element == e.element && limits_match(a.minimum, a.maximum, e.minimum, e.maximum)
        }
        (ExternType::Memory(a), ExternType::Memory(e)) => {
            a.shared == e.shared
                && a.memory64 == e.memory64
                && limits_match(a.minimum, a.maximum, e.minimum, e.maximum)
        }
        (ExternType::Global(a), ExternType::Global(e)) => a == e,
        _ => false,
    }
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

/// Instantiates `module` in `store` with `imports` in import order.
pub fn instantiate<T: 'static>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let m: Arc<crate::vm::module::CompiledModule> = module.inner.clone();
    if !m.engine.same(store.engine()) {
        return Err(link_error(
            "module was compiled by a different engine than the store's".into(),
        ));
    }
    let info = &m.info;
    if imports.len() != info.imports.len() {
        return Err(link_error(format!(
            "module needs {} imports but {} were given",
            info.imports.len(),
            imports.len()
        )));
    }
    for (imp, ext) in info.imports.iter().zip(imports) {
        let expected = info.entity_type(imp.index);
        let actual = ext.ty(store);
        if !import_matches(&actual, &expected) {
            return Err(link_error(format!(
                "incompatible import type for \"{}\" \"{}\": expected {} {:?}, got {} {:?}",
                imp.module,
                imp.name,
                expected.kind_name(),
                expected,
                actual.kind_name(),
                actual
            )));
        }
    }
    let inner = &mut store.inner;
    let offsets = VMOffsets {
        num_memories: info.memories.len() as u32,
        num_tables: info.tables.len() as u32,
        num_globals: info.globals.len() as u32,
        num_funcs: info.funcs.len() as u32,
    };
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

    // Imports.
    let (mut funcs, mut memories, mut tables, mut globals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ext in imports {
        match ext {
            Extern::Func(f) => funcs.push(*f),
            Extern::Memory(mm) => memories.push(*mm),
            Extern::Table(t) => tables.push(*t),
            Extern::Global(g) => globals.push(*g),
        }
    }
    // Defined memories, tables, globals.
    for ty in &info.memories[info.num_imported_memories as usize..] {
        memories.push(inner.new_memory(*ty)?);
    }
    for ty in &info.tables[info.num_imported_tables as usize..] {
        tables.push(inner.new_table(*ty, Val::default_for(ty.element.into()))?);
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
        let fr = unsafe { *inner.func_data(*f).func_ref };
        write_vmctx(&mut vmctx, offsets.func_ref(i as u32), fr);
        let slot = vmctx_ptr as usize + offsets.func_ref(i as u32) as usize;
        inner.funcref_index.insert(slot, f.index);
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
    for (k, init) in info.global_inits.iter().enumerate() {
        let ty = info.globals[info.num_imported_globals as usize + k];
        let g = inner.new_global_raw(ty, eval_const(&global_ptrs, func_ref, init));
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
                EntityIndex::Func(i) => Extern::Func(funcs[i as usize]),
                EntityIndex::Table(i) => Extern::Table(tables[i as usize]),
                EntityIndex::Memory(i) => Extern::Memory(memories[i as usize]),
                EntityIndex::Global(i) => Extern::Global(globals[i as usize]),
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
    let instance = Instance {
        store_id: inner.id,
        index: instance_index,
    };

    // Segments, applied in order; the first that does not fit traps.
    let oob = |code: TrapCode| Error::trap(Phase::Instantiation, Trap::new(code));
    for (k, seg) in info.elements.iter().enumerate() {
        let items = std::mem::take(&mut store.inner.instances[instance_index].elements[k]);
        // Active and declared segments are dropped once instantiation has used them.
        let ElementMode::Active { table, offset } = &seg.mode else {
            if let ElementMode::Passive = seg.mode {
                store.inner.instances[instance_index].elements[k] = items;
            }
            continue;
        };
        let start = eval_const(&global_ptrs, func_ref, offset) as u32 as usize;
        let dst = store.inner.table(tables[*table as usize]).elements_mut();
        match dst.get_mut(start..).and_then(|d| d.get_mut(..items.len())) {
            Some(d) => d.copy_from_slice(&items),
            None => return Err(oob(TrapCode::TableOutOfBounds)),
        }
    }
    for (k, seg) in info.data.iter().enumerate() {
        let DataMode::Active { memory, offset } = &seg.mode else {
            continue;
        };
        store.inner.instances[instance_index].data_dropped[k] = true;
        let start = eval_const(&global_ptrs, func_ref, offset) as u32 as usize;
        let bytes = &m.data[k];
        let dst = store.inner.memory_data_mut(memories[*memory as usize]);
        match dst.get_mut(start..).and_then(|d| d.get_mut(..bytes.len())) {
            Some(d) => d.copy_from_slice(bytes),
            None => return Err(oob(TrapCode::MemoryOutOfBounds)),
        }
    }

    if let Some(start) = info.start {
        let f: Func = funcs[start as usize];
        f.call(store, &[], &mut []).map_err(|e| match e.as_trap() {
            Some(t) => Error::trap(Phase::Instantiation, t.clone()),
            None => e,
        })?;
    }
    Ok(instance)
}
