//! The snapshot matrix: every principal × every bucket, globs, and deterministic shards
//! whose union is the unsharded run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod support;
use support::copy_dir;

use std::path::Path;

use serde_json::{json, Map, Value};

use s3why::aws::{decide, Decision};
use s3why::awsdata::matrix::{Matrix, Selection, Shard};
use s3why::awsdata::request::PutObject;
use s3why::awsdata::snapshots::Snapshots;
use s3why::facts::Facts;

fn snapshot() -> Snapshots {
    Snapshots::load(&["tests/fixtures/awsdata/snapshot".into()]).unwrap()
}

fn template() -> Map<String, Value> {
    json!({"key": "pipeline/report.csv"})
        .as_object()
        .unwrap()
        .clone()
}

fn run(s: &Snapshots, sel: &Selection) -> Vec<(usize, String, String, Decision)> {
    let m = Matrix::new(s, template(), PutObject::default(), sel).unwrap();
    m.cells()
        .map(|c| {
            let facts = m.facts(&c).unwrap();
            // The document the cell carries reads back to the same facts.
            Facts::from_value(&facts.document).unwrap();
            let d = decide(&facts).decision;
            (c.index, c.principal, c.bucket, d)
        })
        .collect()
}

#[test]
fn every_principal_times_every_bucket() {
    let s = snapshot();
    let all = run(&s, &Selection::default());
    assert_eq!(all.len(), 4 * 3);
    let allowed: Vec<(&str, &str)> = all
        .iter()
        .filter(|c| c.3 == Decision::Allowed)
        .map(|c| (c.1.as_str(), c.2.as_str()))
        .collect();
    // alice's group policy allows all three buckets, but vpce-bucket only through its
    // endpoint; the pipeline role (by its role ARN) writes pipeline/* in example-bucket.
    assert_eq!(
        allowed,
        [
            (
                "arn:aws:iam::111122223333:role/service/data-pipeline",
                "example-bucket"
            ),
            ("arn:aws:iam::111122223333:user/alice", "example-bucket"),
            ("arn:aws:iam::111122223333:user/alice", "logs-bucket"),
        ]
    );
    let indexes: Vec<usize> = all.iter().map(|c| c.0).collect();
    assert_eq!(indexes, (0..12).collect::<Vec<_>>());
}

#[test]
fn two_accounts_make_one_matrix() {
    let s = Snapshots::load(&[
        "tests/fixtures/awsdata/snapshot".into(),
        "tests/fixtures/awsdata/partner-snapshot".into(),
    ])
    .unwrap();
    let all = run(&s, &Selection::default());
    assert_eq!(all.len(), 5 * 5);
    let alice_partner = all
        .iter()
        .find(|c| c.1.ends_with("user/alice") && c.2 == "partner-bucket")
        .unwrap();
    assert_eq!(alice_partner.3, Decision::Allowed);
    // The partner's administrator has no grant in the other account's buckets.
    assert!(all
        .iter()
        .filter(|c| c.1.ends_with("user/partner-admin") && !c.2.starts_with("partner-"))
        .all(|c| c.3 == Decision::Denied));
}

#[test]
fn globs_select_principals_and_buckets() {
    let s = snapshot();
    let sel = Selection {
        principal: Some("arn:aws:iam::*:user/*".into()),
        bucket: Some("*-bucket".into()),
        shard: None,
    };
    assert_eq!(run(&s, &sel).len(), 3 * 3);
    let sel = Selection {
        principal: Some("*carol".into()),
        bucket: Some("logs-*".into()),
        shard: None,
    };
    let cells = run(&s, &sel);
    assert_eq!(cells.len(), 1);
    assert_eq!(
        cells[0].1,
        "arn:aws:iam::111122223333:user/contractors/carol"
    );
    let bad = Selection {
        principal: Some("[".into()),
        ..Selection::default()
    };
    assert!(Matrix::new(&s, template(), PutObject::default(), &bad).is_err());
}

#[test]
fn shards_partition_the_matrix_and_merge_back_to_the_unsharded_run() {
    let s = snapshot();
    let all = run(&s, &Selection::default());
    for n in 1..=5 {
        let mut merged = Vec::new();
        for i in 0..n {
            let sel = Selection {
                shard: Some(Shard { index: i, count: n }),
                ..Selection::default()
            };
            let part = run(&s, &sel);
            assert!(part.iter().all(|c| c.0 % n == i));
            merged.extend(part);
        }
        merged.sort_by_key(|c| c.0);
        assert_eq!(merged, all, "{n} shards");
    }
}

#[test]
fn shard_syntax() {
    assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
    for bad in ["4/4", "1/0", "x/2", "3", "-1/2"] {
        let e = Shard::parse(bad).unwrap_err();
        assert_eq!(e.path, "--shard", "{bad}");
    }
}

#[test]
fn a_bad_bucket_spoils_only_its_cells() {
    let dir = std::env::temp_dir().join(format!("s3why-matrix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("tests/fixtures/awsdata/snapshot"), &dir);
    std::fs::write(
        dir.join("s3/logs-bucket/request-payment.json"),
        "{\"Payer\": 1}",
    )
    .unwrap();
    std::fs::write(
        dir.join("s3/vpce-bucket/policy.json.err"),
        "An error occurred (AccessDenied) when calling the GetBucketPolicy operation: Access Denied",
    )
    .unwrap();
    let s = Snapshots::load(std::slice::from_ref(&dir)).unwrap();
    let m = Matrix::new(&s, template(), PutObject::default(), &Selection::default()).unwrap();
    for c in m.cells() {
        let facts = m.facts(&c);
        match c.bucket.as_str() {
            "example-bucket" => assert!(facts.is_ok()),
            "logs-bucket" => {
                let e = facts.as_ref().unwrap_err();
                assert_eq!(e.path, "Payer", "{e}");
                assert!(e.file.ends_with("s3/logs-bucket/request-payment.json"));
            }
            _ => {
                let e = facts.as_ref().unwrap_err();
                assert!(e.file.ends_with("s3/vpce-bucket/policy.json.err"), "{e}");
                assert!(
                    e.message
                        .contains("GetBucketPolicy operation: Access Denied"),
                    "{e}"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A copy of the fixture snapshot where u1, u2 and u3 join alice in group `uploaders`
/// with her tags: one identity of four principals.
fn twins(test: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("s3why-matrix-twins-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("tests/fixtures/awsdata/snapshot"), &dir);
    let path = dir.join("iam/authorization-details.json");
    let mut auth: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for name in ["u1", "u2", "u3"] {
        auth["UserDetailList"].as_array_mut().unwrap().push(json!({
            "Path": "/", "UserName": name, "UserId": format!("AIDA{name:0>17}"),
            "Arn": format!("arn:aws:iam::111122223333:user/{name}"),
            "GroupList": ["uploaders"], "AttachedManagedPolicies": [],
            "Tags": [{"Key": "team", "Value": "data"}],
        }));
    }
    std::fs::write(&path, auth.to_string()).unwrap();
    dir
}

/// Every record of `m` in matrix order, and how many pairs were evaluated.
fn records(m: &Matrix<'_>, ruleset: &s3why::rules::Ruleset) -> (Vec<Value>, usize) {
    let evaluated = std::sync::atomic::AtomicUsize::new(0);
    let out = m
        .cells()
        .map(|c| {
            m.record(&c, |cell, facts| {
                evaluated.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let facts = facts.unwrap();
                let verdict = std::sync::Arc::new(decide(&facts));
                let findings = ruleset.findings(facts, &verdict).unwrap();
                s3why::report::verdict_record(&cell.source, &verdict, findings)
            })
            .into_value()
        })
        .collect();
    (out, evaluated.into_inner())
}

/// Issue 7: identical principals are evaluated once per bucket (fewer evaluations than
/// pairs), and the records are the same as evaluating every pair, including when the
/// bound on shared records is hit (`max_shared`).
#[test]
fn identical_principals_share_evaluations_and_records() {
    let dir = twins("share");
    let s = Snapshots::load(std::slice::from_ref(&dir)).unwrap();
    let ruleset = s3why::rules::Ruleset::load(true, &[]).unwrap();
    let new = || Matrix::new(&s, template(), PutObject::default(), &Selection::default()).unwrap();
    let m = new();
    assert_eq!(m.classes(), 4, "{}", m.describe());
    let (shared, evaluated) = records(&m, &ruleset);
    let (alone, all) = records(&new().each_alone(), &ruleset);
    assert_eq!(all, m.total());
    assert!(evaluated < all, "{evaluated} of {all} pairs evaluated");
    assert_eq!(shared, alone);
    for bound in [0, 1] {
        let (bounded, _) = records(&new().max_shared(bound), &ruleset);
        assert_eq!(bounded, alone, "max_shared({bound})");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A matrix whose pair documents carry only the fields the rules read (the request and
/// the bucket's account for the bundled ruleset) gives the same records, shared and
/// alone, as one whose documents are whole; the documents carry only those parts once the
/// parts are known; and the identity still tells members apart (it is looked at from the
/// parts).
#[test]
fn pair_documents_with_only_the_fields_the_rules_read_give_the_same_records() {
    let dir = twins("fields");
    let s = Snapshots::load(std::slice::from_ref(&dir)).unwrap();
    let ruleset = s3why::rules::Ruleset::load(true, &[]).unwrap();
    let fields = ruleset.program().input_reads().cloned();
    assert_eq!(
        fields.iter().flat_map(|r| r.fields()).collect::<Vec<_>>(),
        ["bucket", "request"]
    );
    let new = || Matrix::new(&s, template(), PutObject::default(), &Selection::default()).unwrap();
    let (whole, _) = records(&new(), &ruleset);
    let (partial, evaluated) = records(&new().document_reads(fields.clone()), &ruleset);
    assert_eq!(partial, whole);
    assert!(evaluated < whole.len());
    let (alone, _) = records(&new().document_reads(fields.clone()).each_alone(), &ruleset);
    assert_eq!(alone, whole);

    let m = new().document_reads(fields.clone());
    let cells: Vec<_> = m.cells().collect();
    m.facts(&cells[0]).unwrap(); // keeps the first principal's and bucket's parts
    let document = m.facts(&cells[0]).unwrap().document;
    let mut keys: Vec<&String> = document.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["bucket", "request"]);
    // Of the bucket, only what the rules read: not its policy.
    let bucket: Vec<&String> = document["bucket"].as_object().unwrap().keys().collect();
    assert_eq!(bucket, ["account"]);

    // A policy variable in the shared identity (the group policy) tells the members apart:
    // every pair is evaluated, though the pair documents no longer carry the identity.
    let path = dir.join("iam/authorization-details.json");
    let text = std::fs::read_to_string(&path).unwrap();
    // In UploadPolicy v2 (URL-encoded): partner-kms-bucket/${aws:username}/*.
    let marked = text.replacen(
        "partner-kms-bucket%2F%2A",
        "partner-kms-bucket%2F%24%7Baws%3Ausername%7D%2F%2A",
        1,
    );
    assert!(
        marked != text,
        "the fixture's UploadPolicy names partner-kms-bucket/*"
    );
    std::fs::write(&path, marked).unwrap();
    let s = Snapshots::load(std::slice::from_ref(&dir)).unwrap();
    let m = Matrix::new(&s, template(), PutObject::default(), &Selection::default())
        .unwrap()
        .document_reads(fields);
    let (_, evaluated) = records(&m, &ruleset);
    assert_eq!(evaluated, m.total());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A copy of the fixture snapshot for one test, with `edit` applied.
fn edited_snapshot(test: &str, edit: impl FnOnce(&Path)) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("s3why-matrix-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("tests/fixtures/awsdata/snapshot"), &dir);
    edit(&dir);
    dir
}

/// AWS answers "not in use" with an error: `describe-organization` in an account of no
/// organization (AWSOrganizationsNotInUseException), `list-policies-for-target` for a
/// policy type the organization has not enabled (PolicyTypeNotEnabledException). A
/// snapshot holding those errors is read as no organization / no RCPs, not refused.
#[test]
fn not_in_use_answers_of_organizations_mean_not_in_use() {
    let standalone = edited_snapshot("standalone", |dir| {
        let o = dir.join("organizations");
        std::fs::remove_dir_all(&o).unwrap();
        std::fs::create_dir_all(&o).unwrap();
        std::fs::write(
            o.join("organization.json.err"),
            "\nAn error occurred (AWSOrganizationsNotInUseException) when calling the \
             DescribeOrganization operation: Your account is not a member of an organization.\n",
        )
        .unwrap();
    });
    let s = Snapshots::load(std::slice::from_ref(&standalone)).unwrap();
    let m = Matrix::new(&s, template(), PutObject::default(), &Selection::default()).unwrap();
    let cell = m.cells().next().unwrap();
    let facts = m.facts(&cell).unwrap();
    let account = &facts.document["accounts"]["111122223333"];
    assert!(account.is_object(), "{:#}", facts.document);
    for absent in ["organization", "scps", "rcps"] {
        assert!(account.get(absent).is_none(), "{absent}: {account:#}");
    }

    let no_rcps = edited_snapshot("no-rcps", |dir| {
        for target in ["r-abcd", "ou-abcd-11111111", "111122223333"] {
            let t = dir.join("organizations/targets").join(target);
            std::fs::remove_file(t.join("rcps.json")).unwrap();
            std::fs::write(
                t.join("rcps.json.err"),
                "An error occurred (PolicyTypeNotEnabledException) when calling the \
                 ListPoliciesForTarget operation: This operation can be performed only for \
                 enabled policy types.",
            )
            .unwrap();
        }
    });
    let s = Snapshots::load(std::slice::from_ref(&no_rcps)).unwrap();
    let m = Matrix::new(&s, template(), PutObject::default(), &Selection::default()).unwrap();
    let facts = m.facts(&m.cells().next().unwrap()).unwrap();
    let account = &facts.document["accounts"]["111122223333"];
    assert!(account.get("rcps").is_none(), "{account:#}");
    assert!(account["scps"].is_array(), "{account:#}");
    assert!(account["organization"].is_string(), "{account:#}");

    // Any other failure still refuses the snapshot, and says what to do.
    let denied = edited_snapshot("org-denied", |dir| {
        let t = dir.join("organizations/targets/111122223333");
        std::fs::remove_file(t.join("scps.json")).unwrap();
        std::fs::write(
            t.join("scps.json.err"),
            "An error occurred (AccessDeniedException) when calling the \
             ListPoliciesForTarget operation: You don't have permissions to access this resource.",
        )
        .unwrap();
    });
    let e = Snapshots::load(std::slice::from_ref(&denied)).unwrap_err();
    assert!(e.file.ends_with("scps.json.err"), "{e}");
    assert!(e.message.contains("AccessDeniedException"), "{e}");
    assert!(e.message.contains("delete the organizations folder"), "{e}");
    for dir in [standalone, no_rcps, denied] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
