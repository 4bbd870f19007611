//! The invariants of findings.md, over generated fact documents (the seeded corpus):
//! every `denied` verdict has at least one `error` finding; an `allowed` verdict has none;
//! and where every error finding's fix is a request change, applying them all together
//! yields `allowed`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use s3why::aws::{decide, Decision};
use s3why::corpus::{generate, Profile};
use s3why::facts::Facts;
use s3why::rules::host::merge;
use s3why::rules::Ruleset;
use serde_json::Value;

fn errors(findings: &[Value]) -> Vec<&Value> {
    findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

fn check_profile(profile: Profile, seed: u64, count: usize) -> Vec<String> {
    let rules = Ruleset::load(true, &[]).unwrap();
    let mut problems = Vec::new();
    let mut fixed = 0;
    for (i, doc) in generate(seed, profile).take(count).enumerate() {
        let facts = Facts::from_value(&doc).unwrap();
        let verdict = std::sync::Arc::new(decide(&facts));
        let findings = rules
            .findings(facts, &verdict)
            .unwrap_or_else(|e| panic!("record {i}: {e}"));
        let errs = errors(&findings);
        match verdict.decision {
            Decision::Denied if errs.is_empty() => {
                problems.push(format!(
                    "record {i}: denied ({:?}) without an error finding: {}",
                    verdict.aws_message, doc
                ));
            }
            Decision::Allowed if !errs.is_empty() => {
                let ids: Vec<&Value> = errs.iter().map(|f| &f["id"]).collect();
                problems.push(format!("record {i}: allowed with error findings {ids:?}"));
            }
            Decision::Denied if errs.iter().all(|f| f["fix"].get("patch").is_some()) => {
                // Apply every request change together.
                let mut request = s3why::lang::Value::from_json(&doc["request"]);
                for f in &errs {
                    request = merge(&request, &s3why::lang::Value::from_json(&f["fix"]["patch"]));
                }
                let mut patched = doc.clone();
                patched["request"] = request.to_json();
                let facts = Facts::from_value(&patched).unwrap();
                let after = decide(&facts);
                if after.decision != Decision::Allowed {
                    let ids: Vec<&Value> = errs.iter().map(|f| &f["id"]).collect();
                    problems.push(format!(
                        "record {i}: fixes {ids:?} applied, still {:?}: {:?}",
                        after.decision, after.aws_message
                    ));
                }
                fixed += 1;
            }
            _ => {}
        }
    }
    eprintln!(
        "{profile:?} seed {seed}: {count} records, {fixed} fixed by request changes, {} problems",
        problems.len()
    );
    problems
}

#[test]
fn invariants_hold_on_the_iam_corpus() {
    let problems = check_profile(Profile::Iam, 7, 1000);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn invariants_hold_on_the_realistic_corpus() {
    let problems = check_profile(Profile::Realistic, 11, 300);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
