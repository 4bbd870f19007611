//! Puts the pieces together: one request, the principal's identity from the
//! authorization details, the bucket's settings, the accounts' organization policies,
//! the VPC endpoint and the KMS keys, into one fact document. The result is checked with
//! the fact reader before it is handed out, and an error it finds inside a policy is
//! reported at the policy's place in the AWS output it came from.

use serde_json::{json, Map, Value};

use super::ec2;
use super::iam::{AuthDetails, Origin, Sources};
use super::json::Doc;
use super::kms::Key;
use super::orgs::{OrgPolicy, Organization};
use super::DataError;
use crate::aws::arn::Principal;
use crate::facts::Facts;

/// One level of SCPs or RCPs: a root, OU or account id and the policies attached there.
#[derive(Debug, Clone)]
pub struct Level {
    pub target: String,
    pub policies: Vec<OrgPolicy>,
}

/// What is known of the principal's account (and the bucket's, when it is the same):
/// everything but the bucket. Loaded once, used for many fact documents.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub auth: AuthDetails,
    pub organization: Option<Organization>,
    /// SCP levels of the principal's account, root first.
    pub scps: Vec<Level>,
    /// RCP levels of the bucket's account, root first.
    pub rcps: Vec<Level>,
    /// `aws s3control get-public-access-block` of the bucket's account.
    pub account_public_access_block: Option<(Value, Origin)>,
    pub keys: Vec<Key>,
    /// Only the keys the upload can touch go into the document (a snapshot has them all).
    pub select_keys: bool,
    pub vpc_endpoints: Option<Doc>,
}

/// One bucket: its name, owner, Region and the `bucket` fields its settings gave.
#[derive(Debug, Clone, Default)]
pub struct BucketData {
    pub name: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub fields: Map<String, Value>,
    pub sources: Sources,
    /// Bucket-level Block Public Access.
    pub public_access_block: Option<(Value, Origin)>,
}

/// The fact document for `request` (see [`super::request::request`]) against `bucket`.
pub fn fact_document(
    world: &World,
    bucket: &BucketData,
    request: Map<String, Value>,
) -> Result<Value, DataError> {
    facts(world, bucket, request).map(|f| f.document)
}

/// The same, read: the fact document as the evaluator takes it (its `document` is the
/// JSON [`fact_document`] prints), so a batch need not print and re-read it.
pub fn facts(
    world: &World,
    bucket: &BucketData,
    mut request: Map<String, Value>,
) -> Result<Facts, DataError> {
    let principal_text = request
        .get("principal")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let principal =
        Principal::parse(&principal_text).map_err(|m| DataError::new("", "--principal", m))?;
    let mut sources: Sources = bucket.sources.clone();
    let identity = world.auth.identity_for(&principal)?;
    sources.extend(identity.sources.iter().cloned());
    if let Some(role_arn) = &identity.role_arn {
        // The session ARN leaves out the role's path; aws:PrincipalArn carries it.
        let context = request
            .entry("context")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(c) = context.as_object_mut() {
            c.entry("aws:PrincipalArn")
                .or_insert_with(|| json!(role_arn));
        }
    }
    let mut doc = Map::new();
    doc.insert("identity".into(), identity.to_value());

    // The bucket.
    let mut b = bucket.fields.clone();
    b.insert("name".into(), json!(bucket.name));
    let principal_account = principal.account.clone();
    let bucket_account = bucket.account.clone().or_else(|| principal_account.clone());
    if let Some(a) = &bucket_account {
        b.insert("account".into(), json!(a));
    }
    if let Some(r) = &bucket.region {
        b.insert("region".into(), json!(r));
    }
    if let Some((pab, o)) = &bucket.public_access_block {
        b.insert("public_access_block".into(), pab.clone());
        sources.push(("bucket.public_access_block".into(), o.clone()));
    }

    // Accounts: SCPs limit the principal's account, RCPs and account-level Block Public
    // Access the bucket's (S21, S22, S32).
    let mut accounts = Map::new();
    let mut account = |id: &str| -> Map<String, Value> {
        match accounts.remove(id) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        }
    };
    let mut put = Vec::new();
    if let Some(pa) = &principal_account {
        let mut a = account(pa);
        if let Some(org) = &world.organization {
            org_fields(&mut a, org, pa);
        }
        if !world.scps.is_empty() {
            a.insert("scps".into(), levels(&world.scps, pa, "scps", &mut sources));
        }
        put.push((pa.clone(), a));
    }
    if let Some(ba) = &bucket_account {
        let mut a = match put.iter().position(|(id, _)| id == ba) {
            Some(i) => put.remove(i).1,
            None => account(ba),
        };
        if let Some(org) = &world.organization {
            // RCPs exist only inside an organization: the bucket's account is in it.
            if Some(ba) == principal_account.as_ref() || !world.rcps.is_empty() {
                org_fields(&mut a, org, ba);
            }
        }
        if !world.rcps.is_empty() {
            a.insert("rcps".into(), levels(&world.rcps, ba, "rcps", &mut sources));
        }
        if let Some((pab, o)) = &world.account_public_access_block {
            a.insert("public_access_block".into(), pab.clone());
            sources.push((format!("accounts.{ba}.public_access_block"), o.clone()));
        }
        put.push((ba.clone(), a));
    }
    for (id, a) in put {
        if !a.is_empty() {
            accounts.insert(id, Value::Object(a));
        }
    }
    if !accounts.is_empty() {
        doc.insert("accounts".into(), Value::Object(accounts));
    }

    // The VPC endpoint the request travels through.
    if let Some(id) = request.get("vpc_endpoint").and_then(Value::as_str) {
        let Some(endpoints) = &world.vpc_endpoints else {
            return Err(DataError::new(
                "",
                "--vpc-endpoint-id",
                "the request goes through a VPC endpoint: give `aws ec2 \
                 describe-vpc-endpoints` output (--vpc-endpoints FILE)",
            ));
        };
        let e = ec2::endpoint(endpoints, id, &mut sources)?;
        if let (false, Some(vpc)) = (request.contains_key("source_vpc"), &e.vpc_id) {
            request.insert("source_vpc".into(), json!(vpc));
        }
        doc.insert("vpc_endpoint".into(), e.value);
    }

    // KMS keys.
    let wanted = key_references(&request, &b);
    let mut keys = Vec::new();
    for k in &world.keys {
        let touches = wanted.iter().any(|r| k.is_named_by(r))
            || k.aliases.iter().any(|a| a == "alias/aws/s3");
        if !world.select_keys || touches {
            keys.push(k.to_value(keys.len(), &mut sources));
        }
    }
    if !keys.is_empty() {
        doc.insert("kms_keys".into(), Value::Array(keys));
    }

    doc.insert("bucket".into(), Value::Object(b));
    let mut out = Map::new();
    out.insert("request".into(), Value::Object(request));
    for k in ["identity", "accounts", "bucket", "vpc_endpoint", "kms_keys"] {
        if let Some(v) = doc.remove(k) {
            out.insert(k.into(), v);
        }
    }
    read(&Value::Object(out), &sources)
}

fn org_fields(a: &mut Map<String, Value>, org: &Organization, id: &str) {
    a.insert("organization".into(), json!(org.id));
    if org.management_account.as_deref() == Some(id) {
        a.insert("management".into(), json!(true));
    }
}

fn levels(levels: &[Level], account: &str, key: &str, src: &mut Sources) -> Value {
    let mut out = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        let mut policies = Vec::new();
        for (j, p) in l.policies.iter().enumerate() {
            src.push((
                format!("accounts.{account}.{key}[{i}].policies[{j}].document"),
                p.origin.clone(),
            ));
            policies.push(p.to_value());
        }
        out.push(json!({ "target": l.target, "policies": policies }));
    }
    Value::Array(out)
}

/// The key references an upload can use: the request's key header and the bucket's
/// default key (the `aws/s3` keys are added separately).
fn key_references(request: &Map<String, Value>, bucket: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(h)) = request.get("headers") {
        for (k, v) in h {
            if k.eq_ignore_ascii_case("x-amz-server-side-encryption-aws-kms-key-id") {
                if let Some(v) = v.as_str() {
                    out.push(v.to_string());
                }
            }
        }
    }
    let default_key = bucket
        .get("encryption")
        .and_then(|e| e.pointer("/Rules/0/ApplyServerSideEncryptionByDefault/KMSMasterKeyID"))
        .and_then(Value::as_str);
    if let Some(k) = default_key {
        out.push(k.to_string());
    }
    out
}

/// Reads the document with the fact reader; an error inside a piece that came from a
/// file is reported at its place in that file.
fn read(doc: &Value, sources: &Sources) -> Result<Facts, DataError> {
    let e = match Facts::from_value(doc) {
        Ok(facts) => return Ok(facts),
        Err(e) => e,
    };
    let found = sources
        .iter()
        .filter(|(prefix, _)| {
            e.path == *prefix
                || e.path.starts_with(&format!("{prefix}."))
                || e.path.starts_with(&format!("{prefix}["))
        })
        .max_by_key(|(prefix, _)| prefix.len());
    Err(match found {
        Some((prefix, origin)) => {
            let rest = &e.path[prefix.len()..];
            DataError::new(&origin.file, &format!("{}{rest}", origin.path), e.message)
        }
        None => DataError::new("the assembled fact document", &e.path, e.message),
    })
}
