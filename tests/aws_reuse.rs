//! A counterfactual decision that reuses the own verdict's statement traces
//! (`decide_request_after`, `aws::evaluate::Reuse`) gives exactly the verdict of a
//! decision from scratch (`decide_request`), over generated fact documents and the kinds
//! of request changes the fix search tries: every value the policies' conditions name,
//! dropped headers, another address, endpoint or transport, and changes reuse must not
//! apply to (another principal, another key).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use s3why::aws::{decide, decide_request, decide_request_after};
use s3why::corpus::{generate, Profile};
use s3why::facts::{Facts, Request};
use serde_json::{json, Value};

/// Every `(key, value)` named by a condition anywhere in the document.
fn condition_values(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(block)) = m.get("Condition") {
                for keys in block.values() {
                    for (key, values) in keys.as_object().into_iter().flatten() {
                        let list = match values {
                            Value::Array(a) => a.clone(),
                            other => vec![other.clone()],
                        };
                        for x in list {
                            if let Some(s) = x.as_str() {
                                out.push((key.clone(), s.to_string()));
                            }
                        }
                    }
                }
            }
            m.values().for_each(|x| condition_values(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| condition_values(x, out)),
        _ => {}
    }
}

/// The request changes to try on `request`.
fn changes(doc: &Value) -> Vec<Value> {
    let request = &doc["request"];
    let mut out = Vec::new();
    let mut named = Vec::new();
    condition_values(doc, &mut named);
    for (key, value) in named {
        let k = key.to_ascii_lowercase();
        let mut r = request.clone();
        if let Some(h) = k.strip_prefix("s3:") {
            if h.starts_with("x-amz-") {
                r["headers"][h] = json!(value);
                out.push(r.clone());
                if let Some(headers) = r["headers"].as_object_mut() {
                    headers.remove(h);
                }
                out.push(r);
            }
        } else if k == "aws:sourceip" {
            r["source_ip"] = json!(value.split('/').next().unwrap_or(&value));
            r["vpc_endpoint"] = Value::Null;
            out.push(r);
        } else if k == "aws:sourcevpce" {
            r["vpc_endpoint"] = json!(value);
            out.push(r);
        } else if k == "aws:securetransport" {
            r["secure_transport"] = json!(value.eq_ignore_ascii_case("true"));
            out.push(r);
        }
    }
    let mut r = request.clone();
    r["headers"] = json!({});
    out.push(r);
    let mut r = request.clone();
    r["headers"]["x-amz-acl"] = json!("public-read");
    r["headers"]["x-amz-tagging"] = json!("team=a");
    out.push(r);
    let mut r = request.clone();
    r["source_ip"] = json!("192.0.2.77");
    out.push(r);
    // Reuse must not apply: another principal, another object.
    let mut r = request.clone();
    r["principal"] = json!("arn:aws:iam::999988887777:user/someone-else");
    out.push(r);
    let mut r = request.clone();
    r["key"] = json!("elsewhere/other.bin");
    out.push(r);
    out
}

fn check(profile: Profile, seed: u64, count: usize) -> usize {
    let mut compared = 0;
    for (i, doc) in generate(seed, profile).take(count).enumerate() {
        let facts = Facts::from_value(&doc).unwrap();
        let own = decide(&facts);
        for change in changes(&doc) {
            let Ok(request) = Request::from_value(&change, "request") else {
                continue;
            };
            let fresh = decide_request(&facts, &request);
            let reused = decide_request_after(&facts, &request, &own);
            assert!(
                fresh == reused,
                "record {i}: the reusing decision differs for request {change}\nfresh: {}\nreused: {}",
                serde_json::to_string(&fresh).unwrap(),
                serde_json::to_string(&reused).unwrap()
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn reusing_decisions_equal_fresh_ones_on_realistic_records() {
    let n = check(Profile::Realistic, 11, 150);
    assert!(n > 2_000, "only {n} requests compared");
}

#[test]
fn reusing_decisions_equal_fresh_ones_on_iam_records() {
    let n = check(Profile::Iam, 12, 400);
    assert!(n > 1_000, "only {n} requests compared");
}

/// Policy variables read the context too (reference_policies_variables.html): a
/// statement whose resource or condition values hold `${key}` depends on `key`, and a
/// change of that key alone must re-evaluate it.
#[test]
fn statements_reading_a_changed_key_through_a_policy_variable_are_evaluated_again() {
    let alice = "arn:aws:iam::111122223333:user/alice";
    let by_resource = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/${s3:x-amz-storage-class}/*"}]});
    let by_condition = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*",
        "Condition": {"StringEquals": {"s3:x-amz-website-redirect-location": "/${s3:x-amz-storage-class}"}}}]});
    for policy in [by_resource, by_condition] {
        let doc = json!({
            "request": {"principal": alice, "bucket": "DOC-EXAMPLE-BUCKET", "key": "GLACIER/a.bin",
                "headers": {"x-amz-storage-class": "GLACIER", "x-amz-website-redirect-location": "/GLACIER"}},
            "bucket": {"account": "111122223333"},
            "identity": {"policies": [{"name": "Identity", "document": policy}]}
        });
        let facts = Facts::from_value(&doc).unwrap();
        let own = decide(&facts);
        assert_eq!(own.decision, s3why::aws::Decision::Allowed, "{policy}");
        let mut changed = doc["request"].clone();
        changed["headers"]["x-amz-storage-class"] = json!("STANDARD");
        let request = Request::from_value(&changed, "request").unwrap();
        let reused = decide_request_after(&facts, &request, &own);
        assert_eq!(reused.decision, s3why::aws::Decision::Denied, "{policy}");
        assert!(reused == decide_request(&facts, &request));
    }
}

/// The KMS calls are authorized in their own context (the S3 one without the network
/// and `s3:` keys, with the KMS keys): a statement that grants `kms:GenerateDataKey` over
/// TLS only must be evaluated again when the upload is plain HTTP, and the verdict then
/// refuses the key.
#[test]
fn kms_statements_reading_a_changed_key_are_evaluated_again() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let doc = json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "DOC-EXAMPLE-BUCKET",
            "key": "a.bin", "secure_transport": true},
        "identity": {"policies": [{"name": "Upload", "document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},
            {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key,
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
        ]}}]},
        "bucket": {"region": "us-east-1", "account": "111122223333", "encryption": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
        ]}},
        "kms_keys": [{"arn": key, "manager": "CUSTOMER"}]
    });
    let facts = Facts::from_value(&doc).unwrap();
    let own = decide(&facts);
    assert_eq!(own.decision, s3why::aws::Decision::Allowed);
    let mut plain = doc["request"].clone();
    plain["secure_transport"] = json!(false);
    let request = Request::from_value(&plain, "request").unwrap();
    let reused = decide_request_after(&facts, &request, &own);
    assert_eq!(reused.decision, s3why::aws::Decision::Denied);
    assert!(reused
        .authorizations
        .iter()
        .any(|a| a.action == "kms:GenerateDataKey" && !a.allowed));
    assert!(reused == decide_request(&facts, &request));
}
