//! The vocabulary Rust gives the rules: the IAM evaluation library as builtins.
//!
//! Each builtin receives the [`RuleHost`] (the compiled facts of the record being
//! checked) through the evaluator's host value. `s3.decide(request)` decides any request
//! against the same policies, which is how a rule asks "would this upload be allowed with
//! that header / from that address / without an ACL?".

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
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
    /// The record's own request as the rules see it.
    own_request: Option<Value>,
    /// That request read as a typed request, once, when every header name in it is in
    /// lower case: what a change of headers only starts from ([`RuleHost::header_patched`]).
    own_typed: OnceCell<Option<Request>>,
    /// The requests `s3.best_change` decided.
    changes: RefCell<Changes>,
}

/// The requests `s3.best_change` decided, found by the request, or by the request and
/// the patch that made it: the rules ask about the same patches of `input.request` (the
/// same value every time, compared by address) again and again, and a patch is small.
#[derive(Default)]
struct Changes {
    decided: Vec<Change>,
    by_request: BTreeMap<MemoKey, usize>,
    by_patch: BTreeMap<MemoKey, usize>,
}

/// A request decided by `s3.best_change`: the typed request (`None` for the record's
/// own), its verdict, the verdict's causes of refusal, and its view once asked for.
struct Change {
    request: Option<Request>,
    verdict: Arc<Verdict>,
    causes: BTreeSet<Cause>,
    view: Option<Value>,
}

/// A cause of refusal in a verdict: a gate, or a reason of an authorization (its
/// action, policy type, whether explicit, and the paths of its statements).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    Gate(&'static str),
    Reason(String, &'static str, bool, BTreeSet<Arc<str>>),
}

fn causes(v: &Verdict) -> BTreeSet<Cause> {
    let gates = v.gates.iter().map(|g| Cause::Gate(g.id));
    let reasons = v.authorizations.iter().flat_map(|a| {
        a.reasons.iter().map(|r| {
            Cause::Reason(
                a.action.clone(),
                r.policy_type.as_str(),
                r.explicit,
                r.statements.iter().map(|s| s.path.clone()).collect(),
            )
        })
    });
    gates.chain(reasons).collect()
}

impl RuleHost {
    pub fn new(facts: Facts) -> RuleHost {
        RuleHost {
            facts,
            decisions: RefCell::new(BTreeMap::new()),
            views: ViewCache::default(),
            own: None,
            own_request: None,
            own_typed: OnceCell::new(),
            changes: RefCell::new(Changes::default()),
        }
    }

    /// Seeds the decision of `request`, the record's own (`facts.request`, decided once
    /// by the caller).
    pub fn remember(&mut self, request: Value, verdict: Arc<Verdict>) {
        let value = verdict_value_with(&verdict, &self.views);
        self.decisions
            .borrow_mut()
            .insert(MemoKey(vec![request.clone()]), value);
        self.own_request = Some(request);
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
    let verdict = h.decide_value(&args[0], 0)?;
    let value = verdict_value_with(&verdict, &h.views);
    h.decisions.borrow_mut().insert(key, value.clone());
    Ok(Some(value))
}

/// `s3.best_change(request, patches)`: among changes of `request` (RFC 7386 merge
/// patches), the one after which AWS names the fewest causes of refusal and none that
/// `request`'s own verdict lacks (the first such patch, in value order, on a tie), as
/// `[verdict, patch]`; undefined when none qualifies. A cause is a gate or a reason of an
/// authorization: its action, policy type, whether explicit, and its statements' paths.
fn best_change(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let h = host(ctx)?;
    let mut patches: Vec<&Value> = match &args[1] {
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => {
            return Err(BuiltinError::arg(
                1,
                format!(
                    "expected a set or array of patches, got {}",
                    other.type_name()
                ),
            ))
        }
    };
    if matches!(&args[1], Value::Array(_)) {
        patches.sort();
        patches.dedup();
    }
    let request = &args[0];
    let base = h.change(request, None, 0)?;
    let found: Vec<usize> = patches
        .iter()
        .map(|p| h.change(request, Some(p), 1))
        .collect::<Result<_, _>>()?;
    let mut changes = h.changes.borrow_mut();
    let Some(base) = changes.decided.get(base) else {
        return Ok(None);
    };
    let mut best: Option<(usize, usize)> = None;
    for (i, &at) in found.iter().enumerate() {
        let Some(change) = changes.decided.get(at) else {
            continue;
        };
        let n = change.causes.len();
        let fewer = best.map_or(true, |(m, _)| n < m);
        if fewer && change.causes.is_subset(&base.causes) {
            best = Some((n, i));
        }
    }
    let Some((_, i)) = best else {
        return Ok(None);
    };
    let (Some(change), Some(p)) = (changes.decided.get_mut(found[i]), patches.get(i)) else {
        return Ok(None);
    };
    let view = change
        .view
        .get_or_insert_with(|| verdict_value_with(&change.verdict, &h.views))
        .clone();
    Ok(Some(Value::array(vec![view, (*p).clone()])))
}

impl RuleHost {
    /// Decides a request given as a rule value (argument `arg` of the builtin), reusing
    /// the traces of the record's own verdict where the change cannot reach them.
    fn decide_value(&self, request: &Value, arg: usize) -> Result<Verdict, BuiltinError> {
        Ok(self.decide_typed(&request_arg(request, arg)?))
    }

    fn decide_typed(&self, request: &Request) -> Verdict {
        match &self.own {
            Some(own) => decide_request_after(&self.facts, request, own),
            None => decide_request(&self.facts, request),
        }
    }

    /// `request` changed by `patch` as a typed request, made from the record's own typed
    /// request without reading the merged value: when `request` is the record's own, the
    /// patch changes headers only (`{"headers": {name: text or null, ...}}`), and every
    /// header name in both is in lower case. Then RFC 7386 (null removes the name, text
    /// sets it) and reading the merged value (names folded to lower case) give the same
    /// headers as removing and setting them here. `None` otherwise: read the merge.
    fn header_patched(&self, request: &Value, patch: &Value) -> Option<Request> {
        if self.own_request.as_ref() != Some(request) {
            return None;
        }
        let Value::Object(p) = patch else {
            return None;
        };
        let (Some((Value::String(field), Value::Object(headers))), 1) = (p.iter().next(), p.len())
        else {
            return None;
        };
        if &**field != "headers" {
            return None;
        }
        let lower = |name: &str| !name.bytes().any(|b| b.is_ascii_uppercase());
        let base = self
            .own_typed
            .get_or_init(|| {
                let names_lower = match request.get(&Value::str("headers")) {
                    None => true,
                    Some(Value::Object(h)) => {
                        h.keys().all(|k| matches!(k, Value::String(n) if lower(n)))
                    }
                    Some(_) => false,
                };
                names_lower.then(|| request_arg(request, 0).ok()).flatten()
            })
            .as_ref()?;
        let mut typed = base.clone();
        for (name, value) in headers.iter() {
            let Value::String(name) = name else {
                return None;
            };
            if !lower(name) {
                return None;
            }
            match value {
                Value::Null => {
                    typed.headers.remove(&**name);
                }
                Value::String(v) => {
                    typed.headers.insert(name.to_string(), v.to_string());
                }
                _ => return None,
            }
        }
        Some(typed)
    }

    /// Decides `request` changed by `patch` for `s3.best_change`, once: the index of the
    /// decision. The record's own request has its own verdict.
    fn change(
        &self,
        request: &Value,
        patch: Option<&Value>,
        arg: usize,
    ) -> Result<usize, BuiltinError> {
        // The request alone, or the request and the patch (a `null` patch is a change:
        // RFC 7386 replaces the whole document with it).
        let asked = MemoKey(match patch {
            Some(p) => vec![request.clone(), p.clone()],
            None => vec![request.clone()],
        });
        if let Some(&at) = self.changes.borrow().by_patch.get(&asked) {
            return Ok(at);
        }
        let changed = MemoKey(vec![match patch {
            Some(p) => merge(request, p),
            None => request.clone(),
        }]);
        let known = self.changes.borrow().by_request.get(&changed).copied();
        let at = match known {
            Some(at) => at,
            None => {
                let (request, verdict) = match (&self.own, &self.own_request) {
                    (Some(own), Some(r)) if *r == changed.0[0] => (None, own.clone()),
                    _ => {
                        let typed = match patch.and_then(|p| self.header_patched(request, p)) {
                            Some(typed) => typed,
                            None => request_arg(&changed.0[0], arg)?,
                        };
                        let verdict = Arc::new(self.decide_typed(&typed));
                        (Some(typed), verdict)
                    }
                };
                let mut changes = self.changes.borrow_mut();
                changes.decided.push(Change {
                    request,
                    causes: causes(&verdict),
                    verdict,
                    view: None,
                });
                let at = changes.decided.len() - 1;
                changes.by_request.insert(changed, at);
                at
            }
        };
        self.changes.borrow_mut().by_patch.insert(asked, at);
        Ok(at)
    }
}

pub use super::view::verdict_value;
use super::view::{verdict_value_with, ViewCache};

/// `s3.put_object_command(request)`: the `aws s3api put-object` command sending it. A
/// fix's command sends a change `s3.best_change` decided: its typed request is found by
/// the request, not read again.
fn put_object_command(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let decided = host(ctx).ok().and_then(|h| {
        let changes = h.changes.borrow();
        let at = *changes.by_request.get(&MemoKey(vec![args[0].clone()]))?;
        let typed = changes.decided.get(at)?.request.as_ref()?;
        Some(command::put_object_command(typed))
    });
    let text = match decided {
        Some(text) => text,
        None => command::put_object_command(&request_arg(&args[0], 0)?),
    };
    Ok(Some(Value::str(&text)))
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
    // The operator's own error (unknown, NullIfExists) is the first argument's; any
    // other (a value that does not parse) the values'.
    if let Err(m) = crate::aws::condition::Operator::parse(op) {
        return Err(BuiltinError::arg(0, m));
    }
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
    Builtin { name: "s3.best_change", arity: 2, func: best_change, doc: "among merge patches of a request, the one after which the fewest causes of refusal remain and none is new, as [verdict, patch]" },
    Builtin { name: "s3.put_object_command", arity: 1, func: put_object_command, doc: "the `aws s3api put-object` command that sends a request" },
    Builtin { name: "s3.context", arity: 1, func: context, doc: "the request context AWS builds for a request" },
    Builtin { name: "iam.condition", arity: 4, func: condition, doc: "evaluate one condition (operator, key, values) against a request's context" },
    Builtin { name: "iam.match", arity: 2, func: iam_match, doc: "IAM wildcard match, case-sensitive (Resource)" },
    Builtin { name: "iam.action_match", arity: 2, func: action_match, doc: "IAM wildcard match, case-insensitive (Action)" },
    Builtin { name: "arn.parse", arity: 1, func: arn_parse, doc: "split an ARN into partition, service, region, account, resource" },
    Builtin { name: "json.merge_patch", arity: 2, func: merge_patch, doc: "RFC 7386 merge patch: objects merge, null removes" },
    Builtin { name: "net.first_address", arity: 1, func: first_address, doc: "the first host address of a CIDR" },
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test data is fixed")]

    use super::*;
    use crate::aws::decide;
    use crate::lang::Loader;
    use serde_json::json;

    /// An upload refused twice: the identity policy allows it only with SSE-S3
    /// (implicit deny), and the bucket policy denies it unless the storage class is
    /// STANDARD_IA (explicit deny).
    fn facts() -> Facts {
        let doc = json!({
            "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                        "bucket": "DOC-EXAMPLE-BUCKET", "key": "k"},
            "identity": {"policies": [{"name": "Upload", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*",
                    "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}]}}]},
            "bucket": {"account": "111122223333", "region": "us-east-1",
                "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "IA", "Effect": "Deny",
                    "Principal": "*", "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*",
                    "Condition": {"StringNotEquals": {"s3:x-amz-storage-class": "STANDARD_IA"}}}]}},
        });
        Facts::from_value(&doc).unwrap()
    }

    /// `s3.best_change(input.request, ps)` for the patches `ps`, as [decision, patch].
    fn best(patches: Value) -> Result<Option<(String, Value)>, String> {
        let mut loader = Loader::new();
        loader.add_source(
            "t.s3why",
            "package t\n\nbest := [r[0].decision, r[1]] if {\n    r := s3.best_change(input.request, input.patches)\n}\n",
        );
        let program = loader.compile(AWS).unwrap();
        let facts = facts();
        let verdict = Arc::new(decide(&facts));
        let request = Value::from_json(&facts.document["request"]);
        let mut host = RuleHost::new(facts);
        host.remember(request.clone(), verdict);
        let input = Value::object(BTreeMap::from([
            (Value::str("request"), request),
            (Value::str("patches"), patches),
        ]));
        let v = program
            .eval_rule("data.t.best", &input, Some(&host))
            .map_err(|e| e.message)?;
        Ok(v.map(|v| {
            let j = v.to_json();
            (j[0].as_str().unwrap().to_string(), Value::from_json(&j[1]))
        }))
    }

    /// A host remembering `request` (JSON) as the record's own, and its rule value.
    fn host_with(request: serde_json::Value) -> (RuleHost, Value) {
        let mut doc = facts().document.clone();
        doc["request"] = request;
        let facts = Facts::from_value(&doc).unwrap();
        let verdict = Arc::new(decide(&facts));
        let value = Value::from_json(&facts.document["request"]);
        let mut host = RuleHost::new(facts);
        host.remember(value.clone(), verdict);
        (host, value)
    }

    /// The typed shortcut for a change of headers gives what reading the merged request
    /// gives (RFC 7386, then names folded to lower case), and declines whatever it could
    /// not make the same way: another field, a name in upper case (in the patch or the
    /// request), a value that is not text, another request.
    #[test]
    fn a_change_of_headers_made_typed_is_the_merged_request_read() {
        let (host, own) = host_with(json!({
            "principal": "arn:aws:iam::111122223333:user/alice",
            "bucket": "DOC-EXAMPLE-BUCKET", "key": "k",
            "headers": {"x-amz-acl": "public-read", "x-amz-storage-class": "STANDARD"},
        }));
        let same = |patch: serde_json::Value| {
            let patch = Value::from_json(&patch);
            let typed = host.header_patched(&own, &patch).expect("made typed");
            let read = request_arg(&merge(&own, &patch), 0).unwrap();
            assert_eq!(format!("{typed:?}"), format!("{read:?}"));
        };
        same(json!({"headers": {"x-amz-acl": null}}));
        same(json!({"headers": {"x-amz-server-side-encryption": "AES256"}}));
        same(json!({"headers": {"x-amz-acl": "private", "x-amz-grant-read": null}}));
        same(json!({"headers": {}}));
        let declined = |patch: serde_json::Value| {
            assert!(host
                .header_patched(&own, &Value::from_json(&patch))
                .is_none());
        };
        declined(json!({"source_ip": "203.0.113.7"}));
        declined(json!({"headers": {"x-amz-acl": null}, "source_ip": "203.0.113.7"}));
        declined(json!({"headers": {"X-Amz-Acl": "private"}}));
        declined(json!({"headers": {"x-amz-acl": 1}}));
        declined(json!({"headers": null}));
        declined(json!(null));
        let other = merge(&own, &Value::from_json(&json!({"key": "other"})));
        let patch = Value::from_json(&json!({"headers": {"x-amz-acl": null}}));
        assert!(host.header_patched(&other, &patch).is_none());
        // A request whose own header names are not all in lower case: merging
        // `x-amz-acl: null` would leave `X-Amz-Acl` in place.
        let (host, own) = host_with(json!({
            "principal": "arn:aws:iam::111122223333:user/alice",
            "bucket": "DOC-EXAMPLE-BUCKET", "key": "k",
            "headers": {"X-Amz-Acl": "public-read"},
        }));
        assert!(host.header_patched(&own, &patch).is_none());
    }

    /// The rule writers' guide lists every AWS builtin with its arguments.
    #[test]
    fn every_aws_builtin_is_in_the_guide() {
        let guide = include_str!("../../docs/writing-rules.md");
        for b in AWS {
            let row = guide
                .lines()
                .find(|l| l.starts_with(&format!("| `{}(", b.name)))
                .unwrap_or_else(|| panic!("{} is not in docs/writing-rules.md", b.name));
            let args = row
                .split('(')
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap();
            assert_eq!(args.split(',').count(), b.arity, "{row}");
        }
    }

    fn patch(headers: serde_json::Value) -> Value {
        Value::from_json(&json!({ "headers": headers }))
    }

    fn set(items: Vec<Value>) -> Value {
        Value::set(items.into_iter().collect())
    }

    /// Each single header fixes one cause and leaves the other; both headers together
    /// fix both; an ACL brings a cause of its own (s3:PutObjectAcl, which no policy
    /// allows: AWS's ACL permission, aws-semantics.md) and never qualifies.
    #[test]
    fn the_change_leaving_fewest_causes_and_no_new_one_wins() {
        let ia = patch(json!({"x-amz-storage-class": "STANDARD_IA"}));
        let sse = patch(json!({"x-amz-server-side-encryption": "AES256"}));
        let both = patch(json!({"x-amz-storage-class": "STANDARD_IA",
                                 "x-amz-server-side-encryption": "AES256"}));
        let acl = patch(json!({"x-amz-acl": "public-read"}));
        let all = set(vec![ia.clone(), sse.clone(), both.clone(), acl.clone()]);
        assert_eq!(best(all).unwrap(), Some(("allowed".to_string(), both)));
        // One cause left either way: the first patch in value order wins the tie
        // (`x-amz-server-side-encryption` sorts before `x-amz-storage-class`).
        let tie = set(vec![ia.clone(), sse.clone()]);
        assert_eq!(best(tie).unwrap(), Some(("denied".to_string(), sse)));
        let array = Value::array(vec![ia.clone(), ia.clone()]);
        assert_eq!(best(array).unwrap(), Some(("denied".to_string(), ia)));
        assert_eq!(best(set(vec![acl])).unwrap(), None);
        assert_eq!(best(set(vec![])).unwrap(), None);
        // A null patch replaces the request (RFC 7386): not a request.
        let err = best(set(vec![Value::Null])).unwrap_err();
        assert!(err.contains("not a request"), "{err}");
        let err = best(Value::str("headers")).unwrap_err();
        assert!(err.contains("expected a set or array of patches"), "{err}");
    }
}
