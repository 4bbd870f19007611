//! Where JSON paths stand in the text of a fact document, so a finding can point at the
//! line of the statement that refused the request. A small scanner over the JSON text
//! (serde_json keeps no positions); paths use the `a.b[2].c` form of [`FieldError`]. All
//! the paths of a record are found in one scan: a batch locates every finding of every
//! record, and one scan per finding grew with their product.
//!
//! [`FieldError`]: crate::aws::field::FieldError

/// 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The position of the value at `path`, or of its deepest ancestor present in the text
/// (a policy given as a string has no positions inside it). Text that is not JSON (YAML)
/// gives at most the position of the document itself.
pub fn locate(text: &str, path: &str) -> Option<Position> {
    locate_all(text, &[path]).into_iter().next().flatten()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The same path grammar as `facts::locate`: `a.b[2].c`.
fn split_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                steps.push(Step::Index(n));
            }
        }
    }
    steps
}

/// For each path, the position of its value, or of its deepest ancestor present in the
/// text, as [`locate`] answers for it alone.
pub fn locate_all(text: &str, paths: &[&str]) -> Vec<Option<Position>> {
    let targets: Vec<Vec<Step>> = paths.iter().map(|p| split_path(p)).collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        i: 0,
        targets: &targets,
        best: vec![None; paths.len()],
    };
    scanner.skip_ws();
    let all: Vec<usize> = (0..targets.len()).collect();
    // A scan that stops early (malformed text) still leaves the best positions found.
    let _ = scanner.value(0, &all);
    positions(text, &scanner.best)
}

/// Byte offsets to lines and columns (columns count characters), in one pass: lines
/// by `memchr`, characters by the standard library's word-at-a-time count (a record of
/// NDJSON is one long line, so every column counts up to its offset).
fn positions(text: &str, offsets: &[Option<usize>]) -> Vec<Option<Position>> {
    let mut order: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .filter_map(|(k, o)| o.map(|o| (o, k)))
        .collect();
    order.sort_unstable();
    let mut out = vec![None; offsets.len()];
    let (mut line, mut column, mut at) = (1, 1, 0);
    for (offset, k) in order {
        // Offsets are where values start: ASCII, so on character boundaries.
        let seg = text.get(at..offset).unwrap_or_default();
        match memchr::memrchr(b'\n', seg.as_bytes()) {
            Some(last) => {
                line += memchr::memchr_iter(b'\n', seg.as_bytes()).count();
                column = 1 + seg.get(last + 1..).unwrap_or_default().chars().count();
            }
            None => column += seg.chars().count(),
        }
        at = at.max(offset);
        out[k] = Some(Position { line, column });
    }
    out
}

/// Scans by byte offset; positions become lines and columns at the end, for the few
/// values found (counting them for every byte was most of the time).
struct Scanner<'a> {
    bytes: &'a [u8],
    i: usize,
    targets: &'a [Vec<Step>],
    /// Per target: the offset of its deepest ancestor (or itself) seen so far.
    best: Vec<Option<usize>>,
}

/// Deeper nesting than this is not located (as in `facts::locate`).
const MAX_DEPTH: usize = 256;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn bump(&mut self) {
        self.i += 1;
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.bump())
    }

    /// Scans one value at depth `depth`; `relevant` are the targets whose first `depth`
    /// steps lead to it (its offset is recorded for each). A child is compared with
    /// those targets' next step only, so a record's cost grows with its size plus the
    /// path steps, not their product (a policy of 600 statements with 40 findings in it
    /// compared every statement with every finding's whole path).
    fn value(&mut self, depth: usize, relevant: &[usize]) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let here = self.i;
        for &t in relevant {
            self.best[t] = Some(here);
        }
        let deeper = relevant.iter().any(|&t| self.targets[t].len() > depth);
        match self.peek()? {
            // No target goes inside: step over it.
            b'{' | b'[' if !deeper => self.skip_container(depth),
            b'{' => {
                self.bump();
                self.skip_ws();
                if self.peek()? == b'}' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.skip_ws();
                    let key = Step::Key(self.string(true)?);
                    self.expect(b':')?;
                    let inner = self.next_step(relevant, depth, &key);
                    self.value(depth + 1, &inner)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.bump(),
                        b'}' => {
                            self.bump();
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.bump();
                self.skip_ws();
                if self.peek()? == b']' {
                    self.bump();
                    return Some(());
                }
                let mut n = 0;
                loop {
                    let inner = self.next_step(relevant, depth, &Step::Index(n));
                    self.value(depth + 1, &inner)?;
                    n += 1;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.bump(),
                        b']' => {
                            self.bump();
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string(false).map(|_| ()),
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// The targets among `relevant` whose step at `depth` is `step` (no allocation when
    /// none is: most children of a visited array).
    fn next_step(&self, relevant: &[usize], depth: usize, step: &Step) -> Vec<usize> {
        relevant
            .iter()
            .copied()
            .filter(|&t| self.targets[t].get(depth) == Some(step))
            .collect()
    }

    /// Steps over an object or array, strings included, to just after its close.
    fn skip_container(&mut self, depth: usize) -> Option<()> {
        let mut open = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string(false)?;
                    continue;
                }
                b'{' | b'[' => {
                    open += 1;
                    if depth + open > MAX_DEPTH + 1 {
                        return None;
                    }
                }
                b'}' | b']' => {
                    open -= 1;
                    if open == 0 {
                        self.bump();
                        return Some(());
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// Scans a string; decodes it only when `decode` (a key on a path some target goes
    /// down), since no other key can be matched (an empty key then stands in for it).
    fn string(&mut self, decode: bool) -> Option<String> {
        self.skip_ws();
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i;
        self.bump();
        loop {
            let rest = self.bytes.get(self.i..)?;
            self.i += memchr::memchr2(b'"', b'\\', rest)?;
            match self.peek()? {
                b'\\' => self.i += 2,
                _ => {
                    self.bump();
                    break;
                }
            }
        }
        if !decode {
            return Some(String::new());
        }
        serde_json::from_slice(&self.bytes[start..self.i]).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_statements() {
        let text = "{\n  \"bucket\": {\n    \"policy\": {\n      \"Statement\": [\n        {\"Sid\": \"A\"},\n        {\"Sid\": \"B\"}\n      ]\n    }\n  }\n}\n";
        assert_eq!(
            locate(text, "bucket.policy.Statement[1]"),
            Some(Position { line: 6, column: 9 })
        );
        assert_eq!(
            locate(text, "bucket.policy.Statement[0].Sid"),
            Some(Position {
                line: 5,
                column: 17
            })
        );
        // Deepest present ancestor.
        assert_eq!(
            locate(text, "bucket.policy.Statement[7]"),
            Some(Position {
                line: 4,
                column: 20
            })
        );
        assert_eq!(
            locate("{\"a\": [1, ", "a[5]"),
            Some(Position { line: 1, column: 7 })
        );
    }

    #[test]
    fn keys_with_escapes_and_dots_in_values() {
        let text = r#"{"a\"b": 1, "c": {"d.e": [1, {"f": 2}]}}"#;
        assert_eq!(
            locate(text, "c"),
            Some(Position {
                line: 1,
                column: 18
            })
        );
    }

    /// Subtrees no path enters are stepped over: brackets and quotes inside their
    /// strings, nested containers and multi-byte characters do not throw the scan off, and
    /// columns count characters. (Expected positions counted by hand and with Python's
    /// `str.index` on the same text.)
    #[test]
    fn skipped_subtrees_keep_positions_right() {
        let text = "{\"skip\": {\"s\": \"]}\\\"{[\", \"n\": [[{}], {\"é\": \"ü\"}]},\n \"é\": 1, \"b\": [0, {\"c\": 2}]}";
        assert_eq!(
            locate(text, "b[1].c"),
            Some(Position {
                line: 2,
                column: 25
            })
        );
        assert_eq!(locate(text, "é"), Some(Position { line: 2, column: 7 }));
        // Several paths at once, one of them missing (its deepest ancestor answers).
        assert_eq!(
            locate_all(text, &["b[1]", "skip.n[1]", "b[5]"]),
            vec![
                Some(Position {
                    line: 2,
                    column: 19
                }),
                Some(Position {
                    line: 1,
                    column: 38
                }),
                Some(Position {
                    line: 2,
                    column: 15
                }),
            ]
        );
    }

    const DOC: &str = r#"{
  "identity": {"policies": [{"name": "A", "document": {"Statement": [
    {"Sid": "x\"y", "Effect": "Allow"},
    {"Sid": "é", "Effect": "Deny"}
  ]}}]},
  "bucket": {"policy": "{\"Statement\": []}", "": 1}
}"#;

    #[test]
    fn one_scan_finds_what_one_scan_per_path_finds() {
        let paths = [
            "identity.policies[0].document.Statement[1]",
            "identity.policies[0].document.Statement[1].Effect",
            "identity.policies[0].document.Statement[0].Sid",
            "identity.policies[0].document.Statement[7]",
            "bucket.policy.Statement[0]",
            "bucket.nothing",
            "",
            "nowhere.at.all",
        ];
        let all = locate_all(DOC, &paths);
        for (p, got) in paths.iter().zip(&all) {
            assert_eq!(*got, locate(DOC, p), "{p}");
        }
        assert!(all[0].is_some());
        // Malformed and non-JSON text behave as facts::locate does, too.
        for text in ["{\"a\": [1, 2", "a: b\n", ""] {
            assert_eq!(
                locate_all(text, &["a[1]"])[0],
                locate(text, "a[1]"),
                "{text}"
            );
        }
    }
}
