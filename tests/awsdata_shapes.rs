//! Each AWS CLI output shape, read by the library: pagination, URL-encoded and decoded
//! policy documents, default versions, aliases, Organizations parents, bucket Regions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use serde_json::{json, Value};

use s3why::aws::arn::Principal;
use s3why::awsdata::iam::AuthDetails;
use s3why::awsdata::json::Doc;
use s3why::awsdata::{kms, orgs, s3};

fn doc(name: &str, v: Value) -> Doc {
    Doc::from_text(name, &v.to_string()).unwrap()
}

const ALLOW_PUT: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3APutObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";

fn user(name: &str, attached: &[&str]) -> Value {
    json!({
        "Path": "/", "UserName": name, "UserId": "AIDAEXAMPLE",
        "Arn": format!("arn:aws:iam::111122223333:user/{name}"),
        "GroupList": [],
        "AttachedManagedPolicies": attached.iter().map(|a| json!({"PolicyName": "x", "PolicyArn": a})).collect::<Vec<_>>()
    })
}

fn managed(arn: &str, default: &str) -> Value {
    json!({
        "PolicyName": "P", "Arn": arn, "Path": "/", "DefaultVersionId": default,
        "PolicyVersionList": [
            {"Document": ALLOW_PUT, "VersionId": "v1", "IsDefaultVersion": default == "v1"},
            {"Document": {"Version": "2012-10-17", "Statement": []}, "VersionId": "v2", "IsDefaultVersion": default == "v2"}
        ]
    })
}

fn identity(details: &AuthDetails, arn: &str) -> Value {
    details
        .identity_for(&Principal::parse(arn).unwrap())
        .unwrap()
        .to_value()
}

// get-account-authorization-details is paginated (IsTruncated/Marker): the pages of one
// answer are read together; a policy on page 1 serves a user on page 2.
#[test]
fn pages_are_merged_and_the_answer_must_be_complete() {
    let p = "arn:aws:iam::111122223333:policy/P";
    let page1 = doc(
        "page1.json",
        json!({"UserDetailList": [], "Policies": [managed(p, "v1")], "IsTruncated": true, "Marker": "m1"}),
    );
    let page2 = doc(
        "page2.json",
        json!({"UserDetailList": [user("alice", &[p])], "Policies": [], "IsTruncated": false}),
    );
    let details = AuthDetails::from_pages(&[page1.clone(), page2]).unwrap();
    let id = identity(&details, "arn:aws:iam::111122223333:user/alice");
    // v1 is the default: the URL-encoded document, decoded.
    assert_eq!(
        id["policies"][0]["document"]["Statement"][0]["Action"],
        "s3:PutObject"
    );
    assert_eq!(id["policies"][0]["arn"], p);
    let err = AuthDetails::from_pages(&[page1]).unwrap_err();
    assert_eq!(
        (err.file.as_str(), err.path.as_str()),
        ("page1.json", "IsTruncated")
    );
}

#[test]
fn the_default_version_is_the_one_iam_enforces() {
    let p = "arn:aws:iam::111122223333:policy/P";
    let d = doc(
        "auth.json",
        json!({"UserDetailList": [user("alice", &[p])], "Policies": [managed(p, "v2")]}),
    );
    let details = AuthDetails::from_pages(&[d]).unwrap();
    let id = identity(&details, "arn:aws:iam::111122223333:user/alice");
    // v2 is an object (the AWS CLI decodes IAM documents itself): taken as it is.
    assert_eq!(id["policies"][0]["document"]["Statement"], json!([]));
}

#[test]
fn a_default_version_that_disagrees_with_default_version_id_is_an_error() {
    let p = "arn:aws:iam::111122223333:policy/P";
    let mut m = managed(p, "v1");
    m["DefaultVersionId"] = json!("v2");
    let d = doc("auth.json", json!({"Policies": [m]}));
    let err = AuthDetails::from_pages(&[d]).unwrap_err();
    assert_eq!(err.path, "Policies[0].PolicyVersionList[0]");
    assert!(
        err.message.contains("DefaultVersionId v2"),
        "{}",
        err.message
    );
}

#[test]
fn a_missing_group_names_the_group_list_entry() {
    let mut u = user("alice", &[]);
    u["GroupList"] = json!(["ghosts"]);
    let d = doc("auth.json", json!({"UserDetailList": [u]}));
    let details = AuthDetails::from_pages(&[d]).unwrap();
    let err = details
        .identity_for(&Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "auth.json: UserDetailList[0].GroupList[0]: no group named \"ghosts\" in GroupDetailList"
    );
}

#[test]
fn root_needs_no_details_and_a_federated_user_is_explained() {
    let details = AuthDetails::default();
    let id = identity(&details, "arn:aws:iam::111122223333:root");
    assert_eq!(id["policies"], json!([]));
    let err = details
        .identity_for(&Principal::parse("arn:aws:sts::111122223333:federated-user/bob").unwrap())
        .unwrap_err();
    assert!(err.message.contains("GetFederationToken"), "{err}");
}

#[test]
fn role_by_arn_and_by_session() {
    let role = json!({
        "Path": "/app/", "RoleName": "writer", "Arn": "arn:aws:iam::111122223333:role/app/writer",
        "RolePolicyList": [{"PolicyName": "Inline", "PolicyDocument": ALLOW_PUT}],
        "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/P"},
        "Tags": [{"Key": "team", "Value": "blue"}]
    });
    let d = doc(
        "auth.json",
        json!({"RoleDetailList": [role], "Policies": [managed("arn:aws:iam::111122223333:policy/P", "v2")]}),
    );
    let details = AuthDetails::from_pages(&[d]).unwrap();
    for arn in [
        "arn:aws:iam::111122223333:role/app/writer",
        "arn:aws:sts::111122223333:assumed-role/writer/s1",
    ] {
        let id = identity(&details, arn);
        assert_eq!(id["policies"][0]["name"], "Inline", "{arn}");
        assert_eq!(id["permissions_boundary"]["Statement"], json!([]), "{arn}");
        assert_eq!(id["tags"], json!({"team": "blue"}), "{arn}");
    }
    let err = details
        .identity_for(
            &Principal::parse("arn:aws:sts::444455556666:assumed-role/writer/s1").unwrap(),
        )
        .unwrap_err();
    assert_eq!(err.path, "RoleDetailList");
}

// API_GetBucketLocation: a null LocationConstraint is us-east-1; EU is eu-west-1.
#[test]
fn bucket_location_values() {
    let region =
        |v: Value| s3::bucket_location(&doc("loc.json", json!({"LocationConstraint": v}))).unwrap();
    assert_eq!(region(Value::Null), "us-east-1");
    assert_eq!(region(json!("EU")), "eu-west-1");
    assert_eq!(region(json!("ap-southeast-2")), "ap-southeast-2");
}

#[test]
fn encryption_none_blocked_is_nothing_blocked() {
    let mut bucket = serde_json::Map::new();
    let mut src = Vec::new();
    let d = doc(
        "enc.json",
        json!({"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false, "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]}}),
    );
    s3::bucket_encryption(&d, &mut bucket, &mut src).unwrap();
    assert!(!bucket.contains_key("blocked_encryption_types"));
    assert_eq!(
        bucket["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
}

// ListAliases: AWS's predefined aliases come without a TargetKeyId.
#[test]
fn aliases_without_target_are_left_out_and_alias_arns_name_keys() {
    let d = doc(
        "aliases.json",
        json!({"Aliases": [
            {"AliasName": "alias/aws/ebs", "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/aws/ebs"},
            {"AliasName": "alias/app", "TargetKeyId": "k-1"}
        ], "Truncated": false}),
    );
    let aliases = kms::list_aliases(&d).unwrap();
    assert_eq!(aliases, vec![("alias/app".to_string(), "k-1".to_string())]);
    let mut key = kms::describe_key(&doc(
        "describe.json",
        json!({"KeyMetadata": {"KeyId": "k-1", "Arn": "arn:aws:kms:us-east-1:111122223333:key/k-1", "KeyManager": "CUSTOMER"}}),
    ))
    .unwrap();
    key.take_aliases(&aliases);
    assert!(key.is_named_by("alias/app"));
    assert!(key.is_named_by("arn:aws:kms:us-east-1:111122223333:alias/app"));
    assert!(!key.is_named_by("arn:aws:kms:us-east-1:444455556666:alias/app"));
    assert!(key.is_named_by("k-1"));
    let truncated = doc(
        "aliases.json",
        json!({"Aliases": [], "Truncated": true, "NextMarker": "n"}),
    );
    assert_eq!(kms::list_aliases(&truncated).unwrap_err().path, "Truncated");
}

#[test]
fn organizations_shapes() {
    let (id, root) = orgs::parent(&doc(
        "p.json",
        json!({"Parents": [{"Id": "r-abcd", "Type": "ROOT"}]}),
    ))
    .unwrap();
    assert_eq!((id.as_str(), root), ("r-abcd", true));
    let p = orgs::describe_policy(&doc(
        "d.json",
        json!({"Policy": {"PolicySummary": {"Id": "p-1", "Name": "Deny", "Type": "SERVICE_CONTROL_POLICY"},
               "Content": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"}}),
    ))
    .unwrap();
    assert_eq!(p.kind, orgs::OrgPolicyKind::Scp);
    assert_eq!(p.document["Statement"]["Effect"], "Deny");
    let err = orgs::describe_policy(&doc(
        "d.json",
        json!({"Policy": {"PolicySummary": {"Id": "p-1", "Type": "TAG_POLICY"}, "Content": "{}"}}),
    ))
    .unwrap_err();
    assert_eq!(err.path, "Policy.PolicySummary.Type");
    let ids = orgs::policies_for_target(&doc(
        "l.json",
        json!({"Policies": [{"Id": "p-FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": true}]}),
    ))
    .unwrap();
    assert_eq!(ids, ["p-FullAWSAccess"]);
}

#[test]
fn a_json_array_where_an_object_belongs_is_located() {
    let d = doc("auth.json", json!({"UserDetailList": {"UserName": "x"}}));
    let err = AuthDetails::from_pages(&[d]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "auth.json: UserDetailList: expected an array, found an object"
    );
}

/// A setting of the wrong type is an error that names the field, never "not set": read as
/// nothing, `{"PublicAccessBlockConfiguration": true}` turned Block Public Access off and
/// `"BlockedEncryptionTypes": [null]` let an SSE-C upload through.
#[test]
fn a_setting_of_the_wrong_type_is_an_error_not_off() {
    for bad in [json!(true), json!([null]), json!("true")] {
        let d = doc("pab.json", json!({"PublicAccessBlockConfiguration": bad}));
        let err = s3::public_access_block(&d).unwrap_err();
        assert_eq!(err.path, "PublicAccessBlockConfiguration", "{err}");
        assert!(
            err.message.starts_with("expected an object, found"),
            "{err}"
        );
    }
    let mut bucket = serde_json::Map::new();
    let mut src = Vec::new();
    for (rules, path) in [
        (
            json!([{"BlockedEncryptionTypes": [null]}]),
            "ServerSideEncryptionConfiguration.Rules[0].BlockedEncryptionTypes",
        ),
        (json!([null]), "ServerSideEncryptionConfiguration.Rules[0]"),
        (
            json!([{"ApplyServerSideEncryptionByDefault": "AES256"}]),
            "ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault",
        ),
    ] {
        let d = doc(
            "enc.json",
            json!({"ServerSideEncryptionConfiguration": {"Rules": rules}}),
        );
        let err = s3::bucket_encryption(&d, &mut bucket, &mut src).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
    for bad in [json!("Enabled"), json!([null])] {
        let d = doc("lock.json", json!({"ObjectLockConfiguration": bad}));
        let err = s3::object_lock(&d, &mut bucket).unwrap_err();
        assert_eq!(err.path, "ObjectLockConfiguration", "{err}");
    }
    assert!(bucket.is_empty(), "{bucket:?}");
}

/// Fields AWS always prints are required, so another command's output, or a cut file, is
/// not read as a default: LocationConstraint (null for us-east-1, API_GetBucketLocation),
/// a tag's Value ("" when empty), an EncryptionType of SSE-C or NONE
/// (API_BlockedEncryptionTypes).
#[test]
fn fields_aws_always_prints_are_required() {
    let e = s3::bucket_location(&doc("loc.json", json!({}))).unwrap_err();
    assert_eq!(e.path, "LocationConstraint", "{e}");
    let e = s3::bucket_location(&doc(
        "loc.json",
        json!({"ServerSideEncryptionConfiguration": {"Rules": []}}),
    ))
    .unwrap_err();
    assert_eq!(e.path, "LocationConstraint", "{e}");

    let mut details = json!({"UserDetailList": [user("alice", &[])], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    details["UserDetailList"][0]["Tags"] = json!([{"Key": "team"}]);
    let e = AuthDetails::from_pages(&[doc("auth.json", details)]).unwrap_err();
    assert_eq!(e.path, "UserDetailList[0].Tags[0].Value", "{e}");

    let mut bucket = serde_json::Map::new();
    let mut src = Vec::new();
    let d = doc(
        "enc.json",
        json!({"ServerSideEncryptionConfiguration": {"Rules": [{"BlockedEncryptionTypes": {"EncryptionType": ["SSE-X"]}}]}}),
    );
    let e = s3::bucket_encryption(&d, &mut bucket, &mut src).unwrap_err();
    assert_eq!(
        e.path,
        "ServerSideEncryptionConfiguration.Rules[0].BlockedEncryptionTypes.EncryptionType[0]",
        "{e}"
    );
}

/// A file that holds no output: empty (the command failed, its error went to standard
/// error), or the AWS CLI's error text saved in its place (`> f 2>&1`). Each says so
/// rather than "invalid JSON" or "cut off".
#[test]
fn a_file_without_output_says_why() {
    let e = Doc::from_text("pab.json", "\n").err().unwrap();
    assert!(e.message.starts_with("the file is empty"), "{e}");
    let e = Doc::from_text(
        "pab.json",
        "\nAn error occurred (NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock operation: The public access block configuration was not found\n",
    )
    .err()
    .unwrap();
    assert_eq!(
        e.message,
        "the file holds the AWS CLI's error (NoSuchPublicAccessBlockConfiguration), not its output: AWS's way of saying the setting is not set: leave the file out"
    );
    let e = Doc::from_text("policy.json", "An error occurred (AccessDenied) when calling the GetBucketPolicy operation: Access Denied").err().unwrap();
    assert!(
        e.message.contains("(AccessDenied)") && e.message.contains("run it again"),
        "{e}"
    );
}

/// Pages of one answer never repeat a user, role, group or policy; a repeat (pages of two
/// answers mixed) is an error at the repeat, not a silent "first one wins".
#[test]
fn an_entry_listed_twice_across_pages_is_an_error() {
    let page = |marker: bool| {
        let mut p = json!({"UserDetailList": [user("bob", &[])], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
        if marker {
            p["IsTruncated"] = json!(true);
            p["Marker"] = json!("m1");
        } else {
            p["IsTruncated"] = json!(false);
        }
        p
    };
    let e = AuthDetails::from_pages(&[
        doc("page1.json", page(true)),
        doc("page2.json", page(false)),
    ])
    .unwrap_err();
    assert_eq!(e.file, "page2.json", "{e}");
    assert_eq!(e.path, "UserDetailList[0]", "{e}");
    assert!(
        e.message
            .starts_with("arn:aws:iam::111122223333:user/bob is listed twice"),
        "{e}"
    );
}
