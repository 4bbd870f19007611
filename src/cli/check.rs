//! `s3why check FILE` and `s3why explain FILE`: one request, its verdict, its causes.

use clap::{Args, ValueEnum};
use serde_json::Value;

use s3why::aws::{decide, Decision};
use s3why::awsdata::from_error;
use s3why::awsdata::snapshots::Snapshots;
use s3why::facts::Facts;

use super::input::read_facts_text;
use super::rules_args::RulesArgs;
use super::Status;
use s3why::render;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// One JSON object (facts.md, "Output: the verdict").
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The fact document (JSON or YAML); `-` reads standard input. With --from-error and
    /// --snapshot it may be left out: the facts are built from the snapshot.
    #[arg(required_unless_present = "from_error")]
    pub file: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// The AccessDenied message the upload got (`User: ARN is not authorized to perform:
    /// ... because ...`, or `Access Denied`): fills the principal, action, bucket and key,
    /// and ranks first the causes in the policy type it names.
    #[arg(long, value_name = "MESSAGE")]
    pub from_error: Option<String>,
    /// With --from-error and no FILE: account snapshot folders (docs/aws-data.md) to build
    /// the fact document from.
    #[arg(long, value_name = "DIR", requires = "from_error")]
    pub snapshot: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The fact document (JSON or YAML); `-` reads standard input.
    pub file: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub rules: RulesArgs,
}

/// The verdict and its findings, or the exit status of a failure already reported.
fn evaluate(
    file: &str,
    rules: &RulesArgs,
    message: Option<&from_error::DeniedMessage>,
) -> Result<(s3why::aws::Verdict, Vec<Value>), Status> {
    let ruleset = rules.load().map_err(|()| Status::InputError)?;
    let (text, facts) = read(file).ok_or(Status::InputError)?;
    if let Some(m) = message {
        warn_if_other_request(m, &facts.request, file);
    }
    let verdict = std::sync::Arc::new(decide(&facts));
    match ruleset.findings(facts, &verdict) {
        Ok(f) => Ok((unshared(verdict), locate(f, &text, file))),
        Err(e) => {
            eprintln!("error: a rule failed on {file}:\n{e}");
            Err(Status::InputError)
        }
    }
}

pub fn run_check(args: &CheckArgs) -> Status {
    let message = match args
        .from_error
        .as_deref()
        .map(from_error::parse)
        .transpose()
    {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::InputError;
        }
    };
    let result = match (&args.file, &message) {
        (Some(file), _) => evaluate(file, &args.rules, message.as_ref()),
        (None, Some(m)) if !args.snapshot.is_empty() => {
            evaluate_snapshot(m, &args.snapshot, &args.rules)
        }
        (None, Some(m)) => {
            out!("{}", describe_message(m));
            eprintln!("error: give the fact document (FILE) or --snapshot DIR to find the cause");
            return Status::InputError;
        }
        (None, None) => return Status::InputError,
    };
    let (verdict, mut findings) = match result {
        Ok(v) => v,
        Err(status) => return status,
    };
    let source = args.file.clone().unwrap_or_else(|| "snapshot".to_string());
    if let Some(m) = &message {
        rank_by_message(&mut findings, m);
    }
    match args.format {
        OutputFormat::Json => outln!(
            "{}",
            s3why::report::verdict_record(&source, &verdict, findings)
        ),
        OutputFormat::Text => {
            if let Some(m) = &message {
                out!("{}", describe_message(m));
            }
            out!(
                "{}",
                render::verdict_text(&verdict, &findings, super::colour())
            );
            if message.is_some() && verdict.decision == s3why::aws::Decision::Allowed {
                out!("{}", CONTRADICTED);
            }
        }
    }
    status_of(verdict.decision)
}

/// A message about another request than the fact document's: the verdict is the facts',
/// which says nothing of the refusal pasted. Said on standard error, field by field.
fn warn_if_other_request(
    m: &from_error::DeniedMessage,
    request: &s3why::facts::Request,
    file: &str,
) {
    let mut differ = Vec::new();
    if let Some(p) = m
        .principal
        .as_deref()
        .filter(|p| *p != request.principal.arn)
    {
        differ.push(format!(
            "principal {p} (the facts: {})",
            request.principal.arn
        ));
    }
    if let Some(b) = m.bucket.as_deref().filter(|b| *b != request.bucket) {
        differ.push(format!("bucket {b} (the facts: {})", request.bucket));
    }
    if let (Some(k), Some(fk)) = (m.key.as_deref(), request.key.as_deref()) {
        if k != fk {
            differ.push(format!("key {k} (the facts: {fk})"));
        }
    }
    if !differ.is_empty() {
        eprintln!(
            "warning: the message is about another request than {file}: {}; the verdict is \
             the facts' own",
            differ.join(", ")
        );
    }
}

/// After an allowed verdict for a request AWS refused: the facts are not what AWS saw.
const CONTRADICTED: &str = "
But AWS refused this request, and these facts allow it: they differ from what AWS
consulted or from the request that was sent. Check that they hold every policy that
applies (each SCP and RCP level, the VPC endpoint policy, the KMS key policy, session
policies, the permissions boundary) and the request as sent (headers, source address,
VPC endpoint, HTTPS).
";

/// What a pasted AccessDenied message says, in a few lines.
fn describe_message(m: &from_error::DeniedMessage) -> String {
    let mut out = String::from("From the error message:\n");
    for (label, value) in [
        ("principal", &m.principal),
        ("action", &m.action),
        ("resource", &m.resource),
    ] {
        if let Some(v) = value {
            out.push_str(&format!("  {label}: {v}\n"));
        }
    }
    // What the tool that printed it adds: the object it was writing, the operation.
    if let (None, Some(b)) = (&m.resource, &m.bucket) {
        let key = m.key.as_deref().unwrap_or_default();
        out.push_str(&format!(
            "  object: s3://{b}/{key} (the upload's destination)\n"
        ));
    }
    if let (None, Some(op)) = (&m.action, &m.operation) {
        // PutObject goes without saying.
        let how = match m.upload_operation() {
            Some(true) => Some(" (a step of a multipart upload, authorized as s3:PutObject)"),
            Some(false) => None,
            None => Some(" (not an upload: s3why decides uploads, s3:PutObject)"),
        };
        if let Some(how) = how {
            out.push_str(&format!("  operation: {op}{how}\n"));
        }
    }
    match (m.blamed(), m.finding_id()) {
        (_, Some(id)) => out.push_str(&format!("  AWS names the cause: {id}\n")),
        (Some((t, explicit)), None) => {
            let how = if explicit {
                "an explicit deny in"
            } else {
                "no Allow in"
            };
            out.push_str(&format!("  AWS blames: {how} the {}\n", t.as_str()));
        }
        (None, None) => out.push_str(
            "  AWS names no policy type (a generic message: cross-account or another gate)\n",
        ),
    }
    out.push('\n');
    out
}

/// The cause the message names comes first, or the causes in the policy type it names
/// (AWS names one cause).
fn rank_by_message(findings: &mut [Value], m: &from_error::DeniedMessage) {
    if let Some(id) = m.finding_id() {
        findings.sort_by_key(|f| f.get("id").and_then(Value::as_str) != Some(id));
    } else if let Some((t, _)) = m.blamed() {
        findings.sort_by_key(|f| f.get("policy").and_then(Value::as_str) != Some(t.as_str()));
    }
}

/// The facts built from snapshot folders for the principal, bucket and key of a message.
fn evaluate_snapshot(
    m: &from_error::DeniedMessage,
    dirs: &[std::path::PathBuf],
    rules: &RulesArgs,
) -> Result<(s3why::aws::Verdict, Vec<Value>), Status> {
    let ruleset = rules.load().map_err(|()| Status::InputError)?;
    let fail = |e: String| {
        eprintln!("error: {e}");
        Status::InputError
    };
    let fields = m.request_fields();
    // A bare `Access Denied` names neither; `s3why facts` builds the document from the
    // same snapshot once they are given.
    let missing = match (&m.principal, &m.bucket) {
        (Some(_), Some(_)) => None,
        (None, Some(_)) => Some("no principal"),
        (Some(_), None) => Some("no S3 bucket"),
        (None, None) => Some("no principal and no S3 bucket"),
    };
    if let Some(what) = missing {
        let arg = |flag: &str, v: &Option<String>, placeholder: &str| match v {
            Some(v) => format!(" {flag} {}", s3why::aws::command::shell_quote(v)),
            None => format!(" {flag} {placeholder}"),
        };
        let multipart = match m.upload_operation() {
            Some(true) => " --multipart",
            _ => "",
        };
        let dirs: String = dirs
            .iter()
            .map(|d| {
                let d = d.display().to_string();
                format!(" --snapshot {}", s3why::aws::command::shell_quote(&d))
            })
            .collect();
        return Err(fail(format!(
            "the message names {what}: build the fact document from the snapshot and give it \
             to check:\n  s3why facts{dirs}{}{}{}{multipart} | s3why check --from-error MESSAGE -\n\
             (`aws sts get-caller-identity --query Arn --output text` prints the principal)",
            arg("--principal", &m.principal, "ARN"),
            arg("--bucket", &m.bucket, "BUCKET"),
            arg("--key", &m.key, "KEY"),
        )));
    }
    let bucket = m.bucket.clone().unwrap_or_default();
    let snapshots = Snapshots::load(dirs).map_err(|e| fail(e.to_string()))?;
    let facts = snapshots
        .facts(&bucket, fields)
        .map_err(|e| fail(e.to_string()))?;
    let text = serde_json::to_string_pretty(&facts.document).unwrap_or_default();
    let verdict = std::sync::Arc::new(decide(&facts));
    match ruleset.findings(facts, &verdict) {
        Ok(f) => Ok((unshared(verdict), locate(f, &text, "snapshot"))),
        Err(e) => Err(fail(format!("a rule failed:\n{e}"))),
    }
}

pub fn run_explain(args: &ExplainArgs) -> Status {
    let (verdict, findings) = match evaluate(&args.file, &args.rules, None) {
        Ok(v) => v,
        Err(status) => return status,
    };
    match args.format {
        OutputFormat::Json => {
            let trace =
                serde_json::json!({"source": args.file, "verdict": verdict, "findings": findings});
            match serde_json::to_string_pretty(&trace) {
                Ok(s) => outln!("{s}"),
                Err(e) => {
                    eprintln!("error: cannot serialize the trace: {e}");
                    return Status::InputError;
                }
            }
        }
        OutputFormat::Text => out!(
            "{}",
            render::trace_text(&verdict, &findings, super::colour())
        ),
    }
    status_of(verdict.decision)
}

fn read(file: &str) -> Option<(String, Facts)> {
    match read_facts_text(file) {
        Ok(pair) => Some(pair),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// Adds the line and column where each finding's statement stands in the input.
fn locate(mut findings: Vec<Value>, text: &str, file: &str) -> Vec<Value> {
    for f in &mut findings {
        let Some(path) = f.get("path").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if let Some(pos) = s3why::facts::locate::locate(text, &path) {
            f["location"] =
                serde_json::json!({"file": file, "line": pos.line, "column": pos.column});
        }
    }
    findings
}

fn status_of(d: Decision) -> Status {
    match d {
        Decision::Allowed => Status::Ok,
        Decision::Denied => Status::Denied,
    }
}

/// The verdict back from the rules (which held it while they ran, and are done).
fn unshared(verdict: std::sync::Arc<s3why::aws::Verdict>) -> s3why::aws::Verdict {
    std::sync::Arc::try_unwrap(verdict).unwrap_or_else(|shared| (*shared).clone())
}
