//! s3why: answers "I am allowed `s3:PutObject`, so why does my upload get 403 Access Denied?"
//!
//! The crate is a library with a thin binary (`src/main.rs`). Its parts, in data-flow order:
//!
//! * [`facts`]: the fact document (one request plus every policy and setting AWS consults),
//!   read strictly from JSON or YAML, with the path of every bad field.
//! * [`aws`]: the IAM / S3 / KMS evaluation library that decides the request as AWS does,
//!   with a trace of which statement and condition decided.
//! * [`lang`]: the rule language (grammar, checker, compiler, evaluator, formatter) in
//!   which every cause of a denial is a rule.
//! * [`batch`]: streamed, ordered, parallel evaluation of many fact documents.
//! * [`report`]: the verdict record other tools read.
//! * [`testing`]: rule regression suites (`s3why test`): cases, snapshots, coverage.
//!
//! The library never prints, reads standard input or exits; only the binary does.

pub mod aws;
pub mod awsdata;
pub mod batch;
pub mod clock;
pub mod corpus;
pub mod facts;
pub mod lang;
pub mod render;
pub mod report;
pub mod rules;
pub mod testing;
pub mod text;
pub mod walk;
