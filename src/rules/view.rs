//! The verdict as the rules see it, built straight into rule values: shared strings
//! (`Arc<str>`) are reused, not copied, and no JSON is built on the way. Each policy lists
//! only the statements that name the principal, the action and the resource (those that
//! apply and those whose conditions failed): the others cannot explain a verdict, and a
//! large account has thousands. `s3why explain` shows the full trace.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::aws::authorize::{grantee_name, Authorization, Reason, StatementRef};
use crate::aws::condition::ConditionTrace;
use crate::aws::context::ContextValue;
use crate::aws::evaluate::{PolicyTrace, StatementTrace};
use crate::aws::policy::Effect;
use crate::aws::{Decision, Verdict};
use crate::lang::Value;

fn object(pairs: Vec<(&'static str, Value)>) -> Value {
    Value::object(
        pairs
            .into_iter()
            .map(|(k, v)| (key(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

thread_local! {
    /// The field names of the view, allocated once a thread: a verdict has thousands.
    static KEYS: std::cell::RefCell<std::collections::HashMap<&'static str, Value>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn key(k: &'static str) -> Value {
    KEYS.with(|keys| {
        keys.borrow_mut()
            .entry(k)
            .or_insert_with(|| Value::str(k))
            .clone()
    })
}

fn arc(s: &Arc<str>) -> Value {
    Value::String(s.clone())
}

fn json(v: &impl serde::Serialize) -> Value {
    Value::from_json(&serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
}

fn opt<T>(
    pairs: &mut Vec<(&'static str, Value)>,
    key: &'static str,
    v: Option<T>,
    f: impl FnOnce(T) -> Value,
) {
    if let Some(v) = v {
        pairs.push((key, f(v)));
    }
}

fn tri(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

fn context_value(v: &ContextValue) -> Value {
    match v {
        ContextValue::Single(s) => Value::str(s),
        ContextValue::Multi(vs) => Value::array(vs.iter().map(|s| Value::str(s)).collect()),
    }
}

fn condition(c: &ConditionTrace) -> Value {
    object(vec![
        ("operator", arc(&c.operator)),
        ("key", arc(&c.key)),
        (
            "values",
            Value::array(c.values.iter().map(|s| Value::str(s)).collect()),
        ),
        (
            "context_value",
            c.context_value.as_ref().map_or(Value::Null, context_value),
        ),
        ("result", Value::Bool(c.result)),
    ])
}

fn statement(s: &StatementTrace) -> Value {
    let effect = match s.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    let mut pairs = vec![
        ("index", Value::num(s.index as f64)),
        ("effect", Value::str(effect)),
        ("path", arc(&s.path)),
        ("principal", tri(s.principal)),
        ("action", tri(s.action)),
        ("resource", tri(s.resource)),
        (
            "conditions",
            Value::array(s.conditions.iter().map(condition).collect()),
        ),
        ("applies", Value::Bool(s.applies)),
    ];
    opt(&mut pairs, "sid", s.sid.as_ref(), arc);
    opt(&mut pairs, "grantee", s.grantee, |g| {
        Value::str(grantee_name(g))
    });
    if s.not_principal_boundary {
        pairs.push(("not_principal_boundary", Value::Bool(true)));
    }
    object(pairs)
}

fn policy(p: &PolicyTrace) -> Value {
    object(vec![
        ("policy_type", Value::str(p.policy_type.as_str())),
        ("name", arc(&p.name)),
        ("path", arc(&p.path)),
        ("allows", Value::Bool(p.allows)),
        ("denies", Value::Bool(p.denies)),
        (
            "statements",
            Value::array(
                p.statements
                    .iter()
                    .filter(|s| s.targets())
                    .map(statement)
                    .collect(),
            ),
        ),
    ])
}

fn statement_ref(r: &StatementRef) -> Value {
    let mut pairs = vec![("policy", arc(&r.policy)), ("path", arc(&r.path))];
    opt(&mut pairs, "sid", r.sid.as_ref(), arc);
    opt(&mut pairs, "index", r.index, |i| Value::num(i as f64));
    object(pairs)
}

fn reason(r: &Reason) -> Value {
    object(vec![
        ("policy_type", Value::str(r.policy_type.as_str())),
        ("explicit", Value::Bool(r.explicit)),
        (
            "statements",
            Value::array(r.statements.iter().map(statement_ref).collect()),
        ),
    ])
}

/// Policy views already built for one record. A counterfactual verdict (the same
/// request with a header changed) differs from the record's own in a few conditions;
/// its other policies have the same trace and reuse their view.
#[derive(Default)]
pub struct ViewCache {
    policies: RefCell<Vec<(PolicyTrace, Value)>>,
}

impl ViewCache {
    fn policy(&self, p: &PolicyTrace) -> Value {
        let found = self
            .policies
            .borrow()
            .iter()
            .find(|(t, _)| Arc::ptr_eq(&t.path, &p.path) && t == p)
            .map(|(_, v)| v.clone());
        found.unwrap_or_else(|| {
            let v = policy(p);
            self.policies.borrow_mut().push((p.clone(), v.clone()));
            v
        })
    }
}

fn authorization(a: &Authorization, cache: &ViewCache) -> Value {
    object(vec![
        ("action", Value::str(&a.action)),
        ("resource", Value::str(&a.resource)),
        ("allowed", Value::Bool(a.allowed)),
        (
            "allowed_by",
            Value::array(a.allowed_by.iter().map(|s| Value::str(s)).collect()),
        ),
        (
            "reasons",
            Value::array(a.reasons.iter().map(reason).collect()),
        ),
        (
            "policies",
            Value::array(a.policies.iter().map(|p| cache.policy(p)).collect()),
        ),
    ])
}

/// The verdict as a rule value (the shape of `s3.decide`, docs/language.md).
pub fn verdict_value(v: &Verdict) -> Value {
    verdict_value_with(v, &ViewCache::default())
}

/// The same, reusing (and adding to) the policy views of `cache`.
pub fn verdict_value_with(v: &Verdict, cache: &ViewCache) -> Value {
    let decision = match v.decision {
        Decision::Allowed => "allowed",
        Decision::Denied => "denied",
    };
    let mut pairs = vec![
        ("decision", Value::str(decision)),
        ("status", Value::num(f64::from(v.status))),
        ("gates", json(&v.gates)),
        (
            "authorizations",
            Value::array(
                v.authorizations
                    .iter()
                    .map(|a| authorization(a, cache))
                    .collect(),
            ),
        ),
        ("notes", json(&v.notes)),
        (
            "context",
            Value::object(
                v.context
                    .iter()
                    .map(|(k, c)| (Value::str(k), context_value(c)))
                    .collect(),
            ),
        ),
    ];
    opt(
        &mut pairs,
        "error_code",
        v.error_code.as_deref(),
        Value::str,
    );
    opt(
        &mut pairs,
        "aws_message",
        v.aws_message.as_deref(),
        Value::str,
    );
    opt(&mut pairs, "kms", v.kms.as_ref(), json);
    object(pairs)
}
