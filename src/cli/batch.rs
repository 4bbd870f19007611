//! `s3why batch PATHS...`: many fact documents, streamed, on every core, in input order.
//! One output record per input record; an unreadable record is an error record and the
//! batch goes on. Exit 0 all allowed, 1 any denied, 2 any record not evaluated.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde_json::Value;

use s3why::aws::{decide, Decision};
use s3why::batch::{run_ordered, Record, Records};
use s3why::facts::{Facts, FactsError};
use s3why::report::{error_record, verdict_record};

use super::Status;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BatchFormat {
    /// One verdict object per line.
    Ndjson,
    /// One JSON array of verdict objects.
    Json,
    /// One line per record, for people.
    Text,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// NDJSON files (`.ndjson`, `.jsonl`), `-` for NDJSON on standard input, JSON/YAML
    /// documents, and folders of them (walked recursively, sorted).
    #[arg(required = true)]
    pub paths: Vec<String>,
    #[arg(long, value_enum, default_value_t = BatchFormat::Ndjson)]
    pub format: BatchFormat,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Print no summary on standard error.
    #[arg(long)]
    pub quiet: bool,
}

/// What one record became.
struct Outcome {
    json: Value,
    decision: Option<Decision>,
    finding_ids: Vec<String>,
}

fn evaluate(record: Record) -> Outcome {
    let source = record.source.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| evaluate_inner(record)));
    match result {
        Ok(outcome) => outcome,
        // A bug must not lose the record or the batch: report it as an error record.
        Err(_) => Outcome {
            json: error_record(
                &source,
                "internal error while evaluating this record (please report it)",
            ),
            decision: None,
            finding_ids: Vec::new(),
        },
    }
}

fn evaluate_inner(record: Record) -> Outcome {
    let error = |e: String| Outcome {
        json: error_record(&record.source, &e),
        decision: None,
        finding_ids: Vec::new(),
    };
    let text = match &record.text {
        Ok(t) => t,
        Err(e) => return error(e.clone()),
    };
    let facts = match Facts::from_text(text, record.format, &record.source) {
        Ok(f) => f,
        // An NDJSON record is one line: its source is already `file:line`, add the column.
        Err(FactsError::Syntax {
            line: 1,
            column,
            message,
            ..
        }) if record.source.contains(':') => {
            return error(format!("{}:{column}: {message}", record.source))
        }
        Err(e) => return error(e.to_string()),
    };
    let verdict = decide(&facts);
    let findings: Vec<Value> = Vec::new();
    let finding_ids = findings
        .iter()
        .filter_map(|f| f.get("id").and_then(Value::as_str).map(String::from))
        .collect();
    Outcome {
        json: verdict_record(&record.source, &verdict, findings),
        decision: Some(verdict.decision),
        finding_ids,
    }
}

#[derive(Default)]
struct Summary {
    records: u64,
    allowed: u64,
    denied: u64,
    errors: u64,
    findings: HashMap<String, u64>,
}

pub fn run(args: &BatchArgs) -> Status {
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let mut write_error: Option<std::io::Error> = None;
    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} records ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    if args.format == BatchFormat::Json {
        let _ = writeln!(out, "[");
    }
    let format = args.format;
    run_ordered(
        Records::new(&args.paths),
        jobs,
        jobs * 64,
        evaluate,
        |o: Outcome| {
            let first = summary.records == 0;
            summary.records += 1;
            match o.decision {
                Some(Decision::Allowed) => summary.allowed += 1,
                Some(Decision::Denied) => summary.denied += 1,
                None => summary.errors += 1,
            }
            for id in o.finding_ids {
                *summary.findings.entry(id).or_default() += 1;
            }
            let written = match format {
                BatchFormat::Ndjson => writeln!(out, "{}", o.json),
                BatchFormat::Json => write!(out, "{}{}", if first { "" } else { ",\n" }, o.json),
                BatchFormat::Text => writeln!(out, "{}", text_line(&o.json)),
            };
            if let Err(e) = written {
                write_error.get_or_insert(e);
            }
            if let Some(bar) = &progress {
                bar.inc(1);
            }
        },
    );
    if format == BatchFormat::Json {
        let _ = writeln!(out, "\n]");
    }
    let flushed = out.flush();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(e) = write_error.or(flushed.err()) {
        eprintln!("error: cannot write the output: {e}");
        return Status::InputError;
    }
    if !args.quiet {
        print_summary(&summary, started.elapsed());
    }
    if summary.errors > 0 {
        Status::InputError
    } else if summary.denied > 0 {
        Status::Denied
    } else {
        Status::Ok
    }
}

fn text_line(v: &Value) -> String {
    let source = v.get("source").and_then(Value::as_str).unwrap_or("?");
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        return format!("{source}: ERROR {e}");
    }
    let decision = v
        .get("decision")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_uppercase();
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(0);
    match v.get("aws_message").and_then(Value::as_str) {
        Some(m) => format!("{source}: {decision} {status} {m}"),
        None => format!("{source}: {decision} {status}"),
    }
}

fn print_summary(s: &Summary, elapsed: std::time::Duration) {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        s.records as f64 / secs
    } else {
        0.0
    };
    eprintln!(
        "{} records: {} allowed, {} denied, {} errors in {:.2}s ({:.0} records/s)",
        s.records, s.allowed, s.denied, s.errors, secs, rate
    );
    let mut top: Vec<(&String, &u64)> = s.findings.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (id, n) in top.into_iter().take(10) {
        eprintln!("  {n:>8}  {id}");
    }
}
