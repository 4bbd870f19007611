//! `aws s3api` bucket settings as the CLI prints them, into the fact document's `bucket`
//! (and `accounts.ID.public_access_block` for `aws s3control get-public-access-block`).
//! Each reader takes one command's output and sets the fields it determines.

use serde_json::{json, Map, Value};

use super::iam::{Origin, Sources};
use super::json::{Doc, Node};
use super::DataError;

fn origin(n: &Node<'_>) -> Origin {
    Origin {
        file: n.file.to_string(),
        path: n.path.clone(),
    }
}

fn expect_object(root: &Node<'_>, command: &str) -> Result<(), DataError> {
    if root.value.is_object() {
        Ok(())
    } else {
        Err(root.err(format!("expected the JSON object that `{command}` prints")))
    }
}

/// `aws s3api get-bucket-policy`: `{"Policy": "<policy JSON as a string>"}`.
pub fn bucket_policy(
    doc: &Doc,
    bucket: &mut Map<String, Value>,
    src: &mut Sources,
) -> Result<(), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-bucket-policy")?;
    let p = root.req("Policy")?;
    bucket.insert("policy".into(), p.policy_document()?);
    src.push(("bucket.policy".into(), origin(&p)));
    Ok(())
}

/// `aws s3api get-bucket-encryption`: `{"ServerSideEncryptionConfiguration": {"Rules":
/// [{"ApplyServerSideEncryptionByDefault": {...}, "BucketKeyEnabled": b,
/// "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]}}` (API_BlockedEncryptionTypes).
pub fn bucket_encryption(
    doc: &Doc,
    bucket: &mut Map<String, Value>,
    src: &mut Sources,
) -> Result<(), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-bucket-encryption")?;
    let config = root.req("ServerSideEncryptionConfiguration")?;
    let rules = config.req("Rules")?.items()?;
    let mut blocked = Vec::new();
    let mut default = None;
    for rule in &rules {
        if let Some(b) = rule.get("BlockedEncryptionTypes")? {
            for t in b.list("EncryptionType")? {
                let node = t;
                let t = node.str()?;
                if t != "SSE-C" && t != "NONE" {
                    return Err(node.err(format!(
                        "{t:?}: expected SSE-C or NONE (API_BlockedEncryptionTypes)"
                    )));
                }
                // NONE means nothing is blocked.
                if t != "NONE" && !blocked.contains(&t) {
                    blocked.push(t);
                }
            }
        }
        if default.is_some() {
            continue;
        }
        if let Some(d) = rule.get("ApplyServerSideEncryptionByDefault")? {
            let mut by_default = Map::new();
            by_default.insert("SSEAlgorithm".into(), json!(d.req_str("SSEAlgorithm")?));
            if let Some(k) = d.opt_str("KMSMasterKeyID")? {
                by_default.insert("KMSMasterKeyID".into(), json!(k));
            }
            let mut r = Map::new();
            r.insert(
                "ApplyServerSideEncryptionByDefault".into(),
                Value::Object(by_default),
            );
            if let Some(bk) = rule.opt_bool("BucketKeyEnabled")? {
                r.insert("BucketKeyEnabled".into(), json!(bk));
            }
            default = Some((Value::Object(r), origin(rule)));
        }
    }
    if let Some((rule, o)) = default {
        bucket.insert("encryption".into(), json!({ "Rules": [rule] }));
        src.push(("bucket.encryption.Rules[0]".into(), o));
    }
    if !blocked.is_empty() {
        bucket.insert("blocked_encryption_types".into(), json!(blocked));
    }
    Ok(())
}

/// `aws s3api get-bucket-ownership-controls`: `{"OwnershipControls": {"Rules":
/// [{"ObjectOwnership": "BucketOwnerEnforced"}]}}`.
pub fn ownership_controls(
    doc: &Doc,
    bucket: &mut Map<String, Value>,
    src: &mut Sources,
) -> Result<(), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-bucket-ownership-controls")?;
    let rules = root.req("OwnershipControls")?.req("Rules")?;
    let first = rules
        .items()?
        .into_iter()
        .next()
        .ok_or_else(|| rules.err("expected one rule"))?;
    let value = first.req("ObjectOwnership")?;
    bucket.insert(
        "ownership_controls".into(),
        json!({ "Rules": [{ "ObjectOwnership": value.str()? }] }),
    );
    src.push((
        "bucket.ownership_controls.Rules[0].ObjectOwnership".into(),
        origin(&value),
    ));
    Ok(())
}

/// `aws s3api get-public-access-block` or `aws s3control get-public-access-block`:
/// `{"PublicAccessBlockConfiguration": {"BlockPublicAcls": b, ...}}`.
pub fn public_access_block(doc: &Doc) -> Result<(Value, Origin), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-public-access-block")?;
    let c = root.req("PublicAccessBlockConfiguration")?;
    let mut m = Map::new();
    for k in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        // An absent setting is off, as in AWS's default.
        m.insert(k.into(), json!(c.opt_bool(k)?.unwrap_or(false)));
    }
    Ok((Value::Object(m), origin(&c)))
}

/// `aws s3api get-bucket-request-payment`: `{"Payer": "Requester" | "BucketOwner"}`.
pub fn request_payment(doc: &Doc, bucket: &mut Map<String, Value>) -> Result<(), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-bucket-request-payment")?;
    let payer = root.req("Payer")?;
    let requester = match payer.str()? {
        "Requester" => true,
        "BucketOwner" => false,
        other => return Err(payer.err(format!("{other:?}: expected Requester or BucketOwner"))),
    };
    bucket.insert("requester_pays".into(), json!(requester));
    Ok(())
}

/// `aws s3api get-bucket-location`: `{"LocationConstraint": null | "eu-west-1" | "EU"}`.
/// `null` (or empty) is us-east-1 and `EU` is eu-west-1 (API_GetBucketLocation).
pub fn bucket_location(doc: &Doc) -> Result<String, DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-bucket-location")?;
    // The key is always there, null for us-east-1: a file without it is another answer.
    root.value
        .as_object()
        .filter(|m| m.contains_key("LocationConstraint"))
        .ok_or_else(|| {
            DataError::new(
                root.file,
                "LocationConstraint",
                "missing: the AWS CLI output has this field (null for us-east-1)",
            )
        })?;
    Ok(match root.opt_str("LocationConstraint")? {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(r) => r.to_string(),
    })
}

/// `aws s3api get-object-lock-configuration`: `{"ObjectLockConfiguration":
/// {"ObjectLockEnabled": "Enabled", ...}}`.
pub fn object_lock(doc: &Doc, bucket: &mut Map<String, Value>) -> Result<(), DataError> {
    let root = doc.root();
    expect_object(&root, "aws s3api get-object-lock-configuration")?;
    let enabled = root
        .req("ObjectLockConfiguration")?
        .opt_str("ObjectLockEnabled")?
        == Some("Enabled");
    bucket.insert("object_lock".into(), json!(enabled));
    Ok(())
}
