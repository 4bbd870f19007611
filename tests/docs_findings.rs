//! The finding pages in `docs/findings/` cannot drift from the bundled rules: every id
//! that `s3why rules list` reports has a page and a row in the index, every page belongs
//! to an id, and each page's example fact document still makes `s3why check` report it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn s3why(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The ids of the bundled ruleset, from `s3why rules list --format json`.
fn bundled_ids() -> BTreeSet<String> {
    let out = s3why(&["rules", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "rules list failed");
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: BTreeSet<String> = rules
        .as_array()
        .expect("rules list --format json is an array")
        .iter()
        .map(|r| r["id"].as_str().expect("every rule has an id").to_string())
        .collect();
    assert!(ids.len() >= 41, "only {} bundled ids", ids.len());
    ids
}

fn findings_dir() -> PathBuf {
    root().join("docs").join("findings")
}

fn page(id: &str) -> PathBuf {
    findings_dir().join(format!("{id}.md"))
}

fn example(id: &str) -> String {
    format!("docs/examples/findings/{id}.json")
}

#[test]
fn every_bundled_id_has_a_page() {
    let missing: Vec<String> = bundled_ids()
        .into_iter()
        .filter(|id| !page(id).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "no docs/findings/<id>.md for {missing:?}"
    );
}

#[test]
fn every_page_is_a_bundled_id() {
    let ids = bundled_ids();
    let mut stray = Vec::new();
    for entry in std::fs::read_dir(findings_dir()).unwrap() {
        let p = entry.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.extension().is_some_and(|e| e == "md") && stem != "README" && !ids.contains(&stem) {
            stray.push(stem);
        }
    }
    assert!(stray.is_empty(), "pages for unknown ids: {stray:?}");
}

#[test]
fn the_index_lists_every_id() {
    let index = std::fs::read_to_string(findings_dir().join("README.md")).unwrap();
    let missing: Vec<String> = bundled_ids()
        .into_iter()
        .filter(|id| !index.contains(&format!("| [`{id}`]({id}.md) |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/findings/README.md lacks rows for {missing:?}"
    );
}

#[test]
fn every_page_names_its_id_and_runs_its_example() {
    for id in bundled_ids() {
        let text = std::fs::read_to_string(page(&id)).unwrap_or_default();
        assert!(
            text.starts_with(&format!("# `{id}`\n")),
            "{id}.md does not start with its id as title"
        );
        assert!(
            text.contains(&format!("$ s3why check {}\n", example(&id))),
            "{id}.md has no console example running s3why check on {}",
            example(&id)
        );
        for section in [
            "## What it means",
            "## Example",
            "## The fix",
            "## AWS documentation",
        ] {
            assert!(text.contains(section), "{id}.md lacks `{section}`");
        }
        assert!(
            text.contains("https://"),
            "{id}.md cites no AWS documentation"
        );
    }
}

#[test]
fn every_example_triggers_its_id() {
    let mut failures = Vec::new();
    for id in bundled_ids() {
        let file = example(&id);
        if !root().join(&file).is_file() {
            failures.push(format!("{id}: {file} is missing"));
            continue;
        }
        let out = s3why(&["check", "--format", "json", &file]);
        let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{id}: check printed no JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let found: Vec<&str> = report["findings"]
            .as_array()
            .map(|fs| fs.iter().filter_map(|f| f["id"].as_str()).collect())
            .unwrap_or_default();
        if !found.contains(&id.as_str()) {
            failures.push(format!("{id}: {file} reports {found:?}"));
        }
        // The page's header line names the policy the finding reports: the example's.
        let text = std::fs::read_to_string(page(&id)).unwrap_or_default();
        let reported: Vec<&str> = report["findings"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter(|f| f["id"] == id.as_str())
                    .filter_map(|f| f["policy"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let header = text
            .lines()
            .find(|l| l.starts_with("Severity **"))
            .unwrap_or("");
        if !reported.iter().any(|p| header.contains(&format!("`{p}`"))) {
            failures.push(format!(
                "{id}: the page says {header:?}, the example reports policy {reported:?}"
            ));
        }
        if report["decision"] != "denied" || out.status.code() != Some(1) {
            failures.push(format!(
                "{id}: {file} is not denied (decision {}, exit {:?})",
                report["decision"],
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each page links to its rule: `rulesets/bundled/F.s3why:N` and `#LN`, where line N is
/// the `findings contains` line that follows the rule's `# id:` metadata.
#[test]
fn every_page_links_to_its_rule_line() {
    let mut wrong = Vec::new();
    for id in bundled_ids() {
        let text = std::fs::read_to_string(page(&id)).unwrap();
        let start = text.find("[`rulesets/bundled/").unwrap();
        let link = &text[start + 2..];
        let (file, rest) = link.split_once(':').unwrap();
        let line: usize = rest[..rest.find('`').unwrap()].parse().unwrap();
        assert!(
            text.contains(&format!("{file}#L{line})")),
            "{id}: the two line numbers differ"
        );
        let rules = std::fs::read_to_string(root().join(file)).unwrap();
        let lines: Vec<&str> = rules.lines().collect();
        let meta = lines
            .iter()
            .position(|l| l.trim() == format!("# id: {id}"))
            .unwrap();
        let rule = meta
            + lines[meta..]
                .iter()
                .position(|l| l.starts_with("findings contains"))
                .unwrap();
        if rule + 1 != line {
            wrong.push(format!(
                "{id}: links to {file}:{line}, the rule is at {}",
                rule + 1
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
