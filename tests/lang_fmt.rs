//! The formatter proves itself over every `.s3why` file in the repository (fixtures,
//! and `rulesets/**` once they exist): the output reparses to the same tree (spans
//! ignored), keeps every comment in order, and is idempotent. Formatted fixtures are
//! snapshotted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::fmt::{format_source, soundness_check};
use std::path::{Path, PathBuf};

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() && name != "target" && !name.starts_with('.') {
            rule_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "s3why") {
            out.push(p);
        }
    }
}

#[test]
fn every_rule_file_formats_soundly() {
    let mut files = Vec::new();
    rule_files(Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let expect_error = f.components().any(|c| c.as_os_str() == "err");
        match format_source(&f.display().to_string(), &text) {
            Ok(out) => {
                checked += 1;
                if let Err(e) = soundness_check(&text, &out) {
                    failures.push(format!("{}: {e}", f.display()));
                }
            }
            Err(d) if !expect_error => failures.push(format!(
                "{}: does not parse:\n{}",
                f.display(),
                d.render_human()
            )),
            Err(_) => {}
        }
    }
    assert!(checked >= 3, "only {checked} files formatted");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn formatted_fixtures() {
    insta::glob!("fixtures/lang/{fmt,syntax/ok}/*.s3why", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let out = format_source("x.s3why", &text).unwrap();
        insta::assert_snapshot!(out);
    });
}

/// A comment inside a rule's value (a list, an object, the parameters), which the
/// one-line head has no place for, stays with its rule: above it, not above the next
/// rule, where it read as that rule's. In a body, above its literal. Sound and idempotent.
#[test]
fn comments_inside_a_value_stay_with_their_rule() {
    let text = "package qa\n\nx := [\n    # leading\n    1,\n    2, # after 2\n]\n\nf(a, # param\n  b) := a + b\n\nz if {\n    o := {\"a\": 1, # in object\n          \"b\": 2}\n    o.a == 1\n}\n";
    let out = format_source("x.s3why", text).unwrap();
    assert_eq!(
        out,
        "package qa\n\n# leading\n# after 2\nx := [1, 2]\n\n# param\nf(a, b) := a + b\n\nz if {\n    # in object\n    o := {\"a\": 1, \"b\": 2}\n    o.a == 1\n}\n"
    );
    soundness_check(text, &out).unwrap();
    assert_eq!(format_source("x.s3why", &out).unwrap(), out, "idempotent");
}
