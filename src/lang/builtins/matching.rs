//! Matching helpers that need no AWS knowledge: IAM-style wildcards and CIDR membership.

use super::{arg_str, Builtin, BuiltinCtx, BuiltinError};
use crate::lang::value::Value;
use std::net::IpAddr;

type R = Result<Option<Value>, BuiltinError>;

/// IAM wildcard match: `*` any run of characters (also empty), `?` exactly one;
/// case-sensitive. Iterative with one backtrack point, so linear-ish and never deep.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, vi));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == v.get(vi) => {
                pi += 1;
                vi += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    pi = sp + 1;
                    vi = sv + 1;
                    star = Some((sp, sv + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

fn glob_match(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    Ok(Some(Value::Bool(wildcard_match(
        arg_str(a, 0)?,
        arg_str(a, 1)?,
    ))))
}

fn cidr_contains(_: &BuiltinCtx<'_>, a: &[Value]) -> R {
    let net: ipnet::IpNet = arg_str(a, 0)?.parse().map_err(|_| {
        BuiltinError::arg(
            0,
            format!("not a CIDR block: {:?}", arg_str(a, 0).unwrap_or("")),
        )
    })?;
    let what = arg_str(a, 1)?;
    let inside = if let Ok(ip) = what.parse::<IpAddr>() {
        net.contains(&ip)
    } else if let Ok(other) = what.parse::<ipnet::IpNet>() {
        net.contains(&other)
    } else {
        return Err(BuiltinError::arg(
            1,
            format!("not an IP address or CIDR block: {what:?}"),
        ));
    };
    Ok(Some(Value::Bool(inside)))
}

/// The matching family.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "glob.match",
        arity: 2,
        func: glob_match,
        doc: "IAM wildcard match: `*` any run, `?` one character; case-sensitive",
    },
    Builtin {
        name: "net.cidr_contains",
        arity: 2,
        func: cidr_contains,
        doc: "true if the CIDR block contains the IP address or block",
    },
];

#[cfg(test)]
mod tests {
    use super::wildcard_match as m;

    #[test]
    fn wildcards() {
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
        assert!(m("s3:Put*", "s3:PutObject"));
        assert!(!m("s3:put*", "s3:PutObject"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*", ""));
        assert!(m("*a*b", "xxaxxb"));
        assert!(!m("*a*b", "xxaxxbc"));
    }
}
