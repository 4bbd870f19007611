//! An account snapshot: a folder with one file per `aws` command (docs/aws-data.md gives
//! the script that fills it), loaded once and asked for many fact documents.
//!
//! ```text
//! account.json                                  aws sts get-caller-identity
//! iam/authorization-details*.json               aws iam get-account-authorization-details
//! s3control/public-access-block.json            aws s3control get-public-access-block
//! s3/<bucket>/policy.json                       aws s3api get-bucket-policy
//! s3/<bucket>/encryption.json                   aws s3api get-bucket-encryption
//! s3/<bucket>/ownership-controls.json           aws s3api get-bucket-ownership-controls
//! s3/<bucket>/public-access-block.json          aws s3api get-public-access-block
//! s3/<bucket>/request-payment.json              aws s3api get-bucket-request-payment
//! s3/<bucket>/location.json                     aws s3api get-bucket-location
//! s3/<bucket>/object-lock.json                  aws s3api get-object-lock-configuration
//! kms/aliases.json                              aws kms list-aliases
//! kms/<key-id>/describe.json                    aws kms describe-key
//! kms/<key-id>/policy.json                      aws kms get-key-policy
//! ec2/vpc-endpoints.json                        aws ec2 describe-vpc-endpoints
//! organizations/organization.json               aws organizations describe-organization
//! organizations/parents/<child-id>.json         aws organizations list-parents
//! organizations/targets/<target-id>/scps.json   aws organizations list-policies-for-target (SCP)
//! organizations/targets/<target-id>/rcps.json   aws organizations list-policies-for-target (RCP)
//! organizations/policies/<policy-id>.json       aws organizations describe-policy
//! ```
//!
//! A missing file is a setting that is not set (the command answered NoSuch...); a
//! `<file>.err` beside it holds the error of a command that failed otherwise, and makes
//! whatever needs that file an error rather than a silent default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::assemble::{self, BucketData, Level, World};
use super::json::Doc;
use super::{iam, kms, orgs, s3, DataError};
use crate::facts::Facts;

/// A loaded snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dir: PathBuf,
    /// The snapshot's account id.
    pub account: String,
    world: World,
    /// Each bucket folder, read; a bucket whose files are bad keeps its error.
    buckets: BTreeMap<String, Result<BucketData, DataError>>,
}

/// Error codes with which AWS answers "not set": no bucket policy, no encryption
/// configuration, ..., an account in no organization, a policy type not enabled in the
/// organization (RCPs, say). The snapshot script leaves no file for them; a `.err` file
/// holding one (an older script, a hand-made snapshot) means the same.
const NOT_SET: &[&str] = &[
    "NoSuch",
    "NotFoundError",
    "AWSOrganizationsNotInUseException",
    "PolicyTypeNotEnabledException",
];

/// Reads `path` if it exists; a `.err` file beside it is the failed command's error.
fn optional(path: &Path) -> Result<Option<Doc>, DataError> {
    let mut err = path.as_os_str().to_owned();
    err.push(".err");
    let err = PathBuf::from(err);
    if err.exists() {
        let text = crate::text::read(&err).unwrap_or_default();
        if NOT_SET.iter().any(|code| text.contains(code)) {
            // AWS's way of saying "not set": as if the script had left no file.
            return Ok(None);
        }
        let hint = if path.components().any(|c| c.as_os_str() == "organizations") {
            " (reading the organization's policies needs the management account or a \
             delegated administrator: take the snapshot with those credentials, or delete \
             the organizations folder to decide without SCPs and RCPs)"
        } else {
            ""
        };
        return Err(DataError::new(
            &err.display().to_string(),
            "",
            format!(
                "the command that fills {} failed: {}{hint}",
                path.display(),
                text.trim()
            ),
        ));
    }
    if path.exists() {
        Doc::read(path).map(Some)
    } else {
        Ok(None)
    }
}

fn required(path: &Path) -> Result<Doc, DataError> {
    optional(path)?
        .ok_or_else(|| DataError::new(&path.display().to_string(), "", "missing from the snapshot"))
}

/// The sorted entries of `dir` that are folders (`true`) or `.json` files (`false`).
fn entries(dir: &Path, folders: bool) -> Result<Vec<String>, DataError> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in read {
        let e = e.map_err(|e| DataError::new(&dir.display().to_string(), "", e.to_string()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.path().is_dir();
        let wanted = if folders {
            is_dir
        } else {
            !is_dir && name.ends_with(".json")
        };
        if wanted {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

impl Snapshot {
    /// Loads the snapshot in `dir`: IAM, organizations, KMS and endpoints now (an error
    /// there stops everything), each bucket's files now too (an error there is kept for
    /// that bucket).
    pub fn load(dir: &Path) -> Result<Snapshot, DataError> {
        let iam_dir = dir.join("iam");
        let pages = entries(&iam_dir, false)?
            .into_iter()
            .filter(|n| n.starts_with("authorization-details"))
            .map(|n| Doc::read(&iam_dir.join(n)))
            .collect::<Result<Vec<_>, _>>()?;
        if pages.is_empty() {
            return Err(DataError::new(
                &iam_dir
                    .join("authorization-details.json")
                    .display()
                    .to_string(),
                "",
                "missing from the snapshot (aws iam get-account-authorization-details)",
            ));
        }
        let auth = iam::AuthDetails::from_pages(&pages)?;
        let account = match optional(&dir.join("account.json"))? {
            Some(doc) => doc.root().req_str("Account")?.to_string(),
            None => auth.account().ok_or_else(|| {
                DataError::new(
                    &dir.join("account.json").display().to_string(),
                    "",
                    "missing, and no user or role names the account (aws sts get-caller-identity)",
                )
            })?,
        };
        let mut world = World {
            auth,
            select_keys: true,
            ..World::default()
        };
        if let Some(doc) = optional(&dir.join("s3control/public-access-block.json"))? {
            world.account_public_access_block = Some(s3::public_access_block(&doc)?);
        }
        load_kms(dir, &mut world)?;
        world.vpc_endpoints = optional(&dir.join("ec2/vpc-endpoints.json"))?;
        load_organizations(dir, &account, &mut world)?;

        let s3_dir = dir.join("s3");
        let mut buckets = BTreeMap::new();
        for name in entries(&s3_dir, true)? {
            let data = load_bucket(&s3_dir.join(&name), &name, &account);
            buckets.insert(name, data);
        }
        Ok(Snapshot {
            dir: dir.to_path_buf(),
            account,
            world,
            buckets,
        })
    }

    /// Every bucket in the snapshot, sorted.
    pub fn bucket_names(&self) -> Vec<String> {
        self.buckets.keys().cloned().collect()
    }

    /// Every user and role in the snapshot, users first, in file order.
    pub fn principal_arns(&self) -> Vec<String> {
        self.world.auth.principal_arns()
    }

    /// The fact document for `request` (with its principal) against `bucket`, read (see
    /// [`assemble::facts`]).
    pub fn facts(&self, bucket: &str, request: Map<String, Value>) -> Result<Facts, DataError> {
        match self.bucket(bucket) {
            Some(Ok(b)) => assemble::facts(&self.world, &self.world, b, request),
            Some(Err(e)) => Err(e.clone()),
            None => Err(DataError::new(
                &self.dir.join("s3").join(bucket).display().to_string(),
                "",
                format!(
                    "no such bucket folder in the snapshot (it has {} buckets)",
                    self.buckets.len()
                ),
            )),
        }
    }

    /// A bucket's data as read, when the snapshot has the bucket.
    pub fn bucket(&self, name: &str) -> Option<&Result<BucketData, DataError>> {
        self.buckets.get(name)
    }

    /// What the snapshot knows of its account, beyond the buckets.
    pub fn world(&self) -> &World {
        &self.world
    }
}

fn load_kms(dir: &Path, world: &mut World) -> Result<(), DataError> {
    let kms_dir = dir.join("kms");
    let aliases = match optional(&kms_dir.join("aliases.json"))? {
        Some(doc) => kms::list_aliases(&doc)?,
        None => Vec::new(),
    };
    for id in entries(&kms_dir, true)? {
        let key_dir = kms_dir.join(&id);
        let mut key = kms::describe_key(&required(&key_dir.join("describe.json"))?)?;
        if let Some(doc) = optional(&key_dir.join("policy.json"))? {
            key.policy = Some(kms::key_policy(&doc)?);
        }
        key.take_aliases(&aliases);
        world.keys.push(key);
    }
    Ok(())
}

/// The organization, and the SCP and RCP levels from the root down to `account`.
fn load_organizations(dir: &Path, account: &str, world: &mut World) -> Result<(), DataError> {
    let org_dir = dir.join("organizations");
    let Some(doc) = optional(&org_dir.join("organization.json"))? else {
        return Ok(());
    };
    world.organization = Some(orgs::organization(&doc)?);
    // The chain of targets, account first, up to the root (list-parents at each step).
    let mut chain = vec![account.to_string()];
    while let Some(child) = chain.last() {
        let parents = required(&org_dir.join("parents").join(format!("{child}.json")))?;
        let (id, is_root) = orgs::parent(&parents)?;
        if chain.contains(&id) || chain.len() > 10 {
            return Err(DataError::new(
                &parents.name,
                "Parents",
                "the parents form a loop",
            ));
        }
        chain.push(id);
        if is_root {
            break;
        }
    }
    chain.reverse();
    world.scps = levels(&org_dir, &chain, "scps.json", orgs::OrgPolicyKind::Scp)?;
    world.rcps = levels(&org_dir, &chain, "rcps.json", orgs::OrgPolicyKind::Rcp)?;
    Ok(())
}

/// The levels for `chain` (root first) from `targets/<id>/<file>`: none when no level has
/// the file (that policy type is not in use), an error when only some have it.
fn levels(
    org_dir: &Path,
    chain: &[String],
    file: &str,
    kind: orgs::OrgPolicyKind,
) -> Result<Vec<Level>, DataError> {
    let paths: Vec<PathBuf> = chain
        .iter()
        .map(|t| org_dir.join("targets").join(t).join(file))
        .collect();
    if paths.iter().all(|p| !p.exists()) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (target, path) in chain.iter().zip(&paths) {
        let ids = orgs::policies_for_target(&required(path)?)?;
        let mut policies = Vec::new();
        for id in ids {
            let doc = required(&org_dir.join("policies").join(format!("{id}.json")))?;
            let p = orgs::describe_policy(&doc)?;
            if p.kind != kind {
                return Err(DataError::new(
                    &doc.name,
                    "Policy.PolicySummary.Type",
                    format!("listed in {} but of another policy type", path.display()),
                ));
            }
            policies.push(p);
        }
        out.push(Level {
            target: target.clone(),
            policies,
        });
    }
    Ok(out)
}

fn load_bucket(dir: &Path, name: &str, account: &str) -> Result<BucketData, DataError> {
    let mut b = BucketData {
        name: name.to_string(),
        account: Some(account.to_string()),
        ..BucketData::default()
    };
    if let Some(doc) = optional(&dir.join("policy.json"))? {
        s3::bucket_policy(&doc, &mut b.fields, &mut b.sources)?;
    }
    if let Some(doc) = optional(&dir.join("encryption.json"))? {
        s3::bucket_encryption(&doc, &mut b.fields, &mut b.sources)?;
    }
    if let Some(doc) = optional(&dir.join("ownership-controls.json"))? {
        s3::ownership_controls(&doc, &mut b.fields, &mut b.sources)?;
    }
    if let Some(doc) = optional(&dir.join("public-access-block.json"))? {
        b.public_access_block = Some(s3::public_access_block(&doc)?);
    }
    if let Some(doc) = optional(&dir.join("request-payment.json"))? {
        s3::request_payment(&doc, &mut b.fields)?;
    }
    if let Some(doc) = optional(&dir.join("location.json"))? {
        b.region = Some(s3::bucket_location(&doc)?);
    }
    if let Some(doc) = optional(&dir.join("object-lock.json"))? {
        s3::object_lock(&doc, &mut b.fields)?;
    }
    Ok(b)
}
