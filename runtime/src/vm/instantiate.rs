use crate::{api::{Extern, instance::Instance, module::Module, store::Store}, error::Result};
pub fn instantiate<T>(_store: &mut Store<T>, _m: &Module, _i: &[Extern]) -> Result<Instance> { todo!() }
