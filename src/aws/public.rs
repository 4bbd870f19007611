//! What S3 Block Public Access counts as public (access-control-block-public-access.html,
//! aws-semantics §6): public canned ACLs and grants, and public bucket policies.

use super::condition::BaseOp;
use super::policy::{Effect, Policy, PrincipalEntry};

/// Canned ACLs that grant to `AllUsers` or `AuthenticatedUsers` (S32, S33).
pub const PUBLIC_CANNED_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

/// Is this canned ACL or grant-header value public?
pub fn is_public_grant(header: &str, value: &str) -> bool {
    if header == "x-amz-acl" {
        return PUBLIC_CANNED_ACLS.contains(&value.trim());
    }
    let v = value.to_ascii_lowercase();
    v.contains("acs.amazonaws.com/groups/global/allusers")
        || v.contains("acs.amazonaws.com/groups/global/authenticatedusers")
}

/// Condition keys whose fixed values make a `"*"` statement non-public (S32).
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
    "aws:principalorgid",
];

/// The index of the first statement that makes the policy public, if any: an `Allow` to
/// everyone not restricted by a fixed value of one of the restricting keys.
pub fn public_statement(policy: &Policy) -> Option<usize> {
    policy.statements.iter().find_map(|s| {
        let everyone = matches!(&s.principal, Some((false, entries)) if entries.contains(&PrincipalEntry::Everyone));
        if s.effect != Effect::Allow || !everyone {
            return None;
        }
        let restricted = s.conditions.iter().any(|c| {
            let fixed_op = matches!(
                c.operator.base,
                BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase | BaseOp::ArnEquals | BaseOp::IpAddress | BaseOp::StringLike | BaseOp::ArnLike
            ) && c.operator.qualifier.is_none()
                && !c.operator.if_exists;
            let userid = c.key.eq_ignore_ascii_case("aws:userid");
            let fixed_values = c.raw_values.iter().all(|v| {
                let wild = v.contains('*') || v.contains('?');
                // S32: `aws:userid` "outside AROLEID:*": a role's sessions, by the role's
                // unique ID, are a fixed set of principals.
                !wild || (userid && role_sessions(v))
            });
            fixed_op && fixed_values && RESTRICTING_KEYS.contains(&c.key.to_ascii_lowercase().as_str())
        });
        (!restricted).then_some(s.index)
    })
}

/// `AROA…:*`: every session of one role, named by its unique ID.
fn role_sessions(v: &str) -> bool {
    v.strip_suffix(":*").is_some_and(|id| {
        id.starts_with("AROA")
            && id.len() > 4
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::policy::PolicyType;

    fn policy(v: serde_json::Value) -> Policy {
        Policy::parse(&v, PolicyType::BucketPolicy, "p").unwrap()
    }

    // "public-read", "public-read-write", "authenticated-read" are public; the rest not (S32, S33).
    #[test]
    fn canned_acls() {
        assert!(is_public_grant("x-amz-acl", "public-read"));
        assert!(is_public_grant("x-amz-acl", "authenticated-read"));
        assert!(!is_public_grant("x-amz-acl", "bucket-owner-full-control"));
        assert!(!is_public_grant("x-amz-acl", "private"));
        assert!(is_public_grant(
            "x-amz-grant-read",
            "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""
        ));
        assert!(!is_public_grant("x-amz-grant-read", "id=abc"));
    }

    // A wildcard value (vpc-*) keeps a policy public; a fixed aws:SourceVpce does not (S32).
    #[test]
    fn public_policies() {
        let open = policy(
            serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}),
        );
        assert_eq!(public_statement(&open), Some(0));
        let vpce = policy(
            serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}}),
        );
        assert_eq!(public_statement(&vpce), None);
        let wild = policy(
            serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}}}),
        );
        assert_eq!(public_statement(&wild), Some(0));
        let named = policy(
            serde_json::json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:*", "Resource": "*"}}),
        );
        assert_eq!(public_statement(&named), None);
    }

    // S32: aws:userid is a restricting key "outside AROLEID:*": a role's sessions by its
    // unique ID are fixed; any other wildcard keeps the statement public.
    #[test]
    fn a_roles_sessions_by_userid_are_not_public() {
        let by = |v: &str| {
            policy(
                serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringLike": {"aws:userid": v}}}}),
            )
        };
        assert_eq!(public_statement(&by("AROAEXAMPLEROLEID:*")), None);
        assert_eq!(public_statement(&by("AIDAEXAMPLEUSERID")), None);
        assert_eq!(public_statement(&by("*:session")), Some(0));
        assert_eq!(public_statement(&by("AROA*")), Some(0));
    }
}
