use crate::{api::{func::Func, store::Store}, error::Result, values::Val};
pub fn call_func<T>(_store: &mut Store<T>, _f: Func, _p: &[Val], _r: &mut [Val]) -> Result<()> { todo!() }
