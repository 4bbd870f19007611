//! String builtins: `sprintf`, `concat`, `startswith`, `endswith`, `contains`, `lower`,
//! `upper`, `split`, `trim`, `trim_space`, `replace`, `format_int`, `to_string`,
//! `json_encode`.

use super::{arg, arg_items, arg_num, arg_str, Builtin, BuiltinCtx, BuiltinError};
use crate::lang::value::Value;

type R = Result<Option<Value>, BuiltinError>;

fn s(v: String) -> R {
    Ok(Some(Value::str(&v)))
}

fn b(v: bool) -> R {
    Ok(Some(Value::Bool(v)))
}

/// `sprintf(format, args)`: `%s` and `%v` any value as text, `%d` an integer, `%%`.
fn sprintf(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let format = arg_str(a, 0)?;
    let values = match arg(a, 1)? {
        Value::Array(v) => v.as_ref().clone(),
        other => {
            return Err(BuiltinError::arg(
                1,
                format!("expected an array of values, got {}", other.type_name()),
            ))
        }
    };
    let mut out = String::new();
    let mut next = values.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('s' | 'v' | 'd')) => {
                let v = next
                    .next()
                    .ok_or_else(|| BuiltinError::arg(1, "too few values for the format"))?;
                if verb == 'd' {
                    match v {
                        Value::Number(n) if n.as_i64().is_some() => out.push_str(&n.to_string()),
                        other => {
                            return Err(BuiltinError::arg(
                                1,
                                format!("%d needs an integer, got {}", other.type_name()),
                            ))
                        }
                    }
                } else {
                    out.push_str(&v.to_text());
                }
            }
            other => {
                return Err(BuiltinError::arg(
                    0,
                    format!(
                        "unsupported format verb %{}",
                        other.map(String::from).unwrap_or_default()
                    ),
                ))
            }
        }
    }
    s(out)
}

fn concat(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let sep = arg_str(a, 0)?;
    let mut parts = Vec::new();
    for v in arg_items(a, 1)? {
        match v {
            Value::String(x) => parts.push(x.to_string()),
            other => {
                return Err(BuiltinError::arg(
                    1,
                    format!("expected strings, got {}", other.type_name()),
                ))
            }
        }
    }
    s(parts.join(sep))
}

fn startswith(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    b(arg_str(a, 0)?.starts_with(arg_str(a, 1)?))
}
fn endswith(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    b(arg_str(a, 0)?.ends_with(arg_str(a, 1)?))
}
fn contains(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    b(arg_str(a, 0)?.contains(arg_str(a, 1)?))
}
fn lower(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let text = arg_str(a, 0)?;
    // Rules lower condition keys that are mostly lower case already: share the string.
    if !text.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        return Ok(Some(arg(a, 0)?.clone()));
    }
    s(text.to_lowercase())
}
fn upper(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    s(arg_str(a, 0)?.to_uppercase())
}
fn split(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let parts = arg_str(a, 0)?
        .split(arg_str(a, 1)?)
        .map(Value::str)
        .collect();
    Ok(Some(Value::array(parts)))
}
fn trim(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let cut: Vec<char> = arg_str(a, 1)?.chars().collect();
    s(arg_str(a, 0)?.trim_matches(cut.as_slice()).to_string())
}
fn trim_space(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    s(arg_str(a, 0)?.trim().to_string())
}
fn replace(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    s(arg_str(a, 0)?.replace(arg_str(a, 1)?, arg_str(a, 2)?))
}
fn format_int(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let n = arg_num(a, 0)?.trunc();
    // Sign first, then the magnitude's digits (as Rego: -5 in base 2 is "-101").
    let sign = if n < 0.0 { "-" } else { "" };
    // Past 2^64 a float holds no exact integer to print: an error, not a saturated
    // 18446744073709551615.
    if n.abs() >= 18_446_744_073_709_551_616.0 {
        return Err(BuiltinError::arg(
            0,
            "too large to format as an integer (at most 2^64 - 1)",
        ));
    }
    let m = n.abs() as u64;
    let digits = match arg_num(a, 1)? as i64 {
        2 => format!("{m:b}"),
        8 => format!("{m:o}"),
        10 => m.to_string(),
        16 => format!("{m:x}"),
        _ => return Err(BuiltinError::arg(1, "base must be 2, 8, 10 or 16")),
    };
    s(format!("{sign}{digits}"))
}
fn to_string(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    s(arg(a, 0)?.to_text())
}
fn json_encode(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    s(arg(a, 0)?.to_json().to_string())
}

/// The string family.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "sprintf",
        arity: 2,
        func: sprintf,
        doc: "format with %s %v (any value) %d (integer) %%",
    },
    Builtin {
        name: "concat",
        arity: 2,
        func: concat,
        doc: "join an array or set of strings with a separator",
    },
    Builtin {
        name: "startswith",
        arity: 2,
        func: startswith,
        doc: "true if the string starts with the prefix",
    },
    Builtin {
        name: "endswith",
        arity: 2,
        func: endswith,
        doc: "true if the string ends with the suffix",
    },
    Builtin {
        name: "contains",
        arity: 2,
        func: contains,
        doc: "true if the string contains the substring",
    },
    Builtin {
        name: "lower",
        arity: 1,
        func: lower,
        doc: "lower case",
    },
    Builtin {
        name: "upper",
        arity: 1,
        func: upper,
        doc: "upper case",
    },
    Builtin {
        name: "split",
        arity: 2,
        func: split,
        doc: "split a string at every separator",
    },
    Builtin {
        name: "trim",
        arity: 2,
        func: trim,
        doc: "remove leading and trailing characters in the cutset",
    },
    Builtin {
        name: "trim_space",
        arity: 1,
        func: trim_space,
        doc: "remove leading and trailing whitespace",
    },
    Builtin {
        name: "replace",
        arity: 3,
        func: replace,
        doc: "replace every occurrence",
    },
    Builtin {
        name: "format_int",
        arity: 2,
        func: format_int,
        doc: "an integer in base 2, 8, 10 or 16",
    },
    Builtin {
        name: "to_string",
        arity: 1,
        func: to_string,
        doc: "strings unchanged, other values as JSON text",
    },
    Builtin {
        name: "json_encode",
        arity: 1,
        func: json_encode,
        doc: "JSON text of any value (sets as arrays)",
    },
];
