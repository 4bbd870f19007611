//! `s3why batch --format sarif|junit` and `--suppressions`: SARIF validated against the
//! vendored SARIF 2.1.0 schema, JUnit parsed as XML, order kept under `--jobs 2` with
//! broken records, suppressions applied, expired, unused and malformed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use s3why::aws::Decision;
use s3why::batch::junit::JunitWriter;
use s3why::batch::sarif::SarifWriter;
use s3why::batch::{Outcome, Summary, Suppressions, Target};

fn example(name: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::to_string(&serde_json::from_str::<Value>(&text).unwrap()).unwrap()
}

/// Runs `s3why batch - ARGS` on `input`: (exit code, stdout, stderr).
fn batch(input: &str, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .arg("batch")
        .arg("-")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // s3why may exit before reading its input (a bad suppressions file): a broken pipe
    // is then expected, any other write error is not.
    match child.stdin.take().unwrap().write_all(input.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("{e}"),
        _ => {}
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// 100 lines: every 5th broken JSON, every 5th (offset 1) an invalid fact document
/// with XML-hostile text, the rest allowed and denied requests. Returns the input and
/// the expected kind of each line.
fn mixed_input() -> (String, Vec<&'static str>) {
    let allowed = example("allowed-upload");
    let denied = example("acl-without-permission");
    let mut lines = Vec::new();
    let mut kinds = Vec::new();
    for i in 0..100 {
        let (line, kind) = match i % 5 {
            0 => ("{not json".to_string(), "error"),
            1 => (
                r#"{"request": {"bucket": "<b&\"c\u0001>"}}"#.to_string(),
                "error",
            ),
            2 | 3 => (allowed.clone(), "allowed"),
            _ => (denied.clone(), "denied"),
        };
        lines.push(line);
        kinds.push(kind);
    }
    (lines.join("\n") + "\n", kinds)
}

fn sarif_schema_errors(log: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/batch/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn the_schema_validator_rejects_a_broken_log() {
    // Guards the guard: a log missing `version` and with a bad level must fail.
    let broken = json!({"runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "a", "level": "fatal", "message": {"text": "m"}}
    ]}]});
    assert!(sarif_schema_errors(&broken).len() >= 2);
}

#[test]
fn sarif_from_the_cli_is_valid_and_keeps_order_under_two_jobs() {
    let (input, kinds) = mixed_input();
    let (code, stdout, _) = batch(&input, &["--format", "sarif", "--jobs", "2"]);
    assert_eq!(code, 2);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif_schema_errors(&log), Vec::<String>::new());
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "s3why");
    let results = run["results"].as_array().unwrap();
    // Each error record is an input-error result and each denied record a result of its
    // finding, at the record's line, in input order.
    let expected: Vec<(u64, &str)> = kinds
        .iter()
        .enumerate()
        .filter_map(|(i, k)| match *k {
            "error" => Some((i as u64 + 1, "s3why/input-error")),
            "denied" => Some((i as u64 + 1, "put-object-acl-not-allowed")),
            _ => None,
        })
        .collect();
    let got: Vec<(u64, &str)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], "stdin");
            (
                loc["region"]["startLine"].as_u64().unwrap(),
                r["ruleId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for id in ["put-object-acl-not-allowed", "s3why/input-error"] {
        assert!(rules.iter().any(|r| r["id"] == id), "{id} missing");
    }
}

fn finding(id: &str, severity: &str, statement: Value) -> Value {
    json!({"id": id, "severity": severity, "message": format!("{id} <&> happened"),
        "policy": "bucket-policy", "statement": statement,
        "fix": {"summary": "do this", "command": "aws s3api put-object --bucket b --key k --body f --acl private"}})
}

/// A denied verdict with three findings, and a denied one whose only cause is suppressed.
fn outcomes() -> Vec<Outcome> {
    let suppressions = Suppressions::from_text(
        "- {id: bucket-policy-acl, source: 'cases/*.json', reason: accepted risk (TICKET-1)}\n",
        false,
        "s.yaml",
    )
    .unwrap();
    let today = s3why::batch::suppress::today_utc();
    let records = [
        (
            "cases/a & b.json",
            vec![
                finding(
                    "bucket-policy-source-ip",
                    "error",
                    json!("DenyOutsideOffice"),
                ),
                finding("bucket-policy-acl", "error", json!(2)),
                finding("team-custom-rule", "warning", Value::Null),
            ],
        ),
        (
            "cases/c.json",
            vec![finding("bucket-policy-acl", "error", json!("AclOnly"))],
        ),
    ];
    records
        .into_iter()
        .map(|(source, findings)| {
            let mut json = json!({"source": source, "decision": "denied", "status": 403,
                "error_code": "AccessDenied", "aws_message": "User: x is not authorized", "findings": findings});
            let target = Target {
                source,
                bucket: "b",
                principal: "arn:aws:iam::111122223333:user/alice",
            };
            let applied = suppressions.apply(&mut json, &target, today);
            Outcome {
                json,
                decision: Some(Decision::Denied),
                suppressed_denied: applied.all_errors_suppressed,
                text: None,
            }
        })
        .collect()
}

#[test]
fn sarif_findings_carry_rules_locations_fingerprints_and_suppressions() {
    let outcomes = outcomes();
    let write = || {
        let mut out = Vec::new();
        let mut w = SarifWriter::new();
        w.begin(&mut out).unwrap();
        for o in &outcomes {
            w.record(&mut out, o).unwrap();
        }
        w.finish(&mut out).unwrap();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let log = write();
    assert_eq!(sarif_schema_errors(&log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let r0 = &results[0];
    assert_eq!(r0["ruleId"], "bucket-policy-source-ip");
    assert_eq!(r0["level"], "error");
    assert_eq!(
        r0["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "cases/a%20&%20b.json"
    );
    assert_eq!(
        r0["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "bucket-policy/DenyOutsideOffice"
    );
    assert!(r0["message"]["text"]
        .as_str()
        .unwrap()
        .contains("--acl private"));
    assert!(r0.get("suppressions").is_none());
    // A statement without a Sid is named by its index.
    assert_eq!(
        results[1]["locations"][0]["logicalLocations"][0]["name"],
        "2"
    );
    assert_eq!(
        results[1]["suppressions"],
        json!([{"kind": "external", "justification": "accepted risk (TICKET-1)"}])
    );
    assert_eq!(results[2]["level"], "warning");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "team-custom-rule"));
    // Fingerprints: the same in a second run, different between findings.
    let again = write();
    let prints = |log: &Value| -> Vec<Value> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(prints(&log), prints(&again));
    let mut distinct = prints(&log);
    distinct.dedup();
    assert_eq!(distinct.len(), 4);
}

#[test]
fn junit_from_the_cli_is_well_formed_and_counts_every_record() {
    let (input, kinds) = mixed_input();
    let (code, stdout, _) = batch(&input, &["--format", "junit", "--jobs", "2"]);
    assert_eq!(code, 2);
    let doc = roxmltree::Document::parse(&stdout).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("100"));
    assert_eq!(suite.attribute("errors"), Some("40"));
    assert_eq!(suite.attribute("failures"), Some("20"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 100);
    for (i, (case, kind)) in cases.iter().zip(&kinds).enumerate() {
        assert_eq!(
            case.attribute("name"),
            Some(format!("<stdin>:{}", i + 1).as_str())
        );
        let child = case
            .children()
            .find(|n| n.is_element())
            .map(|n| n.tag_name().name());
        let expected = match *kind {
            "error" => Some("error"),
            "denied" => Some("failure"),
            _ => None,
        };
        assert_eq!(child, expected, "record {i}");
    }
    let failure = cases[4].children().find(|n| n.is_element()).unwrap();
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("is not authorized to perform"));
}

#[test]
fn junit_lists_findings_and_skips_suppressed_denials() {
    let outcomes = outcomes();
    let mut summary = Summary::default();
    let mut w = JunitWriter::new().unwrap();
    for o in &outcomes {
        summary.add(o);
        w.record(o).unwrap();
    }
    let mut out = Vec::new();
    w.finish(&mut out, &summary, std::time::Duration::from_millis(5))
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases[0].attribute("name"), Some("cases/a & b.json"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    let body = failure.text().unwrap();
    assert!(body.contains("bucket-policy-source-ip [error] bucket-policy/DenyOutsideOffice: bucket-policy-source-ip <&> happened"), "{body}");
    assert!(
        body.contains("(suppressed: accepted risk (TICKET-1))"),
        "{body}"
    );
    assert!(cases[1].children().any(|n| n.has_tag_name("skipped")));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
}

fn suppressions_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("s3why-supp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn expired_and_unused_suppressions_are_reported() {
    let allowed = example("allowed-upload");
    let file = suppressions_file(
        "s.yaml",
        "suppressions:\n\
         - {id: scp-no-allow, reason: old exception, expires: 2001-01-01}\n\
         - {id: bucket-policy-acl, bucket: 'logs-*', reason: never matches, expires: 2999-12-31}\n",
    );
    let (code, _, stderr) = batch(&format!("{allowed}\n"), &["--suppressions", &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: expired suppression (until 2001-01-01), not applied: suppressions[0] scp-no-allow: old exception"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: unused suppression: suppressions[1] bucket-policy-acl (bucket logs-*): never matches"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("unused suppression: suppressions[0]"),
        "{stderr}"
    );
}

/// A typo in a suppression's id is named when the file is read, with the id it was
/// probably meant to be; the ids of the loaded rules raise no warning.
#[test]
fn a_suppression_id_no_rule_declares_is_named_at_once() {
    let allowed = example("allowed-upload");
    let file = suppressions_file(
        "ids.yaml",
        "- {id: identity-no-alow, reason: typo}\n\
         - {id: no-such-thing-at-all, reason: far from any id}\n\
         - {id: identity-no-allow, reason: a real id}\n",
    );
    let (code, _, stderr) = batch(&format!("{allowed}\n"), &["--suppressions", &file]);
    assert_eq!(code, 0, "a warning, not an error: {stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: {file}: [0].id: \"identity-no-alow\" is the id of no loaded rule (did you mean \"identity-no-allow\"?)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: {file}: [1].id: \"no-such-thing-at-all\" is the id of no loaded rule\n"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("[2].id"), "{stderr}");
}

#[test]
fn a_malformed_suppressions_file_is_exit_2_with_file_and_path() {
    let allowed = example("allowed-upload");
    let file = suppressions_file(
        "bad.json",
        r#"[{"id": "a", "reason": "r"}, {"id": 7, "reason": "r"}]"#,
    );
    let (code, stdout, stderr) = batch(&format!("{allowed}\n"), &["--suppressions", &file]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "nothing is evaluated: {stdout}");
    assert!(
        stderr.contains(&format!(
            "error: {file}:1: [1].id: expected a string, got 7"
        )),
        "{stderr}"
    );
    let (code, _, stderr) = batch(
        &format!("{allowed}\n"),
        &["--suppressions", "/nonexistent/s.yaml"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("/nonexistent/s.yaml: $: cannot read"),
        "{stderr}"
    );
    // --error-format json covers the file's errors too: one JSON array.
    let (code, _, stderr) = batch(
        &format!("{allowed}\n"),
        &["--suppressions", &file, "--error-format", "json"],
    );
    assert_eq!(code, 2);
    let list: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(list[0]["path"], "[1].id", "{list}");
    assert_eq!(list[0]["line"], 1, "{list}");
    // An empty file is no list: most likely one not written yet, not "suppress nothing".
    let empty = suppressions_file("empty.yaml", "\n");
    let (code, _, stderr) = batch(&format!("{allowed}\n"), &["--suppressions", &empty]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the file is empty"), "{stderr}");
    let none = suppressions_file("no-entries.yaml", "[]\n");
    assert_eq!(
        batch(&format!("{allowed}\n"), &["--suppressions", &none]).0,
        0
    );
}

#[test]
fn summary_counts_and_exit_statuses_per_format() {
    let allowed = example("allowed-upload");
    let denied = example("acl-without-permission");
    for format in ["ndjson", "json", "text", "sarif", "junit"] {
        let args = ["--format", format];
        assert_eq!(batch(&format!("{allowed}\n"), &args).0, 0, "{format}");
        assert_eq!(
            batch(&format!("{allowed}\n{denied}\n"), &args).0,
            1,
            "{format}"
        );
        let (code, _, stderr) = batch(&format!("{denied}\n{{\n"), &args);
        assert_eq!(code, 2, "{format}");
        assert!(
            stderr.contains("2 records: 0 allowed, 1 denied, 1 error "),
            "{stderr}"
        );
    }
}

#[test]
fn suppressions_apply_to_the_rulesets_findings() {
    let allowed = example("allowed-upload");
    let denied = example("acl-without-permission");
    let input = format!("{allowed}\n{denied}\n");
    let file = suppressions_file(
        "acl.yaml",
        "- id: put-object-acl-not-allowed\n  principal: 'arn:aws:iam::111122223333:*'\n  source: '<stdin>'\n  reason: ACLs are going away (TICKET-9)\n",
    );
    // Without the file: denied, exit 1.
    let (code, _, _) = batch(&input, &[]);
    assert_eq!(code, 1);
    let (code, stdout, stderr) = batch(&input, &["--suppressions", &file]);
    assert_eq!(code, 0, "every cause of the denial is suppressed: {stderr}");
    let records: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records[1]["decision"], "denied",
        "the verdict itself is kept"
    );
    let finding = &records[1]["findings"][0];
    assert_eq!(finding["id"], "put-object-acl-not-allowed");
    assert_eq!(
        finding["suppressed"],
        json!({"reason": "ACLs are going away (TICKET-9)"})
    );
    assert!(
        stderr.contains("suppressed: 1 findings; 1 denied records have every cause suppressed"),
        "{stderr}"
    );
    assert!(!stderr.contains("unused suppression"), "{stderr}");
    // In SARIF: an external suppression with the reason, and the log still valid.
    let (code, stdout, _) = batch(&input, &["--suppressions", &file, "--format", "sarif"]);
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif_schema_errors(&log), Vec::<String>::new());
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "put-object-acl-not-allowed");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "ACLs are going away (TICKET-9)"
    );
    // A scope that does not match leaves the finding alone, and the entry is unused.
    let other = suppressions_file(
        "other.yaml",
        "- {id: put-object-acl-not-allowed, bucket: 'other-*', reason: r}\n",
    );
    let (code, _, stderr) = batch(&input, &["--suppressions", &other]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("warning: unused suppression: [0]"),
        "{stderr}"
    );
}

/// A record written straight to its text (NDJSON, nothing to suppress) is the record
/// built as a tree and written (a suppressions file, here one that matches nothing,
/// takes that way), byte for byte, for every bundled example.
#[test]
fn records_written_as_text_are_the_records_built_as_trees() {
    let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() > 5, "{names:?}");
    let input: String = names.iter().map(|n| example(n) + "\n").collect();
    let file = suppressions_file(
        "none.yaml",
        "- id: no-such-finding\n  reason: matches nothing\n",
    );
    let (code, text, _) = batch(&input, &[]);
    let (tree_code, tree, stderr) = batch(&input, &["--suppressions", &file]);
    // Named once, at the start: an id no rule declares can match nothing.
    assert!(stderr.contains("is the id of no loaded rule"), "{stderr}");
    assert!(!stderr.contains("unused suppression"), "{stderr}");
    assert_eq!((code, text.lines().count()), (tree_code, names.len()));
    assert_eq!(text, tree);
}

/// Code scanning merges results with the same rule and fingerprint into one alert: the
/// same statement refusing three actions, and one id found in two policies, must hash
/// apart (a realistic record from `s3why corpus --profile realistic --seed 3`, line 5).
#[test]
fn sarif_fingerprints_tell_apart_the_actions_and_policies_of_one_statement() {
    let input = std::fs::read_to_string("tests/fixtures/batch/same-statement-three-actions.ndjson")
        .unwrap();
    let (_, stdout, _) = batch(&input, &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let by_rule = |rule: &str| -> Vec<String> {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .map(|r| {
                r["partialFingerprints"]["s3whyFinding/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    for rule in ["bucket-policy-source-ip", "put-object-acl-not-allowed"] {
        let prints = by_rule(rule);
        let mut distinct = prints.clone();
        distinct.sort();
        distinct.dedup();
        assert!(prints.len() >= 2, "{rule}: {prints:?}");
        assert_eq!(distinct.len(), prints.len(), "{rule}: {prints:?}");
    }
}
