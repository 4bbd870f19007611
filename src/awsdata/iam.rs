//! `aws iam get-account-authorization-details`: every user, group and role with its
//! inline policies, attached managed policies, permissions boundary and tags, and every
//! managed policy with all its versions. From it, the `identity` part of a fact document
//! for one principal: the user's or role's own policies, and for a user the inline and
//! attached policies of each group it is in (IAM evaluates them all as identity-based
//! policies, reference_policies_evaluation-logic_policy-eval-basics.html, S2); each
//! managed policy in its default version, the one IAM enforces.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::json::{tag_list, Doc, Node};
use super::DataError;
use crate::aws::arn::{Principal, PrincipalKind};

/// Where a piece of the fact document came from, so errors the fact reader finds in it
/// (a bad statement in a policy) point back into the AWS output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub path: String,
}

impl Origin {
    fn of(n: &Node<'_>) -> Origin {
        Origin {
            file: n.file.to_string(),
            path: n.path.clone(),
        }
    }

    /// An error at this origin.
    pub fn err(&self, message: impl Into<String>) -> DataError {
        DataError::new(&self.file, &self.path, message)
    }
}

/// An inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList`).
#[derive(Debug, Clone)]
struct Inline {
    name: String,
    document: Value,
    origin: Origin,
}

/// A managed policy reference (`AttachedManagedPolicies[].PolicyArn`,
/// `PermissionsBoundary.PermissionsBoundaryArn`).
#[derive(Debug, Clone)]
struct PolicyRef {
    arn: String,
    origin: Origin,
}

/// A user, group or role.
#[derive(Debug, Clone)]
struct Entity {
    name: String,
    arn: String,
    path: String,
    inline: Vec<Inline>,
    attached: Vec<PolicyRef>,
    /// Group names, for users.
    groups: Vec<(String, Origin)>,
    boundary: Option<PolicyRef>,
    tags: Map<String, Value>,
    /// `UserId` / `RoleId`: the unique ID that `aws:userid` is made of.
    unique_id: Option<String>,
}

/// A managed policy in its default version.
#[derive(Debug, Clone)]
struct Managed {
    name: String,
    document: Value,
    origin: Origin,
}

/// A policy placed in the fact document: its JSON path there and where it came from.
pub type Sources = Vec<(String, Origin)>;

/// The authorization details of one account, from one or more pages.
#[derive(Debug, Clone, Default)]
pub struct AuthDetails {
    users: Vec<Entity>,
    groups: BTreeMap<String, Entity>,
    roles: Vec<Entity>,
    policies: BTreeMap<String, Managed>,
    /// The files read, for messages.
    files: Vec<String>,
    /// Every user and role ARN read so far.
    arns: std::collections::HashSet<String>,
}

impl AuthDetails {
    /// Reads one or more pages of `get-account-authorization-details` output. The answer
    /// must be complete: exactly one page may end the answer (`IsTruncated` false).
    pub fn from_pages(pages: &[Doc]) -> Result<AuthDetails, DataError> {
        let mut out = AuthDetails::default();
        let mut complete = 0;
        let mut truncation = None;
        for doc in pages {
            let root = doc.root();
            if !root.value.is_object() {
                return Err(root.err(
                    "expected the JSON object that \
                     `aws iam get-account-authorization-details` prints",
                ));
            }
            match root.check_complete() {
                Ok(()) => complete += 1,
                Err(e) => truncation = Some(e),
            }
            out.read_page(&root)?;
            out.files.push(doc.name.clone());
        }
        // A single page must be complete; of several, all but one carry IsTruncated.
        if complete == 0 {
            if let Some(e) = truncation {
                return Err(e);
            }
        }
        Ok(out)
    }

    fn read_page(&mut self, root: &Node<'_>) -> Result<(), DataError> {
        // The pages of one answer never list an entry twice: a repeat means pages of two
        // answers (two accounts, or an older snapshot) mixed, and which copy to believe is
        // anyone's guess.
        let twice = |n: &Node<'_>, what: &str| {
            n.err(format!(
                "{what} is listed twice in the pages given: pages of one \
                 get-account-authorization-details answer never repeat an entry (are pages \
                 of two answers mixed?)"
            ))
        };
        for u in root.list("UserDetailList")? {
            let mut e = entity(&u, "UserName", "UserPolicyList", "UserId")?;
            for g in u.list("GroupList")? {
                e.groups.push((g.str()?.to_string(), Origin::of(&g)));
            }
            if !self.arns.insert(e.arn.clone()) {
                return Err(twice(&u, &e.arn));
            }
            self.users.push(e);
        }
        for g in root.list("GroupDetailList")? {
            let e = entity(&g, "GroupName", "GroupPolicyList", "GroupId")?;
            if self.groups.contains_key(&e.name) {
                return Err(twice(&g, &format!("group {}", e.name)));
            }
            self.groups.insert(e.name.clone(), e);
        }
        for r in root.list("RoleDetailList")? {
            let e = entity(&r, "RoleName", "RolePolicyList", "RoleId")?;
            if !self.arns.insert(e.arn.clone()) {
                return Err(twice(&r, &e.arn));
            }
            self.roles.push(e);
        }
        for p in root.list("Policies")? {
            let arn = p.req_str("Arn")?.to_string();
            let name = p.opt_str("PolicyName")?.unwrap_or(&arn).to_string();
            let (document, origin) = default_version(&p)?;
            if self.policies.contains_key(&arn) {
                return Err(twice(&p, &arn));
            }
            self.policies.insert(
                arn,
                Managed {
                    name,
                    document,
                    origin,
                },
            );
        }
        Ok(())
    }

    /// Every user and role ARN, in file order (users first): the principals a snapshot
    /// can be checked for.
    pub fn principal_arns(&self) -> Vec<String> {
        self.users
            .iter()
            .chain(self.roles.iter())
            .map(|e| e.arn.clone())
            .collect()
    }

    /// The account of the first user or role, if any.
    pub fn account(&self) -> Option<String> {
        self.users
            .iter()
            .chain(self.roles.iter())
            .find_map(|e| e.arn.split(':').nth(4).map(str::to_string))
    }

    /// The fact document's `identity` for `principal`, with the origin of each policy.
    /// A role session gets its role's policies; the root user and anonymous get none.
    pub fn identity_for(&self, principal: &Principal) -> Result<Identity, DataError> {
        let files = self.files.join(", ");
        let entity = match &principal.kind {
            PrincipalKind::Root | PrincipalKind::Anonymous => return Ok(Identity::default()),
            PrincipalKind::User { .. } => self
                .users
                .iter()
                .find(|u| u.arn == principal.arn)
                .ok_or_else(|| {
                    DataError::new(
                        &files,
                        "UserDetailList",
                        format!("no user with Arn {}", principal.arn),
                    )
                })?,
            PrincipalKind::RoleSession {
                role_path_name,
                role_name,
                session,
            } => {
                let account = principal.account.as_deref().unwrap_or_default();
                // A session ARN carries the role's name without its path.
                let found = self.roles.iter().find(|r| {
                    let in_account = r.arn.split(':').nth(4) == Some(account);
                    in_account
                        && match session {
                            Some(_) => r.name == *role_name,
                            None => r.arn.ends_with(&format!(":role/{role_path_name}")),
                        }
                });
                found.ok_or_else(|| {
                    // The role named without its path (role/NAME for role/service/NAME).
                    let same_name = self
                        .roles
                        .iter()
                        .find(|r| r.name == *role_name && r.arn.split(':').nth(4) == Some(account));
                    let hint = same_name
                        .map(|r| format!(": its ARN is {}, with its path", r.arn))
                        .unwrap_or_default();
                    DataError::new(
                        &files,
                        "RoleDetailList",
                        format!("no role {role_path_name} in account {account}{hint}"),
                    )
                })?
            }
            PrincipalKind::FederatedUser { .. } => {
                return Err(DataError::new(
                    "",
                    "--principal",
                    format!(
                        "{}: a federated user's permissions are those of the IAM user who \
                         called GetFederationToken, which its ARN does not name; give that \
                         user's ARN",
                        principal.arn
                    ),
                ))
            }
        };
        self.assemble(entity)
    }

    fn assemble(&self, e: &Entity) -> Result<Identity, DataError> {
        let mut id = Identity {
            role_arn: (e.path != "/" && e.arn.contains(":role/")).then(|| e.arn.clone()),
            ..Identity::default()
        };
        let mut seen = Vec::new();
        id.add_entity(self, e, None, &mut seen)?;
        for (group, origin) in &e.groups {
            let g = self.groups.get(group).ok_or_else(|| {
                origin.err(format!("no group named {group:?} in GroupDetailList"))
            })?;
            id.add_entity(self, g, Some(group), &mut seen)?;
        }
        if let Some(b) = &e.boundary {
            let m = self.managed(b)?;
            id.sources
                .push(("identity.permissions_boundary".into(), m.origin.clone()));
            id.boundary = Some(m.document.clone());
        }
        id.tags = e.tags.clone();
        id.unique_id = e.unique_id.clone();
        Ok(id)
    }

    fn managed(&self, r: &PolicyRef) -> Result<&Managed, DataError> {
        self.policies
            .get(&r.arn)
            .ok_or_else(|| r.origin.err("no policy with this ARN in Policies"))
    }
}

/// The `identity` of a fact document, being built.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    policies: Vec<Value>,
    boundary: Option<Value>,
    tags: Map<String, Value>,
    /// Where each policy came from, by its path in the fact document.
    pub sources: Sources,
    /// The role's full ARN when it has a path, which a session ARN leaves out.
    pub role_arn: Option<String>,
    /// The user's or role's unique ID (`identity.unique_id`).
    unique_id: Option<String>,
}

impl Identity {
    fn push(&mut self, name: String, arn: Option<&str>, document: &Value, origin: &Origin) {
        let path = format!("identity.policies[{}].document", self.policies.len());
        let mut p = json!({ "name": name });
        if let (Some(arn), Some(m)) = (arn, p.as_object_mut()) {
            m.insert("arn".into(), Value::String(arn.to_string()));
        }
        if let Some(m) = p.as_object_mut() {
            m.insert("document".into(), document.clone());
        }
        self.policies.push(p);
        self.sources.push((path, origin.clone()));
    }

    fn add_entity(
        &mut self,
        details: &AuthDetails,
        e: &Entity,
        group: Option<&str>,
        seen: &mut Vec<String>,
    ) -> Result<(), DataError> {
        let suffix = group.map(|g| format!(" (group {g})")).unwrap_or_default();
        for p in &e.inline {
            self.push(format!("{}{suffix}", p.name), None, &p.document, &p.origin);
        }
        for r in &e.attached {
            let m = details.managed(r)?;
            // The same managed policy through the user and a group is one policy.
            if seen.contains(&r.arn) {
                continue;
            }
            seen.push(r.arn.clone());
            self.push(
                format!("{}{suffix}", m.name),
                Some(&r.arn),
                &m.document,
                &m.origin,
            );
        }
        Ok(())
    }

    /// The `identity` object of the fact document, without the unique ID: what principals
    /// with the same permissions share (the matrix's identity classes).
    pub fn shared_value(&self) -> Value {
        let mut v = self.to_value();
        if let Some(m) = v.as_object_mut() {
            m.remove("unique_id");
        }
        v
    }

    /// The `identity` object of the fact document.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("policies".into(), Value::Array(self.policies.clone()));
        if let Some(b) = &self.boundary {
            m.insert("permissions_boundary".into(), b.clone());
        }
        if !self.tags.is_empty() {
            m.insert("tags".into(), Value::Object(self.tags.clone()));
        }
        if let Some(id) = &self.unique_id {
            m.insert("unique_id".into(), Value::String(id.clone()));
        }
        Value::Object(m)
    }
}

fn entity(
    n: &Node<'_>,
    name_key: &str,
    inline_key: &str,
    id_key: &str,
) -> Result<Entity, DataError> {
    let name = n.req_str(name_key)?.to_string();
    let arn = n.req_str("Arn")?.to_string();
    let mut inline = Vec::new();
    for p in n.list(inline_key)? {
        let doc = p.req("PolicyDocument")?;
        inline.push(Inline {
            name: p.req_str("PolicyName")?.to_string(),
            document: doc.policy_document()?,
            origin: Origin::of(&doc),
        });
    }
    let mut attached = Vec::new();
    for a in n.list("AttachedManagedPolicies")? {
        let arn = a.req("PolicyArn")?;
        attached.push(PolicyRef {
            arn: arn.str()?.to_string(),
            origin: Origin::of(&arn),
        });
    }
    let boundary = match n.get("PermissionsBoundary")? {
        None => None,
        Some(b) => {
            let arn = b.req("PermissionsBoundaryArn")?;
            Some(PolicyRef {
                arn: arn.str()?.to_string(),
                origin: Origin::of(&arn),
            })
        }
    };
    Ok(Entity {
        name,
        arn,
        path: n.opt_str("Path")?.unwrap_or("/").to_string(),
        inline,
        attached,
        groups: Vec::new(),
        boundary,
        tags: tag_list(n, "Tags")?,
        unique_id: n.opt_str(id_key)?.map(str::to_string),
    })
}

/// The version IAM enforces: the one with `IsDefaultVersion` true, which must be the
/// policy's `DefaultVersionId` when both are given.
fn default_version(p: &Node<'_>) -> Result<(Value, Origin), DataError> {
    let versions = p.req("PolicyVersionList")?;
    let default_id = p.opt_str("DefaultVersionId")?;
    let mut found = None;
    for v in versions.items()? {
        if v.opt_bool("IsDefaultVersion")? == Some(true) {
            if let (Some(want), Some(id)) = (default_id, v.opt_str("VersionId")?) {
                if want != id {
                    return Err(v.err(format!(
                        "IsDefaultVersion is true but VersionId {id} is not the policy's \
                         DefaultVersionId {want}"
                    )));
                }
            }
            found = Some(v);
            break;
        }
    }
    let v = found.ok_or_else(|| versions.err("no version has IsDefaultVersion true"))?;
    let doc = v.req("Document")?;
    Ok((doc.policy_document()?, Origin::of(&doc)))
}
