//! Deep or long programs end in a located error (or a result), never a stack overflow,
//! even on the 2 MiB stack of a test thread in a debug build.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::{Loader, Program, Value};

fn compile(src: &str) -> Program {
    let mut l = Loader::new();
    l.add_source("deep.s3why", src);
    l.compile(&[])
        .unwrap_or_else(|d| panic!("{}", d.render_human()))
}

#[test]
fn long_bodies_run_in_a_loop() {
    let mut s = String::from("package t\nr if {\n");
    for i in 0..5000 {
        s.push_str(&format!("    x{i} := {i}\n    x{i} == {i}\n"));
    }
    s.push_str("}\n");
    assert!(s3why::lang::fmt::format_source("deep", &s).is_ok());
    assert_eq!(
        compile(&s)
            .eval_rule("data.t.r", &Value::Null, None)
            .unwrap(),
        Some(Value::Bool(true))
    );
}

#[test]
fn deep_generator_nesting_is_a_depth_error() {
    let mut s = String::from("package t\nr if {\n");
    for i in 0..250 {
        s.push_str(&format!("    some x{i} in [1]\n"));
    }
    s.push_str("}\n");
    let e = compile(&s)
        .eval_rule("data.t.r", &Value::Null, None)
        .unwrap_err();
    assert_eq!(e.code, "eval::depth-limit");
    assert!(e.span.start > 0);
}

#[test]
fn long_rule_chains_are_a_depth_error() {
    let mut s = String::from("package t\nr0 := 0\n");
    for i in 1..200 {
        s.push_str(&format!(
            "r{i} := x if {{ some y in [r{}]; x := y + 1 }}\n",
            i - 1
        ));
    }
    let p = compile(&s);
    assert_eq!(
        p.eval_rule("data.t.r20", &Value::Null, None).unwrap(),
        Some(Value::num(20.0))
    );
    let e = p.eval_rule("data.t.r199", &Value::Null, None).unwrap_err();
    assert_eq!(e.code, "eval::depth-limit");
}

#[test]
fn nested_comprehensions_count_against_the_depth_budget() {
    let nest = |levels: usize| {
        let mut e = String::from("input.x");
        for _ in 0..levels {
            e = format!("[[a | some a in {e}] | true]");
        }
        let r = compile(&format!("package t\nr := {e}\n")).eval_rule(
            "data.t.r",
            &Value::from_json(&serde_json::json!({"x": [1]})),
            None,
        );
        r.map_err(|e| e.code)
    };
    // Three levels each: two comprehensions and one iteration.
    assert!(nest(20).is_ok());
    assert_eq!(nest(30).unwrap_err(), "eval::depth-limit");
}
