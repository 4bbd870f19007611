//! Black-box acceptance suite: AWS-documented PutObject scenarios.
//!
//! Every `tests/scenarios/<area>/<name>.json` holds a title, the AWS documentation it
//! follows (`cite`), the verdict AWS would give (`expect`) and a fact document (`facts`,
//! see `spec/facts.md`). Each scenario's facts are written to a temporary file and run
//! through the real binary (`s3why check --format json FILE`); the verdict on stdout and
//! the exit status (0 allowed, 1 denied) are compared with `expect`.
//!
//! Every mismatch of every scenario is collected first and reported once, so a failing
//! run shows the whole picture rather than the first broken case.
//!
//! `tests/scenarios/README.md` explains the format and how to add a scenario.

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The least number of scenarios the suite must hold.
const MIN_SCENARIOS: usize = 120;

/// One scenario file, read and checked for shape.
struct Scenario {
    /// Path relative to `tests/scenarios`, for messages.
    name: String,
    title: String,
    expect: Value,
    facts: Value,
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("scenarios")
}

/// Every `.json` file below `dir`, sorted, so runs are deterministic.
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

/// Reads every scenario; a file that is not a well-formed scenario is a test failure
/// (reported with all the others), never a silent skip.
fn load_scenarios() -> (Vec<Scenario>, Vec<String>) {
    let root = scenarios_dir();
    let mut paths = Vec::new();
    collect_json(&root, &mut paths);
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        let doc: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{name}: not JSON: {e}"));
                continue;
            }
        };
        match check_shape(&doc) {
            Ok(()) => scenarios.push(Scenario {
                name,
                title: doc["title"].as_str().unwrap_or_default().to_string(),
                expect: doc["expect"].clone(),
                facts: doc["facts"].clone(),
            }),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    (scenarios, problems)
}

/// The scenario format of `tests/scenarios/README.md`.
fn check_shape(doc: &Value) -> Result<(), String> {
    let obj = doc.as_object().ok_or("not a JSON object")?;
    for key in obj.keys() {
        if !["title", "cite", "expect", "facts"].contains(&key.as_str()) {
            return Err(format!("unknown top-level field `{key}`"));
        }
    }
    for key in ["title", "cite"] {
        match obj.get(key).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => {}
            _ => return Err(format!("`{key}` must be a non-empty string")),
        }
    }
    if !obj.get("facts").is_some_and(Value::is_object) {
        return Err("`facts` must be an object".into());
    }
    let expect = obj
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("`expect` must be an object")?;
    for key in expect.keys() {
        if ![
            "decision",
            "status",
            "error_code",
            "aws_message",
            "error_findings",
        ]
        .contains(&key.as_str())
        {
            return Err(format!("unknown field `expect.{key}`"));
        }
    }
    let decision = expect.get("decision").and_then(Value::as_str);
    let status = expect.get("status").and_then(Value::as_u64);
    let code = expect.get("error_code").and_then(Value::as_str);
    let findings = expect
        .get("error_findings")
        .and_then(Value::as_array)
        .ok_or("`expect.error_findings` must be a list")?;
    if findings.iter().any(|f| !f.is_string()) {
        return Err("`expect.error_findings` must hold strings".into());
    }
    match (decision, status, code) {
        (Some("allowed"), Some(200), None) if findings.is_empty() => Ok(()),
        (Some("allowed"), ..) => {
            Err("allowed needs status 200, no error_code, no error_findings".into())
        }
        (Some("denied"), Some(403 | 400), Some(_)) if !findings.is_empty() => Ok(()),
        (Some("denied"), ..) => {
            Err("denied needs status 403/400, an error_code and error_findings".into())
        }
        _ => Err("`expect.decision` must be \"allowed\" or \"denied\"".into()),
    }
}

/// What the binary answered for one scenario.
struct Outcome {
    verdict: Value,
    exit_code: Option<i32>,
}

/// Runs `s3why check --format json` on the scenario's facts.
fn run(index: usize, scenario: &Scenario) -> Result<Outcome, String> {
    // Unique per call: the test functions of this file run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!(
        "s3why-scenario-{}-{index}-{call}.json",
        std::process::id()
    ));
    let facts = serde_json::to_string_pretty(&scenario.facts).map_err(|e| e.to_string())?;
    fs::write(&file, facts).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let output = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["check", "--format", "json"])
        .arg(&file)
        .output();
    let _ = fs::remove_file(&file);
    let output = output.map_err(|e| format!("cannot run s3why: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdict: Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "stdout is not one JSON object ({e}); exit {:?}; stdout: {}; stderr: {}",
            output.status.code(),
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    Ok(Outcome {
        verdict,
        exit_code: output.status.code(),
    })
}

/// Every scenario's outcome, run once and shared by the test functions (each run starts
/// the binary, so running them twice would double the suite's time).
fn outcomes(scenarios: &[Scenario]) -> &'static [Result<Outcome, String>] {
    static OUTCOMES: std::sync::OnceLock<Vec<Result<Outcome, String>>> = std::sync::OnceLock::new();
    OUTCOMES.get_or_init(|| {
        scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| run(i, s))
            .collect()
    })
}

/// Runs every scenario, feeding each outcome to `compare`; fails once with every
/// mismatch listed.
fn run_all(what: &str, compare: impl Fn(&Scenario, &Outcome, &mut Vec<String>)) {
    let (scenarios, mut problems) = load_scenarios();
    assert!(
        !scenarios.is_empty(),
        "no scenarios under {}",
        scenarios_dir().display()
    );
    let outcomes = outcomes(&scenarios);
    for (scenario, outcome) in scenarios.iter().zip(outcomes) {
        match outcome {
            Ok(outcome) => {
                let mut diffs = Vec::new();
                compare(scenario, outcome, &mut diffs);
                for diff in diffs {
                    problems.push(format!("{} ({}): {diff}", scenario.name, scenario.title));
                }
            }
            Err(e) => problems.push(format!("{} ({}): {e}", scenario.name, scenario.title)),
        }
    }
    if !problems.is_empty() {
        panic!(
            "{} scenarios, {} problem(s) in {what}:\n  - {}",
            scenarios.len(),
            problems.len(),
            problems.join("\n  - ")
        );
    }
}

/// A missing field and JSON `null` are the same answer ("no error code").
fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}

fn compare_verdict(scenario: &Scenario, outcome: &Outcome, diffs: &mut Vec<String>) {
    let want = &scenario.expect;
    let got = &outcome.verdict;
    for key in ["decision", "status", "error_code"] {
        if field(want, key) != field(got, key) {
            diffs.push(format!(
                "{key}: expected {}, got {}",
                field(want, key),
                field(got, key)
            ));
        }
    }
    if let Some(message) = want.get("aws_message") {
        if field(got, "aws_message") != message {
            diffs.push(format!(
                "aws_message:\n      expected {message}\n      got      {}",
                field(got, "aws_message")
            ));
        }
    }
    let want_exit = match want["decision"].as_str() {
        Some("allowed") => Some(0),
        _ => Some(1),
    };
    if outcome.exit_code != want_exit {
        diffs.push(format!(
            "exit status: expected {want_exit:?}, got {:?}",
            outcome.exit_code
        ));
    }
}

fn id_set(values: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    values.into_iter().collect()
}

fn compare_findings(scenario: &Scenario, outcome: &Outcome, diffs: &mut Vec<String>) {
    let want = id_set(
        scenario.expect["error_findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string)),
    );
    let got = id_set(
        outcome.verdict["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["id"].as_str().map(str::to_string)),
    );
    if want != got {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        diffs.push(format!(
            "error findings: expected {want:?}, got {got:?} (missing {missing:?}, unexpected {extra:?})"
        ));
    }
}

#[test]
fn scenario_verdicts() {
    run_all("verdicts", compare_verdict);
}

#[test]
fn scenario_findings() {
    run_all("error findings", compare_findings);
}

/// Runs today, without the binary: every file parses and has the scenario shape.
#[test]
fn scenario_files_are_well_formed() {
    let (scenarios, problems) = load_scenarios();
    assert!(
        problems.is_empty(),
        "malformed scenario files:\n  - {}",
        problems.join("\n  - ")
    );
    let mut titles = BTreeSet::new();
    let dupes: Vec<_> = scenarios
        .iter()
        .filter(|s| !titles.insert(s.title.clone()))
        .map(|s| format!("{}: duplicate title {:?}", s.name, s.title))
        .collect();
    assert!(dupes.is_empty(), "{}", dupes.join("\n"));
}

/// The finding ids of `findings.md`: every back-quoted kebab-case word in the first cell
/// of a table row (`| \`scp-explicit-deny\` / \`scp-no-allow\` | ... |`).
fn catalogue_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('|') else {
            continue;
        };
        let first_cell = rest.split('|').next().unwrap_or_default();
        for (i, part) in first_cell.split('`').enumerate() {
            let is_id = i % 2 == 1
                && part.contains('-')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if is_id {
                ids.insert(part.to_string());
            }
        }
    }
    ids
}

#[test]
fn scenario_coverage() {
    let (scenarios, problems) = load_scenarios();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        scenarios.len() >= MIN_SCENARIOS,
        "only {} scenarios; the suite promises at least {MIN_SCENARIOS}",
        scenarios.len()
    );
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/findings.md");
    let Ok(text) = fs::read_to_string(&catalogue) else {
        println!(
            "note: {} not found; skipping the finding-id coverage check",
            catalogue.display()
        );
        return;
    };
    let mut ids = catalogue_ids(&text);
    assert!(
        !ids.is_empty(),
        "no finding ids parsed from {}",
        catalogue.display()
    );
    // The project's index of findings extends the contract with ids of its own
    // (docs/findings/README.md, "Beyond the catalogue"): those need scenarios too.
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/findings/README.md");
    let index = fs::read_to_string(&index).expect("docs/findings/README.md");
    ids.extend(catalogue_ids(&index));
    let used = id_set(scenarios.iter().flat_map(|s| {
        s.expect["error_findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect::<Vec<_>>()
    }));
    let uncovered: Vec<_> = ids.difference(&used).collect();
    assert!(
        uncovered.is_empty(),
        "finding ids no scenario expects: {uncovered:?}"
    );
    let unknown: Vec<_> = used.difference(&ids).collect();
    assert!(
        unknown.is_empty(),
        "scenarios expect ids the catalogue does not define: {unknown:?}"
    );
}
