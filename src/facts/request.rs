//! `request`: the upload being decided. Kept separate from the rest of the facts so a
//! changed request (a rule's counterfactual) is cheap to rebuild against the same,
//! already compiled, policies.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::reader::{scalar_text, Obj};
use crate::aws::arn::Principal;
use crate::aws::context::ContextValue;
use crate::aws::field::{join, FieldError};
use crate::aws::policy::{Policy, PolicyType};

/// Session policies and tags of an assumed-role or federated session.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// `None` when no session policy was passed.
    pub policies: Option<Vec<Policy>>,
    pub tags: BTreeMap<String, String>,
}

/// The request of a fact document.
#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    pub action: String,
    pub bucket: String,
    pub key: Option<String>,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub source_ip: Option<IpAddr>,
    pub vpc_endpoint: Option<String>,
    pub source_vpc: Option<String>,
    pub vpc_source_ip: Option<IpAddr>,
    pub secure_transport: bool,
    pub multipart: bool,
    pub session: Option<Session>,
    /// Further condition keys, verbatim.
    pub context: Vec<(String, ContextValue)>,
}

const FIELDS: &[&str] = &[
    "principal",
    "action",
    "bucket",
    "key",
    "headers",
    "source_ip",
    "vpc_endpoint",
    "source_vpc",
    "vpc_source_ip",
    "secure_transport",
    "multipart",
    "session",
    "context",
];

impl Request {
    /// Reads `request` (at `path`) from a JSON value.
    pub fn from_value(v: &Value, path: &str) -> Result<Request, FieldError> {
        let o = Obj::new(v, path, FIELDS)?;
        let principal = Principal::parse(&o.str("principal")?)
            .map_err(|m| FieldError::new(&o.path_of("principal"), m))?;
        let action = o
            .opt_str("action")?
            .unwrap_or_else(|| "s3:PutObject".to_string());
        if !action.contains(':') {
            return Err(FieldError::new(
                &o.path_of("action"),
                format!("{action:?}: expected service:Action, e.g. s3:PutObject"),
            ));
        }
        let bucket = o.str("bucket")?;
        if bucket.is_empty() || bucket.contains('/') {
            return Err(FieldError::new(
                &o.path_of("bucket"),
                format!("{bucket:?} is not a bucket name"),
            ));
        }
        let key = o.opt_str("key")?;
        let object_action = action.to_ascii_lowercase().starts_with("s3:putobject");
        if object_action && key.as_deref().map_or(true, str::is_empty) {
            return Err(FieldError::new(
                &o.path_of("key"),
                "missing: an object action needs the object key",
            ));
        }
        let mut headers = BTreeMap::new();
        for (name, value) in o.string_map("headers")? {
            headers.insert(name.to_ascii_lowercase(), value);
        }
        let ip = |key: &str| -> Result<Option<IpAddr>, FieldError> {
            o.opt_str(key)?
                .map(|s| {
                    s.trim().parse::<IpAddr>().map_err(|_| {
                        FieldError::new(&o.path_of(key), format!("{s:?} is not an IP address"))
                    })
                })
                .transpose()
        };
        let session = o
            .get("session")
            .map(|s| read_session(s, &o.path_of("session")))
            .transpose()?;
        let context = match o.get("context") {
            None => Vec::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    let path = join(&o.path_of("context"), k);
                    let value = context_value(v, &path)?;
                    check_typed_key(k, &value, &path)?;
                    Ok((k.clone(), value))
                })
                .collect::<Result<_, FieldError>>()?,
            Some(_) => {
                return Err(FieldError::new(
                    &o.path_of("context"),
                    "expected an object of condition keys",
                ))
            }
        };
        Ok(Request {
            principal,
            action,
            bucket,
            key,
            headers,
            source_ip: ip("source_ip")?,
            vpc_endpoint: o.opt_str("vpc_endpoint")?,
            source_vpc: o.opt_str("source_vpc")?,
            vpc_source_ip: ip("vpc_source_ip")?,
            secure_transport: o.opt_bool("secure_transport")?.unwrap_or(true),
            multipart: o.opt_bool("multipart")?.unwrap_or(false),
            session,
            context,
        })
    }

    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        // Names are asked for in lower case, as they are kept, nearly always: no copy
        // then (a decision reads a dozen headers, the fix search decides several).
        let found = match name.bytes().any(|b| b.is_ascii_uppercase()) {
            true => self.headers.get(&name.to_ascii_lowercase()),
            false => self.headers.get(name),
        };
        found.map(String::as_str)
    }

    /// `arn:aws:s3:::bucket/key` (or the bucket ARN when there is no key).
    pub fn object_arn(&self) -> String {
        match &self.key {
            Some(k) => format!(
                "arn:{}:s3:::{}/{}",
                self.principal.partition, self.bucket, k
            ),
            None => self.bucket_arn(),
        }
    }

    pub fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.principal.partition, self.bucket)
    }
}

fn read_session(v: &Value, path: &str) -> Result<Session, FieldError> {
    let o = Obj::new(v, path, &["policies", "tags"])?;
    let policies = match o.get("policies") {
        None => None,
        Some(_) => Some(
            o.list("policies")
                .into_iter()
                .map(|(p, v)| {
                    // A `{name, document}` entry, as identity policies are given, or the
                    // document itself.
                    match v.get("document") {
                        Some(doc) if v.get("Statement").is_none() => {
                            let (inner, _) = super::reader::unwrap_cli(doc, "Policy");
                            Policy::parse(
                                inner,
                                PolicyType::SessionPolicy,
                                &crate::aws::field::join(&p, "document"),
                            )
                        }
                        _ => {
                            let (inner, _) = super::reader::unwrap_cli(v, "Policy");
                            Policy::parse(inner, PolicyType::SessionPolicy, &p)
                        }
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    // An empty list passes no session policy.
    let policies = policies.filter(|p| !p.is_empty());
    Ok(Session {
        policies,
        tags: o.string_map("tags")?,
    })
}

/// The keys AWS sets with a type (global condition keys, S19; S3's, S29): a value given
/// for one in `request.context` must be of that type. AWS never sends `aws:CurrentTime`
/// "yesterday", and read as no date it would quietly turn a Date condition off.
const TYPED_KEYS: &[(&str, &str)] = &[
    ("aws:currenttime", "date"),
    ("aws:epochtime", "date"),
    ("aws:tokenissuetime", "date"),
    ("s3:object-lock-retain-until-date", "date"),
    ("aws:multifactorauthage", "number"),
    ("s3:tlsversion", "number"),
    ("s3:signatureage", "number"),
    ("s3:object-lock-remaining-retention-days", "number"),
    ("aws:securetransport", "boolean"),
    ("aws:multifactorauthpresent", "boolean"),
    ("aws:principalisawsservice", "boolean"),
    ("aws:viaawsservice", "boolean"),
    ("s3:objectcreationoperation", "boolean"),
    ("aws:sourceip", "IP address"),
    ("aws:vpcsourceip", "IP address"),
];

fn check_typed_key(key: &str, value: &ContextValue, path: &str) -> Result<(), FieldError> {
    let folded = key.to_ascii_lowercase();
    let Some((_, kind)) = TYPED_KEYS.iter().find(|(k, _)| *k == folded) else {
        return Ok(());
    };
    let ok = |v: &str| match *kind {
        "date" => crate::aws::condition::parse_date(v).is_some(),
        "number" => crate::aws::condition::parse_number(v).is_some(),
        "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        _ => v.trim().parse::<IpAddr>().is_ok(),
    };
    match value.values().iter().find(|v| !ok(v)) {
        Some(bad) => Err(FieldError::new(
            path,
            format!(
                "{bad:?} is not {}, which AWS always gives for {key}",
                match *kind {
                    "date" => "a date (ISO 8601 or epoch seconds)",
                    "number" => "a number",
                    "boolean" => "true or false",
                    _ => "an IP address",
                }
            ),
        )),
        None => Ok(()),
    }
}

fn context_value(v: &Value, path: &str) -> Result<ContextValue, FieldError> {
    match v {
        Value::Array(items) => Ok(ContextValue::Multi(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| scalar_text(item, &crate::aws::field::index(path, i)))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(ContextValue::Single(scalar_text(other, path)?)),
    }
}
