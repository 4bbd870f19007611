//! Suppressions (issue 5): a YAML or JSON file of entries
//! `{id, bucket?, principal?, source?, reason, expires?}`. A finding whose id matches an
//! entry, inside every scope the entry gives, is marked `"suppressed": {"reason": ...}`
//! and no longer counts against the exit status. Scopes are globs (`*` matches `/` too,
//! so `arn:aws:iam::111122223333:role/*` covers every role). An entry past its `expires`
//! date (an ISO date, the last day it applies) does not apply and is reported; an entry
//! that suppressed nothing is reported at the end.
//!
//! Used from several threads at once: usage is counted with atomics.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde_json::{json, Map, Value};

/// A suppressions file that could not be read: the file, the line and path in it and
/// what was expected there (`s.yaml:7: suppressions[1].expires: expected ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionsError {
    pub file: String,
    /// The 1-based line of `path` in the file, when it could be found.
    pub line: Option<usize>,
    /// A JSON-path-like location (`[2].expires`), `$` for the whole document.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SuppressionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}: {}", self.file, self.path, self.message),
            None => write!(f, "{}: {}: {}", self.file, self.path, self.message),
        }
    }
}

impl std::error::Error for SuppressionsError {}

/// One entry of the file.
#[derive(Debug)]
pub struct Suppression {
    /// The finding id it suppresses.
    pub id: String,
    pub bucket: Option<Scope>,
    pub principal: Option<Scope>,
    pub source: Option<Scope>,
    pub reason: String,
    /// The last day the entry applies.
    pub expires: Option<NaiveDate>,
    /// Its place in the file (`[3]`), for reports.
    pub path: String,
    uses: AtomicU64,
}

/// One scope glob, with its text for reports.
#[derive(Debug)]
pub struct Scope {
    pub pattern: String,
    matcher: GlobMatcher,
}

/// Where a verdict's findings come from, to match scopes against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The record's source (`file:line` or `file`).
    pub source: &'a str,
    pub bucket: &'a str,
    /// The principal ARN as the facts give it.
    pub principal: &'a str,
}

/// What applying suppressions to one verdict did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings marked suppressed.
    pub suppressed: usize,
    /// There is at least one `error` finding and every one is suppressed.
    pub all_errors_suppressed: bool,
}

/// Every entry of a suppressions file.
#[derive(Debug, Default)]
pub struct Suppressions {
    entries: Vec<Suppression>,
}

const FIELDS: &[&str] = &["id", "bucket", "principal", "source", "reason", "expires"];

impl Suppressions {
    /// Reads a suppressions file: JSON when it ends `.json`, YAML otherwise. Every
    /// malformed entry is reported, in file order.
    pub fn load(path: &Path) -> Result<Suppressions, Vec<SuppressionsError>> {
        let file = path.display().to_string();
        let text = crate::text::read(path).map_err(|e| {
            vec![SuppressionsError {
                file: file.clone(),
                line: None,
                path: "$".into(),
                message: format!("cannot read: {e}"),
            }]
        })?;
        let json = path.extension().is_some_and(|e| e == "json");
        Suppressions::from_text(&text, json, &file)
    }

    /// Reads suppressions from text. The document is a list of entries, or an object
    /// whose `suppressions` member is one. `Err` holds every problem (at least one): a
    /// file that does not parse is one, and each malformed entry is one.
    pub fn from_text(
        text: &str,
        json: bool,
        file: &str,
    ) -> Result<Suppressions, Vec<SuppressionsError>> {
        let err = |path: &str, message: String| {
            vec![SuppressionsError {
                file: file.to_string(),
                line: None,
                path: path.to_string(),
                message,
            }]
        };
        if text.trim().is_empty() {
            // Neither a list nor an object: most likely a file not written yet. `[]`
            // says "no suppressions" on purpose.
            return Err(err(
                "$",
                "the file is empty: expected a list of suppressions (`[]` for none)".into(),
            ));
        }
        let doc: Value = if json {
            serde_json::from_str(text).map_err(|e| {
                err(
                    "$",
                    format!(
                        "invalid JSON at line {} column {}: {}",
                        e.line(),
                        crate::text::char_column(text, e.line(), e.column()),
                        e.to_string().split(" at line ").next().unwrap_or_default()
                    ),
                )
            })?
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| err("$", format!("invalid YAML: {e}")))?
        };
        let (list, prefix) = match &doc {
            Value::Array(list) => (list, ""),
            Value::Object(o) if o.len() == 1 && o.contains_key("suppressions") => {
                match &o["suppressions"] {
                    Value::Array(list) => (list, "suppressions"),
                    _ => {
                        return Err(err(
                            "suppressions",
                            "expected a list of suppressions".into(),
                        ))
                    }
                }
            }
            Value::Null => return Ok(Suppressions::default()),
            _ => {
                return Err(err(
                    "$",
                    "expected a list of suppressions (or an object with only `suppressions`)"
                        .into(),
                ))
            }
        };
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (i, v) in list.iter().enumerate() {
            match entry(v, &format!("{prefix}[{i}]")) {
                Ok(e) => entries.push(e),
                Err((p, m)) => errors.extend(err(&p, m)),
            }
        }
        if errors.is_empty() {
            Ok(Suppressions { entries })
        } else {
            for e in &mut errors {
                e.line = crate::testing::locate::line_of(text, !json, &e.path);
            }
            Err(errors)
        }
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Suppression] {
        &self.entries
    }

    /// The entries past their expiry date on `today` (they never apply).
    pub fn expired(&self, today: NaiveDate) -> Vec<&Suppression> {
        self.entries
            .iter()
            .filter(|s| s.is_expired(today))
            .collect()
    }

    /// The unexpired entries that have suppressed nothing so far.
    pub fn unused(&self, today: NaiveDate) -> Vec<&Suppression> {
        self.entries
            .iter()
            .filter(|s| !s.is_expired(today) && s.uses() == 0)
            .collect()
    }

    /// Whether there are no entries (nothing to mark).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Marks the findings of a verdict record that an unexpired entry covers, and says
    /// whether every `error` finding is now suppressed. `verdict` is the record of
    /// `report::verdict_record`; an error record is left alone.
    pub fn apply(&self, verdict: &mut Value, target: &Target, today: NaiveDate) -> Applied {
        let mut applied = Applied::default();
        let Some(findings) = verdict.get_mut("findings").and_then(Value::as_array_mut) else {
            return applied;
        };
        let (mut errors, mut errors_suppressed) = (0usize, 0usize);
        for f in findings.iter_mut() {
            let is_error = f.get("severity").and_then(Value::as_str) == Some("error");
            errors += usize::from(is_error);
            let id = f.get("id").and_then(Value::as_str).unwrap_or("");
            let hit = self
                .entries
                .iter()
                .find(|s| s.id == id && !s.is_expired(today) && s.covers(target));
            if let (Some(s), Some(obj)) = (hit, f.as_object_mut()) {
                s.uses.fetch_add(1, Ordering::Relaxed);
                obj.insert("suppressed".into(), json!({"reason": s.reason}));
                applied.suppressed += 1;
                errors_suppressed += usize::from(is_error);
            }
        }
        applied.all_errors_suppressed = errors > 0 && errors == errors_suppressed;
        applied
    }
}

impl Suppression {
    /// Whether the entry no longer applies on `today`.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// How many findings it has suppressed.
    pub fn uses(&self) -> u64 {
        self.uses.load(Ordering::Relaxed)
    }

    /// Whether the target is inside every scope the entry gives. A source scope matches
    /// the whole source (`corpus.ndjson:12`) or its file alone (`corpus.ndjson`).
    fn covers(&self, t: &Target) -> bool {
        let ok = |scope: &Option<Scope>, value: &str| {
            scope.as_ref().map_or(true, |s| s.matcher.is_match(value))
        };
        let file = super::sarif::split_source(t.source).0;
        ok(&self.bucket, t.bucket)
            && ok(&self.principal, t.principal)
            && (ok(&self.source, t.source) || ok(&self.source, file))
    }

    /// One line for people: where it is, what it suppresses, and why.
    pub fn describe(&self) -> String {
        let mut scope = Vec::new();
        for (name, s) in [
            ("bucket", &self.bucket),
            ("principal", &self.principal),
            ("source", &self.source),
        ] {
            if let Some(s) = s {
                scope.push(format!("{name} {}", s.pattern));
            }
        }
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!(" ({})", scope.join(", "))
        };
        format!("{} {}{scope}: {}", self.path, self.id, self.reason)
    }
}

/// Today's date in UTC: the run's instant (`S3WHY_NOW` or the clock, `clock.rs`).
pub fn today_utc() -> NaiveDate {
    crate::clock::now().date
}

type EntryError = (String, String);

/// Reads one entry at `path`.
fn entry(v: &Value, path: &str) -> Result<Suppression, EntryError> {
    let Value::Object(o) = v else {
        return Err((
            path.into(),
            "expected an object with `id` and `reason`".into(),
        ));
    };
    if let Some(k) = o.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err((
            format!("{path}.{k}"),
            format!("unknown field; expected one of {}", FIELDS.join(", ")),
        ));
    }
    let id = string(o, path, "id")?.ok_or((
        format!("{path}.id"),
        "required: the finding id to suppress".into(),
    ))?;
    let reason = string(o, path, "reason")?
        .filter(|r| !r.trim().is_empty())
        .ok_or((
            format!("{path}.reason"),
            "required: why the finding is accepted".into(),
        ))?;
    let expires = match string(o, path, "expires")? {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
            (
                format!("{path}.expires"),
                format!("expected an ISO date (YYYY-MM-DD), got {d:?}"),
            )
        })?),
    };
    Ok(Suppression {
        id,
        bucket: scope(o, path, "bucket")?,
        principal: scope(o, path, "principal")?,
        source: scope(o, path, "source")?,
        reason,
        expires,
        path: path.to_string(),
        uses: AtomicU64::new(0),
    })
}

/// An optional string member. YAML reads an unquoted date as a string already.
fn string(o: &Map<String, Value>, path: &str, key: &str) -> Result<Option<String>, EntryError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err((
            format!("{path}.{key}"),
            format!("expected a string, got {other}"),
        )),
    }
}

/// An optional glob member.
fn scope(o: &Map<String, Value>, path: &str, key: &str) -> Result<Option<Scope>, EntryError> {
    let Some(pattern) = string(o, path, key)? else {
        return Ok(None);
    };
    let glob =
        Glob::new(&pattern).map_err(|e| (format!("{path}.{key}"), format!("invalid glob: {e}")))?;
    Ok(Some(Scope {
        pattern,
        matcher: glob.compile_matcher(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    const T: Target = Target {
        source: "corpus.ndjson:7",
        bucket: "logs-prod",
        principal: "arn:aws:iam::111122223333:role/ci/deployer",
    };

    fn verdict() -> Value {
        json!({"findings": [
            {"id": "scp-no-allow", "severity": "error"},
            {"id": "bucket-policy-acl", "severity": "error"},
            {"id": "scp-no-allow", "severity": "warning"},
        ]})
    }

    #[test]
    fn scopes_and_expiry() {
        let s = Suppressions::from_text(
            "- {id: scp-no-allow, bucket: 'logs-*', principal: 'arn:aws:iam::111122223333:role/*', reason: known}\n\
             - {id: bucket-policy-acl, source: corpus.ndjson, reason: old, expires: 2020-01-31}\n\
             - {id: bucket-policy-acl, bucket: other, reason: elsewhere}\n",
            false,
            "s.yaml",
        );
        let s = match s {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        };
        let mut v = verdict();
        let a = s.apply(&mut v, &T, day("2020-01-31"));
        assert_eq!(
            a,
            Applied {
                suppressed: 3,
                all_errors_suppressed: true
            }
        );
        let mut v = verdict();
        let a = s.apply(&mut v, &T, day("2020-02-01"));
        assert_eq!(
            a,
            Applied {
                suppressed: 2,
                all_errors_suppressed: false
            }
        );
        assert!(v["findings"][1].get("suppressed").is_none());
        assert_eq!(v["findings"][0]["suppressed"]["reason"], "known");
        assert_eq!(s.expired(day("2020-02-01")).len(), 1);
        assert_eq!(s.unused(day("2020-02-01"))[0].path, "[2]");
    }

    #[test]
    fn no_error_findings_is_not_all_suppressed() {
        let s = Suppressions::default();
        let mut v = json!({"findings": []});
        assert!(!s.apply(&mut v, &T, day("2020-01-01")).all_errors_suppressed);
    }

    /// Each error names the file, the line of the entry's field (or of the entry, for a
    /// missing field) and its path.
    #[test]
    fn malformed_entries_name_file_and_path() {
        let e = |text: &str| {
            Suppressions::from_text(text, false, "s.yaml")
                .err()
                .map(|es| {
                    es.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
        };
        assert_eq!(
            e("- {id: a, reason: r, expires: tomorrow}"),
            Some(
                "s.yaml:1: [0].expires: expected an ISO date (YYYY-MM-DD), got \"tomorrow\"".into()
            )
        );
        assert_eq!(
            e("suppressions:\n  - {id: a}"),
            Some("s.yaml:2: suppressions[0].reason: required: why the finding is accepted".into())
        );
        assert_eq!(
            e("- {id: a, reason: r, bucket: '[x'}")
                .map(|m| m.starts_with("s.yaml:1: [0].bucket: invalid glob")),
            Some(true)
        );
        // Every malformed entry at once, in file order.
        assert_eq!(
            e("- {id: a, reason: r, expires: tomorrow}\n- {id: b, reason: r}\n- {id: c}"),
            Some("s.yaml:1: [0].expires: expected an ISO date (YYYY-MM-DD), got \"tomorrow\"\ns.yaml:3: [2].reason: required: why the finding is accepted".into())
        );
        assert_eq!(
            e("- {id: a, reason: r, scope: x}"),
            Some("s.yaml:1: [0].scope: unknown field; expected one of id, bucket, principal, source, reason, expires".into())
        );
    }
}
