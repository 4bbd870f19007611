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

// ---- actions and resources -------------------------------------------------------------

/// An `Action` value that covers `s3:PutObject` (most of the time).
fn put_action(rng: &mut Rng) -> Value {
    match rng.weighted(&[22, 12, 8, 5, 4, 4, 4, 8, 12]) {
        0 => s("s3:PutObject"),
        1 => s("s3:Put*"),
        2 => s("s3:*"),
        3 => s("*"),
        4 => s("s3:put?bject"),
        5 => s("S3:PUTOBJECT"),
        6 => s("s3:PutObj*"),
        7 => json!(["s3:GetObject", "s3:PutObject"]),
        _ => json!(["s3:PutObject", "s3:PutObjectTagging"]),
    }
}

/// Any action value, including ones that do not cover PutObject.
fn any_action(rng: &mut Rng) -> Value {
    match rng.weighted(&[50, 8, 6, 5, 5, 4, 4]) {
        0 => put_action(rng),
        1 => s("s3:GetObject"),
        2 => json!(["s3:GetObject", "s3:ListBucket"]),
        3 => s("s3:PutObjectTagging"),
        4 => s("s3:DeleteObject"),
        5 => s("ec2:*"),
        _ => s("s3:PutBucketPolicy"),
    }
}

/// A `Resource` value, matching the object most of the time.
fn resource(rng: &mut Rng, ctx: &Ctx, match_bias: u32) -> Value {
    let seg = ctx.first_segment().unwrap_or("uploads").to_string();
    let mut upper = seg.clone();
    if let Some(c) = upper.get(0..1) {
        let flipped = if c == c.to_uppercase() {
            c.to_lowercase()
        } else {
            c.to_uppercase()
        };
        upper.replace_range(0..1, &flipped);
    }
    let miss = 100 - match_bias.min(100);
    match rng.weighted(&[
        match_bias * 4,
        match_bias,
        match_bias,
        match_bias,
        match_bias,
        match_bias,
        miss * 2,
        miss,
        miss,
        miss,
        miss,
    ]) {
        0 => Value::String(ctx.obj("*")),
        1 => Value::String(ctx.obj(&format!("{seg}/*"))),
        2 => s("*"),
        3 => Value::String(format!("arn:aws:s3:::{}*", ctx.bucket)),
        4 => Value::String(ctx.obj(&ctx.key)),
        5 => Value::String(ctx.obj("home/${aws:username}/*")),
        6 => s("arn:aws:s3:::other-bucket/*"),
        7 => Value::String(format!("arn:aws:s3:::{}", ctx.bucket)),
        8 => Value::String(ctx.obj("private/*")),
        9 => Value::String(ctx.obj(&format!("{upper}/*"))),
        _ => match rng.below(3) {
            0 => json!([ctx.obj("public/*"), "arn:aws:s3:::other-bucket/*"]),
            1 => Value::String(ctx.obj("uploads/202?/*")),
            _ => Value::String(ctx.obj("?????/*")),
        },
    }
}

/// Action or NotAction, Resource or NotResource, into `st`.
fn action_resource(rng: &mut Rng, ctx: &Ctx, st: &mut Map<String, Value>, main: bool) {
    if !main && rng.chance(0.12) {
        let v = match rng.below(4) {
            0 => json!(["s3:DeleteObject", "s3:PutBucketPolicy"]),
            1 => s("s3:PutObject"),
            2 => s("iam:*"),
            _ => s("s3:*"),
        };
        st.insert("NotAction".into(), v);
    } else if main {
        st.insert("Action".into(), put_action(rng));
    } else {
        st.insert("Action".into(), any_action(rng));
    }
    if !main && rng.chance(0.12) {
        let v = match rng.below(3) {
            0 => Value::String(ctx.obj("private/*")),
            1 => s("arn:aws:s3:::other-bucket/*"),
            _ => Value::String(ctx.obj("*")),
        };
        st.insert("NotResource".into(), v);
    } else {
        st.insert(
            "Resource".into(),
            resource(rng, ctx, if main { 92 } else { 60 }),
        );
    }
}

// ---- conditions -------------------------------------------------------------------------

fn cidr(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => s("203.0.113.0/24"),
        1 => s("198.51.100.20/32"),
        2 => s("198.51.100.20"),
        3 => json!(["192.0.2.0/25", "203.0.113.0/24"]),
        _ => s("10.0.0.0/8"),
    }
}

fn if_exists(rng: &mut Rng, op: &str) -> String {
    if rng.chance(0.25) {
        format!("{op}IfExists")
    } else {
        op.to_string()
    }
}

/// One condition: (operator, key, value).
fn condition_atom(rng: &mut Rng, ctx: &Ctx) -> (String, String, Value) {
    let pos_neg = |rng: &mut Rng, pos: &str, neg: &str| -> String {
        let op = if rng.chance(0.5) { pos } else { neg };
        if_exists(rng, op)
    };
    match rng.below(19) {
        0 => {
            let op = pos_neg(rng, "StringEquals", "StringNotEquals");
            (
                op,
                "s3:x-amz-server-side-encryption".into(),
                s(rng.pick(&["AES256", "AES256", "aws:kms"])),
            )
        }
        1 => {
            let key = *rng.pick(&[
                "s3:x-amz-server-side-encryption",
                "s3:x-amz-storage-class",
                "aws:SourceVpce",
                "s3:x-amz-acl",
                "s3:TlsVersion",
                "s3:RequestObjectTagKeys",
            ]);
            ("Null".into(), key.into(), s(rng.pick(&["true", "false"])))
        }
        2 => {
            let op = match rng.below(3) {
                0 => if_exists(rng, "StringEquals"),
                1 => if_exists(rng, "StringNotEquals"),
                _ => if_exists(rng, "StringLike"),
            };
            let v = match rng.below(3) {
                0 => json!(["STANDARD", "STANDARD_IA"]),
                1 => s("GLACIER"),
                _ => s(if op.starts_with("StringLike") {
                    "STANDARD*"
                } else {
                    "INTELLIGENT_TIERING"
                }),
            };
            (op, "s3:x-amz-storage-class".into(), v)
        }
        3 => (
            pos_neg(rng, "StringEquals", "StringNotEquals"),
            "s3:x-amz-acl".into(),
            s("bucket-owner-full-control"),
        ),
        4 => {
            let op = match rng.below(4) {
                0 => "ArnLike",
                1 => "ArnNotLike",
                2 => "ArnEquals",
                _ => "StringLike",
            };
            let v = match rng.below(5) {
                0 => Value::String(ctx.principal_arn_key()),
                1 => Value::String(format!("arn:aws:iam::{}:role/upload*", ctx.account)),
                2 => s("arn:aws:iam::*:user/alice"),
                3 => Value::String(format!("arn:aws:iam::{}:root", ctx.account)),
                _ => Value::String(format!("arn:aws:iam::{}:role/ci-*", ctx.account)),
            };
            (op.into(), "aws:PrincipalArn".into(), v)
        }
        5 => (
            pos_neg(rng, "IpAddress", "NotIpAddress"),
            "aws:SourceIp".into(),
            cidr(rng),
        ),
        6 => (
            if_exists(rng, "Bool"),
            "aws:SecureTransport".into(),
            s(rng.pick(&["true", "false"])),
        ),
        7 => (
            pos_neg(rng, "StringEquals", "StringNotEquals"),
            "aws:SourceVpce".into(),
            s(rng.pick(&[VPCE, VPCE, OTHER_VPCE])),
        ),
        8 => (
            pos_neg(rng, "StringEquals", "StringNotEquals"),
            "aws:PrincipalOrgID".into(),
            s(rng.pick(&[ORG, ORG, OTHER_ORG])),
        ),
        9 => (
            pos_neg(rng, "StringEquals", "StringNotEquals"),
            "aws:PrincipalAccount".into(),
            s(rng.pick(&[ctx.account, ACCOUNT_B])),
        ),
        10 => {
            let key = *rng.pick(&["s3:ResourceAccount", "aws:ResourceAccount"]);
            (
                pos_neg(rng, "StringEquals", "StringNotEquals"),
                key.into(),
                s(rng.pick(&[ctx.bucket_account, ACCOUNT_A, ACCOUNT_B])),
            )
        }
        11 => {
            let (k, v) = *rng.pick(&[
                ("aws:PrincipalTag/team", "data"),
                ("aws:PrincipalTag/team", "ops"),
                ("aws:PrincipalTag/project", "blue"),
            ]);
            (
                pos_neg(rng, "StringEquals", "StringNotEquals"),
                k.into(),
                s(v),
            )
        }
        12 => {
            let op = if rng.chance(0.5) {
                "StringEquals"
            } else {
                "StringLike"
            };
            let v = if op == "StringLike" { "d*" } else { "data" };
            (op.into(), "s3:RequestObjectTag/team".into(), s(v))
        }
        13 => {
            let op = *rng.pick(&[
                "ForAnyValue:StringEquals",
                "ForAllValues:StringEquals",
                "ForAllValues:StringLike",
                "ForAnyValue:StringLike",
                "ForAnyValue:StringNotEquals",
                "ForAllValues:StringNotLike",
            ]);
            let v = if op.ends_with("Like") {
                json!(["te*", "env"])
            } else {
                json!(*rng.pick(&[
                    &["team", "env"][..],
                    &["team", "project"][..],
                    &["classification"][..]
                ]))
            };
            (op.into(), "s3:RequestObjectTagKeys".into(), v)
        }
        14 => {
            let op = *rng.pick(&[
                "NumericLessThan",
                "NumericGreaterThanEquals",
                "NumericLessThanEquals",
                "NumericLessThanIfExists",
                "NumericGreaterThan",
            ]);
            (
                op.into(),
                "s3:TlsVersion".into(),
                s(rng.pick(&["1.2", "1.2", "1.1", "1.3"])),
            )
        }
        15 => {
            let op = *rng.pick(&[
                "StringEquals",
                "StringLike",
                "StringEqualsIgnoreCase",
                "StringNotEquals",
            ]);
            let v = match op {
                "StringLike" => "a*",
                "StringEqualsIgnoreCase" => "ALICE",
                _ => *rng.pick(&["alice", "bob"]),
            };
            (op.into(), "aws:username".into(), s(v))
        }
        16 => (
            pos_neg(rng, "StringEquals", "StringNotEquals"),
            "aws:PrincipalType".into(),
            s(rng.pick(&["AssumedRole", "User"])),
        ),
        17 => {
            if rng.chance(0.5) {
                (
                    if_exists(rng, "StringEquals"),
                    "s3:RequestObjectTag/owner".into(),
                    s("${aws:username}"),
                )
            } else {
                // A policy variable with a default value [S18].
                (
                    "StringEquals".into(),
                    "s3:RequestObjectTag/team".into(),
                    s("${aws:PrincipalTag/team, 'data'}"),
                )
            }
        }
        _ => (
            "StringLike".into(),
            "aws:PrincipalArn".into(),
            s("arn:aws:iam::${aws:PrincipalAccount}:*"),
        ),
    }
}

/// Condition key names are case-insensitive [S18]: write some in another case.
fn key_case(rng: &mut Rng, key: String) -> String {
    match rng.weighted(&[85, 5, 5, 5]) {
        0 => key,
        1 => key.to_lowercase(),
        2 => key.to_uppercase(),
        _ => {
            let (svc, rest) = key.split_once(':').unwrap_or(("aws", key.as_str()));
            format!("{}:{rest}", svc.to_uppercase())
        }
    }
}

fn condition(rng: &mut Rng, ctx: &Ctx) -> Value {
    let n = if rng.chance(0.2) { 2 } else { 1 };
    let mut c: Map<String, Value> = Map::new();
    for _ in 0..n {
        let (op, key, v) = condition_atom(rng, ctx);
        let key = key_case(rng, key);
        let entry = c.entry(op).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            if !m.contains_key(&key) {
                m.insert(key, v);
            }
        }
    }
    Value::Object(c)
}

fn sid(rng: &mut Rng, st: &mut Map<String, Value>, n: usize) {
    if rng.chance(0.6) {
        st.insert("Sid".into(), Value::String(format!("Stmt{n}")));
    }
}

// ---- identity-side policies ------------------------------------------------------------------

fn identity_policy_statements(rng: &mut Rng, ctx: &Ctx, first: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if first && rng.chance(0.92) {
        let mut st = Map::new();
        sid(rng, &mut st, 0);
        st.insert("Effect".into(), s("Allow"));
        action_resource(rng, ctx, &mut st, true);
        if rng.chance(0.15) {
            st.insert("Condition".into(), condition(rng, ctx));
        }
        out.push(Value::Object(st));
    }
    let extra = rng.range(if out.is_empty() { 1 } else { 0 }, 2);
    for i in 0..extra {
        let deny = rng.chance(0.18);
        let mut st = Map::new();
        sid(rng, &mut st, i + 1);
        st.insert("Effect".into(), s(if deny { "Deny" } else { "Allow" }));
        action_resource(rng, ctx, &mut st, false);
        if rng.chance(if deny { 0.95 } else { 0.3 }) {
            st.insert("Condition".into(), condition(rng, ctx));
        }
        out.push(Value::Object(st));
    }
    out
}

fn boundary(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut stmts = Vec::new();
    let mut st = Map::new();
    st.insert("Effect".into(), s("Allow"));
    let action = match rng.weighted(&[40, 25, 15, 6]) {
        0 => s("s3:*"),
        1 => s("s3:Put*"),
        2 => s("s3:PutObject"),
        _ => json!(["s3:GetObject", "s3:ListBucket"]),
    };
    st.insert("Action".into(), action);
    st.insert("Resource".into(), resource(rng, ctx, 80));
    if rng.chance(0.2) {
        st.insert("Condition".into(), condition(rng, ctx));
    }
    stmts.push(Value::Object(st));
    if rng.chance(0.25) {
        let mut d = Map::new();
        d.insert("Effect".into(), s("Deny"));
        action_resource(rng, ctx, &mut d, false);
        d.insert("Condition".into(), condition(rng, ctx));
        stmts.push(Value::Object(d));
    }
    json!({"Version": VERSION, "Statement": stmts})
}

fn session_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut st = Map::new();
    st.insert("Effect".into(), s("Allow"));
    let action = match rng.weighted(&[40, 20, 15, 15]) {
        0 => s("s3:PutObject"),
        1 => s("s3:*"),
        2 => json!(["s3:PutObject", "s3:PutObjectTagging"]),
        _ => s("s3:GetObject"),
    };
    st.insert("Action".into(), action);
    st.insert("Resource".into(), resource(rng, ctx, 75));
    if rng.chance(0.2) {
        st.insert("Condition".into(), condition(rng, ctx));
    }
    json!({"Version": VERSION, "Statement": [Value::Object(st)]})
}

// ---- organizations ------------------------------------------------------------------------------

fn full_aws_access() -> Value {
    json!({"name": "FullAWSAccess", "document": {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}})
}

fn scp_deny(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut st = Map::new();
    st.insert("Sid".into(), s("Guardrail"));
    st.insert("Effect".into(), s("Deny"));
    st.insert(
        "Action".into(),
        s(rng.pick(&["s3:PutObject", "s3:*", "s3:Put*"])),
    );
    st.insert("Resource".into(), s("*"));
    let (op, key, v) = match rng.below(5) {
        0 => (
            "Null".to_string(),
            "s3:x-amz-server-side-encryption".to_string(),
            s("true"),
        ),
        1 => (
            "StringNotEqualsIfExists".to_string(),
            "s3:x-amz-storage-class".to_string(),
            json!(["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING"]),
        ),
        2 => (
            "Bool".to_string(),
            "aws:SecureTransport".to_string(),
            s("false"),
        ),
        3 => (
            "NumericLessThan".to_string(),
            "s3:TlsVersion".to_string(),
            s("1.2"),
        ),
        _ => condition_atom(rng, ctx),
    };
    st.insert("Condition".into(), json!({ op: { key: v } }));
    json!({"name": "DenyGuardrail", "document": {"Version": VERSION, "Statement": [Value::Object(st)]}})
}

fn scp_narrow(rng: &mut Rng) -> Value {
    let action = match rng.below(3) {
        0 => json!(["s3:*", "kms:*"]),
        1 => s("s3:Put*"),
        _ => json!(["s3:GetObject", "ec2:*"]),
    };
    json!({"name": "AllowListS3", "document": {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}})
}

fn rcp_deny(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut st = Map::new();
    st.insert("Effect".into(), s("Deny"));
    st.insert("Principal".into(), s("*"));
    st.insert("Action".into(), s(rng.pick(&["s3:*", "s3:PutObject"])));
    st.insert("Resource".into(), s("*"));
    let cond = match rng.below(4) {
        0 => {
            json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})
        }
        1 => json!({"BoolIfExists": {"aws:SecureTransport": "false"}}),
        2 => json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        _ => {
            let (op, key, v) = condition_atom(rng, ctx);
            json!({ op: { key: v } })
        }
    };
    st.insert("Condition".into(), cond);
    json!({"name": "RcpGuardrail", "document": {"Version": VERSION, "Statement": [Value::Object(st)]}})
}

/// The `accounts` entry for an account in organization `org`.
fn org_account(
    rng: &mut Rng,
    ctx: &Ctx,
    org: &str,
    principal_side: bool,
    resource_side: bool,
) -> Value {
    let mut a = Map::new();
    a.insert("organization".into(), s(org));
    if rng.chance(0.12) {
        a.insert("management".into(), Value::Bool(true));
    } else if rng.chance(0.3) {
        a.insert("management".into(), Value::Bool(false));
    }
    // SCP levels: root, 0-2 OUs, the account.
    if principal_side && rng.chance(0.85) {
        let ous = rng.range(0, 2);
        let mut levels = vec![json!({"target": "r-abcd", "policies": [full_aws_access()]})];
        for i in 0..ous {
            let pols = if rng.chance(0.12) {
                vec![scp_narrow(rng)]
            } else {
                vec![full_aws_access()]
            };
            levels.push(json!({"target": format!("ou-abcd-1111222{i}"), "policies": pols}));
        }
        let mut acct = vec![full_aws_access()];
        if rng.chance(0.25) {
            acct.push(scp_deny(rng, ctx));
        }
        if rng.chance(0.04) {
            acct.clear();
            acct.push(scp_narrow(rng));
        }
        levels.push(json!({"target": ctx.account, "policies": acct}));
        a.insert("scps".into(), Value::Array(levels));
    }
    if resource_side && rng.chance(0.45) {
        let mut levels = vec![json!({"target": "r-abcd", "policies": []})];
        let mut acct = Vec::new();
        if rng.chance(0.7) {
            acct.push(rcp_deny(rng, ctx));
        }
        levels.push(json!({"target": ctx.bucket_account, "policies": acct}));
        a.insert("rcps".into(), Value::Array(levels));
    }
    Value::Object(a)
}

// ---- resource-side policies ---------------------------------------------------------------------

/// A matching `Principal` for the request's principal (any form AWS accepts for it).
fn matching_principal(rng: &mut Rng, ctx: &Ctx) -> Value {
    let acct = ctx.account;
    match ctx.kind {
        Kind::User => match rng.below(4) {
            0 => json!({"AWS": ctx.user_arn()}),
            1 => {
                json!({"AWS": [ctx.principal.clone(), format!("arn:aws:iam::{}:root", ACCOUNT_C)]})
            }
            2 => json!({"AWS": acct}),
            _ => json!({"AWS": format!("arn:aws:iam::{acct}:root")}),
        },
        Kind::Session => match rng.below(4) {
            0 | 1 => json!({"AWS": ctx.role_arn()}),
            2 => json!({"AWS": ctx.principal.clone()}),
            _ => json!({"AWS": acct}),
        },
        _ => s("*"),
    }
}

fn principal_value(rng: &mut Rng, ctx: &Ctx) -> Value {
    let acct = ctx.account;
    let other_user = format!("arn:aws:iam::{}:user/mallory", ACCOUNT_C);
    match rng.weighted(&[12, 6, 10, 10, 14, 12, 8, 6, 6]) {
        0 => s("*"),
        1 => {
            if rng.chance(0.5) {
                json!({"AWS": "*"})
            } else {
                json!({"AWS": ["*"]})
            }
        }
        2 => json!({"AWS": acct}),
        3 => json!({"AWS": format!("arn:aws:iam::{acct}:root")}),
        4 => json!({"AWS": ctx.user_arn()}),
        5 => json!({"AWS": ctx.role_arn()}),
        6 => {
            json!({"AWS": format!("arn:aws:sts::{acct}:assumed-role/{}/{}", ctx.role_name.as_deref().unwrap_or("uploader"), ctx.session_name.as_deref().unwrap_or("alice"))})
        }
        7 => json!({"AWS": other_user}),
        _ => json!({"AWS": [format!("arn:aws:iam::{}:root", ACCOUNT_C), ctx.role_arn()]}),
    }
}

fn bucket_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut stmts = Vec::new();
    let n = rng.range(1, 4);
    for i in 0..n {
        let mut st = Map::new();
        sid(rng, &mut st, i);
        let roll = rng.below(100);
        if i == 0 && roll < 85 {
            // The grant the bucket owner meant to write, usually for this principal.
            st.insert("Effect".into(), s("Allow"));
            let p = if rng.chance(0.8) {
                matching_principal(rng, ctx)
            } else {
                principal_value(rng, ctx)
            };
            st.insert("Principal".into(), p);
            st.insert("Action".into(), put_action(rng));
            let r = match rng.weighted(&[70, 15, 15]) {
                0 => Value::String(ctx.obj("*")),
                1 => Value::String(
                    ctx.obj(&format!("{}/*", ctx.first_segment().unwrap_or("uploads"))),
                ),
                _ => resource(rng, ctx, 60),
            };
            st.insert("Resource".into(), r);
            if rng.chance(0.2) {
                st.insert("Condition".into(), condition(rng, ctx));
            }
        } else if roll < 60 {
            st.insert("Effect".into(), s("Allow"));
            st.insert("Principal".into(), principal_value(rng, ctx));
            action_resource_bucket(rng, ctx, &mut st, false);
            if rng.chance(0.3) {
                st.insert("Condition".into(), condition(rng, ctx));
            }
        } else if roll < 95 {
            st.insert("Effect".into(), s("Deny"));
            st.insert(
                "Principal".into(),
                if rng.chance(0.8) {
                    s("*")
                } else {
                    principal_value(rng, ctx)
                },
            );
            action_resource_bucket(rng, ctx, &mut st, false);
            st.insert("Condition".into(), condition(rng, ctx));
        } else {
            st.insert("Effect".into(), s("Deny"));
            let np = match rng.below(4) {
                0 => {
                    json!({"AWS": [ctx.principal_arn_key(), format!("arn:aws:iam::{}:root", ctx.account)]})
                }
                1 => {
                    let me = if ctx.kind == Kind::Anonymous {
                        ctx.user_arn()
                    } else {
                        ctx.principal.clone()
                    };
                    json!({"AWS": [me, ctx.role_arn(), format!("arn:aws:iam::{}:root", ctx.account)]})
                }
                2 => json!({"AWS": ctx.user_arn()}),
                _ => json!({"AWS": format!("arn:aws:iam::{}:root", ctx.bucket_account)}),
            };
            st.insert("NotPrincipal".into(), np);
            st.insert("Action".into(), s(rng.pick(&["s3:PutObject", "s3:*"])));
            st.insert("Resource".into(), Value::String(ctx.obj("*")));
            if rng.chance(0.3) {
                st.insert("Condition".into(), condition(rng, ctx));
            }
        }
        stmts.push(Value::Object(st));
    }
    json!({"Version": VERSION, "Id": "BucketPolicy", "Statement": stmts})
}

/// Resource-policy action and resource: resources stay inside the bucket.
fn action_resource_bucket(rng: &mut Rng, ctx: &Ctx, st: &mut Map<String, Value>, main: bool) {
    if main {
        st.insert("Action".into(), put_action(rng));
    } else {
        st.insert("Action".into(), any_action(rng));
    }
    let seg = ctx.first_segment().unwrap_or("uploads").to_string();
    let r = match rng.weighted(&[50, 12, 10, 8, 8, 6]) {
        0 => Value::String(ctx.obj("*")),
        1 => Value::String(ctx.obj(&format!("{seg}/*"))),
        2 => Value::String(ctx.obj("private/*")),
        3 => json!([format!("arn:aws:s3:::{}", ctx.bucket), ctx.obj("*")]),
        4 => Value::String(ctx.obj("home/${aws:username}/*")),
        _ => Value::String(format!("arn:aws:s3:::{}", ctx.bucket)),
    };
    st.insert("Resource".into(), r);
}

fn endpoint_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
    let mut stmts = Vec::new();
    let mut st = Map::new();
    st.insert("Effect".into(), s("Allow"));
    st.insert("Principal".into(), s("*"));
    let action = match rng.weighted(&[40, 30, 15, 8]) {
        0 => s("s3:*"),
        1 => json!(["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"]),
        2 => s("s3:PutObject"),
        _ => s("s3:GetObject"),
    };
    st.insert("Action".into(), action);
    let r = match rng.weighted(&[50, 30, 12]) {
        0 => s("*"),
        1 => json!([format!("arn:aws:s3:::{}", ctx.bucket), ctx.obj("*")]),
        _ => s("arn:aws:s3:::other-bucket/*"),
    };
    st.insert("Resource".into(), r);
    if rng.chance(0.4) {
        let cond = match rng.below(3) {
            0 => json!({"StringEquals": {"aws:PrincipalAccount": [ctx.account]}}),
            1 => json!({"StringEquals": {"s3:ResourceAccount": [ACCOUNT_A, ACCOUNT_B]}}),
            _ => json!({"StringEquals": {"aws:PrincipalOrgID": ORG}}),
        };
        st.insert("Condition".into(), cond);
    }
    stmts.push(Value::Object(st));
    if rng.chance(0.3) {
        let mut d = Map::new();
        d.insert("Effect".into(), s("Deny"));
        d.insert("Principal".into(), s("*"));
        d.insert("Action".into(), s(rng.pick(&["s3:PutObject", "s3:*"])));
        d.insert("Resource".into(), Value::String(ctx.obj("private/*")));
        stmts.push(Value::Object(d));
    }
    json!({"Version": VERSION, "Statement": stmts})
}
