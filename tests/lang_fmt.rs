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
