//! `s3why facts`: fact documents assembled from AWS CLI output pass `s3why check`
//! unchanged, with the verdict AWS would give; bad AWS output names its file and field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const SNAP: &str = "tests/fixtures/awsdata/snapshot";
const BROKEN: &str = "tests/fixtures/awsdata/broken";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";
const CAROL: &str = "arn:aws:iam::111122223333:user/contractors/carol";
const PIPELINE: &str = "arn:aws:sts::111122223333:assumed-role/data-pipeline/run-42";

fn s3why(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

/// `s3why facts ARGS`, which must succeed; the document.
fn facts(args: &[&str]) -> String {
    let mut all = vec!["facts"];
    all.extend_from_slice(args);
    let (code, out, err) = s3why(&all, None);
    assert_eq!(code, 0, "s3why facts {args:?} failed: {err}");
    out
}

/// `s3why facts` for alice's upload of `reports/q1.csv` to `example-bucket`, from the
/// snapshot folder `snap`, with `extra` flags: the document.
fn alice_q1_from(snap: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "--snapshot",
        snap,
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
        "--key",
        "reports/q1.csv",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&facts(&args)).unwrap()
}

/// The document passed unchanged to `s3why check --format json`: (exit code, verdict).
fn check(doc: &str) -> (i32, Value) {
    let (code, out, err) = s3why(&["check", "-", "--format", "json"], Some(doc));
    assert!(code == 0 || code == 1, "check failed ({code}): {err}");
    (code, serde_json::from_str(&out).unwrap())
}

fn snapshot_verdict(principal: &str, bucket: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "--snapshot",
        SNAP,
        "--principal",
        principal,
        "--bucket",
        bucket,
    ];
    args.extend_from_slice(extra);
    check(&facts(&args))
}

/// The file-by-file form of the snapshot's example-bucket: every flag, one CLI shape each.
fn every_file_flag() -> Vec<String> {
    let s = |p: &str| format!("{SNAP}/{p}");
    let key = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let aws_key = "0987dcba-09fe-87dc-65ba-ab0987654321";
    vec![
        "--auth-details".into(),
        s("iam/authorization-details.json"),
        "--bucket-policy".into(),
        s("s3/example-bucket/policy.json"),
        "--bucket-encryption".into(),
        s("s3/example-bucket/encryption.json"),
        "--ownership-controls".into(),
        s("s3/example-bucket/ownership-controls.json"),
        "--public-access-block".into(),
        s("s3/example-bucket/public-access-block.json"),
        "--account-public-access-block".into(),
        s("s3control/public-access-block.json"),
        "--request-payment".into(),
        s("s3/example-bucket/request-payment.json"),
        "--bucket-location".into(),
        s("s3/example-bucket/location.json"),
        // In the snapshot's order: key folders sorted by id.
        "--kms-key".into(),
        s(&format!("kms/{aws_key}/describe.json")),
        "--kms-key".into(),
        format!(
            "{}:{}",
            s(&format!("kms/{key}/describe.json")),
            s(&format!("kms/{key}/policy.json"))
        ),
        "--kms-aliases".into(),
        s("kms/aliases.json"),
        "--vpc-endpoints".into(),
        s("ec2/vpc-endpoints.json"),
        "--organization".into(),
        s("organizations/organization.json"),
        "--scp-level".into(),
        format!(
            "r-abcd={}",
            s("organizations/policies/p-FullAWSAccess.json")
        ),
        "--scp-level".into(),
        format!(
            "ou-abcd-11111111={},{}",
            s("organizations/policies/p-FullAWSAccess.json"),
            s("organizations/policies/p-examplescp1.json")
        ),
        "--scp-level".into(),
        format!(
            "111122223333={}",
            s("organizations/policies/p-FullAWSAccess.json")
        ),
        "--rcp-level".into(),
        format!(
            "r-abcd={}",
            s("organizations/policies/p-RCPFullAWSAccess.json")
        ),
        "--rcp-level".into(),
        format!(
            "ou-abcd-11111111={}",
            s("organizations/policies/p-RCPFullAWSAccess.json")
        ),
        "--rcp-level".into(),
        format!(
            "111122223333={}",
            s("organizations/policies/p-RCPFullAWSAccess.json")
        ),
    ]
}

fn files_doc(principal: &str, extra: &[&str]) -> String {
    let flags = every_file_flag();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend_from_slice(&[
        "--principal",
        principal,
        "--bucket",
        "example-bucket",
        "--key",
        "reports/q1.csv",
    ]);
    args.extend_from_slice(extra);
    facts(&args)
}

#[test]
fn every_cli_shape_lands_in_its_fact_field() {
    let doc: Value = serde_json::from_str(&files_doc(ALICE, &[])).unwrap();
    // get-bucket-policy's JSON string, decoded.
    assert_eq!(
        doc["bucket"]["policy"]["Statement"][0]["Sid"],
        "DenyInsecureTransport"
    );
    // get-bucket-encryption: the default rule, and SSE-C blocked (API_BlockedEncryptionTypes).
    assert_eq!(
        doc["bucket"]["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "aws:kms"
    );
    assert_eq!(
        doc["bucket"]["encryption"]["Rules"][0]["BucketKeyEnabled"],
        true
    );
    assert_eq!(
        doc["bucket"]["blocked_encryption_types"],
        serde_json::json!(["SSE-C"])
    );
    assert_eq!(
        doc["bucket"]["ownership_controls"]["Rules"][0]["ObjectOwnership"],
        "BucketOwnerEnforced"
    );
    assert_eq!(
        doc["bucket"]["public_access_block"]["BlockPublicAcls"],
        true
    );
    assert_eq!(doc["bucket"]["requester_pays"], false);
    // get-bucket-location's null LocationConstraint is us-east-1 (API_GetBucketLocation).
    assert_eq!(doc["bucket"]["region"], "us-east-1");
    let account = &doc["accounts"]["111122223333"];
    assert_eq!(account["organization"], "o-a1b2c3d4e5");
    assert_eq!(
        account["public_access_block"]["RestrictPublicBuckets"],
        true
    );
    assert_eq!(account["scps"].as_array().unwrap().len(), 3);
    assert_eq!(account["scps"][1]["target"], "ou-abcd-11111111");
    assert_eq!(
        account["scps"][1]["policies"][1]["name"],
        "DenyReducedRedundancy"
    );
    assert_eq!(
        account["rcps"][0]["policies"][0]["name"],
        "RCPFullAWSAccess"
    );
    let keys = doc["kms_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1]["manager"], "CUSTOMER");
    assert_eq!(keys[1]["aliases"], serde_json::json!(["alias/example-key"]));
    assert_eq!(
        keys[1]["policy"]["Statement"][0]["Sid"],
        "Enable IAM User Permissions"
    );
    assert_eq!(keys[0]["manager"], "AWS");
    assert_eq!(keys[0]["aliases"], serde_json::json!(["alias/aws/s3"]));
    // The IAM user's tags, and its group's managed policy in its default version (v2).
    assert_eq!(doc["identity"]["tags"]["team"], "data");
    let policies = doc["identity"]["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0]["name"], "UploadPolicy (group uploaders)");
    assert_eq!(
        policies[0]["document"]["Statement"][0]["Sid"],
        "UploadToBuckets"
    );
}

#[test]
fn group_inline_policies_and_url_encoded_documents_are_decoded() {
    let doc: Value = serde_json::from_str(&files_doc(BOB, &[])).unwrap();
    let names: Vec<&str> = doc["identity"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ListExampleBucket (group legacy)",
            "LegacyUpload (group legacy)"
        ]
    );
    assert_eq!(
        doc["identity"]["policies"][0]["document"]["Statement"][0]["Action"],
        "s3:ListBucket"
    );
}

// reference_policies_evaluation-logic_policy-eval-basics.html (S2): a user's group
// policies are identity-based policies; IAM enforces a managed policy's default version.
#[test]
fn group_managed_policy_default_version_allows_s2() {
    let (code, v) = check(&files_doc(ALICE, &[]));
    assert_eq!((code, v["decision"].as_str()), (0, Some("allowed")), "{v}");
}

#[test]
fn group_managed_policy_non_default_version_does_not_allow_s2() {
    let (code, v) = check(&files_doc(BOB, &[]));
    assert_eq!(code, 1, "{v}");
    assert!(v["aws_message"]
        .as_str()
        .unwrap()
        .ends_with("because no identity-based policy allows the s3:PutObject action"));
}

// access_policies_boundaries.html (S20): the boundary taken from PermissionsBoundary caps
// the user's inline policy.
#[test]
fn permissions_boundary_from_details_caps_inline_policy_s20() {
    let (code, v) = check(&files_doc(CAROL, &[]));
    assert_eq!(code, 1, "{v}");
    assert!(v["aws_message"]
        .as_str()
        .unwrap()
        .ends_with("because no permissions boundary allows the s3:PutObject action"));
}

// orgs_manage_policies_scps.html (S21): a Deny at the OU level blocks the account's users.
#[test]
fn scp_levels_from_describe_policy_files_s21() {
    let (code, v) = check(&files_doc(
        ALICE,
        &["--storage-class", "REDUCED_REDUNDANCY"],
    ));
    assert_eq!(code, 1, "{v}");
    assert!(v["aws_message"]
        .as_str()
        .unwrap()
        .ends_with("with an explicit deny in a service control policy"));
    let (code, _) = check(&files_doc(ALICE, &["--storage-class", "STANDARD_IA"]));
    assert_eq!(code, 0);
}

#[test]
fn put_object_flags_become_headers() {
    let doc: Value = serde_json::from_str(&files_doc(
        ALICE,
        &[
            "--acl",
            "bucket-owner-full-control",
            "--sse",
            "aws:kms",
            "--ssekms-key-id",
            "alias/example-key",
            "--bucket-key-enabled",
            "--tagging",
            "team=data",
            "--expected-bucket-owner",
            "111122223333",
            "--source-ip",
            "203.0.113.7",
            "--content-md5",
            "XrY7u+Ae7tCTyyK7j1rNww==",
            "--checksum-algorithm",
            "SHA256",
        ],
    ))
    .unwrap();
    let h = &doc["request"]["headers"];
    // The integrity headers the fix commands keep (src/aws/command.rs) read back.
    assert_eq!(h["content-md5"], "XrY7u+Ae7tCTyyK7j1rNww==");
    assert_eq!(h["x-amz-sdk-checksum-algorithm"], "SHA256");
    assert_eq!(h["x-amz-acl"], "bucket-owner-full-control");
    assert_eq!(h["x-amz-server-side-encryption"], "aws:kms");
    assert_eq!(
        h["x-amz-server-side-encryption-aws-kms-key-id"],
        "alias/example-key"
    );
    assert_eq!(h["x-amz-server-side-encryption-bucket-key-enabled"], "true");
    assert_eq!(h["x-amz-tagging"], "team=data");
    assert_eq!(h["x-amz-expected-bucket-owner"], "111122223333");
    assert_eq!(doc["request"]["source_ip"], "203.0.113.7");
}

/// Every snapshot case: (principal, bucket, extra flags, expected exit code). Each
/// document goes to `check` unchanged.
#[test]
fn snapshot_documents_pass_check_with_the_expected_verdict() {
    let vpce = "vpce-0a1b2c3d4e5f60718";
    let template = "tests/fixtures/awsdata/request-template.json";
    let cases: &[(&str, &str, &[&str], i32)] = &[
        (ALICE, "example-bucket", &["--key", "a.csv"], 0),
        (BOB, "example-bucket", &["--key", "a.csv"], 1),
        (CAROL, "example-bucket", &["--key", "a.csv"], 1),
        // Role session: the role found by name (its path is not in the session ARN), its
        // tags give aws:PrincipalTag/team (reference_policies_condition-keys.html, S19).
        (PIPELINE, "example-bucket", &["--key", "pipeline/x.csv"], 0),
        (PIPELINE, "example-bucket", &["--key", "other/x.csv"], 1),
        (ALICE, "example-bucket", &["--key", "a", "--insecure"], 1),
        (
            ALICE,
            "example-bucket",
            &["--key", "a", "--storage-class", "REDUCED_REDUNDANCY"],
            1,
        ),
        // The bucket policy denies uploads that do not come through the endpoint (S26).
        (ALICE, "vpce-bucket", &["--key", "a"], 1),
        (
            ALICE,
            "vpce-bucket",
            &["--key", "a", "--vpc-endpoint-id", vpce],
            0,
        ),
        (
            BOB,
            "vpce-bucket",
            &["--key", "a", "--vpc-endpoint-id", vpce],
            1,
        ),
        (ALICE, "logs-bucket", &["--request", template], 0),
        (
            ALICE,
            "example-bucket",
            &[
                "--key",
                "a",
                "--sse",
                "aws:kms",
                "--ssekms-key-id",
                "alias/example-key",
            ],
            0,
        ),
        (
            ALICE,
            "example-bucket",
            &["--key", "a", "--sse-customer-algorithm", "AES256"],
            1,
        ),
    ];
    for (principal, bucket, extra, want) in cases {
        let (code, v) = snapshot_verdict(principal, bucket, extra);
        assert_eq!(code, *want, "{principal} {bucket} {extra:?}: {v}");
    }
}

#[test]
fn snapshot_and_files_give_the_same_document() {
    let from_files: Value = serde_json::from_str(&files_doc(ALICE, &[])).unwrap();
    assert_eq!(from_files, alice_q1_from(SNAP, &[]));
}

#[test]
fn role_with_a_path_keeps_its_full_arn_as_principal_arn() {
    let doc: Value = serde_json::from_str(&facts(&[
        "--snapshot",
        SNAP,
        "--principal",
        PIPELINE,
        "--bucket",
        "example-bucket",
        "--key",
        "pipeline/x",
    ]))
    .unwrap();
    assert_eq!(
        doc["request"]["context"]["aws:PrincipalArn"],
        "arn:aws:iam::111122223333:role/service/data-pipeline"
    );
    assert_eq!(doc["identity"]["tags"]["team"], "data");
    // RoleId: a session's aws:userid is ROLE-ID:session-name (S18).
    assert_eq!(doc["identity"]["unique_id"], "AROAPIPELINEEXAMPLE01");
}

/// UserId becomes identity.unique_id, which aws:userid is (S18, "principal key values").
#[test]
fn the_user_id_is_the_identity_unique_id() {
    let doc = alice_q1_from(SNAP, &[]);
    assert_eq!(doc["identity"]["unique_id"], "AIDAALICEEXAMPLE00001");
}

const PARTNER: &str = "tests/fixtures/awsdata/partner-snapshot";

fn cross_account(principal: &str, bucket: &str) -> (i32, Value) {
    check(&facts(&[
        "--snapshot",
        SNAP,
        "--snapshot",
        PARTNER,
        "--principal",
        principal,
        "--bucket",
        bucket,
        "--key",
        "drop/file.csv",
    ]))
}

// reference_policies_evaluation-logic-cross-account.html (S3): the bucket policy of the
// other account and the principal's own IAM policy must both allow; outside one
// organization the message is the generic one (troubleshoot-403-errors.html, S27).
#[test]
fn cross_account_from_two_snapshots_s3_s27() {
    let (code, v) = cross_account(ALICE, "partner-bucket");
    assert_eq!(code, 0, "{v}");
    let (code, v) = cross_account(BOB, "partner-bucket");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["aws_message"], "Access Denied");
    // A default of aws:kms without a key is the bucket account's aws/s3, which another
    // account cannot use (UsingKMSEncryption.html, S36).
    let (code, v) = cross_account(ALICE, "partner-kms-bucket");
    assert_eq!(code, 1, "{v}");
    let ids: Vec<&str> = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.contains(&"kms-aws-managed-key-cross-account"), "{v}");
    // Each side comes from its own account's snapshot.
    let doc: Value = serde_json::from_str(&facts(&[
        "--snapshot",
        SNAP,
        "--snapshot",
        PARTNER,
        "--principal",
        ALICE,
        "--bucket",
        "partner-bucket",
        "--key",
        "k",
    ]))
    .unwrap();
    assert_eq!(doc["bucket"]["account"], "444455556666");
    assert_eq!(
        doc["identity"]["policies"][0]["name"],
        "UploadPolicy (group uploaders)"
    );
    assert_eq!(
        doc["accounts"]["111122223333"]["organization"],
        "o-a1b2c3d4e5"
    );
    assert!(doc["accounts"].get("444455556666").is_none());
}

#[test]
fn cross_account_without_the_principals_snapshot_says_so() {
    let err = facts_error(&[
        "--snapshot",
        PARTNER,
        "--principal",
        ALICE,
        "--bucket",
        "partner-bucket",
        "--key",
        "k",
    ]);
    assert!(
        err.starts_with("error: --principal: arn:aws:iam::111122223333:user/alice: no snapshot of account 111122223333"),
        "{err}"
    );
    assert!(
        err.contains("the principal's; give its snapshot too") && err.lines().count() == 1,
        "one line, no stray continuation: {err}"
    );
    let err = facts_error(&[
        "--snapshot",
        SNAP,
        "--snapshot",
        SNAP,
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
    ]);
    assert!(
        err.contains("a second snapshot of account 111122223333"),
        "{err}"
    );
}

fn facts_error(args: &[&str]) -> String {
    let mut all = vec!["facts"];
    all.extend_from_slice(args);
    let (code, out, err) = s3why(&all, None);
    assert_eq!(code, 2, "expected exit 2, got {code}: {out}");
    assert!(out.is_empty());
    err
}

fn auth_error(file: &str) -> String {
    facts_error(&[
        "--auth-details",
        &format!("{BROKEN}/{file}"),
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ])
}

#[test]
fn broken_files_name_themselves_and_the_field() {
    let b = BROKEN;
    assert_eq!(
        auth_error("auth-missing-policy.json"),
        format!("error: {b}/auth-missing-policy.json: UserDetailList[0].AttachedManagedPolicies[0].PolicyArn: no policy with this ARN in Policies")
    );
    assert_eq!(
        auth_error("auth-truncated.json"),
        format!("error: {b}/auth-truncated.json: IsTruncated: true: this file is one page of a longer answer (next Marker \"AAEAAXampleMarker\"); run the command without --max-items/--no-paginate so the AWS CLI fetches every page, or give every page")
    );
    // An error inside a policy points into the AWS output it came from.
    assert_eq!(
        auth_error("auth-bad-effect.json"),
        format!("error: {b}/auth-bad-effect.json: Policies[0].PolicyVersionList[1].Document.Statement[0].Effect: expected \"Allow\" or \"Deny\" (case-sensitive), found \"Permit\"")
    );
    assert_eq!(
        auth_error("auth-no-default.json"),
        format!("error: {b}/auth-no-default.json: Policies[1].PolicyVersionList: no version has IsDefaultVersion true")
    );
    assert_eq!(
        auth_error("auth-cut-off.json"),
        format!("error: {b}/auth-cut-off.json:124:25: invalid JSON: EOF while parsing a string (the file is cut off: was the command interrupted?)")
    );
    let auth = format!("{SNAP}/iam/authorization-details.json");
    let with = |flag: &str, file: &str| {
        facts_error(&[
            "--auth-details",
            &auth,
            flag,
            &format!("{b}/{file}"),
            "--vpc-endpoint-id",
            "vpce-1",
            "--principal",
            ALICE,
            "--bucket",
            "example-bucket",
            "--key",
            "k",
        ])
    };
    assert_eq!(
        with("--bucket-encryption", "encryption-no-algorithm.json"),
        format!("error: {b}/encryption-no-algorithm.json: ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm: missing: the AWS CLI output has this field")
    );
    assert!(
        with("--bucket-policy", "policy-not-json.json").starts_with(&format!(
            "error: {b}/policy-not-json.json: Policy: not a JSON policy document"
        ))
    );
    assert!(
        with("--vpc-endpoints", "vpc-endpoints-page.json").starts_with(&format!(
            "error: {b}/vpc-endpoints-page.json: NextToken: present"
        ))
    );
    assert_eq!(
        with("--request-payment", "request-payment-odd.json"),
        format!("error: {b}/request-payment-odd.json: Payer: \"Nobody\": expected Requester or BucketOwner")
    );
}

// orgs_manage_policies_scps.html (S21): SCPs apply to member accounts of an organization.
#[test]
fn scp_levels_without_the_organization_are_an_error_not_ignored() {
    let err = facts_error(&[
        "--auth-details",
        &format!("{SNAP}/iam/authorization-details.json"),
        "--scp-level",
        &format!("r-abcd={SNAP}/organizations/policies/p-examplescp1.json"),
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ]);
    assert!(
        err.starts_with("error: --scp-level: needs --organization"),
        "{err}"
    );
    let err = facts_error(&[
        "--auth-details",
        &format!("{SNAP}/iam/authorization-details.json"),
        "--organization",
        &format!("{SNAP}/organizations/organization.json"),
        "--scp-level",
        &format!("r-abcd={SNAP}/organizations/policies/p-RCPFullAWSAccess.json"),
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ]);
    assert!(
        err.ends_with("p-RCPFullAWSAccess.json: Policy.PolicySummary.Type: this is not a service control policy"),
        "{err}"
    );
}

#[test]
fn unknown_principal_and_bucket_are_input_errors() {
    let err = facts_error(&[
        "--snapshot",
        SNAP,
        "--principal",
        "arn:aws:iam::111122223333:user/zed",
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ]);
    assert_eq!(err, format!("error: {SNAP}/iam/authorization-details.json: UserDetailList: no user with Arn arn:aws:iam::111122223333:user/zed"));
    let err = facts_error(&[
        "--snapshot",
        SNAP,
        "--principal",
        ALICE,
        "--bucket",
        "nope",
        "--key",
        "k",
    ]);
    assert_eq!(
        err,
        format!("error: --bucket: nope: no snapshot has this bucket (snapshots: {SNAP})")
    );
    let err = facts_error(&["--principal", ALICE, "--bucket", "b", "--key", "k"]);
    assert!(err.starts_with("error: --auth-details: missing"), "{err}");
    let err = facts_error(&[
        "--snapshot",
        SNAP,
        "--request",
        &format!("{BROKEN}/template-with-principal.json"),
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
    ]);
    assert!(
        err.ends_with("principal: not allowed in a template: --principal gives it"),
        "{err}"
    );
}

/// A snapshot saved by Windows PowerShell 5.1, whose `>` writes UTF-16LE with a
/// byte-order mark (and half of it by `Out-File -Encoding utf8`, UTF-8 with a mark), gives
/// the document its UTF-8 original gives.
#[test]
fn a_snapshot_saved_in_utf16_or_with_a_byte_order_mark_reads_the_same() {
    fn copy(from: &std::path::Path, to: &std::path::Path, n: &mut usize) {
        std::fs::create_dir_all(to).unwrap();
        let mut entries: Vec<_> = std::fs::read_dir(from)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target, n);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            *n += 1;
            let bytes: Vec<u8> = if *n % 2 == 0 {
                [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect()
            } else {
                [b"\xEF\xBB\xBF", text.as_bytes()].concat()
            };
            std::fs::write(target, bytes).unwrap();
        }
    }
    let copied = std::env::temp_dir().join(format!("s3why-utf16-snapshot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copied);
    let mut n = 0;
    copy(std::path::Path::new(SNAP), &copied, &mut n);
    assert!(n > 10, "every file of the snapshot re-encoded ({n})");
    assert_eq!(
        alice_q1_from(&copied.display().to_string(), &[]),
        alice_q1_from(SNAP, &[])
    );
}

/// Every `aws s3api put-object` command s3why prints as a fix can be given back to
/// `s3why facts`: each flag the command builder writes is one `facts` takes, and lands in
/// the same header (conditional writes, the encryption context and the integrity headers
/// included).
#[test]
fn printed_commands_feed_back_into_facts() {
    let headers = serde_json::json!({
        "x-amz-acl": "bucket-owner-full-control",
        "x-amz-grant-full-control": "id=abc",
        "x-amz-grant-read": "id=def",
        "x-amz-grant-read-acp": "id=ghi",
        "x-amz-grant-write-acp": "id=jkl",
        "x-amz-storage-class": "STANDARD_IA",
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "alias/example-key",
        "x-amz-server-side-encryption-context": "eyJ0ZWFtIjoiZGF0YSJ9",
        "x-amz-server-side-encryption-bucket-key-enabled": "true",
        "x-amz-tagging": "team=data",
        "x-amz-object-lock-mode": "GOVERNANCE",
        "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z",
        "x-amz-object-lock-legal-hold": "ON",
        "x-amz-expected-bucket-owner": "111122223333",
        "x-amz-request-payer": "requester",
        "x-amz-website-redirect-location": "/index.html",
        "if-match": "etag-1",
        "if-none-match": "*",
        "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==",
        "x-amz-sdk-checksum-algorithm": "SHA256",
        "x-amz-checksum-crc32": "AAAAAA==",
        "x-amz-checksum-crc32c": "AAAAAB==",
        "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
        "x-amz-checksum-sha1": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
        "x-amz-checksum-sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    });
    let doc = serde_json::json!({"request": {
        "principal": ALICE, "bucket": "example-bucket", "key": "reports/q1.csv", "headers": headers,
    }});
    let parsed = s3why::facts::Facts::from_value(&doc).unwrap();
    let command = s3why::aws::command::put_object_command(&parsed.request);
    let flags: Vec<String> = command
        .split_once("--body FILE")
        .unwrap()
        .1
        .split_whitespace()
        .map(|w| w.trim_matches('\'').to_string())
        .collect();
    assert!(flags.contains(&"--if-none-match".to_string()), "{command}");
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let back = alice_q1_from(SNAP, &flags);
    assert_eq!(back["request"]["headers"], headers, "{command}");
}

/// A role named by an ARN without its path (`role/data-pipeline` for
/// `role/service/data-pipeline`, reference_identifiers.html: the path is part of the
/// ARN): the error gives the ARN to use.
#[test]
fn a_role_arn_without_its_path_is_pointed_to_the_right_arn() {
    let err = facts_error(&[
        "--snapshot",
        SNAP,
        "--principal",
        "arn:aws:iam::111122223333:role/data-pipeline",
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ]);
    assert!(
        err.contains("no role data-pipeline in account 111122223333: its ARN is arn:aws:iam::111122223333:role/service/data-pipeline, with its path"),
        "{err}"
    );
}

/// A key DescribeKey shows as not Enabled (Disabled, PendingDeletion): KMS refuses it, with
/// an error s3why has no documented verdict for. An upload that uses it is an error naming
/// the file and the field; one that does not use it reads as before.
#[test]
fn a_disabled_key_the_upload_uses_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("s3why-kms-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let describe =
        "tests/fixtures/awsdata/snapshot/kms/1234abcd-12ab-34cd-56ef-1234567890ab/describe.json";
    let mut doc: Value = serde_json::from_slice(&std::fs::read(describe).unwrap()).unwrap();
    doc["KeyMetadata"]["KeyState"] = serde_json::json!("Disabled");
    doc["KeyMetadata"]["Enabled"] = serde_json::json!(false);
    let disabled = dir.join("describe.json");
    std::fs::write(&disabled, doc.to_string()).unwrap();
    let arn = doc["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let base = [
        "--auth-details",
        "tests/fixtures/awsdata/snapshot/iam/authorization-details.json",
        "--kms-key",
        disabled.to_str().unwrap(),
        "--principal",
        ALICE,
        "--bucket",
        "example-bucket",
        "--key",
        "k",
    ];
    let err = facts_error(&[&base[..], &["--sse", "aws:kms", "--ssekms-key-id", &arn]].concat());
    assert!(
        err.contains("describe.json: KeyMetadata.KeyState: the upload's KMS key"),
        "{err}"
    );
    assert!(err.contains("is Disabled: KMS refuses it"), "{err}");
    let fine: Value = serde_json::from_str(&facts(&base)).unwrap();
    assert_eq!(fine["request"]["bucket"], "example-bucket");
    std::fs::remove_dir_all(&dir).unwrap();
}
