//! Collection builtins: `count`, `sum`, `max`, `min`, `sort`, `union`, `intersection`,
//! `set`, `object.get`, `object.keys`, `array.concat`, `array.slice`.

use super::{arg, arg_items, arg_num, Builtin, BuiltinCtx, BuiltinError};
use crate::lang::value::{Number, Value};

type R = Result<Option<Value>, BuiltinError>;

fn count(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let n = match arg(a, 0)? {
        Value::Array(v) => v.len(),
        Value::Set(v) => v.len(),
        Value::Object(v) => v.len(),
        Value::String(v) => v.chars().count(),
        other => {
            return Err(BuiltinError::arg(
                0,
                format!("cannot count a {}", other.type_name()),
            ))
        }
    };
    Ok(Some(Value::num(n as f64)))
}

fn numbers(a: &[Value]) -> Result<Vec<f64>, BuiltinError> {
    arg_items(a, 0)?
        .into_iter()
        .map(|v| match v {
            Value::Number(n) => Ok(n.get()),
            other => Err(BuiltinError::arg(
                0,
                format!("expected numbers, got {}", other.type_name()),
            )),
        })
        .collect()
}

fn sum(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    Ok(Some(Value::num(numbers(a)?.iter().sum())))
}

fn max(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    Ok(arg_items(a, 0)?.into_iter().max())
}

fn min(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    Ok(arg_items(a, 0)?.into_iter().min())
}

fn sort(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let mut items = arg_items(a, 0)?;
    items.sort();
    Ok(Some(Value::array(items)))
}

fn arg_set(a: &[Value], i: usize) -> Result<&crate::lang::value::Set, BuiltinError> {
    match arg(a, i)? {
        Value::Set(s) => Ok(s),
        other => Err(BuiltinError::arg(
            i,
            format!("expected a set, got {}", other.type_name()),
        )),
    }
}

fn union(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let out = arg_set(a, 0)?.union(arg_set(a, 1)?);
    Ok(Some(Value::from_set(out)))
}

fn intersection(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let out = arg_set(a, 0)?.intersection(arg_set(a, 1)?);
    Ok(Some(Value::from_set(out)))
}

fn empty_set(_: &BuiltinCtx<'_>, _: &[Value]) -> R {
    Ok(Some(Value::set_of([])))
}

fn object_get(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    match arg(a, 0)? {
        Value::Object(o) => Ok(Some(
            o.get(arg(a, 1)?).cloned().unwrap_or(arg(a, 2)?.clone()),
        )),
        other => Err(BuiltinError::arg(
            0,
            format!("expected an object, got {}", other.type_name()),
        )),
    }
}

fn object_keys(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    match arg(a, 0)? {
        Value::Object(o) => Ok(Some(Value::set_of(o.keys().cloned()))),
        other => Err(BuiltinError::arg(
            0,
            format!("expected an object, got {}", other.type_name()),
        )),
    }
}

fn arg_array(a: &[Value], i: usize) -> Result<&[Value], BuiltinError> {
    match arg(a, i)? {
        Value::Array(v) => Ok(v.as_slice()),
        other => Err(BuiltinError::arg(
            i,
            format!("expected an array, got {}", other.type_name()),
        )),
    }
}

fn array_concat(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let mut out = arg_array(a, 0)?.to_vec();
    out.extend_from_slice(arg_array(a, 1)?);
    Ok(Some(Value::array(out)))
}

/// `array.slice(arr, start, stop)`: indices clamped to the array, as in Rego.
fn array_slice(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let arr = arg_array(a, 0)?;
    // Indices are clamped to the array (language.md), however far out they are.
    let clamp = |f: f64| -> usize {
        if f >= arr.len() as f64 {
            arr.len()
        } else {
            Number::new(f.max(0.0)).as_i64().map_or(0, |i| i as usize)
        }
    };
    let start = clamp(arg_num(a, 1)?.trunc());
    let stop = clamp(arg_num(a, 2)?.trunc()).max(start);
    Ok(Some(Value::array(
        arr.get(start..stop).unwrap_or(&[]).to_vec(),
    )))
}

/// The collection family.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "count",
        arity: 1,
        func: count,
        doc: "size of an array, set, object or string",
    },
    Builtin {
        name: "sum",
        arity: 1,
        func: sum,
        doc: "sum of an array or set of numbers",
    },
    Builtin {
        name: "max",
        arity: 1,
        func: max,
        doc: "largest element (undefined when empty)",
    },
    Builtin {
        name: "min",
        arity: 1,
        func: min,
        doc: "smallest element (undefined when empty)",
    },
    Builtin {
        name: "sort",
        arity: 1,
        func: sort,
        doc: "sorted array of the elements",
    },
    Builtin {
        name: "union",
        arity: 2,
        func: union,
        doc: "union of two sets",
    },
    Builtin {
        name: "intersection",
        arity: 2,
        func: intersection,
        doc: "intersection of two sets",
    },
    Builtin {
        name: "set",
        arity: 0,
        func: empty_set,
        doc: "the empty set",
    },
    Builtin {
        name: "object.get",
        arity: 3,
        func: object_get,
        doc: "object field, or the default",
    },
    Builtin {
        name: "object.keys",
        arity: 1,
        func: object_keys,
        doc: "set of an object's keys",
    },
    Builtin {
        name: "array.concat",
        arity: 2,
        func: array_concat,
        doc: "two arrays joined",
    },
    Builtin {
        name: "array.slice",
        arity: 3,
        func: array_slice,
        doc: "elements from start (inclusive) to stop (exclusive)",
    },
];
