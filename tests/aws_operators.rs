//! Condition operators, one table per family, each row from AWS's documentation:
//! reference_policies_elements_condition_operators.html (S14),
//! reference_policies_condition-single-vs-multi-valued-context-keys.html (S15),
//! reference_policies_condition_examples-multi-valued-context-keys.html (S16),
//! reference_policies_variables.html (S18).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use s3why::aws::condition::{compile_block, Condition};
use s3why::aws::context::{Context, ContextValue};
use serde_json::json;

/// (operator, key, policy value(s), request value: None = absent, expected)
type Row = (
    &'static str,
    &'static str,
    serde_json::Value,
    Option<ContextValue>,
    bool,
);

fn s(v: &str) -> Option<ContextValue> {
    Some(ContextValue::Single(v.to_string()))
}

fn m(vs: &[&str]) -> Option<ContextValue> {
    Some(ContextValue::Multi(
        vs.iter().map(|v| v.to_string()).collect(),
    ))
}

fn run(rows: &[Row]) {
    let mut failures = Vec::new();
    for (i, (op, key, values, ctx_value, expected)) in rows.iter().enumerate() {
        let cond = Condition::compile(op, key, values, true, "test")
            .unwrap_or_else(|e| panic!("row {i}: {e}"));
        let mut ctx = Context::new();
        ctx.set_str("aws:username", "alice");
        if let Some(v) = ctx_value {
            ctx.set(key, v.clone());
        }
        let got = cond.evaluate(&ctx).result;
        if got != *expected {
            failures.push(format!(
                "row {i}: {op} {key} {values} with {ctx_value:?}: expected {expected}, got {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// S14 string operators: case-sensitive equality, IgnoreCase, Like with * and ?, several
// values OR; S14 §"missing keys": absent → false, negated → true.
#[test]
fn string_operators_s14() {
    run(&[
        (
            "StringEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            s("STANDARD_IA"),
            true,
        ),
        (
            "StringEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            s("standard_ia"),
            false,
        ),
        (
            "StringEquals",
            "s3:x-amz-storage-class",
            json!(["STANDARD", "STANDARD_IA"]),
            s("STANDARD_IA"),
            true,
        ),
        (
            "StringEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            None,
            false,
        ),
        (
            "StringNotEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            s("GLACIER"),
            true,
        ),
        (
            "StringNotEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            s("STANDARD_IA"),
            false,
        ),
        (
            "StringNotEquals",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            None,
            true,
        ),
        // Negated operators with several values: true only when the value is none of them (S17).
        (
            "StringNotEquals",
            "aws:PrincipalAccount",
            json!(["111122223333", "444455556666"]),
            s("444455556666"),
            false,
        ),
        (
            "StringNotEquals",
            "aws:PrincipalAccount",
            json!(["111122223333", "444455556666"]),
            s("999999999999"),
            true,
        ),
        (
            "StringEqualsIgnoreCase",
            "s3:x-amz-acl",
            json!("PUBLIC-READ"),
            s("public-read"),
            true,
        ),
        (
            "StringNotEqualsIgnoreCase",
            "s3:x-amz-acl",
            json!("PUBLIC-READ"),
            s("public-read"),
            false,
        ),
        (
            "StringLike",
            "s3:x-amz-acl",
            json!("public-*"),
            s("public-read"),
            true,
        ),
        (
            "StringLike",
            "s3:x-amz-acl",
            json!("public-rea?"),
            s("public-read"),
            true,
        ),
        (
            "StringLike",
            "s3:x-amz-acl",
            json!("public-rea?"),
            s("public-reads"),
            false,
        ),
        (
            "StringLike",
            "s3:x-amz-acl",
            json!("PUBLIC-*"),
            s("public-read"),
            false,
        ),
        (
            "StringNotLike",
            "s3:x-amz-acl",
            json!("public-*"),
            s("private"),
            true,
        ),
        (
            "StringNotLike",
            "s3:x-amz-acl",
            json!("public-*"),
            None,
            true,
        ),
        // `*` in StringEquals is literal.
        (
            "StringEquals",
            "s3:x-amz-acl",
            json!("public-*"),
            s("public-read"),
            false,
        ),
    ]);
}

// S14 numeric operators; s3:TlsVersion is numeric (S29, S55).
#[test]
fn numeric_operators_s14() {
    run(&[
        (
            "NumericLessThan",
            "s3:TlsVersion",
            json!("1.2"),
            s("1.1"),
            true,
        ),
        (
            "NumericLessThan",
            "s3:TlsVersion",
            json!(1.2),
            s("1.2"),
            false,
        ),
        (
            "NumericLessThanEquals",
            "s3:TlsVersion",
            json!("1.2"),
            s("1.2"),
            true,
        ),
        (
            "NumericGreaterThan",
            "s3:TlsVersion",
            json!("1.2"),
            s("1.3"),
            true,
        ),
        (
            "NumericGreaterThanEquals",
            "s3:TlsVersion",
            json!("1.2"),
            s("1.1"),
            false,
        ),
        ("NumericEquals", "s3:signatureAge", json!("0"), s("0"), true),
        (
            "NumericNotEquals",
            "s3:signatureAge",
            json!("0"),
            s("10"),
            true,
        ),
        (
            "NumericNotEquals",
            "s3:signatureAge",
            json!("0"),
            None,
            true,
        ),
        (
            "NumericLessThan",
            "s3:TlsVersion",
            json!("1.2"),
            None,
            false,
        ),
        (
            "NumericLessThan",
            "s3:TlsVersion",
            json!("1.2"),
            s("not-a-number"),
            false,
        ),
    ]);
}

// S14 date operators: ISO 8601 (W3C) or epoch seconds.
#[test]
fn date_operators_s14() {
    run(&[
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2026-12-31T00:00:00Z"),
            s("2026-11-27T22:00:00Z"),
            true,
        ),
        (
            "DateGreaterThan",
            "aws:CurrentTime",
            json!("2026-12-31T00:00:00Z"),
            s("2026-11-27T22:00:00Z"),
            false,
        ),
        (
            "DateEquals",
            "aws:EpochTime",
            json!("1700000000"),
            s("2023-11-14T22:13:20Z"),
            true,
        ),
        (
            "DateLessThanEquals",
            "aws:CurrentTime",
            json!("2026-11-27"),
            s("2026-11-27T00:00:00Z"),
            true,
        ),
        (
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            json!("2026-11-27T00:00:00+01:00"),
            s("2026-11-26T23:00:00Z"),
            true,
        ),
        (
            "DateNotEquals",
            "aws:CurrentTime",
            json!("2026-11-27T00:00:00Z"),
            None,
            true,
        ),
    ]);
}

// S14 Bool (case-insensitive "true"/"false"), BinaryEquals (byte-for-byte base64), Null.
#[test]
fn bool_binary_null_s14() {
    run(&[
        (
            "Bool",
            "aws:SecureTransport",
            json!("false"),
            s("false"),
            true,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!(false),
            s("false"),
            true,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!("false"),
            s("true"),
            false,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!("FALSE"),
            s("false"),
            true,
        ),
        ("Bool", "aws:SecureTransport", json!("false"), None, false),
        (
            "BinaryEquals",
            "key",
            json!("QmluYXJ5VmFsdWU="),
            s("QmluYXJ5VmFsdWU="),
            true,
        ),
        (
            "BinaryEquals",
            "key",
            json!("QmluYXJ5VmFsdWU="),
            s("qmluyxj5vmfsdwu="),
            false,
        ),
        // Null: "true" = the key is absent; "false" = present.
        (
            "Null",
            "s3:x-amz-server-side-encryption",
            json!("true"),
            None,
            true,
        ),
        (
            "Null",
            "s3:x-amz-server-side-encryption",
            json!("true"),
            s("AES256"),
            false,
        ),
        (
            "Null",
            "s3:x-amz-server-side-encryption",
            json!("false"),
            s("AES256"),
            true,
        ),
        (
            "Null",
            "s3:x-amz-server-side-encryption",
            json!(true),
            None,
            true,
        ),
    ]);
}

// S14 IpAddress / NotIpAddress, IPv4 and IPv6, bare address = /32.
#[test]
fn ip_operators_s14() {
    run(&[
        (
            "IpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            s("54.240.143.7"),
            true,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            s("54.240.144.7"),
            false,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!(["192.0.2.0/24", "54.240.143.0/24"]),
            s("54.240.143.7"),
            true,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("2001:DB8:1234:5678::/64"),
            s("2001:db8:1234:5678::1"),
            true,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("2001:DB8:1234:5678::/64"),
            s("54.240.143.7"),
            false,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.7"),
            s("203.0.113.7"),
            true,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.7"),
            s("203.0.113.8"),
            false,
        ),
        // Through a VPC endpoint aws:SourceIp is absent: IpAddress false, NotIpAddress true (S19, S54).
        (
            "IpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            None,
            false,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            None,
            true,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            s("54.240.143.7"),
            false,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            s("198.51.100.1"),
            true,
        ),
    ]);
}

// S14 ARN operators: each of the six parts matched separately; ArnEquals ≡ ArnLike.
#[test]
fn arn_operators_s14() {
    let value =
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    run(&[
        (
            "ArnLike",
            "aws:SourceArn",
            json!("arn:aws:someservice:*:111122223333:finance/*"),
            s(value),
            false,
        ),
        (
            "StringLike",
            "aws:SourceArn",
            json!("arn:aws:someservice:*:111122223333:finance/*"),
            s(value),
            true,
        ),
        (
            "ArnLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::111122223333:role/Upload*"),
            s("arn:aws:iam::111122223333:role/Uploader"),
            true,
        ),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            json!("arn:aws:iam::111122223333:role/Upload*"),
            s("arn:aws:iam::111122223333:role/Uploader"),
            true,
        ),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            json!("arn:aws:iam::111122223333:role/Uploader"),
            s("arn:aws:iam::111122223333:role/uploader"),
            false,
        ),
        (
            "ArnNotEquals",
            "aws:PrincipalArn",
            json!("arn:aws:iam::111122223333:role/Uploader"),
            s("arn:aws:iam::111122223333:role/Other"),
            true,
        ),
        (
            "ArnNotLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/Uploader"),
            s("arn:aws:iam::444455556666:role/Uploader"),
            false,
        ),
        (
            "ArnNotLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/Uploader"),
            None,
            true,
        ),
        (
            "ArnLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/Uploader"),
            None,
            false,
        ),
    ]);
}

// S14 ...IfExists: absent key → true; present → evaluated normally.
#[test]
fn if_exists_s14() {
    run(&[
        (
            "StringEqualsIfExists",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            None,
            true,
        ),
        (
            "StringEqualsIfExists",
            "s3:x-amz-storage-class",
            json!("STANDARD_IA"),
            s("GLACIER"),
            false,
        ),
        (
            "StringNotEqualsIfExists",
            "aws:PrincipalOrgID",
            json!("o-a1b2c3d4e5"),
            None,
            true,
        ),
        (
            "StringNotEqualsIfExists",
            "aws:PrincipalOrgID",
            json!("o-a1b2c3d4e5"),
            s("o-a1b2c3d4e5"),
            false,
        ),
        (
            "IpAddressIfExists",
            "aws:SourceIp",
            json!("54.240.143.0/24"),
            None,
            true,
        ),
        (
            "NumericLessThanIfExists",
            "s3:TlsVersion",
            json!("1.2"),
            s("1.3"),
            false,
        ),
    ]);
}

// S15/S16 set qualifiers: ForAllValues is vacuously true on a missing key; ForAnyValue false.
#[test]
fn set_qualifiers_s15_s16() {
    run(&[
        (
            "ForAllValues:StringLike",
            "aws:TagKeys",
            json!("key1*"),
            m(&["key1"]),
            true,
        ),
        (
            "ForAllValues:StringLike",
            "aws:TagKeys",
            json!("key1*"),
            m(&["key1", "key2"]),
            false,
        ),
        (
            "ForAllValues:StringLike",
            "aws:TagKeys",
            json!("key1*"),
            None,
            true,
        ),
        (
            "ForAllValues:StringLike",
            "aws:TagKeys",
            json!("key1*"),
            m(&[]),
            true,
        ),
        // S16's Deny + ForAllValues:StringNotLike "key1*": [key1:legal] no match;
        // [key2:audit] match; no aws:TagKeys → match.
        (
            "ForAllValues:StringNotLike",
            "aws:TagKeys",
            json!("key1*"),
            m(&["key1"]),
            false,
        ),
        (
            "ForAllValues:StringNotLike",
            "aws:TagKeys",
            json!("key1*"),
            m(&["key2"]),
            true,
        ),
        (
            "ForAllValues:StringNotLike",
            "aws:TagKeys",
            json!("key1*"),
            None,
            true,
        ),
        // S16's Deny + ForAnyValue:StringEquals "webserver": [environment,test] no match;
        // no aws:TagKeys → no match.
        (
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            json!("webserver"),
            m(&["environment", "test"]),
            false,
        ),
        (
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            json!("webserver"),
            m(&["environment", "webserver"]),
            true,
        ),
        (
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            json!("webserver"),
            None,
            false,
        ),
        (
            "ForAnyValue:StringEquals",
            "s3:RequestObjectTagKeys",
            json!(["team", "project"]),
            m(&["team"]),
            true,
        ),
    ]);
}

// S18 policy variables in condition values; an absent variable: StringEquals no match,
// StringNotEquals match.
#[test]
fn variables_in_conditions_s18() {
    run(&[
        (
            "StringEquals",
            "s3:prefix",
            json!("home/${aws:username}"),
            s("home/alice"),
            true,
        ),
        (
            "StringEquals",
            "s3:prefix",
            json!("home/${aws:username}"),
            s("home/bob"),
            false,
        ),
        (
            "StringLike",
            "s3:prefix",
            json!("home/${aws:username}/*"),
            s("home/alice/x"),
            true,
        ),
        (
            "StringEquals",
            "s3:prefix",
            json!("${aws:PrincipalTag/team}"),
            s("data"),
            false,
        ),
        (
            "StringNotEquals",
            "s3:prefix",
            json!("${aws:PrincipalTag/team}"),
            s("data"),
            true,
        ),
        (
            "StringEquals",
            "s3:prefix",
            json!("${aws:PrincipalTag/team, 'company-wide'}"),
            s("company-wide"),
            true,
        ),
    ]);
}

// Several operators and keys in one block AND (S17).
#[test]
fn keys_and_operators_and_s17() {
    let block = json!({
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "s3:x-amz-storage-class": "STANDARD_IA"},
        "IpAddress": {"aws:SourceIp": "54.240.143.0/24"}
    });
    let conds = compile_block(&block, true, "c").unwrap();
    assert_eq!(conds.len(), 3);
    let mut ctx = Context::new();
    ctx.set_str("s3:x-amz-acl", "bucket-owner-full-control");
    ctx.set_str("s3:x-amz-storage-class", "STANDARD_IA");
    ctx.set_str("aws:SourceIp", "54.240.143.9");
    assert!(conds.iter().all(|c| c.evaluate(&ctx).result));
    ctx.set_str("aws:SourceIp", "10.0.0.1");
    assert_eq!(conds.iter().filter(|c| !c.evaluate(&ctx).result).count(), 1);
}

// Bad values are errors with the path of the key, never a silent non-match.
#[test]
fn bad_values_are_located_errors() {
    let block = json!({"IpAddress": {"aws:SourceIp": "54.240.143.0/33"}});
    let err = compile_block(&block, true, "bucket.policy.Statement[2].Condition").unwrap_err();
    assert_eq!(
        err.path,
        "bucket.policy.Statement[2].Condition.IpAddress.aws:SourceIp"
    );
    assert_eq!(err.message, "\"54.240.143.0/33\" is not a CIDR");
    let err = compile_block(
        &json!({"NumericLessThan": {"s3:TlsVersion": "abc"}}),
        true,
        "c",
    )
    .unwrap_err();
    assert!(err.message.contains("not a number"));
    let err = compile_block(&json!({"StringEqualz": {"k": "v"}}), true, "c").unwrap_err();
    assert!(
        err.message.contains("did you mean \"StringEquals\""),
        "{}",
        err.message
    );
    let err = compile_block(&json!({"NullIfExists": {"k": "true"}}), true, "c").unwrap_err();
    assert!(err.message.contains("no IfExists"));
    // A value of a list that is not a scalar names its place in the list.
    let err = compile_block(
        &json!({"StringEquals": {"s3:x-amz-acl": ["private", {"x": 1}]}}),
        true,
        "bucket.policy.Statement[0].Condition",
    )
    .unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        (
            "bucket.policy.Statement[0].Condition.StringEquals.s3:x-amz-acl[1]",
            "expected a string, number or boolean, found an object"
        )
    );
    let err = compile_block(
        &json!({"DateLessThan": {"aws:CurrentTime": "yesterday"}}),
        true,
        "c",
    )
    .unwrap_err();
    assert!(err.message.contains("ISO 8601"));
}

/// S14: numeric operators compare numbers; a policy value that is no number ("NaN",
/// "inf") or none a number can hold ("1e400") is refused like "abc", never compiled into
/// a comparison that is always false.
#[test]
fn numeric_policy_values_must_be_finite_numbers_s14() {
    for bad in ["NaN", "nan", "inf", "-Infinity", "1e400", "abc", ""] {
        let e = Condition::compile("NumericLessThan", "s3:TlsVersion", &json!(bad), true, "c")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("is not a number"), "{bad:?}: {e:?}");
    }
    for ok in ["1.2", "-3", "+4", "2e3", " 7 "] {
        assert!(
            Condition::compile("NumericLessThan", "s3:TlsVersion", &json!(ok), true, "c").is_ok(),
            "{ok:?}"
        );
    }
}
