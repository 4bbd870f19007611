//! Located input errors: the JSON path of the offending field and what was expected.
//!
//! Every error s3why reports about a fact document or a policy carries the path of the
//! field (`bucket.policy.Statement[2].Condition.IpAddress.aws:SourceIp`), so a user can find
//! it in a document of any size.

use std::fmt;

/// A field that does not have the shape or value AWS accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted JSON path, with `[i]` for array elements.
    pub path: String,
    /// What is wrong and what was expected, lower-case, no trailing period.
    pub message: String,
}

impl FieldError {
    pub fn new(path: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for FieldError {}

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        return key.to_string();
    }
    // Not `format!`: paths are joined for every statement of every policy read.
    let mut path = String::with_capacity(parent.len() + 1 + key.len());
    path.push_str(parent);
    path.push('.');
    path.push_str(key);
    path
}

/// `parent[i]`. Not `format!` either: every statement's path is one.
pub fn index(parent: &str, i: usize) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = i;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[at..]).unwrap_or_default();
    let mut path = String::with_capacity(parent.len() + digits.len() + 2);
    path.push_str(parent);
    path.push('[');
    path.push_str(digits);
    path.push(']');
    path
}

/// A short, human description of a JSON value's type, for "expected X, found Y".
pub fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Rejects keys outside `allowed`, naming the closest allowed key when one is near.
pub fn check_keys(
    path: &str,
    object: &serde_json::Map<String, serde_json::Value>,
    allowed: &[&str],
) -> Result<(), FieldError> {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            let hint = closest(key, allowed)
                .map(|k| format!(" (did you mean {k:?}?)"))
                .unwrap_or_default();
            return Err(FieldError::new(
                &join(path, key),
                format!(
                    "unknown field{hint}; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The candidate within edit distance 2 (case-insensitive) of `word`, if any.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_the_near_miss() {
        let obj = serde_json::json!({"Efect": "Allow"});
        let err = check_keys(
            "p.Statement[0]",
            obj.as_object().unwrap(),
            &["Effect", "Sid"],
        )
        .unwrap_err();
        assert_eq!(err.path, "p.Statement[0].Efect");
        assert!(
            err.message.contains("did you mean \"Effect\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn index_paths_match_format() {
        for (parent, i) in [
            ("a.Statement", 0),
            ("x", 7),
            ("", 10),
            ("p[3]", 123_456),
            ("q", usize::MAX),
        ] {
            assert_eq!(index(parent, i), format!("{parent}[{i}]"));
        }
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
