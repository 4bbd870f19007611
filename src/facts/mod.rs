//! The fact document of `spec/facts.md`: one request plus every policy and setting AWS
//! consults. Read strictly: unknown fields are errors with their path, so a typo never
//! silently changes a verdict; AWS-shaped values are accepted as AWS returns them.

pub mod locate;
mod reader;
mod request;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::aws::authorize::{Level, NamedPolicy};
use crate::aws::field::{join, FieldError};
use crate::aws::policy::{Policy, PolicyType};

pub use reader::{scalar_text, Obj};
pub use request::{Request, Session};

/// A fact document that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    /// The text is not JSON/YAML; line and column are 1-based.
    #[error("{source_name}:{line}:{column}: {message}")]
    Syntax {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The document parses but a field is wrong.
    #[error("{source_name}: {error}")]
    Field {
        source_name: String,
        error: FieldError,
    },
}

/// The input format of a fact document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// By file extension: `.yaml`/`.yml` are YAML, everything else JSON.
    pub fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else {
            Format::Json
        }
    }
}

/// Identity-based policies and what IAM knows of the principal.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub policies: Vec<NamedPolicy>,
    pub permissions_boundary: Option<Policy>,
    pub tags: BTreeMap<String, String>,
    /// The user's or role's unique ID (`AIDA…`, `AROA…`), which `aws:userid` is made of.
    pub unique_id: Option<String>,
}

/// S3 Block Public Access settings (bucket or account level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// What is known of one account.
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub organization: Option<String>,
    pub management: bool,
    pub scps: Vec<Level>,
    pub rcps: Vec<Level>,
    pub public_access_block: Option<PublicAccessBlock>,
}

/// A bucket's default encryption (the first rule of GetBucketEncryption).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultEncryption {
    pub algorithm: String,
    pub kms_key_id: Option<String>,
    pub bucket_key: bool,
}

/// The bucket and its settings.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub name: String,
    pub account: String,
    pub region: Option<String>,
    pub policy: Option<Policy>,
    pub encryption: Option<DefaultEncryption>,
    pub blocked_encryption_types: Vec<String>,
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`; `None` = not set.
    pub object_ownership: Option<String>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub requester_pays: bool,
    pub object_lock: bool,
}

/// Gateway or Interface endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum EndpointType {
    Gateway,
    Interface,
}

#[derive(Debug, Clone)]
pub struct VpcEndpoint {
    pub id: String,
    pub endpoint_type: EndpointType,
    /// `None`: the default policy, which allows everything (S26).
    pub policy: Option<Policy>,
}

/// `AWS` or `CUSTOMER` (DescribeKey's KeyManager).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KeyManager {
    Aws,
    Customer,
}

#[derive(Debug, Clone)]
pub struct KmsKey {
    pub arn: String,
    pub key_id: String,
    pub account: String,
    pub region: String,
    pub aliases: Vec<String>,
    pub manager: KeyManager,
    /// `None`: not given; the evaluator assumes AWS's default for the key's kind.
    pub policy: Option<Policy>,
}

/// A whole fact document, compiled.
#[derive(Debug, Clone)]
pub struct Facts {
    pub request: Request,
    pub identity: Identity,
    pub accounts: BTreeMap<String, Account>,
    pub bucket: Bucket,
    pub vpc_endpoint: Option<VpcEndpoint>,
    pub kms_keys: Vec<KmsKey>,
    /// The document as read (policy strings decoded into objects), for rules.
    pub document: Value,
}

impl Facts {
    /// Reads a fact document from text. `source_name` names it in errors.
    pub fn from_text(text: &str, format: Format, source_name: &str) -> Result<Facts, FactsError> {
        let value = parse_text(text, format, source_name)?;
        Facts::from_owned(value).map_err(|error| FactsError::Field {
            source_name: source_name.to_string(),
            error,
        })
    }

    /// Reads a fact document from a parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Facts, FieldError> {
        Facts::from_owned(value.clone())
    }

    /// The same, keeping the value as the document (no copy of a large document).
    pub fn from_owned(value: Value) -> Result<Facts, FieldError> {
        let mut facts = Facts::read(&value)?;
        facts.document = value;
        normalize_policies(&mut facts.document);
        Ok(facts)
    }

    /// Everything but the document.
    fn read(value: &Value) -> Result<Facts, FieldError> {
        let top = Obj::new(
            value,
            "",
            &[
                "request",
                "identity",
                "accounts",
                "bucket",
                "vpc_endpoint",
                "kms_keys",
            ],
        )?;
        let request = Request::from_value(top.required("request")?, "request")?;
        let identity = match top.get("identity") {
            Some(v) => read_identity(v)?,
            None => Identity::default(),
        };
        let accounts = read_accounts(top.get("accounts"))?;
        let bucket = read_bucket(top.get("bucket"), &request)?;
        let vpc_endpoint = top.get("vpc_endpoint").map(read_endpoint).transpose()?;
        if request.vpc_endpoint.is_some() && vpc_endpoint.is_none() {
            return Err(FieldError::new(
                "vpc_endpoint",
                "missing: required when request.vpc_endpoint is set (give at least its id and type)",
            ));
        }
        // The endpoint described must be the one the request goes through: another's
        // policy decides nothing about this request.
        if let (Some(through), Some(e)) = (&request.vpc_endpoint, &vpc_endpoint) {
            if *through != e.id {
                return Err(FieldError::new(
                    "vpc_endpoint.id",
                    format!(
                        "{:?} is not the endpoint the request goes through (request.vpc_endpoint {through:?})",
                        e.id
                    ),
                ));
            }
        }
        let kms_keys = top
            .list("kms_keys")
            .into_iter()
            .map(|(p, v)| read_key(v, &p))
            .collect::<Result<_, _>>()?;
        Ok(Facts {
            request,
            identity,
            accounts,
            bucket,
            vpc_endpoint,
            kms_keys,
            document: Value::Null,
        })
    }

    /// The principal's account id (`None` for anonymous).
    pub fn principal_account(&self) -> Option<&str> {
        self.request.principal.account.as_deref()
    }

    /// What is known of an account.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.get(id)
    }
}

/// JSON or YAML text → JSON value, with the line and column of a syntax error.
pub fn parse_text(text: &str, format: Format, source_name: &str) -> Result<Value, FactsError> {
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| FactsError::Syntax {
            source_name: source_name.to_string(),
            line: e.line(),
            // serde_json says column 0 for the end of input just after a newline.
            column: crate::text::char_column(text, e.line(), e.column().max(1)),
            message: format!("invalid JSON: {}", strip_position(&e.to_string())),
        }),
        Format::Yaml => serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            FactsError::Syntax {
                source_name: source_name.to_string(),
                line,
                column,
                message: format!("invalid YAML: {}", strip_position(&e.to_string())),
            }
        }),
    }
}

/// serde's messages end in " at line L column C", which the error already carries.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn read_policy(v: &Value, kind: PolicyType, path: &str) -> Result<Policy, FieldError> {
    let (inner, wrapped) = reader::unwrap_cli(v, "Policy");
    let path = if wrapped {
        join(path, "Policy")
    } else {
        path.to_string()
    };
    Policy::parse(inner, kind, &path)
}

fn read_named(
    v: &Value,
    kind: PolicyType,
    path: &str,
    i: usize,
) -> Result<NamedPolicy, FieldError> {
    // A bare policy document (or its JSON string) stands for itself, unnamed.
    let bare = v.is_string() || v.get("Statement").is_some();
    if bare {
        return Ok(NamedPolicy {
            name: format!("policy {i}"),
            policy: read_policy(v, kind, path)?,
        });
    }
    let o = Obj::new(v, path, &["name", "arn", "document"])?;
    let name = match (o.opt_str("name")?, o.opt_str("arn")?) {
        (Some(n), _) => n,
        (None, Some(arn)) => arn,
        (None, None) => format!("policy {i}"),
    };
    let policy = read_policy(o.required("document")?, kind, &o.path_of("document"))?;
    Ok(NamedPolicy { name, policy })
}

fn read_identity(v: &Value) -> Result<Identity, FieldError> {
    let o = Obj::new(
        v,
        "identity",
        &["policies", "permissions_boundary", "tags", "unique_id"],
    )?;
    let policies = o
        .list("policies")
        .into_iter()
        .enumerate()
        .map(|(i, (p, v))| read_named(v, PolicyType::Identity, &p, i))
        .collect::<Result<_, _>>()?;
    let permissions_boundary = o
        .get("permissions_boundary")
        .map(|v| {
            read_policy(
                v,
                PolicyType::PermissionsBoundary,
                &o.path_of("permissions_boundary"),
            )
        })
        .transpose()?;
    Ok(Identity {
        policies,
        permissions_boundary,
        tags: o.string_map("tags")?,
        unique_id: o.opt_str("unique_id")?,
    })
}

fn read_levels(o: &Obj<'_>, key: &str, kind: PolicyType) -> Result<Vec<Level>, FieldError> {
    o.list(key)
        .into_iter()
        .map(|(path, v)| {
            let lo = Obj::new(v, &path, &["target", "policies"])?;
            let target = lo.opt_str("target")?.unwrap_or_else(|| path.clone());
            let policies = lo
                .list("policies")
                .into_iter()
                .enumerate()
                .map(|(i, (p, v))| read_named(v, kind, &p, i))
                .collect::<Result<_, _>>()?;
            Ok(Level { target, policies })
        })
        .collect()
}

fn read_accounts(v: Option<&Value>) -> Result<BTreeMap<String, Account>, FieldError> {
    let Some(v) = v else {
        return Ok(BTreeMap::new());
    };
    let Some(map) = v.as_object() else {
        return Err(FieldError::new(
            "accounts",
            "expected an object keyed by account id",
        ));
    };
    let mut out = BTreeMap::new();
    for (id, av) in map {
        let path = join("accounts", id);
        if !crate::aws::arn::is_account_id(id) {
            return Err(FieldError::new(
                &path,
                "expected a 12-digit account id as the key",
            ));
        }
        let o = Obj::new(
            av,
            &path,
            &[
                "organization",
                "management",
                "scps",
                "rcps",
                "public_access_block",
            ],
        )?;
        let account = Account {
            organization: o.opt_str("organization")?,
            management: o.opt_bool("management")?.unwrap_or(false),
            scps: read_levels(&o, "scps", PolicyType::Scp)?,
            rcps: read_levels(&o, "rcps", PolicyType::Rcp)?,
            public_access_block: o
                .get("public_access_block")
                .map(|v| read_pab(v, &o.path_of("public_access_block")))
                .transpose()?,
        };
        out.insert(id.clone(), account);
    }
    Ok(out)
}

fn read_pab(v: &Value, path: &str) -> Result<PublicAccessBlock, FieldError> {
    let (inner, wrapped) = reader::unwrap_cli(v, "PublicAccessBlockConfiguration");
    let path = if wrapped {
        join(path, "PublicAccessBlockConfiguration")
    } else {
        path.to_string()
    };
    let o = Obj::new(
        inner,
        &path,
        &[
            "BlockPublicAcls",
            "IgnorePublicAcls",
            "BlockPublicPolicy",
            "RestrictPublicBuckets",
        ],
    )?;
    Ok(PublicAccessBlock {
        block_public_acls: o.opt_bool("BlockPublicAcls")?.unwrap_or(false),
        ignore_public_acls: o.opt_bool("IgnorePublicAcls")?.unwrap_or(false),
        block_public_policy: o.opt_bool("BlockPublicPolicy")?.unwrap_or(false),
        restrict_public_buckets: o.opt_bool("RestrictPublicBuckets")?.unwrap_or(false),
    })
}

fn read_bucket(v: Option<&Value>, request: &Request) -> Result<Bucket, FieldError> {
    let empty = Value::Object(serde_json::Map::new());
    let o = Obj::new(
        v.unwrap_or(&empty),
        "bucket",
        &[
            "name",
            "account",
            "region",
            "policy",
            "encryption",
            "blocked_encryption_types",
            "ownership_controls",
            "public_access_block",
            "requester_pays",
            "object_lock",
        ],
    )?;
    let name = o.opt_str("name")?.unwrap_or_else(|| request.bucket.clone());
    if name != request.bucket {
        return Err(FieldError::new(
            "bucket.name",
            format!("{name:?} is not the request's bucket {:?}", request.bucket),
        ));
    }
    let account = match o.opt_str("account")? {
        Some(a) if crate::aws::arn::is_account_id(&a) => a,
        Some(a) => {
            return Err(FieldError::new(
                "bucket.account",
                format!("{a:?} is not a 12-digit account id"),
            ))
        }
        None => request.principal.account.clone().ok_or_else(|| {
            FieldError::new(
                "bucket.account",
                "missing: required when the principal is anonymous",
            )
        })?,
    };
    let blocked_encryption_types = o
        .list("blocked_encryption_types")
        .into_iter()
        .map(|(p, v)| {
            let t = scalar_text(v, &p)?;
            // API_BlockedEncryptionTypes: SSE-C is the type S3 blocks; NONE blocks none.
            match t.as_str() {
                "SSE-C" | "NONE" => Ok(t),
                _ => Err(FieldError::new(
                    &p,
                    format!(
                        "{t:?}: expected \"SSE-C\" (or \"NONE\"), the encryption types S3 blocks"
                    ),
                )),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(Bucket {
        name,
        account,
        region: o.opt_str("region")?,
        policy: o
            .get("policy")
            .map(|v| read_policy(v, PolicyType::BucketPolicy, "bucket.policy"))
            .transpose()?,
        encryption: o
            .get("encryption")
            .map(|v| read_encryption(v, "bucket.encryption"))
            .transpose()?,
        blocked_encryption_types,
        object_ownership: o
            .get("ownership_controls")
            .map(|v| read_ownership(v, "bucket.ownership_controls"))
            .transpose()?,
        public_access_block: o
            .get("public_access_block")
            .map(|v| read_pab(v, "bucket.public_access_block"))
            .transpose()?,
        requester_pays: o.opt_bool("requester_pays")?.unwrap_or(false),
        object_lock: o.opt_bool("object_lock")?.unwrap_or(false),
    })
}

fn read_encryption(v: &Value, path: &str) -> Result<DefaultEncryption, FieldError> {
    let (inner, wrapped) = reader::unwrap_cli(v, "ServerSideEncryptionConfiguration");
    let path = if wrapped {
        join(path, "ServerSideEncryptionConfiguration")
    } else {
        path.to_string()
    };
    let o = Obj::new(inner, &path, &["Rules"])?;
    let rules = o.list("Rules");
    let Some((rpath, rule)) = rules.first() else {
        return Err(FieldError::new(
            &o.path_of("Rules"),
            "expected at least one rule",
        ));
    };
    let r = Obj::new(
        rule,
        rpath,
        &[
            "ApplyServerSideEncryptionByDefault",
            "BucketKeyEnabled",
            "BlockedEncryptionTypes",
        ],
    )?;
    let d = Obj::new(
        r.required("ApplyServerSideEncryptionByDefault")?,
        &r.path_of("ApplyServerSideEncryptionByDefault"),
        &["SSEAlgorithm", "KMSMasterKeyID"],
    )?;
    let algorithm = d.str("SSEAlgorithm")?;
    if !["AES256", "aws:kms", "aws:kms:dsse"].contains(&algorithm.as_str()) {
        return Err(FieldError::new(
            &d.path_of("SSEAlgorithm"),
            format!("{algorithm:?}: expected AES256, aws:kms or aws:kms:dsse"),
        ));
    }
    Ok(DefaultEncryption {
        algorithm,
        kms_key_id: d.opt_str("KMSMasterKeyID")?,
        bucket_key: r.opt_bool("BucketKeyEnabled")?.unwrap_or(false),
    })
}

fn read_ownership(v: &Value, path: &str) -> Result<String, FieldError> {
    let (inner, wrapped) = reader::unwrap_cli(v, "OwnershipControls");
    let path = if wrapped {
        join(path, "OwnershipControls")
    } else {
        path.to_string()
    };
    let o = Obj::new(inner, &path, &["Rules"])?;
    let rules = o.list("Rules");
    let Some((rpath, rule)) = rules.first() else {
        return Err(FieldError::new(&o.path_of("Rules"), "expected one rule"));
    };
    let r = Obj::new(rule, rpath, &["ObjectOwnership"])?;
    let value = r.str("ObjectOwnership")?;
    if ![
        "BucketOwnerEnforced",
        "BucketOwnerPreferred",
        "ObjectWriter",
    ]
    .contains(&value.as_str())
    {
        return Err(FieldError::new(
            &r.path_of("ObjectOwnership"),
            format!(
                "{value:?}: expected BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter"
            ),
        ));
    }
    Ok(value)
}

fn read_endpoint(v: &Value) -> Result<VpcEndpoint, FieldError> {
    let o = Obj::new(v, "vpc_endpoint", &["id", "type", "policy"])?;
    let endpoint_type = match o.opt_str("type")?.as_deref() {
        None | Some("Gateway") | Some("gateway") => EndpointType::Gateway,
        Some("Interface") | Some("interface") => EndpointType::Interface,
        Some(other) => {
            return Err(FieldError::new(
                "vpc_endpoint.type",
                format!("{other:?}: expected Gateway or Interface"),
            ))
        }
    };
    let policy = o
        .get("policy")
        .map(|v| read_policy(v, PolicyType::VpcEndpointPolicy, "vpc_endpoint.policy"))
        .transpose()?;
    Ok(VpcEndpoint {
        id: o.str("id")?,
        endpoint_type,
        policy,
    })
}

fn read_key(v: &Value, path: &str) -> Result<KmsKey, FieldError> {
    let o = Obj::new(v, path, &["arn", "aliases", "manager", "policy"])?;
    let arn = o.str("arn")?;
    let parsed = crate::aws::arn::Arn::parse(&arn)
        .filter(|a| a.service == "kms" && a.resource.starts_with("key/"))
        .ok_or_else(|| {
            FieldError::new(
                &o.path_of("arn"),
                format!("{arn:?} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"),
            )
        })?;
    let manager = match o.opt_str("manager")?.as_deref() {
        None | Some("CUSTOMER") => KeyManager::Customer,
        Some("AWS") => KeyManager::Aws,
        Some(other) => {
            return Err(FieldError::new(
                &o.path_of("manager"),
                format!("{other:?}: expected AWS or CUSTOMER"),
            ))
        }
    };
    let aliases = o
        .list("aliases")
        .into_iter()
        .map(|(p, v)| scalar_text(v, &p))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = o
        .get("policy")
        .map(|v| read_policy(v, PolicyType::KmsKeyPolicy, &o.path_of("policy")))
        .transpose()?;
    Ok(KmsKey {
        key_id: parsed.resource.trim_start_matches("key/").to_string(),
        account: parsed.account.to_string(),
        region: parsed.region.to_string(),
        arn: arn.clone(),
        aliases,
        manager,
        policy,
    })
}

/// Replaces policy strings (and CLI wrappers) in the document with parsed objects, so
/// rules read every policy the same way.
fn normalize_policies(doc: &mut Value) {
    fn decode(v: &mut Value) {
        // Unwrap `{"Policy": ...}` by moving, not cloning: documents can be large.
        if let Value::Object(m) = v {
            if m.contains_key("Policy") && m.keys().all(|k| k == "Policy" || k == "PolicyName") {
                if let Some(inner) = m.swap_remove("Policy") {
                    *v = inner;
                }
            }
        }
        if let Value::String(s) = v {
            let t = s.trim_start();
            let text = if t.starts_with('{') {
                Some(s.clone())
            } else {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .ok()
                    .map(|c| c.replace('+', " "))
            };
            if let Some(parsed) = text.and_then(|t| serde_json::from_str(&t).ok()) {
                *v = parsed;
            }
        }
    }
    let named = |list: Option<&mut Value>| {
        if let Some(Value::Array(items)) = list {
            for item in items {
                match item.get_mut("document") {
                    Some(d) => decode(d),
                    // A bare document (or its string) given in place of {name, document}.
                    None => decode(item),
                }
            }
        }
    };
    if let Some(id) = doc.get_mut("identity") {
        named(id.get_mut("policies"));
        if let Some(b) = id.get_mut("permissions_boundary") {
            decode(b);
        }
    }
    if let Some(p) = doc.get_mut("bucket").and_then(|b| b.get_mut("policy")) {
        decode(p);
    }
    if let Some(p) = doc
        .get_mut("vpc_endpoint")
        .and_then(|b| b.get_mut("policy"))
    {
        decode(p);
    }
    if let Some(Value::Array(keys)) = doc.get_mut("kms_keys") {
        for k in keys {
            if let Some(p) = k.get_mut("policy") {
                decode(p);
            }
        }
    }
    if let Some(Value::Array(ps)) = doc
        .get_mut("request")
        .and_then(|r| r.get_mut("session"))
        .and_then(|s| s.get_mut("policies"))
    {
        for p in ps {
            decode(p);
        }
    }
    if let Some(Value::Object(accounts)) = doc.get_mut("accounts") {
        for account in accounts.values_mut() {
            for key in ["scps", "rcps"] {
                if let Some(Value::Array(levels)) = account.get_mut(key) {
                    for level in levels {
                        named(level.get_mut("policies"));
                    }
                }
            }
        }
    }
}
