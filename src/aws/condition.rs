//! Condition operators (reference_policies_elements_condition_operators.html, aws-semantics §3).
//!
//! A condition block is compiled once per policy: operator names are parsed, numbers,
//! dates and CIDRs are parsed (an invalid one is an error with its path), and string
//! patterns are compiled. Evaluation follows AWS's rules for absent keys, `...IfExists`,
//! negated operators and the `ForAllValues:` / `ForAnyValue:` set qualifiers.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use serde::Serialize;

use super::context::{Context, ContextValue};
use super::field::{join, FieldError};
use super::pattern::Wildcard;
use super::variables::Template;

/// The operator families of the condition-operator reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const BASE_OPS: &[(&str, BaseOp)] = &[
    ("StringEquals", BaseOp::StringEquals),
    ("StringNotEquals", BaseOp::StringNotEquals),
    ("StringEqualsIgnoreCase", BaseOp::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        BaseOp::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", BaseOp::StringLike),
    ("StringNotLike", BaseOp::StringNotLike),
    ("NumericEquals", BaseOp::NumericEquals),
    ("NumericNotEquals", BaseOp::NumericNotEquals),
    ("NumericLessThan", BaseOp::NumericLessThan),
    ("NumericLessThanEquals", BaseOp::NumericLessThanEquals),
    ("NumericGreaterThan", BaseOp::NumericGreaterThan),
    ("NumericGreaterThanEquals", BaseOp::NumericGreaterThanEquals),
    ("DateEquals", BaseOp::DateEquals),
    ("DateNotEquals", BaseOp::DateNotEquals),
    ("DateLessThan", BaseOp::DateLessThan),
    ("DateLessThanEquals", BaseOp::DateLessThanEquals),
    ("DateGreaterThan", BaseOp::DateGreaterThan),
    ("DateGreaterThanEquals", BaseOp::DateGreaterThanEquals),
    ("Bool", BaseOp::Bool),
    ("BinaryEquals", BaseOp::BinaryEquals),
    ("IpAddress", BaseOp::IpAddress),
    ("NotIpAddress", BaseOp::NotIpAddress),
    ("ArnEquals", BaseOp::ArnEquals),
    ("ArnLike", BaseOp::ArnLike),
    ("ArnNotEquals", BaseOp::ArnNotEquals),
    ("ArnNotLike", BaseOp::ArnNotLike),
    ("Null", BaseOp::Null),
];

impl BaseOp {
    /// Negated operators: a missing key makes them true, and several values combine as
    /// "matches none of them" (aws-semantics §3.2, §3.3).
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOp::StringNotEquals
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringNotLike
                | BaseOp::NumericNotEquals
                | BaseOp::DateNotEquals
                | BaseOp::NotIpAddress
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
        )
    }
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A full operator: qualifier, base, `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub qualifier: Option<SetQualifier>,
    pub base: BaseOp,
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringNotEqualsIfExists`.
    pub fn parse(name: &str) -> Result<Operator, String> {
        let (qualifier, rest) = if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let find = |n: &str| {
            BASE_OPS
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(n))
                .map(|(_, op)| *op)
        };
        let (base, if_exists) = match find(rest) {
            Some(op) => (op, false),
            None => match rest
                .len()
                .checked_sub(8)
                .and_then(|i| rest.get(i..).map(|s| (i, s)))
            {
                Some((i, suffix)) if suffix.eq_ignore_ascii_case("IfExists") => {
                    match find(&rest[..i]) {
                        Some(BaseOp::Null) => return Err("Null has no IfExists variant".into()),
                        Some(op) => (op, true),
                        None => return Err(unknown_operator(name)),
                    }
                }
                _ => return Err(unknown_operator(name)),
            },
        };
        Ok(Operator {
            qualifier,
            base,
            if_exists,
        })
    }
}

fn unknown_operator(name: &str) -> String {
    let names: Vec<&str> = BASE_OPS.iter().map(|(n, _)| *n).collect();
    let base = name.rsplit(':').next().unwrap_or(name);
    let base = base.strip_suffix("IfExists").unwrap_or(base);
    match super::field::closest(base, &names) {
        Some(near) => format!("unknown condition operator {name:?} (did you mean {near:?}?)"),
        None => format!("unknown condition operator {name:?}"),
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Policy values, compiled for their operator's family.
#[derive(Debug, Clone)]
enum Values {
    /// String, Bool and Binary operators.
    Text(Vec<Template>),
    /// ARN operators, matched part by part.
    Arns(Vec<ArnPattern>),
    Numbers(Vec<f64>),
    /// Seconds since the epoch.
    Dates(Vec<f64>),
    Cidrs(Vec<IpNet>),
    /// `Null`: true = "the key is absent".
    Null(Vec<bool>),
}

/// One key under one operator: `"IpAddress": {"aws:SourceIp": ["1.2.3.0/24"]}`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator as written.
    pub operator_name: Arc<str>,
    pub operator: Operator,
    /// The key as written.
    pub key: Arc<str>,
    /// The key in lower case, as the context stores keys (a lookup then needs no copy).
    folded_key: Box<str>,
    /// The values as written, for traces (shared, so a trace costs no copies).
    pub raw_values: Arc<[String]>,
    values: Values,
}

/// What one condition saw and concluded.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConditionTrace {
    pub operator: Arc<str>,
    pub key: Arc<str>,
    pub values: Arc<[String]>,
    /// The request's value for the key; `None` when absent.
    pub context_value: Option<ContextValue>,
    pub result: bool,
}

impl Condition {
    /// Compiles one key's values. `path` is the JSON path of the key.
    pub fn compile(
        operator_name: &str,
        key: &str,
        raw: &serde_json::Value,
        variables: bool,
        path: &str,
    ) -> Result<Condition, FieldError> {
        let operator = Operator::parse(operator_name).map_err(|m| FieldError::new(path, m))?;
        let raw_values = scalar_strings(raw, path)?;
        let bad = |v: &str, what: &str| FieldError::new(path, format!("{v:?} is not {what}"));
        let values = match operator.base {
            BaseOp::NumericEquals
            | BaseOp::NumericNotEquals
            | BaseOp::NumericLessThan
            | BaseOp::NumericLessThanEquals
            | BaseOp::NumericGreaterThan
            | BaseOp::NumericGreaterThanEquals => Values::Numbers(
                raw_values
                    .iter()
                    .map(|v| parse_number(v).ok_or_else(|| bad(v, "a number")))
                    .collect::<Result<_, _>>()?,
            ),
            BaseOp::DateEquals
            | BaseOp::DateNotEquals
            | BaseOp::DateLessThan
            | BaseOp::DateLessThanEquals
            | BaseOp::DateGreaterThan
            | BaseOp::DateGreaterThanEquals => Values::Dates(
                raw_values
                    .iter()
                    .map(|v| parse_date(v).ok_or_else(|| bad(v, "an ISO 8601 date or epoch time")))
                    .collect::<Result<_, _>>()?,
            ),
            BaseOp::IpAddress | BaseOp::NotIpAddress => Values::Cidrs(
                raw_values
                    .iter()
                    .map(|v| parse_cidr(v).ok_or_else(|| bad(v, "a CIDR")))
                    .collect::<Result<_, _>>()?,
            ),
            BaseOp::Null => Values::Null(
                raw_values
                    .iter()
                    .map(|v| match v.to_ascii_lowercase().as_str() {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        _ => Err(bad(v, "\"true\" or \"false\"")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            base => {
                let (wildcards, ci) = match base {
                    BaseOp::StringLike | BaseOp::StringNotLike => (true, false),
                    BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase => {
                        (false, true)
                    }
                    BaseOp::Bool => (false, true),
                    _ => (false, false),
                };
                // Numeric, date and binary operators take no policy variables (S14).
                let vars = variables && base != BaseOp::BinaryEquals;
                let templates = raw_values
                    .iter()
                    .map(|v| Template::new(v, vars, wildcards, ci));
                match base {
                    BaseOp::ArnEquals
                    | BaseOp::ArnLike
                    | BaseOp::ArnNotEquals
                    | BaseOp::ArnNotLike => Values::Arns(templates.map(ArnPattern::new).collect()),
                    _ => Values::Text(templates.collect()),
                }
            }
        };
        Ok(Condition {
            operator_name: operator_name.into(),
            operator,
            key: key.into(),
            folded_key: key.to_ascii_lowercase().into(),
            raw_values: raw_values.into(),
            values,
        })
    }

    /// Every context key its evaluation reads, as written: its own key and the keys of
    /// the policy variables in its values.
    pub fn context_keys(&self) -> impl Iterator<Item = &str> {
        let templates: Vec<&Template> = match &self.values {
            Values::Text(ts) => ts.iter().collect(),
            Values::Arns(ps) => ps.iter().map(|p| &p.template).collect(),
            Values::Numbers(_) | Values::Dates(_) | Values::Cidrs(_) | Values::Null(_) => {
                Vec::new()
            }
        };
        std::iter::once(&*self.key).chain(templates.into_iter().flat_map(Template::variable_keys))
    }

    /// Evaluates the condition against a request context.
    pub fn evaluate(&self, ctx: &Context) -> ConditionTrace {
        let found = ctx.get_folded(&self.folded_key);
        let result = self.decide(found, ctx);
        ConditionTrace {
            operator: self.operator_name.clone(),
            key: self.key.clone(),
            values: self.raw_values.clone(),
            context_value: found.cloned(),
            result,
        }
    }

    fn decide(&self, found: Option<&ContextValue>, ctx: &Context) -> bool {
        let op = self.operator;
        if let Values::Null(expect_absent) = &self.values {
            // `Null: true` = the key is absent; several values are OR'ed.
            let absent = found.map_or(true, |v| v.values().is_empty());
            return expect_absent.contains(&absent);
        }
        let Some(found) = found else {
            // Absent key (S14): IfExists → true; ForAllValues → vacuously true;
            // ForAnyValue → false; negated operators → true; the rest → false.
            return op.if_exists
                || op.qualifier == Some(SetQualifier::ForAllValues)
                || (op.qualifier.is_none() && op.base.is_negated());
        };
        let values = found.values();
        match op.qualifier {
            Some(SetQualifier::ForAllValues) => values.iter().all(|v| self.one(v, ctx)),
            Some(SetQualifier::ForAnyValue) => values.iter().any(|v| self.one(v, ctx)),
            // A multivalued key without a qualifier: any value may satisfy it.
            None if values.is_empty() => op.if_exists || op.base.is_negated(),
            None => values.iter().any(|v| self.one(v, ctx)),
        }
    }

    /// One request value against all policy values: positive operators need one policy
    /// value to match; negated ones need none to match (aws-semantics §3.3).
    fn one(&self, value: &str, ctx: &Context) -> bool {
        let negated = self.operator.base.is_negated();
        let any = self.any_matches(value, ctx);
        if negated {
            !any
        } else {
            any
        }
    }

    fn any_matches(&self, value: &str, ctx: &Context) -> bool {
        let base = self.operator.base;
        match &self.values {
            // Bool compares "true"/"false" case-insensitively (compiled that way).
            Values::Text(templates) => templates
                .iter()
                .any(|t| t.resolve(ctx).is_some_and(|w| w.matches(value))),
            Values::Arns(patterns) => patterns.iter().any(|p| p.matches(value, ctx)),
            Values::Numbers(ns) => match parse_number(value) {
                Some(v) => ns.iter().any(|n| compare(base, v, *n)),
                None => false,
            },
            Values::Dates(ds) => match parse_date(value) {
                Some(v) => ds.iter().any(|d| compare(base, v, *d)),
                None => false,
            },
            Values::Cidrs(cidrs) => match value.trim().parse::<IpAddr>() {
                Ok(ip) => cidrs.iter().any(|c| c.contains(&ip)),
                Err(_) => false,
            },
            Values::Null(_) => false,
        }
    }
}

fn compare(base: BaseOp, v: f64, policy: f64) -> bool {
    use BaseOp::*;
    match base {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => v == policy,
        NumericLessThan | DateLessThan => v < policy,
        NumericLessThanEquals | DateLessThanEquals => v <= policy,
        NumericGreaterThan | DateGreaterThan => v > policy,
        NumericGreaterThanEquals | DateGreaterThanEquals => v >= policy,
        _ => false,
    }
}

/// An ARN-operator value: ARN operators compare each of the six colon-separated parts on
/// its own, so a `*` never crosses a colon (S14's `someservice` example).
#[derive(Debug, Clone)]
struct ArnPattern {
    template: Template,
    /// The parts, compiled once when the value has no policy variable.
    compiled: Option<Vec<Wildcard>>,
}

impl ArnPattern {
    fn new(template: Template) -> ArnPattern {
        let compiled = (!template.has_variables()).then(|| arn_parts(&template.source));
        ArnPattern { template, compiled }
    }

    fn matches(&self, value: &str, ctx: &Context) -> bool {
        match &self.compiled {
            Some(parts) => parts_match(parts, value),
            None => self
                .template
                .resolve_text(ctx)
                .is_some_and(|p| parts_match(&arn_parts(&p), value)),
        }
    }
}

fn arn_parts(pattern: &str) -> Vec<Wildcard> {
    pattern
        .splitn(6, ':')
        .map(|p| Wildcard::new(p, false))
        .collect()
}

/// Not an ARN on one side: the part counts differ, or both are one whole string.
fn parts_match(parts: &[Wildcard], value: &str) -> bool {
    let values: Vec<&str> = value.splitn(6, ':').collect();
    parts.len() == values.len() && parts.iter().zip(&values).all(|(p, v)| p.matches(v))
}

/// Condition values: a scalar or a list of scalars; numbers and booleans become text.
/// An element's path is made only for an error.
fn scalar_strings(raw: &serde_json::Value, path: &str) -> Result<Vec<String>, FieldError> {
    let one = |v: &serde_json::Value, p: &dyn Fn() -> String| match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(FieldError::new(
            &p(),
            format!(
                "expected a string, number or boolean, found {}",
                super::field::type_name(other)
            ),
        )),
    };
    match raw {
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| one(v, &|| super::field::index(path, i)))
            .collect(),
        v => one(v, &|| path.to_string()).map(|s| vec![s]),
    }
}

/// A CIDR, or a bare address meaning /32 (IPv4) or /128 (IPv6).
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let t = text.trim();
    t.parse::<IpNet>()
        .ok()
        .or_else(|| t.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A decimal number (`3`, `-1.5`, `2e3`): what Rust's float parser reads, less what it
/// reads that is no number ("NaN", "inf") or none it can hold ("1e400").
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let decimal = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    t.parse::<f64>().ok().filter(|n| decimal && n.is_finite())
}

/// An ISO 8601 (W3C profile) date or an epoch time in seconds, as seconds since the epoch.
pub fn parse_date(text: &str) -> Option<f64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let t = text.trim();
    if let Some(epoch) = parse_number(t) {
        return Some(epoch);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp() as f64 + f64::from(dt.timestamp_subsec_millis()) / 1000.0);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), fmt) {
            return Some(dt.and_utc().timestamp() as f64);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|dt| dt.and_utc().timestamp() as f64);
    }
    None
}

/// Compiles a `Condition` block: operator → key → value(s). Keys and operators AND.
/// `path` is the block's JSON path, for errors.
pub fn compile_block(
    block: &serde_json::Value,
    variables: bool,
    path: &str,
) -> Result<Vec<Condition>, FieldError> {
    compile_block_at(block, variables, &|| path.to_string())
}

/// [`compile_block`], the path made only for an error (a policy has thousands of
/// conditions and almost never an error).
pub fn compile_block_at(
    block: &serde_json::Value,
    variables: bool,
    path: &dyn Fn() -> String,
) -> Result<Vec<Condition>, FieldError> {
    let Some(ops) = block.as_object() else {
        return Err(FieldError::new(
            &path(),
            format!(
                "expected an object of condition operators, found {}",
                super::field::type_name(block)
            ),
        ));
    };
    let mut out = Vec::new();
    for (op, keys) in ops {
        let op_path = || join(&path(), op);
        let Some(keys) = keys.as_object() else {
            return Err(FieldError::new(
                &op_path(),
                format!(
                    "expected an object of condition keys, found {}",
                    super::field::type_name(keys)
                ),
            ));
        };
        for (key, values) in keys {
            // The key's path only for an error: compiling again with it gives the same
            // error, located (a policy has thousands of conditions and rarely an error).
            let condition = Condition::compile(op, key, values, variables, "").or_else(|_| {
                Condition::compile(op, key, values, variables, &join(&op_path(), key))
            })?;
            out.push(condition);
        }
    }
    Ok(out)
}
