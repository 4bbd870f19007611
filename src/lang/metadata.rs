//! Rule metadata: the `# METADATA` comment block attached to the next rule.
//!
//! ```text
//! # METADATA
//! # id: put-object-acl-not-allowed
//! # title: An upload that sets an ACL needs s3:PutObjectAcl
//! # severity: error
//! # description: A long text may continue on following comment lines
//! #   that start with more indentation.
//! # docs: https://example.com/acl
//! # tags: [acl, identity]
//! findings contains f if { ... }
//! ```
//!
//! Known keys: `id` (required), `title`, `severity` (`error`, `warning`, `info`),
//! `description`, `docs`, `tags` (`[a, b]`). Other keys are kept in `custom`.
//! The block must be directly followed by a rule.

use super::diag::Diagnostic;
use super::source::Span;
use super::syntax::trivia::Comment;
use std::collections::BTreeMap;

/// Metadata of one rule, as the host lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct RuleInfo {
    /// Stable id (`put-object-acl-not-allowed`).
    pub id: String,
    /// One-line title.
    pub title: Option<String>,
    /// `error`, `warning` or `info`.
    pub severity: Option<String>,
    /// Longer text.
    pub description: Option<String>,
    /// Link to documentation.
    pub docs: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Any other `key: value` lines.
    pub custom: BTreeMap<String, String>,
    /// Package of the rule (`s3.put_object`).
    pub package: String,
    /// Rule name (`findings`).
    pub rule: String,
    /// File name.
    pub file: String,
    /// 1-based line of the rule.
    pub line: usize,
}

/// A parsed block, before it is attached.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block's comments' span.
    pub span: Span,
    /// Parsed fields (package/rule/file/line filled in later).
    pub info: RuleInfo,
}

/// Finds `# METADATA` blocks among a file's comments. Errors (bad severity, missing id,
/// malformed line) go to `errors`.
pub fn blocks(
    comments: &[Comment],
    text: &str,
    span_of: impl Fn(usize, usize) -> Span,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = comments.get(i) {
        i += 1;
        if !(c.own_line && c.text.trim() == "METADATA") {
            continue;
        }
        let mut lines: Vec<&Comment> = Vec::new();
        let mut last_end = c.end;
        while let Some(n) = comments.get(i) {
            let gap = text.get(last_end..n.start).unwrap_or("x");
            if !n.own_line || gap.matches('\n').count() != 1 {
                break;
            }
            lines.push(n);
            last_end = n.end;
            i += 1;
        }
        let span = span_of(c.start, last_end);
        out.push(Block {
            span,
            info: parse_lines(&lines, &span_of, errors, span),
        });
    }
    out
}

fn parse_lines(
    lines: &[&Comment],
    span_of: &impl Fn(usize, usize) -> Span,
    errors: &mut Vec<Diagnostic>,
    block: Span,
) -> RuleInfo {
    let mut info = RuleInfo::default();
    let mut last_key: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for c in lines {
        let raw = c.text.strip_prefix(' ').unwrap_or(&c.text);
        let span = span_of(c.start, c.end);
        if raw.starts_with(char::is_whitespace) && last_key.is_some() {
            if let Some(k) = &last_key {
                append(&mut info, k, raw.trim());
            }
            continue;
        }
        let Some((key, value)) = raw.split_once(':') else {
            errors.push(Diagnostic::error(
                "check::metadata",
                span,
                "metadata line is not `key: value`",
            ));
            continue;
        };
        let (key, value) = (key.trim().to_string(), value.trim().to_string());
        if !seen.insert(key.clone()) {
            errors.push(Diagnostic::error(
                "check::metadata",
                span,
                format!("`{key}` is given twice in this metadata block"),
            ));
        } else if !KNOWN.contains(&key.as_str()) {
            // A custom key is allowed; one a letter or two from a known key is a typo
            // that would silently leave the rule without, say, its title.
            let near = KNOWN
                .iter()
                .map(|k| (crate::lang::diag::edit_distance(&key, k), *k))
                .filter(|(d, _)| *d <= 2 && key.len() >= 4)
                .min()
                .map(|(_, k)| k);
            if let Some(near) = near {
                errors.push(
                    Diagnostic::error(
                        "check::metadata",
                        span,
                        format!("unknown metadata key `{key}`"),
                    )
                    .with_help(format!("did you mean `{near}`?")),
                );
            }
        }
        set(&mut info, &key, value, span, errors);
        last_key = Some(key);
    }
    if info.id.is_empty() {
        errors.push(
            Diagnostic::error("check::metadata", block, "metadata block has no `id`")
                .with_help("add a line `# id: my-rule-id`"),
        );
    }
    info
}

/// The keys s3why reads; any other is kept in `custom`.
const KNOWN: &[&str] = &["id", "title", "description", "docs", "severity", "tags"];

fn set(info: &mut RuleInfo, key: &str, value: String, span: Span, errors: &mut Vec<Diagnostic>) {
    match key {
        "id" => info.id = value,
        "title" => info.title = Some(value),
        "description" => info.description = Some(value),
        "docs" => info.docs = Some(value),
        "severity" => {
            if !matches!(value.as_str(), "error" | "warning" | "info") {
                errors.push(
                    Diagnostic::error(
                        "check::metadata",
                        span,
                        format!("unknown severity `{value}`"),
                    )
                    .with_help("use error, warning or info"),
                );
            }
            info.severity = Some(value);
        }
        "tags" => {
            let inner = value.trim().trim_start_matches('[').trim_end_matches(']');
            info.tags = inner
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
        }
        other => {
            info.custom.insert(other.to_string(), value);
        }
    }
}

fn append(info: &mut RuleInfo, key: &str, more: &str) {
    let target = match key {
        "title" => info.title.get_or_insert_with(String::new),
        "description" => info.description.get_or_insert_with(String::new),
        "docs" => info.docs.get_or_insert_with(String::new),
        other => info.custom.entry(other.to_string()).or_default(),
    };
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(more);
}
