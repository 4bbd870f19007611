//! The vocabulary Rust gives the rules: the IAM evaluation library as builtins.
//!
//! Each builtin receives the [`RuleHost`] (the compiled facts of the record being
//! checked) through the evaluator's host value. `s3.decide(request)` decides any request
//! against the same policies, which is how a rule asks "would this upload be allowed with
//! that header / from that address / without an ACL?".

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::aws::arn::Arn;
use crate::aws::condition::Condition;
use crate::aws::pattern::Wildcard;
use crate::aws::{command, decide_request, decide_request_after, request_context, Verdict};
use crate::facts::{Facts, Request};
use crate::lang::value::MemoKey;
use crate::lang::{Builtin, BuiltinCtx, BuiltinError, Value};

/// What the AWS builtins see: the facts of one record, and the decisions already made
/// for it (a rule set asks for the same request many times).
pub struct RuleHost {
    pub facts: Facts,
    decisions: RefCell<BTreeMap<MemoKey, Value>>,
    views: ViewCache,
    /// The verdict of the record's own request, whose statement traces a counterfactual
    /// decision reuses where its change cannot reach them.
    own: Option<Arc<Verdict>>,
}

impl RuleHost {
    pub fn new(facts: Facts) -> RuleHost {
        RuleHost {
            facts,
            decisions: RefCell::new(BTreeMap::new()),
            views: ViewCache::default(),
            own: None,
        }
    }

    /// How many distinct requests were decided (the record's own and counterfactuals).
    pub fn decisions(&self) -> usize {
        self.decisions.borrow().len()
    }

    /// Seeds the decision of `request`, the record's own (`facts.request`, decided once
    /// by the caller).
    pub fn remember(&mut self, request: Value, verdict: Arc<Verdict>) {
        let value = verdict_value_with(&verdict, &self.views);
        self.decisions
            .borrow_mut()
            .insert(MemoKey(vec![request]), value);
        self.own = Some(verdict);
    }
}

fn host<'a>(ctx: &'a BuiltinCtx<'_>) -> Result<&'a RuleHost, BuiltinError> {
    ctx.host
        .and_then(|h| h.downcast_ref::<RuleHost>())
        .ok_or_else(|| BuiltinError {
            message: "this builtin needs a fact document (run it through s3why)".into(),
            arg: None,
        })
}

/// A request value → the typed request, or a located type error.
fn request_arg(v: &Value, arg: usize) -> Result<Request, BuiltinError> {
    Request::from_value(&v.to_json(), "request")
        .map_err(|e| BuiltinError::arg(arg, format!("not a request: {e}")))
}

fn string_arg(v: &Value, arg: usize) -> Result<&str, BuiltinError> {
    v.as_str()
        .ok_or_else(|| BuiltinError::arg(arg, format!("expected a string, got {}", v.type_name())))
}

/// `s3.decide(request)`: the verdict for `request` against the record's policies.
fn decide(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let h = host(ctx)?;
    let key = MemoKey(vec![args[0].clone()]);
    if let Some(v) = h.decisions.borrow().get(&key) {
        return Ok(Some(v.clone()));
    }
    let request = request_arg(&args[0], 0)?;
    let verdict = match &h.own {
        Some(own) => decide_request_after(&h.facts, &request, own),
        None => decide_request(&h.facts, &request),
    };
    let value = verdict_value_with(&verdict, &h.views);
    h.decisions.borrow_mut().insert(key, value.clone());
    Ok(Some(value))
}

pub use super::view::verdict_value;
use super::view::{verdict_value_with, ViewCache};

/// `s3.put_object_command(request)`: the `aws s3api put-object` command sending it.
fn put_object_command(
    _ctx: &BuiltinCtx<'_>,
    args: &[Value],
) -> Result<Option<Value>, BuiltinError> {
    let request = request_arg(&args[0], 0)?;
    Ok(Some(Value::str(&command::put_object_command(&request))))
}

/// `s3.context(request)`: the request context AWS builds (keys as AWS spells them).
fn context(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let h = host(ctx)?;
    let request = request_arg(&args[0], 0)?;
    let c = request_context::s3_context(&h.facts, &request);
    Ok(Some(Value::from_json(
        &serde_json::to_value(&c).unwrap_or(serde_json::Value::Null),
    )))
}

/// `iam.condition(operator, key, values, request)`: one condition, as AWS evaluates it,
/// against the request's context.
fn condition(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let h = host(ctx)?;
    let op = string_arg(&args[0], 0)?;
    let key = string_arg(&args[1], 1)?;
    let cond = Condition::compile(op, key, &args[2].to_json(), true, "condition")
        .map_err(|e| BuiltinError::arg(2, e.message))?;
    let request = request_arg(&args[3], 3)?;
    let c = request_context::s3_context(&h.facts, &request);
    Ok(Some(Value::Bool(cond.evaluate(&c).result)))
}

/// `iam.match(pattern, value)`: IAM wildcards (`*`, `?`), case-sensitive (Resource).
fn iam_match(_ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let p = string_arg(&args[0], 0)?;
    let v = string_arg(&args[1], 1)?;
    Ok(Some(Value::Bool(Wildcard::new(p, false).matches(v))))
}

/// `iam.action_match(pattern, action)`: IAM wildcards, case-insensitive (Action).
fn action_match(_ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let p = string_arg(&args[0], 0)?;
    let v = string_arg(&args[1], 1)?;
    Ok(Some(Value::Bool(Wildcard::new(p, true).matches(v))))
}

/// `arn.parse(arn)`: `{partition, service, region, account, resource}`; undefined when
/// the text is not an ARN.
fn arn_parse(_ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let text = string_arg(&args[0], 0)?;
    Ok(Arn::parse(text).map(|a| {
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("partition", a.partition),
            ("service", a.service),
            ("region", a.region),
            ("account", a.account),
            ("resource", a.resource),
        ] {
            m.insert(Value::str(k), Value::str(v));
        }
        Value::object(m)
    }))
}

/// `json.merge_patch(doc, patch)`: RFC 7386: objects merge, `null` removes a field.
/// Fixes are such patches of the request, so several can be applied together.
fn merge_patch(_ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    Ok(Some(merge(&args[0], &args[1])))
}

/// RFC 7386 merge of two rule values.
pub fn merge(doc: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match doc {
        Value::Object(d) => d.to_map(),
        _ => BTreeMap::new(),
    };
    for (k, v) in p.iter() {
        if *v == Value::Null {
            out.remove(k);
        } else {
            let merged = merge(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::object(out)
}

/// `net.first_address(cidr)`: the first host address of a range (a bare address is
/// itself): an address a fix can send from. Undefined when the text is not a CIDR.
fn first_address(_ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let text = string_arg(&args[0], 0)?;
    Ok(crate::aws::condition::parse_cidr(text).map(|net| {
        let hosts = net.hosts().next().unwrap_or(net.addr());
        Value::str(&hosts.to_string())
    }))
}

/// The AWS family, passed to the rule compiler.
pub static AWS: &[Builtin] = &[
    Builtin { name: "s3.decide", arity: 1, func: decide, doc: "the verdict for a request against the record's policies (a counterfactual when the request differs)" },
    Builtin { name: "s3.put_object_command", arity: 1, func: put_object_command, doc: "the `aws s3api put-object` command that sends a request" },
    Builtin { name: "s3.context", arity: 1, func: context, doc: "the request context AWS builds for a request" },
    Builtin { name: "iam.condition", arity: 4, func: condition, doc: "evaluate one condition (operator, key, values) against a request's context" },
    Builtin { name: "iam.match", arity: 2, func: iam_match, doc: "IAM wildcard match, case-sensitive (Resource)" },
    Builtin { name: "iam.action_match", arity: 2, func: action_match, doc: "IAM wildcard match, case-insensitive (Action)" },
    Builtin { name: "arn.parse", arity: 1, func: arn_parse, doc: "split an ARN into partition, service, region, account, resource" },
    Builtin { name: "json.merge_patch", arity: 2, func: merge_patch, doc: "RFC 7386 merge patch: objects merge, null removes" },
    Builtin { name: "net.first_address", arity: 1, func: first_address, doc: "the first host address of a CIDR" },
];
