//! The IAM policy document: parsed from JSON as AWS returns it and compiled once.
//!
//! Accepted shapes (facts.md): a document object, or the JSON string IAM returns
//! (possibly URL-encoded); `Statement` as one object or a list; `Action`, `Resource`,
//! `Principal` values as a string or a list. Anything AWS would reject is an error with
//! the path of the field (reference_policies_grammar.html, aws-semantics §2).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use super::condition::{compile_block_at, Condition};
use super::field::{check_keys, index, join, type_name, FieldError};
use super::pattern::Wildcard;
use super::variables::Template;

/// Which kind of policy a document is: decides which elements it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyType {
    Identity,
    BucketPolicy,
    VpcEndpointPolicy,
    KmsKeyPolicy,
    Scp,
    Rcp,
    PermissionsBoundary,
    SessionPolicy,
}

impl PolicyType {
    /// The name findings.md uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::BucketPolicy => "bucket-policy",
            PolicyType::VpcEndpointPolicy => "vpc-endpoint-policy",
            PolicyType::KmsKeyPolicy => "kms-key-policy",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::PermissionsBoundary => "permissions-boundary",
            PolicyType::SessionPolicy => "session-policy",
        }
    }

    /// The type with its article, for messages ("an identity-based policy").
    pub fn describe(self) -> &'static str {
        match self {
            PolicyType::Identity => "an identity-based policy",
            PolicyType::BucketPolicy => "a bucket policy",
            PolicyType::VpcEndpointPolicy => "a VPC endpoint policy",
            PolicyType::KmsKeyPolicy => "a KMS key policy",
            PolicyType::Scp => "a service control policy",
            PolicyType::Rcp => "a resource control policy",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::SessionPolicy => "a session policy",
        }
    }

    /// Resource-based policies name a principal; the others must not.
    pub fn is_resource_based(self) -> bool {
        matches!(
            self,
            PolicyType::BucketPolicy
                | PolicyType::VpcEndpointPolicy
                | PolicyType::KmsKeyPolicy
                | PolicyType::Rcp
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One entry of a `Principal` / `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included.
    Everyone,
    /// `{"AWS": "111122223333"}` or `arn:aws:iam::111122223333:root`: the account.
    Account(String),
    /// A user, role, assumed-role session or federated-user ARN.
    Arn(String),
    Service(String),
    CanonicalUser(String),
    Federated(String),
    /// The unique ID (`AIDA…`, `AROA…`) AWS shows in place of the ARN of a user or role
    /// that was deleted: it names no caller, not even a new principal of the same name
    /// (re:Post knowledge center, iam-resource-policy-format: "The unique principal ID in a
    /// resource-based policy indicates that the IAM user or role was deleted").
    UniqueId(String),
}

/// A compiled statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Position in the policy's statement list.
    pub index: usize,
    pub sid: Option<Arc<str>>,
    pub effect: Effect,
    /// `Principal` (negated = false) or `NotPrincipal` (negated = true); `None` when absent.
    pub principal: Option<(bool, Vec<PrincipalEntry>)>,
    /// `NotAction` when true.
    pub not_action: bool,
    pub actions: Vec<Wildcard>,
    /// `NotResource` when true.
    pub not_resource: bool,
    pub resources: Vec<Template>,
    pub conditions: Vec<Condition>,
    /// JSON path of the statement in the fact document.
    pub path: Arc<str>,
    /// Every request-context key its evaluation reads (lower case, sorted): its
    /// conditions' keys and the policy variables of its resources and condition values.
    /// Nothing else in the context can change its trace (`evaluate::Reuse`).
    pub context_keys: Box<[Box<str>]>,
}

impl Statement {
    /// The Sid, or the index when there is none (findings.md).
    pub fn label(&self) -> String {
        self.sid
            .as_deref()
            .map_or_else(|| self.index.to_string(), str::to_string)
    }
}

/// A compiled policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `2012-10-17` enables policy variables; absent means `2008-10-17`.
    pub version: String,
    pub id: Option<String>,
    /// Shared: a policy compiled once serves many fact documents (an account matrix).
    pub statements: Arc<[Statement]>,
    /// JSON path of the document.
    pub path: Arc<str>,
}

impl Policy {
    /// Parses and compiles a policy document of type `kind` found at `path`.
    pub fn parse(
        raw: &serde_json::Value,
        kind: PolicyType,
        path: &str,
    ) -> Result<Policy, FieldError> {
        let document = decode_document(raw, path)?;
        let document = document.as_ref();
        let Some(obj) = document.as_object() else {
            return Err(FieldError::new(
                path,
                format!(
                    "expected a policy document (an object), found {}",
                    type_name(document)
                ),
            ));
        };
        check_keys(path, obj, &["Version", "Id", "Statement"])?;
        let version = match obj.get("Version") {
            None => "2008-10-17".to_string(),
            Some(serde_json::Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {
                v.clone()
            }
            Some(other) => {
                return Err(FieldError::new(
                    &join(path, "Version"),
                    format!("expected \"2012-10-17\" or \"2008-10-17\", found {other}"),
                ))
            }
        };
        let id = match obj.get("Id") {
            None => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(FieldError::new(
                    &join(path, "Id"),
                    format!("expected a string, found {}", type_name(other)),
                ))
            }
        };
        let variables = version == "2012-10-17";
        let spath = join(path, "Statement");
        let statements = match obj.get("Statement") {
            None => {
                return Err(FieldError::new(
                    &spath,
                    "missing: a policy needs a Statement",
                ))
            }
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| parse_statement(s, i, kind, variables, &index(&spath, i)))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ serde_json::Value::Object(_)) => {
                vec![parse_statement(single, 0, kind, variables, &spath)?]
            }
            Some(other) => {
                return Err(FieldError::new(
                    &spath,
                    format!(
                        "expected a statement object or a list of them, found {}",
                        type_name(other)
                    ),
                ))
            }
        };
        if kind == PolicyType::Rcp {
            check_rcp_grammar(obj, &version, &statements, path)?;
        }
        Ok(Policy {
            version,
            id,
            statements: statements.into(),
            path: path.into(),
        })
    }

    /// The policy that allows everything: the default VPC endpoint policy (S26) and the
    /// implied `FullAWSAccess`/`RCPFullAWSAccess`.
    pub fn allow_all(kind: PolicyType, path: &str) -> Policy {
        let doc = if kind.is_resource_based() {
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
        } else {
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        };
        // The document is a literal above: it always parses.
        Policy::parse(&doc, kind, path).unwrap_or_else(|_| Policy {
            version: "2012-10-17".into(),
            id: None,
            statements: Arc::from([]),
            path: path.into(),
        })
    }
}

/// What the RCP syntax page (S63) allows beyond the common grammar: Version
/// `2012-10-17`; no `NotAction`; `Allow` only in AWS's `RCPFullAWSAccess` (Principal,
/// Action and Resource `"*"`, no condition), so every statement a customer writes is a
/// `Deny`. AWS refuses other RCPs, so a fact document holding one is refused too.
fn check_rcp_grammar(
    obj: &serde_json::Map<String, serde_json::Value>,
    version: &str,
    statements: &[Statement],
    path: &str,
) -> Result<(), FieldError> {
    if version != "2012-10-17" {
        return Err(FieldError::new(
            &join(path, "Version"),
            "a resource control policy needs \"Version\": \"2012-10-17\" (RCP syntax)",
        ));
    }
    let raw: Vec<&serde_json::Value> = match obj.get("Statement") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    let spath = join(path, "Statement");
    for (i, (raw, st)) in raw.iter().zip(statements).enumerate() {
        let at = if obj.get("Statement").is_some_and(|v| v.is_array()) {
            index(&spath, i)
        } else {
            spath.clone()
        };
        if raw.get("NotAction").is_some() {
            return Err(FieldError::new(
                &join(&at, "NotAction"),
                "not an element of resource control policies (RCP syntax: Version, Statement, \
                 Sid, Effect, Principal, Action, Resource, NotResource, Condition)",
            ));
        }
        let star = |key: &str| {
            raw.get(key)
                .is_some_and(|v| v == "*" || *v == serde_json::json!(["*"]))
        };
        let full_access = star("Principal")
            && star("Action")
            && star("Resource")
            && raw.get("Condition").is_none();
        if st.effect == Effect::Allow && !full_access {
            return Err(FieldError::new(
                &join(&at, "Effect"),
                "\"Allow\" in a resource control policy is only AWS's RCPFullAWSAccess \
                 (Principal, Action and Resource \"*\"); an RCP a customer writes denies (RCP syntax)",
            ));
        }
    }
    Ok(())
}

/// A document given as a JSON string, possibly URL-encoded (as IAM's APIs return it).
fn decode_document<'a>(
    raw: &'a serde_json::Value,
    path: &str,
) -> Result<Cow<'a, serde_json::Value>, FieldError> {
    let serde_json::Value::String(text) = raw else {
        return Ok(Cow::Borrowed(raw));
    };
    let trimmed = text.trim_start();
    let decoded;
    let json_text = if trimmed.starts_with('{') {
        text.as_str()
    } else {
        decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map_err(|_| FieldError::new(path, "the URL-encoded policy is not UTF-8"))?
            .replace('+', " ");
        decoded.as_str()
    };
    serde_json::from_str(json_text).map_err(|e| {
        FieldError::new(
            path,
            format!("the policy string is not a JSON document: {e}"),
        )
    })
}

fn parse_statement(
    raw: &serde_json::Value,
    i: usize,
    kind: PolicyType,
    variables: bool,
    path: &str,
) -> Result<Statement, FieldError> {
    let Some(obj) = raw.as_object() else {
        return Err(FieldError::new(
            path,
            format!("expected a statement object, found {}", type_name(raw)),
        ));
    };
    let el = Elements::of(obj, path)?;
    let sid = match el.sid {
        None => None,
        Some(serde_json::Value::String(s)) => Some(Arc::from(s.as_str())),
        Some(other) => {
            return Err(FieldError::new(
                &join(path, "Sid"),
                format!("expected a string, found {}", type_name(other)),
            ))
        }
    };
    let effect = match el.effect {
        Some(serde_json::Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(serde_json::Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(FieldError::new(
                &join(path, "Effect"),
                format!("expected \"Allow\" or \"Deny\" (case-sensitive), found {other}"),
            ))
        }
        None => {
            return Err(FieldError::new(
                &join(path, "Effect"),
                "missing: a statement needs an Effect",
            ))
        }
    };
    let principal = parse_principal_element(&el, kind, effect, path)?;
    let (not_action, action_text) =
        pick_one((el.action, el.not_action), ["Action", "NotAction"], path)?;
    let actions = action_text.iter().map(|a| Wildcard::new(a, true)).collect();
    let (not_resource, resource_text) = pick_one(
        (el.resource, el.not_resource),
        ["Resource", "NotResource"],
        path,
    )?;
    let resources: Vec<Template> = resource_text
        .iter()
        .map(|r| Template::new(r, variables, true, false))
        .collect();
    let conditions = match el.condition {
        None => Vec::new(),
        Some(block) => compile_block_at(block, variables, &|| join(path, "Condition"))?,
    };
    let mut context_keys: Vec<Box<str>> = resources
        .iter()
        .flat_map(Template::variable_keys)
        .chain(conditions.iter().flat_map(Condition::context_keys))
        .map(|k| k.to_ascii_lowercase().into_boxed_str())
        .collect();
    context_keys.sort();
    context_keys.dedup();
    Ok(Statement {
        index: i,
        sid,
        effect,
        principal,
        not_action,
        actions,
        not_resource,
        resources,
        conditions,
        path: path.into(),
        context_keys: context_keys.into_boxed_slice(),
    })
}

/// A statement's elements, found in one pass over its fields (a lookup by name hashes
/// the name: nine lookups a statement were a tenth of compiling it); an unknown field is
/// an error, as `check_keys` gives it.
#[derive(Default)]
struct Elements<'v> {
    sid: Option<&'v serde_json::Value>,
    effect: Option<&'v serde_json::Value>,
    principal: Option<&'v serde_json::Value>,
    not_principal: Option<&'v serde_json::Value>,
    action: Option<&'v serde_json::Value>,
    not_action: Option<&'v serde_json::Value>,
    resource: Option<&'v serde_json::Value>,
    not_resource: Option<&'v serde_json::Value>,
    condition: Option<&'v serde_json::Value>,
}

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl<'v> Elements<'v> {
    fn of(
        obj: &'v serde_json::Map<String, serde_json::Value>,
        path: &str,
    ) -> Result<Elements<'v>, FieldError> {
        let mut el = Elements::default();
        for (k, v) in obj {
            let slot = match k.as_str() {
                "Sid" => &mut el.sid,
                "Effect" => &mut el.effect,
                "Principal" => &mut el.principal,
                "NotPrincipal" => &mut el.not_principal,
                "Action" => &mut el.action,
                "NotAction" => &mut el.not_action,
                "Resource" => &mut el.resource,
                "NotResource" => &mut el.not_resource,
                "Condition" => &mut el.condition,
                // An unknown field: the error that names it and the fields there are.
                _ => {
                    check_keys(path, obj, STATEMENT_KEYS)?;
                    continue;
                }
            };
            *slot = Some(v);
        }
        Ok(el)
    }
}

/// Exactly one of `name` / `not_name` (given as found), as a list of strings, and
/// whether it was `not_name`.
fn pick_one<'v>(
    found: (Option<&'v serde_json::Value>, Option<&'v serde_json::Value>),
    [name, not_name]: [&str; 2],
    path: &str,
) -> Result<(bool, Vec<&'v str>), FieldError> {
    match found {
        (Some(_), Some(_)) => Err(FieldError::new(
            path,
            format!("a statement has {name} or {not_name}, not both"),
        )),
        (Some(v), None) => Ok((
            false,
            non_empty(string_list(v, || join(path, name))?, path, name)?,
        )),
        (None, Some(v)) => Ok((
            true,
            non_empty(string_list(v, || join(path, not_name))?, path, not_name)?,
        )),
        (None, None) => Err(FieldError::new(
            path,
            format!("missing: a statement needs {name} or {not_name}"),
        )),
    }
}

/// An `Action`/`Resource` list names something: an empty one matches nothing, a policy
/// IAM refuses (MalformedPolicyDocument), not a statement that silently never applies.
fn non_empty<'v>(items: Vec<&'v str>, path: &str, name: &str) -> Result<Vec<&'v str>, FieldError> {
    if items.is_empty() {
        return Err(FieldError::new(
            &join(path, name),
            format!("an empty list: {name} needs at least one value"),
        ));
    }
    Ok(items)
}

/// A string or a list of strings. `path` (the value's JSON path) is made only for an
/// error: a policy has thousands of these and almost never an error.
fn string_list(v: &serde_json::Value, path: impl Fn() -> String) -> Result<Vec<&str>, FieldError> {
    match v {
        serde_json::Value::String(s) => Ok(vec![s.as_str()]),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                serde_json::Value::String(s) => Ok(s.as_str()),
                other => Err(FieldError::new(
                    &index(&path(), i),
                    format!("expected a string, found {}", type_name(other)),
                )),
            })
            .collect(),
        other => Err(FieldError::new(
            &path(),
            format!(
                "expected a string or a list of strings, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_principal_element(
    el: &Elements<'_>,
    kind: PolicyType,
    effect: Effect,
    path: &str,
) -> Result<Option<(bool, Vec<PrincipalEntry>)>, FieldError> {
    let (negated, raw, name) = match (el.principal, el.not_principal) {
        (Some(_), Some(_)) => {
            return Err(FieldError::new(
                path,
                "a statement has Principal or NotPrincipal, not both",
            ))
        }
        (Some(p), None) => (false, p, "Principal"),
        (None, Some(p)) => (true, p, "NotPrincipal"),
        (None, None) if kind.is_resource_based() => {
            return Err(FieldError::new(
                path,
                format!(
                    "missing: a statement of {} needs Principal or NotPrincipal",
                    kind.describe()
                ),
            ))
        }
        (None, None) => return Ok(None),
    };
    let epath = join(path, name);
    if !kind.is_resource_based() {
        return Err(FieldError::new(
            &epath,
            format!("{} cannot name a principal", kind.describe()),
        ));
    }
    if negated && (effect == Effect::Allow || matches!(kind, PolicyType::Rcp)) {
        return Err(FieldError::new(
            &epath,
            "NotPrincipal is supported only with \"Effect\": \"Deny\", and not in RCPs (reference_policies_elements_notprincipal.html)",
        ));
    }
    let entries = match raw {
        serde_json::Value::String(s) if s == "*" => vec![PrincipalEntry::Everyone],
        serde_json::Value::Object(map) => {
            check_keys(
                &epath,
                map,
                &["AWS", "Service", "Federated", "CanonicalUser"],
            )?;
            let mut entries = Vec::new();
            for (key, value) in map {
                let kpath = join(&epath, key);
                for (i, item) in string_list(value, || kpath.clone())?
                    .into_iter()
                    .enumerate()
                {
                    let ipath = if value.is_array() {
                        index(&kpath, i)
                    } else {
                        kpath.clone()
                    };
                    entries.push(match key.as_str() {
                        "AWS" => aws_principal(item, &ipath)?,
                        "Service" => PrincipalEntry::Service(item.to_string()),
                        "Federated" => PrincipalEntry::Federated(item.to_string()),
                        _ => PrincipalEntry::CanonicalUser(item.to_string()),
                    });
                }
            }
            entries
        }
        other => {
            return Err(FieldError::new(
                &epath,
                format!("expected \"*\" or an object such as {{\"AWS\": ...}}, found {other}"),
            ))
        }
    };
    Ok(Some((negated, entries)))
}

/// A user's or role's unique ID: `AIDA` or `AROA` and upper-case letters and digits,
/// 21 characters as AWS prints them (iam-resource-policy-format: "AIDAJQABLZS4A3QDU576Q").
fn is_unique_id(item: &str) -> bool {
    (item.starts_with("AIDA") || item.starts_with("AROA"))
        && item.len() == 21
        && item
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An `AWS` principal value: `*`, an account id, an account root ARN, an IAM/STS ARN, or
/// the unique ID of a deleted user or role.
fn aws_principal(item: &str, path: &str) -> Result<PrincipalEntry, FieldError> {
    if item == "*" {
        return Ok(PrincipalEntry::Everyone);
    }
    if super::arn::is_account_id(item) {
        return Ok(PrincipalEntry::Account(item.to_string()));
    }
    if is_unique_id(item) {
        return Ok(PrincipalEntry::UniqueId(item.to_string()));
    }
    let Some(arn) = super::arn::Arn::parse(item) else {
        return Err(FieldError::new(
            path,
            format!(
                "{item:?} is not \"*\", a 12-digit account id, an ARN or the unique ID \
                 (AIDA…, AROA…) of a deleted user or role"
            ),
        ));
    };
    if item.contains('*') || item.contains('?') {
        return Err(FieldError::new(
            path,
            format!("{item:?}: a principal cannot use a partial wildcard; use \"*\" with a condition on aws:PrincipalArn"),
        ));
    }
    if arn.service == "iam" && arn.resource == "root" {
        return Ok(PrincipalEntry::Account(arn.account.to_string()));
    }
    Ok(PrincipalEntry::Arn(item.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal_of(aws: &str) -> Result<PrincipalEntry, FieldError> {
        aws_principal(aws, "Statement[0].Principal.AWS")
    }

    /// iam-resource-policy-format (re:Post): a deleted user's or role's ARN becomes its
    /// unique ID in a saved resource policy, "AIDAJQABLZS4A3QDU576Q", "AROAKSCDLFT9R5DQP782U".
    #[test]
    fn the_unique_id_of_a_deleted_principal_is_a_principal_naming_no_one() {
        for id in ["AIDAJQABLZS4A3QDU576Q", "AROAKSCDLFT9R5DQP782U"] {
            assert_eq!(
                principal_of(id).ok(),
                Some(PrincipalEntry::UniqueId(id.to_string()))
            );
        }
        // Not an ID: too short, lower case, another prefix.
        for bad in [
            "AIDAJQABLZS4A3QDU576",
            "aidajqablzs4a3qdu576q",
            "AKIAJQABLZS4A3QDU576Q",
        ] {
            let e = principal_of(bad)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(
                e.contains("the unique ID (AIDA…, AROA…) of a deleted user or role"),
                "{bad}: {e}"
            );
        }
    }
}
