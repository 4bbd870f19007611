//! Every request-change fix is checked on every scenario (issue 4): applying a finding's
//! `fix.patch` to the fact document and deciding again, that finding (same id, same
//! statement) is gone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::Path;

use s3why::aws::decide;
use s3why::facts::Facts;
use s3why::rules::host::merge;
use s3why::rules::Ruleset;
use serde_json::Value;

fn scenario_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            scenario_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    a["id"] == b["id"] && a.get("path") == b.get("path") && a["policy"] == b["policy"]
}

#[test]
fn every_request_fix_removes_its_finding() {
    let rules = Ruleset::load(true, &[]).unwrap();
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios"),
        &mut files,
    );
    files.sort();
    let (mut checked, mut problems) = (0, Vec::new());
    for file in files {
        let scenario: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let doc = &scenario["facts"];
        let facts = Facts::from_value(doc).unwrap();
        let verdict = std::sync::Arc::new(decide(&facts));
        let findings = rules.findings(facts, &verdict).unwrap();
        for f in findings.iter().filter(|f| f["severity"] == "error") {
            let Some(patch) = f["fix"].get("patch") else {
                continue;
            };
            let request = merge(
                &s3why::lang::Value::from_json(&doc["request"]),
                &s3why::lang::Value::from_json(patch),
            );
            let mut patched = doc.clone();
            patched["request"] = request.to_json();
            let facts = Facts::from_value(&patched).unwrap();
            let after = std::sync::Arc::new(decide(&facts));
            let again = rules.findings(facts, &after).unwrap();
            checked += 1;
            if again.iter().any(|g| same(f, g)) {
                problems.push(format!(
                    "{}: the fix of {} does not remove it: {patch}",
                    file.display(),
                    f["id"]
                ));
            }
        }
    }
    eprintln!("{checked} request fixes checked");
    assert!(checked > 40, "only {checked} request fixes were checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
