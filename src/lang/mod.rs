//! The s3why rule language: a small Rego-style declarative language in which every
//! cause of a denial is a rule. `docs/language.md` is the language reference.
//!
//! Pipeline (one module per phase):
//! text → [`syntax`] (pest pairs → AST with `Copy` spans; comments via a trivia pass)
//! → [`check`] (package level: rule table, imports, metadata ids, recursion cycles)
//! → [`compile`] (names → ids, variables → slots, safety and arity; all errors collected)
//! → [`eval`] (backtracking evaluator over `input`, per-evaluation rule memo, budgets).
//! [`diag`] renders every load error (human and JSON); [`fmt`] is the formatter;
//! [`cli_support`] keeps the CLI thin.
//!
//! # Using it
//!
//! ```
//! use s3why::lang::{Loader, Value};
//! let mut loader = Loader::new();
//! loader.add_source("rules/acl.s3why", r#"
//! package s3.put_object
//!
//! ## METADATA
//! ## id: acl-header
//! ## severity: error
//! findings contains f if {
//!     some h, _ in input.request.headers
//!     startswith(h, "x-amz-grant-")
//!     f := {"id": "acl-header", "message": f"the upload sends {h}"}
//! }
//! "#);
//! let program = loader.compile(&[]).map_err(|d| d.render_human()).unwrap();
//! let input = Value::from_json(&serde_json::json!({"request": {"headers": {"x-amz-grant-read": "id=1"}}}));
//! let findings = program.eval_rule("data.s3.put_object.findings", &input, None).unwrap();
//! assert_eq!(findings.unwrap().to_string(), r#"[{"id":"acl-header","message":"the upload sends x-amz-grant-read"}]"#);
//! assert_eq!(program.rules()[0].id, "acl-header");
//! ```
//!
//! Host builtins (the AWS vocabulary) are passed to [`Loader::compile`] and receive the
//! host value given to [`Program::eval_rule`]; see [`builtins`].
//!
//! Not in the language (yet): `else` chains, `import input`, array/object
//! destructuring (`[a, b] := xs`), `k, v in xs` as an expression, the set operators
//! `|` and `&` (use `union`/`intersection`), and `print`.

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
