//! The flags that choose a ruleset, shared by `check`, `explain`, `batch` and `test`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use s3why::lang::cli_support::{render_load_error, ErrorFormat};
use s3why::lang::LoadError;
use s3why::rules::Ruleset;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ErrorFormatArg {
    /// file:line:col, the source line, a caret, a hint.
    #[default]
    Human,
    /// A JSON array of diagnostics.
    Json,
}

#[derive(Debug, Args, Clone, Default)]
pub struct RulesArgs {
    /// A rule file, or a folder of `.s3why` files, to add to the bundled ruleset (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Leave the bundled ruleset out (only `--rules` files are used).
    #[arg(long)]
    pub no_bundled: bool,
    /// How rule-file errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human)]
    pub error_format: ErrorFormatArg,
}

impl RulesArgs {
    /// Loads and compiles the ruleset once; on error prints every diagnostic.
    pub fn load(&self) -> Result<Ruleset, ()> {
        Ruleset::load(!self.no_bundled, &self.rules)
            .map_err(|e| print_load_error(&e, self.error_format))
    }
}

pub fn error_format(f: ErrorFormatArg) -> ErrorFormat {
    match f {
        ErrorFormatArg::Human => ErrorFormat::Human,
        ErrorFormatArg::Json => ErrorFormat::Json,
    }
}

/// Prints a rule load error on standard error.
pub fn print_load_error(e: &LoadError, format: ErrorFormatArg) {
    eprint!("{}", render_load_error(e, error_format(format)));
}
