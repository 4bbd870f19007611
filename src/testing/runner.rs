//! Loading a suite and running its cases: each case's facts are decided, the ruleset
//! names the findings, and every expectation is checked, all failures of a case kept
//! (not just the first). Snapshots are compared, written pending, or accepted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::case::{case_stem, load_file, Case};
use super::discover::case_files;
use super::snapshot;
use super::LoadError;
use crate::aws::decide;
use crate::rules::Ruleset;

/// How to run a suite.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run only cases whose name contains this text.
    pub filter: Option<String>,
    /// Write every new or changed snapshot as the accepted `.snap`.
    pub accept: bool,
    /// Write nothing (CI, read-only checkouts): new and changed snapshots fail without
    /// a `.snap.new`, and stale pending files are left alone.
    pub check: bool,
}

/// One broken expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line of the expectation in the case file.
    pub line: usize,
    /// What was checked and how it failed (one line).
    pub message: String,
    /// What the case expects.
    pub expected: String,
    /// What the verdict shows.
    pub actual: String,
    /// For a snapshot: the line diff, accepted → new.
    pub diff: Option<String>,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every expectation holds.
    Passed,
    /// Some expectations do not hold.
    Failed(Vec<Failure>),
    /// The case could not be evaluated (a rule failed, a snapshot could not be written).
    Error(String),
}

/// A case and how it ended.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its file, as reached from the paths given.
    pub file: String,
    /// 1-based line where it starts.
    pub line: usize,
    /// The ids of the findings the ruleset reported.
    pub fired: Vec<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// Snapshot files written by this run (pending `.snap.new`, or accepted `.snap`).
    pub written: Vec<String>,
}

/// For every rule id of the ruleset, how many cases made it fire.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Rule id → number of cases in which it fired, every id of the ruleset listed.
    pub counts: BTreeMap<String, usize>,
}

impl Coverage {
    /// The ids no case made fire.
    pub fn uncovered(&self) -> Vec<&str> {
        self.counts
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(id, _)| id.as_str())
            .collect()
    }
}

/// A whole run.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Every case run, in file order.
    pub results: Vec<CaseResult>,
    /// Rule-id coverage over the cases run.
    pub coverage: Coverage,
}

impl RunReport {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Passed)
            .count()
    }

    /// Cases that failed or could not be evaluated.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Whether some case could not be evaluated.
    pub fn has_errors(&self) -> bool {
        self.results
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Error(_)))
    }
}

/// Every case under `paths`, filtered; every load error of every file is collected.
pub fn load(
    paths: &[PathBuf],
    ruleset: &Ruleset,
    options: &Options,
) -> Result<Vec<Case>, Vec<LoadError>> {
    let shown = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    if paths.is_empty() {
        return Err(vec![LoadError::new("s3why test", 0, "no paths given")]);
    }
    let files = case_files(paths).map_err(|e| vec![e])?;
    if files.is_empty() {
        return Err(vec![LoadError::new(
            &shown,
            0,
            "no case files found (a case file is named *.case.yaml, *.case.yml or *.case.json)",
        )]);
    }
    // Two case files of one folder with one stem (`a.case.yaml`, `a.case.json`) would
    // share snapshot file names.
    let mut stems: BTreeMap<(PathBuf, String), &PathBuf> = BTreeMap::new();
    for file in &files {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(other) = stems.insert((dir, case_stem(file)), file) {
            return Err(vec![LoadError::new(
                &file.display().to_string(),
                0,
                format!(
                    "{} has the same name before `.case.` and would share its snapshot files: rename one",
                    other.display()
                ),
            )]);
        }
    }
    let known: BTreeSet<String> = ruleset.rules().iter().map(|r| r.id.clone()).collect();
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match load_file(file, &known) {
            Ok(mut c) => cases.append(&mut c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(f) = &options.filter {
        cases.retain(|c| c.name.contains(f.as_str()));
        if cases.is_empty() {
            return Err(vec![LoadError::new(
                &shown,
                0,
                format!("--filter {f:?} matches no case"),
            )]);
        }
    }
    Ok(cases)
}

/// Runs loaded cases against the ruleset.
pub fn run(cases: &[Case], ruleset: &Ruleset, options: &Options) -> RunReport {
    let mut counts: BTreeMap<String, usize> =
        ruleset.rules().iter().map(|r| (r.id.clone(), 0)).collect();
    let mut results = Vec::new();
    for case in cases {
        let result = run_case(case, ruleset, options);
        let unique: BTreeSet<&String> = result.fired.iter().collect();
        for id in unique {
            if let Some(n) = counts.get_mut(id) {
                *n += 1;
            }
        }
        results.push(result);
    }
    RunReport {
        results,
        coverage: Coverage { counts },
    }
}

fn run_case(case: &Case, ruleset: &Ruleset, options: &Options) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        file: case.file.display().to_string(),
        line: case.line,
        fired: Vec::new(),
        outcome: Outcome::Passed,
        written: Vec::new(),
    };
    let verdict = std::sync::Arc::new(decide(&case.facts));
    let findings = match ruleset.findings((*case.facts).clone(), &verdict) {
        Ok(f) => f,
        Err(e) => {
            result.outcome = Outcome::Error(format!("a rule failed: {e}"));
            return result;
        }
    };
    result.fired = findings
        .iter()
        .filter_map(|f| f.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut failures = Vec::new();
    let decision = serde_json::to_value(verdict.decision)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    if let Some(want) = &case.decision {
        if want.value != decision {
            failures.push(mismatch(want.line, "decision", &want.value, &decision));
        }
    }
    if let Some(want) = &case.status {
        if want.value != verdict.status {
            let (w, a) = (want.value.to_string(), verdict.status.to_string());
            failures.push(mismatch(want.line, "status", &w, &a));
        }
    }
    if let Some(want) = &case.error_code {
        let actual = verdict.error_code.clone().unwrap_or_else(|| "none".into());
        if want.value != actual {
            failures.push(mismatch(want.line, "error_code", &want.value, &actual));
        }
    }
    let fired_list = if result.fired.is_empty() {
        "none".to_string()
    } else {
        result.fired.join(", ")
    };
    for want in &case.findings {
        if !result.fired.contains(&want.value) {
            failures.push(Failure {
                line: want.line,
                message: format!("finding `{}` did not fire", want.value),
                expected: format!("findings include {}", want.value),
                actual: format!("findings: {fired_list}"),
                diff: None,
            });
        }
    }
    for unwanted in &case.absent {
        if result.fired.contains(&unwanted.value) {
            failures.push(Failure {
                line: unwanted.line,
                message: format!("finding `{}` fired but must be absent", unwanted.value),
                expected: format!("findings without {}", unwanted.value),
                actual: format!("findings: {fired_list}"),
                diff: None,
            });
        }
    }
    if let Some(snap) = &case.snapshot {
        let body = snapshot::body(&case.source, &verdict, &findings);
        match check_snapshot(case, &snap.value, snap.line, &body, options) {
            Ok((failure, written)) => {
                failures.extend(failure);
                result.written.extend(written);
            }
            Err(e) => {
                result.outcome = Outcome::Error(e);
                return result;
            }
        }
    }
    if !failures.is_empty() {
        result.outcome = Outcome::Failed(failures);
    }
    result
}

fn mismatch(line: usize, what: &str, expected: &str, actual: &str) -> Failure {
    Failure {
        line,
        message: format!("{what}: expected {expected}, got {actual}"),
        expected: expected.to_string(),
        actual: actual.to_string(),
        diff: None,
    }
}

/// Compares the body with the accepted snapshot; writes the pending (or, accepting, the
/// accepted) file. Returns the failure, if any, and the files written.
fn check_snapshot(
    case: &Case,
    path: &std::path::Path,
    line: usize,
    body: &str,
    options: &Options,
) -> Result<(Option<Failure>, Vec<String>), String> {
    let pending = snapshot::pending_path(path);
    let source = case
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| case_stem(&case.file));
    let text = snapshot::file_text(&source, &case.name, body);
    let new = snapshot::normalize(body);
    let old = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let old_body = old.as_deref().map(snapshot::read_body);
    if let Some(Some(old_body)) = &old_body {
        if *old_body == new {
            if !options.check {
                // A stale pending file of an earlier run no longer applies.
                let _ = std::fs::remove_file(&pending);
            }
            return Ok((None, Vec::new()));
        }
    }
    if options.check {
        let (message, diff) = match old_body {
            None => (
                format!(
                    "snapshot missing: {} (--check writes nothing: run `s3why test` without it to write the pending snapshot, review it, then `--accept`)",
                    path.display()
                ),
                None,
            ),
            Some(None) => (
                format!("{} is not an insta snapshot (no `---` header)", path.display()),
                None,
            ),
            Some(Some(old_body)) => (
                format!("snapshot changed: {} (--check: nothing written)", path.display()),
                Some(snapshot::diff(&old_body, &new)),
            ),
        };
        let failure = Failure {
            line,
            message,
            expected: format!("the verdict of {}", path.display()),
            actual: "the verdict of this run".into(),
            diff,
        };
        return Ok((Some(failure), Vec::new()));
    }
    let write = |target: &std::path::Path| -> Result<String, String> {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(target, &text)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        Ok(target.display().to_string())
    };
    if options.accept {
        let written = write(path)?;
        let _ = std::fs::remove_file(&pending);
        return Ok((None, vec![written]));
    }
    let written = write(&pending)?;
    let failure = match old_body {
        None => Failure {
            line,
            message: format!(
                "new snapshot pending: {written}: review it and run `s3why test --accept` (or `cargo insta accept`)"
            ),
            expected: format!("an accepted snapshot {}", path.display()),
            actual: "none yet".into(),
            diff: None,
        },
        Some(None) => Failure {
            line,
            message: format!(
                "{} is not an insta snapshot (no `---` header); the new one is pending in {written}",
                path.display()
            ),
            expected: "a snapshot file in insta's format".into(),
            actual: "a file without its header".into(),
            diff: None,
        },
        Some(Some(old_body)) => Failure {
            line,
            message: format!(
                "snapshot changed: {} (new one pending in {written}; accept with `s3why test --accept`)",
                path.display()
            ),
            expected: format!("the verdict of {}", path.display()),
            actual: format!("the verdict of {written}"),
            diff: Some(snapshot::diff(&old_body, &new)),
        },
    };
    Ok((Some(failure), vec![written]))
}

/// Snapshot files beside the case files that no case of `cases` names (left behind by a
/// renamed or removed case). Only meaningful when `cases` is the whole suite (no filter).
pub fn orphan_snapshots(cases: &[Case]) -> Vec<PathBuf> {
    let wanted: BTreeSet<&Path> = cases
        .iter()
        .filter_map(|c| c.snapshot.as_ref().map(|s| s.value.as_path()))
        .collect();
    let mut files: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    for c in cases {
        let dir = c.file.parent().unwrap_or(Path::new(".")).join("snapshots");
        files.insert((dir, format!("{}@", case_stem(&c.file))));
    }
    let mut out = Vec::new();
    for (dir, prefix) in files {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let accepted = name.strip_suffix(".new").unwrap_or(&name);
            if name.starts_with(&prefix)
                && accepted.ends_with(".snap")
                && !wanted.contains(dir.join(accepted).as_path())
            {
                out.push(p);
            }
        }
    }
    out
}
