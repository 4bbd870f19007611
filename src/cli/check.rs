//! `s3why check FILE` and `s3why explain FILE`.

use clap::{Args, ValueEnum};

use s3why::aws::{decide, Decision};

use super::input::read_facts;
use super::render;
use super::Status;

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
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The fact document (JSON or YAML); `-` reads standard input.
    pub file: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

pub fn run_check(args: &CheckArgs) -> Status {
    let facts = match read_facts(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::InputError;
        }
    };
    let verdict = decide(&facts);
    match args.format {
        OutputFormat::Json => println!(
            "{}",
            s3why::report::verdict_record(&args.file, &verdict, Vec::new())
        ),
        OutputFormat::Text => print!("{}", render::verdict_text(&verdict)),
    }
    status_of(verdict.decision)
}

pub fn run_explain(args: &ExplainArgs) -> Status {
    let facts = match read_facts(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::InputError;
        }
    };
    let verdict = decide(&facts);
    match args.format {
        OutputFormat::Json => match serde_json::to_string_pretty(&verdict) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot serialize the trace: {e}");
                return Status::InputError;
            }
        },
        OutputFormat::Text => print!("{}", render::trace_text(&verdict)),
    }
    status_of(verdict.decision)
}

fn status_of(d: Decision) -> Status {
    match d {
        Decision::Allowed => Status::Ok,
        Decision::Denied => Status::Denied,
    }
}
