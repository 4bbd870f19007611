//! Evaluation errors: a stable code, a message and the span of the IR node being
//! evaluated. Undefined results are not errors.

use crate::lang::source::Span;

/// An error raised while evaluating (a builtin type error, a conflict between rule
/// definitions, a limit exceeded, an unknown query).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// `eval::type`, `eval::conflict`, `eval::step-limit`, `eval::depth-limit`,
    /// `eval::arith`, `eval::unknown-rule`.
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// Where (render with `Program::render_error`).
    pub span: Span,
}

impl EvalError {
    /// Builds an error.
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        EvalError {
            code,
            message: message.into(),
            span,
        }
    }
}
