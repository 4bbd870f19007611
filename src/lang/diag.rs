//! Typed, located diagnostics for every load phase (syntax, check) and their two
//! renderings: human (`file:line:col`, the source line, a caret, a hint) and JSON.
//! Errors keep structured fields and spans until rendering.

use super::source::{SourceMap, Span};
use std::fmt::Write as _;
use std::sync::Arc;

/// How bad a diagnostic is. Load only produces errors today; warnings are reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the load.
    Error,
    /// Reported, does not stop the load.
    Warning,
}

/// One problem found while loading rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `syntax::unexpected`, `check::unknown-name` (see docs/language.md).
    pub code: &'static str,
    /// Lowercase one-line message.
    pub message: String,
    /// Where.
    pub span: Span,
    /// A hint, e.g. a near-miss name.
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl Diagnostic {
    /// An error with no hint.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            help: None,
            severity: Severity::Error,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// All diagnostics of a load, with the sources needed to render them.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    /// The problems, in file then position order.
    pub items: Vec<Diagnostic>,
    /// The files the spans point into.
    pub sources: Arc<SourceMap>,
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render_human())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    /// Wraps and sorts by file and position.
    pub fn new(mut items: Vec<Diagnostic>, sources: Arc<SourceMap>) -> Self {
        items.sort_by_key(|d| (d.span.source, d.span.start, d.span.end));
        // One mistake found twice (a too-deep chain seen by each re-parse, say) is one
        // message: the same code and text at the same place, whatever the span's end.
        let mut seen = std::collections::HashSet::new();
        items.retain(|d| seen.insert((d.span.source, d.span.start, d.code, d.message.clone())));
        Diagnostics { items, sources }
    }

    /// Number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Human rendering of every diagnostic, separated by blank lines, ending with a summary.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&render_one(&self.sources, d));
            out.push('\n');
        }
        let n = self.error_count();
        let _ = writeln!(out, "{n} error{}", if n == 1 { "" } else { "s" });
        out
    }

    /// JSON rendering: an array of objects with code, severity, message, file, line,
    /// column, end_line, end_column, help and the source line.
    pub fn render_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.items
                .iter()
                .map(|d| json_one(&self.sources, d))
                .collect(),
        )
    }
}

fn location(sources: &SourceMap, span: Span) -> (String, usize, usize, usize, usize) {
    match sources.file(span.source) {
        Some(f) => {
            let a = f.line_col(span.start as usize);
            let b = f.line_col(span.end as usize);
            (f.name.clone(), a.line, a.col, b.line, b.col)
        }
        None => ("<unknown>".to_string(), 0, 0, 0, 0),
    }
}

/// Renders one diagnostic for humans:
///
/// ```text
/// error[check::unknown-name]: unknown name `strtswith`
///   --> rules.s3why:4:5
///    |
///  4 |     strtswith(h, "x")
///    |     ^^^^^^^^^
///    = help: did you mean `startswith`?
/// ```
pub fn render_one(sources: &SourceMap, d: &Diagnostic) -> String {
    let (name, line, col, end_line, end_col) = location(sources, d.span);
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{kind}[{}]: {}\n", d.code, d.message);
    let text = sources
        .file(d.span.source)
        .map_or("", |f| f.line_text(line));
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {name}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {text}");
    // Columns count characters; the caret goes under them as a terminal shows them, a
    // wide character (CJK, emoji) taking two cells.
    let cells = |c: char| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    let marked = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        usize::MAX
    };
    let width: usize = text
        .chars()
        .skip(col.saturating_sub(1))
        .take(marked)
        .map(cells)
        .sum::<usize>()
        .max(1);
    let lead: String = text
        .chars()
        .take(col.saturating_sub(1))
        .map(|c| {
            if c == '\t' {
                "\t".to_string()
            } else {
                " ".repeat(cells(c))
            }
        })
        .collect();
    let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(width));
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

fn json_one(sources: &SourceMap, d: &Diagnostic) -> serde_json::Value {
    let (name, line, col, end_line, end_col) = location(sources, d.span);
    let text = sources
        .file(d.span.source)
        .map_or("", |f| f.line_text(line));
    serde_json::json!({
        "code": d.code,
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": d.message,
        "file": name,
        "line": line,
        "column": col,
        "end_line": end_line,
        "end_column": end_col,
        "source_line": text,
        "help": d.help,
    })
}

/// Levenshtein distance over chars (shared with the fact reader's near-miss hints).
pub use crate::aws::field::edit_distance;

/// The closest candidate within a distance of a third of the name's length (at least 1),
/// e.g. `strtswith` → `startswith`.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    if len < 3 {
        return None; // one- and two-letter names are near everything
    }
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_miss() {
        assert_eq!(
            suggest("strtswith", ["startswith", "endswith"]),
            Some("startswith")
        );
        assert_eq!(suggest("zzz", ["startswith"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
