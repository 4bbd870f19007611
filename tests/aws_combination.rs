//! Policy-combination rules, each test naming the AWS documentation it follows
//! (aws-semantics §1; pages in ../shared/spec/aws-semantics.md §0).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use s3why::aws::{decide, Decision, Verdict};
use s3why::facts::Facts;
use serde_json::{json, Value};

const B: &str = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*";

fn verdict(doc: Value) -> Verdict {
    let facts = Facts::from_value(&doc).unwrap_or_else(|e| panic!("{e}"));
    decide(&facts)
}

fn allowed(doc: Value) -> bool {
    verdict(doc).decision == Decision::Allowed
}

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": B}]})
}

fn grant(principal: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:PutObject", "Resource": B}]})
}

fn doc(
    principal: &str,
    identity: Option<Value>,
    bucket_account: &str,
    bucket_policy: Option<Value>,
) -> Value {
    let mut d = json!({
        "request": {"principal": principal, "bucket": "DOC-EXAMPLE-BUCKET", "key": "examplefile.jpg"},
        "bucket": {"account": bucket_account}
    });
    if let Some(p) = identity {
        d["identity"] = json!({"policies": [{"name": "Identity", "document": p}]});
    }
    if let Some(p) = bucket_policy {
        d["bucket"]["policy"] = p;
    }
    d
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Uploader/job-1";

// reference_policies_evaluation-logic_policy-eval-denyallow.html (S1): default implicit deny.
#[test]
fn implicit_deny_by_default_s1() {
    let v = verdict(doc(ALICE, None, "111122223333", None));
    assert_eq!(v.decision, Decision::Denied);
    assert_eq!(
        v.aws_message.as_deref(),
        Some("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::DOC-EXAMPLE-BUCKET/examplefile.jpg\" because no identity-based policy allows the s3:PutObject action")
    );
}

// S2/S27: in one account an allow in either the identity or the bucket policy suffices.
#[test]
fn same_account_union_s2_s27() {
    assert!(allowed(doc(
        ALICE,
        Some(allow("s3:PutObject")),
        "111122223333",
        None
    )));
    assert!(allowed(doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!({"AWS": ALICE})))
    )));
}

// S4/S1: an explicit deny anywhere overrides every allow.
#[test]
fn explicit_deny_wins_s4() {
    let deny = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": B}]});
    let v = verdict(doc(
        ALICE,
        Some(allow("s3:PutObject")),
        "111122223333",
        Some(deny),
    ));
    assert_eq!(v.decision, Decision::Denied);
    assert!(v
        .aws_message
        .unwrap_or_default()
        .ends_with("with an explicit deny in a resource-based policy"));
}

// S5/S53: an account principal in a same-account bucket policy delegates to IAM; it does
// not let a user in by itself.
#[test]
fn account_principal_delegates_s5_s53() {
    assert!(!allowed(doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!({"AWS": "111122223333"})))
    )));
    assert!(!allowed(doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!({"AWS": "arn:aws:iam::111122223333:root"})))
    )));
}

// S5: "*" grants everyone, and IAM users of the account need nothing else.
#[test]
fn everyone_grant_s5() {
    assert!(allowed(doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!("*")))
    )));
    assert!(allowed(doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!({"AWS": "*"})))
    )));
    assert!(allowed(doc(
        "anonymous",
        None,
        "111122223333",
        Some(grant(json!("*")))
    )));
    assert!(!allowed(doc("anonymous", None, "111122223333", None)));
}

// S3/S27: cross-account needs the identity policy and the bucket policy.
#[test]
fn cross_account_needs_both_s3() {
    let x = "444455556666";
    assert!(allowed(doc(
        ALICE,
        Some(allow("s3:PutObject")),
        x,
        Some(grant(json!({"AWS": "111122223333"})))
    )));
    assert!(!allowed(doc(
        ALICE,
        None,
        x,
        Some(grant(json!({"AWS": "111122223333"})))
    )));
    assert!(!allowed(doc(ALICE, Some(allow("s3:PutObject")), x, None)));
    // Outside one organization the message is the generic one (S27).
    assert_eq!(
        verdict(doc(ALICE, Some(allow("s3:PutObject")), x, None))
            .aws_message
            .as_deref(),
        Some("Access Denied")
    );
}

/// A same-account role session with a boundary and/or session policy that allow nothing.
fn capped(principal_in_policy: &str, boundary: bool, session_policy: bool) -> bool {
    let mut d = doc(
        SESSION,
        None,
        "111122223333",
        Some(grant(json!({"AWS": principal_in_policy}))),
    );
    let nothing = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]});
    if boundary {
        d["identity"] = json!({"permissions_boundary": nothing.clone()});
    }
    if session_policy {
        d["request"]["session"] = json!({"policies": [nothing]});
    }
    allowed(d)
}

// S1 §1.3 table: a grant to the role ARN is capped by boundary and session policy; a grant
// to the session ARN is not; identity-policy implicit deny blocks neither.
#[test]
fn role_vs_session_grants_s1() {
    let role = "arn:aws:iam::111122223333:role/Uploader";
    assert!(capped(role, false, false));
    assert!(!capped(role, true, false));
    assert!(!capped(role, false, true));
    assert!(capped(SESSION, true, true));
}

// S1 §1.3: a grant to the IAM user ARN is not limited by a boundary's implicit deny.
#[test]
fn user_grant_bypasses_boundary_s1() {
    let mut d = doc(
        ALICE,
        None,
        "111122223333",
        Some(grant(json!({"AWS": ALICE}))),
    );
    d["identity"] = json!({"permissions_boundary": allow("s3:GetObject")});
    assert!(allowed(d));
}

// S20: Deny + NotPrincipal always denies a principal with a permissions boundary.
#[test]
fn not_principal_with_boundary_s20() {
    let np = json!({"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, "arn:aws:iam::111122223333:root"]}, "Action": "s3:*", "Resource": B}]});
    let mut d = doc(ALICE, Some(allow("s3:PutObject")), "111122223333", Some(np));
    assert!(allowed(d.clone()));
    d["identity"]["permissions_boundary"] = allow("s3:*");
    assert!(!allowed(d));
}

// S21: every SCP level must allow; the management account is exempt.
#[test]
fn scp_levels_s21() {
    let full = json!({"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}});
    let ec2 = json!({"name": "OnlyEC2", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}});
    let mut d = doc(ALICE, Some(allow("s3:PutObject")), "111122223333", None);
    d["accounts"] = json!({"111122223333": {"organization": "o-a1b2c3d4e5", "scps": [
        {"target": "r-abcd", "policies": [full]},
        {"target": "ou-abcd-1", "policies": [ec2]}
    ]}});
    let v = verdict(d.clone());
    assert_eq!(v.decision, Decision::Denied);
    assert!(v
        .aws_message
        .unwrap_or_default()
        .ends_with("because no service control policy allows the s3:PutObject action"));
    d["accounts"]["111122223333"]["management"] = json!(true);
    assert!(allowed(d));
}

// S22/S63: RCPs only deny (RCPFullAWSAccess is implied) and apply to the bucket's account.
#[test]
fn rcp_denies_s22() {
    let rcp = json!({"name": "DenyOutsideOrg", "document": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}});
    let mut d = doc(
        ALICE,
        Some(allow("s3:PutObject")),
        "444455556666",
        Some(grant(json!({"AWS": "111122223333"}))),
    );
    d["accounts"] = json!({"444455556666": {"organization": "o-a1b2c3d4e5", "rcps": [{"target": "r-abcd", "policies": [rcp]}]}});
    let v = verdict(d.clone());
    assert_eq!(v.decision, Decision::Denied);
    d["accounts"]["111122223333"] = json!({"organization": "o-a1b2c3d4e5"});
    assert!(allowed(d));
}

// S1: a role session with no session policy is allowed; a federated user without one is
// not (decisions.md #16).
#[test]
fn session_policy_absent_s1() {
    let role_doc = doc(SESSION, Some(allow("s3:PutObject")), "111122223333", None);
    assert!(allowed(role_doc));
    let fed = doc(
        "arn:aws:sts::111122223333:federated-user/bob",
        Some(allow("s3:PutObject")),
        "111122223333",
        None,
    );
    assert!(!allowed(fed));
}

// S26: no endpoint policy = the default that allows all; a gateway endpoint's account
// principal means only the root user.
#[test]
fn vpc_endpoint_s26() {
    let mut d = doc(ALICE, Some(allow("s3:PutObject")), "111122223333", None);
    d["request"]["vpc_endpoint"] = json!("vpce-1a2b3c4d");
    d["vpc_endpoint"] = json!({"id": "vpce-1a2b3c4d", "type": "Gateway"});
    assert!(allowed(d.clone()));
    d["vpc_endpoint"]["policy"] = grant(json!({"AWS": "111122223333"}));
    assert!(!allowed(d.clone()));
    d["vpc_endpoint"]["type"] = json!("Interface");
    assert!(allowed(d));
}

// S19/S54: aws:SourceIp is absent through a VPC endpoint, so a NotIpAddress deny matches.
#[test]
fn source_ip_absent_through_endpoint_s54() {
    let deny = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": B,
        "Condition": {"NotIpAddress": {"aws:SourceIp": "54.240.143.0/24"}}}]});
    let mut d = doc(
        ALICE,
        Some(allow("s3:PutObject")),
        "111122223333",
        Some(deny),
    );
    d["request"]["source_ip"] = json!("54.240.143.7");
    assert!(allowed(d.clone()));
    d["request"]["vpc_endpoint"] = json!("vpce-1a2b3c4d");
    d["vpc_endpoint"] = json!({"id": "vpce-1a2b3c4d"});
    assert!(!allowed(d));
}

// S9/S10/S11/S12: Action is case-insensitive with wildcards; NotAction/NotResource.
#[test]
fn action_and_resource_elements_s9_s11() {
    let p = |a: &str, r: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": a, "Resource": r}]});
    assert!(allowed(doc(
        ALICE,
        Some(p("S3:PUT*", B)),
        "111122223333",
        None
    )));
    assert!(allowed(doc(
        ALICE,
        Some(p("s3:put?bject", B)),
        "111122223333",
        None
    )));
    assert!(!allowed(doc(
        ALICE,
        Some(p("s3:Get*", B)),
        "111122223333",
        None
    )));
    assert!(!allowed(doc(
        ALICE,
        Some(p("s3:PutObject", "arn:aws:s3:::doc-example-bucket/*")),
        "111122223333",
        None
    )));
    let not_action = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]});
    assert!(allowed(doc(ALICE, Some(not_action), "111122223333", None)));
    let not_resource = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::OTHER/*"}]});
    assert!(!allowed(doc(
        ALICE,
        Some(not_resource),
        "111122223333",
        None
    )));
}

// S18/S7: ${aws:username} in Resource needs Version 2012-10-17; in 2008-10-17 it is text.
#[test]
fn policy_variables_need_version_s7_s18() {
    let mut d = doc(ALICE, None, "111122223333", None);
    d["request"]["key"] = json!("home/alice/x.txt");
    let p = |v: Option<&str>| {
        let mut p = json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/home/${aws:username}/*"}]});
        if let Some(v) = v {
            p["Version"] = json!(v);
        }
        json!({"policies": [{"name": "home", "document": p}]})
    };
    d["identity"] = p(Some("2012-10-17"));
    assert!(allowed(d.clone()));
    d["identity"] = p(Some("2008-10-17"));
    assert!(!allowed(d.clone()));
    d["identity"] = p(None);
    assert!(!allowed(d));
}

// S1: the root user is not implicitly denied in its own account.
#[test]
fn root_user_s1() {
    assert!(allowed(doc(
        "arn:aws:iam::111122223333:root",
        None,
        "111122223333",
        None
    )));
    assert!(!allowed(doc(
        "arn:aws:iam::111122223333:root",
        None,
        "444455556666",
        None
    )));
}

/// The notes (decisions.md) of a verdict: (row, text).
fn notes(v: &Verdict) -> Vec<(u8, String)> {
    v.notes
        .iter()
        .map(|n| (n.decision, n.text.clone()))
        .collect()
}

// decisions.md #20: an RCP principal other than "*" is evaluated as written, and the
// verdict says so (§1.6 [S63]: all of AWS's examples use "*").
#[test]
fn an_rcp_naming_a_user_is_evaluated_as_written_with_a_note_20() {
    let mut d = doc(ALICE, Some(allow("s3:PutObject")), "111122223333", None);
    d["accounts"] = json!({"111122223333": {"organization": "o-a1b2c3d4e5", "rcps": [{"target": "r-abcd", "policies": [{"name": "R", "document":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": "s3:PutObject", "Resource": "*"}]}}]}]}});
    let v = verdict(d.clone());
    assert_eq!(v.decision, Decision::Denied);
    assert!(
        notes(&v)
            .iter()
            .any(|(n, t)| *n == 20 && t.contains("resource control policy")),
        "{:?}",
        notes(&v)
    );
    // "*" is what AWS documents: no note.
    d["accounts"]["111122223333"]["rcps"][0]["policies"][0]["document"]["Statement"][0]
        ["Principal"] = json!("*");
    assert!(notes(&verdict(d)).iter().all(|(n, _)| *n != 20));
}

// §1.9 [S26]: a Gateway endpoint policy's Principal must be "*". One naming a user by ARN
// is evaluated as written (like #20), with a note; an Interface endpoint's is not noted.
#[test]
fn a_gateway_endpoint_policy_naming_a_user_is_noted_s26() {
    let mut d = doc(ALICE, Some(allow("s3:PutObject")), "111122223333", None);
    d["request"]["vpc_endpoint"] = json!("vpce-1a2b3c4d");
    d["vpc_endpoint"] = json!({"id": "vpce-1a2b3c4d", "type": "Gateway", "policy":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:*", "Resource": "*"}]}});
    let v = verdict(d.clone());
    assert_eq!(v.decision, Decision::Allowed);
    assert!(
        notes(&v)
            .iter()
            .any(|(n, t)| *n == 20 && t.contains("Gateway endpoint")),
        "{:?}",
        notes(&v)
    );
    d["vpc_endpoint"]["type"] = json!("Interface");
    assert!(notes(&verdict(d)).iter().all(|(n, _)| *n != 20));
}

// S18/S19: aws:userid is always present; without identity.unique_id s3why cannot know a
// user's, and says so when a policy tests it (decisions.md, further choices; #17).
#[test]
fn a_policy_testing_an_unknown_userid_is_noted_17() {
    let mut d = doc(ALICE, None, "111122223333", None);
    d["identity"] = json!({"policies": [{"name": "I", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": B,
        "Condition": {"StringEquals": {"aws:userid": "AIDAALICEEXAMPLE00001"}}}]}}]});
    let v = verdict(d.clone());
    assert_eq!(v.decision, Decision::Denied);
    assert!(
        notes(&v)
            .iter()
            .any(|(n, t)| *n == 17 && t.contains("aws:userid is not known")),
        "{:?}",
        notes(&v)
    );
    d["identity"]["unique_id"] = json!("AIDAALICEEXAMPLE00001");
    let v = verdict(d);
    assert_eq!(v.decision, Decision::Allowed);
    assert!(notes(&v).is_empty(), "{:?}", notes(&v));
}
