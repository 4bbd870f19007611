//! `s3why check --from-error MESSAGE`: the message fills the request and ranks the cause
//! in the policy type it names first (troubleshoot-403-errors.html, aws-semantics §9).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::process::Command;

fn s3why(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BOB: &str = r#"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::example-bucket/reports/q1.csv" because no identity-based policy allows the s3:PutObject action"#;

#[test]
fn message_and_snapshot_give_the_full_check() {
    let (code, out, _) = s3why(&[
        "check",
        "--from-error",
        BOB,
        "--snapshot",
        "tests/fixtures/awsdata/snapshot",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "From the error message:\n  principal: arn:aws:iam::111122223333:user/bob\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("AWS blames: no Allow in the identity"),
        "{out}"
    );
    assert!(out.contains("[identity-no-allow]"), "{out}");
}

#[test]
fn the_blamed_policy_type_ranks_first() {
    // Two causes across accounts: no identity allow, and no bucket grant.
    let facts = r#"{"request": {"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "b", "key": "k"},
                    "bucket": {"account": "444455556666"}}"#;
    let file = std::env::temp_dir().join(format!("s3why-from-error-{}.json", std::process::id()));
    std::fs::write(&file, facts).unwrap();
    let path = file.to_str().unwrap();
    let first = |blames: &str| {
        let msg = format!(
            r#"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no {blames} allows the s3:PutObject action"#
        );
        let (code, out, err) = s3why(&["check", "--format", "json", "--from-error", &msg, path]);
        assert_eq!(code, 1, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{out}");
        v["findings"][0]["id"].as_str().unwrap().to_string()
    };
    assert_eq!(first("identity-based policy"), "identity-no-allow");
    assert_eq!(
        first("resource-based policy"),
        "cross-account-no-bucket-grant"
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn a_message_alone_says_what_it_read_and_asks_for_the_facts() {
    let (code, out, err) = s3why(&["check", "--from-error", BOB]);
    assert_eq!(code, 2);
    assert!(
        out.contains("resource: arn:aws:s3:::example-bucket/reports/q1.csv"),
        "{out}"
    );
    assert!(
        err.contains("give the fact document (FILE) or --snapshot DIR"),
        "{err}"
    );
}

#[test]
fn a_message_that_is_not_one_is_an_input_error() {
    let (code, _, err) = s3why(&[
        "check",
        "--from-error",
        "hello",
        "examples/allowed-upload.json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: "), "{err}");
}

/// An SSE-KMS upload over plain HTTP: the InvalidArgument message names the cause
/// (S36), and its finding is listed first.
#[test]
fn a_kms_invalid_argument_message_names_its_finding() {
    let (code, out, _) = s3why(&[
        "check",
        "--from-error",
        "An error occurred (InvalidArgument) when calling the PutObject operation: Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.",
        "docs/examples/findings/kms-insecure-transport.json",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("From the error message:\n  AWS names the cause: kms-insecure-transport\n"),
        "{out}"
    );
    assert!(out.contains("DENIED (400 InvalidArgument)"), "{out}");
}

/// What `aws s3 cp` prints for a refused upload (aws/aws-cli#813): the object from the
/// transfer, the operation, and no principal. With a snapshot, check says how to give
/// the principal: the `s3why facts` pipeline it prints runs as printed, with the ARN put
/// in.
#[test]
fn a_transfer_message_without_a_principal_shows_the_pipeline_that_runs() {
    const CP: &str = "upload failed: ./q1.csv to s3://example-bucket/reports/q1.csv An error occurred (AccessDenied) when calling the UploadPart operation: Access Denied";
    let snapshot = "tests/fixtures/awsdata/snapshot";
    let (code, out, err) = s3why(&["check", "--from-error", CP, "--snapshot", snapshot]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    let pipeline = format!("  s3why facts --snapshot {snapshot} --principal ARN --bucket example-bucket --key reports/q1.csv --multipart | s3why check --from-error MESSAGE -");
    assert!(
        err.starts_with("error: the message names no principal: build the fact document from the snapshot and give it to check:\n"),
        "{err}"
    );
    assert!(err.lines().any(|l| l == pipeline), "{err}");

    // The pipeline, with bob's ARN for ARN and the message for MESSAGE.
    let facts = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["facts", "--snapshot", snapshot])
        .args(["--principal", "arn:aws:iam::111122223333:user/bob"])
        .args([
            "--bucket",
            "example-bucket",
            "--key",
            "reports/q1.csv",
            "--multipart",
        ])
        .output()
        .unwrap();
    assert_eq!(facts.status.code(), Some(0));
    let mut check = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--from-error", CP, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut check.stdin.take().unwrap(), &facts.stdout).unwrap();
    let out = check.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.starts_with(
            "From the error message:\n  object: s3://example-bucket/reports/q1.csv (the upload's destination)\n  operation: UploadPart (a step of a multipart upload, authorized as s3:PutObject)\n"
        ),
        "{out}"
    );
    assert!(out.contains("[identity-no-allow]"), "{out}");
}

/// AWS refused the request, yet the facts allow it: check says the facts are not what
/// AWS saw, instead of a bare ALLOWED.
#[test]
fn an_allowed_verdict_for_a_refused_request_says_the_facts_differ() {
    let (code, out, _) = s3why(&[
        "check",
        "--from-error",
        "Access Denied",
        "examples/allowed-upload.json",
    ]);
    assert_eq!(code, 0, "the verdict is the facts' own");
    assert!(out.contains("ALLOWED (200)"), "{out}");
    assert!(
        out.contains("But AWS refused this request, and these facts allow it"),
        "{out}"
    );
    // Without a message nothing is contradicted.
    let (_, out, _) = s3why(&["check", "examples/allowed-upload.json"]);
    assert!(!out.contains("But AWS refused"), "{out}");
}

/// A message about another principal, bucket or key than the fact document's: the
/// verdict is the facts', and standard error says which fields differ.
#[test]
fn a_message_about_another_request_than_the_facts_is_pointed_out() {
    let msg = "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::other-bucket/zzz\" because no identity-based policy allows the s3:PutObject action";
    let (code, _, err) = s3why(&["check", "--from-error", msg, "examples/allowed-upload.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: the message is about another request than examples/allowed-upload.json: principal arn:aws:iam::111122223333:user/bob (the facts: arn:aws:iam::111122223333:user/alice), bucket other-bucket (the facts: DOC-EXAMPLE-BUCKET), key zzz (the facts: examplefile.jpg)"),
        "{err}"
    );
    // The same request: no warning.
    let same = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::DOC-EXAMPLE-BUCKET/examplefile.jpg\" because no identity-based policy allows the s3:PutObject action";
    let (_, _, err) = s3why(&[
        "check",
        "--from-error",
        same,
        "examples/allowed-upload.json",
    ]);
    assert!(!err.contains("warning"), "{err}");
}
