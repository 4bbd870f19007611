//! SARIF 2.1.0 output for `batch --format sarif`, shaped for GitHub code scanning: one
//! run, one result per finding (located at the fact document, and at the NDJSON line
//! when known, with the policy and statement as a logical location), one result with
//! rule `s3why/input-error` per record that could not be evaluated.
//!
//! Streamed: results are written as records arrive and `tool.driver.rules` after them
//! (JSON object members are unordered), so memory stays constant however long the batch.

use std::collections::BTreeSet;
use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

use super::rules::{
    fallback_metadata, rule_metadata, RuleMeta, INPUT_ERROR_ID, UNEXPLAINED_DENIAL_ID,
};
use super::summary::Outcome;

/// The schema the output declares (the one GitHub code scanning documents).
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; bump the version if the hashed
/// fields ever change, so code scanning does not match old alerts to new ones wrongly.
/// v2: the policy, the statement's path and the message are hashed too, so the same
/// statement refusing `s3:PutObject` and `s3:PutObjectAcl`, or one id found in two
/// policies, are two alerts (v1 merged them).
const FINGERPRINT_KEY: &str = "s3whyFinding/v2";

/// Writes one SARIF log, record by record.
#[derive(Debug)]
pub struct SarifWriter {
    /// Whether a result was written (for the commas between them).
    wrote_result: bool,
    /// Every rule id some result used, for `tool.driver.rules`.
    used: BTreeSet<String>,
    /// The rules to describe in `tool.driver.rules`.
    rules: Vec<RuleMeta>,
}

impl Default for SarifWriter {
    fn default() -> SarifWriter {
        SarifWriter::with_rules(rule_metadata())
    }
}

impl SarifWriter {
    /// A writer for one log, describing the catalogue's rules.
    pub fn new() -> SarifWriter {
        SarifWriter::default()
    }

    /// A writer for one log, describing the given rules (a ruleset's metadata).
    pub fn with_rules(rules: Vec<RuleMeta>) -> SarifWriter {
        SarifWriter {
            wrote_result: false,
            used: BTreeSet::new(),
            rules,
        }
    }

    /// Opens the log, the run and its `results` array.
    pub fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "{{\"$schema\":\"{SARIF_SCHEMA}\",\"version\":\"2.1.0\",\"runs\":[{{\"results\":["
        )
    }

    /// Writes the results of one record.
    pub fn record(&mut self, out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
        for result in results(o) {
            if let Some(id) = result.get("ruleId").and_then(Value::as_str) {
                if !self.used.contains(id) {
                    self.used.insert(id.to_string());
                }
            }
            if self.wrote_result {
                out.write_all(b",\n")?;
            } else {
                out.write_all(b"\n")?;
            }
            serde_json::to_writer(&mut *out, &result)?;
            self.wrote_result = true;
        }
        Ok(())
    }

    /// Closes `results` and writes the tool with its rules: the whole catalogue, plus any
    /// id that a result used and the catalogue does not know.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let mut rules = self.rules;
        for id in &self.used {
            if !rules.iter().any(|r| &r.id == id) {
                rules.push(fallback_metadata(id));
            }
        }
        let tool = json!({
            "driver": {
                "name": "s3why",
                "informationUri": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
            }
        });
        write!(
            out,
            "\n],\"tool\":{tool},\"columnKind\":\"unicodeCodePoints\"}}]}}"
        )?;
        writeln!(out)
    }
}

/// The `reportingDescriptor` of one rule.
fn rule_json(r: &RuleMeta) -> Value {
    let mut v = json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.description},
        "help": {"text": r.description},
        "defaultConfiguration": {"level": level(&r.severity)},
    });
    if let (Some(uri), Some(o)) = (&r.help_uri, v.as_object_mut()) {
        o.insert("helpUri".into(), json!(uri));
    }
    v
}

/// SARIF's level for a finding severity.
pub fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// The SARIF results of one record.
pub fn results(o: &Outcome) -> Vec<Value> {
    let source = o.json.get("source").and_then(Value::as_str).unwrap_or("");
    let (file, line) = split_source(source);
    if let Some(error) = o.json.get("error").and_then(Value::as_str) {
        return vec![result(
            INPUT_ERROR_ID,
            "error",
            error,
            file,
            line,
            None,
            &[source, INPUT_ERROR_ID],
        )];
    }
    let mut out = Vec::new();
    let mut explained = false;
    for f in o.findings() {
        let field = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("");
        let severity = field("severity");
        explained |= severity == "error";
        let mut text = field("message").to_string();
        if let Some(fix) = f.pointer("/fix/summary").and_then(Value::as_str) {
            text = format!("{text} Fix: {fix}");
        }
        if let Some(cmd) = f.pointer("/fix/command").and_then(Value::as_str) {
            text = format!("{text} `{cmd}`");
        }
        let policy = field("policy");
        // A statement may be named by its index (a number) when it has no Sid.
        let statement = match f.get("statement") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let logical = (!policy.is_empty()).then_some((policy, statement.as_str()));
        let mut r = result(
            field("id"),
            level(severity),
            &text,
            file,
            line,
            logical,
            &[
                source,
                field("id"),
                policy,
                &statement,
                field("path"),
                field("message"),
            ],
        );
        // Where the statement stands in the file, when the batch located it.
        if let Some(l) = f.pointer("/location/line").and_then(Value::as_u64) {
            let mut region = json!({"startLine": l});
            if let Some(c) = f.pointer("/location/column").and_then(Value::as_u64) {
                region["startColumn"] = json!(c);
            }
            if let Some(slot) = r.pointer_mut("/locations/0/physicalLocation/region") {
                *slot = region;
            }
        }
        if let (Some(reason), Some(obj)) = (
            f.pointer("/suppressed/reason").and_then(Value::as_str),
            r.as_object_mut(),
        ) {
            obj.insert(
                "suppressions".into(),
                json!([{"kind": "external", "justification": reason}]),
            );
        }
        out.push(r);
    }
    if o.decision == Some(crate::aws::Decision::Denied) && !explained {
        let msg = o
            .json
            .get("aws_message")
            .and_then(Value::as_str)
            .unwrap_or("AWS would deny this request");
        out.push(result(
            UNEXPLAINED_DENIAL_ID,
            "error",
            msg,
            file,
            line,
            None,
            &[source, UNEXPLAINED_DENIAL_ID],
        ));
    }
    out
}

/// One `result` object.
#[allow(
    clippy::too_many_arguments,
    reason = "one flat constructor reads best here"
)]
fn result(
    rule: &str,
    level: &str,
    text: &str,
    file: &str,
    line: Option<u64>,
    logical: Option<(&str, &str)>,
    identity: &[&str],
) -> Value {
    let text = if text.is_empty() { rule } else { text };
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file_uri(file)},
            // A whole document is located at its first line: code scanning wants a region.
            "region": {"startLine": line.unwrap_or(1)},
        }
    });
    if let (Some((policy, statement)), Some(loc)) = (logical, location.as_object_mut()) {
        let name = if statement.is_empty() {
            policy
        } else {
            statement
        };
        loc.insert(
            "logicalLocations".into(),
            json!([{
                "name": name,
                "fullyQualifiedName": if statement.is_empty() { policy.to_string() } else { format!("{policy}/{statement}") },
                "kind": "object",
            }]),
        );
    }
    json!({
        "ruleId": rule,
        "level": level,
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(identity)},
    })
}

/// Splits a record source into file and line: the reader names an NDJSON record
/// `FILE:LINE` (FILE ending `.ndjson`/`.jsonl`, or `<stdin>`) and a whole document by
/// its path alone, so only those endings are split (a document path may contain `:`).
pub fn split_source(source: &str) -> (&str, Option<u64>) {
    if let Some((file, line)) = source.rsplit_once(':') {
        let ndjson = file == "<stdin>" || file.ends_with(".ndjson") || file.ends_with(".jsonl");
        if let (true, Ok(n)) = (ndjson, line.parse::<u64>()) {
            return (file, Some(n));
        }
    }
    (source, None)
}

/// Characters escaped in a relative URI path: controls, space and the URI delimiters a
/// file name may contain (`/` is kept: it separates segments in both).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The artifact URI of a record's file: relative to the current folder when it is
/// inside it (code scanning resolves relative URIs against the repository root, where
/// CI runs), `file://` when absolute elsewhere, `stdin` for standard input.
pub fn file_uri(file: &str) -> String {
    if file == "<stdin>" {
        return "stdin".to_string();
    }
    let path = std::path::Path::new(file);
    let relative = match (path.is_absolute(), std::env::current_dir()) {
        (true, Ok(cwd)) => path
            .strip_prefix(&cwd)
            .ok()
            .map(|p| p.to_string_lossy().into_owned()),
        (true, Err(_)) => None,
        (false, _) => Some(file.trim_start_matches("./").to_string()),
    };
    match relative {
        Some(rel) => utf8_percent_encode(&rel.replace('\\', "/"), PATH).to_string(),
        None => format!(
            "file://{}",
            utf8_percent_encode(&file.replace('\\', "/"), PATH)
        ),
    }
}

/// A stable 64-bit FNV-1a hash of the fields, hex: the same finding at the same place
/// gets the same fingerprint in every run and on every platform (std's hasher promises
/// neither).
pub fn fingerprint(fields: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for field in fields {
        for b in field.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_split_only_at_ndjson_lines() {
        assert_eq!(split_source("a/b.ndjson:12"), ("a/b.ndjson", Some(12)));
        assert_eq!(split_source("<stdin>:3"), ("<stdin>", Some(3)));
        assert_eq!(split_source("cases/x:1.json"), ("cases/x:1.json", None));
        assert_eq!(split_source("cases/x.json"), ("cases/x.json", None));
    }

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(file_uri("./cases/a b.json"), "cases/a%20b.json");
        assert_eq!(file_uri("<stdin>"), "stdin");
        assert!(file_uri("/nowhere/x.json").starts_with("file:///nowhere/"));
    }

    #[test]
    fn fingerprints_are_stable_and_field_separated() {
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
