//! Mapping between the runtime's `TrapCode` and Cranelift trap codes.
//!
//! Cranelift's reserved codes cover stack overflow, heap access, integer overflow, division by
//! zero and bad conversions; every other trap is a user code numbered here. Pure mapping.

use cranelift_codegen::ir;
use wasmedge_environ::error::TrapCode;

const USER: &[TrapCode] = &[
    TrapCode::UnreachableCodeReached,
    TrapCode::TableOutOfBounds,
    TrapCode::IndirectCallToNull,
    TrapCode::BadSignature,
    TrapCode::HostError,
    TrapCode::Interrupt,
    TrapCode::OutOfFuel,
    TrapCode::HeapMisaligned,
    TrapCode::NullReference,
    TrapCode::AtomicWaitNonSharedMemory,
    TrapCode::StackOverflow,
    TrapCode::MemoryOutOfBounds,
    TrapCode::IntegerOverflow,
    TrapCode::IntegerDivisionByZero,
    TrapCode::BadConversionToInteger,
];

/// The Cranelift trap code for one of our trap codes.
pub fn user_trap(code: TrapCode) -> ir::TrapCode {
    match code {
        TrapCode::StackOverflow => ir::TrapCode::STACK_OVERFLOW,
        TrapCode::MemoryOutOfBounds => ir::TrapCode::HEAP_OUT_OF_BOUNDS,
        TrapCode::IntegerOverflow => ir::TrapCode::INTEGER_OVERFLOW,
        TrapCode::IntegerDivisionByZero => ir::TrapCode::INTEGER_DIVISION_BY_ZERO,
        TrapCode::BadConversionToInteger => ir::TrapCode::BAD_CONVERSION_TO_INTEGER,
        other => {
            let i = USER
                .iter()
                .position(|c| *c == other)
                .expect("every trap code has a user number");
            ir::TrapCode::unwrap_user(i as u8 + 1)
        }
    }
}

/// Our trap code for a Cranelift trap code found in compiled code.
pub fn from_cranelift(code: ir::TrapCode) -> TrapCode {
    match code {
        ir::TrapCode::STACK_OVERFLOW => TrapCode::StackOverflow,
        ir::TrapCode::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ir::TrapCode::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ir::TrapCode::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ir::TrapCode::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        other => {
            let n = other.as_raw().get() as usize;
            USER.get(n.wrapping_sub(1))
                .copied()
                .unwrap_or(TrapCode::UnreachableCodeReached)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for c in USER {
            assert_eq!(from_cranelift(user_trap(*c)), *c);
        }
    }
}
