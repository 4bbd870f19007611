//! Profile `iam`: fact documents that exercise pure IAM logic.
//!
//! Everything a plain IAM simulator models is varied (principal kinds, same and cross
//! account, identity / bucket / boundary / session / SCP / RCP / VPC endpoint policies,
//! wildcards, NotAction / NotResource / NotPrincipal, condition operators, policy
//! variables); the S3-only gates are held constant so that the comparison is apples to
//! apples: no ACL other than `bucket-owner-full-control`, no KMS, no Block Public Access,
//! ownership `BucketOwnerPreferred` or unset, no Requester Pays, no Object Lock.

use serde_json::{json, Map, Value};

use super::rng::Rng;

mod conditions;
mod policies;
mod targets;

use conditions::*;
use policies::*;
use targets::*;

pub(crate) const ACCOUNT_A: &str = "111122223333";
pub(crate) const ACCOUNT_B: &str = "444455556666";
pub(crate) const ACCOUNT_C: &str = "777788889999";
pub(crate) const ORG: &str = "o-a1b2c3d4e5";
pub(crate) const OTHER_ORG: &str = "o-z9y8x7w6v5";
pub(crate) const VPCE: &str = "vpce-1a2b3c4d";
pub(crate) const OTHER_VPCE: &str = "vpce-9f8e7d6c";
const VERSION: &str = "2012-10-17";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Session,
    Root,
    Anonymous,
}

/// What the policies are written against: the request as generated so far.
struct Ctx {
    kind: Kind,
    account: &'static str,
    principal: String,
    user_name: Option<String>,
    role_name: Option<String>,
    session_name: Option<String>,
    bucket: String,
    bucket_account: &'static str,
    key: String,
}

impl Ctx {
    fn role_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:role/{}",
            self.account,
            self.role_name.as_deref().unwrap_or("uploader")
        )
    }
    fn user_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:user/{}",
            self.account,
            self.user_name.as_deref().unwrap_or("alice")
        )
    }
    /// The value of aws:PrincipalArn (the role ARN for a session); for anonymous, which has
    /// none, a user ARN, so that policies never name "anonymous" as a principal.
    fn principal_arn_key(&self) -> String {
        match self.kind {
            Kind::Session => self.role_arn(),
            Kind::Anonymous => self.user_arn(),
            _ => self.principal.clone(),
        }
    }
    fn first_segment(&self) -> Option<&str> {
        self.key.split_once('/').map(|(a, _)| a)
    }
    fn obj(&self, rest: &str) -> String {
        format!("arn:aws:s3:::{}/{}", self.bucket, rest)
    }
}

fn s(v: impl AsRef<str>) -> Value {
    Value::String(v.as_ref().to_string())
}

pub(crate) fn document(rng: &mut Rng) -> Value {
    // ---- who asks, and whose bucket ----------------------------------------------------
    let kind = match rng.weighted(&[44, 44, 7, 5]) {
        0 => Kind::User,
        1 => Kind::Session,
        2 => Kind::Root,
        _ => Kind::Anonymous,
    };
    let account = ACCOUNT_A;
    let cross = rng.chance(0.35);
    let bucket_account = if cross {
        *rng.pick(&[ACCOUNT_B, ACCOUNT_B, ACCOUNT_C])
    } else {
        account
    };
    let (user_name, role_name, session_name, principal) = match kind {
        Kind::User => {
            let (path, name) =
                *rng.pick(&[("", "alice"), ("", "bob"), ("dev/", "carol"), ("", "Alice")]);
            (
                Some(name.to_string()),
                None,
                None,
                format!("arn:aws:iam::{account}:user/{path}{name}"),
            )
        }
        Kind::Session => {
            let role = *rng.pick(&["uploader", "ci-deployer", "Admin", "data-pipeline"]);
            let sess = *rng.pick(&["alice", "build-42", "i-0abc123def"]);
            (
                None,
                Some(role.to_string()),
                Some(sess.to_string()),
                format!("arn:aws:sts::{account}:assumed-role/{role}/{sess}"),
            )
        }
        Kind::Root => (None, None, None, format!("arn:aws:iam::{account}:root")),
        Kind::Anonymous => (None, None, None, "anonymous".to_string()),
    };
    let bucket = rng
        .pick(&["example-bucket", "data-lake-prod", "team-uploads"])
        .to_string();
    let key = match (kind, rng.below(8)) {
        (Kind::User, 0 | 1) => {
            format!("home/{}/notes.txt", user_name.as_deref().unwrap_or("alice"))
        }
        (_, 0) => "home/bob/photo.jpg".to_string(),
        (_, 1 | 2) => "uploads/2024/report.csv".to_string(),
        (_, 3) => "private/secret.bin".to_string(),
        (_, 4) => "Uploads/x.jpg".to_string(),
        (_, 5) => "public/index.html".to_string(),
        (_, 6) => "data.csv".to_string(),
        _ => "uploads/img/cat.png".to_string(),
    };
    let org = if rng.chance(0.7) { Some(ORG) } else { None };
    let bucket_org = if !cross {
        org
    } else {
        match rng.below(4) {
            0 | 1 => Some(ORG),
            2 => Some(OTHER_ORG),
            _ => None,
        }
    };

    // ---- the request ------------------------------------------------------------------
    let mut headers = Map::new();
    let mut tags: Vec<(String, String)> = Vec::new();
    if rng.chance(0.35) {
        headers.insert("x-amz-server-side-encryption".into(), s("AES256"));
    }
    if rng.chance(0.35) {
        let sc = *rng.pick(&["STANDARD", "STANDARD_IA", "GLACIER", "INTELLIGENT_TIERING"]);
        headers.insert("x-amz-storage-class".into(), s(sc));
    }
    if rng.chance(0.3) {
        match rng.below(5) {
            0 => tags.push(("team".into(), "data".into())),
            1 => {
                tags.push(("team".into(), "data".into()));
                tags.push(("env".into(), "prod".into()));
            }
            2 => tags.push(("classification".into(), "secret".into())),
            3 => tags.push((
                "owner".into(),
                user_name.clone().unwrap_or_else(|| "alice".into()),
            )),
            _ => {
                tags.push(("team".into(), "ops".into()));
                tags.push(("project".into(), "blue".into()));
            }
        }
        let t: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        headers.insert("x-amz-tagging".into(), Value::String(t.join("&")));
    }
    if rng.chance(0.25) {
        headers.insert("x-amz-acl".into(), s("bucket-owner-full-control"));
    }
    let via_vpce = rng.chance(0.25);
    let ctx = Ctx {
        kind,
        account,
        principal: principal.clone(),
        user_name,
        role_name,
        session_name,
        bucket: bucket.clone(),
        bucket_account,
        key: key.clone(),
    };

    let mut request = Map::new();
    request.insert("principal".into(), Value::String(principal.clone()));
    if rng.chance(0.3) {
        request.insert("action".into(), s("s3:PutObject"));
    }
    request.insert("bucket".into(), Value::String(bucket.clone()));
    request.insert("key".into(), Value::String(key.clone()));
    if !headers.is_empty() {
        request.insert("headers".into(), Value::Object(headers));
    }
    if via_vpce {
        request.insert("vpc_endpoint".into(), s(VPCE));
        request.insert("source_vpc".into(), s("vpc-111bbb22"));
        request.insert("vpc_source_ip".into(), s("10.0.1.17"));
    } else {
        let ip = *rng.pick(&["203.0.113.7", "198.51.100.20", "192.0.2.44"]);
        request.insert("source_ip".into(), s(ip));
    }
    if rng.chance(0.15) {
        request.insert("secure_transport".into(), Value::Bool(false));
    } else if rng.chance(0.3) {
        request.insert("secure_transport".into(), Value::Bool(true));
    }
    let mut session = Map::new();
    if kind == Kind::Session {
        if rng.chance(0.3) {
            let n = if rng.chance(0.2) { 2 } else { 1 };
            let pols: Vec<Value> = (0..n).map(|_| session_policy(rng, &ctx)).collect();
            session.insert("policies".into(), Value::Array(pols));
        }
        if rng.chance(0.3) {
            session.insert(
                "tags".into(),
                json!({"project": *rng.pick(&["blue", "red"])}),
            );
        }
    }
    if !session.is_empty() {
        request.insert("session".into(), Value::Object(session));
    }
    if rng.chance(0.35) {
        let tls = *rng.pick(&["1.0", "1.2", "1.3"]);
        request.insert("context".into(), json!({"s3:TlsVersion": tls}));
    }

    // ---- identity ----------------------------------------------------------------------
    let mut doc = Map::new();
    doc.insert("request".into(), Value::Object(request));
    if matches!(kind, Kind::User | Kind::Session) {
        let mut identity = Map::new();
        let n = rng.range(1, 4);
        let mut pols = Vec::new();
        for i in 0..n {
            let stmts = identity_policy_statements(rng, &ctx, i == 0);
            let mut document = if rng.chance(0.05) {
                // No Version: the 2008-10-17 language, where ${...} is literal text [S7].
                json!({"Statement": stmts})
            } else {
                json!({"Version": VERSION, "Statement": stmts})
            };
            if rng.chance(0.1) {
                // Statement as a single object, as AWS accepts it.
                if let Some(arr) = document["Statement"].as_array() {
                    if arr.len() == 1 {
                        let only = arr[0].clone();
                        document["Statement"] = only;
                    }
                }
            }
            let name = format!(
                "{}{}",
                rng.pick(&["AllowUpload", "S3Access", "Guardrails", "TeamPolicy"]),
                i
            );
            pols.push(json!({"name": name, "document": document}));
        }
        identity.insert("policies".into(), Value::Array(pols));
        if rng.chance(0.2) {
            identity.insert("permissions_boundary".into(), boundary(rng, &ctx));
        }
        if rng.chance(0.4) {
            identity.insert("tags".into(), json!({"team": *rng.pick(&["data", "ops"])}));
        }
        doc.insert("identity".into(), Value::Object(identity));
    }

    // ---- accounts: organizations, SCPs, RCPs -----------------------------------------
    let mut accounts = Map::new();
    if kind != Kind::Anonymous {
        if let Some(o) = org {
            accounts.insert(
                account.to_string(),
                org_account(rng, &ctx, o, true, bucket_account == account),
            );
        }
    }
    if bucket_account != account || kind == Kind::Anonymous {
        if let Some(o) = bucket_org {
            accounts.insert(
                bucket_account.to_string(),
                org_account(rng, &ctx, o, false, true),
            );
        }
    }
    if !accounts.is_empty() {
        doc.insert("accounts".into(), Value::Object(accounts));
    }

    // ---- the bucket --------------------------------------------------------------------
    let mut b = Map::new();
    if rng.chance(0.2) {
        b.insert("name".into(), Value::String(bucket.clone()));
    }
    // An anonymous request has no account of its own to default to.
    if cross || kind == Kind::Anonymous || rng.chance(0.3) {
        b.insert("account".into(), s(bucket_account));
    }
    b.insert("region".into(), s("us-east-1"));
    let policy_p = match kind {
        Kind::Anonymous | Kind::Root => 0.8,
        _ if cross => 0.9,
        _ => 0.55,
    };
    if rng.chance(policy_p) {
        let pol = bucket_policy(rng, &ctx);
        if rng.chance(0.15) {
            // GetBucketPolicy returns a string.
            b.insert("policy".into(), Value::String(pol.to_string()));
        } else {
            b.insert("policy".into(), pol);
        }
    }
    if rng.chance(0.5) {
        b.insert(
            "ownership_controls".into(),
            json!({"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}),
        );
    }
    doc.insert("bucket".into(), Value::Object(b));

    // ---- the VPC endpoint ----------------------------------------------------------------
    if via_vpce {
        let mut e = Map::new();
        e.insert("id".into(), s(VPCE));
        e.insert("type".into(), s("Gateway"));
        if rng.chance(0.7) {
            e.insert("policy".into(), endpoint_policy(rng, &ctx));
        }
        doc.insert("vpc_endpoint".into(), Value::Object(e));
    }
    Value::Object(doc)
}
