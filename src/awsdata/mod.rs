//! From what users already have (AWS CLI output) to fact documents (`spec/facts.md`).
//!
//! Nothing here calls AWS. The user runs the `aws` commands (docs/aws-data.md gives the
//! script) and s3why reads their output exactly as the CLI prints it:
//!
//! * [`iam`]: `aws iam get-account-authorization-details`: users, groups, roles, their
//!   inline and attached managed policies (default version), boundaries and tags.
//! * [`s3`]: `aws s3api get-bucket-*` / `get-public-access-block`, `aws s3control
//!   get-public-access-block`.
//! * [`kms`], [`ec2`], [`orgs`]: keys, VPC endpoints, SCP/RCP levels.
//! * [`assemble`]: puts one request and those pieces together into a fact document that
//!   `Facts::from_value` accepts; [`snapshot`] does the same from a folder of such files.
//! * [`matrix`]: every principal × every bucket of snapshots, principals with identical
//!   policies evaluated once per bucket ([`same`]).
//! * [`from_error`]: reads the AccessDenied message a user got.
//!
//! Every error names the file and the JSON path inside it ([`DataError`]).

pub mod assemble;
pub mod ec2;
pub mod files;
pub mod from_error;
pub mod iam;
pub mod json;
pub mod kms;
pub mod matrix;
pub mod orgs;
pub mod request;
pub mod s3;
pub mod same;
pub mod snapshot;
pub mod snapshots;

use std::fmt;

/// AWS CLI output that could not be used: which file, where in it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The file as the user named it (with `:line:column` for syntax errors).
    pub file: String,
    /// The JSON path inside the file; empty for the whole file.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl DataError {
    /// An error at `path` in `file`.
    pub fn new(file: &str, path: &str, message: impl Into<String>) -> DataError {
        DataError {
            file: file.to_string(),
            path: path.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.path.is_empty()) {
            (true, true) => f.write_str(&self.message),
            (true, false) => write!(f, "{}: {}", self.path, self.message),
            (false, true) => write!(f, "{}: {}", self.file, self.message),
            (false, false) => write!(f, "{}: {}: {}", self.file, self.path, self.message),
        }
    }
}

impl std::error::Error for DataError {}
