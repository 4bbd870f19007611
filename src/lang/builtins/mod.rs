//! The builtin registry: a static table of `{name, arity, func}` entries, one family per
//! file, resolved to [`BuiltinId`]s at compile time, with near-miss suggestions.
//!
//! # Extension point: host builtins
//!
//! An embedding application adds its own family as a `&'static [Builtin]` slice passed
//! to [`crate::lang::Loader::compile`] (for s3why, `builtins/aws.rs` with `decide`, ARN
//! helpers, ...). The checker then knows their names and arity like any other builtin
//! (a duplicate name is a load error). At evaluation, every builtin receives a
//! [`BuiltinCtx`] with:
//!
//! * `host`: the `Option<&dyn Any>` passed to `Program::eval_rule`; a host builtin
//!   downcasts it to its own type (`ctx.host.and_then(|h| h.downcast_ref::<Facts>())`);
//! * `input`: the current `input` document, *after* any `with input... as ...`
//!   replacement in force, so a counterfactual reaches host builtins too.
//!
//! ```
//! use s3why::lang::{Builtin, BuiltinCtx, BuiltinError, Value};
//! fn answer(ctx: &BuiltinCtx<'_>, _args: &[Value]) -> Result<Option<Value>, BuiltinError> {
//!     let n = ctx.host.and_then(|h| h.downcast_ref::<f64>()).copied().unwrap_or(0.0);
//!     Ok(Some(Value::num(n)))
//! }
//! pub static HOST: &[Builtin] = &[Builtin { name: "host.answer", arity: 0, func: answer, doc: "the host's number" }];
//! ```
//!
//! A builtin returns `Ok(None)` for "undefined" (the body fails quietly) and
//! `Err(BuiltinError)` for a type error, which the evaluator reports at the call's
//! location (or the offending argument's, when `arg` is set).

pub mod collections;
pub mod matching;
pub mod strings;
pub mod types;

use super::value::Value;
use std::any::Any;
use std::collections::HashMap;

/// A builtin's implementation.
pub type BuiltinFn = fn(&BuiltinCtx<'_>, &[Value]) -> Result<Option<Value>, BuiltinError>;

/// One entry of a builtin table.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name as called, possibly dotted (`object.get`).
    pub name: &'static str,
    /// Number of arguments (checked at load).
    pub arity: usize,
    /// Implementation.
    pub func: BuiltinFn,
    /// One line for listings and docs.
    pub doc: &'static str,
}

/// What a builtin sees besides its arguments.
pub struct BuiltinCtx<'a> {
    /// The host value given to the evaluation (for host builtins), if any. Builtins do
    /// not see `input`: the caller may give the rules only the fields they read
    /// ([`crate::lang::Program::input_fields`]).
    pub host: Option<&'a dyn Any>,
}

/// A type or domain error raised by a builtin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinError {
    /// Lowercase message, e.g. "expected a string, got number".
    pub message: String,
    /// The 0-based argument at fault, if one is.
    pub arg: Option<usize>,
}

impl BuiltinError {
    /// An error about argument `arg`.
    pub fn arg(arg: usize, message: impl Into<String>) -> Self {
        BuiltinError {
            message: message.into(),
            arg: Some(arg),
        }
    }
}

/// Index into a [`Registry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BuiltinId(pub u32);

/// All builtins known to one compiled program: the standard families plus extras.
#[derive(Debug)]
pub struct Registry {
    entries: Vec<&'static Builtin>,
    by_name: HashMap<&'static str, BuiltinId>,
}

/// The standard families.
pub fn standard() -> [&'static [Builtin]; 4] {
    [
        strings::BUILTINS,
        collections::BUILTINS,
        types::BUILTINS,
        matching::BUILTINS,
    ]
}

impl Registry {
    /// Builds the registry from the standard families and `extra`. Returns the names
    /// defined more than once, if any.
    pub fn new(extra: &'static [Builtin]) -> Result<Registry, Vec<&'static str>> {
        let mut reg = Registry {
            entries: Vec::new(),
            by_name: HashMap::new(),
        };
        let mut dups = Vec::new();
        for family in standard().into_iter().chain(std::iter::once(extra)) {
            for b in family {
                let id = BuiltinId(u32::try_from(reg.entries.len()).unwrap_or(u32::MAX));
                if reg.by_name.insert(b.name, id).is_some() {
                    dups.push(b.name);
                }
                reg.entries.push(b);
            }
        }
        if dups.is_empty() {
            Ok(reg)
        } else {
            Err(dups)
        }
    }

    /// Looks a name up.
    pub fn lookup(&self, name: &str) -> Option<(BuiltinId, &'static Builtin)> {
        let id = *self.by_name.get(name)?;
        Some((id, self.get(id)?))
    }

    /// The entry for an id.
    pub fn get(&self, id: BuiltinId) -> Option<&'static Builtin> {
        self.entries.get(id.0 as usize).copied()
    }

    /// Every name (for suggestions).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|b| b.name)
    }
}

// Argument helpers shared by the families.

pub(crate) fn arg(args: &[Value], i: usize) -> Result<&Value, BuiltinError> {
    args.get(i)
        .ok_or_else(|| BuiltinError::arg(i, "missing argument"))
}

pub(crate) fn arg_str(args: &[Value], i: usize) -> Result<&str, BuiltinError> {
    match arg(args, i)? {
        Value::String(s) => Ok(s),
        other => Err(BuiltinError::arg(
            i,
            format!("expected a string, got {}", other.type_name()),
        )),
    }
}

pub(crate) fn arg_num(args: &[Value], i: usize) -> Result<f64, BuiltinError> {
    match arg(args, i)? {
        Value::Number(n) => Ok(n.get()),
        other => Err(BuiltinError::arg(
            i,
            format!("expected a number, got {}", other.type_name()),
        )),
    }
}

/// Elements of an array or set argument.
pub(crate) fn arg_items(args: &[Value], i: usize) -> Result<Vec<Value>, BuiltinError> {
    match arg(args, i)? {
        Value::Array(a) => Ok(a.as_ref().clone()),
        Value::Set(s) => Ok(s.iter().cloned().collect()),
        other => Err(BuiltinError::arg(
            i,
            format!("expected an array or a set, got {}", other.type_name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_duplicate_names_in_standard_families() {
        static NONE: &[Builtin] = &[];
        assert_eq!(Registry::new(NONE).err(), None);
    }

    #[test]
    fn duplicate_extra_is_reported() {
        static DUP: &[Builtin] = &[Builtin {
            name: "count",
            arity: 1,
            func: |_, _| Ok(None),
            doc: "",
        }];
        assert_eq!(Registry::new(DUP).err(), Some(vec!["count"]));
    }
}
