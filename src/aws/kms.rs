//! SSE-KMS and DSSE-KMS: which key encrypts the object, and the KMS calls S3 makes on
//! the uploader's behalf (UsingKMSEncryption.html, aws-semantics §8, facts.md "Meaning").

use serde::Serialize;
use std::cell::RefCell;

use crate::facts::{Facts, KeyManager, KmsKey, Request};

use super::arn::Arn;
use super::policy::{Policy, PolicyType};

/// How the object will be encrypted with KMS.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KmsUse {
    /// `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// Where the key came from: `request` (header), `request-default` (aws:kms without a
    /// key: the uploader's aws/s3), `bucket-default`.
    pub source: &'static str,
    /// The key reference as given (ARN, key id, alias, alias ARN), or `alias/aws/s3`.
    pub reference: String,
    /// The account the reference is resolved in.
    pub resolve_account: String,
    /// An S3 Bucket Key is used (never with DSSE-KMS, S40).
    pub bucket_key: bool,
}

/// The resolved key with the policy that governs it.
#[derive(Debug, Clone)]
pub struct ResolvedKey {
    pub arn: String,
    pub account: String,
    pub region: String,
    pub manager: KeyManager,
    pub policy: Policy,
    /// The policy was not in the facts: AWS's default for this kind of key was assumed.
    pub policy_assumed: bool,
    /// Named by key id or alias, and found only in another account than the uploader's.
    pub id_not_arn_cross_account: bool,
}

/// Which KMS encryption the upload uses, if any.
pub fn kms_use(facts: &Facts, request: &Request) -> Option<KmsUse> {
    let uploader = request
        .principal
        .account
        .clone()
        .unwrap_or_else(|| facts.bucket.account.clone());
    let header_alg = request.header("x-amz-server-side-encryption");
    let header_key = request.header("x-amz-server-side-encryption-aws-kms-key-id");
    let bucket_key_header = request
        .header("x-amz-server-side-encryption-bucket-key-enabled")
        .map(|v| v.eq_ignore_ascii_case("true"));
    let bucket_default_bk = facts
        .bucket
        .encryption
        .as_ref()
        .is_some_and(|e| e.bucket_key);
    let dsse = |alg: &str| alg == "aws:kms:dsse";
    match (header_alg, header_key) {
        (Some(alg), key) if alg.starts_with("aws:kms") || key.is_some() => Some(KmsUse {
            algorithm: alg.to_string(),
            source: if key.is_some() {
                "request"
            } else {
                "request-default"
            },
            reference: key.unwrap_or("alias/aws/s3").to_string(),
            resolve_account: uploader,
            bucket_key: !dsse(alg) && bucket_key_header.unwrap_or(bucket_default_bk),
        }),
        (None, Some(key)) => Some(KmsUse {
            algorithm: "aws:kms".into(),
            source: "request",
            reference: key.to_string(),
            resolve_account: uploader,
            bucket_key: bucket_key_header.unwrap_or(bucket_default_bk),
        }),
        (Some(_), _) => None,
        (None, None) => {
            let enc = facts.bucket.encryption.as_ref()?;
            if !enc.algorithm.starts_with("aws:kms") {
                return None;
            }
            // A default of aws:kms without a key id means the bucket account's aws/s3;
            // an alias is resolved in the uploader's account (facts.md, S37).
            let (reference, account) = match &enc.kms_key_id {
                Some(k) => (k.clone(), uploader),
                None => ("alias/aws/s3".to_string(), facts.bucket.account.clone()),
            };
            Some(KmsUse {
                algorithm: enc.algorithm.clone(),
                source: "bucket-default",
                reference,
                resolve_account: account,
                bucket_key: !dsse(&enc.algorithm) && bucket_key_header.unwrap_or(enc.bucket_key),
            })
        }
    }
}

/// Resolves a key reference the way S3 does: ARNs name their account; key ids and
/// aliases are looked up in `resolve_account` (S36, S37).
pub fn resolve_key(facts: &Facts, kms: &KmsUse, default_region: &str) -> ResolvedKey {
    let r = kms.reference.as_str();
    if let Some(arn) = Arn::parse(r) {
        if let Some(alias) = arn.resource.strip_prefix("alias/") {
            let found = facts
                .kms_keys
                .iter()
                .find(|k| k.account == arn.account && has_alias(k, alias));
            let mut key = from_found(found, arn.account, arn.region, Some(alias), r);
            // S28: a key of another account is named by its key ARN; an alias ARN is not
            // one (decisions.md #14).
            key.id_not_arn_cross_account =
                kms.source == "request" && arn.account != kms.resolve_account;
            return key;
        }
        let found = facts.kms_keys.iter().find(|k| k.arn == r);
        return from_found(found, arn.account, arn.region, None, r);
    }
    let account = kms.resolve_account.as_str();
    if let Some(alias) = r.strip_prefix("alias/") {
        let found = facts
            .kms_keys
            .iter()
            .find(|k| k.account == account && has_alias(k, alias));
        let mut key = from_found(found, account, default_region, Some(alias), r);
        if found.is_none() {
            key.id_not_arn_cross_account = facts
                .kms_keys
                .iter()
                .any(|k| k.account != account && has_alias(k, alias))
                && alias != "aws/s3";
        }
        return key;
    }
    // A bare key id.
    let own = facts
        .kms_keys
        .iter()
        .find(|k| k.account == account && k.key_id == r);
    let mut key = from_found(own, account, default_region, None, r);
    if own.is_none() {
        if let Some(other) = facts.kms_keys.iter().find(|k| k.key_id == r) {
            key = from_found(Some(other), &other.account, &other.region, None, r);
            key.id_not_arn_cross_account = true;
        }
    }
    key
}

fn has_alias(k: &KmsKey, alias: &str) -> bool {
    k.aliases
        .iter()
        .any(|a| a.strip_prefix("alias/").unwrap_or(a) == alias)
}

fn from_found(
    found: Option<&KmsKey>,
    account: &str,
    region: &str,
    alias: Option<&str>,
    reference: &str,
) -> ResolvedKey {
    if let Some(k) = found {
        let (policy, assumed) = match &k.policy {
            Some(p) => (p.clone(), false),
            None => (default_key_policy(k.manager, &k.account, &k.region), true),
        };
        return ResolvedKey {
            arn: k.arn.clone(),
            account: k.account.clone(),
            region: k.region.clone(),
            manager: k.manager,
            policy,
            policy_assumed: assumed,
            id_not_arn_cross_account: false,
        };
    }
    // A key the facts do not describe: `aws/s3` is AWS managed; anything else is taken as
    // a customer managed key with the default key policy.
    let manager = if alias == Some("aws/s3") {
        KeyManager::Aws
    } else {
        KeyManager::Customer
    };
    let arn = if reference.starts_with("arn:") {
        reference.to_string()
    } else {
        format!(
            "arn:aws:kms:{region}:{account}:{}",
            if alias.is_some() {
                reference.to_string()
            } else {
                format!("key/{reference}")
            }
        )
    };
    ResolvedKey {
        arn,
        account: account.to_string(),
        region: region.to_string(),
        manager,
        policy: default_key_policy(manager, account, region),
        policy_assumed: true,
        id_not_arn_cross_account: false,
    }
}

/// How many compiled default key policies a thread keeps ([`default_key_policy`]).
const DEFAULTS_KEPT: usize = 16;

thread_local! {
    /// The default key policies compiled last on this thread, by manager, account and
    /// region. A record's fix search decides its upload again and again, resolving the
    /// same key each time: one compiled policy (one path, the same statements) saves
    /// compiling it and lets those decisions reuse its traces and their views
    /// (`evaluate::Reuse` finds a policy by its path). Bounded, so a long batch of other
    /// accounts keeps no more.
    static DEFAULTS: RefCell<Vec<(KeyManager, String, String, Policy)>> =
        const { RefCell::new(Vec::new()) };
}

/// AWS's default key policies: for AWS managed keys the documented `kms:ViaService` +
/// `kms:CallerAccount` pattern (decisions.md #18, S44); for customer keys the default that
/// delegates to IAM (key-policy-default.html, S42).
pub fn default_key_policy(manager: KeyManager, account: &str, region: &str) -> Policy {
    DEFAULTS.with(|kept| {
        let found = kept
            .borrow()
            .iter()
            .find(|(m, a, r, _)| *m == manager && a == account && r == region)
            .map(|(.., p)| p.clone());
        found.unwrap_or_else(|| {
            let policy = compile_default(manager, account, region);
            let mut kept = kept.borrow_mut();
            if kept.len() >= DEFAULTS_KEPT {
                kept.remove(0);
            }
            kept.push((manager, account.into(), region.into(), policy.clone()));
            policy
        })
    })
}

fn compile_default(manager: KeyManager, account: &str, region: &str) -> Policy {
    let doc = match manager {
        KeyManager::Aws => serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": format!("s3.{region}.amazonaws.com")}}
            }, {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*"
            }]
        }),
        KeyManager::Customer => serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": "kms:*",
                "Resource": "*"
            }]
        }),
    };
    let path = "(assumed default key policy)";
    Policy::parse(&doc, PolicyType::KmsKeyPolicy, path)
        .unwrap_or_else(|_| Policy::allow_all(PolicyType::KmsKeyPolicy, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A default key policy is compiled once for its key (the same path and statements
    /// the next time, which is what lets a counterfactual reuse its traces), and another
    /// account's is its own, with that account in it.
    #[test]
    fn default_key_policies_are_compiled_once_per_key() {
        let a = default_key_policy(KeyManager::Aws, "111122223333", "us-east-1");
        let again = default_key_policy(KeyManager::Aws, "111122223333", "us-east-1");
        assert!(Arc::ptr_eq(&a.path, &again.path));
        assert!(Arc::ptr_eq(&a.statements, &again.statements));
        for (manager, account, region) in [
            (KeyManager::Aws, "444455556666", "us-east-1"),
            (KeyManager::Aws, "111122223333", "eu-west-1"),
            (KeyManager::Customer, "111122223333", "us-east-1"),
        ] {
            let other = default_key_policy(manager, account, region);
            assert!(!Arc::ptr_eq(&a.statements, &other.statements));
            let fresh = compile_default(manager, account, region);
            assert_eq!(format!("{other:?}"), format!("{fresh:?}"));
            assert!(format!("{other:?}").contains(account));
        }
        // More keys than are kept: the first is compiled afresh, and equal.
        for i in 0..DEFAULTS_KEPT {
            default_key_policy(KeyManager::Customer, &format!("{i:012}"), "us-east-1");
        }
        let later = default_key_policy(KeyManager::Aws, "111122223333", "us-east-1");
        assert!(!Arc::ptr_eq(&a.statements, &later.statements));
        assert_eq!(format!("{a:?}"), format!("{later:?}"));
    }
}
