//! A plug-in on the current SDK that exercises every host-function path: all value types,
//! guest memory (bounds-checked), calls back into the guest, options, host logging, errors,
//! panics, more arguments than the runtime keeps on the stack, and a WASI-NN backend. Also the
//! plug-in side of `cargo xtask bench-plugins` (`add`).

use std::sync::Arc;
use wasmedge_plugin_sdk::nn::{ExecutionTarget, GraphEncoding, NnBackend, NnError, TensorRef};
use wasmedge_plugin_sdk::{
    Caller, HostError, InitContext, LogLevel, Value, export_plugin, host_module, nn_backend,
    plugin_option,
};

struct Options {
    greeting: Option<String>,
    flag: bool,
}

fn create(init: &InitContext) -> Result<Options, String> {
    Ok(Options {
        greeting: init.value("testkit-greeting").map(str::to_string),
        flag: init.flag("testkit-flag"),
    })
}

type Result0 = Result<(), HostError>;

/// add(a: i32, b: i32) -> i32
fn add(_: &mut Caller<'_, Options>, a: &[Value], r: &mut [Value]) -> Result0 {
    r[0] = Value::from_i32(a[0].i32().wrapping_add(a[1].i32()));
    Ok(())
}

/// roundtrip(i32, i64, f32, f64, v128) -> (v128, f64, f32, i64, i32)
fn roundtrip(_: &mut Caller<'_, Options>, a: &[Value], r: &mut [Value]) -> Result0 {
    for (out, v) in r.iter_mut().zip(a.iter().rev()) {
        *out = *v;
    }
    Ok(())
}

fn panic(_: &mut Caller<'_, Options>, _: &[Value], _: &mut [Value]) -> Result0 {
    panic!("fixture: the host function exploded");
}

fn fail(_: &mut Caller<'_, Options>, _: &[Value], _: &mut [Value]) -> Result0 {
    Err(HostError::new("fixture: a reported failure"))
}

/// peek(ptr, len) -> sum of the bytes
fn peek(c: &mut Caller<'_, Options>, a: &[Value], r: &mut [Value]) -> Result0 {
    let m = c.memory()?;
    let sum: u32 = m
        .slice(a[0].u32(), a[1].u32())?
        .iter()
        .map(|b| *b as u32)
        .sum();
    r[0] = Value::from_u32(sum);
    Ok(())
}

/// reverse(ptr, len) -> new_ptr: a reversed copy allocated with the guest's `cabi_realloc`.
fn reverse(c: &mut Caller<'_, Options>, a: &[Value], r: &mut [Value]) -> Result0 {
    let (ptr, len) = (a[0].u32(), a[1].u32());
    let mut bytes = c.memory()?.slice(ptr, len)?.to_vec();
    bytes.reverse();
    let mut new_ptr = [Value::ZERO];
    let args = [
        Value::from_i32(0),
        Value::from_i32(0),
        Value::from_i32(1),
        Value::from_u32(len),
    ];
    c.call_export("cabi_realloc", &args, &mut new_ptr)?;
    // The call may have grown memory: fetch it again.
    c.memory()?.write(new_ptr[0].u32(), &bytes)?;
    r[0] = new_ptr[0];
    Ok(())
}

/// greeting_len() -> length of --testkit-greeting, or -1
fn greeting_len(c: &mut Caller<'_, Options>, _: &[Value], r: &mut [Value]) -> Result0 {
    let len = c.state().greeting.as_ref().map_or(-1, |g| g.len() as i32);
    r[0] = Value::from_i32(len);
    Ok(())
}

/// flag() -> 1 if --testkit-flag was given
fn flag(c: &mut Caller<'_, Options>, _: &[Value], r: &mut [Value]) -> Result0 {
    r[0] = Value::from_i32(c.state().flag as i32);
    Ok(())
}

fn warn(c: &mut Caller<'_, Options>, _: &[Value], _: &mut [Value]) -> Result0 {
    c.log(LogLevel::WARNING, "fixture: a warning from the plug-in");
    Ok(())
}

/// many(ten i32s) -> their sum
fn many(_: &mut Caller<'_, Options>, a: &[Value], r: &mut [Value]) -> Result0 {
    r[0] = Value::from_i32(a.iter().map(|v| v.i32()).sum());
    Ok(())
}

/// A WASI-NN backend whose graph is a scale factor (one f32 builder) and whose output 0 is
/// input 0 (f32) times it.
struct Scale;

struct Ctx {
    factor: f32,
    out: Vec<u8>,
}

impl NnBackend for Scale {
    type Graph = f32;
    type Context = Ctx;

    fn create(_: &InitContext) -> Result<Self, String> {
        Ok(Scale)
    }

    fn load(&self, b: &[&[u8]], _: GraphEncoding, _: ExecutionTarget) -> Result<f32, NnError> {
        let bytes: [u8; 4] = b
            .first()
            .and_then(|b| (*b).try_into().ok())
            .ok_or_else(|| NnError::invalid_argument("one 4-byte builder expected"))?;
        Ok(f32::from_le_bytes(bytes))
    }

    fn init_execution_context(&self, g: &Arc<f32>) -> Result<Ctx, NnError> {
        Ok(Ctx {
            factor: **g,
            out: Vec::new(),
        })
    }

    fn set_input(&self, c: &mut Ctx, _: u32, t: &TensorRef<'_>) -> Result<(), NnError> {
        c.out = t
            .data
            .as_slice()
            .chunks_exact(4)
            .flat_map(|x| (f32::from_le_bytes(x.try_into().unwrap()) * c.factor).to_le_bytes())
            .collect();
        Ok(())
    }

    fn compute(&self, _: &mut Ctx) -> Result<(), NnError> {
        Ok(())
    }

    fn get_output(&self, c: &mut Ctx, _: u32, out: &mut [u8]) -> Result<usize, NnError> {
        if out.len() < c.out.len() {
            return Err(NnError::too_large(c.out.len()));
        }
        out[..c.out.len()].copy_from_slice(&c.out);
        Ok(c.out.len())
    }
}

export_plugin! {
    name: "fixture_testkit",
    description: "Test fixture: every host-function path",
    version: "1.2.3",
    options: [
        plugin_option!("testkit-greeting", "TEXT", "A string the plug-in reports the length of"),
        plugin_option!("testkit-flag", "", "A switch the plug-in reports"),
    ],
    modules: [host_module! {
        name: "testkit",
        description: "Test functions",
        state: Options = create,
        functions: [
            "add" (i32, i32) -> (i32) = add,
            "roundtrip" (i32, i64, f32, f64, v128) -> (v128, f64, f32, i64, i32) = roundtrip,
            "panic" () -> () = panic,
            "fail" () -> () = fail,
            "peek" (i32, i32) -> (i32) = peek,
            "reverse" (i32, i32) -> (i32) = reverse,
            "greeting_len" () -> (i32) = greeting_len,
            "flag" () -> (i32) = flag,
            "warn" () -> () = warn,
            "many" (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> (i32) = many,
        ],
    }],
    nn_backends: [nn_backend!(Scale, "scale", [GraphEncoding::TENSORFLOW])],
}
