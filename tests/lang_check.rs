//! Load-time checks (all reported in one run, located, with hints), JSON rendering,
//! metadata listing, and host builtins with access to the host value.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::lang::{Builtin, BuiltinCtx, BuiltinError, Loader, Value};

const A: &str = r#"package a

import data.helpres

# METADATA
# id: dup-id
# title: First
r if {
    strtswith(input.key, "a")
    count(input.a, input.b)
    w := v + 1
    v := 2
    not input.xs[i]
    double
    notfn(1)
}

notfn := 3

double(x) := x * 2

loop1 if { loop2 }

loop2 if { loop1 }

kinds contains 1

kinds := 2
"#;

const B: &str = r#"package helpers

# METADATA
# id: dup-id
b := 1
"#;

fn load(
    files: &[(&str, &str)],
    extra: &'static [Builtin],
) -> Result<s3why::lang::Program, s3why::lang::Diagnostics> {
    let mut l = Loader::new();
    for (n, t) in files {
        l.add_source(*n, *t);
    }
    l.compile(extra)
}

#[test]
fn every_check_error_in_one_run() {
    let d = load(&[("a.s3why", A), ("b.s3why", B)], &[]).expect_err("must fail");
    let json = d.render_json();
    let items = json.as_array().unwrap();
    let find = |code: &str| {
        items
            .iter()
            .filter(|i| i["code"] == code)
            .cloned()
            .collect::<Vec<_>>()
    };
    let import = find("check::unknown-import");
    assert_eq!(import.len(), 1);
    assert_eq!(import[0]["help"], "did you mean `data.helpers`?");
    let unknown = find("check::unknown-name");
    assert_eq!(unknown[0]["help"], "did you mean `startswith`?");
    assert_eq!(
        (unknown[0]["line"].as_u64(), unknown[0]["column"].as_u64()),
        (Some(9), Some(5))
    );
    assert_eq!(find("check::arity")[0]["line"], 10);
    assert_eq!(find("check::unsafe-var")[0]["line"], 11);
    assert_eq!(find("check::unsafe-not")[0]["column"], 18);
    assert_eq!(find("check::function-value")[0]["line"], 14);
    assert_eq!(find("check::not-a-function")[0]["line"], 15);
    assert_eq!(find("check::recursion").len(), 1);
    assert_eq!(find("check::rule-kind")[0]["line"], 28);
    let dup = find("check::duplicate-id");
    assert_eq!(dup[0]["file"], "b.s3why");
    assert!(dup[0]["help"].as_str().unwrap().contains("a.s3why:5"));
    assert_eq!(d.error_count(), items.len());
    assert_eq!(items.len(), 10, "{}", d.render_human());
    let human = d.render_human();
    assert!(human.contains(" --> a.s3why:9:5\n"), "{human}");
    assert!(human.ends_with("10 errors\n"));
}

#[test]
fn syntax_errors_of_several_files_together() {
    let d = load(
        &[
            ("x.s3why", "package x\nr := 1 +\n"),
            ("y.s3why", "package y\nq := [1\n"),
            ("z.s3why", "package z\nok := 1\n"),
        ],
        &[],
    )
    .err()
    .unwrap();
    let files: Vec<_> = d
        .render_json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["x.s3why", "y.s3why"]);
}

#[test]
fn metadata_listing() {
    let src = "package p\n\n# METADATA\n# id: p-1\n# title: A title\n# severity: warning\n# description: first line\n#   continued\n# docs: https://example.com/p-1\n# tags: [acl, identity]\n# owner: team-a\nfindings contains \"x\"\n";
    let p = load(&[("p.s3why", src)], &[]).unwrap();
    let info = &p.rules()[0];
    assert_eq!(info.id, "p-1");
    assert_eq!(info.title.as_deref(), Some("A title"));
    assert_eq!(info.severity.as_deref(), Some("warning"));
    assert_eq!(info.description.as_deref(), Some("first line continued"));
    assert_eq!(info.docs.as_deref(), Some("https://example.com/p-1"));
    assert_eq!(info.tags, ["acl", "identity"]);
    assert_eq!(info.custom.get("owner").map(String::as_str), Some("team-a"));
    assert_eq!(
        (
            info.package.as_str(),
            info.rule.as_str(),
            info.file.as_str(),
            info.line
        ),
        ("p", "findings", "p.s3why", 12)
    );
}

#[test]
fn metadata_must_precede_a_rule() {
    let d = load(
        &[(
            "m.s3why",
            "package m\n\n# METADATA\n# id: m-1\n\n\nx := 1\n",
        )],
        &[],
    )
    .err()
    .unwrap();
    assert_eq!(d.items[0].code, "check::metadata");
}

struct Facts {
    allowed_actions: Vec<&'static str>,
}

fn decide(ctx: &BuiltinCtx<'_>, args: &[Value]) -> Result<Option<Value>, BuiltinError> {
    let facts = ctx
        .host
        .and_then(|h| h.downcast_ref::<Facts>())
        .ok_or(BuiltinError {
            message: "no facts".into(),
            arg: None,
        })?;
    let action = args[0]
        .get(&Value::str("action"))
        .and_then(|a| a.as_str().map(str::to_string))
        .unwrap_or_default();
    let ok = facts.allowed_actions.contains(&action.as_str());
    // The current input (after `with`) reaches host builtins through their arguments
    // (builtins do not see `input` itself: the rules may get only the fields they read).
    let seen = args[0].get(&Value::str("action")).unwrap_or(Value::Null);
    Ok(Some(Value::array(vec![
        Value::str(if ok { "allowed" } else { "denied" }),
        seen,
    ])))
}

static HOST: &[Builtin] = &[Builtin {
    name: "aws.decide",
    arity: 1,
    func: decide,
    doc: "test host builtin",
}];

#[test]
fn host_builtins_see_host_and_counterfactual_input() {
    let src = "package h\nnow := aws.decide(input.request)\nacl := d if { d := aws.decide(input.request) with input.request.action as \"s3:PutObjectAcl\" }\n";
    let p = load(&[("h.s3why", src)], HOST).unwrap();
    let facts = Facts {
        allowed_actions: vec!["s3:PutObject"],
    };
    let input = Value::from_json(&serde_json::json!({"request": {"action": "s3:PutObject"}}));
    let now = p
        .eval_rule("data.h.now", &input, Some(&facts))
        .unwrap()
        .unwrap();
    assert_eq!(now.to_string(), r#"["allowed","s3:PutObject"]"#);
    let acl = p
        .eval_rule("data.h.acl", &input, Some(&facts))
        .unwrap()
        .unwrap();
    assert_eq!(acl.to_string(), r#"["denied","s3:PutObjectAcl"]"#);
    // Without a host value the builtin reports an error at the call.
    let err = p.eval_rule("data.h.now", &input, None).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        ("eval::type", "aws.decide: no facts")
    );
}

#[test]
fn host_builtin_arity_is_checked_and_names_suggested() {
    let d = load(
        &[(
            "h.s3why",
            "package h\nx := aws.decide(1, 2)\ny := aws.decid(1)\n",
        )],
        HOST,
    )
    .err()
    .unwrap();
    let codes: Vec<_> = d.items.iter().map(|i| (i.code, i.help.clone())).collect();
    assert_eq!(
        codes,
        [
            ("check::arity", None),
            (
                "check::unknown-name",
                Some("did you mean `aws.decide`?".to_string())
            )
        ]
    );
}

static DUP: &[Builtin] = &[Builtin {
    name: "sprintf",
    arity: 2,
    func: decide,
    doc: "",
}];

#[test]
fn duplicate_host_builtin_is_a_load_error() {
    let d = load(&[("h.s3why", "package h\nx := 1\n")], DUP)
        .err()
        .unwrap();
    assert_eq!(d.items[0].code, "check::duplicate-builtin");
}

#[test]
fn program_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<s3why::lang::Program>();
    assert_send_sync::<Value>();
}

#[test]
fn smaller_checks_each_have_a_code() {
    let src = r#"package c

import input.x

r if {
    x := 1
    x := 2
    input.a.b := 3
    input.a with count(1) as 2
    (1 + 2)(3)
    count([]) == 0 with count as concat
}

default s := 1

default s := 2

default t := 1

t contains 1
"#;
    let d = load(&[("c.s3why", src)], &[]).expect_err("must fail");
    let codes: Vec<&str> = d.items.iter().map(|i| i.code).collect();
    assert_eq!(
        codes,
        [
            "check::import",
            "check::redeclared",
            "check::assign-target",
            "check::with-target",
            "check::call-target",
            "check::with-arity",
            "check::duplicate-default",
            "check::default-kind",
        ],
        "{}",
        d.render_human()
    );
}
