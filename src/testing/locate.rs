//! Where a path (`[2].findings`, `facts.request.key`) stands in a case file, so every
//! failure can name the line of the expectation it broke (and in a suppressions file, so
//! each malformed entry names its line). serde keeps no positions, so
//! JSON case files go through [`crate::facts::locate`] and YAML ones through the small
//! block-YAML scanner below (flow-style YAML falls back to the nearest located ancestor).

use crate::facts::locate::locate as locate_json;

/// The 1-based line of the value at `path` (or of its deepest located ancestor).
pub fn line_of(text: &str, yaml: bool, path: &str) -> Option<usize> {
    if yaml {
        locate_yaml(text, path)
    } else {
        locate_json(text, path).map(|p| p.line)
    }
}

/// A token of block YAML: a sequence dash or a mapping key, with its column.
#[derive(Debug)]
struct Token {
    line: usize,
    col: usize,
    key: Option<String>,
}

/// Splits block YAML into dash and key tokens; `- a: 1` gives a dash at its column and a
/// key two columns further, which is how YAML nests them.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut col = raw.len() - raw.trim_start().len();
        let mut rest = raw.trim_start();
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with("---") {
            continue;
        }
        while let Some(after) = rest
            .strip_prefix('-')
            .filter(|a| a.is_empty() || a.starts_with(' '))
        {
            out.push(Token {
                line: i + 1,
                col,
                key: None,
            });
            let trimmed = after.trim_start();
            col += 1 + (after.len() - trimmed.len());
            rest = trimmed;
        }
        if let Some(key) = key_of(rest) {
            out.push(Token {
                line: i + 1,
                col,
                key: Some(key),
            });
        }
    }
    out
}

/// The key of a `key: value` (or `key:`) line, unquoted.
fn key_of(rest: &str) -> Option<String> {
    let end = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))?;
    let key = rest[..end].trim();
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
        .unwrap_or(key);
    (!key.is_empty() && !key.starts_with(['{', '[', '"', '\''])).then(|| key.to_string())
}

fn locate_yaml(text: &str, path: &str) -> Option<usize> {
    let toks = tokens(text);
    let mut region: &[Token] = &toks;
    let mut best = toks.first().map(|t| t.line);
    for step in steps(path) {
        let Some(col) = region.iter().map(|t| t.col).min() else {
            break;
        };
        // The children at this level are the tokens at the region's least column.
        let starts: Vec<usize> = region
            .iter()
            .enumerate()
            .filter(|(_, t)| t.col == col && matches!(step, Step::Index(_)) == t.key.is_none())
            .map(|(i, _)| i)
            .collect();
        let found = match &step {
            Step::Index(n) => starts.get(*n).copied(),
            Step::Key(k) => starts
                .iter()
                .copied()
                .find(|&i| region[i].key.as_deref() == Some(k.as_str())),
        };
        let Some(at) = found else { break };
        let is_key = matches!(step, Step::Key(_));
        best = Some(region[at].line);
        let end = region[at + 1..]
            .iter()
            // A key's block list may sit at the key's own column (`k:\n- a`).
            .position(|t| t.col < col || (t.col == col && !(is_key && t.key.is_none())))
            .map_or(region.len(), |p| at + 1 + p);
        region = &region[at + 1..end];
        if let (Step::Index(_), Some(first)) = (&step, region.first()) {
            // `- key: v`: the item's first key sits on the dash's line.
            best = best.or(Some(first.line));
        }
    }
    best
}

#[derive(Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part
            .find('[')
            .map_or((part, ""), |i| (&part[..i], &part[i..]));
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                out.push(Step::Index(n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# cases\n- name: one\n  decision: denied\n  findings:\n    - a\n    - b\n- name: two\n  facts:\n    request:\n      key: k\n  status: 200\n";

    #[test]
    fn finds_keys_of_list_items() {
        assert_eq!(locate_yaml(DOC, "[0].decision"), Some(3));
        assert_eq!(locate_yaml(DOC, "[0].findings[1]"), Some(6));
        assert_eq!(locate_yaml(DOC, "[1].status"), Some(11));
        assert_eq!(locate_yaml(DOC, "[1].facts.request.key"), Some(10));
        assert_eq!(locate_yaml(DOC, "[1]"), Some(7));
        // Missing: the deepest ancestor.
        assert_eq!(locate_yaml(DOC, "[1].absent"), Some(7));
    }

    #[test]
    fn finds_keys_of_a_single_case() {
        let doc = "name: one\nfacts_file: f.json\ndecision: allowed\n";
        assert_eq!(locate_yaml(doc, "decision"), Some(3));
        let flat = "name: x\nfindings:\n- a\n- b\nstatus: 403\n";
        assert_eq!(locate_yaml(flat, "findings[1]"), Some(4));
        assert_eq!(locate_yaml(flat, "status"), Some(5));
    }
}
