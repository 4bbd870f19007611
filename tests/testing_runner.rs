//! `s3why test` itself, through the real binary, over the fixture suites of
//! `tests/fixtures/testing/`: passing, failing, changed and new snapshots, `--accept`,
//! `--check`, malformed cases, the "no false passes" errors, coverage, JSON and JUnit.
//! Suites that write snapshots are copied to a fresh folder under the target dir first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const FIX: &str = "tests/fixtures/testing";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `s3why test ARGS` from `dir`.
fn s3why_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .arg("test")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `s3why test --rules <fixture team rule> ARGS` from the repository root.
fn s3why(args: &[&str]) -> Run {
    let rules = format!("{FIX}/team.s3why");
    let mut all = vec!["--rules", rules.as_str()];
    all.extend_from_slice(args);
    s3why_in(root(), &all)
}

/// A fresh copy of the fixture tree (suites refer to `../requests/`), named for the test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("testing-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join(FIX), &dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn a_passing_suite_exits_0_with_the_summary_line() {
    let r = s3why(&[&format!("{FIX}/passing")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "3 passed, 0 failed\n");
}

#[test]
fn a_failing_expectation_names_file_line_expected_and_actual() {
    let r = s3why(&[&format!("{FIX}/failing")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let file = format!("{FIX}/failing/wrong.case.yaml");
    let case = "plain upload, wrong expectations";
    for (line, what) in [
        (4, "decision: expected denied, got allowed"),
        (5, "status: expected 403, got 200"),
        (7, "finding `identity-no-allow` did not fire"),
        (
            9,
            "finding `acme-storage-class-missing` fired but must be absent",
        ),
    ] {
        let want = format!("FAIL {file}:{line}: {case}: {what}");
        assert!(
            r.stdout.contains(&want),
            "missing {want:?} in\n{}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("  expected: findings include identity-no-allow\n  actual:   findings: acme-storage-class-missing\n"));
    // A JSON case file is located too.
    assert!(r.stdout.contains(&format!(
        "FAIL {FIX}/failing/wrong-json.case.json:4: json case, wrong decision: decision: expected denied, got allowed"
    )));
    assert_eq!(r.stdout.matches("FAIL ").count(), 5, "{}", r.stdout);
    assert_eq!(last_line(&r.stdout), "1 passed, 2 failed");
}

#[test]
fn a_changed_snapshot_shows_a_diff_fails_and_is_written_pending() {
    let dir = scratch("changed");
    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-changed"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("FAIL snapshot-changed/uploads.case.yaml:3: plain upload: snapshot changed"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("  -   [acme-storage-class-missing] the upload sends no x-amz-storage-class, so it lands in GLACIER\n  +   [acme-storage-class-missing] the upload sends no x-amz-storage-class, so it lands in STANDARD\n"), "{}", r.stdout);
    assert_eq!(last_line(&r.stdout), "0 passed, 1 failed");
    let pending = dir.join("snapshot-changed/snapshots/uploads@plain-upload.snap.new");
    let text = std::fs::read_to_string(&pending).unwrap();
    assert!(text.contains("lands in STANDARD"));
    // The accepted snapshot is untouched until --accept.
    let accepted = dir.join("snapshot-changed/snapshots/uploads@plain-upload.snap");
    assert!(std::fs::read_to_string(&accepted)
        .unwrap()
        .contains("GLACIER"));

    let r = s3why_in(
        &dir,
        &["--rules", "team.s3why", "snapshot-changed", "--accept"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("accepted 1 snapshot"), "{}", r.stderr);
    assert!(!pending.exists());
    assert_eq!(std::fs::read_to_string(&accepted).unwrap(), text);
    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-changed"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "1 passed, 0 failed\n"));
}

#[test]
fn a_new_snapshot_is_pending_not_accepted_until_accept() {
    let dir = scratch("new");
    let snap = dir.join("snapshot-new/snapshots/uploads@plain-upload.snap");
    let pending = dir.join("snapshot-new/snapshots/uploads@plain-upload.snap.new");
    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-new"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL snapshot-new/uploads.case.yaml:4: plain upload: new snapshot pending: snapshot-new/snapshots/uploads@plain-upload.snap.new: review it and run `s3why test --accept` (or `cargo insta accept`)"),
        "{}",
        r.stdout
    );
    assert!(pending.exists() && !snap.exists());
    // Still pending on a second run: nothing is accepted silently.
    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-new"]);
    assert_eq!(r.code, 1);

    let text = std::fs::read_to_string(&pending).unwrap();
    assert!(
        text.starts_with(
            "---\nsource: uploads.case.yaml\nexpression: plain upload\n---\nALLOWED (200)\n"
        ),
        "{text}"
    );
    assert!(text.contains("\"decision\": \"allowed\""));
    assert!(
        !text.contains(dir.to_str().unwrap()),
        "no absolute paths:\n{text}"
    );

    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-new", "--accept"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(snap.exists() && !pending.exists());
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), text);
    let r = s3why_in(&dir, &["--rules", "team.s3why", "snapshot-new"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "1 passed, 0 failed\n"));
}

#[test]
fn check_writes_nothing() {
    let dir = scratch("check");
    let r = s3why_in(
        &dir,
        &[
            "--rules",
            "team.s3why",
            "--check",
            "snapshot-new",
            "snapshot-changed",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("snapshot missing"), "{}", r.stdout);
    assert!(r.stdout.contains("snapshot changed"), "{}", r.stdout);
    assert!(!dir.join("snapshot-new/snapshots").exists());
    assert!(!dir
        .join("snapshot-changed/snapshots/uploads@plain-upload.snap.new")
        .exists());
}

#[test]
fn snapshots_are_read_by_insta() {
    // The accepted fixture snapshot, parsed by insta itself: same header, same body.
    let path = root()
        .join(FIX)
        .join("passing/snapshots/uploads@plain-upload.snap");
    let snap = insta::Snapshot::from_file(&path).unwrap();
    assert_eq!(snap.metadata().expression(), Some("plain upload"));
    assert_eq!(snap.metadata().source(), Some("uploads.case.yaml"));
    let body = snap.contents().as_text().unwrap().to_string();
    let ours =
        s3why::testing::snapshot::read_body(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(body.trim_end(), ours);
}

#[test]
fn a_malformed_case_file_is_an_error_with_file_and_line() {
    let r = s3why(&[&format!("{FIX}/malformed")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "", "nothing is run");
    for want in [
        format!("error: {FIX}/malformed/typo.case.yaml:4:3: [0]: unknown field `decison`, expected one of `name`"),
        format!("error: {FIX}/malformed/not-yaml.case.yaml:3:1: invalid YAML:"),
        format!("error: {FIX}/malformed/bad-facts.case.yaml:5:5: case \"inline facts with a bad principal\": facts.request.principal: \"alice\" is not an ARN"),
    ] {
        assert!(r.stderr.contains(&want), "missing {want:?} in\n{}", r.stderr);
    }
    assert!(r.stderr.contains("3 case file errors: nothing was run"));
}

#[test]
fn no_false_passes() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("no case files", &["no-cases"], "no case files found"),
        ("a case asserting nothing", &["asserts-nothing"], "nothing.case.yaml:1:1: case \"asserts nothing\": the case asserts nothing"),
        ("an unknown id", &["unknown-id"], "typo-id.case.yaml:3:3: case \"absent id with a typo\": `absent` names `acme-storage-class-mising`, which no rule of the loaded ruleset reports (did you mean `acme-storage-class-missing`?)"),
        ("a filter matching nothing", &["passing", "--filter", "zzz"], "--filter \"zzz\" matches no case"),
    ];
    for (what, args, message) in cases {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.starts_with('-') || *a == "zzz" {
                    a.to_string()
                } else {
                    format!("{FIX}/{a}")
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = s3why(&args);
        assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(message),
            "{what}: missing {message:?} in\n{}",
            r.stderr
        );
    }
}

#[test]
fn a_rule_that_fails_on_a_case_is_an_error_not_a_pass() {
    let r = s3why_in(
        root(),
        &[
            "--rules",
            &format!("{FIX}/rule-error/bad.s3why"),
            &format!("{FIX}/rule-error"),
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("ERROR tests/fixtures/testing/rule-error/case.case.yaml:1: rule fails: a rule failed: data.fixture.broken.findings: a finding has no \"id\""), "{}", r.stdout);
    assert_eq!(last_line(&r.stdout), "0 passed, 1 failed");
}

#[test]
fn filter_runs_only_matching_cases() {
    let r = s3why(&[&format!("{FIX}/passing"), "--filter", "standard-ia"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "1 passed, 0 failed\n"));
}

#[test]
fn coverage_lists_every_rule_id_and_require_coverage_fails_on_gaps() {
    let r = s3why(&[&format!("{FIX}/passing"), "--coverage"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("coverage:\n"));
    assert!(
        r.stdout
            .contains("\n  acme-storage-class-missing            2\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\n  identity-no-allow                     1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\n  kms-key-wrong-region                  0\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("2 of 44 rule ids covered; uncovered: acls-disabled, "),
        "{}",
        r.stdout
    );
    let r = s3why(&[&format!("{FIX}/passing"), "--require-coverage"]);
    assert_eq!(r.code, 1, "uncovered ids fail with --require-coverage");
    assert_eq!(last_line(&r.stdout), "3 passed, 0 failed");
    let r = s3why(&[
        "--no-bundled",
        &format!("{FIX}/passing/uploads.case.yaml"),
        "--require-coverage",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("1 of 1 rule ids covered\n"));
}

#[test]
fn json_output_holds_every_case() {
    let r = s3why(&[&format!("{FIX}/failing"), "--format", "json", "--coverage"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.trim_end(), "1 passed, 2 failed");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 2);
    assert_eq!(v["cases"][0]["name"], "json case, wrong decision");
    let first = &v["cases"][1];
    assert_eq!(first["status"], "failed");
    assert_eq!(first["failures"][0]["line"], 4);
    assert_eq!(first["failures"][0]["expected"], "denied");
    assert_eq!(first["failures"][0]["actual"], "allowed");
    assert_eq!(v["cases"][2]["status"], "passed");
    assert_eq!(v["coverage"]["counts"]["acme-storage-class-missing"], 2);
}

#[test]
fn junit_output_is_well_formed() {
    let r = s3why(&[
        &format!("{FIX}/failing"),
        &format!("{FIX}/passing"),
        "--format",
        "junit",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.trim_end(), "4 passed, 2 failed");
    let xml = &r.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"s3why test\" tests=\"6\" failures=\"2\" errors=\"0\">"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 4);
    assert_eq!(xml.matches("<testcase ").count(), 6);
    assert_eq!(xml.matches("<failure message=").count(), 2);
    // The case name's comma and the messages' backticks and quotes survive escaping.
    assert!(xml.contains("name=\"plain upload, wrong expectations\""));
    assert!(xml.contains("line 4: decision: expected denied, got allowed"));
    assert!(xml.contains("finding `acme-storage-class-missing` fired"));
    // A failure's body is its own case's lines, not the run's summary.
    assert!(!xml.contains(" passed, "), "{xml}");
    check_well_formed(xml);
}

/// A small XML well-formedness check: tags balance, attributes are quoted, and no raw
/// `<` or `&` stands in text or attribute values.
fn check_well_formed(xml: &str) {
    let body = xml.split_once("?>\n").unwrap().1;
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        check_text(&rest[..i]);
        let end = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            let quotes = attrs.matches('"').count();
            assert_eq!(quotes % 2, 0, "unbalanced quotes in <{tag}>");
            for value in attrs.split('"').skip(1).step_by(2) {
                check_text(value);
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        rest = &rest[end + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

fn check_text(t: &str) {
    assert!(
        !t.contains('<') && !t.contains('>'),
        "raw angle bracket in {t:?}"
    );
    for (i, _) in t.match_indices('&') {
        let entity = &t[i..t[i..].find(';').map_or(t.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
            "bad entity {entity:?}"
        );
    }
}

#[test]
fn orphaned_snapshots_are_reported() {
    let dir = scratch("orphan");
    std::fs::write(
        dir.join("passing/snapshots/uploads@removed-case.snap"),
        "---\n---\nx\n",
    )
    .unwrap();
    let r = s3why_in(&dir, &["--rules", "team.s3why", "passing"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("warning: passing/snapshots/uploads@removed-case.snap belongs to no case"),
        "{}",
        r.stderr
    );
}

#[test]
fn case_files_sharing_a_stem_are_refused() {
    let dir = scratch("stems");
    std::fs::copy(
        dir.join("passing/uploads.case.yaml"),
        dir.join("passing/uploads.case.yml"),
    )
    .unwrap();
    let r = s3why_in(&dir, &["--rules", "team.s3why", "passing"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("would share its snapshot files"),
        "{}",
        r.stderr
    );
}
