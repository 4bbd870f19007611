//! `s3why batch --snapshot`: every principal × every bucket of an account snapshot, and
//! `--shard I/N` outputs that merge back into the unsharded run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::process::Command;

fn batch(extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "batch",
            "--quiet",
            "--snapshot",
            "tests/fixtures/awsdata/snapshot",
            "--request",
            "tests/fixtures/awsdata/request-template.json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let records = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), records)
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
