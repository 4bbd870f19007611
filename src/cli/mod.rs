//! The command line: one file per subcommand, each a thin adapter over the library.
//!
//! Exit statuses (documented in docs/cli.md): 0 allowed / success, 1 denied / failures
//! found, 2 the input could not be read or evaluated.

/// `print!` to standard output, except that a reader that went away (`s3why facts ... |
/// head -1`) ends the output quietly: `print!` panics on a broken pipe.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::write_stdout(&format!($($t)*)) };
}

/// `println!`, with [`out!`]'s handling of a closed pipe.
macro_rules! outln {
    ($($t:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format_args!($($t)*))) };
}

mod batch;
mod check;
mod facts;
mod input;
mod rules_args;
mod rules_cmd;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Why does my S3 upload get 403 Access Denied?
#[derive(Debug, Parser)]
#[command(name = "s3why", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide one request (a fact document) and name the causes of a denial.
    Check(check::CheckArgs),
    /// Decide one request and print the full trace: every policy, statement and condition.
    Explain(check::ExplainArgs),
    /// Decide many requests (NDJSON, files, folders), streamed, on every core.
    Batch(batch::BatchArgs),
    /// Format rule files in one canonical layout (`--check`: report, write nothing).
    Fmt(rules_cmd::FmtArgs),
    /// Run every load-time check over rule files (exit 2 on errors).
    Lint(rules_cmd::LintArgs),
    /// The rules of a ruleset.
    #[command(subcommand)]
    Rules(rules_cmd::RulesCommand),
    /// Write a seeded corpus of generated fact documents (NDJSON), for tests and benchmarks.
    Corpus(s3why::corpus::CorpusArgs),
    /// Assemble a fact document from AWS CLI output (files or a snapshot folder) and a request.
    Facts(Box<facts::FactsArgs>),
    /// Run rule regression suites (case files with expectations and snapshots).
    Test(test::TestArgs),
}

/// The outcome of a command, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Allowed, or the command succeeded.
    Ok = 0,
    /// Denied, or failures were found.
    Denied = 1,
    /// The input could not be read or evaluated.
    InputError = 2,
}

/// Colour on a terminal, none in a pipe; `NO_COLOR` (any non-empty value) turns it off.
pub fn colour() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    std::io::stdout().is_terminal() && !no_color
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // A malformed S3WHY_NOW stops the run: deciding at the clock's time instead would
    // quietly give other verdicts than the run asked for.
    if let Err(e) = s3why::clock::check_env() {
        eprintln!("error: {e}");
        return ExitCode::from(Status::InputError as u8);
    }
    let status = match &cli.command {
        Command::Check(args) => check::run_check(args),
        Command::Explain(args) => check::run_explain(args),
        Command::Batch(args) => batch::run(args),
        Command::Fmt(args) => rules_cmd::run_fmt(args),
        Command::Lint(args) => rules_cmd::run_lint(args),
        Command::Rules(cmd) => rules_cmd::run_rules(cmd),
        Command::Corpus(args) => match s3why::corpus::run(args, &mut std::io::stdout().lock()) {
            Ok(()) => Status::Ok,
            Err(e) => {
                eprintln!("error: cannot write the corpus: {e}");
                Status::InputError
            }
        },
        Command::Facts(args) => facts::run(args),
        Command::Test(args) => test::run(args),
    };
    ExitCode::from(status as u8)
}

/// Writes to standard output. A closed pipe is not an error of the run (the reader has
/// what it wanted); any other failure is reported on standard error.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write to standard output: {e}"),
    }
}
