//! Profile `realistic`: large fact documents (about 12 KB each) for benchmarking.
//!
//! 1-8 identity policies of 3-40 statements, a bucket policy of 2-25 statements with the
//! conditions real bucket policies use (aws:SourceIp, s3:x-amz-storage-class, s3:x-amz-acl,
//! s3:x-amz-grant-full-control, the KMS key id, s3:x-amz-server-side-encryption), VPC
//! endpoints, KMS keys in the same and another account, SCP levels, Block Public Access and
//! Object Ownership settings. Any mix of outcomes.

use serde_json::{json, Map, Value};

use super::iam::{ACCOUNT_A, ACCOUNT_B, ORG, VPCE};
use super::rng::Rng;

/// The serialized size every record aims at, in bytes: drawn from this range, then reached by
/// adding statements (a record may overshoot by one statement).
pub const TARGET_MIN: usize = 10_000;
pub const TARGET_MAX: usize = 14_000;
const MAX_IDENTITY_STATEMENTS: usize = 40;
const MAX_BUCKET_STATEMENTS: usize = 25;
const VERSION: &str = "2012-10-17";

fn s(v: impl AsRef<str>) -> Value {
    Value::String(v.as_ref().to_string())
}

struct Ctx {
    account: &'static str,
    principal: String,
    role: String,
    bucket: String,
    bucket_account: &'static str,
    key_same: String,
    key_cross: String,
    buckets: Vec<String>,
    /// The one kind of Deny guardrail this bucket policy repeats (real policies do not stack
    /// contradicting guardrails); `None`: only grants.
    deny_kind: Option<usize>,
}

fn len(v: &Value) -> usize {
    serde_json::to_string(v).map(|x| x.len()).unwrap_or(0)
}

pub(crate) fn document(rng: &mut Rng) -> Value {
    let target = rng.range(TARGET_MIN, TARGET_MAX);
    let account = ACCOUNT_A;
    let cross = rng.chance(0.4);
    let bucket_account = if cross { ACCOUNT_B } else { account };
    let role = rng
        .pick(&[
            "DataPipelineRole",
            "app-backend",
            "ci-deployer",
            "AnalyticsEtl",
        ])
        .to_string();
    let principal = match rng.below(10) {
        0..=2 => format!(
            "arn:aws:iam::{account}:user/{}",
            rng.pick(&["alice", "svc-uploader", "bob"])
        ),
        3 => format!("arn:aws:iam::{account}:root"),
        _ => format!(
            "arn:aws:sts::{account}:assumed-role/{role}/{}",
            rng.pick(&["i-0a1b2c3d4e5f", "gh-actions-1234", "alice@example.com"])
        ),
    };
    let bucket = format!(
        "{}-{}",
        rng.pick(&[
            "acme-data",
            "prod-artifacts",
            "analytics-raw",
            "media-assets"
        ]),
        rng.range(1, 99)
    );
    let buckets = (0..6)
        .map(|i| {
            format!(
                "{}-{}",
                rng.pick(&[
                    "acme-logs",
                    "acme-backup",
                    "etl-staging",
                    "web-static",
                    "ml-models"
                ]),
                i
            )
        })
        .collect();
    let key_same = format!(
        "arn:aws:kms:us-east-1:{account}:key/1234abcd-12ab-34cd-56ef-{:012x}",
        rng.next_u64() & 0xffff_ffff_ffff
    );
    let key_cross = format!(
        "arn:aws:kms:us-east-1:{ACCOUNT_B}:key/0987dcba-09fe-87dc-65ba-{:012x}",
        rng.next_u64() & 0xffff_ffff_ffff
    );
    let deny_kind = if rng.chance(0.7) {
        Some(*rng.pick(&[2usize, 3, 4, 5, 7, 8]))
    } else {
        None
    };
    let ctx = Ctx {
        account,
        principal: principal.clone(),
        role,
        bucket: bucket.clone(),
        bucket_account,
        key_same,
        key_cross,
        buckets,
        deny_kind,
    };

    // ---- request -----------------------------------------------------------------------
    let key = format!(
        "{}/{}/{}.{}",
        rng.pick(&["uploads", "raw", "exports", "tmp", "reports"]),
        rng.range(2019, 2026),
        rng.range(1000, 99999),
        rng.pick(&["csv", "parquet", "json", "jpg", "gz"])
    );
    let mut headers = Map::new();
    match rng.weighted(&[40, 25, 10, 10, 5, 10]) {
        0 => {}
        1 => {
            headers.insert("x-amz-acl".into(), s("bucket-owner-full-control"));
        }
        2 => {
            headers.insert("x-amz-acl".into(), s("public-read"));
        }
        3 => {
            headers.insert("x-amz-acl".into(), s("private"));
        }
        4 => {
            headers.insert("x-amz-acl".into(), s("authenticated-read"));
        }
        _ => {
            headers.insert(
                "x-amz-grant-full-control".into(),
                s("id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),
            );
        }
    }
    if rng.chance(0.4) {
        headers.insert(
            "x-amz-storage-class".into(),
            s(rng.pick(&[
                "STANDARD",
                "STANDARD_IA",
                "GLACIER_IR",
                "INTELLIGENT_TIERING",
                "DEEP_ARCHIVE",
            ])),
        );
    }
    match rng.weighted(&[35, 20, 35, 5]) {
        0 => {}
        1 => {
            headers.insert("x-amz-server-side-encryption".into(), s("AES256"));
        }
        2 => {
            headers.insert("x-amz-server-side-encryption".into(), s("aws:kms"));
            match rng.below(4) {
                0 => {}
                1 => {
                    headers.insert(
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        Value::String(ctx.key_same.clone()),
                    );
                }
                2 => {
                    headers.insert(
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        Value::String(ctx.key_cross.clone()),
                    );
                }
                _ => {
                    headers.insert(
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        s("alias/app-data"),
                    );
                }
            }
            if rng.chance(0.3) {
                headers.insert(
                    "x-amz-server-side-encryption-bucket-key-enabled".into(),
                    s("true"),
                );
            }
        }
        _ => {
            headers.insert("x-amz-server-side-encryption".into(), s("aws:kms:dsse"));
        }
    }
    if rng.chance(0.3) {
        headers.insert(
            "x-amz-tagging".into(),
            s(rng.pick(&[
                "team=data",
                "team=data&env=prod",
                "classification=internal&owner=etl",
            ])),
        );
    }
    if rng.chance(0.1) {
        headers.insert(
            "x-amz-expected-bucket-owner".into(),
            s(rng.pick(&[ACCOUNT_A, ACCOUNT_B])),
        );
    }
    let mut request = Map::new();
    request.insert("principal".into(), Value::String(principal.clone()));
    request.insert("action".into(), s("s3:PutObject"));
    request.insert("bucket".into(), Value::String(bucket.clone()));
    request.insert("key".into(), Value::String(key));
    request.insert("headers".into(), Value::Object(headers));
    let via_vpce = rng.chance(0.4);
    if via_vpce {
        request.insert("vpc_endpoint".into(), s(VPCE));
        request.insert("source_vpc".into(), s("vpc-111bbb22"));
        request.insert(
            "vpc_source_ip".into(),
            Value::String(format!("10.0.{}.{}", rng.range(0, 9), rng.range(2, 250))),
        );
    } else {
        request.insert(
            "source_ip".into(),
            Value::String(format!(
                "{}.{}",
                rng.pick(&["203.0.113", "198.51.100", "192.0.2"]),
                rng.range(1, 254)
            )),
        );
    }
    request.insert("secure_transport".into(), Value::Bool(rng.chance(0.93)));
    if rng.chance(0.2) {
        request.insert("multipart".into(), Value::Bool(true));
    }
    if principal.contains(":assumed-role/") && rng.chance(0.3) {
        request.insert(
            "session".into(),
            json!({"tags": {"project": "blue", "cost-center": "cc-1234"}}),
        );
    }
    request.insert("context".into(), json!({"s3:TlsVersion": rng.pick(&["1.2", "1.3", "1.2", "1.1"]), "aws:RequestedRegion": "us-east-1"}));

    // ---- skeleton --------------------------------------------------------------------------
    let is_root = principal.ends_with(":root");
    let n_identity = if is_root { 0 } else { rng.range(1, 8) };
    let mut identity: Vec<Vec<Value>> = (0..n_identity)
        .map(|_| (0..3).map(|_| identity_statement(rng, &ctx)).collect())
        .collect();
    let mut bucket_stmts: Vec<Value> = (0..2).map(|_| bucket_statement(rng, &ctx)).collect();

    let mut doc = Map::new();
    doc.insert("request".into(), Value::Object(request));
    doc.insert("identity".into(), json!({}));
    let mut accounts = Map::new();
    accounts.insert(account.to_string(), account_entry(rng, &ctx, account));
    if cross {
        accounts.insert(ACCOUNT_B.to_string(), account_entry(rng, &ctx, ACCOUNT_B));
    }
    doc.insert("accounts".into(), Value::Object(accounts));
    let mut b = Map::new();
    b.insert("name".into(), Value::String(bucket.clone()));
    b.insert("account".into(), s(bucket_account));
    b.insert("region".into(), s("us-east-1"));
    b.insert("policy".into(), json!({}));
    if rng.chance(0.6) {
        let rule = match rng.below(3) {
            0 => {
                json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false})
            }
            1 => {
                json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": true})
            }
            _ => {
                json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": if cross { ctx.key_cross.clone() } else { ctx.key_same.clone() }}, "BucketKeyEnabled": rng.chance(0.5)})
            }
        };
        b.insert("encryption".into(), json!({"Rules": [rule]}));
    }
    if rng.chance(0.3) {
        b.insert("blocked_encryption_types".into(), json!(["SSE-C"]));
    }
    match rng.below(4) {
        0 => {}
        1 => {
            b.insert(
                "ownership_controls".into(),
                json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
            );
        }
        2 => {
            b.insert(
                "ownership_controls".into(),
                json!({"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}),
            );
        }
        _ => {
            b.insert(
                "ownership_controls".into(),
                json!({"Rules": [{"ObjectOwnership": "ObjectWriter"}]}),
            );
        }
    }
    if rng.chance(0.6) {
        b.insert("public_access_block".into(), bpa(rng));
    }
    if rng.chance(0.05) {
        b.insert("requester_pays".into(), Value::Bool(true));
    }
    if rng.chance(0.05) {
        b.insert("object_lock".into(), Value::Bool(true));
    }
    doc.insert("bucket".into(), Value::Object(b));
    if via_vpce {
        let pol = json!({"Version": VERSION, "Statement": [
            {"Sid": "AllowOrgAccess", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:ListBucket"], "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
            {"Sid": "OnlyOurBuckets", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": [format!("arn:aws:s3:::{}", ctx.bucket), format!("arn:aws:s3:::{}/*", ctx.bucket), "arn:aws:s3:::acme-*"]}
        ]});
        let mut e = Map::new();
        e.insert("id".into(), s(VPCE));
        e.insert("type".into(), s(rng.pick(&["Gateway", "Interface"])));
        if rng.chance(0.8) {
            e.insert("policy".into(), pol);
        }
        doc.insert("vpc_endpoint".into(), Value::Object(e));
    }
    doc.insert("kms_keys".into(), kms_keys(rng, &ctx));

    // ---- grow to the target size -----------------------------------------------------------
    // Size of the skeleton plus the statements so far; each added statement adds its own
    // serialized length and a comma.
    let mut size = len(&Value::Object(doc.clone()))
        + identity
            .iter()
            .map(|p| p.iter().map(|st| len(st) + 1).sum::<usize>() + 60)
            .sum::<usize>()
        + bucket_stmts.iter().map(|st| len(st) + 1).sum::<usize>()
        + 60;
    let mut guard = 0;
    while size < target && guard < 400 {
        guard += 1;
        let to_bucket = rng.chance(0.3) || identity.is_empty();
        if to_bucket {
            if bucket_stmts.len() < MAX_BUCKET_STATEMENTS {
                let st = bucket_statement(rng, &ctx);
                size += len(&st) + 1;
                bucket_stmts.push(st);
            }
        } else {
            let i = rng.below(identity.len());
            if identity[i].len() < MAX_IDENTITY_STATEMENTS {
                let st = identity_statement(rng, &ctx);
                size += len(&st) + 1;
                identity[i].push(st);
            }
        }
        if bucket_stmts.len() >= MAX_BUCKET_STATEMENTS
            && identity.iter().all(|p| p.len() >= MAX_IDENTITY_STATEMENTS)
        {
            break;
        }
    }

    let pols: Vec<Value> = identity
        .into_iter()
        .enumerate()
        .map(|(i, stmts)| json!({"name": format!("{}-{i}", ["AppAccess", "S3ReadWrite", "KmsUsage", "Baseline", "TeamData"][i % 5]), "document": {"Version": VERSION, "Statement": stmts}}))
        .collect();
    let mut ident = Map::new();
    ident.insert("policies".into(), Value::Array(pols));
    if !is_root && rng.chance(0.3) {
        ident.insert("permissions_boundary".into(), json!({"Version": VERSION, "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "*"}
        ]}));
    }
    if !is_root {
        ident.insert(
            "tags".into(),
            json!({"team": rng.pick(&["data", "platform", "ml"])}),
        );
    }
    doc.insert("identity".into(), Value::Object(ident));
    if let Some(Value::Object(b)) = doc.get_mut("bucket") {
        b.insert(
            "policy".into(),
            json!({"Version": VERSION, "Id": "BucketPolicy", "Statement": bucket_stmts}),
        );
    }
    Value::Object(doc)
}

fn bpa(rng: &mut Rng) -> Value {
    json!({
        "BlockPublicAcls": rng.chance(0.7),
        "IgnorePublicAcls": rng.chance(0.7),
        "BlockPublicPolicy": rng.chance(0.7),
        "RestrictPublicBuckets": rng.chance(0.6)
    })
}

fn account_entry(rng: &mut Rng, ctx: &Ctx, account: &str) -> Value {
    let mut a = Map::new();
    a.insert("organization".into(), s(ORG));
    a.insert("management".into(), Value::Bool(rng.chance(0.05)));
    let deny = json!({"name": "DenyUnencryptedAndLegacyTls", "document": {"Version": VERSION, "Statement": [
        {"Sid": "DenyOldTls", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
        {"Sid": "DenyNonOrgBuckets", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"s3:ResourceAccount": [ACCOUNT_A, ACCOUNT_B]}}},
        {"Sid": "DenyRegions", "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}
    ]}});
    let full = json!({"name": "FullAWSAccess", "document": {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}});
    let mut acct = vec![full.clone()];
    if rng.chance(0.5) {
        acct.push(deny);
    }
    a.insert(
        "scps".into(),
        json!([
            {"target": "r-abcd", "policies": [full.clone()]},
            {"target": "ou-abcd-11112222", "policies": [full]},
            {"target": account, "policies": acct}
        ]),
    );
    if rng.chance(0.4) {
        a.insert("rcps".into(), json!([{"target": "r-abcd", "policies": [{"name": "EnforceOrgIdentities", "document": {"Version": VERSION, "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*"], "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}
        ]}}]}]));
    }
    if rng.chance(0.4) {
        a.insert("public_access_block".into(), bpa(rng));
    }
    let _ = ctx;
    Value::Object(a)
}

fn kms_keys(rng: &mut Rng, ctx: &Ctx) -> Value {
    let key_policy = |owner: &str, extra_account: Option<&str>, role: &str| {
        let mut stmts = vec![
            json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"}),
        ];
        stmts.push(json!({"Sid": "AllowUseViaS3", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{owner}:role/{role}")}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}));
        if let Some(x) = extra_account {
            stmts.push(json!({"Sid": "AllowExternalAccount", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{x}:root")}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}));
        }
        json!({"Version": VERSION, "Id": "key-policy", "Statement": stmts})
    };
    let cross_grant = if rng.chance(0.6) {
        Some(ACCOUNT_A)
    } else {
        None
    };
    json!([
        {"arn": ctx.key_same, "aliases": ["alias/app-data"], "manager": "CUSTOMER", "policy": key_policy(ctx.account, None, &ctx.role)},
        {"arn": ctx.key_cross, "aliases": ["alias/shared-data"], "manager": "CUSTOMER", "policy": key_policy(ACCOUNT_B, cross_grant, "BucketAdmin")},
        {"arn": format!("arn:aws:kms:us-east-1:{}:key/aaaa1111-bbbb-2222-cccc-333344445555", ctx.account), "aliases": ["alias/aws/s3"], "manager": "AWS"},
        {"arn": format!("arn:aws:kms:us-east-1:{}:key/dddd6666-eeee-7777-ffff-888899990000", ctx.bucket_account), "aliases": ["alias/aws/s3"], "manager": "AWS"}
    ])
}

fn sid_of(rng: &mut Rng, prefix: &str) -> String {
    format!("{prefix}{}", rng.range(1, 9999))
}

fn identity_statement(rng: &mut Rng, ctx: &Ctx) -> Value {
    let b = ctx.bucket.as_str();
    let other = rng.pick(&ctx.buckets).clone();
    match rng.weighted(&[20, 12, 10, 10, 10, 10, 8, 8, 6, 6]) {
        0 => {
            json!({"Sid": sid_of(rng, "AllowObjectRw"), "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:GetObjectVersion"], "Resource": [format!("arn:aws:s3:::{b}/{}/*", rng.pick(&["uploads", "raw", "exports", "tmp"])), format!("arn:aws:s3:::{other}/*")]})
        }
        1 => {
            json!({"Sid": sid_of(rng, "AllowList"), "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": [format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{other}")], "Condition": {"StringLike": {"s3:prefix": ["uploads/*", "raw/*", ""]}}})
        }
        2 => {
            json!({"Sid": sid_of(rng, "AllowKms"), "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], "Resource": [ctx.key_same, ctx.key_cross], "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})
        }
        3 => {
            json!({"Sid": sid_of(rng, "DenyUnencrypted"), "Effect": "Deny", "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{b}/*"), "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]}}})
        }
        4 => {
            json!({"Sid": sid_of(rng, "Compute"), "Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:CreateTags"], "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}})
        }
        5 => {
            json!({"Sid": sid_of(rng, "Logs"), "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], "Resource": format!("arn:aws:logs:us-east-1:{}:log-group:/app/{}:*", ctx.account, rng.pick(&["etl", "api", "worker"]))})
        }
        6 => {
            json!({"Sid": sid_of(rng, "Dynamo"), "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"], "Resource": format!("arn:aws:dynamodb:us-east-1:{}:table/{}", ctx.account, rng.pick(&["jobs", "sessions", "catalog"]))})
        }
        7 => {
            json!({"Sid": sid_of(rng, "DenyOutsideNetwork"), "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}, "StringNotEqualsIfExists": {"aws:SourceVpce": VPCE}, "BoolIfExists": {"aws:ViaAWSService": "false"}}})
        }
        8 => {
            json!({"Sid": sid_of(rng, "AllowTaggedUpload"), "Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectTagging"], "Resource": format!("arn:aws:s3:::{b}/*"), "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "${aws:PrincipalTag/team}"}, "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team", "env", "owner", "classification"]}}})
        }
        _ => {
            json!({"Sid": sid_of(rng, "Sqs"), "Effect": "Allow", "NotAction": ["sqs:DeleteQueue", "sqs:SetQueueAttributes"], "Resource": format!("arn:aws:sqs:us-east-1:{}:{}-queue", ctx.account, rng.pick(&["ingest", "dlq", "events"]))})
        }
    }
}

fn bucket_statement(rng: &mut Rng, ctx: &Ctx) -> Value {
    let b = ctx.bucket.as_str();
    let obj = format!("arn:aws:s3:::{b}/*");
    let prin = match rng.below(5) {
        0 => json!({"AWS": format!("arn:aws:iam::{}:root", ctx.account)}),
        1 => json!({"AWS": format!("arn:aws:iam::{}:role/{}", ctx.account, ctx.role)}),
        2 => json!({"AWS": ctx.principal}),
        3 => {
            json!({"AWS": [format!("arn:aws:iam::{}:root", ACCOUNT_A), format!("arn:aws:iam::{}:root", ACCOUNT_B)]})
        }
        _ => s("*"),
    };
    let kind = match ctx.deny_kind {
        Some(k) if rng.chance(0.3) => k,
        _ => *rng.pick(&[0usize, 0, 1, 6]),
    };
    match kind {
        0 => {
            json!({"Sid": sid_of(rng, "AllowCrossAccountUpload"), "Effect": "Allow", "Principal": prin, "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"], "Resource": obj, "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}})
        }
        1 => {
            json!({"Sid": sid_of(rng, "IPAllow"), "Effect": "Allow", "Principal": prin, "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{b}"), obj], "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "192.0.2.0/24"]}, "NotIpAddress": {"aws:SourceIp": "203.0.113.128/25"}}})
        }
        2 => {
            json!({"Sid": sid_of(rng, "DenyIncorrectEncryptionHeader"), "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": obj, "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}})
        }
        3 => {
            json!({"Sid": sid_of(rng, "DenyUnEncryptedObjectUploads"), "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": obj, "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}})
        }
        4 => {
            json!({"Sid": sid_of(rng, "RequireKmsKey"), "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": obj, "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": if rng.chance(0.5) { ctx.key_same.clone() } else { ctx.key_cross.clone() }}}})
        }
        5 => {
            json!({"Sid": sid_of(rng, "StorageClass"), "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": obj, "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-storage-class": ["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING"]}}})
        }
        6 => {
            json!({"Sid": sid_of(rng, "GrantFullControl"), "Effect": "Allow", "Principal": prin, "Action": "s3:PutObject", "Resource": obj, "Condition": {"StringEquals": {"s3:x-amz-grant-full-control": "id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}})
        }
        7 => {
            json!({"Sid": sid_of(rng, "DenyInsecureTransport"), "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{b}"), obj], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        }
        _ => {
            json!({"Sid": sid_of(rng, "VpceOnly"), "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": obj, "Condition": {"StringNotEquals": {"aws:SourceVpce": [VPCE, "vpce-0fedcba987654321"]}, "StringNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{}:role/{}*", ctx.account, &ctx.role[..3])}}})
        }
    }
}
