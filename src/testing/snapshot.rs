//! Snapshots in insta's `.snap` format, so `cargo insta review` / `cargo insta accept`
//! work on them as well as `s3why test --accept`: a YAML header between `---` lines
//! (`source`, `expression`), then the body. A pending snapshot is the same file with the
//! extension `.snap.new`, beside the `.snap` it would replace.
//!
//! The body is the verdict rendered stably: the text a person reads (no colour), then
//! the verdict record as pretty JSON with sorted keys. Neither holds a timestamp or an
//! absolute path (the record's `source` is the `facts_file` as written, or `inline`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::aws::Verdict;

/// The snapshot body of a verdict and its findings.
pub fn body(source: &str, verdict: &Verdict, findings: &[Value]) -> String {
    let text = crate::render::verdict_text(verdict, findings, false);
    let record = crate::report::verdict_record(source, verdict, findings.to_vec());
    let json = serde_json::to_string_pretty(&sorted(record)).unwrap_or_default();
    format!("{}\n\n{json}\n", text.trim_end())
}

/// The value with every object's keys in sorted order (the record keeps insertion order).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The whole file: insta's header, then the body.
pub fn file_text(source: &str, expression: &str, body: &str) -> String {
    format!(
        "---\nsource: {}\nexpression: {}\n---\n{}\n",
        yaml_scalar(source),
        yaml_scalar(expression),
        body.trim_end()
    )
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@' | ' '))
        && !s.starts_with([' ', '-', '@'])
        && !s.ends_with(' ');
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// The body of a `.snap` file (what follows the header), as insta compares it: trailing
/// whitespace trimmed, CRLF read as LF. `None` when the file is not in insta's format.
pub fn read_body(text: &str) -> Option<String> {
    let mut lines = text.split_inclusive('\n');
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut offset = text.find('\n')? + 1;
    for line in lines {
        offset += line.len();
        if line.trim_end() == "---" {
            return Some(normalize(&text[offset..]));
        }
    }
    None
}

/// Trailing whitespace off, CRLF to LF: what insta ignores.
pub fn normalize(body: &str) -> String {
    body.trim_end().replace("\r\n", "\n")
}

/// The pending file of a snapshot: `x.snap` → `x.snap.new`.
pub fn pending_path(snap: &Path) -> PathBuf {
    let mut s = snap.as_os_str().to_os_string();
    s.push(".new");
    PathBuf::from(s)
}

/// A line diff of `old` → `new`: `-`/`+` lines with two lines of context, each hunk
/// headed by the line numbers where it starts (`@@ -12 +12 @@`).
pub fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = ops(&a, &b);
    let mut out = String::new();
    const CONTEXT: usize = 2;
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changed.len() {
        // A hunk: a run of changes whose gaps are at most 2 * CONTEXT lines.
        let start = changed[i];
        let mut end = start;
        while i + 1 < changed.len() && changed[i + 1] - end <= 2 * CONTEXT + 1 {
            i += 1;
            end = changed[i];
        }
        i += 1;
        let from = start.saturating_sub(CONTEXT);
        let to = (end + CONTEXT + 1).min(ops.len());
        let (la, lb) = ops[from].lines();
        let _ = writeln!(out, "@@ -{la} +{lb} @@");
        for op in &ops[from..to] {
            let _ = match op {
                Op::Same(x, _, _) => writeln!(out, "  {}", a[*x]),
                Op::Del(x, _) => writeln!(out, "- {}", a[*x]),
                Op::Add(y, _) => writeln!(out, "+ {}", b[*y]),
            };
        }
    }
    out
}

/// One line of the edit script, with the (0-based) indices into old and new.
#[derive(Debug, Clone, Copy)]
enum Op {
    Same(usize, usize, ()),
    Del(usize, usize),
    Add(usize, usize),
}

impl Op {
    /// 1-based line numbers in old and new where this op stands.
    fn lines(&self) -> (usize, usize) {
        match *self {
            Op::Same(x, y, ()) => (x + 1, y + 1),
            Op::Del(x, y) => (x + 1, y + 1),
            Op::Add(y, x) => (x + 1, y + 1),
        }
    }
}

/// The edit script by longest common subsequence (snapshots are a few hundred lines).
fn ops(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for x in (0..n).rev() {
        for y in (0..m).rev() {
            lcs[x][y] = if a[x] == b[y] {
                lcs[x + 1][y + 1] + 1
            } else {
                lcs[x + 1][y].max(lcs[x][y + 1])
            };
        }
    }
    let (mut x, mut y) = (0, 0);
    let mut out = Vec::new();
    while x < n || y < m {
        if x < n && y < m && a[x] == b[y] {
            out.push(Op::Same(x, y, ()));
            x += 1;
            y += 1;
        } else if x < n && (y == m || lcs[x + 1][y] >= lcs[x][y + 1]) {
            // Deletions first, so a changed line reads `- old` then `+ new`.
            out.push(Op::Del(x, y));
            x += 1;
        } else {
            // Op::Add carries (index in new, index in old) for `lines`.
            out.push(Op::Add(y, x));
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_body_round_trip() {
        let text = file_text("kms.case.yaml", "kms key", "A\n---\nB\n\n");
        assert!(text.starts_with("---\nsource: kms.case.yaml\nexpression: kms key\n---\nA\n"));
        assert_eq!(read_body(&text).as_deref(), Some("A\n---\nB"));
        assert_eq!(read_body("no header"), None);
    }

    #[test]
    fn quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
    }

    #[test]
    fn diff_shows_changed_lines_with_context() {
        let d = diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
        assert_eq!(d, "@@ -1 +1 @@\n  a\n  b\n- c\n+ X\n  d\n");
        assert_eq!(diff("same\n", "same\n"), "");
    }
}
