//! The verdict as the rules see it, built straight into rule values: shared strings
//! (`Arc<str>`) are reused, not copied, and no JSON is built on the way. Each policy lists
//! only the statements that name the principal, the action and the resource (those that
//! apply and those whose conditions failed): the others cannot explain a verdict, and a
//! large account has thousands. `s3why explain` shows the full trace.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::aws::authorize::{grantee_name, Authorization, Reason, StatementRef};
use crate::aws::condition::ConditionTrace;
use crate::aws::context::ContextValue;
use crate::aws::evaluate::{PolicyTrace, StatementTrace};
use crate::aws::policy::Effect;
use crate::aws::{Decision, Verdict};
use crate::lang::Value;

/// An object from its fields, listed in key order (so building it sorts nothing; a debug
/// assertion checks the order).
fn object(pairs: Vec<(&'static str, Value)>) -> Value {
    Value::object_sorted(pairs.into_iter().map(|(k, v)| (key(k), v)).collect())
}

thread_local! {
    /// The field names of the view, allocated once a thread: a verdict has thousands.
    /// Keyed by the literal's address and length: no hashing of the text.
    static KEYS: RefCell<HashMap<(usize, usize), Value, BuildHasherDefault<AddressHasher>>> =
        RefCell::new(HashMap::default());
}

fn key(k: &'static str) -> Value {
    KEYS.with(|keys| {
        keys.borrow_mut()
            .entry((k.as_ptr() as usize, k.len()))
            .or_insert_with(|| Value::str(k))
            .clone()
    })
}

/// Hashes the few integers of an address key with one multiply each (a tree lookup by
/// address was 2.5% of a batch: a view has a field name for every value).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_u64(u64::from(*b)));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
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
        (
            "context_value",
            c.context_value.as_ref().map_or(Value::Null, context_value),
        ),
        ("key", arc(&c.key)),
        ("operator", arc(&c.operator)),
        ("result", Value::Bool(c.result)),
        (
            "values",
            Value::array(c.values.iter().map(|s| Value::str(s)).collect()),
        ),
    ])
}

fn statement(s: &StatementTrace) -> Value {
    let effect = match s.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    let mut pairs = vec![
        ("action", tri(s.action)),
        ("applies", Value::Bool(s.applies)),
        (
            "conditions",
            Value::array(s.conditions.iter().map(condition).collect()),
        ),
        ("effect", Value::str(effect)),
    ];
    opt(&mut pairs, "grantee", s.grantee, |g| {
        Value::str(grantee_name(g))
    });
    pairs.push(("index", Value::num(s.index as f64)));
    if s.not_principal_boundary {
        pairs.push(("not_principal_boundary", Value::Bool(true)));
    }
    pairs.push(("path", arc(&s.path)));
    pairs.push(("principal", tri(s.principal)));
    pairs.push(("resource", tri(s.resource)));
    opt(&mut pairs, "sid", s.sid.as_ref(), arc);
    object(pairs)
}

/// A policy's view, given the views of the statements that name the principal, the
/// action and the resource.
fn policy(p: &PolicyTrace, statements: Vec<Value>) -> Value {
    object(vec![
        ("allows", Value::Bool(p.allows)),
        ("denies", Value::Bool(p.denies)),
        ("name", arc(&p.name)),
        ("path", arc(&p.path)),
        ("policy_type", Value::str(p.policy_type.as_str())),
        ("statements", Value::array(statements)),
    ])
}

fn statement_ref(r: &StatementRef) -> Value {
    let mut pairs = Vec::with_capacity(4);
    opt(&mut pairs, "index", r.index, |i| Value::num(i as f64));
    pairs.push(("path", arc(&r.path)));
    pairs.push(("policy", arc(&r.policy)));
    opt(&mut pairs, "sid", r.sid.as_ref(), arc);
    object(pairs)
}

fn reason(r: &Reason) -> Value {
    object(vec![
        ("explicit", Value::Bool(r.explicit)),
        ("policy_type", Value::str(r.policy_type.as_str())),
        (
            "statements",
            Value::array(r.statements.iter().map(statement_ref).collect()),
        ),
    ])
}

/// Views already built for one record. A counterfactual verdict (the same request with
/// a header changed) differs from the record's own in a few conditions: its other
/// statements have the same trace and reuse their view, and a policy whose statement
/// views are all reused reuses its own.
///
/// Statements and policies are found by the address of their path: the traces of one
/// record's verdicts share the compiled policies' text.
#[derive(Default)]
pub struct ViewCache {
    statements: RefCell<BTreeMap<usize, Vec<(StatementTrace, Value)>>>,
    policies: RefCell<BTreeMap<usize, Vec<PolicyView>>>,
}

/// A policy's view and what it was built from.
struct PolicyView {
    allows: bool,
    denies: bool,
    statements: Vec<Value>,
    value: Value,
}

fn address(path: &Arc<str>) -> usize {
    Arc::as_ptr(path) as *const u8 as usize
}

impl ViewCache {
    fn statement(&self, s: &StatementTrace) -> Value {
        let at = address(&s.path);
        let found = self
            .statements
            .borrow()
            .get(&at)
            .and_then(|views| views.iter().find(|(t, _)| t == s))
            .map(|(_, v)| v.clone());
        found.unwrap_or_else(|| {
            let v = statement(s);
            self.statements
                .borrow_mut()
                .entry(at)
                .or_default()
                .push((s.clone(), v.clone()));
            v
        })
    }

    fn policy(&self, p: &PolicyTrace) -> Value {
        let statements: Vec<Value> = p
            .statements
            .iter()
            .filter(|s| s.targets())
            .map(|s| self.statement(s))
            .collect();
        let at = address(&p.path);
        let same = |v: &&PolicyView| {
            v.allows == p.allows
                && v.denies == p.denies
                && v.statements.len() == statements.len()
                && v.statements.iter().zip(&statements).all(|(a, b)| a == b)
        };
        let found = self
            .policies
            .borrow()
            .get(&at)
            .and_then(|views| views.iter().find(same))
            .map(|v| v.value.clone());
        found.unwrap_or_else(|| {
            let value = policy(p, statements.clone());
            self.policies
                .borrow_mut()
                .entry(at)
                .or_default()
                .push(PolicyView {
                    allows: p.allows,
                    denies: p.denies,
                    statements,
                    value: value.clone(),
                });
            value
        })
    }
}

fn authorization(a: &Authorization, cache: &ViewCache) -> Value {
    object(vec![
        ("action", Value::str(&a.action)),
        ("allowed", Value::Bool(a.allowed)),
        (
            "allowed_by",
            Value::array(a.allowed_by.iter().map(|s| Value::str(s)).collect()),
        ),
        (
            "policies",
            Value::array(a.policies.iter().map(|p| cache.policy(p)).collect()),
        ),
        (
            "reasons",
            Value::array(a.reasons.iter().map(reason).collect()),
        ),
        ("resource", Value::str(&a.resource)),
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
    let mut pairs = vec![(
        "authorizations",
        Value::array(
            v.authorizations
                .iter()
                .map(|a| authorization(a, cache))
                .collect(),
        ),
    )];
    opt(
        &mut pairs,
        "aws_message",
        v.aws_message.as_deref(),
        Value::str,
    );
    pairs.push((
        "context",
        Value::Object(std::sync::Arc::new(
            v.context
                .iter()
                .map(|(k, c)| (Value::str(k), context_value(c)))
                .collect(),
        )),
    ));
    pairs.push(("decision", Value::str(decision)));
    opt(
        &mut pairs,
        "error_code",
        v.error_code.as_deref(),
        Value::str,
    );
    pairs.push(("gates", json(&v.gates)));
    opt(&mut pairs, "kms", v.kms.as_ref(), json);
    pairs.push(("notes", json(&v.notes)));
    pairs.push(("status", Value::num(f64::from(v.status))));
    object(pairs)
}
