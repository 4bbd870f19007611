//! Reads the AccessDenied message a user got (aws-semantics §9, troubleshoot-403-errors.html
//! S27, troubleshoot_access-denied.html S58): who, which action on which resource, and
//! which policy type AWS blames, explicitly or implicitly. Accepted forms:
//!
//! * any of the below inside what printed it: the AWS CLI's prefix `An error occurred
//!   (AccessDenied) when calling the PutObject operation: ` (also with ` (reached max
//!   retries: N)`), a transfer's `upload failed: FILE to s3://BUCKET/KEY`, boto3's, the
//!   SDKs' and S3's XML body (see `unwrap`);
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

/// Parses an AccessDenied message, as pasted: alone, or inside what printed it (see
/// [`unwrap`]).
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
    let mut text = join_lines(message);
    if text.contains("<Message>") {
        text = xml_unescape(&text);
    }
    let rest = unwrap(&text, &mut out)?;
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

/// A message wrapped by a terminal, a log or an XML body, on one line: each run of
/// whitespace that holds a line break or a tab becomes one space (runs of spaces alone
/// are kept: they may be part of a key).
fn join_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.trim().chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            if run.contains(['\n', '\r', '\t']) {
                out.push(' ');
            } else {
                out.push_str(&run);
            }
            run.clear();
        }
        out.push(c);
    }
    out
}

/// S3's XML error body escapes `"`, `&`, `<`, `>` and `'` in the message (a quoted
/// resource ARN is `&quot;arn:...&quot;`, a key `r&amp;d/`): the text with them, and
/// numeric references, unescaped. Applied to an XML body only: elsewhere `&amp;` may be
/// a key's own text.
fn xml_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail.find(';').filter(|&end| end <= 10).and_then(|end| {
            let ch = match &tail[1..end] {
                "quot" => Some('"'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "apos" => Some('\''),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            ch.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Finds AWS's own message inside what printed it, and reads from the wrapper what it
/// adds: the error code, the operation, and for `aws s3 cp`/`mv` and boto3's upload
/// helpers the destination bucket and key. Forms (real output, cited in
/// tests/awsdata_from_error.rs):
///
/// * the AWS CLI and boto3: `An error occurred (CODE) when calling the OP operation: MSG`,
///   older `A client error (CODE) occurred when calling the OP operation: MSG`, after
///   `upload failed: FILE to s3://BUCKET/KEY ` or `Failed to upload FILE to BUCKET/KEY: `
///   or an exception name;
/// * the Go SDK v2 (Terraform): `operation error S3: OP, https response error StatusCode:
///   403, ..., api error CODE: MSG`;
/// * the Java SDKs: `MSG (Service: Amazon S3; Status Code: 403; Error Code: CODE; ...)`;
/// * the Go SDK v1: `CODE: MSG` then `status code: 403, request id: ...` on the next line;
/// * the JavaScript SDK and others: `CODE: MSG`, after any prefix;
/// * S3's XML error body: `<Code>CODE</Code><Message>MSG</Message>`.
///
/// What is left is AWS's message: the typed `User: ...` text (from `User` on), the bare
/// `Access Denied`, or one of S3's own refusals.
fn unwrap<'t>(text: &'t str, out: &mut DeniedMessage) -> Result<&'t str, DataError> {
    let mut rest = text;
    if let (Some(code), Some(message)) = (
        between(rest, "<Code>", "</Code>"),
        between(rest, "<Message>", "</Message>"),
    ) {
        out.error_code = Some(code.trim().to_string());
        rest = message.trim();
    }
    let lead;
    if let Some(i) =
        find_ci(rest, "An error occurred (").or_else(|| find_ci(rest, "A client error ("))
    {
        lead = &rest[..i];
        let r = &rest[i..];
        let r = &r[r.find('(').map_or(0, |p| p + 1)..];
        let (code, r) = r
            .split_once(')')
            .ok_or_else(|| err("expected `An error occurred (CODE) when calling ...`"))?;
        out.error_code = Some(code.to_string());
        let r = r.trim_start();
        let r = strip_ci(r, "occurred").unwrap_or(r).trim_start();
        let r = strip_ci(r, "when calling the ")
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
    } else if let Some(i) = find_ci(rest, "operation error ") {
        lead = &rest[..i];
        let r = &rest[i + "operation error ".len()..];
        // `S3: PutObject, https response error ...`
        if let Some((_, after)) = r.split_once(':') {
            let op = after
                .trim_start()
                .split([',', ' '])
                .next()
                .unwrap_or_default();
            if !op.is_empty() {
                out.operation = Some(op.to_string());
            }
        }
        if let Some(j) = find_ci(r, "api error ") {
            let r = &r[j + "api error ".len()..];
            let (code, msg) = r.split_once(':').unwrap_or((r, ""));
            out.error_code = Some(code.trim().to_string());
            rest = msg.trim();
        } else {
            rest = r;
        }
    } else {
        lead = "";
    }
    if let Some((bucket, key)) = destination(lead) {
        out.bucket = Some(bucket);
        out.key = key;
    }
    // Trailers the SDKs add after the message.
    if let Some(i) = find_ci(rest, " (Service: ") {
        if out.error_code.is_none() {
            out.error_code = between(&rest[i..], "Error Code: ", ";").map(|c| c.trim().to_string());
        }
        rest = &rest[..i];
    }
    for trailer in [" status code: ", ", S3 Extended Request ID"] {
        if let Some(i) = find_ci(rest, trailer) {
            rest = &rest[..i];
        }
    }
    let rest = rest.trim();
    // AWS's message within what is left: the typed text from its `User`, else one of
    // S3's own refusals, else the bare text.
    if let Some(i) = find_ci(rest, " is not authorized to perform") {
        // The first `User: ` or `User arn:` (a name in the ARN may hold `User` too).
        if let Some(u) = ["User: ", "User arn:"]
            .iter()
            .filter_map(|anchor| rest[..i].find(anchor))
            .min()
        {
            return Ok(&rest[u..]);
        }
    }
    for known in [
        crate::aws::message::KMS_NEEDS_TLS,
        crate::aws::message::KMS_NEEDS_SIGNATURE,
    ] {
        let known = known.trim_end_matches('.');
        if let Some(i) = find_ci(rest, known) {
            return Ok(&rest[i..i + known.len()]);
        }
    }
    if let Some(i) = find_ci(rest, "Access Denied") {
        return Ok(&rest[i..i + "Access Denied".len()]);
    }
    Ok(rest)
}

/// The text between `open` and the next `close`.
fn between<'t>(text: &'t str, open: &str, close: &str) -> Option<&'t str> {
    let start = find_ci(text, open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// The byte index of `needle` in `text`, ignoring ASCII case.
fn find_ci(text: &str, needle: &str) -> Option<usize> {
    let (t, n) = (text.as_bytes(), needle.as_bytes());
    (0..=t.len().checked_sub(n.len())?)
        .find(|&i| t[i..i + n.len()].eq_ignore_ascii_case(n) && text.is_char_boundary(i))
}

/// The object a transfer tool was writing, from the text before AWS's message:
/// `upload failed: FILE to s3://BUCKET/KEY` (`aws s3 cp`/`mv`/`sync`), or boto3's
/// `Failed to upload FILE to BUCKET/KEY:`. The key runs to the end of the text.
fn destination(lead: &str) -> Option<(String, Option<String>)> {
    let lead = lead.trim().trim_end_matches(':').trim_end();
    let target = if let Some(i) = find_ci(lead, " to s3://") {
        &lead[i + " to s3://".len()..]
    } else if let Some(i) = find_ci(lead, "Failed to upload ") {
        let after = &lead[i..];
        &after[after.rfind(" to ")? + " to ".len()..]
    } else {
        return None;
    };
    let (bucket, key) = match target.split_once('/') {
        Some((b, k)) => (b, (!k.is_empty()).then(|| k.to_string())),
        None => (target, None),
    };
    (!bucket.is_empty() && !bucket.contains(char::is_whitespace)).then(|| (bucket.to_string(), key))
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
    /// principal; the bucket and key (of an S3 resource, or of the object a transfer tool
    /// was writing) with the S3 action (the message's, else the upload's when the
    /// operation is one of an upload's); and `multipart` when the operation is one of a
    /// multipart upload's. (A KMS message names the key, not the upload's bucket.)
    pub fn request_fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(p) = &self.principal {
            m.insert("principal".into(), json!(p));
        }
        if let Some(b) = &self.bucket {
            let s3_action = self
                .action
                .as_deref()
                .filter(|a| a.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("s3:")));
            let upload = self.upload_operation().map(|_| "s3:PutObject");
            if let Some(a) = s3_action.or(upload) {
                m.insert("action".into(), json!(a));
            }
            m.insert("bucket".into(), json!(b));
            if let Some(k) = &self.key {
                m.insert("key".into(), json!(k));
            }
        }
        if self.upload_operation() == Some(true) {
            m.insert("multipart".into(), json!(true));
        }
        m
    }

    /// Whether the operation is one of an upload's, each authorized as `s3:PutObject`
    /// (mpuAndPermissions.html, S38): `Some(false)` for PutObject, `Some(true)` for the
    /// steps of a multipart upload, `None` for any other or none.
    pub fn upload_operation(&self) -> Option<bool> {
        match self.operation.as_deref()? {
            "PutObject" => Some(false),
            "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" => Some(true),
            _ => None,
        }
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
