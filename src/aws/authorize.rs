//! One authorization (an action on a resource) decided across every policy type, in
//! AWS's order and with AWS's combination rules (aws-semantics §1):
//!
//! 1. an explicit `Deny` in any applicable policy wins;
//! 2. RCPs (implicitly allowed everywhere by `RCPFullAWSAccess`) and every SCP level of the
//!    principal's account must allow;
//! 3. a VPC endpoint the request travels through must allow;
//! 4. same account: an identity-policy allow (capped by the permissions boundary and
//!    session policies) or a resource-policy grant, which bypasses those caps according to
//!    how it names the principal (§1.3); cross-account: both sides must allow (§1.4).

use std::sync::Arc;

use serde::Serialize;

use super::arn::PrincipalKind;
use super::evaluate::{evaluate_policy, AuthzRequest, Grantee, MatchOptions, PolicyTrace};
use super::policy::{Policy, PolicyType};

/// A named policy (identity policies, SCPs, RCPs).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: Policy,
}

/// One level of an organization's hierarchy (root, OU, account) with its policies.
#[derive(Debug, Clone)]
pub struct Level {
    pub target: String,
    pub policies: Vec<NamedPolicy>,
}

/// The resource-based policy of the authorization: a bucket policy or a key policy.
#[derive(Debug, Clone, Copy)]
pub struct ResourcePolicy<'a> {
    pub policy: Option<&'a Policy>,
    pub policy_type: PolicyType,
    pub name: &'a str,
    /// The account that owns the resource.
    pub account: &'a str,
    /// KMS: identity policies count only when the key policy delegates to the account
    /// (key-policies.html, aws-semantics §8.2).
    pub must_delegate: bool,
}

/// Every policy that applies to this authorization.
#[derive(Debug, Clone, Copy)]
pub struct PolicySources<'a> {
    pub identity: &'a [NamedPolicy],
    pub boundary: Option<&'a Policy>,
    /// `None`: no session policy was passed.
    pub session: Option<&'a [Policy]>,
    /// The SCP levels of the principal's account, when SCPs apply to it.
    pub scps: &'a [Level],
    /// The RCP levels of the resource's account, when RCPs apply to it.
    pub rcps: &'a [Level],
    pub resource: ResourcePolicy<'a>,
    /// The VPC endpoint policy the request travels through (absent policy = allow all).
    pub vpc_endpoint: Option<(&'a Policy, &'a str, MatchOptions)>,
}

/// Why an authorization is refused: one independent cause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    pub policy_type: PolicyType,
    /// An explicit `Deny` (true) or no applicable `Allow` (false).
    pub explicit: bool,
    /// The policies and statements behind it: the denying statements of an explicit deny;
    /// for an implicit deny, the level, boundary or policy that failed to allow.
    pub statements: Vec<StatementRef>,
}

/// A pointer to a statement (or a whole policy when `index` is `None`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatementRef {
    pub policy: Arc<str>,
    pub path: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// The decision for one action on one resource, with its trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Authorization {
    pub action: String,
    pub resource: String,
    pub allowed: bool,
    /// What allowed it: `identity`, or `bucket-policy` / `kms-key-policy` with the grantee.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_by: Vec<String>,
    /// Every independent cause, explicit denies first, in the order AWS names them.
    pub reasons: Vec<Reason>,
    pub policies: Vec<Arc<PolicyTrace>>,
}

impl Authorization {
    /// The cause AWS names in its message: the first reason.
    pub fn primary(&self) -> Option<&Reason> {
        self.reasons.first()
    }
}

/// Order in which causes are named (explicit denies first, then implicit), following
/// the evaluation order of reference_policies_evaluation-logic_policy-eval-denyallow.html.
fn rank(t: PolicyType) -> u8 {
    match t {
        PolicyType::Scp => 0,
        PolicyType::Rcp => 1,
        PolicyType::VpcEndpointPolicy => 2,
        PolicyType::BucketPolicy | PolicyType::KmsKeyPolicy => 3,
        PolicyType::Identity => 4,
        PolicyType::PermissionsBoundary => 5,
        PolicyType::SessionPolicy => 6,
    }
}

/// Decides one authorization.
pub fn authorize(req: &AuthzRequest<'_>, src: &PolicySources<'_>) -> Authorization {
    let none = MatchOptions::default();
    let mut policies: Vec<Arc<PolicyTrace>> = Vec::new();
    let eval = |p: &Policy, t: PolicyType, name: &str, o: MatchOptions| {
        evaluate_policy(p, t, name, req, o)
    };

    // SCPs and RCPs, level by level.
    let mut scp_failed_levels = Vec::new();
    for level in src.scps {
        let traces: Vec<Arc<PolicyTrace>> = level
            .policies
            .iter()
            .map(|np| eval(&np.policy, PolicyType::Scp, &np.name, none))
            .collect();
        if !traces.iter().any(|t| t.allows) {
            scp_failed_levels.push(StatementRef {
                policy: level.target.as_str().into(),
                path: "".into(),
                sid: None,
                index: None,
            });
        }
        policies.extend(traces);
    }
    for level in src.rcps {
        policies.extend(
            level
                .policies
                .iter()
                .map(|np| eval(&np.policy, PolicyType::Rcp, &np.name, none)),
        );
    }
    let vpce = src
        .vpc_endpoint
        .map(|(p, name, o)| eval(p, PolicyType::VpcEndpointPolicy, name, o));
    let resource = src
        .resource
        .policy
        .map(|p| eval(p, src.resource.policy_type, src.resource.name, none));
    let identity: Vec<Arc<PolicyTrace>> = src
        .identity
        .iter()
        .map(|np| eval(&np.policy, PolicyType::Identity, &np.name, none))
        .collect();
    let boundary = src.boundary.map(|p| {
        eval(
            p,
            PolicyType::PermissionsBoundary,
            "permissions boundary",
            none,
        )
    });
    let session: Vec<Arc<PolicyTrace>> = src
        .session
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, p)| {
            eval(
                p,
                PolicyType::SessionPolicy,
                &format!("session policy {i}"),
                none,
            )
        })
        .collect();

    let p = req.principal;
    let same_account = p.account.as_deref() == Some(src.resource.account);
    // The root user is not implicitly denied on its own side (S1); for KMS it still needs
    // the key policy (must_delegate below).
    let identity_allows = p.is_root() || identity.iter().any(|t| t.allows);
    let boundary_ok = boundary.as_ref().map_or(true, |b| b.allows);
    let session_ok = match src.session {
        Some(_) => session.iter().any(|t| t.allows),
        // GetFederationToken without a session policy: implicit deny (decisions.md #16).
        None => !matches!(p.kind, PrincipalKind::FederatedUser { .. }),
    };
    let grants: Vec<Grantee> = resource
        .as_ref()
        .map(|t| t.allowing().filter_map(|s| s.grantee).collect())
        .unwrap_or_default();
    let delegated = !src.resource.must_delegate || grants.contains(&Grantee::Account);

    let mut allowed_by = Vec::new();
    let mut implicit: Vec<PolicyType> = Vec::new();
    let identity_side = identity_allows && boundary_ok && session_ok;
    let identity_gap = |implicit: &mut Vec<PolicyType>| {
        if !identity_allows {
            implicit.push(PolicyType::Identity);
        }
        if !boundary_ok {
            implicit.push(PolicyType::PermissionsBoundary);
        }
        if !session_ok {
            implicit.push(PolicyType::SessionPolicy);
        }
    };
    if p.is_anonymous() {
        if grants.contains(&Grantee::Everyone) {
            allowed_by.push(format!("{}:everyone", src.resource.policy_type.as_str()));
        } else {
            implicit.push(src.resource.policy_type);
        }
    } else if same_account {
        if identity_side && delegated {
            allowed_by.push("identity".to_string());
        }
        for g in &grants {
            let bypass = match g {
                Grantee::Everyone | Grantee::User | Grantee::Session | Grantee::FederatedUser => {
                    true
                }
                Grantee::Role => boundary_ok && session_ok,
                Grantee::Account => false,
            };
            if bypass {
                allowed_by.push(format!(
                    "{}:{}",
                    src.resource.policy_type.as_str(),
                    grantee_name(*g)
                ));
            }
        }
        if allowed_by.is_empty() {
            let role_grant = grants.contains(&Grantee::Role);
            if role_grant {
                // The role grant replaces the identity allow but stays capped.
                if !boundary_ok {
                    implicit.push(PolicyType::PermissionsBoundary);
                }
                if !session_ok {
                    implicit.push(PolicyType::SessionPolicy);
                }
            } else if src.resource.must_delegate && !delegated {
                // A key policy that neither grants nor delegates is the cause: no
                // identity policy can help until it does (key-policies.html, S41).
                implicit.push(src.resource.policy_type);
            } else {
                identity_gap(&mut implicit);
            }
        }
    } else {
        let resource_side = !grants.is_empty();
        if identity_side && resource_side {
            allowed_by.push("identity".to_string());
            allowed_by.push(src.resource.policy_type.as_str().to_string());
        } else {
            identity_gap(&mut implicit);
            if !resource_side {
                implicit.push(src.resource.policy_type);
            }
        }
    }

    let mut reasons: Vec<Reason> = Vec::new();
    if !scp_failed_levels.is_empty() {
        reasons.push(Reason {
            policy_type: PolicyType::Scp,
            explicit: false,
            statements: scp_failed_levels,
        });
    }
    if let Some(v) = &vpce {
        if !v.allows {
            reasons.push(Reason {
                policy_type: PolicyType::VpcEndpointPolicy,
                explicit: false,
                statements: vec![whole(v)],
            });
        }
    }
    for t in implicit {
        let statements = match t {
            PolicyType::PermissionsBoundary => boundary.iter().map(whole).collect(),
            PolicyType::Identity => identity.iter().map(whole).collect(),
            PolicyType::SessionPolicy => session.iter().map(whole).collect(),
            _ => resource.iter().map(whole).collect(),
        };
        reasons.push(Reason {
            policy_type: t,
            explicit: false,
            statements,
        });
    }
    policies.extend(vpce);
    policies.extend(resource);
    policies.extend(identity);
    policies.extend(boundary);
    policies.extend(session);

    // Explicit denies, grouped by policy type; they come first.
    let mut explicit: Vec<Reason> = Vec::new();
    for trace in &policies {
        let refs: Vec<StatementRef> = trace
            .denying()
            .map(|s| StatementRef {
                policy: trace.name.clone(),
                path: s.path.clone(),
                sid: s.sid.clone(),
                index: Some(s.index),
            })
            .collect();
        if refs.is_empty() {
            continue;
        }
        match explicit
            .iter_mut()
            .find(|r| r.policy_type == trace.policy_type)
        {
            Some(r) => r.statements.extend(refs),
            None => explicit.push(Reason {
                policy_type: trace.policy_type,
                explicit: true,
                statements: refs,
            }),
        }
    }
    explicit.sort_by_key(|r| rank(r.policy_type));
    reasons.sort_by_key(|r| rank(r.policy_type));
    let allowed = explicit.is_empty() && reasons.is_empty();
    explicit.extend(reasons);
    Authorization {
        action: req.action.to_string(),
        resource: req.resource.to_string(),
        allowed,
        allowed_by: if allowed { allowed_by } else { Vec::new() },
        reasons: explicit,
        policies,
    }
}

/// The name a grantee has in traces and rules.
pub fn grantee_name(g: Grantee) -> &'static str {
    match g {
        Grantee::Account => "account",
        Grantee::Role => "role",
        Grantee::Everyone => "everyone",
        Grantee::User => "user",
        Grantee::Session => "session",
        Grantee::FederatedUser => "federated-user",
    }
}

fn whole(t: &Arc<PolicyTrace>) -> StatementRef {
    StatementRef {
        policy: t.name.clone(),
        path: t.path.clone(),
        sid: None,
        index: None,
    }
}
