//! Dummy imports: for each import of a module, a fresh entity of exactly the imported type —
//! host functions that return zero values, memories and tables at their minimum size,
//! globals holding zero (or null).

use wasmedge_runtime::{
    Extern, ExternType, Func, Global, Memory, Module, Result, Store, Table, Val, ValType,
};

/// The zero value (null for references) of `ty`.
pub fn zero(ty: ValType) -> Val {
    Val::default_for(ty)
}

/// One dummy per import of `module`, in import order (as `Instance::new` expects).
pub fn imports<T: 'static>(store: &mut Store<T>, module: &Module) -> Result<Vec<Extern>> {
    let mut out = Vec::new();
    for import in module.imports() {
        out.push(match import.ty {
            ExternType::Func(ty) => {
                // Results arrive pre-filled with zeros of the right types.
                Extern::Func(Func::new(store, ty, |_caller, _params, _results| Ok(())))
            }
            ExternType::Memory(ty) => Extern::Memory(Memory::new(store, ty)?),
            ExternType::Table(ty) => Extern::Table(Table::new(store, ty, zero(ty.element.into()))?),
            ExternType::Global(ty) => Extern::Global(Global::new(store, ty, zero(ty.content))?),
        });
    }
    Ok(out)
}
