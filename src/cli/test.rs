//! `s3why test PATHS...`: run rule regression suites (`docs/testing.md`). Exit 0 every
//! case passes, 1 some case fails (or `--require-coverage` finds an uncovered rule id),
//! 2 a case could not be loaded or evaluated.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use s3why::testing::{self, output, Options};

use super::rules_args::RulesArgs;
use super::Status;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TestFormat {
    /// One line per failure with its details, then `N passed, N failed`.
    Text,
    /// One JSON object with every case (the summary line goes to standard error).
    Json,
    /// JUnit XML for CI (the summary line goes to standard error).
    Junit,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Case files, or folders searched recursively for `*.case.yaml|yml|json`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run only the cases whose name contains this text.
    #[arg(long, value_name = "NAME")]
    pub filter: Option<String>,
    /// How the run is reported.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Accept every new or changed snapshot (writes `.snap`, removes `.snap.new`).
    #[arg(long, conflicts_with = "check")]
    pub accept: bool,
    /// Write nothing (for CI): a new or changed snapshot fails without a `.snap.new`.
    #[arg(long)]
    pub check: bool,
    /// List every rule id with the number of cases that made it fire.
    #[arg(long)]
    pub coverage: bool,
    /// Like `--coverage`, and exit 1 when some rule id fires in no case.
    #[arg(long)]
    pub require_coverage: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
}

pub fn run(args: &TestArgs) -> Status {
    let Ok(ruleset) = args.rules.load() else {
        return Status::InputError;
    };
    let options = Options {
        filter: args.filter.clone(),
        accept: args.accept,
        check: args.check,
    };
    let cases = match testing::load(&args.paths, &ruleset, &options) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "{} case file error{}: nothing was run",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return Status::InputError;
        }
    };
    let report = testing::run(&cases, &ruleset, &options);
    if args.filter.is_none() {
        for p in testing::orphan_snapshots(&cases) {
            eprintln!(
                "warning: {} belongs to no case (renamed or removed?): delete it",
                p.display()
            );
        }
    }
    let coverage = args.coverage || args.require_coverage;
    match args.format {
        TestFormat::Text => {
            if coverage {
                out!("{}", output::coverage_text(&report.coverage));
            }
            out!("{}", output::text(&report));
        }
        TestFormat::Json => {
            outln!("{:#}", output::json(&report, coverage));
            eprintln!("{}", output::summary(&report));
        }
        TestFormat::Junit => {
            out!("{}", output::junit(&report));
            eprintln!("{}", output::summary(&report));
        }
    }
    if args.accept {
        let accepted: usize = report.results.iter().map(|r| r.written.len()).sum();
        if accepted > 0 {
            eprintln!(
                "accepted {accepted} snapshot{}",
                if accepted == 1 { "" } else { "s" }
            );
        }
    }
    if report.has_errors() {
        Status::InputError
    } else if report.failed() > 0
        || (args.require_coverage && !report.coverage.uncovered().is_empty())
    {
        Status::Denied
    } else {
        Status::Ok
    }
}
