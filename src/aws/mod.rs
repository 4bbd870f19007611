//! The IAM / S3 / KMS policy evaluation library, usable without the rule language.
//!
//! Data flow: [`crate::facts::Facts`] (policies compiled once) → [`s3::decide`], which
//! builds the request context ([`request_context`]), runs S3's own gates, authorizes every
//! action the upload needs across every policy type ([`authorize`], one policy at a time
//! in [`evaluate`]), adds the KMS calls ([`kms`]) and phrases AWS's message ([`message`]).

pub mod arn;
pub mod authorize;
pub mod command;
pub mod condition;
pub mod context;
pub mod evaluate;
pub mod field;
pub mod kms;
pub mod message;
pub mod pattern;
pub mod policy;
pub mod public;
pub mod request_context;
pub mod s3;
pub mod variables;

pub use s3::{decide, decide_request, decide_request_after, Decision, Verdict};
