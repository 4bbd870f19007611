//! The account matrix: every principal (or those matching a glob) × every bucket (or those
//! matching a glob) of a snapshot, as fact documents, in a fixed order that a shard
//! `I/N` splits deterministically, so that N machines running shards `0/N` .. `N-1/N`
//! together produce exactly the unsharded run (merged by `index`).

use globset::{Glob, GlobMatcher};
use serde_json::{Map, Value};

use super::request::{self, PutObject};
use super::snapshots::Snapshots;
use super::DataError;
use crate::facts::Facts;

/// Shard `index` of `count` (0-based, as Kubernetes indexed Jobs and AWS Batch array
/// jobs number their workers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with 0 <= I < N.
    pub fn parse(text: &str) -> Result<Shard, DataError> {
        let bad = || {
            DataError::new(
                "",
                "--shard",
                format!("{text:?}: expected I/N with 0 <= I < N, e.g. 0/4"),
            )
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Pair number `n` of the matrix belongs to this shard (round robin, so every shard
    /// gets a share of every principal).
    pub fn owns(&self, n: usize) -> bool {
        n % self.count == self.index
    }
}

/// Which pairs to produce.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Glob over principal ARNs (`*` crosses `/`), e.g. `arn:aws:iam::*:role/*`.
    pub principal: Option<String>,
    /// Glob over bucket names.
    pub bucket: Option<String>,
    pub shard: Option<Shard>,
}

/// One (principal, bucket) pair of the matrix and its fact document.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The pair's number in the unsharded matrix: principal-major, both sorted.
    pub index: usize,
    pub principal: String,
    pub bucket: String,
    /// `snapshot-dirs#principal@bucket`, for output records.
    pub source: String,
    /// The fact document, read (its JSON is `facts.document`).
    pub facts: Result<Facts, DataError>,
}

/// An iterator of [`Cell`]s over loaded snapshots (one per account).
pub struct Matrix<'a> {
    snapshots: &'a Snapshots,
    template: Map<String, Value>,
    flags: PutObject,
    principals: Vec<String>,
    buckets: Vec<String>,
    shard: Option<Shard>,
    next: usize,
}

fn matcher(glob: &Option<String>, flag: &str) -> Result<Option<GlobMatcher>, DataError> {
    glob.as_ref()
        .map(|g| {
            Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| DataError::new("", flag, format!("{g:?}: {e}")))
        })
        .transpose()
}

impl<'a> Matrix<'a> {
    /// The matrix of `snapshots` for the request `template` (+ put-object `flags`).
    pub fn new(
        snapshots: &'a Snapshots,
        template: Map<String, Value>,
        flags: PutObject,
        selection: &Selection,
    ) -> Result<Matrix<'a>, DataError> {
        let pm = matcher(&selection.principal, "--principal")?;
        let bm = matcher(&selection.bucket, "--bucket")?;
        let principals = snapshots
            .principal_arns()
            .into_iter()
            .filter(|p| pm.as_ref().map_or(true, |m| m.is_match(p)))
            .collect();
        let buckets = snapshots
            .bucket_names()
            .into_iter()
            .filter(|b| bm.as_ref().map_or(true, |m| m.is_match(b)))
            .collect();
        Ok(Matrix {
            snapshots,
            template,
            flags,
            principals,
            buckets,
            shard: selection.shard,
            next: 0,
        })
    }

    /// The number of pairs in the whole (unsharded) matrix.
    pub fn total(&self) -> usize {
        self.principals.len() * self.buckets.len()
    }
}

impl Iterator for Matrix<'_> {
    type Item = Cell;

    fn next(&mut self) -> Option<Cell> {
        while self.next < self.total() {
            let n = self.next;
            self.next += 1;
            if self.shard.is_some_and(|s| !s.owns(n)) {
                continue;
            }
            let principal = self.principals[n / self.buckets.len()].clone();
            let bucket = self.buckets[n % self.buckets.len()].clone();
            let req = request::request(&principal, &bucket, Some(&self.template), &self.flags);
            let facts = self.snapshots.facts(&bucket, req);
            return Some(Cell {
                index: n,
                source: format!("{}#{principal}@{bucket}", self.snapshots.describe()),
                principal,
                bucket,
                facts,
            });
        }
        None
    }
}
