//! Tests of the fact-document generator (`s3why::corpus`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fixture

use s3why::corpus::{generate, run, CorpusArgs, Profile};
use serde_json::Value;

fn ndjson(seed: u64, count: usize, profile: Profile) -> String {
    let mut out = Vec::new();
    run(
        &CorpusArgs {
            seed,
            count,
            profile,
        },
        &mut out,
    )
    .expect("write to a Vec");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn same_seed_same_output() {
    for profile in [Profile::Iam, Profile::Realistic] {
        assert_eq!(ndjson(7, 50, profile), ndjson(7, 50, profile));
    }
}

#[test]
fn different_seeds_differ() {
    for profile in [Profile::Iam, Profile::Realistic] {
        let a = ndjson(1, 20, profile);
        let b = ndjson(2, 20, profile);
        assert_ne!(a, b);
        // Not just one record: most records differ.
        let same = a.lines().zip(b.lines()).filter(|(x, y)| x == y).count();
        assert!(same < 5, "{same} of 20 records identical across seeds");
    }
}

#[test]
fn prefix_stable_and_count_respected() {
    let short = ndjson(3, 10, Profile::Iam);
    let long = ndjson(3, 30, Profile::Iam);
    assert_eq!(short.lines().count(), 10);
    assert_eq!(long.lines().count(), 30);
    assert!(long.starts_with(&short));
}

fn check_policy(doc: &Value, path: &str) {
    assert!(
        doc.is_object() || doc.is_string(),
        "{path}: policy must be an object or a string"
    );
    let doc: Value = match doc {
        Value::String(s) => {
            serde_json::from_str(s).unwrap_or_else(|e| panic!("{path}: policy string: {e}"))
        }
        other => other.clone(),
    };
    assert!(doc.get("Statement").is_some(), "{path}: no Statement");
}

/// The fields `facts.md` requires, and only fields it names.
fn check_document(doc: &Value, i: usize) {
    let obj = doc
        .as_object()
        .unwrap_or_else(|| panic!("record {i} is not an object"));
    for k in obj.keys() {
        assert!(
            [
                "request",
                "identity",
                "accounts",
                "bucket",
                "vpc_endpoint",
                "kms_keys"
            ]
            .contains(&k.as_str()),
            "record {i}: unknown top-level field {k}"
        );
    }
    let req = obj
        .get("request")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("record {i}: no request"));
    for k in req.keys() {
        assert!(
            [
                "principal",
                "action",
                "bucket",
                "key",
                "headers",
                "source_ip",
                "vpc_endpoint",
                "source_vpc",
                "vpc_source_ip",
                "secure_transport",
                "multipart",
                "session",
                "context"
            ]
            .contains(&k.as_str()),
            "record {i}: unknown request field {k}"
        );
    }
    for k in ["principal", "bucket", "key"] {
        assert!(
            req.get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty()),
            "record {i}: request.{k} missing"
        );
    }
    let principal = req["principal"].as_str().unwrap_or_default();
    assert!(
        principal == "anonymous" || principal.starts_with("arn:aws:"),
        "record {i}: principal {principal}"
    );
    if req.contains_key("vpc_endpoint") {
        assert!(
            obj.get("vpc_endpoint").is_some(),
            "record {i}: request.vpc_endpoint without vpc_endpoint"
        );
        assert!(!req.contains_key("source_ip"));
    }
    if let Some(ident) = obj.get("identity") {
        for (j, p) in ident["policies"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            assert!(
                p["name"].is_string(),
                "record {i}: identity policy {j} has no name"
            );
            check_policy(
                &p["document"],
                &format!("record {i} identity.policies[{j}]"),
            );
        }
        if let Some(b) = ident.get("permissions_boundary") {
            check_policy(b, &format!("record {i} permissions_boundary"));
        }
    }
    let bucket = obj
        .get("bucket")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("record {i}: no bucket"));
    if let Some(p) = bucket.get("policy") {
        check_policy(p, &format!("record {i} bucket.policy"));
    }
    for (acct, a) in obj
        .get("accounts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert!(
            acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()),
            "record {i}: account id {acct}"
        );
        for levels in ["scps", "rcps"] {
            for level in a
                .get(levels)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                assert!(level["target"].is_string());
                for p in level["policies"].as_array().into_iter().flatten() {
                    check_policy(
                        &p["document"],
                        &format!("record {i} accounts.{acct}.{levels}"),
                    );
                }
            }
        }
    }
}

#[test]
fn every_document_parses_and_has_required_fields() {
    for profile in [Profile::Iam, Profile::Realistic] {
        let out = ndjson(11, 300, profile);
        for (i, line) in out.lines().enumerate() {
            let doc: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{profile:?} record {i}: {e}"));
            check_document(&doc, i);
        }
    }
}

#[test]
fn iam_profile_keeps_s3_gates_out() {
    for (i, doc) in generate(5, Profile::Iam).take(500).enumerate() {
        assert!(doc.get("kms_keys").is_none(), "record {i}");
        let headers = &doc["request"]["headers"];
        if let Some(acl) = headers.get("x-amz-acl") {
            assert_eq!(acl, "bucket-owner-full-control", "record {i}");
        }
        for h in headers.as_object().into_iter().flatten().map(|(k, _)| k) {
            assert!(
                [
                    "x-amz-acl",
                    "x-amz-storage-class",
                    "x-amz-server-side-encryption",
                    "x-amz-tagging"
                ]
                .contains(&h.as_str()),
                "record {i}: header {h}"
            );
        }
        if let Some(sse) = headers.get("x-amz-server-side-encryption") {
            assert_eq!(sse, "AES256");
        }
        let bucket = &doc["bucket"];
        assert!(bucket.get("public_access_block").is_none());
        assert!(bucket.get("encryption").is_none());
        if let Some(oc) = bucket.get("ownership_controls") {
            assert_eq!(oc["Rules"][0]["ObjectOwnership"], "BucketOwnerPreferred");
        }
    }
}

#[test]
fn iam_profile_has_variety() {
    let docs: Vec<Value> = generate(1, Profile::Iam).take(1000).collect();
    let text: Vec<String> = docs.iter().map(Value::to_string).collect();
    let count = |needle: &str| text.iter().filter(|t| t.contains(needle)).count();
    for needle in [
        ":assumed-role/",
        ":user/",
        ":root\"",
        "\"anonymous\"",
        "NotAction",
        "NotResource",
        "NotPrincipal",
        "permissions_boundary",
        "\"scps\"",
        "\"rcps\"",
        "\"vpc_endpoint\"",
        "ForAnyValue:",
        "ForAllValues:",
        "IfExists",
        "IpAddress",
        "NumericLessThan",
        "${aws:username}",
        "ArnLike",
        "\"management\":true",
        "s3:put?bject",
        "\"policies\":[{\"Version\"",
    ] {
        assert!(
            count(needle) >= 5,
            "only {} documents contain {needle}",
            count(needle)
        );
    }
    let cross = docs
        .iter()
        .filter(|d| {
            d["bucket"]
                .get("account")
                .is_some_and(|a| a != "111122223333")
        })
        .count();
    assert!(
        (200..=500).contains(&cross),
        "cross-account documents: {cross}"
    );
}

#[test]
fn realistic_sizes_in_range() {
    for (i, doc) in generate(9, Profile::Realistic).take(200).enumerate() {
        let n = doc.to_string().len();
        assert!((8_000..=18_000).contains(&n), "record {i}: {n} bytes");
        let ident = doc["identity"]["policies"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        assert!(ident <= 8, "record {i}: {ident} identity policies");
        for p in doc["identity"]["policies"].as_array().into_iter().flatten() {
            let n = p["document"]["Statement"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0);
            assert!(
                (3..=40).contains(&n),
                "record {i}: identity policy of {n} statements"
            );
        }
        let b = doc["bucket"]["policy"]["Statement"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        assert!(
            (2..=25).contains(&b),
            "record {i}: bucket policy of {b} statements"
        );
    }
}

/// Writes a corpus file for the differential harness until `s3why corpus` is wired:
/// `S3WHY_CORPUS_OUT=path S3WHY_CORPUS_SEED=1 S3WHY_CORPUS_COUNT=2000 cargo test --release
///  --test corpus -- --ignored write_corpus_file`.
#[test]
#[ignore = "tool: writes the corpus file named by S3WHY_CORPUS_OUT"]
fn write_corpus_file() {
    let Ok(path) = std::env::var("S3WHY_CORPUS_OUT") else {
        return;
    };
    let seed = std::env::var("S3WHY_CORPUS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let count = std::env::var("S3WHY_CORPUS_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let profile = match std::env::var("S3WHY_CORPUS_PROFILE").as_deref() {
        Ok("realistic") => Profile::Realistic,
        _ => Profile::Iam,
    };
    let mut f = std::fs::File::create(&path).expect("create corpus file");
    run(
        &CorpusArgs {
            seed,
            count,
            profile,
        },
        &mut f,
    )
    .expect("write corpus");
}
