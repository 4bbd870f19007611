//! The verdict record of facts.md ("Output: the verdict"): one JSON object per request,
//! shared by `check --format json` and `batch`.

use serde_json::{json, Value};

use crate::aws::authorize::Authorization;
use crate::aws::Verdict;

/// The verdict object, plus what decided it (`gates`, `authorizations`, `kms`, `notes`).
pub fn verdict_record(source: &str, v: &Verdict, findings: Vec<Value>) -> Value {
    let auths: Vec<Value> = v.authorizations.iter().map(authorization_summary).collect();
    json!({
        "source": source,
        "decision": v.decision,
        "status": v.status,
        "error_code": v.error_code,
        "aws_message": v.aws_message,
        "findings": findings,
        "gates": v.gates,
        "authorizations": auths,
        "kms": v.kms,
        "notes": v.notes,
    })
}

/// An error record of a batch: the source and why it could not be evaluated.
pub fn error_record(source: &str, error: &str) -> Value {
    json!({"source": source, "error": error})
}

fn authorization_summary(a: &Authorization) -> Value {
    json!({
        "action": a.action,
        "resource": a.resource,
        "decision": if a.allowed { "allowed" } else { "denied" },
        "allowed_by": a.allowed_by,
        "reasons": a.reasons,
    })
}
