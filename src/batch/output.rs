//! The batch output formats behind one writer: NDJSON, a JSON array, text lines, SARIF
//! and JUnit. Each is written record by record, in input order, as the batch runs.

use std::io::{self, Write};
use std::time::Duration;

use serde_json::Value;

use crate::text::printable;

use super::junit::JunitWriter;
use super::rules::RuleMeta;
use super::sarif::SarifWriter;
use super::summary::{Outcome, Summary};

/// An output format of `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One verdict object per line.
    Ndjson,
    /// One JSON array of verdict objects.
    Json,
    /// One line per record, for people.
    Text,
    /// A SARIF 2.1.0 log (GitHub code scanning).
    Sarif,
    /// A JUnit XML report (CI test views).
    Junit,
}

/// Writes the records of one batch in one format.
pub enum Writer {
    Ndjson,
    Json { first: bool },
    Text,
    Sarif(SarifWriter),
    Junit(JunitWriter),
}

impl Writer {
    /// A writer for `format`, after writing whatever opens the document. `rules` are the
    /// rules SARIF describes (see `rules::from_ruleset`).
    pub fn begin(
        format: OutputFormat,
        rules: Vec<RuleMeta>,
        out: &mut dyn Write,
    ) -> io::Result<Writer> {
        Ok(match format {
            OutputFormat::Ndjson => Writer::Ndjson,
            OutputFormat::Json => {
                out.write_all(b"[")?;
                Writer::Json { first: true }
            }
            OutputFormat::Text => Writer::Text,
            OutputFormat::Sarif => {
                let mut w = SarifWriter::with_rules(rules);
                w.begin(out)?;
                Writer::Sarif(w)
            }
            OutputFormat::Junit => Writer::Junit(JunitWriter::new()?),
        })
    }

    /// Writes one record.
    pub fn record(&mut self, out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
        match self {
            // Straight into the (buffered) output: `Display` would go through the
            // formatting machinery one token at a time.
            Writer::Ndjson => {
                json_text(out, o)?;
                out.write_all(b"\n")
            }
            Writer::Json { first } => {
                out.write_all(if *first { b"\n" } else { b",\n" })?;
                *first = false;
                json_text(out, o)
            }
            Writer::Text => writeln!(out, "{}", text_line(o)),
            Writer::Sarif(w) => w.record(out, o),
            Writer::Junit(w) => w.record(o),
        }
    }

    /// Writes whatever closes the document.
    pub fn finish(
        self,
        out: &mut dyn Write,
        summary: &Summary,
        elapsed: Duration,
    ) -> io::Result<()> {
        match self {
            Writer::Ndjson | Writer::Text => Ok(()),
            Writer::Json { .. } => out.write_all(b"\n]\n"),
            Writer::Sarif(w) => w.finish(out),
            Writer::Junit(w) => w.finish(out, summary, elapsed),
        }
    }
}

/// The record's JSON: the text its worker wrote, or written here.
fn json_text(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    match &o.text {
        Some(text) => out.write_all(text.as_bytes()),
        None => serde_json::to_writer(&mut *out, &o.json).map_err(io::Error::from),
    }
}

/// Whether `format` writes each record as its JSON text (which the workers can write).
pub fn writes_json_text(format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Ndjson | OutputFormat::Json)
}

/// One line for people: `SOURCE: DENIED 403 message`, then one indented line per finding.
pub fn text_line(o: &Outcome) -> String {
    let v = &o.json;
    let source = v.get("source").and_then(Value::as_str).unwrap_or("?");
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        // A rule's diagnostic spans lines: indented under the record's, as findings are,
        // so each record still starts a line of its own.
        let mut lines = e.lines();
        let first = lines.next().unwrap_or("");
        let mut text = format!("{}: ERROR {}", printable(source), printable(first));
        for l in lines {
            text += format!("\n  {}", printable(l)).trim_end();
        }
        return text;
    }
    let mut decision = v
        .get("decision")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_uppercase();
    if o.suppressed_denied {
        decision += " (every cause suppressed)";
    }
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(0);
    let source = printable(source);
    let mut line = match v.get("aws_message").and_then(Value::as_str) {
        Some(m) => format!("{source}: {decision} {status} {}", printable(m)),
        None => format!("{source}: {decision} {status}"),
    };
    for f in o.findings() {
        let s = |k: &str| printable(f.get(k).and_then(Value::as_str).unwrap_or(""));
        line += &format!("\n  {} [{}] {}", s("id"), s("severity"), s("message"));
        if let Some(reason) = f.pointer("/suppressed/reason").and_then(Value::as_str) {
            line += &format!(" (suppressed: {})", printable(reason));
        }
    }
    line
}
