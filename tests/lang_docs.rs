//! Every ```s3why block of `docs/language.md` parses, formats soundly and compiles; a
//! block with `# input: <json>` and `# eval: <rule> = <json>` (or `# eval: <rule>
//! undefined`) lines is evaluated and must give that value.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::fmt::{format_source, soundness_check};
use s3why::lang::{Loader, Value};

fn blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_end()) {
            (None, "```s3why") => cur = Some(String::new()),
            (Some(b), "```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn doc_examples() {
    let md =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    let blocks = blocks(&md);
    assert!(blocks.len() >= 7, "found {} blocks", blocks.len());
    let mut evaluated = 0;
    for (i, b) in blocks.iter().enumerate() {
        let text = if b.lines().any(|l| l.starts_with("package ")) {
            b.clone()
        } else {
            format!("package doc\n\n{b}")
        };
        let formatted = format_source("doc.s3why", &text)
            .unwrap_or_else(|d| panic!("block {i}:\n{text}\n{}", d.render_human()));
        soundness_check(&text, &formatted).unwrap_or_else(|e| panic!("block {i}: {e}"));
        let pkg = text
            .lines()
            .find_map(|l| l.strip_prefix("package "))
            .unwrap()
            .trim()
            .to_string();
        let mut l = Loader::new();
        l.add_source(format!("block{i}.s3why"), text.clone());
        let p = l
            .compile(&[])
            .unwrap_or_else(|d| panic!("block {i}:\n{}", d.render_human()));
        let input = b
            .lines()
            .find_map(|l| l.strip_prefix("# input: "))
            .map_or(Value::Null, |j| {
                Value::from_json(&serde_json::from_str(j).unwrap())
            });
        for e in b.lines().filter_map(|l| l.strip_prefix("# eval: ")) {
            evaluated += 1;
            let (rule, want) = e
                .split_once(" = ")
                .map_or((e.trim_end_matches(" undefined"), None), |(r, w)| {
                    (r, Some(w))
                });
            let got = p
                .eval_rule(&format!("data.{pkg}.{rule}"), &input, None)
                .unwrap_or_else(|e| panic!("block {i}: {e}"));
            let want: Option<serde_json::Value> = want.map(|w| serde_json::from_str(w).unwrap());
            assert_eq!(got.map(|v| v.to_json()), want, "block {i}: {rule}");
        }
    }
    assert!(evaluated >= 5, "only {evaluated} evaluated examples");
}
