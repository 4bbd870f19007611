//! The verdict record of facts.md ("Output: the verdict"): one JSON object per request,
//! shared by `check --format json` and `batch`.

use serde::Serialize;
use serde_json::{json, Value};

use crate::aws::authorize::{Authorization, Reason};
use crate::aws::s3::{Gate, KmsTrace, Note};
use crate::aws::{Decision, Verdict};

/// The verdict object, plus what decided it (`gates`, `authorizations`, `kms`, `notes`).
pub fn verdict_record(source: &str, v: &Verdict, findings: Vec<Value>) -> Value {
    serde_json::to_value(VerdictRecord::new(source, v, findings)).unwrap_or_else(|e| {
        error_record(
            source,
            &format!("internal error: the record does not write: {e}"),
        )
    })
}

/// The verdict record as it is written, borrowing the verdict: written straight to text
/// (`serde_json::to_string`) when no tree is needed, or made a tree by
/// [`verdict_record`]. Its fields in the order of facts.md.
#[derive(Serialize)]
pub struct VerdictRecord<'a> {
    source: &'a str,
    decision: Decision,
    status: u16,
    error_code: &'a Option<String>,
    aws_message: &'a Option<String>,
    findings: Vec<Value>,
    gates: &'a [Gate],
    authorizations: Vec<AuthorizationSummary<'a>>,
    kms: &'a Option<KmsTrace>,
    notes: &'a [Note],
}

impl<'a> VerdictRecord<'a> {
    pub fn new(source: &'a str, v: &'a Verdict, findings: Vec<Value>) -> VerdictRecord<'a> {
        VerdictRecord {
            source,
            decision: v.decision,
            status: v.status,
            error_code: &v.error_code,
            aws_message: &v.aws_message,
            findings,
            gates: &v.gates,
            authorizations: v
                .authorizations
                .iter()
                .map(AuthorizationSummary::new)
                .collect(),
            kms: &v.kms,
            notes: &v.notes,
        }
    }

    /// The findings.
    pub fn findings(&self) -> &[Value] {
        &self.findings
    }
}

/// An authorization as the record shows it: without its policy traces.
#[derive(Serialize)]
struct AuthorizationSummary<'a> {
    action: &'a str,
    resource: &'a str,
    decision: &'static str,
    allowed_by: &'a [String],
    reasons: &'a [Reason],
}

impl<'a> AuthorizationSummary<'a> {
    fn new(a: &'a Authorization) -> AuthorizationSummary<'a> {
        AuthorizationSummary {
            action: &a.action,
            resource: &a.resource,
            decision: if a.allowed { "allowed" } else { "denied" },
            allowed_by: &a.allowed_by,
            reasons: &a.reasons,
        }
    }
}

/// What a batch's summaries read of a verdict record, which the record's text need not
/// be read back for: its decision, and its findings' ids and severities.
pub fn record_summary(decision: Option<&Value>, findings: &[Value]) -> Value {
    let findings: Vec<Value> = findings
        .iter()
        .map(|f| json!({"id": f.get("id"), "severity": f.get("severity")}))
        .collect();
    json!({"decision": decision, "findings": findings})
}

/// An error record of a batch: the source and why it could not be evaluated.
pub fn error_record(source: &str, error: &str) -> Value {
    json!({"source": source, "error": error})
}
