//! Rules are data: the bundled ruleset (`rulesets/bundled/*.s3why`, compiled into the
//! binary) plus any rule files a team adds with `--rules`, loaded and compiled once, and
//! evaluated per record to name the causes of a verdict and their fixes.
//!
//! Every package may define a `findings` set; the findings of a record are the union
//! of all of them, completed from each rule's metadata (severity, title, docs) and sorted.

pub mod host;
mod view;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::aws::Verdict;
use crate::facts::Facts;
use crate::lang::cli_support::collect_rule_files;
use crate::lang::compile::InputReads;
use crate::lang::{LoadError, Loader, Program, RuleInfo, Value};

pub use host::{RuleHost, AWS};

/// The bundled rule files, by their path in the repository. A test checks that every
/// file under `rulesets/bundled/` is listed here.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "rulesets/bundled/common.s3why",
        include_str!("../../rulesets/bundled/common.s3why"),
    ),
    (
        "rulesets/bundled/s3_settings.s3why",
        include_str!("../../rulesets/bundled/s3_settings.s3why"),
    ),
    (
        "rulesets/bundled/identity.s3why",
        include_str!("../../rulesets/bundled/identity.s3why"),
    ),
    (
        "rulesets/bundled/bucket_policy.s3why",
        include_str!("../../rulesets/bundled/bucket_policy.s3why"),
    ),
    (
        "rulesets/bundled/organizations.s3why",
        include_str!("../../rulesets/bundled/organizations.s3why"),
    ),
    (
        "rulesets/bundled/session.s3why",
        include_str!("../../rulesets/bundled/session.s3why"),
    ),
    (
        "rulesets/bundled/vpc_endpoint.s3why",
        include_str!("../../rulesets/bundled/vpc_endpoint.s3why"),
    ),
    (
        "rulesets/bundled/kms.s3why",
        include_str!("../../rulesets/bundled/kms.s3why"),
    ),
];

/// The parts of `doc` that `reads` names; at the top (`top`) the request is kept whole.
/// A part read below a value that is not an object is that whole value (the rules find
/// nothing there either way).
fn project(doc: &Json, reads: &InputReads, top: bool) -> Value {
    let Json::Object(fields) = doc else {
        return Value::from_json(doc);
    };
    Value::object(
        fields
            .iter()
            .filter_map(|(k, v)| {
                let value = match reads.0.get(k.as_str()) {
                    Some(Some(sub)) if !(top && k == "request") => project(v, sub, false),
                    Some(_) => Value::from_json(v),
                    None if top && k == "request" => Value::from_json(v),
                    None => return None,
                };
                Some((Value::str(k), value))
            })
            .collect(),
    )
}

/// A compiled ruleset, shared by every record of a run (it is `Send + Sync`).
pub struct Ruleset {
    program: Program,
    findings_rules: Vec<String>,
}

/// A rule that failed while evaluating a record (a type error, a limit).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

impl Ruleset {
    /// The bundled ruleset (when `bundled`) plus the rule files under `extra`.
    pub fn load(bundled: bool, extra: &[PathBuf]) -> Result<Ruleset, LoadError> {
        let mut loader = Loader::new();
        let files = collect_rule_files(extra)?;
        if bundled {
            // A bundled file given on the command line (`s3why lint rulesets/bundled/` in
            // a checkout, perhaps edited) takes the place of its compiled-in copy, rather
            // than defining every rule twice.
            for (name, text) in BUNDLED {
                if !files.iter().any(|f| f.ends_with(name)) {
                    loader.add_source(*name, *text);
                }
            }
        }
        for file in files {
            // A team's file may not add to the bundled packages; a bundled file given in
            // place of its copy declares them, of course.
            let replaces_bundled = BUNDLED.iter().any(|(name, _)| file.ends_with(name));
            if bundled && !replaces_bundled {
                loader.reserve_package_root("s3why", "bundled ruleset");
            } else {
                loader.release_package_root();
            }
            loader.add_file_or_report(&file);
        }
        let program = loader.compile(AWS).map_err(LoadError::Rules)?;
        let findings_rules = program
            .rule_paths()
            .into_iter()
            .filter(|p| p.ends_with(".findings"))
            .collect();
        Ok(Ruleset {
            program,
            findings_rules,
        })
    }

    /// Every rule with metadata.
    pub fn rules(&self) -> &[RuleInfo] {
        self.program.rules()
    }

    /// The compiled program (for tools that evaluate other rules).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The findings of one record: the causes of its verdict, risks and context.
    pub fn findings(&self, facts: Facts, verdict: &Arc<Verdict>) -> Result<Vec<Json>, RuleError> {
        // No rules (`--no-bundled` without `--rules`): nothing to convert or view.
        if self.findings_rules.is_empty() {
            return Ok(Vec::new());
        }
        let input = self.input(&facts.document);
        let mut host = RuleHost::new(facts);
        if let Some(request) = input.get(&Value::str("request")) {
            host.remember(request, verdict.clone());
        }
        let mut out: Vec<(&str, Json)> = Vec::new();
        // One session: the packages share their helpers (the verdict, the fix search).
        let values = self
            .program
            .eval_rules(&self.findings_rules, &input, Some(&host))
            .map_err(|e| RuleError(self.program.error_diagnostics(&e).render_human()))?;
        for (path, value) in self.findings_rules.iter().zip(values) {
            let Some(value) = value else { continue };
            match value.to_json() {
                Json::Array(items) => out.extend(items.into_iter().map(|f| (path.as_str(), f))),
                other => {
                    return Err(RuleError(format!(
                        "{path} is not a set of findings: {other}"
                    )))
                }
            }
        }
        let findings: Vec<Json> = out
            .into_iter()
            .map(|(path, f)| {
                self.complete(f)
                    .map_err(|e| RuleError(format!("{path}: {}", e.0)))
            })
            .collect::<Result<_, _>>()?;
        Ok(in_order(findings))
    }

    /// The rules' `input`: the fact document, or only the parts the rules read (and the
    /// whole request, whose verdict is seeded), which saves converting the policies.
    fn input(&self, document: &Json) -> Value {
        match self.program.input_reads() {
            Some(reads) => project(document, reads, true),
            None => Value::from_json(document),
        }
    }

    /// `document` with only what [`Ruleset::input`] converts of it: the parts the rules
    /// read, and the request whole. A batch drops the rest (the policies' JSON, most of a
    /// record) as soon as the facts are read, while it is still in the cache.
    pub fn keep_read(&self, document: Json) -> Json {
        let Some(reads) = self.program.input_reads() else {
            return document;
        };
        match document {
            Json::Object(fields) => Json::Object(
                fields
                    .into_iter()
                    .filter_map(|(k, v)| match (k.as_str(), reads.0.get(k.as_str())) {
                        ("request", _) | (_, Some(None)) => Some((k, v)),
                        (_, Some(Some(sub))) => Some((k, sub.keep_owned(v))),
                        (_, None) => None,
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Fills a finding's severity, title and docs from the metadata of its id, after
    /// checking it has what writing-rules.md says a finding needs: an `id` that some
    /// `# METADATA` block declares (a typo must not become an `error` finding on an
    /// allowed upload) and a `message`; a `policy` and a `fix` `summary`, when given, are
    /// strings.
    fn complete(&self, mut f: Json) -> Result<Json, RuleError> {
        let shown = |f: &Json| {
            let text = f.to_string();
            match text.char_indices().nth(200) {
                Some((i, _)) => format!("{}…", &text[..i]),
                None => text,
            }
        };
        let Some(obj) = f.as_object_mut() else {
            return Err(RuleError(format!(
                "a finding must be an object, got {}",
                shown(&f)
            )));
        };
        let Some(id) = obj.get("id").and_then(Json::as_str).map(str::to_string) else {
            return Err(RuleError(format!(
                "a finding has no \"id\": {}",
                shown(&Json::Object(obj.clone()))
            )));
        };
        let Some(info) = self.program.rules().iter().find(|r| r.id == id) else {
            let hint =
                crate::lang::diag::suggest(&id, self.program.rules().iter().map(|r| r.id.as_str()))
                    .map(|s| format!(" (did you mean {s:?}?)"))
                    .unwrap_or_default();
            return Err(RuleError(format!(
                "finding id {id:?} is declared by no `# METADATA` block{hint}: give the rule \
                 that makes it a metadata block with `id: {id}`"
            )));
        };
        let summary = obj.get("fix").and_then(|x| x.get("summary"));
        for (field, ok) in [
            ("policy", obj.get("policy").map_or(true, Json::is_string)),
            ("message", obj.get("message").is_some_and(Json::is_string)),
            (
                "fix.summary",
                obj.get("fix").is_none() || summary.is_some_and(Json::is_string),
            ),
        ] {
            if !ok {
                return Err(RuleError(format!(
                    "finding {id:?}: \"{field}\" must be a string (writing-rules.md): {}",
                    shown(&Json::Object(obj.clone()))
                )));
            }
        }
        if !obj.contains_key("severity") {
            obj.insert(
                "severity".into(),
                Json::from(info.severity.clone().unwrap_or_else(|| "error".into())),
            );
        }
        if let (false, Some(t)) = (obj.contains_key("title"), &info.title) {
            obj.insert("title".into(), Json::from(t.clone()));
        }
        if let (false, Some(d)) = (obj.contains_key("docs"), &info.docs) {
            obj.insert("docs".into(), Json::from(d.clone()));
        }
        Ok(f)
    }
}

/// errors first, then warnings, then infos; then by id and statement.
/// The findings in a total order on their content, each once: the same findings always
/// come out in the same order, whatever order the rules produced them in (the snapshot
/// matrix relies on it when it renames a shared record, awsdata/same.rs). By
/// [`sort_key`], then, for findings with the same key (the same id at the same
/// statement), by their whole text, written only for them (writing every finding was 2%
/// of a batch).
fn in_order(findings: Vec<Json>) -> Vec<Json> {
    let mut keyed: Vec<(SortKey, Json)> = findings.into_iter().map(|f| (sort_key(&f), f)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    for ties in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        if ties.len() > 1 {
            ties.sort_by_cached_key(|(_, f)| f.to_string());
        }
    }
    let mut findings: Vec<Json> = keyed.into_iter().map(|(_, f)| f).collect();
    findings.dedup();
    findings
}

/// Severity rank, id, statement path, action.
type SortKey = (u8, String, String, String);

fn sort_key(f: &Json) -> SortKey {
    let rank = match f.get("severity").and_then(Json::as_str) {
        Some("error") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    let s = |k: &str| f.get(k).map(|v| v.to_string()).unwrap_or_default();
    (rank, s("id"), s("path"), s("action"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Findings come out in one order whatever order they came in: errors first, then
    /// by id, statement and action, findings with the same key by their whole text; a
    /// finding given twice comes out once.
    #[test]
    fn findings_come_out_in_one_order() {
        let f = |id: &str, path: &str, msg: &str, severity: &str| json!({"id": id, "path": path, "message": msg, "severity": severity});
        let want = vec![
            f("a", "p1", "x", "error"),
            f("b", "p1", "m1", "error"),
            f("b", "p1", "m2", "error"),
            f("b", "p2", "m0", "error"),
            f("a", "p0", "w", "warning"),
        ];
        let mut given = want.clone();
        given.push(want[2].clone());
        for rotation in 0..given.len() {
            let mut input = given.clone();
            input.rotate_left(rotation);
            assert_eq!(in_order(input.clone()), want, "rotated by {rotation}");
            input.reverse();
            assert_eq!(in_order(input), want, "reversed, rotated by {rotation}");
        }
    }
}
