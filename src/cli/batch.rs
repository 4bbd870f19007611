//! `s3why batch PATHS...`: many fact documents, streamed, on every core, in input order.
//! One output record per input record; an unreadable record is an error record and the
//! batch goes on. Exit 0 all allowed, 1 any denied, 2 any record not evaluated (2 wins).
//! Formats, suppressions and the summary are library code (`s3why::batch`); this file
//! only wires them to the command line.

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde_json::Value;

use s3why::aws::{decide, Decision};
use s3why::batch::rules::from_ruleset;
use s3why::batch::suppress::today_utc;
use s3why::batch::{
    run_ordered, writes_json_text, BatchStatus, Next, Outcome, OutputFormat, Record, Records,
    Summary, Suppressions, Target, Writer,
};
use s3why::facts::{Facts, FactsError};
use s3why::report::{error_record, record_summary, verdict_record, VerdictRecord};
use s3why::rules::Ruleset;

use super::rules_args::RulesArgs;
use s3why::awsdata::json::Doc;
use s3why::awsdata::matrix::{Cell, Matrix, PairRecord, Selection, Shard};
use s3why::awsdata::request::{self, PutObject};
use s3why::awsdata::snapshots::Snapshots;
use s3why::awsdata::DataError;

use super::Status;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BatchFormat {
    /// One verdict object per line.
    Ndjson,
    /// One JSON array of verdict objects.
    Json,
    /// One line per record, for people.
    Text,
    /// A SARIF 2.1.0 log, for GitHub code scanning.
    Sarif,
    /// A JUnit XML report, for CI test views.
    Junit,
}

impl From<BatchFormat> for OutputFormat {
    fn from(f: BatchFormat) -> OutputFormat {
        match f {
            BatchFormat::Ndjson => OutputFormat::Ndjson,
            BatchFormat::Json => OutputFormat::Json,
            BatchFormat::Text => OutputFormat::Text,
            BatchFormat::Sarif => OutputFormat::Sarif,
            BatchFormat::Junit => OutputFormat::Junit,
        }
    }
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// NDJSON files (`.ndjson`, `.jsonl`), `-` for NDJSON on standard input, JSON/YAML
    /// documents, and folders of them (walked recursively, sorted).
    #[arg(required_unless_present = "snapshot")]
    pub paths: Vec<String>,
    /// Account snapshot folders (docs/aws-data.md): check every principal × every bucket
    /// instead of reading fact documents.
    #[arg(long, value_name = "DIR", conflicts_with = "paths")]
    pub snapshot: Vec<PathBuf>,
    /// With --snapshot (and needed there): the request fields every pair shares (JSON:
    /// key, headers, source_ip, ...).
    #[arg(long, value_name = "TEMPLATE", requires = "snapshot")]
    pub request: Option<PathBuf>,
    /// With --snapshot: only principals whose ARN matches this glob.
    #[arg(long, value_name = "GLOB", requires = "snapshot")]
    pub principal: Option<String>,
    /// With --snapshot: only buckets whose name matches this glob.
    #[arg(long, value_name = "GLOB", requires = "snapshot")]
    pub bucket: Option<String>,
    /// With --snapshot: this shard of the matrix, `I/N` (0-based): run the N shards
    /// anywhere and concatenate their outputs (docs/aws-data.md).
    #[arg(long, value_name = "I/N", requires = "snapshot")]
    pub shard: Option<String>,
    #[arg(long, value_enum, default_value_t = BatchFormat::Ndjson)]
    pub format: BatchFormat,
    /// Worker threads (default: every core).
    #[arg(long, value_parser = positive_count)]
    pub jobs: Option<usize>,
    /// Print no summary on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// A YAML or JSON file of accepted findings: entries {id, bucket?, principal?,
    /// source?, reason, expires?} (docs/batch.md).
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
}

/// What every worker shares.
struct Context<'a> {
    /// Loaded and compiled once for the whole batch.
    ruleset: Ruleset,
    suppressions: Suppressions,
    today: NaiveDate,
    /// With --snapshot: the pairs, and the records shared by identical principals.
    matrix: Option<Matrix<'a>>,
    /// The output writes each record's JSON text: the workers write it.
    json_text: bool,
    /// With --snapshot: the pairs given another member's record, renamed (the summary
    /// says how much the sharing saved).
    renamed: AtomicU64,
}

/// One input: a fact document's text, or a (principal, bucket) pair of a snapshot matrix.
enum Item {
    Text(Record),
    Cell(Cell),
}

fn evaluate(item: Item, ctx: &Context<'_>) -> Outcome {
    let source = match &item {
        Item::Text(r) => r.source.clone(),
        Item::Cell(c) => c.source.clone(),
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match item {
        Item::Text(record) => evaluate_inner(record, ctx),
        Item::Cell(cell) => evaluate_cell(&cell, ctx),
    }));
    match result {
        Ok(outcome) if ctx.json_text => outcome.with_text(),
        Ok(outcome) => outcome,
        // A bug must not lose the record or the batch: report it as an error record.
        Err(_) => Outcome::error(error_record(
            &source,
            "internal error while evaluating this record (please report it)",
        )),
    }
}

fn evaluate_cell(cell: &Cell, ctx: &Context<'_>) -> Outcome {
    let record = match &ctx.matrix {
        Some(matrix) => matrix.record(cell, |cell, facts| match facts {
            Ok(facts) => judge(facts, &cell.source, None, ctx).into_record(&cell.source),
            Err(e) => error_record(&cell.source, &e.to_string()),
        }),
        None => PairRecord::Evaluated(error_record(
            &cell.source,
            "internal error: a pair without its matrix",
        )),
    };
    if matches!(record, PairRecord::Renamed { .. }) {
        ctx.renamed.fetch_add(1, Ordering::Relaxed);
    }
    // The pair's place in the whole matrix: shard outputs merge by it.
    let pair = serde_json::json!({"index": cell.index, "principal": cell.principal, "bucket": cell.bucket});
    match record {
        // Written as it is: no suppression to mark, no tree to build.
        PairRecord::Renamed { text, summary }
            if ctx.json_text && ctx.suppressions.is_empty() && decision(&summary).is_some() =>
        {
            renamed_outcome(text, &summary, pair)
        }
        record => {
            let target = Target {
                source: &cell.source,
                bucket: &cell.bucket,
                principal: &cell.principal,
            };
            let mut outcome = finish(record.into_value(), &target, ctx);
            outcome.json["pair"] = pair;
            outcome
        }
    }
}

/// How many of the matrix's `pairs` were evaluated, and how many took the record of a
/// principal with the same policies.
fn sharing(pairs: u64, shared: u64) -> String {
    let evaluated = pairs.saturating_sub(shared);
    format!(
        "pairs evaluated: {evaluated} of {pairs}; the other {shared} are the record of a principal with the same policies, renamed"
    )
}

/// The outcome of a renamed record written as its text: the pair is added to the text,
/// and the tree holds what the summaries read (`matrix::summary`, and the pair).
fn renamed_outcome(text: String, summary: &Value, pair: Value) -> Outcome {
    let mut line = text;
    line.pop(); // the closing brace: the pair goes last, as in a record built as a tree
    line.push_str(",\"pair\":");
    line.push_str(&pair.to_string());
    line.push('}');
    let mut json = summary.clone();
    json["pair"] = pair;
    Outcome {
        json,
        decision: decision(summary),
        suppressed_denied: false,
        text: Some(line),
    }
}

fn evaluate_inner(record: Record, ctx: &Context<'_>) -> Outcome {
    let error = |e: String| Outcome::error(error_record(&record.source, &e));
    let text = match &record.text {
        Ok(t) => t,
        Err(e) => return error(e.clone()),
    };
    let mut facts = match Facts::from_text(text, record.format, &record.source) {
        Ok(f) => f,
        // An NDJSON record is one line: its source is already `file:line`, add the column.
        Err(FactsError::Syntax {
            line: 1,
            column,
            message,
            ..
        }) if record.source.contains(':') => {
            let hint = if message.contains("EOF while parsing") {
                " (the line is cut off: was the file truncated?)"
            } else {
                ""
            };
            return error(format!("{}:{column}: {message}{hint}", record.source));
        }
        Err(e) => return error(e.to_string()),
    };
    // The document keeps only what the rules read (and the request): the policies'
    // JSON, most of a record, is freed now, while it is still in the cache, not after
    // the evaluation has pushed it out.
    facts.document = ctx.ruleset.keep_read(std::mem::take(&mut facts.document));
    // The suppression scopes match on the bucket and principal.
    let bucket = facts.bucket.name.clone();
    let principal = facts.request.principal.arn.clone();
    match judge(facts, &record.source, Some(text), ctx) {
        // Nothing to mark and JSON out: the record is written straight to its text.
        Judged::Verdict(verdict, findings) if ctx.json_text && ctx.suppressions.is_empty() => {
            let out = VerdictRecord::new(&record.source, &verdict, findings);
            let decision = serde_json::json!(verdict.decision);
            Outcome {
                json: record_summary(Some(&decision), out.findings()),
                decision: Some(verdict.decision),
                suppressed_denied: false,
                text: serde_json::to_string(&out).ok(),
            }
        }
        judged => {
            let target = Target {
                source: &record.source,
                bucket: &bucket,
                principal: &principal,
            };
            finish(judged.into_record(&record.source), &target, ctx)
        }
    }
}

/// A record decided, and its causes named; or why a rule failed.
enum Judged {
    Verdict(std::sync::Arc<s3why::aws::Verdict>, Vec<Value>),
    RuleFailed(String),
}

impl Judged {
    /// The verdict record, or the error record when a rule failed.
    fn into_record(self, source: &str) -> Value {
        match self {
            Judged::Verdict(verdict, findings) => verdict_record(source, &verdict, findings),
            Judged::RuleFailed(e) => error_record(source, &format!("a rule failed: {e}")),
        }
    }
}

/// Decides one record and names its causes. `text` (the record as read) locates
/// statements; a snapshot pair has none.
fn judge(facts: Facts, source: &str, text: Option<&str>, ctx: &Context<'_>) -> Judged {
    let verdict = std::sync::Arc::new(decide(&facts));
    match ctx.ruleset.findings(facts, &verdict) {
        Ok(f) => {
            let findings = match text {
                Some(text) => locate(f, text, source),
                None => f,
            };
            Judged::Verdict(verdict, findings)
        }
        Err(e) => Judged::RuleFailed(e.to_string()),
    }
}

/// The decision of a verdict record (`None`: an error record).
fn decision(record: &Value) -> Option<Decision> {
    match record.get("decision").and_then(Value::as_str) {
        Some("allowed") => Some(Decision::Allowed),
        Some("denied") => Some(Decision::Denied),
        _ => None,
    }
}

/// Applies the suppressions to a verdict record; an error record stays as it is.
fn finish(mut json: Value, target: &Target<'_>, ctx: &Context<'_>) -> Outcome {
    let Some(decision) = decision(&json) else {
        return Outcome::error(json);
    };
    let applied = ctx.suppressions.apply(&mut json, target, ctx.today);
    Outcome {
        json,
        decision: Some(decision),
        suppressed_denied: decision == Decision::Denied && applied.all_errors_suppressed,
        text: None,
    }
}

/// Adds where each finding's statement stands in the input (`location: {file, line,
/// column}`, as `check` does): for an NDJSON record, the line is the record's line in the
/// file.
fn locate(mut findings: Vec<Value>, text: &str, source: &str) -> Vec<Value> {
    let (file, record_line) = s3why::batch::sarif::split_source(source);
    let paths: Vec<Option<String>> = findings
        .iter()
        .map(|f| f.get("path").and_then(Value::as_str).map(str::to_string))
        .collect();
    // Only findings that name a path are located; one scan of the text for all of them.
    let wanted: Vec<&str> = paths.iter().flatten().map(String::as_str).collect();
    let mut found = s3why::facts::locate::locate_all(text, &wanted).into_iter();
    for (f, path) in findings.iter_mut().zip(&paths) {
        if path.is_none() {
            continue;
        }
        if let Some(Some(pos)) = found.next() {
            let line = record_line.map_or(pos.line as u64, |l| l + pos.line as u64 - 1);
            f["location"] = serde_json::json!({"file": file, "line": line, "column": pos.column});
        }
    }
    findings
}

pub fn run(args: &BatchArgs) -> Status {
    let today = today_utc();
    let Ok(ruleset) = args.rules.load() else {
        return Status::InputError;
    };
    let suppressions = match &args.suppressions {
        None => Suppressions::default(),
        Some(path) => match Suppressions::load(path) {
            Ok(s) => s,
            Err(errors) => {
                // `--error-format json` covers this file's errors as it does the rules'.
                if args.rules.error_format == super::rules_args::ErrorFormatArg::Json {
                    let list: Vec<serde_json::Value> = errors
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "code": "suppressions::invalid",
                                "severity": "error",
                                "message": e.message,
                                "file": e.file,
                                "line": e.line,
                                "path": e.path,
                            })
                        })
                        .collect();
                    eprintln!("{}", serde_json::Value::Array(list));
                } else {
                    for e in errors {
                        eprintln!("error: {e}");
                    }
                }
                return Status::InputError;
            }
        },
    };
    // An id no loaded rule declares is most likely a typo: it would only show up as
    // unused at the end. (A rule without METADATA may still produce it: a warning.)
    let known: Vec<&str> = ruleset.rules().iter().map(|r| r.id.as_str()).collect();
    for s in suppressions.entries() {
        if known.contains(&s.id.as_str()) {
            continue;
        }
        let hint = s3why::lang::diag::suggest(&s.id, known.iter().copied())
            .map(|near| format!(" (did you mean {near:?}?)"))
            .unwrap_or_default();
        eprintln!(
            "warning: {}: {}.id: {:?} is the id of no loaded rule{hint}",
            args.suppressions
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            s.path,
            s.id
        );
    }
    for s in suppressions.expired(today) {
        let until = s.expires.map(|d| d.to_string()).unwrap_or_default();
        eprintln!(
            "warning: expired suppression (until {until}), not applied: {}",
            s.describe()
        );
    }
    let rules = from_ruleset(ruleset.rules());
    let snapshots = match args.snapshot.is_empty() {
        true => None,
        false => match Snapshots::load(&args.snapshot) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("error: {e}");
                return Status::InputError;
            }
        },
    };
    let matrix = match snapshots
        .as_ref()
        .map(|s| matrix(args, s, &ruleset))
        .transpose()
    {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::InputError;
        }
    };
    if let (Some(m), false) = (&matrix, args.quiet) {
        eprintln!("matrix: {}", m.describe());
    }
    let ctx = Context {
        ruleset,
        suppressions,
        today,
        matrix,
        json_text: writes_json_text(args.format.into()),
        renamed: AtomicU64::new(0),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let mut who = s3why::batch::matrix_summary::MatrixSummary::default();
    let mut write_error: Option<std::io::Error> = None;
    // On a terminal, unless the records go to that terminal too: a bar redrawn between
    // the records would run into them.
    let progress = (!args.quiet
        && std::io::stderr().is_terminal()
        && !std::io::stdout().is_terminal())
    .then(|| {
        // A matrix knows how many pairs it has: a bar with the time left. A stream of
        // records does not: a spinner with the count.
        let (bar, template) = match &ctx.matrix {
            Some(m) => (
                indicatif::ProgressBar::new(m.cells().count() as u64),
                "{bar:40} {pos}/{len} pairs ({rate}, {eta} left)",
            ),
            None => (
                indicatif::ProgressBar::new_spinner(),
                "{spinner} records: {pos} ({rate}) {elapsed}",
            ),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
                // Whole records a second: `{per_sec}` prints four decimals.
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}/s", state.per_sec());
                    },
                ),
        );
        bar
    });
    let mut writer = match Writer::begin(args.format.into(), rules, &mut out) {
        Ok(w) => Some(w),
        Err(e) => {
            write_error = Some(e);
            None
        }
    };
    let items: Box<dyn Iterator<Item = Item> + Send + '_> = match &ctx.matrix {
        None => Box::new(Records::new(&args.paths).map(Item::Text)),
        Some(m) => Box::new(m.cells().map(Item::Cell)),
    };
    run_ordered(
        items,
        jobs,
        jobs * 64,
        |record| evaluate(record, &ctx),
        |next: Next<Outcome>| {
            let o = match next {
                Next::Result(o) => o,
                // A slow input: show what is written before the next record comes.
                Next::Waiting => {
                    return match out.flush() {
                        Ok(()) => ControlFlow::Continue(()),
                        Err(e) => {
                            write_error = Some(e);
                            ControlFlow::Break(())
                        }
                    }
                }
            };
            summary.add(&o);
            who.add(&o.json);
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            // Once the output fails (a full disk, or `| head` has read enough), the
            // remaining records would be evaluated for nothing: stop reading them.
            match writer.as_mut().map(|w| w.record(&mut out, &o)) {
                Some(Err(e)) => {
                    write_error = Some(e);
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        },
    );
    if let (Some(w), None) = (writer, &write_error) {
        if let Err(e) = w.finish(&mut out, &summary, started.elapsed()) {
            write_error = Some(e);
        }
    }
    let flushed = out.flush();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    match write_error.or(flushed.err()) {
        // The reader closed the pipe (`s3why batch ... | head`): it has what it wanted;
        // the exit status says what the records written so far say.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Some(e) => {
            eprintln!("error: cannot write the output: {e}");
            return Status::InputError;
        }
        None => {}
    }
    // An entry whose id no rule declares was named at the start, and can match nothing
    // (a finding's id must be declared): "unused" would say it twice.
    let declared: Vec<&str> = ctx.ruleset.rules().iter().map(|r| r.id.as_str()).collect();
    for s in ctx.suppressions.unused(today) {
        if declared.contains(&s.id.as_str()) {
            eprintln!("warning: unused suppression: {}", s.describe());
        }
    }
    if !args.quiet {
        eprint!("{}", summary.render(started.elapsed(), 10));
        if ctx.matrix.is_some() {
            eprintln!("{}", sharing(summary.records, ctx.renamed.into_inner()));
        }
        eprint!("{}", who.render(20));
    }
    match summary.status() {
        BatchStatus::Errors => Status::InputError,
        BatchStatus::Denied => Status::Denied,
        BatchStatus::Allowed => Status::Ok,
    }
}

/// The (principal, bucket) pairs of the snapshots, as the flags select them.
fn matrix<'a>(
    args: &BatchArgs,
    snapshots: &'a Snapshots,
    ruleset: &Ruleset,
) -> Result<Matrix<'a>, DataError> {
    let Some(path) = &args.request else {
        return Err(DataError::new(
            "",
            "--request",
            "--snapshot needs --request TEMPLATE: the key and headers every pair shares",
        ));
    };
    let template = request::template(&Doc::read(path)?)?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let selection = Selection {
        principal: args.principal.clone(),
        bucket: args.bucket.clone(),
        shard,
    };
    let matrix = Matrix::new(snapshots, template, PutObject::default(), &selection)?
        .document_reads(ruleset.program().input_reads().cloned());
    // Principals with the same policies share one evaluation a bucket when the rules are
    // the bundled ones, which only quote the principal's ARN; a team's rules may do more.
    Ok(match args.rules.rules.is_empty() {
        true => matrix,
        false => matrix.each_alone(),
    })
}

/// `--jobs`: a whole number of at least 1 (0 workers would evaluate nothing).
fn positive_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of at least 1".into()),
    }
}
