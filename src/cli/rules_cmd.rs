//! `s3why fmt`, `s3why lint` and `s3why rules list`: tooling for rule files.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use s3why::lang::cli_support::{collect_rule_files, format_file};
use s3why::rules::Ruleset;

use super::rules_args::{print_load_error, ErrorFormatArg, RulesArgs};
use super::Status;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files, or folders of `.s3why` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human)]
    pub error_format: ErrorFormatArg,
}

/// Formats rule files in place (or checks them). Exit 0 formatted, 1 `--check` found
/// unformatted files, 2 a file could not be read or parsed.
pub fn run_fmt(args: &FmtArgs) -> Status {
    let files = match collect_rule_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            print_load_error(&e, args.error_format);
            return Status::InputError;
        }
    };
    let mut status = Status::Ok;
    for file in files {
        let result = match format_file(&file) {
            Ok(None) => continue,
            Ok(Some(_)) if args.check => {
                outln!("{}: not formatted", file.display());
                Status::Denied
            }
            Ok(Some(formatted)) => match std::fs::write(&file, formatted) {
                Ok(()) => {
                    outln!("{}: formatted", file.display());
                    Status::Ok
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", file.display());
                    Status::InputError
                }
            },
            Err(e) => {
                print_load_error(&e, args.error_format);
                Status::InputError
            }
        };
        status = worse(status, result);
    }
    status
}

/// 2 wins over 1 wins over 0.
fn worse(a: Status, b: Status) -> Status {
    if a as u8 >= b as u8 {
        a
    } else {
        b
    }
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Rule files, or folders of `.s3why` files (checked together with the bundled ruleset
    /// unless --no-bundled, so they may import its packages).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub no_bundled: bool,
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human)]
    pub error_format: ErrorFormatArg,
}

/// Every load-time check. Exit 0 clean, 2 on errors (all of them printed).
pub fn run_lint(args: &LintArgs) -> Status {
    match Ruleset::load(!args.no_bundled, &args.paths) {
        Ok(rs) => {
            let files = collect_rule_files(&args.paths).map_or(0, |f| f.len());
            eprintln!(
                "{files} rule file(s) checked, {} rule(s) with metadata: no errors",
                rs.rules().len()
            );
            Status::Ok
        }
        Err(e) => {
            print_load_error(&e, args.error_format);
            Status::InputError
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule with metadata: id, severity, title, source file.
    List(ListArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub rules: RulesArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

pub fn run_rules(cmd: &RulesCommand) -> Status {
    let RulesCommand::List(args) = cmd;
    let Ok(rs) = args.rules.load() else {
        return Status::InputError;
    };
    match args.format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rs
                .rules()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "severity": r.severity, "title": r.title, "description": r.description,
                        "docs": r.docs, "tags": r.tags, "package": r.package, "file": r.file, "line": r.line,
                    })
                })
                .collect();
            outln!("{}", serde_json::Value::Array(list));
        }
        ListFormat::Text => {
            let width = rs.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in rs.rules() {
                outln!(
                    "{:width$}  {:7}  {}  ({}:{})",
                    r.id,
                    r.severity.as_deref().unwrap_or("error"),
                    r.title.as_deref().unwrap_or(""),
                    r.file,
                    r.line
                );
            }
        }
    }
    Status::Ok
}
