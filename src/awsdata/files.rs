//! `s3why facts` from individual files: each flag names one command's output.

use std::path::{Path, PathBuf};

use super::assemble::{BucketData, Level, World};
use super::json::Doc;
use super::{iam, kms, orgs, s3, DataError};

/// The AWS CLI output files a user gives, one per command.
#[derive(Debug, Clone, Default)]
pub struct FileInputs {
    /// `aws iam get-account-authorization-details` (one file, or every page).
    pub auth_details: Vec<PathBuf>,
    pub bucket_policy: Option<PathBuf>,
    pub bucket_encryption: Option<PathBuf>,
    pub ownership_controls: Option<PathBuf>,
    pub public_access_block: Option<PathBuf>,
    pub account_public_access_block: Option<PathBuf>,
    pub request_payment: Option<PathBuf>,
    pub bucket_location: Option<PathBuf>,
    pub object_lock: Option<PathBuf>,
    /// `aws kms describe-key` output, with `get-key-policy` output when known.
    pub kms_keys: Vec<(PathBuf, Option<PathBuf>)>,
    pub kms_aliases: Option<PathBuf>,
    pub vpc_endpoints: Option<PathBuf>,
    pub organization: Option<PathBuf>,
    /// SCP levels of the principal's account, root first: target id and
    /// `describe-policy` outputs.
    pub scp_levels: Vec<(String, Vec<PathBuf>)>,
    /// RCP levels of the bucket's account, root first.
    pub rcp_levels: Vec<(String, Vec<PathBuf>)>,
    pub bucket_account: Option<String>,
    pub region: Option<String>,
}

fn read(p: &Path) -> Result<Doc, DataError> {
    Doc::read(p)
}

/// Reads the describe-policy files of each level, checking each is of the kind asked.
pub fn read_levels(
    levels: &[(String, Vec<PathBuf>)],
    kind: orgs::OrgPolicyKind,
) -> Result<Vec<Level>, DataError> {
    let mut out = Vec::new();
    for (target, files) in levels {
        let mut policies = Vec::new();
        for f in files {
            let doc = read(f)?;
            let p = orgs::describe_policy(&doc)?;
            if p.kind != kind {
                return Err(DataError::new(
                    &doc.name,
                    "Policy.PolicySummary.Type",
                    format!(
                        "this is not a{}",
                        match kind {
                            orgs::OrgPolicyKind::Scp => " service control policy",
                            orgs::OrgPolicyKind::Rcp => " resource control policy",
                        }
                    ),
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

impl FileInputs {
    /// Reads every file: what is known of the account, and of `bucket`.
    pub fn load(&self, bucket: &str) -> Result<(World, BucketData), DataError> {
        let pages = self
            .auth_details
            .iter()
            .map(|p| read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut world = World {
            auth: iam::AuthDetails::from_pages(&pages)?,
            ..World::default()
        };
        if let Some(p) = &self.organization {
            world.organization = Some(orgs::organization(&read(p)?)?);
        }
        // SCPs and RCPs apply only inside an organization; without one they would be
        // read and then silently ignored.
        if world.organization.is_none() {
            for (flag, given) in [
                ("--scp-level", !self.scp_levels.is_empty()),
                ("--rcp-level", !self.rcp_levels.is_empty()),
            ] {
                if given {
                    return Err(DataError::new(
                        "",
                        flag,
                        "needs --organization (aws organizations describe-organization \
                         output): organization policies apply only to accounts in one",
                    ));
                }
            }
        }
        world.scps = read_levels(&self.scp_levels, orgs::OrgPolicyKind::Scp)?;
        world.rcps = read_levels(&self.rcp_levels, orgs::OrgPolicyKind::Rcp)?;
        if let Some(p) = &self.account_public_access_block {
            world.account_public_access_block = Some(s3::public_access_block(&read(p)?)?);
        }
        let aliases = match &self.kms_aliases {
            Some(p) => kms::list_aliases(&read(p)?)?,
            None => Vec::new(),
        };
        for (describe, policy) in &self.kms_keys {
            let mut key = kms::describe_key(&read(describe)?)?;
            if let Some(p) = policy {
                key.policy = Some(kms::key_policy(&read(p)?)?);
            }
            key.take_aliases(&aliases);
            world.keys.push(key);
        }
        if let Some(p) = &self.vpc_endpoints {
            world.vpc_endpoints = Some(read(p)?);
        }

        let mut b = BucketData {
            name: bucket.to_string(),
            account: self.bucket_account.clone(),
            region: self.region.clone(),
            ..BucketData::default()
        };
        if let Some(p) = &self.bucket_policy {
            s3::bucket_policy(&read(p)?, &mut b.fields, &mut b.sources)?;
        }
        if let Some(p) = &self.bucket_encryption {
            s3::bucket_encryption(&read(p)?, &mut b.fields, &mut b.sources)?;
        }
        if let Some(p) = &self.ownership_controls {
            s3::ownership_controls(&read(p)?, &mut b.fields, &mut b.sources)?;
        }
        if let Some(p) = &self.public_access_block {
            b.public_access_block = Some(s3::public_access_block(&read(p)?)?);
        }
        if let Some(p) = &self.request_payment {
            s3::request_payment(&read(p)?, &mut b.fields)?;
        }
        if let Some(p) = &self.object_lock {
            s3::object_lock(&read(p)?, &mut b.fields)?;
        }
        if let (None, Some(p)) = (&b.region, &self.bucket_location) {
            b.region = Some(s3::bucket_location(&read(p)?)?);
        }
        Ok((world, b))
    }
}
