//! The case format (`docs/testing.md`): a case file holds one case or a list of them;
//! each names a fact document (inline `facts:` or `facts_file:`, relative to the case
//! file) and what must hold of its verdict. The serde model is strict (unknown fields are
//! errors with their line), and a case that asserts nothing is refused: it could only
//! ever pass.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::locate::line_of;
use super::LoadError;
use crate::facts::{Facts, FactsError, Format};

/// One case as written (the strict serde model).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDoc {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    facts: Option<Value>,
    #[serde(default)]
    facts_file: Option<String>,
    #[serde(default)]
    decision: Option<DecisionDoc>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    findings: Option<Vec<String>>,
    #[serde(default)]
    absent: Option<Vec<String>>,
    #[serde(default)]
    snapshot: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum DecisionDoc {
    Allowed,
    Denied,
}

/// A value expected of the verdict, with the line of the case file that states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<T> {
    /// What the case expects.
    pub value: T,
    /// 1-based line of the expectation in the case file.
    pub line: usize,
}

/// One loaded case, ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's name (unique in its file).
    pub name: String,
    /// Its optional description (documentation only).
    pub description: Option<String>,
    /// The case file, as reached from the paths given to the runner.
    pub file: PathBuf,
    /// 1-based line where the case starts.
    pub line: usize,
    /// The fact document.
    pub facts: Box<Facts>,
    /// What the verdict's `source` says: the `facts_file` as written, or `inline`.
    pub source: String,
    /// `allowed` or `denied`.
    pub decision: Option<Expected<String>>,
    /// The HTTP status.
    pub status: Option<Expected<u16>>,
    /// The error code (`AccessDenied`, ...).
    pub error_code: Option<Expected<String>>,
    /// Finding ids that must appear.
    pub findings: Vec<Expected<String>>,
    /// Finding ids that must not appear.
    pub absent: Vec<Expected<String>>,
    /// The snapshot file, when the case asks for one (with the line of `snapshot: true`).
    pub snapshot: Option<Expected<PathBuf>>,
}

/// Reads one case file. `known_ids` are the finding ids of the loaded ruleset: naming any
/// other id in `findings`/`absent` would make the expectation vacuous, so it is an error.
pub fn load_file(path: &Path, known_ids: &BTreeSet<String>) -> Result<Vec<Case>, Vec<LoadError>> {
    let shown = path.display().to_string();
    let text = crate::text::read(path)
        .map_err(|e| vec![LoadError::new(&shown, 0, format!("cannot read: {e}"))])?;
    let yaml = Format::from_path(&shown) == Format::Yaml;
    let list = is_list(&text, yaml, &shown).map_err(|e| vec![e])?;
    let docs = parse(&text, yaml, list, &shown).map_err(|e| vec![e])?;
    if docs.is_empty() {
        return Err(vec![LoadError::new(&shown, 1, "the file holds no cases")]);
    }
    let single = !list;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    let mut slugs = BTreeSet::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let prefix = if single {
            String::new()
        } else {
            format!("[{i}]")
        };
        let at = |field: &str| {
            let p = if field.is_empty() {
                prefix.clone()
            } else if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            line_of(&text, yaml, &p).unwrap_or(1)
        };
        let ctx = Ctx {
            path,
            shown: &shown,
            at: &at,
            known_ids,
        };
        match build(doc, &ctx) {
            Ok(case) => {
                if !slugs.insert(slug(&case.name)) {
                    errors.push(LoadError::new(
                        &shown,
                        case.line,
                        format!(
                            "case \"{}\": another case of this file has the same name (or one that gives the same snapshot file name)",
                            case.name
                        ),
                    ));
                }
                cases.push(case);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        // Errors located by their field's line start where the field's text does.
        for e in &mut errors {
            if e.column.is_none() && e.line > 0 {
                e.column = text
                    .lines()
                    .nth(e.line - 1)
                    .map(|l| l.chars().take_while(|c| c.is_whitespace()).count() + 1);
            }
        }
        Err(errors)
    }
}

/// Whether the document's top level is a list; a syntax error is reported here, with
/// the parser's line and column, before the strict parse.
fn is_list(text: &str, yaml: bool, shown: &str) -> Result<bool, LoadError> {
    if yaml {
        match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
            Ok(serde_yaml_ng::Value::Null) => {
                Err(LoadError::new(shown, 1, "the file holds no cases"))
            }
            Ok(v) => Ok(v.is_sequence()),
            Err(e) => {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                Err(syntax_error(
                    shown,
                    line,
                    column,
                    format!("invalid YAML: {e}"),
                ))
            }
        }
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Ok(v.is_array()),
            Err(e) => Err(syntax_error(
                shown,
                e.line(),
                crate::text::char_column(text, e.line(), e.column()),
                format!("invalid JSON: {e}"),
            )),
        }
    }
}

/// An error at the parser's position, its message without serde's own " at line L
/// column C" (the position is already in front) and naming a case as a case.
fn syntax_error(shown: &str, line: usize, column: usize, message: String) -> LoadError {
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    // serde_yaml_ng names the path as `.[0]`; the case's index reads better as `[0]`.
    let message = message
        .strip_prefix('.')
        .filter(|m| m.starts_with('['))
        .map_or(message.clone(), str::to_string)
        .replace(
            "struct CaseDoc",
            "a case (a mapping with `name`, the facts and expectations)",
        );
    LoadError {
        file: shown.to_string(),
        line,
        column: Some(column),
        message,
    }
}

/// The strict parse, one case or a list; errors carry the parser's line and column.
fn parse(text: &str, yaml: bool, list: bool, shown: &str) -> Result<Vec<CaseDoc>, LoadError> {
    if yaml {
        let result = if list {
            serde_yaml_ng::from_str::<Vec<CaseDoc>>(text)
        } else {
            serde_yaml_ng::from_str::<CaseDoc>(text).map(|c| vec![c])
        };
        result.map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            syntax_error(shown, line, column, e.to_string())
        })
    } else {
        let result = if list {
            serde_json::from_str::<Vec<CaseDoc>>(text)
        } else {
            serde_json::from_str::<CaseDoc>(text).map(|c| vec![c])
        };
        result.map_err(|e| {
            let column = crate::text::char_column(text, e.line(), e.column());
            syntax_error(shown, e.line(), column, e.to_string())
        })
    }
}

struct Ctx<'a> {
    path: &'a Path,
    shown: &'a str,
    at: &'a dyn Fn(&str) -> usize,
    known_ids: &'a BTreeSet<String>,
}

fn build(doc: CaseDoc, ctx: &Ctx<'_>) -> Result<Case, Vec<LoadError>> {
    let line = (ctx.at)("");
    let name = doc.name.trim().to_string();
    let err = |field: &str, message: String| {
        LoadError::new(
            ctx.shown,
            (ctx.at)(field),
            format!("case \"{name}\": {message}"),
        )
    };
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(err("name", "`name` must not be empty".into()));
    }
    let facts = match (&doc.facts, &doc.facts_file) {
        (Some(value), None) => Facts::from_value(value).map_err(|e| {
            let field = if e.path.is_empty() {
                "facts".to_string()
            } else {
                format!("facts.{}", e.path)
            };
            err(&field, format!("{field}: {}", e.message))
        }),
        (None, Some(rel)) => read_facts_file(ctx.path, rel).map_err(|m| err("facts_file", m)),
        (Some(_), Some(_)) => Err(err(
            "facts_file",
            "give the fact document either inline (`facts`) or by path (`facts_file`), not both".into(),
        )),
        (None, None) => Err(err(
            "",
            "missing the fact document: give `facts` (inline) or `facts_file` (a path relative to the case file)".into(),
        )),
    };
    let mut ids = |field: &str, list: &Option<Vec<String>>| -> Vec<Expected<String>> {
        let Some(list) = list else { return Vec::new() };
        if list.is_empty() {
            errors.push(err(
                field,
                format!("`{field}: []` asserts nothing: list finding ids, or leave `{field}` out"),
            ));
        }
        let mut out = Vec::new();
        for (i, id) in list.iter().enumerate() {
            let line = (ctx.at)(&format!("{field}[{i}]"));
            if !ctx.known_ids.contains(id) {
                let hint = crate::lang::diag::suggest(id, ctx.known_ids.iter().map(String::as_str))
                    .map(|near| format!(" (did you mean `{near}`?)"))
                    .unwrap_or_default();
                errors.push(LoadError::new(
                    ctx.shown,
                    line,
                    format!(
                        "case \"{name}\": `{field}` names `{id}`, which no rule of the loaded ruleset reports{hint} (see `s3why rules list`); the expectation could never fail"
                    ),
                ));
            }
            out.push(Expected {
                value: id.clone(),
                line,
            });
        }
        out
    };
    let findings = ids("findings", &doc.findings);
    let absent = ids("absent", &doc.absent);
    for f in &findings {
        if absent.iter().any(|a| a.value == f.value) {
            errors.push(err(
                "absent",
                format!("`{}` is both in `findings` and in `absent`", f.value),
            ));
        }
    }
    let decision = doc.decision.map(|d| Expected {
        value: match d {
            DecisionDoc::Allowed => "allowed".to_string(),
            DecisionDoc::Denied => "denied".to_string(),
        },
        line: (ctx.at)("decision"),
    });
    let status = doc.status.map(|value| Expected {
        value,
        line: (ctx.at)("status"),
    });
    let error_code = doc.error_code.map(|value| Expected {
        value,
        line: (ctx.at)("error_code"),
    });
    let asserts = decision.is_some()
        || status.is_some()
        || error_code.is_some()
        || !findings.is_empty()
        || !absent.is_empty()
        || doc.snapshot;
    if !asserts {
        errors.push(err(
            "",
            "the case asserts nothing (it could never fail): give `decision`, `status`, `error_code`, `findings`, `absent` or `snapshot: true`".into(),
        ));
    }
    let facts = match facts {
        Ok(f) => Some(f),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let (Some(facts), true) = (facts, errors.is_empty()) else {
        return Err(errors);
    };
    let snapshot = doc.snapshot.then(|| Expected {
        value: snapshot_path(ctx.path, &name),
        line: (ctx.at)("snapshot"),
    });
    Ok(Case {
        source: doc.facts_file.clone().unwrap_or_else(|| "inline".into()),
        name,
        description: doc.description,
        file: ctx.path.to_path_buf(),
        line,
        facts: Box::new(facts),
        decision,
        status,
        error_code,
        findings,
        absent,
        snapshot,
    })
}

fn read_facts_file(case_file: &Path, rel: &str) -> Result<Facts, String> {
    let base = case_file.parent().unwrap_or(Path::new("."));
    let path = base.join(rel);
    let shown = path.display().to_string();
    let text =
        crate::text::read(&path).map_err(|e| format!("facts_file: cannot read {shown}: {e}"))?;
    Facts::from_text(&text, Format::from_path(&shown), &shown)
        .map_err(|e: FactsError| format!("facts_file: {e}"))
}

/// The file name of a case file without its case suffix: `kms.case.yaml` → `kms`.
pub fn case_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    for suffix in super::discover::CASE_SUFFIXES {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    match name.rfind('.') {
        Some(i) if i > 0 => name[..i].to_string(),
        _ => name,
    }
}

/// A case name as a file name: letters, digits, `-`, `_` and `.` kept, the rest `-`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `<dir>/snapshots/<stem>@<case>.snap`, beside the case file, named as insta names them.
pub fn snapshot_path(case_file: &Path, name: &str) -> PathBuf {
    let dir = case_file.parent().unwrap_or(Path::new("."));
    dir.join("snapshots")
        .join(format!("{}@{}.snap", case_stem(case_file), slug(name)))
}
