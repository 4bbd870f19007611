//! A team's rule file, loaded at run time: `check --rules` reports its findings next to
//! the bundled ones without rebuilding, `--no-bundled` leaves only them, `lint` and
//! `fmt --check` judge rule files, `rules list` lists them. The rule file and fact
//! documents are those of the tutorial, `docs/writing-rules.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ACME: &str = "docs/examples/team/acme.s3why";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn s3why(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The finding ids (and severities) of `check --format json`.
fn findings(args: &[&str]) -> (Option<i32>, serde_json::Value, Vec<(String, String)>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = s3why(&all);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON from {all:?} ({e}): {}", stderr(&out)));
    let ids = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.status.code(), report["decision"].clone(), ids)
}

fn ids(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(id, _)| id.as_str()).collect()
}

/// A fresh, empty folder under the system's temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s3why-cli-rules-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Rule file `file` holding `text`, alone in a fresh folder for test `name`.
fn rule_file(name: &str, file: &str, text: &str) -> PathBuf {
    let path = temp_dir(name).join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// `s3why check --rules FILE examples/allowed-upload.json` with rule file `file` (text
/// `text`, in a fresh folder for test `name`) that fails: exit 2, and its standard error.
fn failing_rules(name: &str, file: &str, text: &str) -> String {
    let path = rule_file(name, file, text);
    let out = s3why(&[
        "check",
        "--rules",
        path.to_str().unwrap(),
        "examples/allowed-upload.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    stderr(&out)
}

#[test]
fn check_reports_the_custom_finding_next_to_the_bundled_ones() {
    let (code, decision, found) = findings(&["--rules", ACME, "docs/examples/team/outside.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(decision, "denied");
    assert_eq!(
        ids(&found),
        ["acme-upload-outside-vpce", "bucket-policy-explicit-deny"]
    );
    assert_eq!(
        found[0].1, "error",
        "severity comes from the rule's metadata"
    );
}

#[test]
fn the_custom_finding_is_not_there_without_the_rule_file() {
    let (code, _, found) = findings(&["docs/examples/team/outside.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(ids(&found), ["bucket-policy-explicit-deny"]);
}

#[test]
fn no_bundled_leaves_only_the_custom_finding() {
    let (code, decision, found) = findings(&[
        "--no-bundled",
        "--rules",
        ACME,
        "docs/examples/team/outside.json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(
        decision, "denied",
        "the verdict does not come from the rules"
    );
    assert_eq!(ids(&found), ["acme-upload-outside-vpce"]);
}

#[test]
fn an_upload_through_the_endpoint_has_no_finding() {
    let (code, decision, found) = findings(&["--rules", ACME, "docs/examples/team/inside.json"]);
    assert_eq!((code, decision.as_str()), (Some(0), Some("allowed")));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn an_allowed_upload_outside_the_endpoint_is_a_warning() {
    let (code, decision, found) =
        findings(&["--rules", ACME, "docs/examples/team/unenforced.json"]);
    assert_eq!((code, decision.as_str()), (Some(0), Some("allowed")));
    assert_eq!(
        found,
        [(
            "acme-upload-outside-vpce-unenforced".to_string(),
            "warning".to_string()
        )]
    );
}

#[test]
fn the_checked_fix_knows_when_the_endpoint_is_not_enough() {
    let summary = |file: &str| {
        let out = s3why(&["check", "--format", "json", "--rules", ACME, file]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "acme-upload-outside-vpce")
            .map(|f| f["fix"]["summary"].as_str().unwrap().to_string())
            .expect("the custom finding")
    };
    assert!(!summary("docs/examples/team/outside.json").contains("other findings"));
    assert!(summary("docs/examples/team/outside-wrong-prefix.json").contains("other findings"));
}

#[test]
fn lint_accepts_the_team_file_with_and_without_the_bundled_ruleset() {
    assert_eq!(s3why(&["lint", ACME]).status.code(), Some(0));
    assert_eq!(
        s3why(&["lint", "--no-bundled", ACME]).status.code(),
        Some(0)
    );
}

#[test]
fn lint_reports_an_error_with_its_location_and_a_caret() {
    let file = rule_file(
        "lint",
        "typo.s3why",
        "package acme.typo\n\ndenied if {\n    s3.decid(input.request).decision == \"denied\"\n}\n",
    );
    let out = s3why(&["lint", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:4:5", file.display())),
        "no file:line:col in\n{err}"
    );
    assert!(err.contains("check::unknown-name"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.trim_end().ends_with("|     ^^^^^^^^")),
        "no caret under `s3.decid` in\n{err}"
    );
    assert!(err.contains("s3.decide"), "no near-miss hint in\n{err}");

    let json = s3why(&["lint", "--error-format", "json", file.to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(2));
    let text = format!("{}{}", stdout(&json), stderr(&json));
    let start = text.find('[').expect("a JSON array of diagnostics");
    let end = text.rfind(']').unwrap();
    let diags: serde_json::Value = serde_json::from_str(&text[start..=end]).unwrap();
    let first = &diags[0];
    assert_eq!(first["code"], "check::unknown-name", "{diags}");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(4), Some(5))
    );
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

/// Linting the bundled ruleset's own files (a checkout, perhaps edited) checks them in
/// place of the compiled-in copies: no rule is defined twice, and an edit's error is
/// located in the file on disk.
#[test]
fn lint_of_the_bundled_files_checks_them_instead_of_the_compiled_in_copies() {
    let out = s3why(&["lint", "rulesets/bundled/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("8 rule file(s) checked"),
        "{}",
        stderr(&out)
    );

    let copy = temp_dir("bundled-edit").join("rulesets").join("bundled");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(root().join("rulesets/bundled")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }
    let kms = copy.join("kms.s3why");
    let text = std::fs::read_to_string(&kms).unwrap();
    std::fs::write(
        &kms,
        format!("{text}\nbroken if {{\n    s3.decid(input.request)\n}}\n"),
    )
    .unwrap();
    let line = text.lines().count() + 3;
    let out = s3why(&["lint", copy.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}:{line}:5", kms.display())),
        "{err}"
    );
    assert!(!err.contains("duplicate-id"), "{err}");
    std::fs::remove_dir_all(copy.parent().unwrap().parent().unwrap()).unwrap();
}

#[test]
fn fmt_check_fails_on_an_unformatted_file_until_fmt_rewrites_it() {
    let ugly = "package acme.ugly\nfindings contains f if {\n  f := {\"id\": \"acme-x\"}\n}\n";
    let file = rule_file("fmt", "ugly.s3why", ugly);
    let path = file.to_str().unwrap();

    let check = s3why(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        ugly,
        "--check writes nothing"
    );
    assert!(
        format!("{}{}", stdout(&check), stderr(&check)).contains("ugly.s3why"),
        "--check names the file"
    );

    assert_eq!(s3why(&["fmt", path]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_ne!(formatted, ugly);
    assert!(
        formatted.contains("\n    f := {\"id\": \"acme-x\"}\n"),
        "{formatted}"
    );
    assert_eq!(s3why(&["fmt", "--check", path]).status.code(), Some(0));
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn fmt_check_accepts_the_team_file() {
    let out = s3why(&["fmt", "--check", ACME]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn rules_list_text_shows_the_team_rules_after_the_bundled_ones() {
    let out = s3why(&["rules", "list", "--rules", ACME]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let bundled: serde_json::Value =
        serde_json::from_slice(&s3why(&["rules", "list", "--format", "json"]).stdout).unwrap();
    let bundled = bundled.as_array().unwrap().len();
    assert!(bundled >= 41);
    assert_eq!(lines.len(), bundled + 2, "{text}");
    assert!(
        lines[bundled].starts_with("acme-"),
        "team rules come after the bundled ones:\n{text}"
    );
    let custom = lines
        .iter()
        .find(|l| l.starts_with("acme-upload-outside-vpce "))
        .expect("the custom rule is listed");
    assert!(custom.contains(" error "), "{custom}");
    assert!(
        custom.contains("(docs/examples/team/acme.s3why:"),
        "{custom}"
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("acme-upload-outside-vpce-unenforced ") && l.contains(" warning ")));
    assert!(lines.iter().any(|l| l.starts_with("identity-no-allow ")));
}

#[test]
fn rules_list_json_with_no_bundled_lists_only_the_team_rules() {
    let out = s3why(&[
        "rules",
        "list",
        "--no-bundled",
        "--rules",
        ACME,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    let got: Vec<(&str, &str, &str)> = rules
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["severity"].as_str().unwrap(),
                r["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("acme-upload-outside-vpce", "error", ACME),
            ("acme-upload-outside-vpce-unenforced", "warning", ACME)
        ]
    );
    assert_eq!(
        rules[0]["tags"],
        serde_json::json!(["acme", "vpc-endpoint"])
    );
    assert_eq!(rules[0]["package"], "acme.uploads");
}

/// The tutorial's ```s3why excerpts are copied from the rule file it runs.
#[test]
fn the_tutorial_quotes_the_rule_file_verbatim() {
    let tutorial = std::fs::read_to_string(root().join("docs/writing-rules.md")).unwrap();
    let rule = std::fs::read_to_string(root().join(ACME)).unwrap();
    let mut blocks = 0;
    let mut rest = tutorial.as_str();
    while let Some(start) = rest.find("```s3why\n") {
        let body = &rest[start + "```s3why\n".len()..];
        let end = body.find("```").unwrap();
        let excerpt = &body[..end];
        assert!(
            rule.contains(excerpt),
            "docs/writing-rules.md quotes a block that is not in {ACME}:\n{excerpt}"
        );
        blocks += 1;
        rest = &body[end..];
    }
    assert!(blocks >= 4, "only {blocks} s3why blocks in the tutorial");
}

/// A team rule reads fact-document fields the bundled rules do not (the identity
/// policies): the rules get every field some rule reads, whatever the bundled ones need.
#[test]
fn a_team_rule_reads_fields_the_bundled_rules_do_not() {
    let file = rule_file("identity-field", "policies.s3why", "package team.policies\n\n# METADATA\n# id: team-policy-count\n# title: How many identity policies the principal has\n# severity: info\nfindings contains f if {\n    n := count(input.identity.policies)\n    f := {\"id\": \"team-policy-count\", \"message\": f\"{n} identity policies\"}\n}\n");
    let (_, _, found) = findings(&[
        "--rules",
        file.to_str().unwrap(),
        "docs/examples/team/outside.json",
    ]);
    assert!(ids(&found).contains(&"team-policy-count"), "{found:?}");
}

/// A team rule reads the bucket's policy while the bundled rules read only the bucket's
/// account: the rules get both fields of `bucket` with their values (the input is cut
/// down to the fields of fields the rules read, `lang::compile::InputReads`).
#[test]
fn a_team_rule_reads_a_field_beside_one_the_bundled_rules_read() {
    let file = rule_file("bucket-field", "bucket.s3why", "package team.bucket\n\n# METADATA\n# id: team-bucket-statements\n# title: How many statements the bucket policy has\n# severity: info\nfindings contains f if {\n    n := count(input.bucket.policy.Statement)\n    f := {\"id\": \"team-bucket-statements\", \"message\": f\"{n} statement(s), account {input.bucket.account}\"}\n}\n");
    let out = s3why(&[
        "check",
        "--format",
        "json",
        "--rules",
        file.to_str().unwrap(),
        "docs/examples/team/outside.json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", stderr(&out)));
    let messages: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "team-bucket-statements")
        .map(|f| &f["message"])
        .collect();
    // docs/examples/team/outside.json: one bucket-policy statement, account 111122223333.
    assert_eq!(
        messages,
        ["1 statement(s), account 111122223333"],
        "{report}"
    );
}

#[test]
fn lint_reports_an_unreadable_file_and_still_checks_the_others() {
    // language.md: "the other files are still checked".
    let bad_name = rule_file("lint-many", "a.s3why", "package a\n\nx := lowr(\"A\")\n");
    let dir = bad_name.parent().unwrap();
    std::fs::write(dir.join("b.s3why"), b"package b\n\nx := \"\xff\"\n").unwrap();
    std::fs::write(dir.join("c.s3why"), "package c\n\nx := [1,,2]\n").unwrap();
    let out = s3why(&["lint", "--no-bundled", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown function `lowr`"), "{err}");
    assert!(
        err.contains("error[load::unreadable]: cannot read the rule file: not UTF-8 text"),
        "{err}"
    );
    assert!(err.contains("b.s3why:1:1"), "{err}");
    assert!(err.contains("c.s3why:3:"), "{err}");
    assert!(err.contains("3 errors"), "{err}");
}

#[test]
fn a_rule_folder_without_rule_files_is_an_error_not_an_empty_ruleset() {
    let dir = temp_dir("no-rules");
    std::fs::write(dir.join("notes.txt"), "not a rule").unwrap();
    for args in [
        vec!["lint", dir.to_str().unwrap()],
        vec!["fmt", "--check", dir.to_str().unwrap()],
        vec![
            "check",
            "--rules",
            dir.to_str().unwrap(),
            "examples/allowed-upload.json",
        ],
    ] {
        let out = s3why(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("no .s3why rule files in this folder"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = s3why(&["lint", "--error-format", "json", dir.to_str().unwrap()]);
    let diags: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(diags[0]["code"], "load::no-rule-files");
}

/// writing-rules.md: a finding's id is its metadata's. One no `# METADATA` block declares
/// (a typo) fails the record with the findings rule and the nearest id, instead of coming
/// out as an undeclared `error` finding on an allowed upload.
#[test]
fn a_finding_with_an_undeclared_id_fails_the_record() {
    let err = failing_rules(
        "undeclared-id",
        "typo.s3why",
        "package acme.typo\n\n# METADATA\n# id: acme-bucket-note\n# title: A note\n# severity: info\nfindings contains f if {\n    f := {\"id\": \"acme-bucket-nte\", \"message\": \"a note\"}\n}\n",
    );
    assert!(
        err.contains("data.acme.typo.findings: finding id \"acme-bucket-nte\" is declared by no `# METADATA` block (did you mean \"acme-bucket-note\"?)"),
        "{err}"
    );
    let err = failing_rules(
        "bad-field",
        "field.s3why",
        "package acme.field\n\n# METADATA\n# id: acme-field\n# title: A note\n# severity: info\nfindings contains f if {\n    f := {\"id\": \"acme-field\", \"message\": 3}\n}\n",
    );
    assert!(
        err.contains("finding \"acme-field\": \"message\" must be a string"),
        "{err}"
    );
}

/// A team's file that declares a package of the bundled ruleset (`s3why.*`) would add to
/// it, and a clash would be blamed on the bundled rule: refused at its `package` line.
/// A bundled file given in place of its copy, or the same file with `--no-bundled`, loads.
#[test]
fn a_team_file_may_not_declare_a_bundled_package() {
    let file = rule_file(
        "bundled-package",
        "mine.s3why",
        "package s3why.common\n\nmine := 1\n",
    );
    let out = s3why(&["lint", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("error[check::reserved-package]: package s3why.common is under `s3why`, the bundled ruleset's"),
        "{err}"
    );
    assert!(err.contains("mine.s3why:1:1"), "{err}");
    let out = s3why(&["lint", "--no-bundled", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = s3why(&["lint", "rulesets/bundled/common.s3why"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// An unknown operator given to `iam.condition` is located at the operator, the first
/// argument, not at the values.
#[test]
fn an_unknown_operator_of_iam_condition_is_located_at_the_operator() {
    let err = failing_rules(
        "condition-operator",
        "op.s3why",
        "package acme.op\n\nval := iam.condition(\"NoSuchOp\", \"aws:SourceIp\", [\"1.2.3.4\"], input.request)\n\n# METADATA\n# id: acme-op\n# title: t\n# severity: info\nfindings contains f if {\n    val\n    f := {\"id\": \"acme-op\", \"message\": \"m\"}\n}\n",
    );
    assert!(
        err.contains("unknown condition operator \"NoSuchOp\""),
        "{err}"
    );
    assert!(err.contains("op.s3why:3:22"), "{err}");
}
