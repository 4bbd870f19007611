//! A run as text (one line per failure, its details indented, the summary line
//! `N passed, N failed` last), as JSON, or as JUnit XML for CI. Coverage as text or JSON.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::runner::{CaseResult, Coverage, Outcome, RunReport};

/// The summary line CI tools read: exactly `N passed, N failed`.
pub fn summary(report: &RunReport) -> String {
    format!("{} passed, {} failed", report.passed(), report.failed())
}

/// For people: a `FAIL file:line: case: message` line per broken expectation, with
/// expected and actual (or the snapshot diff) indented below; then the summary line.
pub fn text(report: &RunReport) -> String {
    let mut out = String::new();
    for r in &report.results {
        out.push_str(&result_text(r));
    }
    let _ = writeln!(out, "{}", summary(report));
    out
}

/// One case's lines of [`text`]: nothing when it passed.
fn result_text(r: &CaseResult) -> String {
    let mut out = String::new();
    match &r.outcome {
        Outcome::Passed => {}
        Outcome::Failed(failures) => {
            for f in failures {
                let _ = writeln!(out, "FAIL {}:{}: {}: {}", r.file, f.line, r.name, f.message);
                match &f.diff {
                    Some(d) => {
                        let _ = writeln!(out, "  --- accepted\n  +++ new");
                        for line in d.lines() {
                            // No trailing spaces: blank context lines stay blank.
                            let _ = writeln!(out, "{}", format!("  {line}").trim_end());
                        }
                    }
                    None => {
                        let _ =
                            writeln!(out, "  expected: {}\n  actual:   {}", f.expected, f.actual);
                    }
                }
            }
        }
        Outcome::Error(e) => {
            let _ = writeln!(
                out,
                "ERROR {}:{}: {}: {}",
                r.file,
                r.line,
                r.name,
                first_line(e)
            );
            for line in e.lines().skip(1) {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Coverage for people: every rule id with the number of cases that made it fire, then
/// the uncovered ids.
pub fn coverage_text(c: &Coverage) -> String {
    let mut out = String::from("coverage:\n");
    let width = c.counts.keys().map(String::len).max().unwrap_or(0);
    for (id, n) in &c.counts {
        let _ = writeln!(out, "  {id:<width$}  {n}");
    }
    let uncovered = c.uncovered();
    let total = c.counts.len();
    if uncovered.is_empty() {
        let _ = writeln!(out, "{total} of {total} rule ids covered");
    } else {
        let _ = writeln!(
            out,
            "{} of {total} rule ids covered; uncovered: {}",
            total - uncovered.len(),
            uncovered.join(", ")
        );
    }
    out
}

/// One JSON object: every case with its outcome, the counts, and coverage when asked.
pub fn json(report: &RunReport, coverage: bool) -> Value {
    let cases: Vec<Value> = report.results.iter().map(case_json).collect();
    let mut out = json!({
        "cases": cases,
        "passed": report.passed(),
        "failed": report.failed(),
    });
    if coverage {
        out["coverage"] = json!({
            "counts": report.coverage.counts,
            "uncovered": report.coverage.uncovered(),
        });
    }
    out
}

fn case_json(r: &CaseResult) -> Value {
    let (status, failures, error) = match &r.outcome {
        Outcome::Passed => ("passed", Vec::new(), None),
        Outcome::Failed(f) => (
            "failed",
            f.iter()
                .map(|f| {
                    json!({
                        "line": f.line,
                        "message": f.message,
                        "expected": f.expected,
                        "actual": f.actual,
                        "diff": f.diff,
                    })
                })
                .collect(),
            None,
        ),
        Outcome::Error(e) => ("error", Vec::new(), Some(e.clone())),
    };
    json!({
        "name": r.name,
        "file": r.file,
        "line": r.line,
        "status": status,
        "findings": r.fired,
        "failures": failures,
        "error": error,
        "written": r.written,
    })
}

/// JUnit XML: one `<testsuite>` per case file, one `<testcase>` per case, a `<failure>`
/// (or `<error>`) with every broken expectation.
pub fn junit(report: &RunReport) -> String {
    let mut files: Vec<&str> = Vec::new();
    for r in &report.results {
        if !files.contains(&r.file.as_str()) {
            files.push(&r.file);
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"s3why test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        report.results.len(),
        count(report.results.iter(), |o| matches!(o, Outcome::Failed(_))),
        count(report.results.iter(), |o| matches!(o, Outcome::Error(_))),
    );
    for file in files {
        let cases: Vec<&CaseResult> = report.results.iter().filter(|r| r.file == file).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            esc(file),
            cases.len(),
            count(cases.iter().copied(), |o| matches!(o, Outcome::Failed(_))),
            count(cases.iter().copied(), |o| matches!(o, Outcome::Error(_))),
        );
        for r in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
                esc(file),
                esc(&r.name),
                esc(file),
                r.line
            );
            match &r.outcome {
                Outcome::Passed => out.push_str("/>\n"),
                Outcome::Failed(failures) => {
                    let message = failures
                        .iter()
                        .map(|f| format!("line {}: {}", f.line, f.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        esc(&message),
                        esc(&result_text(r))
                    );
                }
                Outcome::Error(e) => {
                    let _ = write!(
                        out,
                        ">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                        esc(first_line(e)),
                        esc(e)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn count<'a>(results: impl Iterator<Item = &'a CaseResult>, f: impl Fn(&Outcome) -> bool) -> usize {
    results.filter(|r| f(&r.outcome)).count()
}

/// XML text and attribute escaping; control characters XML 1.0 forbids are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
