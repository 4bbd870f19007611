//! Actions and resources of the generated statements.

use serde_json::{json, Map, Value};

use super::*;

/// An `Action` value that covers `s3:PutObject` (most of the time).
pub(super) fn put_action(rng: &mut Rng) -> Value {
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
pub(super) fn any_action(rng: &mut Rng) -> Value {
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
pub(super) fn resource(rng: &mut Rng, ctx: &Ctx, match_bias: u32) -> Value {
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
pub(super) fn action_resource(rng: &mut Rng, ctx: &Ctx, st: &mut Map<String, Value>, main: bool) {
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
