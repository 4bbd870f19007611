//! Several account snapshots together, for cross-account uploads: the principal's side
//! (IAM, SCPs) comes from the snapshot of the principal's account, the bucket's side
//! (bucket settings, RCPs, account Block Public Access) from the snapshot that holds the
//! bucket. AWS decides with both accounts' policies
//! (reference_policies_evaluation-logic-cross-account.html, S3).

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::snapshot::Snapshot;
use super::DataError;
use crate::aws::arn::{Principal, PrincipalKind};
use crate::facts::Facts;

/// One snapshot per account.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub list: Vec<Snapshot>,
}

impl Snapshots {
    /// Loads each folder; two snapshots of one account are an error.
    pub fn load(dirs: &[PathBuf]) -> Result<Snapshots, DataError> {
        let mut list: Vec<Snapshot> = Vec::new();
        for d in dirs {
            let s = Snapshot::load(d)?;
            if let Some(other) = list.iter().find(|o| o.account == s.account) {
                return Err(DataError::new(
                    &d.display().to_string(),
                    "",
                    format!(
                        "a second snapshot of account {} (the first is {})",
                        s.account,
                        other.dir.display()
                    ),
                ));
            }
            list.push(s);
        }
        Ok(Snapshots { list })
    }

    /// Every user and role of every snapshot, sorted.
    pub fn principal_arns(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .list
            .iter()
            .flat_map(Snapshot::principal_arns)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every bucket of every snapshot, sorted.
    pub fn bucket_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.list.iter().flat_map(Snapshot::bucket_names).collect();
        out.sort();
        out.dedup();
        out
    }

    /// What a principal's verdicts take from its own side: account, kind (user, role)
    /// and identity (policies with their names, boundary, tags). Principals with equal
    /// keys differ only by their ARN (see [`super::same`]); `None` when the principal
    /// cannot be read (its pairs report why, one by one).
    pub fn identity_key(&self, principal_text: &str) -> Option<String> {
        let principal = Principal::parse(principal_text).ok()?;
        let account = principal.account.as_ref()?;
        let side = self.list.iter().find(|s| s.account == *account)?;
        let kind = match &principal.kind {
            PrincipalKind::User { .. } => "user",
            PrincipalKind::RoleSession { session: None, .. } => "role",
            _ => return None,
        };
        let identity = side.world().auth.identity_for(&principal).ok()?;
        // A role with a path also carries its ARN in the request context.
        let path = identity.role_arn.is_some();
        Some(format!(
            "{account} {kind} {path} {}",
            identity.shared_value()
        ))
    }

    /// The snapshot directories, for sources.
    pub fn describe(&self) -> String {
        self.list
            .iter()
            .map(|s| s.dir.display().to_string())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// The fact document for `request` against `bucket`.
    pub fn fact_document(
        &self,
        bucket: &str,
        request: Map<String, Value>,
    ) -> Result<Value, DataError> {
        self.facts(bucket, request).map(|f| f.document)
    }

    /// The same, read.
    pub fn facts(&self, bucket: &str, request: Map<String, Value>) -> Result<Facts, DataError> {
        let Some(owner) = self.list.iter().find(|s| s.bucket(bucket).is_some()) else {
            let dirs = self.describe();
            return Err(DataError::new(
                "",
                "--bucket",
                format!("{bucket}: no snapshot has this bucket (snapshots: {dirs})"),
            ));
        };
        let principal_text = request
            .get("principal")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let principal =
            Principal::parse(principal_text).map_err(|m| DataError::new("", "--principal", m))?;
        let principal_side = match &principal.account {
            // Anonymous: no principal account; the bucket's side is all there is.
            None => owner,
            Some(a) => self.list.iter().find(|s| s.account == *a).ok_or_else(|| {
                DataError::new(
                    "",
                    "--principal",
                    format!(
                        "{principal_text}: no snapshot of account {a}, the principal's; \
                         give its snapshot too (--snapshot DIR, once per account)"
                    ),
                )
            })?,
        };
        match owner.bucket(bucket) {
            Some(Ok(b)) => {
                super::assemble::facts(principal_side.world(), owner.world(), b, request)
            }
            Some(Err(e)) => Err(e.clone()),
            None => Err(DataError::new(
                "",
                "--bucket",
                "no snapshot has this bucket",
            )),
        }
    }
}
