//! The compiler.
pub mod isa;
