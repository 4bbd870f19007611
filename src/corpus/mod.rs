//! Seeded generators of fact documents (see `/work/shared/spec/facts.md`).
//!
//! Two profiles:
//!
//! * [`Profile::Iam`]: documents that exercise pure IAM logic (identity policies, bucket
//!   policies and their principal forms, boundaries, session policies, SCPs, RCPs, VPC
//!   endpoint policies, condition operators) and keep S3-only gates (ACL grants, KMS, Block
//!   Public Access, BucketOwnerEnforced) out, so that a plain IAM simulator can decide the same
//!   question. Used by the differential harness in `tests/differential/`.
//! * [`Profile::Realistic`]: records of about 12 KB with large policies, KMS keys, Block
//!   Public Access and ownership settings, for benchmarking. Any mix of outcomes.
//!
//! Generation is deterministic: the same seed gives the same stream on every platform
//! (a self-contained SplitMix64, [`rng::Rng`]), and record `i` depends only on `(seed, i)`.

mod iam;
mod realistic;
pub mod rng;

use std::io::Write;

use serde_json::Value;

/// Which kind of documents to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// Pure IAM logic, comparable with an IAM simulator (the differential test's input).
    Iam,
    /// Large, realistic records (~12 KB) for benchmarking.
    Realistic,
}

/// `s3why corpus`: write a seeded stream of fact documents as NDJSON.
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// Seed of the stream; the same seed always gives the same documents.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of documents to write.
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// Kind of documents.
    #[arg(long, value_enum, default_value_t = Profile::Iam)]
    pub profile: Profile,
}

/// The infinite, deterministic stream of documents for `seed` and `profile`.
pub fn generate(seed: u64, profile: Profile) -> impl Iterator<Item = Value> {
    (0u64..).map(move |i| generate_one(seed, profile, i))
}

/// Record `index` of the stream `(seed, profile)`.
pub fn generate_one(seed: u64, profile: Profile, index: u64) -> Value {
    let mut rng = rng::Rng::for_record(seed, index);
    match profile {
        Profile::Iam => iam::document(&mut rng),
        Profile::Realistic => realistic::document(&mut rng),
    }
}

/// Write `args.count` documents, one JSON object a line.
pub fn run(args: &CorpusArgs, out: &mut dyn Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    for doc in generate(args.seed, args.profile).take(args.count) {
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
