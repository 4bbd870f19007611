//! ARNs and the principals that make requests.
//!
//! A principal is read from the `request.principal` ARN of the fact document. An
//! assumed-role session (`arn:aws:sts::A:assumed-role/ROLE/SESSION`) is matched both by
//! policies naming the role ARN and by policies naming the session ARN, with the different
//! consequences of aws-semantics §1.3, so both ARNs are kept.

use std::fmt;

/// The six parts of an ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN; the resource part keeps any further colons.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// What kind of identity makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An IAM user; `name` is the last path segment.
    User { name: String },
    /// A session of an IAM role. `session` is `None` when the facts named the role ARN
    /// itself rather than a session.
    RoleSession {
        role_path_name: String,
        role_name: String,
        session: Option<String>,
    },
    /// A GetFederationToken session.
    FederatedUser { name: String },
    /// The account root user.
    Root,
    /// An unsigned request.
    Anonymous,
}

/// The principal of a request, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The ARN as the facts gave it (`anonymous` for anonymous).
    pub arn: String,
    pub partition: String,
    /// `None` only for anonymous.
    pub account: Option<String>,
    pub kind: PrincipalKind,
}

impl Principal {
    /// Parses `request.principal`. Errors say what was expected.
    pub fn parse(text: &str) -> Result<Principal, String> {
        if text == "anonymous" || text == "*" {
            return Ok(Principal {
                arn: "anonymous".into(),
                partition: "aws".into(),
                account: None,
                kind: PrincipalKind::Anonymous,
            });
        }
        let expected = "expected an IAM user, role, assumed-role session, federated user or root ARN, or \"anonymous\"";
        let arn = Arn::parse(text).ok_or_else(|| format!("{text:?} is not an ARN: {expected}"))?;
        if !is_account_id(arn.account) {
            return Err(format!(
                "{text:?}: the account {:?} is not a 12-digit account id",
                arn.account
            ));
        }
        let kind = match (arn.service, arn.resource.split_once('/')) {
            ("iam", None) if arn.resource == "root" => PrincipalKind::Root,
            ("iam", Some(("user", rest))) if !rest.is_empty() => PrincipalKind::User {
                name: last_segment(rest).to_string(),
            },
            ("iam", Some(("role", rest))) if !rest.is_empty() => PrincipalKind::RoleSession {
                role_path_name: rest.to_string(),
                role_name: last_segment(rest).to_string(),
                session: None,
            },
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    PrincipalKind::RoleSession {
                        role_path_name: role.to_string(),
                        role_name: role.to_string(),
                        session: Some(session.to_string()),
                    }
                }
                _ => return Err(format!("{text:?}: expected assumed-role/ROLE/SESSION")),
            },
            ("sts", Some(("federated-user", name))) if !name.is_empty() => {
                PrincipalKind::FederatedUser {
                    name: name.to_string(),
                }
            }
            _ => return Err(format!("{text:?}: {expected}")),
        };
        Ok(Principal {
            arn: text.to_string(),
            partition: arn.partition.to_string(),
            account: Some(arn.account.to_string()),
            kind,
        })
    }

    /// `aws:PrincipalArn`: the role ARN for a role session; absent for anonymous.
    pub fn principal_arn(&self) -> Option<String> {
        match &self.kind {
            PrincipalKind::Anonymous => None,
            PrincipalKind::RoleSession { .. } => self.role_arn(),
            _ => Some(self.arn.clone()),
        }
    }

    /// The IAM role ARN of a role session.
    pub fn role_arn(&self) -> Option<String> {
        match (&self.kind, &self.account) {
            (PrincipalKind::RoleSession { role_path_name, .. }, Some(account)) => Some(format!(
                "arn:{}:iam::{account}:role/{role_path_name}",
                self.partition
            )),
            _ => None,
        }
    }

    /// The session ARN of a role session, when a session name is known.
    pub fn session_arn(&self) -> Option<String> {
        match (&self.kind, &self.account) {
            (
                PrincipalKind::RoleSession {
                    role_name,
                    session: Some(s),
                    ..
                },
                Some(account),
            ) => Some(format!(
                "arn:{}:sts::{account}:assumed-role/{role_name}/{s}",
                self.partition
            )),
            _ => None,
        }
    }

    /// The ARN AWS prints after `User:` in an AccessDenied message.
    pub fn message_arn(&self) -> String {
        match &self.kind {
            PrincipalKind::RoleSession { session: None, .. } => self.arn.clone(),
            _ => self.session_arn().unwrap_or_else(|| self.arn.clone()),
        }
    }

    /// `aws:PrincipalType`.
    pub fn principal_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::User { .. } => "User",
            PrincipalKind::RoleSession { .. } => "AssumedRole",
            PrincipalKind::FederatedUser { .. } => "FederatedUser",
            PrincipalKind::Root => "Account",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.kind == PrincipalKind::Anonymous
    }

    /// A service-linked role, as its ARN shows it: IAM keeps them under the path
    /// `/aws-service-role/`. SCPs and RCPs never apply to one (S21, S22). A session ARN
    /// carries no path, so only the role ARN tells.
    pub fn is_service_linked_role(&self) -> bool {
        matches!(&self.kind, PrincipalKind::RoleSession { role_path_name, .. }
            if role_path_name.starts_with("aws-service-role/"))
    }

    pub fn is_root(&self) -> bool {
        self.kind == PrincipalKind::Root
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    // aws:PrincipalArn is the role ARN for a role session (reference_policies_condition-keys.html).
    #[test]
    fn session_principal_arn_is_the_role() {
        let p = Principal::parse("arn:aws:sts::111122223333:assumed-role/Uploader/job-1").unwrap();
        assert_eq!(
            p.principal_arn().as_deref(),
            Some("arn:aws:iam::111122223333:role/Uploader")
        );
        assert_eq!(
            p.session_arn().as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/Uploader/job-1")
        );
        assert_eq!(p.principal_type(), "AssumedRole");
    }

    #[test]
    fn user_root_anonymous() {
        let u = Principal::parse("arn:aws:iam::111122223333:user/dev/alice").unwrap();
        assert_eq!(
            u.kind,
            PrincipalKind::User {
                name: "alice".into()
            }
        );
        assert!(Principal::parse("arn:aws:iam::111122223333:root")
            .unwrap()
            .is_root());
        assert!(Principal::parse("anonymous").unwrap().is_anonymous());
    }

    /// IAM keeps service-linked roles under `/aws-service-role/` (S21, S22: SCPs and RCPs
    /// never apply to them); another path, or a session ARN, does not say so.
    #[test]
    fn service_linked_roles_by_their_path() {
        let slr = |a: &str| Principal::parse(a).unwrap().is_service_linked_role();
        assert!(slr(
            "arn:aws:iam::111122223333:role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForFoo"
        ));
        assert!(!slr("arn:aws:iam::111122223333:role/service-role/Uploader"));
        assert!(!slr("arn:aws:iam::111122223333:role/Uploader"));
        assert!(!slr(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForFoo/session"
        ));
        assert!(!slr(
            "arn:aws:iam::111122223333:user/aws-service-role/alice"
        ));
    }

    #[test]
    fn bad_principals_say_what_was_expected() {
        assert!(Principal::parse("alice")
            .unwrap_err()
            .contains("not an ARN"));
        assert!(Principal::parse("arn:aws:iam::1234:user/a")
            .unwrap_err()
            .contains("12-digit"));
        assert!(Principal::parse("arn:aws:s3:::bucket").is_err());
    }

    #[test]
    fn arn_keeps_colons_in_resource() {
        let a = Arn::parse("arn:aws:s3:::b/k:with:colons").unwrap();
        assert_eq!(a.resource, "b/k:with:colons");
        assert!(Arn::parse("nope").is_none());
    }
}
