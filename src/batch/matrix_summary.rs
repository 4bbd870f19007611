//! The summary of a snapshot matrix: who can and cannot upload where, and why, the
//! principals with the most refused buckets first, each with its most common causes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::Value;

/// What one principal got across the buckets.
#[derive(Debug, Default)]
struct Row {
    allowed: u64,
    denied: u64,
    errors: u64,
    causes: HashMap<String, u64>,
}

/// Tallies verdict records that carry a `pair` (from `batch --snapshot`).
#[derive(Debug, Default)]
pub struct MatrixSummary {
    rows: BTreeMap<String, Row>,
}

impl MatrixSummary {
    /// Counts one record; records without a `pair` are ignored.
    pub fn add(&mut self, record: &Value) {
        let Some(principal) = record
            .get("pair")
            .and_then(|p| p.get("principal"))
            .and_then(Value::as_str)
        else {
            return;
        };
        let row = self.rows.entry(principal.to_string()).or_default();
        match record.get("decision").and_then(Value::as_str) {
            Some("allowed") => row.allowed += 1,
            Some(_) => {
                row.denied += 1;
                let findings = record
                    .get("findings")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                // Each cause counts once a bucket, however many statements it names.
                let ids: std::collections::BTreeSet<&str> = findings
                    .iter()
                    .filter(|f| f.get("severity").and_then(Value::as_str) == Some("error"))
                    .filter_map(|f| f.get("id").and_then(Value::as_str))
                    .collect();
                for id in ids {
                    *row.causes.entry(id.to_string()).or_default() += 1;
                }
            }
            None => row.errors += 1,
        }
    }

    /// The table, at most `limit` principals, most refused first; empty without pairs.
    pub fn render(&self, limit: usize) -> String {
        let mut out = String::new();
        if self.rows.is_empty() {
            return out;
        }
        let mut rows: Vec<(&String, &Row)> = self.rows.iter().collect();
        rows.sort_by(|a, b| b.1.denied.cmp(&a.1.denied).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "who can upload where ({} principals):", rows.len());
        for (principal, row) in rows.iter().take(limit) {
            let total = row.allowed + row.denied + row.errors;
            let mut causes: Vec<(&String, &u64)> = row.causes.iter().collect();
            causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let why: Vec<String> = causes
                .iter()
                .take(3)
                .map(|(id, n)| format!("{id} ({n})"))
                .collect();
            let errors = if row.errors > 0 {
                format!(", {} unreadable", row.errors)
            } else {
                String::new()
            };
            let why = if why.is_empty() {
                String::new()
            } else {
                format!("; denied by {}", why.join(", "))
            };
            let _ = writeln!(
                out,
                "  {principal}: {} of {total} buckets allowed{errors}{why}",
                row.allowed
            );
        }
        if rows.len() > limit {
            let _ = writeln!(out, "  (+{} more principals)", rows.len() - limit);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_refused_first_with_causes() {
        let mut m = MatrixSummary::default();
        let rec = |p: &str, d: &str, ids: &[&str]| {
            let findings: Vec<Value> = ids
                .iter()
                .map(|i| serde_json::json!({"id": i, "severity": "error"}))
                .collect();
            serde_json::json!({"pair": {"principal": p}, "decision": d, "findings": findings})
        };
        m.add(&rec("alice", "allowed", &[]));
        m.add(&rec("bob", "denied", &["identity-no-allow"]));
        m.add(&rec(
            "bob",
            "denied",
            &["identity-no-allow", "sse-c-blocked", "sse-c-blocked"],
        ));
        m.add(&serde_json::json!({"source": "x", "decision": "denied"}));
        let text = m.render(10);
        assert_eq!(
            text,
            "who can upload where (2 principals):\n  bob: 0 of 2 buckets allowed; denied by identity-no-allow (2), sse-c-blocked (1)\n  alice: 1 of 1 buckets allowed\n"
        );
    }
}
