//! `--from-error`: every AccessDenied phrase of aws-semantics §9.3 (troubleshoot-403-errors.html
//! S27, troubleshoot_access-denied.html S58, real CLI output S62) is read back into the
//! principal, action, bucket, key and the policy type it blames.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use s3why::aws::policy::PolicyType;
use s3why::awsdata::from_error::{parse, NamedPolicy, Reason};

const CLI: &str = "An error occurred (AccessDenied) when calling the PutObject operation: ";
const HEAD: &str = "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg\"";

fn reason(context: &str) -> Reason {
    let m = parse(&format!("{CLI}{HEAD} {context}")).unwrap();
    assert_eq!(
        m.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(m.action.as_deref(), Some("s3:PutObject"));
    assert_eq!(m.bucket.as_deref(), Some("amzn-s3-demo-bucket"));
    assert_eq!(m.key.as_deref(), Some("photos/cat.jpg"));
    m.reason
}

fn policy(p: NamedPolicy, explicit: bool) -> Reason {
    Reason::Policy {
        policy: p,
        explicit,
        certain: true,
    }
}

// S27: the implicit-deny phrases.
#[test]
fn implicit_phrases_s27() {
    let cases = [
        ("identity-based policy", NamedPolicy::Identity),
        ("resource-based policy", NamedPolicy::ResourceBased),
        ("permissions boundary", NamedPolicy::PermissionsBoundary),
        ("session policy", NamedPolicy::SessionPolicy),
        ("service control policy", NamedPolicy::Scp),
        ("VPC endpoint policy", NamedPolicy::VpcEndpoint),
    ];
    for (words, want) in cases {
        let got = reason(&format!(
            "because no {words} allows the s3:PutObject action"
        ));
        assert_eq!(got, policy(want, false), "{words}");
    }
}

// S27 (and S58 for the session-policy misspelling and the transitive VPC endpoint phrase).
#[test]
fn explicit_phrases_s27_s58() {
    let cases = [
        ("an identity-based policy", NamedPolicy::Identity),
        ("a resource-based policy", NamedPolicy::ResourceBased),
        ("a permissions boundary", NamedPolicy::PermissionsBoundary),
        ("a session policy", NamedPolicy::SessionPolicy),
        ("a sessions policy", NamedPolicy::SessionPolicy),
        ("a service control policy", NamedPolicy::Scp),
        ("a resource control policy", NamedPolicy::Rcp),
        ("a VPC endpoint policy", NamedPolicy::VpcEndpoint),
        (
            "a VPC endpoint policy transitively through a service control policy",
            NamedPolicy::VpcEndpointThroughScp,
        ),
        ("the role trust policy", NamedPolicy::RoleTrust),
    ];
    for (words, want) in cases {
        let got = reason(&format!("with an explicit deny in {words}"));
        assert_eq!(got, policy(want, true), "{words}");
    }
}

// S58 (2023 text): the legacy SCP wording may be printed for an implicit deny too.
#[test]
fn legacy_scp_wording_is_marked_uncertain_s58() {
    assert_eq!(
        reason("due to an explicit deny in a Service Control Policy"),
        Reason::Policy {
            policy: NamedPolicy::Scp,
            explicit: true,
            certain: false
        }
    );
}

// S27: the S3-specific reasons.
#[test]
fn s3_reasons_s27() {
    assert_eq!(
        reason("because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access."),
        Reason::BlockPublicAcls
    );
    assert_eq!(
        reason("because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access."),
        Reason::BlockPublicPolicy
    );
    assert_eq!(
        reason("because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type"),
        Reason::SseCBlocked
    );
}

// S62: a KMS denial names the key ARN unquoted and the KMS action; it does not name the
// bucket, and a resource-based policy there is the key policy.
#[test]
fn kms_message_with_unquoted_resource_s62() {
    let m = parse(&format!("{CLI}User: arn:aws:sts::123456789012:assumed-role/Uploader/s1 is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:GenerateDataKey action")).unwrap();
    assert_eq!(m.action.as_deref(), Some("kms:GenerateDataKey"));
    assert_eq!(
        m.resource.as_deref(),
        Some("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(m.bucket, None);
    assert_eq!(m.blamed(), Some((PolicyType::KmsKeyPolicy, false)));
    let fields = m.request_fields();
    assert_eq!(
        fields["principal"],
        "arn:aws:sts::123456789012:assumed-role/Uploader/s1"
    );
    assert!(!fields.contains_key("bucket"));
}

// S27 / aws-semantics §9.2: cross-account outside one organization gets the bare text.
#[test]
fn bare_access_denied_s27() {
    for text in [
        "Access Denied",
        "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
        "An error occurred (AccessDenied) when calling the PutObject operation (reached max retries: 4): Access Denied.",
    ] {
        let m = parse(text).unwrap();
        assert_eq!(m.reason, Reason::Generic, "{text}");
        assert_eq!(m.principal, None);
    }
    let m = parse(
        "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
    )
    .unwrap();
    assert_eq!(m.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(m.operation.as_deref(), Some("PutObject"));
}

// S27/S58 document the shape without colons or quotes, and examples without the resource.
#[test]
fn documented_shape_without_colons_and_without_resource_s27_s58() {
    let m = parse("User arn:aws:iam::123456789012:user/alice is not authorized to perform s3:PutObject on \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:PutObject action").unwrap();
    assert_eq!(
        (m.bucket.as_deref(), m.key.as_deref()),
        (Some("b"), Some("k"))
    );
    assert_eq!(m.blamed(), Some((PolicyType::Identity, false)));
    let m = parse("User: arn:aws:iam::777788889999:user/JohnDoe is not authorized to perform: s3:PutObject because no service control policy allows the s3:PutObject action").unwrap();
    assert_eq!(m.resource, None);
    assert_eq!(m.blamed(), Some((PolicyType::Scp, false)));
}

// S57: the policy ARN after the reason; S59: the Access Troubleshooter link.
#[test]
fn policy_arn_suffix_and_troubleshooter_link_s57_s59() {
    let m = parse(&format!("{HEAD} with an explicit deny in a service control policy: arn:aws:organizations::123456789012:policy/o-a1b2c3d4e5/service_control_policy/p-abcd1234. Go to https://console.aws.amazon.com/iam/authorization-details/abc")).unwrap();
    assert_eq!(m.blamed(), Some((PolicyType::Scp, true)));
    assert_eq!(
        m.policy_arn.as_deref(),
        Some("arn:aws:organizations::123456789012:policy/o-a1b2c3d4e5/service_control_policy/p-abcd1234")
    );
}

#[test]
fn bucket_only_resource_and_request_fields() {
    let m = parse("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::b\" because no identity-based policy allows the s3:ListBucket action").unwrap();
    assert_eq!((m.bucket.as_deref(), m.key.as_deref()), (Some("b"), None));
    let m = parse(&format!(
        "{HEAD} because no resource-based policy allows the s3:PutObject action"
    ))
    .unwrap();
    let f = m.request_fields();
    assert_eq!(f["action"], "s3:PutObject");
    assert_eq!(f["bucket"], "amzn-s3-demo-bucket");
    assert_eq!(f["key"], "photos/cat.jpg");
    assert_eq!(m.blamed(), Some((PolicyType::BucketPolicy, false)));
}

#[test]
fn unknown_reason_is_kept_and_nonsense_is_an_error() {
    assert_eq!(
        reason("because the moon is full"),
        Reason::Other("because the moon is full".into())
    );
    let e = parse("Forbidden").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("--from-error: \"Forbidden\": expected `User: ARN"),
        "{e}"
    );
    let e = parse("User: arn:aws:iam::1:user/a is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/k because").unwrap_err();
    assert!(e.message.contains("closing quote"), "{e}");
}

// S36 (aws-semantics §8.6): the two InvalidArgument answers to an SSE-KMS upload S3
// refuses before any policy, as S3 words them (aws/aws-sdk-js#2335, re:Post
// s3-kms-signature-version-error). They name no principal or resource, but the cause.
#[test]
fn kms_invalid_argument_messages_name_their_cause_s36() {
    let tls = parse("An error occurred (InvalidArgument) when calling the PutObject operation: Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.").unwrap();
    assert_eq!(tls.error_code.as_deref(), Some("InvalidArgument"));
    assert_eq!(tls.reason, Reason::KmsNeedsTls);
    assert_eq!(tls.finding_id(), Some("kms-insecure-transport"));
    assert_eq!(tls.principal, None);
    let sig = parse(
        "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4",
    )
    .unwrap();
    assert_eq!(sig.reason, Reason::KmsNeedsSignature);
    assert_eq!(sig.finding_id(), Some("kms-unsigned-request"));
    assert_eq!(sig.blamed(), None);
}

// What users paste is what their tool printed: AWS's message inside the wrapper of the
// AWS CLI, boto3, an SDK, or S3's XML error body. Each form below is real output, quoted
// from the public report cited beside it (ids and hosts shortened).

/// `aws s3 cp` names the object it was writing: `upload failed: FILE to s3://B/K`, then
/// the CLI's text (aws/aws-cli#813, with the CLI v1 wording `A client error (CODE)
/// occurred`). The operation is an upload's, so the request is an s3:PutObject of that
/// object (mpuAndPermissions.html, S38).
#[test]
fn the_aws_cli_transfer_names_the_object_aws_cli_813() {
    let m = parse("upload failed: ./baz to s3://mybucket/foo/bar/baz A client error (AccessDenied) occurred when calling the PutObject operation: Access Denied").unwrap();
    assert_eq!(m.reason, Reason::Generic);
    assert_eq!(m.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(m.operation.as_deref(), Some("PutObject"));
    assert_eq!(m.bucket.as_deref(), Some("mybucket"));
    assert_eq!(m.key.as_deref(), Some("foo/bar/baz"));
    assert_eq!(m.principal, None);
    assert_eq!(
        serde_json::Value::Object(m.request_fields()),
        serde_json::json!({"action": "s3:PutObject", "bucket": "mybucket", "key": "foo/bar/baz"})
    );
    // Today's CLI wording, and a key with a space (it runs to AWS's text).
    let m = parse("upload failed: ./a b.csv to s3://mybucket/in/a b.csv An error occurred (AccessDenied) when calling the PutObject operation: Access Denied").unwrap();
    assert_eq!(m.key.as_deref(), Some("in/a b.csv"));
}

/// A large file goes up in parts; each step is authorized as s3:PutObject (S38), and the
/// upload is multipart (which needs kms:Decrypt under SSE-KMS, S36/S38).
#[test]
fn a_multipart_step_is_an_upload_and_multipart_s38() {
    for op in [
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
    ] {
        let m = parse(&format!("upload failed: ./big.bin to s3://b/k An error occurred (AccessDenied) when calling the {op} operation: Access Denied")).unwrap();
        assert_eq!(m.upload_operation(), Some(true), "{op}");
        assert_eq!(
            serde_json::Value::Object(m.request_fields()),
            serde_json::json!({"action": "s3:PutObject", "bucket": "b", "key": "k", "multipart": true}),
            "{op}"
        );
    }
    // Another operation is not an upload: no action is put in the request.
    let m = parse("download failed: s3://b/k to ./k An error occurred (AccessDenied) when calling the GetObject operation: Access Denied").unwrap();
    assert_eq!(m.upload_operation(), None);
    assert_eq!(
        m.bucket, None,
        "only a transfer's destination is the object written"
    );
}

/// boto3's upload helper: `Failed to upload FILE to BUCKET/KEY: ...` (aws/aws-cli#5470),
/// and botocore's exception name before the CLI text (anna-geller/dataflow-ops#4).
#[test]
fn boto3_wrappers_aws_cli_5470() {
    let m = parse("boto3.exceptions.S3UploadFailedError: Failed to upload uploads/voice1.mp3 to flaskdrive/uploads/voice1.mp3: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied").unwrap();
    assert_eq!(m.reason, Reason::Generic);
    assert_eq!(m.bucket.as_deref(), Some("flaskdrive"));
    assert_eq!(m.key.as_deref(), Some("uploads/voice1.mp3"));
    let m = parse("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied").unwrap();
    assert_eq!(m.reason, Reason::Generic);
    assert_eq!(m.operation.as_deref(), Some("PutObject"));
    assert_eq!(m.bucket, None);
}

/// The Java SDK v1 (wurstmeister/storm-s3#4) and v2 (`Access Denied. (Service: S3, Status
/// Code: 403, ...)`), the JavaScript SDK's `CODE: MSG` after an app's prefix
/// (Reggionick/s3-deploy#197), and the Go SDK v1's `CODE: MSG` with `status code: 403, ...`
/// on the next, indented line (as AWS CodeBuild prints it).
#[test]
fn sdk_wrappers_around_the_bare_text() {
    for (text, code) in [
        ("java.lang.RuntimeException: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 21722BC29BCED4A8), S3 Extended Request ID: EUx7FXkq=", Some("AccessDenied")),
        ("software.amazon.awssdk.services.s3.model.S3Exception: Access Denied. (Service: S3, Status Code: 403, Request ID: 188DDD9CF1BFCEA8, Extended Request ID: dd9025ba)", None),
        ("Upload error: AccessDenied: Access Denied", None),
        ("AccessDenied: Access Denied\n    status code: 403, request id: 96KYTW0Q30FT9V3B, host id: C/+ft3zw=", None),
    ] {
        let m = parse(text).unwrap();
        assert_eq!(m.reason, Reason::Generic, "{text}");
        assert_eq!(m.principal, None, "{text}");
        assert_eq!(m.error_code.as_deref(), code, "{text}");
    }
}

/// The Go SDK v2, as Terraform prints it: `operation error S3: OP, https response error
/// StatusCode: 403, RequestID: ..., HostID: ..., api error CODE: MSG`; the typed message
/// after it is read whole, and a `User` inside the principal's name does not fool it.
#[test]
fn go_sdk_v2_wrapper_with_a_typed_message() {
    let m = parse("Error: uploading S3 Object (k): operation error S3: PutObject, https response error StatusCode: 403, RequestID: 1a2b, HostID: x=, api error AccessDenied: User: arn:aws:iam::123456789012:user/UserSync is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:PutObject action").unwrap();
    assert_eq!(m.operation.as_deref(), Some("PutObject"));
    assert_eq!(m.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(
        m.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/UserSync")
    );
    assert_eq!(m.reason, policy(NamedPolicy::Identity, false));
    let m = parse("operation error S3: PutObject, https response error StatusCode: 403, RequestID: request-id, HostID: host-id, api error AccessDenied: Access Denied").unwrap();
    assert_eq!(m.reason, Reason::Generic);
    assert_eq!(m.upload_operation(), Some(false));
}

/// S3's XML error body, pasted from a log with the message wrapped over lines
/// (Privado-Inc/privado#573).
#[test]
fn the_xml_error_body_with_a_wrapped_message() {
    let m = parse("<Error>\n  <Code>AccessDenied</Code>\n  <Message>\n    User: arn:aws:iam::638117407428:user/s3 is not authorized to perform: s3:PutObject on resource:\n    \"arn:aws:s3:::cli-dataflow/prod/b60624b1.json\"\n    with an explicit deny in an identity-based policy\n  </Message>\n  <RequestId>031AK89J6AXZ7T60</RequestId>\n</Error>").unwrap();
    assert_eq!(m.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(
        m.principal.as_deref(),
        Some("arn:aws:iam::638117407428:user/s3")
    );
    assert_eq!(m.bucket.as_deref(), Some("cli-dataflow"));
    assert_eq!(m.key.as_deref(), Some("prod/b60624b1.json"));
    assert_eq!(m.reason, policy(NamedPolicy::Identity, true));
}

/// The XML body escapes the message's quotes and ampersands (XML 1.0 predefined
/// entities): `&quot;` around the resource, `&amp;` in a key, are read unescaped.
#[test]
fn the_xml_error_body_with_escaped_characters() {
    let m = parse("<Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:PutObject on resource: &quot;arn:aws:s3:::example-bucket/r&amp;d/q1&#46;csv&quot; because no identity-based policy allows the s3:PutObject action</Message><RequestId>X</RequestId></Error>").unwrap();
    assert_eq!(m.bucket.as_deref(), Some("example-bucket"));
    assert_eq!(m.key.as_deref(), Some("r&d/q1.csv"));
    assert_eq!(m.reason, policy(NamedPolicy::Identity, false));
}

/// A KMS message names the key, not the bucket; the transfer's destination gives the
/// bucket, and the request's action stays the upload's, not the KMS one (S62).
#[test]
fn a_kms_message_inside_a_transfer_keeps_the_upload_s62() {
    let m = parse("upload failed: ./x to s3://b/k An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/Uploader/s1 is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:GenerateDataKey action").unwrap();
    assert_eq!(m.action.as_deref(), Some("kms:GenerateDataKey"));
    assert_eq!(
        serde_json::Value::Object(m.request_fields()),
        serde_json::json!({"principal": "arn:aws:sts::123456789012:assumed-role/Uploader/s1", "action": "s3:PutObject", "bucket": "b", "key": "k"})
    );
}
