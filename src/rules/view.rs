//! The verdict as the rules see it, built straight into rule values: shared strings
//! (`Arc<str>`) are reused, not copied, and no JSON is built on the way. Each policy lists
//! only the statements that name the principal, the action and the resource (those that
//! apply and those whose conditions failed): the others cannot explain a verdict, and a
//! large account has thousands. `s3why explain` shows the full trace.

use std::cell::RefCell;
use std::collections::HashMap;
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
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(word));
        }
        chunks
            .remainder()
            .iter()
            .for_each(|b| self.write_u64(u64::from(*b)));
        self.write_usize(bytes.len());
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

/// A map keyed by addresses or hashes (already spread: no hashing of the key's text).
type AddressMap<K, V> = HashMap<K, V, BuildHasherDefault<AddressHasher>>;

/// A trace with the view built of it.
type Viewed = (Arc<StatementTrace>, Value);

/// Views already built for one record. A counterfactual verdict (the same request with
/// a header changed) differs from the record's own in a few conditions: its other
/// statements share the record's traces (`Reuse` in `aws::evaluate`) and so their views,
/// and a policy whose statement views are all reused reuses its own.
///
/// Everything is found in constant time whatever the number of decisions (comparing a
/// trace with every earlier one of its statement grew with decisions times statements):
/// a shared trace by its address (kept alive here, so never reused); a freshly evaluated
/// one by a hash of its content, then compared, so equal traces still share one view; a
/// policy by its path and the addresses of its statements' views.
#[derive(Default)]
pub struct ViewCache {
    by_trace: RefCell<AddressMap<usize, Viewed>>,
    by_content: RefCell<AddressMap<u64, Vec<Viewed>>>,
    policies: RefCell<AddressMap<PolicyKey, Value>>,
    /// A policy trace shared whole (a counterfactual's change touches none of its
    /// statements), by its address; kept alive here, so never reused.
    by_policy: RefCell<AddressMap<usize, (Arc<PolicyTrace>, Value)>>,
}

/// What a policy's view is built from: its path, its verdict, and the views of the
/// statements it lists (by address: the cache holds them).
#[derive(PartialEq, Eq)]
struct PolicyKey {
    path: usize,
    allows: bool,
    denies: bool,
    statements: Vec<usize>,
}

impl std::hash::Hash for PolicyKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_usize(self.path);
        h.write_usize(usize::from(self.allows) << 1 | usize::from(self.denies));
        self.statements.iter().for_each(|s| h.write_usize(*s));
    }
}

fn address(path: &Arc<str>) -> usize {
    Arc::as_ptr(path) as *const u8 as usize
}

fn value_address(v: &Value) -> usize {
    match v {
        Value::Object(o) => Arc::as_ptr(o) as usize,
        _ => 0,
    }
}

/// A hash of what a statement's view shows. The compiled statement's text (path, sid,
/// condition keys, operators and values) is shared, so hashed by address; only the
/// request's values are hashed by content.
fn content_hash(s: &StatementTrace) -> u64 {
    let mut h = AddressHasher::default();
    let tri = |b: Option<bool>| b.map_or(2, usize::from);
    h.write_usize(address(&s.path));
    h.write_usize(s.index);
    h.write_usize(tri(s.principal) | tri(s.action) << 2 | tri(s.resource) << 4);
    h.write_usize(usize::from(s.applies) | usize::from(s.not_principal_boundary) << 1);
    h.write_usize(s.grantee.map_or(0, |g| g as usize + 1));
    for c in &s.conditions {
        h.write_usize(address(&c.key));
        h.write_usize(usize::from(c.result));
        match &c.context_value {
            None => h.write_usize(0),
            Some(ContextValue::Single(v)) => h.write(v.as_bytes()),
            Some(ContextValue::Multi(vs)) => vs.iter().for_each(|v| h.write(v.as_bytes())),
        }
    }
    h.finish()
}

impl ViewCache {
    fn statement(&self, s: &Arc<StatementTrace>) -> Value {
        let at = Arc::as_ptr(s) as usize;
        if let Some((_, v)) = self.by_trace.borrow().get(&at) {
            return v.clone();
        }
        let hash = content_hash(s);
        let equal = self.by_content.borrow().get(&hash).and_then(|views| {
            views
                .iter()
                .find(|(t, _)| **t == **s)
                .map(|(_, v)| v.clone())
        });
        let v = equal.unwrap_or_else(|| {
            let v = statement(s);
            self.by_content
                .borrow_mut()
                .entry(hash)
                .or_default()
                .push((s.clone(), v.clone()));
            v
        });
        self.by_trace
            .borrow_mut()
            .insert(at, (s.clone(), v.clone()));
        v
    }

    fn policy(&self, p: &Arc<PolicyTrace>) -> Value {
        let at = Arc::as_ptr(p) as usize;
        if let Some((_, v)) = self.by_policy.borrow().get(&at) {
            return v.clone();
        }
        let v = self.policy_of_statements(p);
        self.by_policy
            .borrow_mut()
            .insert(at, (p.clone(), v.clone()));
        v
    }

    fn policy_of_statements(&self, p: &PolicyTrace) -> Value {
        let statements: Vec<Value> = p
            .statements
            .iter()
            .filter(|s| s.targets())
            .map(|s| self.statement(s))
            .collect();
        let key = PolicyKey {
            path: address(&p.path),
            allows: p.allows,
            denies: p.denies,
            statements: statements.iter().map(value_address).collect(),
        };
        if let Some(v) = self.policies.borrow().get(&key) {
            return v.clone();
        }
        let value = policy(p, statements);
        self.policies.borrow_mut().insert(key, value.clone());
        value
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test data is generated")]

    use super::*;
    use crate::aws::{decide, decide_request_after};
    use crate::corpus::{generate, Profile};
    use crate::facts::{Facts, Request};
    use serde_json::json;

    /// The statement views of a verdict view, in order.
    fn statement_views(v: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        let list = |v: &Value, k: &str| match v.get(&Value::str(k)) {
            Some(Value::Array(a)) => a.to_vec(),
            _ => Vec::new(),
        };
        for a in list(v, "authorizations") {
            for p in list(&a, "policies") {
                out.extend(list(&p, "statements"));
            }
        }
        out
    }

    /// How many of `later` are one of `own` (the same allocation).
    fn shared_with<T>(own: &[Arc<T>], later: &[Arc<T>]) -> usize {
        later
            .iter()
            .filter(|t| own.iter().any(|o| Arc::ptr_eq(o, t)))
            .count()
    }

    fn same_allocation(a: &Value, b: &Value) -> bool {
        matches!((a, b), (Value::Object(x), Value::Object(y)) if Arc::ptr_eq(x, y))
    }

    /// Views taken from the cache (shared by a record's own verdict and its
    /// counterfactuals, as the fix search uses it) equal views built afresh, and the
    /// statements a change does not touch share their traces and views with the record's
    /// own, and a policy none of whose statements it touches is shared whole.
    #[test]
    fn cached_views_equal_fresh_views_and_unchanged_statements_share_them() {
        let (mut compared, mut shared, mut reused, mut whole) = (0, 0, 0, 0);
        for doc in generate(5, Profile::Realistic).take(40) {
            let facts = Facts::from_value(&doc).unwrap();
            let own = decide(&facts);
            let cache = ViewCache::default();
            let own_view = verdict_value_with(&own, &cache);
            assert_eq!(own_view, verdict_value(&own));
            let own_statements = statement_views(&own_view);
            let mut changes = Vec::new();
            for patch in [
                json!({"headers": {}}),
                json!({"headers": {"x-amz-acl": "public-read"}}),
                json!({"source_ip": "192.0.2.77", "vpc_endpoint": null}),
                json!({"secure_transport": false}),
            ] {
                let mut r = doc["request"].clone();
                for (k, v) in patch.as_object().unwrap() {
                    r[k] = v.clone();
                }
                changes.push(r);
            }
            for change in changes {
                let request = Request::from_value(&change, "request").unwrap();
                let verdict = decide_request_after(&facts, &request, &own);
                let cached = verdict_value_with(&verdict, &cache);
                assert_eq!(cached, verdict_value(&verdict), "{change}");
                compared += 1;
                let traces = |v: &Verdict| -> Vec<Arc<StatementTrace>> {
                    v.authorizations
                        .iter()
                        .flat_map(|a| a.policies.iter().flat_map(|p| p.statements.clone()))
                        .collect()
                };
                reused += shared_with(&traces(&own), &traces(&verdict));
                let policies = |v: &Verdict| -> Vec<Arc<PolicyTrace>> {
                    v.authorizations
                        .iter()
                        .flat_map(|a| a.policies.clone())
                        .collect()
                };
                whole += shared_with(&policies(&own), &policies(&verdict));
                shared += statement_views(&cached)
                    .iter()
                    .filter(|s| own_statements.iter().any(|o| same_allocation(o, s)))
                    .count();
            }
        }
        assert!(compared >= 160, "{compared}");
        assert!(shared > 100, "only {shared} statement views shared");
        assert!(reused > 1_000, "only {reused} statement traces reused");
        assert!(whole > 1_000, "only {whole} policy traces shared whole");
    }
}
