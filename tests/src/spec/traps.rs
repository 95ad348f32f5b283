//! Deciding whether a runtime error is the trap a `.wast` script expects (`assert_trap`,
//! `assert_exhaustion`), allowing the known spelling differences between the spec's reference
//! interpreter and this runtime.
//!
//! Pure matching on error values: must not run wasm or decide what counts as a failure of a
//! whole directive.

use wasmedge_runtime::{Error, Trap, TrapCode};

/// Messages that name the same table failure in different suite versions ("undefined element"
/// for an index past the end in 1.0, "out of bounds table access" in 2.0, "uninitialized
/// element" for a null slot); the runtime's codes for these are treated as interchangeable.
const TABLE_ALIASES: &[&str] = &[
    "undefined element",
    "uninitialized element",
    "out of bounds table access",
];

/// Other accepted spellings per trap code (besides `TrapCode::message()` itself).
fn aliases(code: TrapCode) -> &'static [&'static str] {
    match code {
        TrapCode::StackOverflow => &["call stack exhausted", "stack overflow"],
        TrapCode::TableOutOfBounds => TABLE_ALIASES,
        TrapCode::IndirectCallToNull => &[
            "undefined element",
            "uninitialized element",
            "out of bounds table access",
            "null function reference",
            "null reference",
        ],
        TrapCode::NullReference => &["null reference", "null function reference"],
        TrapCode::UnreachableCodeReached => &["unreachable"],
        TrapCode::MemoryOutOfBounds => {
            &["out of bounds memory access", "memory access out of bounds"]
        }
        _ => &[],
    }
}

/// True when `candidate` and `expected` name the same failure: one contains the other
/// (covers "uninitialized element 2" vs "uninitialized element", and the runtime's
/// "undefined element: out of bounds table access" vs either half).
fn similar(candidate: &str, expected: &str) -> bool {
    let candidate = candidate.trim().to_ascii_lowercase();
    let expected = expected.trim().to_ascii_lowercase();
    !candidate.is_empty()
        && !expected.is_empty()
        && (candidate.contains(&expected) || expected.starts_with(&candidate))
}

/// True if `trap` is an acceptable report of the expected trap message.
pub fn trap_matches(trap: &Trap, expected: &str) -> bool {
    similar(trap.code.message(), expected)
        || similar(&trap.to_string(), expected)
        || trap
            .message
            .as_deref()
            .is_some_and(|m| similar(m, expected))
        || aliases(trap.code).iter().any(|a| similar(a, expected))
}

/// Checks that `result` is a trap matching `expected`; `Err` describes what happened instead.
pub fn expect_trap<T>(
    result: Result<T, Error>,
    expected: &str,
    show_ok: impl FnOnce(T) -> String,
) -> Result<(), String> {
    match result {
        Ok(v) => Err(format!(
            "expected trap \"{expected}\", got success: {}",
            show_ok(v)
        )),
        Err(e) => match e.as_trap() {
            Some(trap) if trap_matches(trap, expected) => Ok(()),
            Some(trap) => Err(format!(
                "expected trap \"{expected}\", got a different trap: {trap} (code {:?})",
                trap.code
            )),
            None => Err(format!(
                "expected trap \"{expected}\", got a non-trap error: {e}"
            )),
        },
    }
}

/// Checks that `result` is a stack-exhaustion trap.
pub fn expect_exhaustion<T>(
    result: Result<T, Error>,
    expected: &str,
    show_ok: impl FnOnce(T) -> String,
) -> Result<(), String> {
    match result {
        Ok(v) => Err(format!(
            "expected exhaustion \"{expected}\", got success: {}",
            show_ok(v)
        )),
        Err(e) => match e.as_trap() {
            Some(trap) if trap.code == TrapCode::StackOverflow || trap_matches(trap, expected) => {
                Ok(())
            }
            Some(trap) => Err(format!(
                "expected exhaustion \"{expected}\", got a different trap: {trap} (code {:?})",
                trap.code
            )),
            None => Err(format!(
                "expected exhaustion \"{expected}\", got a non-trap error: {e}"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmedge_runtime::Phase;

    fn t(code: TrapCode) -> Trap {
        Trap::new(code)
    }

    #[test]
    fn exact_messages_match() {
        for (code, msg) in [
            (TrapCode::MemoryOutOfBounds, "out of bounds memory access"),
            (TrapCode::IntegerDivisionByZero, "integer divide by zero"),
            (TrapCode::IntegerOverflow, "integer overflow"),
            (
                TrapCode::BadConversionToInteger,
                "invalid conversion to integer",
            ),
            (TrapCode::UnreachableCodeReached, "unreachable"),
            (TrapCode::BadSignature, "indirect call type mismatch"),
            (TrapCode::StackOverflow, "call stack exhausted"),
        ] {
            assert!(trap_matches(&t(code), msg), "{code:?} vs {msg}");
        }
    }

    #[test]
    fn table_aliases() {
        for code in [TrapCode::TableOutOfBounds, TrapCode::IndirectCallToNull] {
            for msg in [
                "undefined element",
                "uninitialized element",
                "uninitialized element 2",
                "out of bounds table access",
            ] {
                assert!(trap_matches(&t(code), msg), "{code:?} vs {msg}");
            }
        }
        assert!(trap_matches(
            &t(TrapCode::IndirectCallToNull),
            "null function reference"
        ));
    }

    #[test]
    fn different_traps_do_not_match() {
        assert!(!trap_matches(
            &t(TrapCode::IntegerOverflow),
            "integer divide by zero"
        ));
        assert!(!trap_matches(
            &t(TrapCode::MemoryOutOfBounds),
            "out of bounds table access"
        ));
        assert!(!trap_matches(
            &t(TrapCode::UnreachableCodeReached),
            "call stack exhausted"
        ));
        assert!(!trap_matches(
            &t(TrapCode::TableOutOfBounds),
            "indirect call type mismatch"
        ));
    }

    #[test]
    fn host_messages_match() {
        assert!(trap_matches(
            &Trap::host("custom failure here"),
            "custom failure"
        ));
    }

    #[test]
    fn expect_trap_results() {
        let ok: Result<i32, Error> = Ok(1);
        assert!(
            expect_trap(ok, "unreachable", |v| v.to_string())
                .unwrap_err()
                .contains("success")
        );
        let err: Result<i32, Error> = Err(Error::new(Phase::Execution, "nope", None));
        assert!(
            expect_trap(err, "unreachable", |v| v.to_string())
                .unwrap_err()
                .contains("non-trap")
        );
        let trap: Result<i32, Error> = Err(t(TrapCode::UnreachableCodeReached).into());
        assert!(expect_trap(trap, "unreachable", |v| v.to_string()).is_ok());
        let trap: Result<i32, Error> = Err(t(TrapCode::StackOverflow).into());
        assert!(expect_exhaustion(trap, "call stack exhausted", |v| v.to_string()).is_ok());
    }
}
