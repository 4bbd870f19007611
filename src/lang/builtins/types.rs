//! Type builtins: `is_string`, `is_number`, ..., `type_name`.

use super::{arg, Builtin, BuiltinCtx, BuiltinError};
use crate::lang::value::Value;

type R = Result<Option<Value>, BuiltinError>;

fn is(args: &[Value], name: &str) -> R {
    Ok(Some(Value::Bool(arg(args, 0)?.type_name() == name)))
}

fn is_string(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "string")
}
fn is_number(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "number")
}
fn is_array(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "array")
}
fn is_object(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "object")
}
fn is_set(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "set")
}
fn is_boolean(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "boolean")
}
fn is_null(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    is(a, "null")
}
fn type_name(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    Ok(Some(Value::str(arg(a, 0)?.type_name())))
}

/// The type family.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "is_string",
        arity: 1,
        func: is_string,
        doc: "true if the argument is a string",
    },
    Builtin {
        name: "is_number",
        arity: 1,
        func: is_number,
        doc: "true if the argument is a number",
    },
    Builtin {
        name: "is_array",
        arity: 1,
        func: is_array,
        doc: "true if the argument is an array",
    },
    Builtin {
        name: "is_object",
        arity: 1,
        func: is_object,
        doc: "true if the argument is an object",
    },
    Builtin {
        name: "is_set",
        arity: 1,
        func: is_set,
        doc: "true if the argument is a set",
    },
    Builtin {
        name: "is_boolean",
        arity: 1,
        func: is_boolean,
        doc: "true if the argument is a boolean",
    },
    Builtin {
        name: "is_null",
        arity: 1,
        func: is_null,
        doc: "true if the argument is null",
    },
    Builtin {
        name: "type_name",
        arity: 1,
        func: type_name,
        doc: "null, boolean, number, string, array, set or object",
    },
];
