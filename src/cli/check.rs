//! `s3why check FILE` and `s3why explain FILE`: one request, its verdict, its causes.

use clap::{Args, ValueEnum};
use serde_json::Value;

use s3why::aws::{decide, Decision};
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
    /// The fact document (JSON or YAML); `-` reads standard input.
    pub file: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub rules: RulesArgs,
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
fn evaluate(file: &str, rules: &RulesArgs) -> Result<(s3why::aws::Verdict, Vec<Value>), Status> {
    let ruleset = rules.load().map_err(|()| Status::InputError)?;
    let (text, facts) = read(file).ok_or(Status::InputError)?;
    let verdict = decide(&facts);
    match ruleset.findings(facts, &verdict) {
        Ok(f) => Ok((verdict, locate(f, &text, file))),
        Err(e) => {
            eprintln!("error: a rule failed on {file}:\n{e}");
            Err(Status::InputError)
        }
    }
}

pub fn run_check(args: &CheckArgs) -> Status {
    let (verdict, findings) = match evaluate(&args.file, &args.rules) {
        Ok(v) => v,
        Err(status) => return status,
    };
    match args.format {
        OutputFormat::Json => println!(
            "{}",
            s3why::report::verdict_record(&args.file, &verdict, findings)
        ),
        OutputFormat::Text => print!(
            "{}",
            render::verdict_text(&verdict, &findings, super::colour())
        ),
    }
    status_of(verdict.decision)
}

pub fn run_explain(args: &ExplainArgs) -> Status {
    let (verdict, findings) = match evaluate(&args.file, &args.rules) {
        Ok(v) => v,
        Err(status) => return status,
    };
    match args.format {
        OutputFormat::Json => {
            let trace =
                serde_json::json!({"source": args.file, "verdict": verdict, "findings": findings});
            match serde_json::to_string_pretty(&trace) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("error: cannot serialize the trace: {e}");
                    return Status::InputError;
                }
            }
        }
        OutputFormat::Text => print!(
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
