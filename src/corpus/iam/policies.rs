//! The generated policies: identity side (identity, boundary, session), organizations
//! (SCPs, RCPs) and resource side (bucket policy, VPC endpoint policy).

use serde_json::{json, Map, Value};

use super::*;

pub(super) fn identity_policy_statements(rng: &mut Rng, ctx: &Ctx, first: bool) -> Vec<Value> {
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

pub(super) fn boundary(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn session_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn full_aws_access() -> Value {
    json!({"name": "FullAWSAccess", "document": {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}})
}

pub(super) fn scp_deny(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn scp_narrow(rng: &mut Rng) -> Value {
    let action = match rng.below(3) {
        0 => json!(["s3:*", "kms:*"]),
        1 => s("s3:Put*"),
        _ => json!(["s3:GetObject", "ec2:*"]),
    };
    json!({"name": "AllowListS3", "document": {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}})
}

pub(super) fn rcp_deny(rng: &mut Rng, ctx: &Ctx) -> Value {
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
pub(super) fn org_account(
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
pub(super) fn matching_principal(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn principal_value(rng: &mut Rng, ctx: &Ctx) -> Value {
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

pub(super) fn bucket_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
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
pub(super) fn action_resource_bucket(
    rng: &mut Rng,
    ctx: &Ctx,
    st: &mut Map<String, Value>,
    main: bool,
) {
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

pub(super) fn endpoint_policy(rng: &mut Rng, ctx: &Ctx) -> Value {
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
