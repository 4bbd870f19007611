//! Conditions of the generated statements: every operator family, IfExists, set
//! operators, key case.

use serde_json::{json, Map, Value};

use super::*;

pub(super) fn cidr(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => s("203.0.113.0/24"),
        1 => s("198.51.100.20/32"),
        2 => s("198.51.100.20"),
        3 => json!(["192.0.2.0/25", "203.0.113.0/24"]),
        _ => s("10.0.0.0/8"),
    }
}

pub(super) fn if_exists(rng: &mut Rng, op: &str) -> String {
    if rng.chance(0.25) {
        format!("{op}IfExists")
    } else {
        op.to_string()
    }
}

/// One condition: (operator, key, value).
pub(super) fn condition_atom(rng: &mut Rng, ctx: &Ctx) -> (String, String, Value) {
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
pub(super) fn key_case(rng: &mut Rng, key: String) -> String {
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

pub(super) fn condition(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn sid(rng: &mut Rng, st: &mut Map<String, Value>, n: usize) {
    if rng.chance(0.6) {
        st.insert("Sid".into(), Value::String(format!("Stmt{n}")));
    }
}
