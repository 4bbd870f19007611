//! The s3why rule language: a small Rego-style declarative language in which every
//! cause of a denial is a rule. See `docs/language.md` for the language reference.
//!
//! Pipeline (one module per phase):
//! text → [`syntax`] (pest pairs → AST with `Copy` spans; comments via a trivia pass)
//! → [`check`] (package-level: rule table, imports, metadata ids, recursion cycles)
//! → [`compile`] (names → ids, variables → slots, safety; all errors collected)
//! → [`eval`] (backtracking evaluator over `input`, per-evaluation rule memo, limits).
//! [`diag`] renders every load error (human and JSON); [`fmt`] is the formatter.

pub mod builtins;
pub mod check;
pub mod cli_support;
pub mod compile;
pub mod diag;
pub mod eval;
pub mod fmt;
pub mod metadata;
pub mod source;
pub mod syntax;
pub mod value;

mod loader;

pub use builtins::{Builtin, BuiltinCtx, BuiltinError};
pub use cli_support::{lint, ErrorFormat, LoadError};
pub use diag::{Diagnostic, Diagnostics};
pub use eval::{EvalError, EvalOptions};
pub use loader::{Loader, Program};
pub use metadata::RuleInfo;
pub use value::Value;
