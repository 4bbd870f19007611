//! Reads the AccessDenied message a user got (aws-semantics §9, troubleshoot-403-errors.html
//! S27, troubleshoot_access-denied.html S58): who, which action on which resource, and
//! which policy type AWS blames, explicitly or implicitly. Accepted forms:
//!
//! * `An error occurred (AccessDenied) when calling the PutObject operation: ` (the AWS
//!   CLI's prefix, also with ` (reached max retries: N)`) before any of the below;
//! * `User: ARN is not authorized to perform: ACTION on resource: "ARN" because ...` (S3
//!   quotes the resource), the KMS form with the key ARN unquoted, the documented form
//!   without colons (`User ARN is not authorized to perform ACTION on "ARN" because ...`),
//!   and the form without the resource;
//! * a policy ARN after the reason (`...: arn:aws:organizations::...`, S57) and a trailing
//!   `. Go to https://...` (S59) are read and set aside;
//! * the bare `Access Denied` (cross-account outside one organization, S27 / §9.2);
//! * the two `InvalidArgument` messages of an SSE-KMS upload that S3 refuses before any
//!   policy (over plain HTTP, or unsigned: S36), which name no principal or resource.

use serde_json::{json, Map, Value};

use super::DataError;
use crate::aws::policy::PolicyType;

/// The policy type a message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedPolicy {
    Identity,
    /// A bucket policy (or access point policy) for S3 actions, a key policy for KMS ones.
    ResourceBased,
    PermissionsBoundary,
    SessionPolicy,
    Scp,
    Rcp,
    VpcEndpoint,
    /// `with an explicit deny in a VPC endpoint policy transitively through a service
    /// control policy` (S58).
    VpcEndpointThroughScp,
    /// IAM's role trust policy (sts:AssumeRole, S58).
    RoleTrust,
}

impl NamedPolicy {
    /// The evaluator's policy type for this name and action, when it has one.
    pub fn policy_type(self, action: Option<&str>) -> Option<PolicyType> {
        let kms = action.is_some_and(|a| a.to_ascii_lowercase().starts_with("kms:"));
        Some(match self {
            NamedPolicy::Identity => PolicyType::Identity,
            NamedPolicy::ResourceBased if kms => PolicyType::KmsKeyPolicy,
            NamedPolicy::ResourceBased => PolicyType::BucketPolicy,
            NamedPolicy::PermissionsBoundary => PolicyType::PermissionsBoundary,
            NamedPolicy::SessionPolicy => PolicyType::SessionPolicy,
            NamedPolicy::Scp => PolicyType::Scp,
            NamedPolicy::Rcp => PolicyType::Rcp,
            NamedPolicy::VpcEndpoint | NamedPolicy::VpcEndpointThroughScp => {
                PolicyType::VpcEndpointPolicy
            }
            NamedPolicy::RoleTrust => return None,
        })
    }
}

/// Why AWS says the request was denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The bare `Access Denied`: no typed message (another account outside the
    /// organization, a VPC endpoint denial across accounts, a directory bucket; §9.2).
    Generic,
    /// A policy type, explicitly (`with an explicit deny in ...`) or implicitly
    /// (`because no ... allows the ACTION action`).
    Policy {
        policy: NamedPolicy,
        explicit: bool,
        /// `false` for the legacy `due to an explicit deny in a Service Control Policy`,
        /// which older IAM text says may be printed for an implicit deny too (S58).
        certain: bool,
    },
    /// `because public ACLs are prevented by the BlockPublicAcls setting in S3 Block
    /// Public Access.`
    BlockPublicAcls,
    /// `because public policies are prevented by the BlockPublicPolicy setting ...`
    BlockPublicPolicy,
    /// `because this bucket has blocked upload requests that specify Server Side
    /// Encryption with Customer provided keys (SSE-C). ...`
    SseCBlocked,
    /// `InvalidArgument`: an SSE-KMS upload over plain HTTP (`kms-insecure-transport`).
    KmsNeedsTls,
    /// `InvalidArgument`: an unsigned SSE-KMS upload (`kms-unsigned-request`).
    KmsNeedsSignature,
    /// A reason this version does not know, verbatim.
    Other(String),
}

/// What an AccessDenied message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeniedMessage {
    /// From the CLI prefix: `AccessDenied`.
    pub error_code: Option<String>,
    /// From the CLI prefix: `PutObject`.
    pub operation: Option<String>,
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    /// For an S3 resource ARN.
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub reason: Reason,
    /// The policy ARN AWS appends after the reason (S57).
    pub policy_arn: Option<String>,
}

fn err(message: impl Into<String>) -> DataError {
    DataError::new("", "--from-error", message)
}

/// Strips `prefix` case-insensitively.
fn strip_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The next whitespace-delimited token and the rest.
fn token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

/// Parses an AccessDenied message.
pub fn parse(message: &str) -> Result<DeniedMessage, DataError> {
    let mut out = DeniedMessage {
        error_code: None,
        operation: None,
        principal: None,
        action: None,
        resource: None,
        bucket: None,
        key: None,
        reason: Reason::Generic,
        policy_arn: None,
    };
    let mut rest = message.trim();
    if let Some(r) = strip_ci(rest, "An error occurred (") {
        let (code, r) = r
            .split_once(')')
            .ok_or_else(|| err("expected `An error occurred (CODE) when calling ...`"))?;
        out.error_code = Some(code.to_string());
        let r = strip_ci(r.trim_start(), "when calling the ")
            .ok_or_else(|| err("expected `when calling the OPERATION operation` after the code"))?;
        let (op, r) = token(r);
        out.operation = Some(op.to_string());
        let r = strip_ci(r.trim_start(), "operation")
            .unwrap_or(r)
            .trim_start();
        // `(reached max retries: 4)`
        let r = match r.strip_prefix('(') {
            Some(inner) => inner.split_once(')').map_or(r, |(_, after)| after),
            None => r,
        };
        rest = r.trim_start().strip_prefix(':').unwrap_or(r).trim();
    }
    let bare = rest.trim_end_matches('.');
    if bare.eq_ignore_ascii_case("Access Denied") {
        return Ok(out);
    }
    if bare.eq_ignore_ascii_case(crate::aws::message::KMS_NEEDS_TLS.trim_end_matches('.')) {
        out.reason = Reason::KmsNeedsTls;
        return Ok(out);
    }
    if bare.eq_ignore_ascii_case(crate::aws::message::KMS_NEEDS_SIGNATURE.trim_end_matches('.')) {
        out.reason = Reason::KmsNeedsSignature;
        return Ok(out);
    }
    let r = strip_ci(rest, "User").ok_or_else(|| {
        err(format!(
            "{rest:?}: expected `User: ARN is not authorized to perform: ACTION on resource: \"ARN\" because ...` or `Access Denied`"
        ))
    })?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (principal, r) = token(r);
    out.principal = Some(principal.to_string());
    let r = strip_ci(r.trim_start(), "is not authorized to perform").ok_or_else(|| {
        err(format!(
            "expected `is not authorized to perform` after {principal}"
        ))
    })?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (action, r) = token(r);
    if action.is_empty() {
        return Err(err(
            "expected the action after `is not authorized to perform:`",
        ));
    }
    out.action = Some(action.to_string());
    let mut r = r.trim_start();
    if let Some(after_on) = strip_ci(r, "on ") {
        let after_on = strip_ci(after_on, "resource:")
            .unwrap_or(after_on)
            .trim_start();
        let (resource, after) = match after_on.strip_prefix('"') {
            Some(q) => q
                .split_once('"')
                .ok_or_else(|| err("the resource's closing quote is missing"))?,
            None => token(after_on),
        };
        out.resource = Some(resource.to_string());
        if let Some(path) = resource.strip_prefix("arn:aws:s3:::").or_else(|| {
            resource
                .split_once(":s3:::")
                .filter(|(p, _)| p.starts_with("arn:"))
                .map(|(_, path)| path)
        }) {
            match path.split_once('/') {
                Some((b, k)) => {
                    out.bucket = Some(b.to_string());
                    out.key = Some(k.to_string());
                }
                None => out.bucket = Some(path.to_string()),
            }
        }
        r = after.trim_start();
    }
    let (reason, policy_arn) = split_reason(r);
    out.policy_arn = policy_arn;
    out.reason = reason_of(&reason);
    Ok(out)
}

/// Sets aside a trailing `. Go to https://...` and a `: arn:...` policy ARN.
fn split_reason(text: &str) -> (String, Option<String>) {
    let mut t = text.trim();
    if let Some(i) = t.find(". Go to http") {
        t = &t[..i];
    }
    let mut arn = None;
    if let Some(i) = t.find(": arn:") {
        arn = Some(t[i + 2..].trim().trim_end_matches('.').to_string());
        t = &t[..i];
    }
    (t.trim().to_string(), arn)
}

fn named(text: &str) -> Option<NamedPolicy> {
    let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
    Some(match t.as_str() {
        "identity-based policy" => NamedPolicy::Identity,
        "resource-based policy" => NamedPolicy::ResourceBased,
        "permissions boundary" => NamedPolicy::PermissionsBoundary,
        "session policy" | "sessions policy" => NamedPolicy::SessionPolicy,
        "service control policy" => NamedPolicy::Scp,
        "resource control policy" => NamedPolicy::Rcp,
        "vpc endpoint policy" => NamedPolicy::VpcEndpoint,
        "vpc endpoint policy transitively through a service control policy" => {
            NamedPolicy::VpcEndpointThroughScp
        }
        "role trust policy" => NamedPolicy::RoleTrust,
        _ => return None,
    })
}

fn reason_of(text: &str) -> Reason {
    let policy = |policy, explicit, certain| Reason::Policy {
        policy,
        explicit,
        certain,
    };
    if let Some(r) = strip_ci(text, "because no ") {
        // `because no X allows the ACTION action`
        if let Some(i) = r.find(" allows the ") {
            if let Some(p) = named(&r[..i]) {
                return policy(p, false, true);
            }
        }
    }
    if let Some(r) = strip_ci(text, "with an explicit deny in ") {
        let r = ["a ", "an ", "the "]
            .iter()
            .find_map(|a| strip_ci(r, a))
            .unwrap_or(r);
        if let Some(p) = named(r) {
            return policy(p, true, true);
        }
    }
    if strip_ci(text, "due to an explicit deny in a Service Control Policy").is_some() {
        return policy(NamedPolicy::Scp, true, false);
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("because public acls are prevented by the blockpublicacls setting") {
        Reason::BlockPublicAcls
    } else if lower.starts_with("because public policies are prevented by the blockpublicpolicy setting")
    {
        Reason::BlockPublicPolicy
    } else if lower.starts_with("because this bucket has blocked upload requests that specify server side encryption with customer provided keys")
    {
        Reason::SseCBlocked
    } else {
        Reason::Other(text.to_string())
    }
}

impl DeniedMessage {
    /// The request fields the message gives, for a fact document's `request`: the
    /// principal, and for an S3 resource the action, bucket and key. (A KMS message
    /// names the key, not the upload's bucket.)
    pub fn request_fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(p) = &self.principal {
            m.insert("principal".into(), json!(p));
        }
        if let Some(b) = &self.bucket {
            if let Some(a) = &self.action {
                m.insert("action".into(), json!(a));
            }
            m.insert("bucket".into(), json!(b));
            if let Some(k) = &self.key {
                m.insert("key".into(), json!(k));
            }
        }
        m
    }

    /// The finding that names the cause, when the message names it outright (one of S3's
    /// own refusals).
    pub fn finding_id(&self) -> Option<&'static str> {
        match self.reason {
            Reason::KmsNeedsTls => Some("kms-insecure-transport"),
            Reason::KmsNeedsSignature => Some("kms-unsigned-request"),
            Reason::SseCBlocked => Some("sse-c-blocked"),
            Reason::BlockPublicAcls => Some("block-public-acls"),
            _ => None,
        }
    }

    /// The policy type AWS blames and whether explicitly, to rank causes.
    pub fn blamed(&self) -> Option<(PolicyType, bool)> {
        match &self.reason {
            Reason::Policy {
                policy, explicit, ..
            } => policy
                .policy_type(self.action.as_deref())
                .map(|t| (t, *explicit)),
            _ => None,
        }
    }
}
