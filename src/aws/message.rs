//! The text AWS returns with a 403 (troubleshoot-403-errors.html, aws-semantics §9,
//! decisions.md #8-10): `User: ARN is not authorized to perform: ACTION on resource:
//! "ARN" because ...`, or the generic `Access Denied` outside one organization.

use super::policy::PolicyType;

/// `because no … allows the ACTION action` / `with an explicit deny in …`.
pub fn reason_phrase(policy_type: PolicyType, explicit: bool, action: &str) -> String {
    if explicit {
        let what = match policy_type {
            PolicyType::Identity => "an identity-based policy",
            PolicyType::BucketPolicy | PolicyType::KmsKeyPolicy => "a resource-based policy",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::SessionPolicy => "a session policy",
            PolicyType::Scp => "a service control policy",
            PolicyType::Rcp => "a resource control policy",
            PolicyType::VpcEndpointPolicy => "a VPC endpoint policy",
        };
        format!("with an explicit deny in {what}")
    } else {
        let what = match policy_type {
            PolicyType::Identity => "identity-based policy",
            PolicyType::BucketPolicy | PolicyType::KmsKeyPolicy => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::SessionPolicy => "session policy",
            PolicyType::Scp => "service control policy",
            PolicyType::Rcp => "resource control policy",
            PolicyType::VpcEndpointPolicy => "VPC endpoint policy",
        };
        format!("because no {what} allows the {action} action")
    }
}

/// The typed message. S3 quotes the object ARN; KMS errors do not quote the key ARN (S62).
pub fn typed(principal_arn: &str, action: &str, resource: &str, because: &str) -> String {
    let resource = if action.starts_with("kms:") {
        resource.to_string()
    } else {
        format!("\"{resource}\"")
    };
    format!("User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {because}")
}

/// The message for requests outside the bucket owner's account and organization.
pub const GENERIC: &str = "Access Denied";

/// `AccessControlListNotSupported` (object-ownership-error-responses.html).
pub const ACLS_NOT_SUPPORTED: &str = "The bucket does not allow ACLs";

/// `InvalidArgument` for an SSE-KMS upload over plain HTTP, as S3 words it (the S3 user
/// guide, S36: requests for KMS-encrypted objects must use TLS; the text as SDK users
/// report it, aws/aws-sdk-js#2335).
pub const KMS_NEEDS_TLS: &str =
    "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.";

/// `InvalidArgument` for an unsigned (anonymous) request that asks for SSE-KMS (S36:
/// requests for KMS-encrypted objects must be signed; the text as S3 returns it, e.g.
/// ryanto/next-s3-upload#115, and the AWS re:Post article s3-kms-signature-version-error).
pub const KMS_NEEDS_SIGNATURE: &str =
    "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.";

pub const BLOCK_PUBLIC_ACLS: &str =
    "because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.";

pub const SSE_C_BLOCKED: &str = "because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type";
