//! `aws organizations` output as the CLI prints it: `describe-organization` (the
//! organization and its management account), `describe-policy` (an SCP's or RCP's
//! content), `list-policies-for-target` and `list-parents` (which policies apply at each
//! level from the root down to the account, orgs_manage_policies_scps.html, S21).

use serde_json::{json, Value};

use super::iam::Origin;
use super::json::Doc;
use super::DataError;

/// `describe-organization`: `{"Organization": {"Id": "o-...", "MasterAccountId": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub management_account: Option<String>,
}

/// Reads `aws organizations describe-organization` output.
pub fn organization(doc: &Doc) -> Result<Organization, DataError> {
    let o = doc.root().req("Organization")?;
    Ok(Organization {
        id: o.req_str("Id")?.to_string(),
        management_account: o.opt_str("MasterAccountId")?.map(str::to_string),
    })
}

/// Which kind of organization policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgPolicyKind {
    Scp,
    Rcp,
}

/// One SCP or RCP with its content.
#[derive(Debug, Clone)]
pub struct OrgPolicy {
    pub id: String,
    pub name: String,
    pub arn: Option<String>,
    pub kind: OrgPolicyKind,
    pub document: Value,
    pub origin: Origin,
}

impl OrgPolicy {
    /// The `{name, arn, document}` entry of a level's `policies`.
    pub fn to_value(&self) -> Value {
        let mut v = json!({ "name": self.name });
        if let (Some(arn), Some(m)) = (&self.arn, v.as_object_mut()) {
            m.insert("arn".into(), json!(arn));
        }
        if let Some(m) = v.as_object_mut() {
            m.insert("document".into(), self.document.clone());
        }
        v
    }
}

/// `describe-policy`: `{"Policy": {"PolicySummary": {"Id", "Arn", "Name", "Type"},
/// "Content": "<JSON string>"}}`.
pub fn describe_policy(doc: &Doc) -> Result<OrgPolicy, DataError> {
    let p = doc.root().req("Policy")?;
    let summary = p.req("PolicySummary")?;
    let kind = summary.req("Type")?;
    let kind = match kind.str()? {
        "SERVICE_CONTROL_POLICY" => OrgPolicyKind::Scp,
        "RESOURCE_CONTROL_POLICY" => OrgPolicyKind::Rcp,
        other => {
            return Err(kind.err(format!(
                "{other:?}: expected SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY"
            )))
        }
    };
    let id = summary.req_str("Id")?.to_string();
    let content = p.req("Content")?;
    Ok(OrgPolicy {
        name: summary.opt_str("Name")?.unwrap_or(&id).to_string(),
        arn: summary.opt_str("Arn")?.map(str::to_string),
        id,
        kind,
        document: content.policy_document()?,
        origin: Origin {
            file: content.file.to_string(),
            path: content.path.clone(),
        },
    })
}

/// `list-policies-for-target`: the ids of `{"Policies": [{"Id", "Type", ...}]}`.
pub fn policies_for_target(doc: &Doc) -> Result<Vec<String>, DataError> {
    let root = doc.root();
    root.check_complete()?;
    root.req("Policies")?
        .items()?
        .iter()
        .map(|p| p.req_str("Id").map(str::to_string))
        .collect()
}

/// `list-parents`: the one parent `{"Parents": [{"Id", "Type": "ROOT" |
/// "ORGANIZATIONAL_UNIT"}]}`; `true` when it is the root.
pub fn parent(doc: &Doc) -> Result<(String, bool), DataError> {
    let parents = doc.root().req("Parents")?;
    let first = parents
        .items()?
        .into_iter()
        .next()
        .ok_or_else(|| parents.err("expected one parent"))?;
    let kind = first.req_str("Type")?;
    Ok((first.req_str("Id")?.to_string(), kind == "ROOT"))
}
