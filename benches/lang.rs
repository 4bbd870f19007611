//! A simple timing bench (no criterion): load+compile of a ruleset-sized program, and
//! evaluation of its findings per request. `cargo bench --bench lang`.

use s3why::lang::{Loader, Value};
use std::time::Instant;

fn ruleset(n: usize) -> String {
    let mut s = String::from("package bench\n\nacl_headers contains h if {\n    some h, _ in input.request.headers\n    startswith(h, \"x-amz-grant-\")\n}\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n# METADATA\n# id: rule-{i}\n# severity: error\nfindings contains f if {{\n    some s in input.policies[_].Statement\n    s.Effect == \"Deny\"\n    glob.match(s.Action, input.request.action)\n    not net.cidr_contains(\"10.0.0.0/8\", input.request.source_ip)\n    count(acl_headers) >= 0\n    f := {{\"id\": \"rule-{i}\", \"message\": f\"statement {{s.Sid}} denies {{input.request.action}}\"}}\n}}\n"
        ));
    }
    s
}

fn input() -> Value {
    let statements: Vec<serde_json::Value> = (0..20)
        .map(|i| serde_json::json!({"Sid": format!("S{i}"), "Effect": if i % 2 == 0 { "Allow" } else { "Deny" }, "Action": if i % 3 == 0 { "s3:*" } else { "s3:Get*" }}))
        .collect();
    Value::from_json(&serde_json::json!({
        "request": {"action": "s3:PutObject", "source_ip": "203.0.113.7", "headers": {"x-amz-grant-read": "id=1", "x-amz-acl": "private"}},
        "policies": [{"Statement": statements}],
    }))
}

fn main() {
    let text = ruleset(50);
    let rounds = 20;
    let start = Instant::now();
    let mut program = None;
    for _ in 0..rounds {
        let mut l = Loader::new();
        l.add_source("bench.s3why", text.clone());
        program = l.compile(&[]).ok();
    }
    let load = start.elapsed() / rounds;
    let Some(program) = program else {
        eprintln!("bench ruleset failed to compile");
        std::process::exit(1);
    };
    let input = input();
    let evals = 200;
    let start = Instant::now();
    let mut found = 0;
    for _ in 0..evals {
        if let Ok(Some(Value::Set(s))) = program.eval_rule("data.bench.findings", &input, None) {
            found = s.len();
        }
    }
    let eval = start.elapsed() / evals;
    println!("load+compile of 50 rules ({} bytes): {load:?}", text.len());
    println!("eval of findings ({found} findings): {eval:?} per request");
}
