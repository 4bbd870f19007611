//! JUnit XML output for `batch --format junit`, as CI systems show it: one `testsuite`,
//! one `testcase` per record (name = source), a `<failure>` for a denied record (message
//! = AWS's message, body = the findings), an `<error>` for a record that could not be
//! evaluated, `<skipped>` for a denied record whose every cause is suppressed.
//!
//! The suite's opening tag carries the counts, known only at the end, so test cases are
//! spooled to a temporary file and copied after the header: memory stays constant.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::summary::{is_suppressed, Outcome, Summary};
use crate::aws::Decision;

/// Writes one JUnit report, record by record.
pub struct JunitWriter {
    spool: BufWriter<File>,
    path: PathBuf,
}

impl JunitWriter {
    /// A writer spooling to a new temporary file (removed when the writer is dropped).
    pub fn new() -> io::Result<JunitWriter> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("s3why-junit-{}-{nanos}.xml", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(JunitWriter {
            spool: BufWriter::new(file),
            path,
        })
    }

    /// Spools the test case of one record.
    pub fn record(&mut self, o: &Outcome) -> io::Result<()> {
        self.spool.write_all(testcase(o).as_bytes())
    }

    /// Writes the whole report: the XML declaration, the suite with its counts, the
    /// spooled test cases.
    pub fn finish(mut self, out: &mut dyn Write, s: &Summary, elapsed: Duration) -> io::Result<()> {
        self.spool.flush()?;
        let failures = s.denied - s.suppressed_denied;
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="s3why" tests="{}" failures="{failures}" errors="{}" skipped="{}" time="{:.3}">"#,
            s.records,
            s.errors,
            s.suppressed_denied,
            elapsed.as_secs_f64()
        )?;
        writeln!(
            out,
            r#"<testsuite name="s3why batch" tests="{}" failures="{failures}" errors="{}" skipped="{}" time="{:.3}">"#,
            s.records,
            s.errors,
            s.suppressed_denied,
            elapsed.as_secs_f64()
        )?;
        let file = self.spool.get_mut();
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut BufReader::new(file), out)?;
        writeln!(out, "</testsuite>\n</testsuites>")
    }
}

impl Drop for JunitWriter {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The `<testcase>` element of one record.
pub fn testcase(o: &Outcome) -> String {
    let str_of = |k: &str| o.json.get(k).and_then(Value::as_str).unwrap_or("");
    let source = str_of("source");
    // CI systems group test cases by class: the record's file.
    let class = super::sarif::split_source(source).0;
    let mut xml = format!(
        r#"  <testcase name="{}" classname="{}">"#,
        escape(source),
        escape(class)
    );
    if let Some(error) = o.json.get("error").and_then(Value::as_str) {
        xml += &format!(r#"<error message="{}" type="input-error"/>"#, escape(error));
    } else if o.decision == Some(Decision::Denied) {
        let message = str_of("aws_message");
        let code = str_of("error_code");
        let body = findings_text(o.findings());
        if o.suppressed_denied {
            xml += &format!(
                r#"<skipped message="denied; every cause suppressed: {}"/>"#,
                escape(&body.replace('\n', "; "))
            );
        } else {
            xml += &format!(
                r#"<failure message="{}" type="{}">{}</failure>"#,
                escape(message),
                escape(code),
                escape(&body)
            );
        }
    }
    xml += "</testcase>\n";
    xml
}

/// One line per finding: `id [severity] policy/statement: message Fix: ... $ command`.
fn findings_text(findings: &[Value]) -> String {
    let mut out = String::new();
    for f in findings {
        let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("");
        let statement = match f.get("statement") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        // `policy/statement`, or the policy alone when the finding names no statement.
        let at = if statement.is_empty() {
            s("policy").to_string()
        } else {
            format!("{}/{statement}", s("policy"))
        };
        out += &format!("{} [{}] {at}: {}", s("id"), s("severity"), s("message"));
        if let Some(fix) = f.pointer("/fix/summary").and_then(Value::as_str) {
            out += &format!(" Fix: {fix}");
        }
        if let Some(cmd) = f.pointer("/fix/command").and_then(Value::as_str) {
            out += &format!(" $ {cmd}");
        }
        if is_suppressed(f) {
            let reason = f
                .pointer("/suppressed/reason")
                .and_then(Value::as_str)
                .unwrap_or("");
            out += &format!(" (suppressed: {reason})");
        }
        out.push('\n');
    }
    out
}

/// Escapes text for an XML attribute or element, and replaces the characters XML 1.0
/// cannot carry at all (controls other than tab, newline, carriage return) with U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Newlines inside attributes would be normalised to spaces by parsers; keep them.
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_illegal_characters() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1}y\nz"), "x\u{FFFD}y&#10;z");
    }
}
