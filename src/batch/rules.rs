//! Rule metadata for reporters (SARIF `tool.driver.rules`): one entry per finding id the
//! bundled ruleset can report, as catalogued in `findings.md`.
//!
//! [`from_ruleset`] takes it from the loaded ruleset's rule metadata (bundled and custom
//! rules); [`rule_metadata`] is the static catalogue, for writers used without a ruleset.

/// What a reporter shows about one finding id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// The stable finding id (`put-object-acl-not-allowed`).
    pub id: String,
    /// One line, for lists.
    pub title: String,
    /// The cause in full, as the catalogue states it.
    pub description: String,
    /// `error`, `warning` or `info`: the severity the rule usually reports.
    pub severity: String,
    /// Where the finding is documented, when that has an absolute address.
    pub help_uri: Option<String>,
}

/// The id of the pseudo-rule for a record that could not be evaluated.
pub const INPUT_ERROR_ID: &str = "s3why/input-error";
/// The id of the pseudo-rule for a denied verdict that carries no `error` finding (the
/// ruleset did not name the cause; facts.md says this should not happen).
pub const UNEXPLAINED_DENIAL_ID: &str = "s3why/denied";

/// (id, title, description) from `findings.md`; every bundled finding is a cause, so
/// its default severity is `error`.
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("put-object-acl-not-allowed", "The upload sets an ACL but s3:PutObjectAcl is not granted",
     "The upload sets an ACL (an x-amz-acl other than bucket-owner-full-control, or any x-amz-grant-* header) and nothing grants s3:PutObjectAcl on the object to this principal."),
    ("bucket-policy-source-ip", "A bucket-policy aws:SourceIp condition refuses the request",
     "A bucket-policy statement conditioned on aws:SourceIp refuses the request: a Deny whose IP condition matches, or an Allow the request needs whose IP condition fails."),
    ("bucket-policy-storage-class", "A bucket-policy storage-class condition refuses the request",
     "A bucket-policy statement conditioned on s3:x-amz-storage-class refuses the request."),
    ("bucket-policy-acl", "A bucket-policy s3:x-amz-acl condition refuses the request",
     "A bucket-policy statement conditioned on s3:x-amz-acl refuses the request."),
    ("bucket-policy-grant", "A bucket-policy s3:x-amz-grant-* condition refuses the request",
     "A bucket-policy statement conditioned on an s3:x-amz-grant-* key refuses the request."),
    ("bucket-policy-kms-key", "A bucket-policy KMS key condition refuses the request",
     "A bucket-policy statement conditioned on s3:x-amz-server-side-encryption-aws-kms-key-id refuses the request."),
    ("bucket-policy-encryption", "A bucket-policy encryption condition refuses the request",
     "A bucket-policy statement conditioned on s3:x-amz-server-side-encryption refuses the request."),
    ("vpc-endpoint-policy-no-allow", "The VPC endpoint policy does not allow the upload",
     "The request goes through a VPC endpoint whose policy does not allow s3:PutObject on this object."),
    ("vpc-endpoint-policy-acl-not-allowed", "The VPC endpoint policy does not allow s3:PutObjectAcl",
     "The upload sends an ACL, goes through a VPC endpoint, and the endpoint policy does not allow s3:PutObjectAcl."),
    ("kms-identity-no-allow", "No identity policy allows the KMS actions the upload needs",
     "The object is encrypted with SSE-KMS under a key whose use needs an identity-policy grant, and no identity policy allows the KMS actions the upload needs."),
    ("kms-key-policy-no-allow", "The KMS key policy does not allow this principal",
     "The key policy does not allow this principal the KMS actions the upload needs, directly or by delegating to the principal's account."),
    ("kms-aws-managed-key-cross-account", "The AWS managed key aws/s3 cannot be used across accounts",
     "The object would be encrypted with the AWS managed key aws/s3 and the uploader belongs to another account than the key."),
    ("kms-decrypt-not-allowed", "The upload needs kms:Decrypt and it is not granted",
     "The upload needs kms:Decrypt (a multipart upload, or an S3 Bucket Key) and it is not granted, while kms:GenerateDataKey is."),
    ("identity-no-allow", "No identity-based policy allows the action",
     "No identity-based policy allows the action, and no resource-policy grant makes up for it."),
    ("identity-explicit-deny", "An identity-based policy denies the action",
     "An identity-based policy denies the action."),
    ("cross-account-no-bucket-grant", "The bucket policy grants the other account nothing",
     "The principal belongs to another account than the bucket and the bucket policy grants it nothing for this action."),
    ("bucket-policy-account-principal-only", "The bucket policy grants only the account principal",
     "Same account, no identity grant, and the bucket policy grants only the account principal, which delegates to IAM rather than granting the user."),
    ("bucket-policy-explicit-deny", "A bucket-policy Deny statement matches",
     "A bucket-policy Deny statement matches for a reason none of the more specific ids names."),
    ("bucket-policy-condition-unmet", "A bucket-policy Allow fails a condition",
     "A bucket-policy Allow the request needs fails a condition none of the more specific ids names."),
    ("not-principal-with-boundary", "A NotPrincipal Deny denies a principal with a permissions boundary",
     "A bucket-policy Deny with NotPrincipal denies a principal that has a permissions boundary, whatever NotPrincipal lists."),
    ("restrict-public-buckets", "RestrictPublicBuckets turns the caller away",
     "The bucket policy is public and RestrictPublicBuckets turns away this cross-account or anonymous caller."),
    ("scp-explicit-deny", "A service control policy denies the action",
     "A service control policy at some level above the principal's account denies the action."),
    ("scp-no-allow", "No service control policy allows the action",
     "A service control policy level above the principal's account allows nothing that covers the action."),
    ("rcp-explicit-deny", "A resource control policy denies the action",
     "A resource control policy of the bucket's account denies the action."),
    ("permissions-boundary-no-allow", "The permissions boundary does not allow the action",
     "The principal's permissions boundary does not allow the action, and no grant that bypasses it applies."),
    ("permissions-boundary-explicit-deny", "The permissions boundary denies the action",
     "The principal's permissions boundary denies the action."),
    ("session-policy-no-allow", "The session policy does not allow the action",
     "A session policy does not allow the action, and no grant that bypasses it applies."),
    ("session-policy-explicit-deny", "A session policy denies the action",
     "A session policy denies the action."),
    ("vpc-endpoint-policy-explicit-deny", "The VPC endpoint policy denies the action",
     "The VPC endpoint policy denies the action."),
    ("source-ip-through-vpc-endpoint", "aws:SourceIp is tested on a request through a VPC endpoint",
     "A policy tests aws:SourceIp, but the request comes through a VPC endpoint, where that key is absent."),
    ("kms-explicit-deny", "A policy denies a KMS action the upload needs",
     "A key policy or identity policy denies a KMS action the upload needs."),
    ("kms-key-wrong-region", "The KMS key is in another Region than the bucket",
     "The KMS key is in another Region than the bucket."),
    ("kms-key-id-not-arn", "A cross-account KMS key is named by key ID or alias",
     "The key belongs to another account and the request names it by key ID or alias instead of its full ARN."),
    ("put-object-tagging-not-allowed", "The upload sends tags but s3:PutObjectTagging is not granted",
     "The upload sends x-amz-tagging and nothing grants s3:PutObjectTagging."),
    ("put-object-retention-not-allowed", "The upload sets retention but s3:PutObjectRetention is not granted",
     "The upload sends Object Lock retention headers and nothing grants s3:PutObjectRetention."),
    ("put-object-legal-hold-not-allowed", "The upload sets a legal hold but s3:PutObjectLegalHold is not granted",
     "The upload sends an Object Lock legal-hold header and nothing grants s3:PutObjectLegalHold."),
    ("block-public-acls", "Block Public Access refuses the public ACL",
     "The upload carries a public ACL and S3 Block Public Access (BlockPublicAcls) refuses it."),
    ("acls-disabled", "ACLs are disabled on the bucket",
     "Object Ownership is BucketOwnerEnforced and the upload sets an ACL other than bucket-owner-full-control (400 AccessControlListNotSupported)."),
    ("kms-insecure-transport", "An SSE-KMS upload must use HTTPS",
     "The upload asks for SSE-KMS over plain HTTP; S3 refuses it with 400 InvalidArgument."),
    ("kms-unsigned-request", "An SSE-KMS upload must be signed",
     "An anonymous (unsigned) upload asks for SSE-KMS; S3 refuses it with 400 InvalidArgument."),
    ("expected-bucket-owner-mismatch", "x-amz-expected-bucket-owner is not the bucket's account",
     "The request's x-amz-expected-bucket-owner is not the bucket's account."),
    ("requester-pays-header-missing", "The Requester Pays header is missing",
     "The bucket is Requester Pays and a caller from another account sent no x-amz-request-payer: requester."),
    ("sse-c-blocked", "The bucket blocks SSE-C",
     "The upload uses SSE-C and the bucket blocks that encryption type."),
];

/// Metadata of every finding id the bundled ruleset can report.
pub fn rule_metadata() -> Vec<RuleMeta> {
    CATALOGUE
        .iter()
        .map(|(id, title, description)| RuleMeta {
            id: (*id).to_string(),
            title: (*title).to_string(),
            description: (*description).to_string(),
            severity: "error".to_string(),
            help_uri: None,
        })
        .collect()
}

/// Metadata of every rule of a loaded ruleset, one entry per id (the first rule that
/// declares an id gives its metadata; catalogue text fills what the rule leaves out).
pub fn from_ruleset(rules: &[crate::lang::RuleInfo]) -> Vec<RuleMeta> {
    let catalogue = rule_metadata();
    let mut out: Vec<RuleMeta> = Vec::new();
    for r in rules {
        if r.id.is_empty() || out.iter().any(|m| m.id == r.id) {
            continue;
        }
        let known = catalogue.iter().find(|c| c.id == r.id);
        let title = r
            .title
            .clone()
            .or_else(|| known.map(|c| c.title.clone()))
            .unwrap_or_else(|| r.id.clone());
        let description = r
            .description
            .clone()
            .or_else(|| known.map(|c| c.description.clone()))
            .unwrap_or_else(|| title.clone());
        out.push(RuleMeta {
            id: r.id.clone(),
            title,
            description,
            severity: r.severity.clone().unwrap_or_else(|| "error".into()),
            // SARIF wants an absolute URI here.
            help_uri: r
                .docs
                .clone()
                .filter(|d| d.starts_with("https://") || d.starts_with("http://")),
        });
    }
    out
}

/// Metadata for an id that is not in [`rule_metadata`]: a custom rule's, or one of the
/// pseudo-rules of the batch itself.
pub fn fallback_metadata(id: &str) -> RuleMeta {
    let (title, description) = match id {
        INPUT_ERROR_ID => (
            "The record could not be evaluated",
            "The fact document could not be read or is invalid; the error says where and why.",
        ),
        UNEXPLAINED_DENIAL_ID => (
            "Denied, and no finding names the cause",
            "AWS would deny the request, but the ruleset reported no error finding for it.",
        ),
        _ => ("A finding of a custom rule", "A finding of a custom rule."),
    };
    RuleMeta {
        id: id.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        severity: "error".to_string(),
        help_uri: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_unique_and_kebab_case() {
        let rules = rule_metadata();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate id in the catalogue");
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
    }
}
