//! A dependency-free fuzz test over parser, checker, compiler, formatter and evaluator:
//! deterministic pseudo-random mutations of every fixture plus token soup. No input may
//! panic; whatever formats must pass the formatter's soundness check; whatever compiles
//! is evaluated under a small step budget. `LANG_FUZZ_CASES` sets the number of cases
//! (default 3000; longer runs: `LANG_FUZZ_CASES=200000 cargo test --test lang_fuzz`);
//! `LANG_FUZZ_SEED` picks another sequence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::fmt::{format_source, soundness_check};
use s3why::lang::{EvalOptions, Loader, Value};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const TOKENS: &[&str] = &[
    "package p\n",
    "import data.p\n",
    "x",
    "y",
    "input",
    "data",
    ".",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    ";",
    ":",
    ":=",
    "=",
    "==",
    "!=",
    "<",
    "+",
    "-",
    "*",
    "/",
    "%",
    "|",
    "in",
    "some",
    "every",
    "not",
    "with",
    "as",
    "if",
    "contains",
    "default",
    "\"s\"",
    "f\"a{x}b\"",
    "`r`",
    "1",
    "2.5",
    "-3",
    "true",
    "null",
    "count(",
    "sprintf(",
    "object.get(",
    "_",
    "\n",
    " ",
    "# c\n",
    "# METADATA\n# id: a\n",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(4) {
            0 if !s.is_empty() => {
                let end = (at + rng.below(8)).min(s.len());
                s.drain(at.min(end)..end);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, t.chars());
            }
            2 if !s.is_empty() && at < s.len() => {
                let c = TOKENS[rng.below(TOKENS.len())]
                    .chars()
                    .next()
                    .unwrap_or(' ');
                s[at] = c;
            }
            _ => {
                let from = rng.below(s.len().max(1));
                let end = (from + rng.below(20)).min(s.len());
                let chunk: Vec<char> = s[from..end].to_vec();
                s.splice(at..at, chunk);
            }
        }
    }
    s.into_iter().collect()
}

fn soup(rng: &mut Rng) -> String {
    let mut s = String::from("package p\n");
    for _ in 0..rng.below(40) {
        s.push_str(TOKENS[rng.below(TOKENS.len())]);
        s.push(' ');
    }
    s
}

fn seeds() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang");
    let mut out = Vec::new();
    for sub in ["syntax/ok", "syntax/err", "fmt"] {
        for e in std::fs::read_dir(root.join(sub))
            .unwrap()
            .filter_map(Result::ok)
        {
            out.push(std::fs::read_to_string(e.path()).unwrap());
        }
    }
    for e in std::fs::read_dir(root.join("eval"))
        .unwrap()
        .filter_map(Result::ok)
    {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        for c in doc["cases"].as_array().unwrap() {
            let lines: Vec<&str> = c["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|l| l.as_str())
                .collect();
            out.push(lines.join("\n"));
        }
    }
    out
}

#[test]
fn no_input_panics() {
    let cases: usize = std::env::var("LANG_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let seeds = seeds();
    let seed: u64 = std::env::var("LANG_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001);
    let mut rng = Rng(seed | 1);
    let input = Value::from_json(
        &serde_json::json!({"xs": [1, 2, 3], "a": {"b": "c"}, "request": {"headers": {"x-amz-acl": "private"}}}),
    );
    let opts = EvalOptions {
        max_steps: 2000,
        max_depth: 16,
    };
    let (mut compiled, mut formatted) = (0, 0);
    for i in 0..cases {
        let pick = rng.below(seeds.len());
        let text = if i % 5 == 4 {
            soup(&mut rng)
        } else {
            mutate(&mut rng, &seeds[pick])
        };
        if let Ok(out) = format_source("f.s3why", &text) {
            formatted += 1;
            if let Err(e) = soundness_check(&text, &out) {
                panic!("case {i}: formatter unsound for:\n{text}\n---\n{e}");
            }
        }
        let mut l = Loader::new();
        l.add_source("f.s3why", text.clone());
        if let Ok(p) = l.compile(&[]) {
            compiled += 1;
            for path in p.rule_paths() {
                let _ = p.eval_rule_with(&path, &input, None, opts);
            }
        }
    }
    eprintln!("{cases} cases: {formatted} formatted, {compiled} compiled");
    assert!(compiled > 0 && formatted > 0);
}
