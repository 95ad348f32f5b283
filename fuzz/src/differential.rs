//! The `differential` target: a deterministic wasm-smith module (NaN canonicalisation on, no
//! relaxed SIMD, no imports, fuel-bounded by `ensure_termination`) runs under this runtime and
//! under `wasmi` (the oracle). Instantiation, then every exported function in export order
//! with zero arguments, then the final state of exported memories, globals and tables.
//!
//! Comparison rules:
//! - values: integers exactly, floats and vectors by bits (NaNs were canonicalised in the
//!   module), references by null-ness (identities are engine-specific);
//! - traps: trap versus no trap always; the kind where both engines have it (see
//!   [`TrapKind::from_ours`] / [`TrapKind::from_wasmi`]);
//! - call-stack exhaustion: the engines' limits differ (ours: 1 MiB of native stack, wasmi: a
//!   recursion depth), and so does the state they leave behind. "Both exhausted" counts as
//!   equal; if only one is exhausted the engines simply disagree on the limit. Either way the
//!   rest of the module (later calls, final state) is not compared.
//! - a module wasmi rejects (a feature gap of the oracle) is skipped; one *we* reject is a
//!   finding (generated modules are valid under our default features).

use crate::{engine, generate};
use arbitrary::Unstructured;
use std::fmt;
use wasmedge_runtime as ours;
use wasmedge_runtime::MemoryStrategy;

/// A trap kind both engines can report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    StackOverflow,
    /// A kind the other engine cannot express, or an error that is not a trap (with its
    /// message): never equal to a comparable kind.
    Other(String),
}

impl TrapKind {
    /// Our trap codes mapped onto the common kinds.
    pub fn from_ours(e: &ours::Error) -> TrapKind {
        use ours::TrapCode as C;
        match e.as_trap().map(|t| t.code) {
            Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
            Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
            Some(C::IndirectCallToNull) => TrapKind::IndirectCallToNull,
            Some(C::BadSignature) => TrapKind::BadSignature,
            Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(C::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
            Some(C::BadConversionToInteger) => TrapKind::BadConversionToInteger,
            Some(C::StackOverflow) => TrapKind::StackOverflow,
            // HeapMisaligned / AtomicWaitNonSharedMemory (threads), NullReference (typed
            // function references), Interrupt, OutOfFuel, HostError: not reachable here.
            _ => TrapKind::Other(format!("ours: {e}")),
        }
    }

    /// wasmi's trap codes mapped onto the common kinds.
    pub fn from_wasmi(e: &wasmi::Error) -> TrapKind {
        use wasmi::TrapCode as C;
        use wasmi::errors::{ErrorKind, TableError};
        // wasmi 1.1 reports an out-of-bounds `table.copy` as a table error that
        // `as_trap_code` does not map (every other out-of-bounds table operation it does).
        if let ErrorKind::Table(TableError::CopyOutOfBounds) = e.kind() {
            return TrapKind::TableOutOfBounds;
        }
        match e.as_trap_code() {
            Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
            Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
            Some(C::IndirectCallToNull) => TrapKind::IndirectCallToNull,
            Some(C::BadSignature) => TrapKind::BadSignature,
            Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(C::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
            Some(C::BadConversionToInteger) => TrapKind::BadConversionToInteger,
            Some(C::StackOverflow) => TrapKind::StackOverflow,
            // OutOfFuel (fuel metering is off), GrowthOperationLimited and OutOfSystemMemory
            // (no resource limiter): not reachable here.
            _ => TrapKind::Other(format!("wasmi: {e}")),
        }
    }
}

/// A value, normalised for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A reference: only whether it is null is compared.
    Ref {
        null: bool,
    },
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(v) => write!(f, "f32:{:?} (0x{v:08x})", f32::from_bits(*v)),
            Value::F64(v) => write!(f, "f64:{:?} (0x{v:016x})", f64::from_bits(*v)),
            Value::V128(v) => write!(f, "v128:0x{v:032x}"),
            Value::Ref { null: true } => write!(f, "ref.null"),
            Value::Ref { null: false } => write!(f, "ref"),
        }
    }
}

impl Value {
    fn from_ours(v: &ours::Val) -> Value {
        match v {
            ours::Val::I32(x) => Value::I32(*x),
            ours::Val::I64(x) => Value::I64(*x),
            ours::Val::F32(x) => Value::F32(*x),
            ours::Val::F64(x) => Value::F64(*x),
            ours::Val::V128(x) => Value::V128(*x),
            ours::Val::FuncRef(r) => Value::Ref { null: r.is_none() },
            ours::Val::ExternRef(r) => Value::Ref { null: r.is_none() },
        }
    }

    fn from_wasmi(v: &wasmi::Val) -> Value {
        match v {
            wasmi::Val::I32(x) => Value::I32(*x),
            wasmi::Val::I64(x) => Value::I64(*x),
            wasmi::Val::F32(x) => Value::F32(x.to_bits()),
            wasmi::Val::F64(x) => Value::F64(x.to_bits()),
            wasmi::Val::V128(x) => Value::V128(x.as_u128()),
            wasmi::Val::FuncRef(r) => Value::Ref { null: r.is_null() },
            wasmi::Val::ExternRef(r) => Value::Ref { null: r.is_null() },
        }
    }
}

/// What one call (or instantiation) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<Value>),
    Trapped(TrapKind),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(vals) => {
                write!(f, "returned [")?;
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Outcome::Trapped(k) => write!(f, "trapped: {k:?}"),
        }
    }
}

/// How far the comparison of one module got.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// wasmi rejected the module (an oracle gap): nothing compared.
    pub oracle_rejected: Option<String>,
    /// Functions called in both engines with the same outcome.
    pub calls: usize,
    /// Of which trapped (same kind in both).
    pub traps: usize,
    /// The comparison stopped at a call-stack exhaustion (both or one side).
    pub stack_exhausted: Option<&'static str>,
    /// Exported memories, globals and tables compared at the end.
    pub state_compared: usize,
}

/// A disagreement between the engines.
#[derive(Clone, Debug)]
pub struct Mismatch(pub String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs one fuzz input: `None` when it is too short to make a module.
pub fn run(data: &[u8]) -> Option<Result<Summary, Mismatch>> {
    let mut u = Unstructured::new(data);
    let strategy = crate::compile_instantiate::pick_strategy(&mut u);
    let config = generate::differential_config(&mut u).ok()?;
    let wasm = generate::module(config, &mut u)?;
    Some(compare(&wasm, strategy))
}

/// The engines' verdict on a pair of outcomes.
enum Verdict {
    Same,
    /// Call-stack exhaustion on one or both sides: stop comparing this module.
    StackExhausted(&'static str),
    Different,
}

fn judge(a: &Outcome, b: &Outcome) -> Verdict {
    use Outcome::Trapped;
    use TrapKind::StackOverflow;
    match (a, b) {
        (Trapped(StackOverflow), Trapped(StackOverflow)) => Verdict::StackExhausted("both"),
        (Trapped(StackOverflow), _) => Verdict::StackExhausted("ours only"),
        (_, Trapped(StackOverflow)) => Verdict::StackExhausted("wasmi only"),
        _ if a == b => Verdict::Same,
        _ => Verdict::Different,
    }
}

/// Runs `wasm` in both engines and compares everything observable.
pub fn compare(wasm: &[u8], strategy: MemoryStrategy) -> Result<Summary, Mismatch> {
    let mut summary = Summary::default();

    // --- wasmi (the oracle)
    let mut wconfig = wasmi::Config::default();
    wconfig
        .compilation_mode(wasmi::CompilationMode::Eager)
        .wasm_simd(true)
        .wasm_relaxed_simd(false)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_multi_memory(true)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false);
    let wengine = wasmi::Engine::new(&wconfig);
    let wmodule = match wasmi::Module::new(&wengine, wasm) {
        Ok(m) => m,
        Err(e) => {
            summary.oracle_rejected = Some(e.to_string());
            return Ok(summary);
        }
    };

    // --- ours
    let engine = engine(strategy, None);
    let module = ours::Module::new(&engine, wasm)
        .map_err(|e| Mismatch(format!("we rejected a module wasmi accepts: {e}")))?;

    let mut wstore = wasmi::Store::new(&wengine, ());
    let mut store = ours::Store::new(&engine, ());
    let winstance = wasmi::Instance::new(&mut wstore, &wmodule, &[]);
    let instance = ours::Instance::new(&mut store, &module, &[]);
    let (instance, winstance) = match (instance, winstance) {
        (Ok(i), Ok(w)) => (i, w),
        (Err(e), Err(w)) => {
            // Both failed: compare the trap kinds where both are traps.
            let (a, b) = (TrapKind::from_ours(&e), TrapKind::from_wasmi(&w));
            let comparable = e.as_trap().is_some() && w.as_trap_code().is_some();
            if comparable && a != b && !matches!(judge_traps(&a, &b), Verdict::StackExhausted(_)) {
                return Err(Mismatch(format!(
                    "instantiation: ours trapped {a:?} ({e}), wasmi trapped {b:?} ({w})"
                )));
            }
            return Ok(summary);
        }
        (Ok(_), Err(w)) => {
            let b = TrapKind::from_wasmi(&w);
            if b == TrapKind::StackOverflow {
                summary.stack_exhausted = Some("wasmi only");
                return Ok(summary);
            }
            return Err(Mismatch(format!(
                "instantiation: ours succeeded, wasmi failed: {w}"
            )));
        }
        (Err(e), Ok(_)) => {
            let a = TrapKind::from_ours(&e);
            if a == TrapKind::StackOverflow {
                summary.stack_exhausted = Some("ours only");
                return Ok(summary);
            }
            return Err(Mismatch(format!(
                "instantiation: ours failed ({e}), wasmi succeeded"
            )));
        }
    };

    let exports = instance.exports(&store);
    for (name, export) in &exports {
        let ours::Extern::Func(func) = export else {
            continue;
        };
        let wfunc = winstance
            .get_func(&wstore, name)
            .ok_or_else(|| Mismatch(format!("wasmi has no function export {name:?}")))?;
        let ty = func.ty(&store);
        let params: Vec<ours::Val> = ty
            .params()
            .iter()
            .map(|t| ours::Val::default_for(*t))
            .collect();
        let mut results: Vec<ours::Val> = ty
            .results()
            .iter()
            .map(|t| ours::Val::default_for(*t))
            .collect();
        let wty = wfunc.ty(&wstore);
        let wparams: Vec<wasmi::Val> = wty
            .params()
            .iter()
            .map(|t| wasmi::Val::default(*t))
            .collect();
        let mut wresults: Vec<wasmi::Val> = wty
            .results()
            .iter()
            .map(|t| wasmi::Val::default(*t))
            .collect();

        let a = match func.call(&mut store, &params, &mut results) {
            Ok(()) => Outcome::Returned(results.iter().map(Value::from_ours).collect()),
            Err(e) => Outcome::Trapped(TrapKind::from_ours(&e)),
        };
        let b = match wfunc.call(&mut wstore, &wparams, &mut wresults) {
            Ok(()) => Outcome::Returned(wresults.iter().map(Value::from_wasmi).collect()),
            Err(e) => Outcome::Trapped(TrapKind::from_wasmi(&e)),
        };
        match judge(&a, &b) {
            Verdict::Same => {
                summary.calls += 1;
                if matches!(a, Outcome::Trapped(_)) {
                    summary.traps += 1;
                }
            }
            Verdict::StackExhausted(who) => {
                summary.stack_exhausted = Some(who);
                return Ok(summary);
            }
            Verdict::Different => {
                return Err(Mismatch(format!(
                    "calling export {name:?} {ty}: ours {a}, wasmi {b}"
                )));
            }
        }
    }

    // Final state of every exported memory, global and table.
    for (name, export) in &exports {
        match export {
            ours::Extern::Func(_) => {}
            ours::Extern::Memory(mem) => {
                let wmem = winstance
                    .get_memory(&wstore, name)
                    .ok_or_else(|| Mismatch(format!("wasmi has no memory export {name:?}")))?;
                let (a, b) = (mem.data(&store), wmem.data(&wstore));
                if a.len() != b.len() {
                    return Err(Mismatch(format!(
                        "memory {name:?}: ours {} bytes, wasmi {} bytes",
                        a.len(),
                        b.len()
                    )));
                }
                // Slice equality is one memcmp; the byte-wise search only runs on a mismatch
                // (a byte-wise loop over a 4 GiB memory under ASan took over a minute).
                if a != b {
                    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
                    let end = (at + 16).min(a.len());
                    return Err(Mismatch(format!(
                        "memory {name:?} differs first at byte {at}: ours {:02x?}, wasmi {:02x?}",
                        &a[at..end],
                        &b[at..end]
                    )));
                }
                summary.state_compared += 1;
            }
            ours::Extern::Global(g) => {
                let wg = winstance
                    .get_global(&wstore, name)
                    .ok_or_else(|| Mismatch(format!("wasmi has no global export {name:?}")))?;
                let (a, b) = (
                    Value::from_ours(&g.get(&store)),
                    Value::from_wasmi(&wg.get(&wstore)),
                );
                if a != b {
                    return Err(Mismatch(format!("global {name:?}: ours {a}, wasmi {b}")));
                }
                summary.state_compared += 1;
            }
            ours::Extern::Table(t) => {
                let wt = winstance
                    .get_table(&wstore, name)
                    .ok_or_else(|| Mismatch(format!("wasmi has no table export {name:?}")))?;
                let (n, wn) = (t.size(&store), wt.size(&wstore));
                if n != wn {
                    return Err(Mismatch(format!(
                        "table {name:?}: ours {n} elements, wasmi {wn}"
                    )));
                }
                for i in 0..n {
                    let a = t.get(&store, i).map(|v| Value::from_ours(&v));
                    let b = wt.get(&wstore, i).map(|v| Value::from_wasmi(&v));
                    if a != b {
                        return Err(Mismatch(format!(
                            "table {name:?} element {i}: ours {a:?}, wasmi {b:?}"
                        )));
                    }
                }
                summary.state_compared += 1;
            }
        }
    }
    Ok(summary)
}

fn judge_traps(a: &TrapKind, b: &TrapKind) -> Verdict {
    judge(&Outcome::Trapped(a.clone()), &Outcome::Trapped(b.clone()))
}
