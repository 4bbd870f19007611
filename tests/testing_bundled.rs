//! The bundled ruleset's own suite (`rulesets/tests/`), run by the library runner under
//! `cargo test`: every case passes, every rule id of the bundled ruleset fires in some
//! case, each id has its firing case and its near miss, and every accepted snapshot is
//! one insta reads. The same suite runs as `s3why test rulesets/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};

use s3why::rules::Ruleset;
use s3why::testing::{self, output, Options};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rulesets")
        .join("tests")
}

#[test]
fn the_bundled_suite_passes_with_complete_coverage() {
    let ruleset = Ruleset::load(true, &[]).unwrap();
    // `check`: a failing run here must not leave `.snap.new` files in the source tree.
    let options = Options {
        check: true,
        ..Options::default()
    };
    let cases = match testing::load(&[suite()], &ruleset, &options) {
        Ok(c) => c,
        Err(errors) => panic!(
            "the bundled suite does not load:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let report = testing::run(&cases, &ruleset, &options);
    assert_eq!(
        report.failed(),
        0,
        "{}\n(run `s3why test rulesets/` to see it, and `--accept` once the new snapshots are read)",
        output::text(&report)
    );
    let uncovered = report.coverage.uncovered();
    assert!(
        uncovered.is_empty(),
        "rule ids no case fires: {uncovered:?}"
    );
    assert_eq!(
        report.coverage.counts.len(),
        ruleset.rules().len(),
        "coverage lists every rule"
    );
}

#[test]
fn every_id_has_a_firing_case_and_a_near_miss() {
    let ruleset = Ruleset::load(true, &[]).unwrap();
    let cases = testing::load(&[suite()], &ruleset, &Options::default()).unwrap();
    for rule in ruleset.rules() {
        let id = &rule.id;
        let fires = cases.iter().find(|c| c.name == *id);
        let near = cases.iter().find(|c| c.name == format!("{id}-near-miss"));
        let fires = fires.unwrap_or_else(|| panic!("no case named {id}"));
        let near = near.unwrap_or_else(|| panic!("no case named {id}-near-miss"));
        assert!(
            fires.findings.iter().any(|f| f.value == *id),
            "case {id} does not expect {id}"
        );
        assert!(
            near.absent.iter().any(|f| f.value == *id),
            "case {id}-near-miss does not list {id} as absent"
        );
        for c in [fires, near] {
            assert!(c.snapshot.is_some(), "case {} keeps no snapshot", c.name);
            assert!(c.decision.is_some(), "case {} states no decision", c.name);
        }
    }
}

#[test]
fn accepted_snapshots_are_insta_snapshots_and_none_is_pending_or_orphaned() {
    let ruleset = Ruleset::load(true, &[]).unwrap();
    let cases = testing::load(&[suite()], &ruleset, &Options::default()).unwrap();
    let expected: Vec<PathBuf> = cases
        .iter()
        .filter_map(|c| c.snapshot.as_ref().map(|s| s.value.clone()))
        .collect();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(suite().join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !name.ends_with(".snap.new"),
            "{name} is pending: review it, then `s3why test rulesets/ --accept`"
        );
        assert!(
            expected.contains(&path),
            "{name} belongs to no case (a renamed or removed case?)"
        );
        let snap = insta::Snapshot::from_file(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ours = testing::snapshot::read_body(&text).unwrap();
        let theirs = snap.contents().as_text().unwrap().to_string();
        assert_eq!(theirs.trim_end(), ours, "{name}: insta reads another body");
        found.push(path);
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "a case has no accepted snapshot"
    );
}
