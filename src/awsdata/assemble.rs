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
    facts(world, world, bucket, request).map(|f| f.document)
}

/// The same, read: the fact document as the evaluator takes it (its `document` is the
/// JSON [`fact_document`] prints), so a batch need not print and re-read it.
///
/// `principal_side` knows the principal's account (IAM, SCPs, VPC endpoints, its
/// `aws/s3` key); `bucket_side` the bucket's (RCPs, account Block Public Access, the
/// bucket's keys). They are the same for a same-account upload; for a cross-account one
/// each is its account's snapshot (reference_policies_evaluation-logic-cross-account.html,
/// S3: both accounts' policies decide).
pub fn facts(
    principal_side: &World,
    bucket_side: &World,
    bucket: &BucketData,
    mut request: Map<String, Value>,
) -> Result<Facts, DataError> {
    let same = std::ptr::eq(principal_side, bucket_side);
    let principal_text = request
        .get("principal")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let principal =
        Principal::parse(&principal_text).map_err(|m| DataError::new("", "--principal", m))?;
    let mut sources: Sources = bucket.sources.clone();
    let identity = principal_side.auth.identity_for(&principal)?;
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
    let mut principal_entry = Map::new();
    if let Some(pa) = &principal_account {
        if let Some(org) = &principal_side.organization {
            org_fields(&mut principal_entry, org, pa);
        }
        if !principal_side.scps.is_empty() {
            let l = levels(&principal_side.scps, pa, "scps", &mut sources);
            principal_entry.insert("scps".into(), l);
        }
    }
    if let Some(ba) = &bucket_account {
        let shared = principal_account.as_ref() == Some(ba);
        let mut a = if shared {
            std::mem::take(&mut principal_entry)
        } else {
            Map::new()
        };
        if let (false, Some(org)) = (shared, &bucket_side.organization) {
            // One world for two accounts (files): its organization is the principal's,
            // and the bucket's account is known to be in it only when it has RCPs.
            if !same || !bucket_side.rcps.is_empty() {
                org_fields(&mut a, org, ba);
            }
        }
        if !bucket_side.rcps.is_empty() {
            a.insert(
                "rcps".into(),
                levels(&bucket_side.rcps, ba, "rcps", &mut sources),
            );
        }
        if let Some((pab, o)) = &bucket_side.account_public_access_block {
            a.insert("public_access_block".into(), pab.clone());
            sources.push((format!("accounts.{ba}.public_access_block"), o.clone()));
        }
        if !a.is_empty() {
            accounts.insert(ba.clone(), Value::Object(a));
        }
    }
    if let (Some(pa), false) = (&principal_account, principal_entry.is_empty()) {
        accounts.insert(pa.clone(), Value::Object(principal_entry));
    }
    if !accounts.is_empty() {
        doc.insert("accounts".into(), Value::Object(accounts));
    }

    // The VPC endpoint the request travels through.
    if let Some(id) = request.get("vpc_endpoint").and_then(Value::as_str) {
        let Some(endpoints) = &principal_side.vpc_endpoints else {
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
    let mut seen: Vec<&str> = Vec::new();
    let sides = if same {
        vec![principal_side]
    } else {
        vec![principal_side, bucket_side]
    };
    for side in sides {
        for k in &side.keys {
            let named = wanted.iter().any(|r| k.is_named_by(r));
            if let (true, Some((state, origin))) = (named, &k.unusable) {
                // KMS refuses a disabled key or one pending deletion or import; its error
                // and status as S3 passes them on are not documented, so no verdict.
                return Err(origin.err(format!(
                    "the upload's KMS key {} is {state}: KMS refuses it, which s3why does not \
                     decide; enable the key (or cancel its deletion), or encrypt with another",
                    k.arn
                )));
            }
            let touches = named || k.aliases.iter().any(|a| a == "alias/aws/s3");
            if (!side.select_keys || touches) && !seen.contains(&k.arn.as_str()) {
                seen.push(&k.arn);
                keys.push(k.to_value(keys.len(), &mut sources));
            }
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
    read(Value::Object(out), &sources)
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
fn read(doc: Value, sources: &Sources) -> Result<Facts, DataError> {
    let e = match Facts::from_owned(doc) {
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
