//! Evaluation case files: every `fixtures/lang/eval/*.json` holds cases
//! `{name, rules: [lines], modules?: [[lines]], input, query, want | undefined | error}`.
//! `error` is `{code, at: "line:col", contains?}`; `max_steps` optional.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::{EvalOptions, Loader, Value};
use serde_json::Value as J;

fn lines(j: &J) -> String {
    j.as_array()
        .map(|ls| {
            ls.iter()
                .filter_map(J::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
        + "\n"
}

fn run_case(file: &str, case: &J) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("?");
    let mut loader = Loader::new();
    loader.add_source(format!("{name}.s3why"), lines(&case["rules"]));
    if let Some(mods) = case.get("modules").and_then(J::as_array) {
        for (i, m) in mods.iter().enumerate() {
            loader.add_source(format!("{name}-{i}.s3why"), lines(m));
        }
    }
    let program = loader
        .compile(&[])
        .map_err(|d| format!("{file}/{name}: load failed:\n{}", d.render_human()))?;
    let input = Value::from_json(case.get("input").unwrap_or(&J::Null));
    let mut opts = EvalOptions::default();
    if let Some(n) = case.get("max_steps").and_then(J::as_u64) {
        opts.max_steps = n;
    }
    let query = case["query"].as_str().ok_or(format!("{name}: no query"))?;
    let got = program.eval_rule_with(query, &input, None, opts);
    match (got, case.get("error")) {
        (Err(e), Some(want)) => {
            let d = program.error_diagnostics(&e);
            let j = &d.render_json()[0];
            let at = format!("{}:{}", j["line"], j["column"]);
            let ok_code = want["code"].as_str() == Some(e.code);
            let ok_at = want.get("at").and_then(J::as_str).map_or(true, |w| w == at);
            let ok_msg = want
                .get("contains")
                .and_then(J::as_str)
                .map_or(true, |w| e.message.contains(w));
            if ok_code && ok_at && ok_msg {
                Ok(())
            } else {
                Err(format!(
                    "{file}/{name}: wrong error {} at {at}: {}",
                    e.code, e.message
                ))
            }
        }
        (Err(e), None) => Err(format!(
            "{file}/{name}: unexpected error {}: {}\n{}",
            e.code,
            e.message,
            program.error_diagnostics(&e).render_human()
        )),
        (Ok(v), Some(_)) => Err(format!("{file}/{name}: expected an error, got {v:?}")),
        (Ok(None), None) if case.get("undefined") == Some(&J::Bool(true)) => Ok(()),
        (Ok(Some(v)), None) if case.get("want").is_some_and(|w| *w == v.to_json()) => Ok(()),
        (Ok(v), None) => Err(format!(
            "{file}/{name}: got {}, want {}",
            v.map_or("undefined".into(), |v| v.to_string()),
            case.get("want").map_or("undefined".into(), J::to_string)
        )),
    }
}

#[test]
fn eval_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/eval");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: J = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        for case in doc["cases"].as_array().unwrap() {
            count += 1;
            if let Err(e) = run_case(&file, case) {
                failures.push(e);
            }
        }
    }
    assert!(count >= 50, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The input fields a program reads: the caller converts only those (the bundled
/// ruleset reads the request and the bucket's account, not the policies). Any read of
/// `input` as a whole, by a computed key, or a `with input...` means all of it.
#[test]
fn input_fields_are_the_fields_the_rules_read() {
    let fields = |rules: &str| {
        package(rules)
            .input_fields()
            .map(|f| f.iter().cloned().collect::<Vec<String>>())
    };
    assert_eq!(
        fields("a if { input.request.bucket == \"b\" }\nb := input[\"bucket\"].account\nc := [x | some x in input.identity.policies]"),
        Some(vec!["bucket".into(), "identity".into(), "request".into()])
    );
    assert_eq!(fields("a := 1"), Some(vec![]));
    assert_eq!(fields("a := input"), None);
    assert_eq!(fields("a := object.keys(input)"), None);
    assert_eq!(fields("k := \"request\"\na := input[k]"), None);
    assert_eq!(fields("a := [k | some k, _ in input]"), None);
    assert_eq!(
        fields("b if { input.x }\na if { b with input.x as 1 }"),
        None
    );
    // A field read inside a comprehension, a function, `every` and a default.
    assert_eq!(
        fields("f(x) := input.f\nd := {1 | input.c}\ne if { every p in input.e { p } }\ndefault g := input.g"),
        Some(vec!["c".into(), "e".into(), "f".into(), "g".into()])
    );
}

/// Below the top level: `input.bucket.account` reads only `account` of `bucket`, so the
/// bucket's policy is never converted; a read of the field itself, or by a computed key
/// below it, reads it whole, whichever comes first in the rules.
#[test]
fn input_reads_go_down_to_the_fields_read() {
    let reads = |rules: &str| package(rules).input_reads().map(|r| format!("{r:?}"));
    let narrow = reads("a := input.bucket.account\nb := input.bucket.tags.team");
    assert_eq!(
        narrow.as_deref(),
        Some(
            r#"InputReads({"bucket": Some(InputReads({"account": None, "tags": Some(InputReads({"team": None}))}))})"#
        )
    );
    let whole = r#"Some("InputReads({\"bucket\": None})")"#;
    for rules in [
        "a := input.bucket.account\nb := input.bucket",
        "b := input.bucket\na := input.bucket.account",
        "a := input.bucket.account\nb := [x | some x in input.bucket]",
    ] {
        assert_eq!(format!("{:?}", reads(rules)), whole, "{rules}");
    }
    // A computed key below a path reads the path whole.
    assert_eq!(
        reads("a := [v | some h, v in input.request.headers]\nb := input.request.headers[\"x\"]"),
        Some(r#"InputReads({"request": Some(InputReads({"headers": None}))})"#.into())
    );
}

/// `rules` compiled as package `t`.
fn package(rules: &str) -> s3why::lang::Program {
    let mut loader = Loader::new();
    loader.add_source("t.s3why", format!("package t\n\n{rules}\n"));
    loader.compile(&[]).expect("compiles")
}
