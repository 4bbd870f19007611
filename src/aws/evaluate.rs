//! One policy against one authorization request: which statements apply, and why.
//!
//! A statement applies when its principal (resource-based policies only), action,
//! resource and every condition match. Principal, action and resource short-circuit;
//! conditions are all evaluated once those match, so a trace names every failing key.

use std::sync::Arc;

use serde::Serialize;

use super::arn::{Principal, PrincipalKind};
use super::condition::ConditionTrace;
use super::context::Context;
use super::policy::{Effect, Policy, PolicyType, PrincipalEntry, Statement};

/// What is being authorized.
#[derive(Debug, Clone)]
pub struct AuthzRequest<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub principal: &'a Principal,
    pub ctx: &'a Context,
    /// The principal has a permissions boundary (NotPrincipal then always denies, S20).
    pub has_boundary: bool,
    /// Traces of an earlier decision of the same facts that this one may reuse.
    pub reuse: Option<&'a Reuse<'a>>,
}

/// A policy trace of an earlier decision, with its authorization's action and resource.
pub type EarlierTrace<'a> = (&'a str, &'a str, &'a Arc<PolicyTrace>);

/// The policy traces of an earlier decision of the same facts, for a decision of another
/// request by the same principal (the fix search's counterfactuals differ from the record's
/// request in a header or an address).
///
/// A statement's trace is a function of the statement, the authorization's action,
/// resource and principal, the facts (the principal's boundary, the endpoint's type) and
/// the context keys it reads (`Statement::context_keys`). So where the same compiled
/// policy (found by the address of its path) was evaluated for the same action and
/// resource, a statement that reads none of the keys whose values changed has the trace
/// it had; only the others are evaluated again.
#[derive(Debug)]
pub struct Reuse<'a> {
    /// `(action, resource, trace)` of each policy the earlier decision evaluated.
    traces: &'a [EarlierTrace<'a>],
    /// The context keys (lower case) whose values differ between the two requests.
    changed: Vec<String>,
}

impl<'a> Reuse<'a> {
    /// `traces`: every policy trace of the earlier decision with its authorization's
    /// action and resource; `changed`: `Context::changed_keys` of the two contexts the
    /// policies are evaluated in. The caller guarantees the rest: same facts, same
    /// principal.
    pub fn new(traces: &'a [EarlierTrace<'a>], changed: Vec<String>) -> Self {
        Reuse { traces, changed }
    }

    fn earlier(
        &self,
        policy: &Policy,
        policy_type: PolicyType,
        action: &str,
        resource: &str,
    ) -> Option<&'a Arc<PolicyTrace>> {
        self.traces
            .iter()
            .find(|(a, r, t)| {
                Arc::ptr_eq(&t.path, &policy.path)
                    && t.policy_type == policy_type
                    && *a == action
                    && *r == resource
                    && t.statements.len() == policy.statements.len()
            })
            .map(|(_, _, t)| *t)
    }

    fn unchanged_for(&self, stmt: &Statement) -> bool {
        !stmt
            .context_keys
            .iter()
            .any(|k| self.changed.iter().any(|c| **c == **k))
    }
}

/// How a resource-based statement named the principal: decides which implicit denies
/// a grant bypasses in the same account (aws-semantics §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Grantee {
    /// The account principal: delegates to the account's IAM policies.
    Account,
    /// The IAM role ARN (the caller is a session of it).
    Role,
    /// `"*"`: everyone.
    Everyone,
    /// The IAM user ARN.
    User,
    /// The assumed-role session ARN.
    Session,
    /// The federated-user ARN.
    FederatedUser,
}

/// The trace of one statement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatementTrace {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    pub effect: Effect,
    /// JSON path in the fact document.
    pub path: Arc<str>,
    /// `None`: the statement names no principal (identity-type policies).
    pub principal: Option<bool>,
    /// How the principal was named, when it matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grantee: Option<Grantee>,
    /// `NotPrincipal` matched only because the principal has a boundary (S20).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_principal_boundary: bool,
    /// `None`: not evaluated (an earlier element did not match).
    pub action: Option<bool>,
    pub resource: Option<bool>,
    pub conditions: Vec<ConditionTrace>,
    /// Principal, action, resource and every condition matched.
    pub applies: bool,
}

impl StatementTrace {
    /// Principal, action and resource matched; only conditions may have failed.
    pub fn targets(&self) -> bool {
        self.principal != Some(false) && self.action == Some(true) && self.resource == Some(true)
    }
}

/// The trace of one policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyTrace {
    pub policy_type: PolicyType,
    /// The policy's name (identity policies), SCP/RCP level target, key ARN, endpoint id.
    pub name: Arc<str>,
    pub path: Arc<str>,
    /// Shared: a counterfactual decision of the same facts reuses the traces of the
    /// statements its change does not touch ([`Reuse`]), and the rules' views of them.
    pub statements: Vec<Arc<StatementTrace>>,
    /// Some Allow statement applies.
    pub allows: bool,
    /// Some Deny statement applies.
    pub denies: bool,
}

impl PolicyTrace {
    /// The Allow statements that apply.
    pub fn allowing(&self) -> impl Iterator<Item = &StatementTrace> {
        self.statements
            .iter()
            .map(|s| &**s)
            .filter(|s| s.applies && s.effect == Effect::Allow)
    }

    /// The Deny statements that apply.
    pub fn denying(&self) -> impl Iterator<Item = &StatementTrace> {
        self.statements
            .iter()
            .map(|s| &**s)
            .filter(|s| s.applies && s.effect == Effect::Deny)
    }
}

/// Options that change how principals match.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchOptions {
    /// Gateway VPC endpoint policies: an account principal means only that account's root
    /// user (S26).
    pub account_means_root: bool,
}

/// Evaluates every statement of `policy`.
pub fn evaluate_policy(
    policy: &Policy,
    policy_type: PolicyType,
    name: &str,
    req: &AuthzRequest<'_>,
    opts: MatchOptions,
) -> Arc<PolicyTrace> {
    let earlier = req
        .reuse
        .and_then(|r| Some((r, r.earlier(policy, policy_type, req.action, req.resource)?)));
    // No statement reads a changed key: the earlier trace is this one, shared whole (and
    // so is the rules' view of it).
    if let Some((reuse, before)) = earlier {
        if *before.name == *name && policy.statements.iter().all(|s| reuse.unchanged_for(s)) {
            return before.clone();
        }
    }
    // Actions match case-insensitively: fold the action once, not once a statement.
    let action = req.action.to_lowercase();
    let req = &AuthzRequest {
        action: &action,
        ..req.clone()
    };
    let statements: Vec<Arc<StatementTrace>> = match earlier {
        Some((reuse, before)) => policy
            .statements
            .iter()
            .zip(&before.statements)
            .map(|(s, t)| {
                if reuse.unchanged_for(s) {
                    t.clone()
                } else {
                    Arc::new(evaluate_statement(s, req, opts))
                }
            })
            .collect(),
        None => policy
            .statements
            .iter()
            .map(|s| Arc::new(evaluate_statement(s, req, opts)))
            .collect(),
    };
    let allows = statements
        .iter()
        .any(|s| s.applies && s.effect == Effect::Allow);
    let denies = statements
        .iter()
        .any(|s| s.applies && s.effect == Effect::Deny);
    Arc::new(PolicyTrace {
        policy_type,
        name: name.into(),
        path: policy.path.clone(),
        statements,
        allows,
        denies,
    })
}

/// Evaluates one statement; `req.action` is in lower case (`evaluate_policy` folds it).
fn evaluate_statement(
    stmt: &Statement,
    req: &AuthzRequest<'_>,
    opts: MatchOptions,
) -> StatementTrace {
    let mut trace = StatementTrace {
        index: stmt.index,
        sid: stmt.sid.clone(),
        effect: stmt.effect,
        path: stmt.path.clone(),
        principal: None,
        grantee: None,
        not_principal_boundary: false,
        action: None,
        resource: None,
        conditions: Vec::new(),
        applies: false,
    };
    if let Some((negated, entries)) = &stmt.principal {
        let named = entries
            .iter()
            .filter_map(|e| principal_matches(e, req.principal, opts))
            .max();
        let matched = if *negated {
            let exempt = not_principal_exempts(entries, req.principal);
            if exempt && req.has_boundary {
                trace.not_principal_boundary = true;
            }
            !exempt || req.has_boundary
        } else {
            trace.grantee = named;
            named.is_some()
        };
        trace.principal = Some(matched);
        if !matched {
            return trace;
        }
    }
    // `req.action` is folded by `evaluate_policy`; actions match case-insensitively.
    let action_hit = stmt.actions.iter().any(|a| a.matches_lowered(req.action)) != stmt.not_action;
    trace.action = Some(action_hit);
    if !action_hit {
        return trace;
    }
    let resource_hit = stmt
        .resources
        .iter()
        .any(|r| r.resolve(req.ctx).is_some_and(|w| w.matches(req.resource)))
        != stmt.not_resource;
    trace.resource = Some(resource_hit);
    if !resource_hit {
        return trace;
    }
    trace.conditions = stmt
        .conditions
        .iter()
        .map(|c| c.evaluate(req.ctx))
        .collect();
    trace.applies = trace.conditions.iter().all(|c| c.result);
    trace
}

/// Does a `Principal` entry name this principal, and how?
pub fn principal_matches(
    entry: &PrincipalEntry,
    p: &Principal,
    opts: MatchOptions,
) -> Option<Grantee> {
    match entry {
        PrincipalEntry::Everyone => Some(Grantee::Everyone),
        PrincipalEntry::Account(account) => {
            let same = p.account.as_deref() == Some(account.as_str());
            let ok = same && (!opts.account_means_root || p.is_root());
            ok.then_some(Grantee::Account)
        }
        PrincipalEntry::Arn(arn) => match &p.kind {
            PrincipalKind::User { .. } | PrincipalKind::FederatedUser { .. } if arn == &p.arn => {
                Some(if matches!(p.kind, PrincipalKind::User { .. }) {
                    Grantee::User
                } else {
                    Grantee::FederatedUser
                })
            }
            PrincipalKind::RoleSession { .. } => {
                if p.session_arn().as_deref() == Some(arn.as_str()) {
                    Some(Grantee::Session)
                } else if p.role_arn().as_deref() == Some(arn.as_str()) || role_name_match(arn, p) {
                    Some(Grantee::Role)
                } else {
                    None
                }
            }
            // The root user may also be named by its ARN (handled as Account at parse time).
            _ => None,
        },
        PrincipalEntry::Service(_)
        | PrincipalEntry::CanonicalUser(_)
        | PrincipalEntry::Federated(_)
        | PrincipalEntry::UniqueId(_) => None,
    }
}

/// A role ARN with a path (`role/path/Name`) names a session whose ARN carries only `Name`.
fn role_name_match(arn: &str, p: &Principal) -> bool {
    let PrincipalKind::RoleSession {
        role_name,
        session: Some(_),
        ..
    } = &p.kind
    else {
        return false;
    };
    let Some(parsed) = super::arn::Arn::parse(arn) else {
        return false;
    };
    parsed.service == "iam"
        && Some(parsed.account) == p.account.as_deref()
        && parsed.resource.starts_with("role/")
        && parsed.resource.rsplit('/').next() == Some(role_name.as_str())
}

/// `NotPrincipal` exempts a principal only when its own ARN (for a role session: the
/// role ARN) and its account are both listed (S6: "also list the account ARN").
fn not_principal_exempts(entries: &[PrincipalEntry], p: &Principal) -> bool {
    if entries.contains(&PrincipalEntry::Everyone) {
        return true;
    }
    let account_listed = p.account.as_ref().is_some_and(|a| {
        entries
            .iter()
            .any(|e| e == &PrincipalEntry::Account(a.clone()))
    });
    if p.is_root() {
        return account_listed;
    }
    // A role session is exempt only with its role's ARN listed (S6: "for role sessions the
    // role ARN + account ARN"); its session ARN alone does not exempt it.
    let session = matches!(p.kind, PrincipalKind::RoleSession { .. });
    let own_listed = entries.iter().any(|e| {
        matches!(e, PrincipalEntry::Arn(_))
            && match principal_matches(e, p, MatchOptions::default()) {
                Some(Grantee::Session) => !session,
                Some(_) => true,
                None => false,
            }
    });
    account_listed && own_listed
}
