//! The batch summary: counts of outcomes and findings, time and rate, and the exit status
//! they give (issue 5). Rendered as text for standard error by the CLI.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::Value;

use crate::aws::Decision;

/// What one input record became, as the writers and the summary need it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The verdict record (suppression marks included) or the error record.
    pub json: Value,
    /// `None` for an error record.
    pub decision: Option<Decision>,
    /// Denied, and every `error` finding suppressed (there is at least one): the record
    /// does not make the exit status 1.
    pub suppressed_denied: bool,
    /// The record as one line of JSON, when the worker that made it also wrote it out
    /// (NDJSON and JSON output, see [`Outcome::with_text`]): the writer copies it, and
    /// `json` need hold only what the summaries read (the decision, the findings' ids,
    /// severities and suppression marks, the matrix pair).
    pub text: Option<String>,
}

impl Outcome {
    /// An error record's outcome.
    pub fn error(json: Value) -> Outcome {
        Outcome {
            json,
            decision: None,
            suppressed_denied: false,
            text: None,
        }
    }

    /// The outcome with its record written out as JSON text, so that the workers share the
    /// writing (on one thread it was a tenth of a batch).
    pub fn with_text(mut self) -> Outcome {
        if self.text.is_none() {
            self.text = serde_json::to_string(&self.json).ok();
        }
        self
    }

    /// The findings of the verdict (empty for an error record).
    pub fn findings(&self) -> &[Value] {
        self.json
            .get("findings")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

/// Whether a finding carries a suppression mark.
pub fn is_suppressed(finding: &Value) -> bool {
    finding.get("suppressed").is_some()
}

/// Running counts over the records written so far.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub records: u64,
    pub allowed: u64,
    /// Every denied record, suppressed-denied ones included.
    pub denied: u64,
    /// Denied records whose every `error` finding is suppressed.
    pub suppressed_denied: u64,
    pub errors: u64,
    /// Unsuppressed findings by id.
    pub findings: HashMap<String, u64>,
    /// Suppressed findings by id.
    pub suppressed: HashMap<String, u64>,
}

/// The exit status a batch earns: 2 wins over 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    /// Every record allowed (or denied with every cause suppressed).
    Allowed,
    /// Some record denied, with an unsuppressed cause.
    Denied,
    /// Some record could not be evaluated.
    Errors,
}

impl Summary {
    /// Counts one outcome.
    pub fn add(&mut self, o: &Outcome) {
        self.records += 1;
        match o.decision {
            Some(Decision::Allowed) => self.allowed += 1,
            Some(Decision::Denied) => {
                self.denied += 1;
                if o.suppressed_denied {
                    self.suppressed_denied += 1;
                }
            }
            None => self.errors += 1,
        }
        for f in o.findings() {
            let Some(id) = f.get("id").and_then(Value::as_str) else {
                continue;
            };
            let counts = if is_suppressed(f) {
                &mut self.suppressed
            } else {
                &mut self.findings
            };
            match counts.get_mut(id) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(id.to_string(), 1);
                }
            }
        }
    }

    /// The exit status: errors, else unsuppressed denials, else allowed.
    pub fn status(&self) -> BatchStatus {
        if self.errors > 0 {
            BatchStatus::Errors
        } else if self.denied > self.suppressed_denied {
            BatchStatus::Denied
        } else {
            BatchStatus::Allowed
        }
    }

    /// The summary for people: one line of counts, then the most common finding ids.
    pub fn render(&self, elapsed: Duration, top: usize) -> String {
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.records as f64 / secs
        } else {
            0.0
        };
        let mut out = format!(
            "{}: {} allowed, {} denied, {} in {:.2}s ({:.0} records/s)\n",
            counted(self.records, "record"),
            self.allowed,
            self.denied,
            counted(self.errors, "error"),
            secs,
            rate
        );
        let suppressed: u64 = self.suppressed.values().sum();
        if suppressed > 0 || self.suppressed_denied > 0 {
            let _ = writeln!(
                out,
                "suppressed: {suppressed} findings; {} denied records have every cause suppressed",
                self.suppressed_denied
            );
        }
        for (title, counts) in [
            ("findings", &self.findings),
            ("suppressed", &self.suppressed),
        ] {
            if counts.is_empty() {
                continue;
            }
            let _ = writeln!(out, "most common {title}:");
            for (id, n) in most_common(counts, top) {
                let _ = writeln!(out, "  {n:>8}  {id}");
            }
        }
        out
    }
}

/// The `top` most common ids, most common first, ties by id.
pub fn most_common(counts: &HashMap<String, u64>, top: usize) -> Vec<(&str, u64)> {
    let mut all: Vec<(&str, u64)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    all.truncate(top);
    all
}

/// `1 record`, `2 records`.
fn counted(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn denied(findings: Value, suppressed_denied: bool) -> Outcome {
        Outcome {
            json: json!({"source": "s", "decision": "denied", "findings": findings}),
            decision: Some(Decision::Denied),
            suppressed_denied,
            text: None,
        }
    }

    #[test]
    fn counts_and_status() {
        let mut s = Summary::default();
        s.add(&denied(
            json!([{"id": "a"}, {"id": "b", "suppressed": {"reason": "r"}}]),
            false,
        ));
        s.add(&denied(json!([{"id": "a"}]), false));
        assert_eq!(s.status(), BatchStatus::Denied);
        assert_eq!(most_common(&s.findings, 10), vec![("a", 2)]);
        assert_eq!(s.suppressed.get("b"), Some(&1));
        s.add(&Outcome::error(json!({"source": "x", "error": "e"})));
        assert_eq!(s.status(), BatchStatus::Errors);
    }

    #[test]
    fn suppressed_denials_do_not_fail() {
        let mut s = Summary::default();
        s.add(&denied(
            json!([{"id": "a", "suppressed": {"reason": "r"}}]),
            true,
        ));
        assert_eq!(s.status(), BatchStatus::Allowed);
        assert!(s
            .render(Duration::from_secs(1), 5)
            .contains("1 denied records have every cause suppressed"));
    }
}
