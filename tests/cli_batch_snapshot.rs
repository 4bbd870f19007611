//! `s3why batch --snapshot`: every principal × every bucket of an account snapshot, and
//! `--shard I/N` outputs that merge back into the unsharded run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod support;
use support::copy_dir;

use std::process::Command;

/// `s3why batch --quiet --snapshot` of the fixture snapshot: exit status and records.
fn batch(extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let dir = std::path::Path::new("tests/fixtures/awsdata/snapshot");
    let (code, _, records) = snapshot_batch(dir, &[&["--quiet"], extra].concat());
    (code, records)
}

#[test]
fn every_pair_once_in_matrix_order() {
    let (code, records) = batch(&[]);
    assert_eq!(code, 1, "some pairs are denied");
    assert!(records.len() >= 6, "{}", records.len());
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["pair"]["index"], i, "{r}");
        assert!(r["decision"].is_string(), "{r}");
        let source = r["source"].as_str().unwrap();
        assert!(
            source.ends_with(&format!(
                "#{}@{}",
                r["pair"]["principal"].as_str().unwrap(),
                r["pair"]["bucket"].as_str().unwrap()
            )),
            "{source}"
        );
    }
}

#[test]
fn shards_merge_into_the_unsharded_run() {
    let (_, whole) = batch(&[]);
    let mut merged: Vec<serde_json::Value> = (0..3)
        .flat_map(|i| batch(&["--shard", &format!("{i}/3")]).1)
        .collect();
    merged.sort_by_key(|r| r["pair"]["index"].as_u64().unwrap());
    assert_eq!(merged, whole);
}

#[test]
fn globs_select_principals_and_buckets() {
    let (_, records) = batch(&["--principal", "*:user/*", "--bucket", "logs-*"]);
    assert!(!records.is_empty());
    for r in &records {
        assert!(
            r["pair"]["principal"].as_str().unwrap().contains(":user/"),
            "{r}"
        );
        assert_eq!(r["pair"]["bucket"], "logs-bucket");
    }
}

#[test]
fn a_snapshot_needs_a_request_template() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["batch", "--snapshot", "tests/fixtures/awsdata/snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--snapshot needs --request TEMPLATE"));
}

/// A glob that keeps no principal or no bucket is an input error that shows what the
/// snapshot holds: an empty matrix would exit 0, "every record allowed", having checked
/// nothing.
#[test]
fn a_glob_that_matches_nothing_is_an_input_error() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["batch", "--snapshot", "tests/fixtures/awsdata/snapshot"])
            .args(["--request", "tests/fixtures/awsdata/request-template.json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.stdout.is_empty());
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        )
    };
    assert_eq!(
        run(&["--bucket", "no-such-*"]),
        (
            Some(2),
            r#"error: --bucket: "no-such-*" matches none of the 3 buckets of the snapshot (e.g. example-bucket, logs-bucket, vpce-bucket)"#
                .to_string()
        )
    );
    let (code, err) = run(&["--principal", "*:role/nobody"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with(r#"error: --principal: "*:role/nobody" matches none of the 4 principals of the snapshot (e.g. arn:aws:iam::111122223333:"#),
        "{err}"
    );
}

#[test]
fn a_bad_shard_is_an_input_error() {
    let (code, records) = batch(&["--shard", "3/3"]);
    assert_eq!(code, 2);
    assert!(records.is_empty());
}

#[test]
fn the_summary_says_who_can_upload_where() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "batch",
            "--snapshot",
            "tests/fixtures/awsdata/snapshot",
            "--request",
            "tests/fixtures/awsdata/request-template.json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("who can upload where (4 principals):"),
        "{err}"
    );
    assert!(err.contains("  arn:aws:iam::111122223333:user/alice: 2 of 3 buckets allowed; denied by bucket-policy-explicit-deny (1)"), "{err}");
}

/// A copy of the fixture snapshot with principals that share an identity: u1, u10, u11
/// join alice in group `uploaders` with her tags (one identity of four principals),
/// dave joins with other tags (his own). Three more buckets: one whose policy names u10,
/// one whose policy uses `${aws:username}`, one that asks for the principal's tag.
fn twins_snapshot(test: &str) -> std::path::PathBuf {
    use serde_json::{json, Value};
    let dir = std::env::temp_dir().join(format!("s3why-twins-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/awsdata/snapshot"
        )),
        &dir,
    );
    let auth_path = dir.join("iam/authorization-details.json");
    let mut auth: Value = serde_json::from_slice(&std::fs::read(&auth_path).unwrap()).unwrap();
    let users = auth["UserDetailList"].as_array_mut().unwrap();
    for (name, team) in [
        ("u1", "data"),
        ("u10", "data"),
        ("u11", "data"),
        ("dave", "web"),
    ] {
        users.push(json!({
            "Path": "/", "UserName": name, "UserId": format!("AIDA{name:0>17}"),
            "Arn": format!("arn:aws:iam::111122223333:user/{name}"),
            "CreateDate": "2024-01-10T09:00:00+00:00", "GroupList": ["uploaders"],
            "AttachedManagedPolicies": [], "Tags": [{"Key": "team", "Value": team}],
        }));
    }
    std::fs::write(&auth_path, auth.to_string()).unwrap();
    let deny_unless = |bucket: &str, condition: Value| {
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "OnlySome", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{bucket}/*"), "Condition": condition,
        }]})
    };
    let named = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "NotU10", "Effect": "Deny",
        // A Deny with NotPrincipal exempts a user only with its account (decisions.md).
        "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/u10", "arn:aws:iam::111122223333:root"]},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::named-bucket/*",
    }]});
    let home = deny_unless(
        "home-bucket",
        json!({"StringNotLike": {"s3:prefix": "home/${aws:username}/*"}}),
    );
    let tagged = deny_unless(
        "tagged-bucket",
        json!({"StringNotEquals": {"aws:PrincipalTag/team": "data"}}),
    );
    for (bucket, policy) in [
        ("named-bucket", named),
        ("home-bucket", home),
        ("tagged-bucket", tagged),
    ] {
        let b = dir.join("s3").join(bucket);
        std::fs::create_dir_all(&b).unwrap();
        let wrapped = json!({"Policy": policy.to_string()});
        std::fs::write(b.join("policy.json"), wrapped.to_string()).unwrap();
    }
    dir
}

/// `s3why batch --snapshot DIR` with the fixture request template: exit status, standard
/// error and records.
fn snapshot_batch(dir: &std::path::Path, extra: &[&str]) -> (i32, String, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("batch")
        .arg("--snapshot")
        .arg(dir)
        .args(["--request", "tests/fixtures/awsdata/request-template.json"])
        .args(extra)
        .output()
        .unwrap();
    let records = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        records,
    )
}

/// Issue 7: principals with identical policies are evaluated once per bucket, and their
/// records are exactly what evaluating each principal alone gives (then no other
/// principal shares its identity), including where a bucket policy names one of them,
/// uses a policy variable, or asks for a tag.
#[test]
fn identical_principals_evaluated_once_give_their_own_records() {
    let dir = twins_snapshot("share");
    let (_, err, whole) = snapshot_batch(&dir, &[]);
    assert!(
        err.contains("matrix: 8 principals with 5 distinct identities × 6 buckets = 48 pairs"),
        "{err}"
    );
    assert_eq!(whole.len(), 48);
    // The four principals of alice's identity (the same tags too) share one record on
    // each bucket whose policy cannot tell them apart: the three first and
    // `tagged-bucket` (3 members x 4 buckets renamed). `named-bucket` names u10 and
    // `home-bucket` reads aws:username: there each is evaluated.
    assert!(
        err.contains("pairs evaluated: 36 of 48; the other 12 are the record of a principal with the same policies, renamed"),
        "{err}"
    );
    let mut alone: Vec<serde_json::Value> = Vec::new();
    let mut principals: Vec<String> = whole
        .iter()
        .map(|r| r["pair"]["principal"].as_str().unwrap().to_string())
        .collect();
    principals.dedup();
    assert_eq!(principals.len(), 8);
    for p in &principals {
        let (_, err, records) = snapshot_batch(&dir, &["--principal", p]);
        assert!(
            err.contains("matrix: 1 principals with 1 distinct identities"),
            "{err}"
        );
        alone.extend(records);
    }
    let without_index = |mut r: serde_json::Value| {
        r["pair"].as_object_mut().unwrap().remove("index");
        r
    };
    let whole: Vec<_> = whole.into_iter().map(without_index).collect();
    let alone: Vec<_> = alone.into_iter().map(without_index).collect();
    for (a, b) in whole.iter().zip(&alone) {
        assert_eq!(a, b);
    }
    assert_eq!(whole.len(), alone.len());
    // The bucket policies did tell some of them apart (the group grants none of the
    // three new buckets: identity-no-allow everywhere).
    let ids = |p: &str, b: &str| -> Vec<String> {
        let r = whole
            .iter()
            .find(|r| {
                r["pair"]["principal"].as_str().unwrap().ends_with(p) && r["pair"]["bucket"] == b
            })
            .unwrap();
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let deny = ["bucket-policy-explicit-deny", "identity-no-allow"];
    assert_eq!(ids("user/u10", "named-bucket"), ["identity-no-allow"]);
    assert_eq!(ids("user/u1", "named-bucket"), deny);
    assert_eq!(ids("user/u11", "named-bucket"), deny);
    assert_eq!(ids("user/u1", "tagged-bucket"), ["identity-no-allow"]);
    assert_eq!(ids("user/dave", "tagged-bucket"), deny);
    // Shards share within themselves; merged, they are the whole run.
    let mut merged: Vec<serde_json::Value> = (0..3)
        .flat_map(|i| snapshot_batch(&dir, &["--shard", &format!("{i}/3")]).2)
        .map(without_index)
        .collect();
    merged.sort_by_key(|r| {
        let p = r["pair"]["principal"].as_str().unwrap().to_string();
        let b = r["pair"]["bucket"].as_str().unwrap().to_string();
        (p, b)
    });
    assert_eq!(merged, whole);
    // A team's rules may tell principals apart by their ARN: no sharing then.
    let (_, err, _) = snapshot_batch(&dir, &["--rules", "tests/fixtures/testing/team.s3why"]);
    assert!(
        err.contains("matrix: 8 principals each evaluated on its own × 6 buckets = 48 pairs"),
        "{err}"
    );
    assert!(
        err.contains("pairs evaluated: 48 of 48; the other 0"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A suppression scoped to one principal marks that principal's records only, also where
/// its record is renamed from a twin's (shared records are written as renamed text only
/// when nothing is to be marked); the summary counts what was suppressed.
#[test]
fn suppressions_mark_only_the_principal_they_name_in_a_matrix() {
    let dir = twins_snapshot("suppress");
    let file = dir.join("suppressions.yaml");
    std::fs::write(
        &file,
        "- id: identity-no-allow\n  principal: 'arn:aws:iam::111122223333:user/u10'\n  reason: u10 is being set up (TICKET-7)\n",
    )
    .unwrap();
    let (_, plain_err, plain) = snapshot_batch(&dir, &[]);
    let (_, err, marked) = snapshot_batch(&dir, &["--suppressions", file.to_str().unwrap()]);
    assert_eq!(plain.len(), marked.len());
    let mut suppressed = 0;
    for (p, m) in plain.iter().zip(&marked) {
        let principal = m["pair"]["principal"].as_str().unwrap();
        let mut unmarked = m.clone();
        for f in unmarked["findings"].as_array_mut().unwrap() {
            let named =
                principal == "arn:aws:iam::111122223333:user/u10" && f["id"] == "identity-no-allow";
            assert_eq!(f.get("suppressed").is_some(), named, "{principal}: {f}");
            let f = f.as_object_mut().unwrap();
            if let Some(mark) = f.remove("suppressed") {
                assert_eq!(principal, "arn:aws:iam::111122223333:user/u10");
                assert_eq!(f["id"], "identity-no-allow");
                assert_eq!(mark["reason"], "u10 is being set up (TICKET-7)");
                suppressed += 1;
            }
        }
        assert_eq!(&unmarked, p, "only the marks differ");
    }
    // u10 is refused by identity-no-allow on the buckets its group does not grant.
    assert!(suppressed >= 3, "{suppressed}");
    assert!(!plain_err.contains("suppressed:"), "{plain_err}");
    assert!(
        err.contains(&format!("suppressed: {suppressed} findings")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A template that no pair's request could be read from (an unknown field, no key) is one
/// error naming the template and the field, before any pair, not an error record a pair.
#[test]
fn a_bad_request_template_is_one_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("s3why-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text, expected) in [
        (
            "typo.json",
            r#"{"key": "a", "sourceip": "1.2.3.4"}"#,
            "typo.json: sourceip: unknown field (did you mean \"source_ip\"?)",
        ),
        (
            "nokey.json",
            r#"{"headers": {}}"#,
            "nokey.json: key: missing: an object action needs the object key",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "batch",
                "--snapshot",
                "tests/fixtures/awsdata/snapshot",
                "--request",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}: no records");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
