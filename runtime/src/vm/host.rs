use crate::{api::{func::{Func, HostFn}, store::Store}, types::FuncType};
pub fn new_host_func<T: 'static>(_store: &mut Store<T>, _ty: FuncType, _f: Box<HostFn<T>>) -> Func { todo!() }
