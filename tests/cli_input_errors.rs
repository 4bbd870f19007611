//! Bad input gets one clear message with the file, the JSON path (or line:column) and what
//! was expected, and exit status 2; never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::io::Write;
use std::process::Command;

fn check(name: &str, text: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("s3why-input-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.display().to_string(), "DIR");
    (out.status.code().unwrap_or(-1), stderr.trim().to_string())
}

const REQ: &str = r#""request": {"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "b", "key": "k"}"#;

#[test]
fn malformed_json_has_line_and_column() {
    let (code, err) = check(
        "bad.json",
        "{\n  \"request\": {\n    \"principal\": \"x\",,\n  }\n}\n",
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: DIR/bad.json:3:22: invalid JSON: key must be a string"
    );
}

/// Columns count characters, as editors do (serde_json counts bytes): the second comma
/// after `"ééé"` is the 12th character, the 15th byte.
#[test]
fn columns_count_characters_after_non_ascii_text() {
    let (code, err) = check("accents.json", "{\"a\":\"ééé\",,}");
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: DIR/accents.json:1:12: invalid JSON: key must be a string"
    );
}

/// A file cut off after a newline: serde_json places the end at column 0 of the next
/// line; editors and CI annotations count columns from 1.
#[test]
fn a_file_cut_off_after_a_newline_ends_at_column_1() {
    let (code, err) = check("cut.json", "{\n  \"request\":\n");
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: DIR/cut.json:3:1: invalid JSON: EOF while parsing a value"
    );
}

#[test]
fn bad_cidr_names_the_field() {
    let doc = format!(
        r#"{{{REQ}, "bucket": {{"policy": {{"Version": "2012-10-17", "Statement": [{{}}, {{}}, {{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {{"IpAddress": {{"aws:SourceIp": "54.240.143.0/33"}}}}}}]}}}}}}"#
    );
    let (code, err) = check("cidr.json", &doc);
    assert_eq!(code, 2);
    // The first statement is checked first: it lacks an Effect.
    assert_eq!(err, "error: DIR/cidr.json: bucket.policy.Statement[0].Effect: missing: a statement needs an Effect");
    let doc = doc.replace("[{}, {}, ", "[");
    let (_, err) = check("cidr2.json", &doc);
    assert_eq!(err, "error: DIR/cidr2.json: bucket.policy.Statement[0].Condition.IpAddress.aws:SourceIp: \"54.240.143.0/33\" is not a CIDR");
}

#[test]
fn unknown_fields_are_errors_with_a_hint() {
    let (code, err) = check("typo.json", &format!(r#"{{{REQ}, "buckt": {{}}}}"#));
    assert_eq!(code, 2);
    assert!(
        err.contains("buckt: unknown field (did you mean \"bucket\"?)"),
        "{err}"
    );
    let (_, err) = check(
        "typo2.json",
        &format!(
            r#"{{{REQ}, "identity": {{"policies": [{{"name": "p", "document": {{"Statement": {{"Efect": "Allow"}}}}}}]}}}}"#
        ),
    );
    assert!(err.contains("identity.policies[0].document.Statement.Efect: unknown field (did you mean \"Effect\"?)"), "{err}");
}

#[test]
fn wrong_shapes_say_what_was_expected() {
    let cases = [
        (r#"{"request": {"bucket": "b", "key": "k"}}"#, "request.principal: missing: this field is required"),
        (r#"{"request": {"principal": "alice", "bucket": "b", "key": "k"}}"#, "request.principal: \"alice\" is not an ARN"),
        (r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b"}}"#, "request.key: missing: an object action needs the object key"),
        (&format!(r#"{{{REQ}, "identity": {{"policies": [{{"document": {{"Statement": [{{"Effect": "allow", "Action": "s3:*", "Resource": "*"}}]}}}}]}}}}"#), "identity.policies[0].document.Statement[0].Effect: expected \"Allow\" or \"Deny\" (case-sensitive), found \"allow\""),
        (&format!(r#"{{{REQ}, "identity": {{"policies": [{{"document": {{"Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}]}}}}]}}}}"#), "identity.policies[0].document.Statement[0].Principal: an identity-based policy cannot name a principal"),
        (&format!(r#"{{{REQ}, "bucket": {{"policy": "{{not json"}}}}"#), "bucket.policy: the policy string is not a JSON document"),
        (&format!(r#"{{{REQ}, "bucket": {{"policy": {{"Statement": [{{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}]}}}}}}"#), "bucket.policy.Statement[0]: missing: a statement of a bucket policy needs Principal or NotPrincipal"),
        (&format!(r#"{{{REQ}, "bucket": {{"policy": {{"Statement": [{{"Effect": "Allow", "NotPrincipal": {{"AWS": "111122223333"}}, "Action": "s3:*", "Resource": "*"}}]}}}}}}"#), "bucket.policy.Statement[0].NotPrincipal: NotPrincipal is supported only with \"Effect\": \"Deny\""),
        (&format!(r#"{{{REQ}, "bucket": {{"policy": {{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:user/*"}}, "Action": "s3:*", "Resource": "*"}}]}}}}}}"#), "a principal cannot use a partial wildcard"),
        (r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k", "vpc_endpoint": "vpce-1"}}"#, "vpc_endpoint: missing: required when request.vpc_endpoint is set"),
        (r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k", "vpc_endpoint": "vpce-1"}, "vpc_endpoint": {"id": "vpce-2", "type": "Gateway"}}"#, "vpc_endpoint.id: \"vpce-2\" is not the endpoint the request goes through (request.vpc_endpoint \"vpce-1\")"),
        (&format!(r#"{{{REQ}, "kms_keys": [{{"arn": "alias/foo"}}]}}"#), "kms_keys[0].arn: \"alias/foo\" is not a KMS key ARN"),
        (&format!(r#"{{{REQ}, "bucket": {{"ownership_controls": {{"Rules": [{{"ObjectOwnership": "Enforced"}}]}}}}}}"#), "bucket.ownership_controls.Rules[0].ObjectOwnership: \"Enforced\": expected BucketOwnerEnforced"),
        (&format!(r#"{{{REQ}, "bucket": {{"blocked_encryption_types": ["SSE-X"]}}}}"#), "bucket.blocked_encryption_types[0]: \"SSE-X\": expected \"SSE-C\""),
        (&format!(r#"{{{REQ}, "identity": {{"policies": [{{"document": {{"Statement": [{{"Effect": "Allow", "Action": [], "Resource": "*"}}]}}}}]}}}}"#), "identity.policies[0].document.Statement[0].Action: an empty list: Action needs at least one value"),
        ("[]", "expected an object, found an array"),
    ];
    for (i, (doc, expected)) in cases.iter().enumerate() {
        let (code, err) = check(&format!("shape{i}.json"), doc);
        assert_eq!(code, 2, "case {i}: {err}");
        assert!(
            err.contains(expected),
            "case {i}: expected {expected:?} in {err:?}"
        );
        assert_eq!(err.lines().count(), 1, "case {i}: one message: {err}");
    }
}

// AWS returns policies as (URL-encoded) JSON strings, and CLI output wraps them.
#[test]
fn aws_shaped_input_is_accepted() {
    let policy = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let encoded: String = policy
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let doc = format!(
        r#"{{{REQ}, "identity": {{"policies": [{{"name": "p", "document": "{encoded}"}}]}}}}"#
    );
    let (code, err) = check("encoded.json", &doc);
    assert_eq!((code, err.as_str()), (0, ""));
    let wrapped = format!(
        r#"{{{REQ}, "bucket": {{"policy": {{"Policy": {}}}}}}}"#,
        serde_json::to_string(&policy.replace("\"Action\"", "\"Principal\":\"*\",\"Action\""))
            .unwrap()
    );
    let (code, err) = check("wrapped.json", &wrapped);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn yaml_is_accepted_and_located() {
    let yaml = "request:\n  principal: arn:aws:iam::111122223333:root\n  bucket: b\n  key: k\n";
    assert_eq!(check("ok.yaml", yaml).0, 0);
    let (code, err) = check("bad.yaml", "request:\n  principal: [\n");
    assert_eq!(code, 2);
    assert!(err.starts_with("error: DIR/bad.yaml:"), "{err}");
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn missing_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["check", "/nonexistent/x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.json: cannot read"));
}

// facts.md leaves the shape of a policy list's items open: `{name, document}`, or the
// document itself (also for session policies).
#[test]
fn policy_lists_take_named_or_bare_documents() {
    let doc = r#"{"request": {"principal": "arn:aws:sts::111122223333:assumed-role/R/s", "bucket": "b", "key": "k",
      "session": {"policies": [{"name": "sp", "document": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}}]}},
     "identity": {"policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}]}}"#;
    assert_eq!(check("lenient.json", doc), (0, String::new()));
    // The session policy is really read: one that allows nothing denies.
    let deny = doc.replace(
        "\"Action\": \"s3:PutObject\"",
        "\"Action\": \"s3:GetObject\"",
    );
    assert_eq!(check("lenient2.json", &deny).0, 1);
}

/// A reader that goes away (`s3why explain FILE | head -1`) ends the output quietly: the
/// exit status is the verdict's, not a panic's 101. The read end is closed before the
/// child writes (it is still loading its rules), so its first write fails.
#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    let root = env!("CARGO_MANIFEST_DIR");
    for args in [
        vec!["explain", "examples/bucket-policy-kms-key.json"],
        vec!["check", "examples/bucket-policy-kms-key.json"],
        vec!["rules", "list"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
            .args(&args)
            .current_dir(root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}

/// The RCP syntax page (aws-semantics §1.6 [S63]): Version 2012-10-17, no NotAction, and
/// "Allow" only in AWS's RCPFullAWSAccess. AWS refuses other RCPs, so s3why does too;
/// RCPFullAWSAccess itself and a customer's Deny are accepted.
#[test]
fn rcp_grammar_is_the_rcp_syntax_page() {
    let with_rcp = |statement: &str, version: &str| {
        format!(
            r#"{{{REQ}, "accounts": {{"111122223333": {{"organization": "o-a1b2c3d4e5", "rcps": [{{"target": "r-abcd", "policies": [{{"name": "R", "document": {{{version}"Statement": [{statement}]}}}}]}}]}}}}}}"#
        )
    };
    let v12 = r#""Version": "2012-10-17", "#;
    let at = "accounts.111122223333.rcps[0].policies[0].document";
    let refused = [
        (
            with_rcp(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}"#, v12),
            format!("{at}.Statement[0].Effect: \"Allow\" in a resource control policy is only AWS's RCPFullAWSAccess"),
        ),
        (
            with_rcp(r#"{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"}"#, v12),
            format!("{at}.Statement[0].NotAction: not an element of resource control policies"),
        ),
        (
            with_rcp(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#, ""),
            format!("{at}.Version: a resource control policy needs \"Version\": \"2012-10-17\""),
        ),
    ];
    for (i, (doc, expected)) in refused.iter().enumerate() {
        let (code, err) = check(&format!("rcp{i}.json"), doc);
        assert_eq!(code, 2, "case {i}: {err}");
        assert!(
            err.contains(expected.as_str()),
            "case {i}: expected {expected:?} in {err:?}"
        );
    }
    for (i, statement) in [
        r#"{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#,
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    ]
    .iter()
    .enumerate()
    {
        let (code, err) = check(&format!("rcp-ok{i}.json"), &with_rcp(statement, v12));
        assert!(code < 2, "case {i}: {err}");
    }
}

/// Keys AWS always gives with a type (S19 global condition keys, S29 S3's): a value in
/// request.context that is not of the type is an error naming it. Read as nothing, a
/// "yesterday" aws:CurrentTime turned a DateLessThan Deny off.
#[test]
fn typed_context_keys_take_values_of_their_type() {
    let with_context = |k: &str, v: &str| {
        format!(
            r#"{{"request": {{"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "b", "key": "k", "context": {{"{k}": {v}}}}}}}"#
        )
    };
    for (i, (k, v, expected)) in [
        (
            "aws:CurrentTime",
            r#""yesterday""#,
            "request.context.aws:CurrentTime: \"yesterday\" is not a date",
        ),
        (
            "s3:TlsVersion",
            r#""abc""#,
            "request.context.s3:TlsVersion: \"abc\" is not a number",
        ),
        (
            "aws:SecureTransport",
            r#""yes""#,
            "\"yes\" is not true or false",
        ),
        (
            "aws:SourceIp",
            r#"["10.0.0.1", "ten"]"#,
            "\"ten\" is not an IP address",
        ),
    ]
    .iter()
    .enumerate()
    {
        let (code, err) = check(&format!("ctx{i}.json"), &with_context(k, v));
        assert_eq!(code, 2, "case {i}: {err}");
        assert!(
            err.contains(expected),
            "case {i}: expected {expected:?} in {err:?}"
        );
    }
    for (i, (k, v)) in [
        ("aws:CurrentTime", r#""2026-11-28T12:00:00Z""#),
        ("aws:EpochTime", "1795867200"),
        ("s3:TlsVersion", r#""1.2""#),
        ("aws:SecureTransport", "false"),
        ("aws:SourceIp", r#""2001:db8::1""#),
        ("aws:PrincipalTag/team", r#""anything""#),
    ]
    .iter()
    .enumerate()
    {
        let (code, err) = check(&format!("ctx-ok{i}.json"), &with_context(k, v));
        assert!(code < 2, "case {i}: {err}");
    }
}
