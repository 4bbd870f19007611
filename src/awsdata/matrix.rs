//! The account matrix: every principal (or those matching a glob) × every bucket (or those
//! matching a glob) of a snapshot, as fact documents, in a fixed order that a shard
//! `I/N` splits deterministically, so that N machines running shards `0/N` .. `N-1/N`
//! together produce exactly the unsharded run (merged by `index`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use globset::{Glob, GlobMatcher};
use serde_json::{Map, Value};

use super::request::{self, PutObject};
use super::same;
use super::snapshots::Snapshots;
use super::DataError;
use crate::facts::{Facts, Request};
use crate::lang::compile::InputReads;

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

/// One (principal, bucket) pair of the matrix. Its facts are built by the worker that
/// evaluates it ([`Matrix::facts`], [`Matrix::record`]), not by the iterator.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The pair's number in the unsharded matrix: principal-major, both sorted.
    pub index: usize,
    pub principal: String,
    pub bucket: String,
    /// `snapshot-dirs#principal@bucket`, for output records.
    pub source: String,
}

/// The matrix of loaded snapshots (one per account): the selected principals and buckets,
/// and the records shared by principals with identical policies. Shared by the workers
/// (`Sync`); [`Matrix::cells`] iterates the pairs.
pub struct Matrix<'a> {
    snapshots: &'a Snapshots,
    template: Map<String, Value>,
    flags: PutObject,
    principals: Vec<String>,
    buckets: Vec<String>,
    shard: Option<Shard>,
    /// Each principal's class: the principals with its identity side (itself alone when
    /// its identity cannot be read).
    class_of: Vec<usize>,
    classes: Vec<Vec<usize>>,
    /// Per class: whether its identity side alone tells the members apart (the same for
    /// every bucket, so looked at once).
    identity_tells: Vec<OnceLock<bool>>,
    /// Set by [`Matrix::each_alone`].
    alone: bool,
    /// At most this many shared records are held ([`Matrix::max_shared`]).
    max_shared: usize,
    /// The parts of the fact document a pair's document carries besides the request
    /// ([`Matrix::document_reads`]); `None`: all.
    reads: Option<InputReads>,
    /// Facts kept from assembled pairs and reused by the others (see [`Matrix::facts`]):
    /// each principal's, and each bucket's for each principal account
    /// (`bucket_parts[account slot * buckets + bucket]`, without the identity).
    principal_parts: Vec<Mutex<PrincipalPart>>,
    account_slot: Vec<usize>,
    bucket_parts: Vec<OnceLock<Facts>>,
    /// What in each bucket part could tell principals apart (`same::Askers`), gathered
    /// once; indexed like `bucket_parts`.
    bucket_askers: Vec<OnceLock<same::Askers>>,
    /// Per (class, bucket) being evaluated: the shared record, and how many of the
    /// class's pairs in this shard have yet to take it (dropped at zero).
    shared: Mutex<HashMap<(usize, usize), Slot>>,
}

/// The record of the first member of a class for a bucket, ready to be renamed to each
/// other member, and its [`summary`]; `None` when the bucket's policies tell the members
/// apart (or the ARN runs on into a longer name in the record), so each is evaluated on
/// its own.
type Shared = Option<(same::Renamer, Arc<Value>)>;

/// How a shared record's text opens: its source is each member's own.
const NULL_SOURCE: &str = "{\"source\":null";

/// A pair's output record.
#[derive(Debug, Clone)]
pub enum PairRecord {
    /// Evaluated for this pair.
    Evaluated(Value),
    /// Another member's record renamed to this pair: its JSON text, and its [`summary`].
    Renamed { text: String, summary: Arc<Value> },
}

/// What a batch's summaries read of a record, which renaming does not change
/// (`report::record_summary`).
pub fn summary(record: &Value) -> Value {
    let findings = record.get("findings").and_then(Value::as_array);
    crate::report::record_summary(
        record.get("decision"),
        findings.map_or(&[][..], Vec::as_slice),
    )
}

impl PairRecord {
    /// The record as a tree.
    pub fn into_value(self) -> Value {
        match self {
            PairRecord::Evaluated(v) => v,
            PairRecord::Renamed { text, .. } => serde_json::from_str(&text).unwrap_or_else(|e| {
                serde_json::json!({"error": format!("internal error: a renamed record does not read back: {e}")})
            }),
        }
    }
}

/// How many shared records are held at most by default (about 3 KB each): a bound on
/// memory whatever the number of identities and buckets.
pub const MAX_SHARED: usize = 50_000;

/// A (class, bucket)'s shared record, and how many of its pairs have yet to take it.
type Slot = (Arc<OnceLock<Shared>>, usize);

/// A principal's facts, built by the first of its pairs that needs them, and how many of
/// its pairs in this shard have yet to be recorded: the last drops them, so only the
/// principals in flight are held (the matrix is principal-major).
struct PrincipalPart {
    facts: Option<Arc<Facts>>,
    remaining: usize,
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

/// The names `glob` (of `flag`) keeps, in order. Keeping none is an error: an empty
/// matrix would pass as "every record allowed" while checking nothing (a typo in the
/// glob, or a snapshot folder that was never filled).
fn select(
    names: Vec<String>,
    glob: &Option<String>,
    flag: &str,
    what: &str,
) -> Result<Vec<String>, DataError> {
    let total = names.len();
    let Some(m) = matcher(glob, flag)? else {
        if total == 0 {
            return Err(DataError::new(
                "",
                "",
                format!("the snapshot has no {what}: is the folder filled (docs/aws-data.md)?"),
            ));
        }
        return Ok(names);
    };
    let kept: Vec<String> = names.iter().filter(|n| m.is_match(n)).cloned().collect();
    if kept.is_empty() {
        let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        let examples = if shown.is_empty() {
            String::new()
        } else {
            format!(
                " (e.g. {}{})",
                shown.join(", "),
                if total > shown.len() { ", ..." } else { "" }
            )
        };
        return Err(DataError::new(
            "",
            flag,
            format!(
                "{:?} matches none of the {total} {what} of the snapshot{examples}",
                glob.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(kept)
}

impl<'a> Matrix<'a> {
    /// The matrix of `snapshots` for the request `template` (+ put-object `flags`).
    pub fn new(
        snapshots: &'a Snapshots,
        template: Map<String, Value>,
        flags: PutObject,
        selection: &Selection,
    ) -> Result<Matrix<'a>, DataError> {
        let principals = select(
            snapshots.principal_arns(),
            &selection.principal,
            "--principal",
            "principals",
        )?;
        let buckets = select(
            snapshots.bucket_names(),
            &selection.bucket,
            "--bucket",
            "buckets",
        )?;
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let mut class_of = Vec::with_capacity(principals.len());
        for (i, p) in principals.iter().enumerate() {
            let class = match snapshots.identity_key(p) {
                Some(key) => *by_key.entry(key).or_insert(classes.len()),
                None => classes.len(),
            };
            if class == classes.len() {
                classes.push(Vec::new());
            }
            classes[class].push(i);
            class_of.push(class);
        }
        // The principals' accounts: a bucket's side is kept once for each.
        let mut accounts: Vec<&str> = Vec::new();
        let mut account_slot = Vec::with_capacity(principals.len());
        for p in &principals {
            let account = p.split(':').nth(4).unwrap_or_default();
            let slot = accounts
                .iter()
                .position(|a| *a == account)
                .unwrap_or_else(|| {
                    accounts.push(account);
                    accounts.len() - 1
                });
            account_slot.push(slot);
        }
        let owned = |n: usize| selection.shard.map_or(true, |s| s.owns(n));
        let principal_parts = (0..principals.len())
            .map(|p| {
                let remaining = (0..buckets.len())
                    .filter(|b| owned(p * buckets.len() + b))
                    .count();
                Mutex::new(PrincipalPart {
                    facts: None,
                    remaining,
                })
            })
            .collect();
        Ok(Matrix {
            principal_parts,
            bucket_parts: (0..accounts.len() * buckets.len())
                .map(|_| OnceLock::new())
                .collect(),
            bucket_askers: (0..accounts.len() * buckets.len())
                .map(|_| OnceLock::new())
                .collect(),
            account_slot,
            snapshots,
            template,
            flags,
            principals,
            buckets,
            shard: selection.shard,
            identity_tells: classes.iter().map(|_| OnceLock::new()).collect(),
            class_of,
            classes,
            alone: false,
            max_shared: MAX_SHARED,
            reads: None,
            shared: Mutex::new(HashMap::new()),
        })
    }

    /// The number of pairs in the whole (unsharded) matrix.
    pub fn total(&self) -> usize {
        self.principals.len() * self.buckets.len()
    }

    /// Evaluates every principal on its own: for rules other than the bundled ones, which
    /// may treat principals with the same policies differently (by their ARN).
    pub fn each_alone(mut self) -> Matrix<'a> {
        self.classes = (0..self.principals.len()).map(|p| vec![p]).collect();
        self.class_of = (0..self.principals.len()).collect();
        self.identity_tells = self.classes.iter().map(|_| OnceLock::new()).collect();
        self.alone = true;
        self
    }

    /// Holds at most `n` shared records at a time (default [`MAX_SHARED`]); pairs past
    /// the bound are evaluated on their own, with the same records.
    pub fn max_shared(mut self, n: usize) -> Matrix<'a> {
        self.max_shared = n;
        self
    }

    /// A pair's document (`facts.document`) carries only these parts and the request:
    /// those the rules read (`Program::input_reads`). Copying the identity policies and
    /// the SCPs into each of 100,000 documents that no rule reads was an eighth of a
    /// matrix run, and the bucket's policy, of which the bundled rules read nothing
    /// (they read the bucket's account), 3% more. The typed facts are whole either way.
    pub fn document_reads(mut self, reads: Option<InputReads>) -> Matrix<'a> {
        self.reads = reads;
        self
    }

    /// What the matrix holds, for the summary: principals, distinct identity sides,
    /// buckets and pairs.
    pub fn describe(&self) -> String {
        let identities = match self.alone {
            true => "each evaluated on its own".to_string(),
            false => format!("with {} distinct identities", self.classes.len()),
        };
        format!(
            "{} principals {identities} × {} buckets = {} pairs",
            self.principals.len(),
            self.buckets.len(),
            self.total()
        )
    }

    /// How many distinct identity sides the selected principals have.
    pub fn classes(&self) -> usize {
        self.classes.len()
    }

    /// The pairs of this shard, in matrix order.
    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        (0..self.total()).filter(|n| self.owns(*n)).map(|n| {
            let principal = self.principals[n / self.buckets.len()].clone();
            let bucket = self.buckets[n % self.buckets.len()].clone();
            Cell {
                index: n,
                source: format!("{}#{principal}@{bucket}", self.snapshots.describe()),
                principal,
                bucket,
            }
        })
    }

    fn owns(&self, n: usize) -> bool {
        self.shard.map_or(true, |s| s.owns(n))
    }

    /// The pair's fact document, read (its JSON is `facts.document`).
    ///
    /// Assembling and compiling a document per pair would repeat the same work 100,000
    /// times. `assemble::facts` depends on the principal only through its identity,
    /// request and account, and on the bucket only through the rest, so a pair is put
    /// together from the principal's part and the bucket's part (for the principal's
    /// account) when both are known; otherwise it is assembled on its own, and its parts
    /// are kept for the pairs to come. A pair that cannot be assembled keeps nothing and
    /// reports its own error.
    pub fn facts(&self, cell: &Cell) -> Result<Facts, DataError> {
        let p = cell.index / self.buckets.len();
        let b = cell.index % self.buckets.len();
        let bucket_part = &self.bucket_parts[self.account_slot[p] * self.buckets.len() + b];
        let principal = lock(&self.principal_parts[p]).facts.clone();
        if let (Some(principal), Some(bucket)) = (principal, bucket_part.get()) {
            return compose(&principal, bucket, &cell.bucket, self.reads.as_ref());
        }
        let facts = self.assemble(p, b)?;
        lock(&self.principal_parts[p])
            .facts
            .get_or_insert_with(|| Arc::new(facts.clone()));
        bucket_part.get_or_init(|| {
            // Kept for the whole run: without the identity, which the principal's part
            // gives (a copy per bucket would be most of the memory).
            let mut f = facts.clone();
            f.identity = Default::default();
            if let Some(d) = f.document.as_object_mut() {
                d.shift_remove("identity");
            }
            f
        });
        Ok(facts)
    }

    /// The fact document of principal `p` and bucket `b`, assembled and read.
    fn assemble(&self, p: usize, b: usize) -> Result<Facts, DataError> {
        let (principal, bucket) = (&self.principals[p], &self.buckets[b]);
        let req = request::request(principal, bucket, Some(&self.template), &self.flags);
        self.snapshots.facts(bucket, req)
    }

    /// The output record of `cell`: `evaluate` applied to its facts, or, when another
    /// principal with the same identity side was evaluated against the same bucket and
    /// nothing in the pair's policies tells them apart, that record with the ARN renamed.
    pub fn record<F>(&self, cell: &Cell, evaluate: F) -> PairRecord
    where
        F: Fn(&Cell, Result<Facts, DataError>) -> Value,
    {
        let record = self.evaluate_or_share(cell, evaluate);
        let mut part = lock(&self.principal_parts[cell.index / self.buckets.len()]);
        part.remaining = part.remaining.saturating_sub(1);
        if part.remaining == 0 {
            part.facts = None;
        }
        record
    }

    fn evaluate_or_share<F>(&self, cell: &Cell, evaluate: F) -> PairRecord
    where
        F: Fn(&Cell, Result<Facts, DataError>) -> Value,
    {
        let p = cell.index / self.buckets.len();
        let b = cell.index % self.buckets.len();
        let class = self.class_of[p];
        let alone = || PairRecord::Evaluated(evaluate(cell, self.facts(cell)));
        if self.classes[class].len() == 1 {
            return alone();
        }
        let Some(slot) = self.take_slot(class, b, p) else {
            return alone();
        };
        let mut own = None;
        let shared = slot.get_or_init(|| {
            let facts = self.facts(cell);
            let members: Vec<&str> = self.classes[class]
                .iter()
                .map(|&m| self.principals[m].as_str())
                .collect();
            let shareable =
                matches!(&facts, Ok(f) if !self.distinguishes(class, p, b, f, &members));
            let mut record = evaluate(cell, facts);
            let shared = shareable
                .then(|| {
                    // The source names the pair (`...#ARN@bucket`): each member's own,
                    // written in place of the null that opens the shared text.
                    let source = std::mem::replace(&mut record["source"], Value::Null);
                    let renamer = same::Renamer::new(&record, &cell.principal);
                    record["source"] = source;
                    renamer
                })
                .flatten()
                .filter(|r| r.text().starts_with(NULL_SOURCE))
                .map(|r| (r, Arc::new(summary(&record))));
            own = Some(record);
            shared
        });
        if let Some(record) = own {
            return PairRecord::Evaluated(record);
        }
        let Some((renamer, summary)) = shared else {
            return alone();
        };
        let renamed = renamer.text_for(&cell.principal);
        let source = serde_json::to_string(&cell.source).unwrap_or_default();
        PairRecord::Renamed {
            text: format!("{{\"source\":{source}{}", &renamed[NULL_SOURCE.len()..]),
            summary: Arc::clone(summary),
        }
    }

    /// Whether the pair's policies could tell `members` apart (`same::distinguishes`),
    /// looking at the whole fact document: the principal's identity and the bucket's
    /// side from their parts, since the pair's own document may carry only some fields.
    fn distinguishes(
        &self,
        class: usize,
        p: usize,
        b: usize,
        facts: &Facts,
        members: &[&str],
    ) -> bool {
        let bucket_part = &self.bucket_parts[self.account_slot[p] * self.buckets.len() + b];
        let principal = lock(&self.principal_parts[p]).facts.clone();
        let (Some(principal), Some(bucket)) = (principal, bucket_part.get()) else {
            return same::distinguishes(&facts.document, members);
        };
        let (Some(side), Some(request)) =
            (bucket.document.as_object(), facts.document.get("request"))
        else {
            return true;
        };
        let identity = principal.document.get("identity").map(|v| ("identity", v));
        let by_identity = *self.identity_tells[class]
            .get_or_init(|| same::distinguishes_entries(identity.into_iter(), members));
        if by_identity {
            return true;
        }
        // The bucket's side is the same for every class: walked once.
        let bucket_askers = self.bucket_askers[self.account_slot[p] * self.buckets.len() + b]
            .get_or_init(|| {
                same::Askers::of_entries(
                    side.iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "request" | "identity"))
                        .map(|(k, v)| (k.as_str(), v)),
                )
            });
        bucket_askers.tell_apart(members)
            || same::Askers::of_entries([("request", request)].into_iter()).tell_apart(members)
    }

    /// The shared slot of (class, bucket), for principal `p`. A slot counts the class's
    /// pairs still to come (those of `p` and the principals after it, in this shard); the
    /// last to take it removes it, so the table holds only the buckets in use. At most
    /// `max_shared` slots are held: past that, `None`, and the pair is evaluated on its
    /// own (a member that comes later opens a slot again).
    fn take_slot(&self, class: usize, b: usize, p: usize) -> Option<Arc<OnceLock<Shared>>> {
        let mut table = lock(&self.shared);
        if table.len() >= self.max_shared && !table.contains_key(&(class, b)) {
            return None;
        }
        let entry = table.entry((class, b)).or_insert_with(|| {
            let pairs = self.classes[class]
                .iter()
                .filter(|&&m| m >= p && self.owns(m * self.buckets.len() + b))
                .count();
            (Arc::new(OnceLock::new()), pairs)
        });
        let slot = Arc::clone(&entry.0);
        entry.1 = entry.1.saturating_sub(1);
        if entry.1 == 0 {
            table.remove(&(class, b));
        }
        Some(slot)
    }
}

/// A poisoned lock only means a worker panicked while holding it (its record is an error
/// record); what the lock guards is still consistent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A pair's facts from the principal's (against another bucket) and the bucket's (for
/// another principal of the same account): see [`Matrix::facts`]. The document carries
/// the request and the parts `reads` names (all when `None`), in the order of the
/// bucket's document.
fn compose(
    principal: &Facts,
    bucket: &Facts,
    name: &str,
    reads: Option<&InputReads>,
) -> Result<Facts, DataError> {
    let mut request = principal
        .document
        .get("request")
        .cloned()
        .unwrap_or_default();
    request["bucket"] = Value::String(name.to_string());
    // A field's part the rules read (the whole field when they read it whole or read
    // the whole input), or `None` when they do not read it.
    let part = |k: &str, v: &Value| match reads.map(|r| r.0.get(k)) {
        None | Some(Some(None)) => Some(v.clone()),
        Some(Some(Some(sub))) => Some(sub.keep(v)),
        Some(None) => None,
    };
    let mut document = Value::Object(match bucket.document.as_object() {
        Some(b) => b
            .iter()
            .filter_map(|(k, v)| match k.as_str() {
                "request" => Some((k.clone(), Value::Null)),
                _ => part(k, v).map(|v| (k.clone(), v)),
            })
            .collect(),
        None => Map::new(),
    });
    document["request"] = request;
    let identity = principal.document.get("identity");
    match (
        identity.and_then(|i| part("identity", i)),
        document.as_object_mut(),
    ) {
        (Some(identity), _) => document["identity"] = identity,
        (None, Some(d)) => {
            d.shift_remove("identity");
        }
        (None, None) => {}
    }
    let read = Request::from_value(&document["request"], "request")
        .map_err(|e| DataError::new("the assembled fact document", &e.path, e.message))?;
    Ok(Facts {
        request: read,
        identity: principal.identity.clone(),
        accounts: bucket.accounts.clone(),
        bucket: bucket.bucket.clone(),
        vpc_endpoint: bucket.vpc_endpoint.clone(),
        kms_keys: bucket.kms_keys.clone(),
        document,
    })
}
