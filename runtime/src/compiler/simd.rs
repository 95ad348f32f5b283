//! SIMD (`v128`) operators. v128 values travel as `I8X16` and are bitcast to the lane type an
//! operator needs.
//!
//! Must not handle non-SIMD operators.

use crate::compiler::translate::FuncTranslator;
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    /// Translates a SIMD operator; returns false if `op` is not one.
    pub fn translate_simd(&mut self, op: &Operator<'_>) -> Result<bool, String> {
        let _ = op;
        Ok(false)
    }
}
