//! Rule regression suites (`s3why test`): case files that name a fact document and what
//! its verdict must show (decision, status, finding ids present and absent, a snapshot of
//! the whole verdict), run against a loaded ruleset, with coverage of the rule ids.
//!
//! * [`case`]: the case format and its strict loading (file:line on every error).
//! * [`discover`]: which files are case files (`*.case.yaml|yml|json`).
//! * [`snapshot`]: insta-format `.snap` files, the stable verdict body, line diffs.
//! * [`runner`]: loading and running cases, checking expectations, writing pending
//!   snapshots, finding orphaned ones.
//! * [`output`]: the run as text, JSON or JUnit XML (the library never prints).
//!
//! No false passes: a file with no cases, a case that asserts nothing, an expected id no
//! rule reports, or a filter that matches nothing are load errors, not passes.

pub mod case;
pub mod discover;
pub(crate) mod locate;
pub mod output;
pub mod runner;
pub mod snapshot;

pub use case::{Case, Expected};
pub use runner::{
    load, orphan_snapshots, run, CaseResult, Coverage, Failure, Options, Outcome, RunReport,
};

/// A case that could not be loaded (or a run that could not start): where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file, as reached from the paths given.
    pub file: String,
    /// 1-based line (0 when the error is about the file as a whole).
    pub line: usize,
    /// 1-based column, when the parser gave one.
    pub column: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl LoadError {
    /// An error at a line of a file.
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_string(),
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file, self.message),
            (l, Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (l, None) => write!(f, "{}:{l}: {}", self.file, self.message),
        }
    }
}
