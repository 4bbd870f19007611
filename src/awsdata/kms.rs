//! `aws kms describe-key`, `get-key-policy` and `list-aliases` as the CLI prints them,
//! into the fact document's `kms_keys`.

use serde_json::{json, Map, Value};

use super::iam::{Origin, Sources};
use super::json::Doc;
use super::DataError;

/// One KMS key, as the facts need it.
#[derive(Debug, Clone)]
pub struct Key {
    pub arn: String,
    pub key_id: String,
    /// `AWS` or `CUSTOMER` (DescribeKey's KeyManager).
    pub manager: String,
    /// `alias/...` names pointing at the key.
    pub aliases: Vec<String>,
    /// DescribeKey's `KeyState` when it is not `Enabled` (`Disabled`, `PendingDeletion`,
    /// ...), with where it stands: KMS refuses such a key, in a way s3why does not decide.
    pub unusable: Option<(String, Origin)>,
    pub policy: Option<(Value, Origin)>,
}

/// `aws kms describe-key`: `{"KeyMetadata": {"Arn", "KeyId", "KeyManager", ...}}`.
pub fn describe_key(doc: &Doc) -> Result<Key, DataError> {
    let root = doc.root();
    let m = root.req("KeyMetadata")?;
    let arn = m.req_str("Arn")?.to_string();
    let key_id = m.req_str("KeyId")?.to_string();
    let manager = m.req("KeyManager")?;
    let manager_text = manager.str()?;
    if manager_text != "AWS" && manager_text != "CUSTOMER" {
        return Err(manager.err(format!("{manager_text:?}: expected AWS or CUSTOMER")));
    }
    let unusable = match m.get("KeyState")? {
        Some(state) if state.str()? != "Enabled" => Some((
            state.str()?.to_string(),
            Origin {
                file: state.file.to_string(),
                path: state.path.clone(),
            },
        )),
        _ => None,
    };
    Ok(Key {
        arn,
        key_id,
        manager: manager_text.to_string(),
        aliases: Vec::new(),
        policy: None,
        unusable,
    })
}

/// `aws kms get-key-policy`: `{"Policy": "<JSON string>", "PolicyName": "default"}`.
pub fn key_policy(doc: &Doc) -> Result<(Value, Origin), DataError> {
    let root = doc.root();
    let p = root.req("Policy")?;
    Ok((
        p.policy_document()?,
        Origin {
            file: p.file.to_string(),
            path: p.path.clone(),
        },
    ))
}

/// `aws kms list-aliases`: `{"Aliases": [{"AliasName", "AliasArn", "TargetKeyId"}]}` as
/// (alias name, target key id) pairs; AWS's predefined aliases without a target are left out.
pub fn list_aliases(doc: &Doc) -> Result<Vec<(String, String)>, DataError> {
    let root = doc.root();
    root.check_complete()?;
    let mut out = Vec::new();
    for a in root.req("Aliases")?.items()? {
        let name = a.req_str("AliasName")?;
        if let Some(target) = a.opt_str("TargetKeyId")? {
            out.push((name.to_string(), target.to_string()));
        }
    }
    Ok(out)
}

impl Key {
    /// Adds the aliases whose target is this key.
    pub fn take_aliases(&mut self, aliases: &[(String, String)]) {
        for (name, target) in aliases {
            if (*target == self.key_id || *target == self.arn) && !self.aliases.contains(name) {
                self.aliases.push(name.clone());
            }
        }
    }

    /// The key is the one `reference` names: its ARN, key id, an alias name or alias ARN.
    pub fn is_named_by(&self, reference: &str) -> bool {
        if reference == self.arn || reference == self.key_id {
            return true;
        }
        let alias = match reference.split_once(":alias/") {
            Some((prefix, name)) if self.arn.starts_with(&format!("{prefix}:")) => {
                format!("alias/{name}")
            }
            Some(_) => return false,
            None => reference.to_string(),
        };
        self.aliases.contains(&alias)
    }

    /// The `kms_keys[i]` entry; records the policy's origin at `index`.
    pub fn to_value(&self, index: usize, src: &mut Sources) -> Value {
        let mut m = Map::new();
        m.insert("arn".into(), json!(self.arn));
        if !self.aliases.is_empty() {
            m.insert("aliases".into(), json!(self.aliases));
        }
        m.insert("manager".into(), json!(self.manager));
        if let Some((p, o)) = &self.policy {
            m.insert("policy".into(), p.clone());
            src.push((format!("kms_keys[{index}].policy"), o.clone()));
        }
        Value::Object(m)
    }
}
