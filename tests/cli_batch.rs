//! `s3why batch`: nothing lost, input order kept under parallelism, exit statuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::io::Write;
use std::process::{Command, Stdio};

fn example(name: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap()
}

/// `s3why batch - EXTRA...` with `input` on standard input.
fn run_batch(input: &str, extra: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .arg("batch")
        .arg("-")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn batch(input: &str, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let out = run_batch(input, extra);
    let records = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        records,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// Every input record gives exactly one output record, in input order, with its source;
// broken records become error records and the batch goes on (facts.md, "Batch input").
#[test]
fn order_and_count_with_broken_records_under_two_jobs() {
    let allowed = example("allowed-upload");
    let denied = example("acl-without-permission");
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for i in 0..300 {
        match i % 5 {
            0 => {
                lines.push("{not json".to_string());
                expected.push("error");
            }
            1 => {
                lines.push(r#"{"request": {"bucket": "b"}}"#.to_string());
                expected.push("error");
            }
            2 | 3 => {
                lines.push(allowed.clone());
                expected.push("allowed");
            }
            _ => {
                lines.push(denied.clone());
                expected.push("denied");
            }
        }
    }
    let (code, records, stderr) = batch(&(lines.join("\n") + "\n"), &["--jobs", "2"]);
    assert_eq!(records.len(), 300);
    for (i, (r, e)) in records.iter().zip(&expected).enumerate() {
        assert_eq!(r["source"], format!("<stdin>:{}", i + 1), "record {i}");
        let got = if r.get("error").is_some() {
            "error"
        } else {
            r["decision"].as_str().unwrap()
        };
        assert_eq!(got, *e, "record {i}: {r}");
    }
    assert_eq!(
        records[0]["error"],
        "<stdin>:1:2: invalid JSON: key must be a string"
    );
    assert_eq!(code, 2, "errors win over denials");
    assert!(
        stderr.contains("300 records: 120 allowed, 60 denied, 120 errors"),
        "{stderr}"
    );
}

#[test]
fn exit_statuses() {
    let allowed = example("allowed-upload");
    let denied = example("acl-without-permission");
    assert_eq!(batch(&format!("{allowed}\n{allowed}\n"), &[]).0, 0);
    assert_eq!(batch(&format!("{allowed}\n{denied}\n"), &[]).0, 1);
    assert_eq!(batch(&format!("{denied}\n[]\n"), &[]).0, 2);
}

#[test]
fn folders_and_files_are_walked_in_order() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args([
            "batch",
            "--quiet",
            "--format",
            "ndjson",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples"),
        ])
        .output()
        .unwrap();
    let sources: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["source"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut expected: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
    expected.sort();
    assert_eq!(sources, expected);
    assert!(out.stderr.is_empty(), "--quiet prints no summary");
}

#[test]
fn missing_path_is_an_error_record() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["batch", "/nonexistent/facts.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["source"], "/nonexistent/facts.json");
    assert!(r["error"].as_str().unwrap().contains("cannot read"));
}

/// A folder with no fact document in it (a wrong path, an export that wrote nothing) is an
/// error record naming it, not a batch that exits 0 having checked nothing; the batch goes
/// on with the next path.
#[test]
fn a_folder_with_nothing_to_read_is_an_error_record() {
    let dir = std::env::temp_dir().join(format!("s3why-empty-folder-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a fact document").unwrap();
    let allowed = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/allowed-upload.json");
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["batch", "--quiet"])
        .arg(&dir)
        .arg(allowed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["source"], dir.display().to_string());
    assert_eq!(
        records[0]["error"],
        "no fact documents in this folder (files ending .json, .yaml, .yml, .ndjson or .jsonl)"
    );
    assert_eq!(records[1]["decision"], "allowed");
}

/// `s3why batch ... | head`: once the reader closes the pipe, the batch stops reading
/// records, prints no error and exits with the status of what it wrote (here: denied).
#[test]
fn a_closed_output_stops_the_batch_quietly() {
    use std::io::{BufRead, BufReader};
    let denied = example("acl-without-permission");
    let dir = std::env::temp_dir().join(format!("s3why-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("many.ndjson");
    // Enough records that the batch could not finish before the pipe closes.
    std::fs::write(&path, format!("{denied}\n").repeat(200_000)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["batch", "--quiet"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe is closed after one line.
    let out = child.wait_with_output().unwrap();
    assert!(first.contains("\"decision\":\"denied\""), "{first}");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A slow stream (`tail -f records.ndjson | s3why batch -`): a record's verdict is
/// written out while the next record has not come yet, not held in the output buffer
/// until the input ends.
#[test]
fn a_record_of_a_slow_stream_is_written_before_the_next_arrives() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["batch", "--quiet", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", example("allowed-upload")).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    // The input stays open: the record must come out anyway.
    let line = rx.recv_timeout(std::time::Duration::from_secs(30));
    drop(stdin);
    let _ = child.wait();
    let line = line.expect("no record written while the input was still open");
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["source"], "<stdin>:1");
}

// The batch keeps of each document only what the rules read (`Program::input_reads`):
// a team's rule that reads the policies' JSON itself still finds them, identity and
// bucket policy alike, and the bundled findings are unchanged beside it.
#[test]
fn a_rule_reading_the_policies_json_sees_them_in_a_batch() {
    let dir = std::env::temp_dir().join(format!("s3why-reads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("inventory.s3why");
    std::fs::write(
        &rules,
        r#"package acme.inventory

# METADATA
# id: acme-policy-inventory
# title: Every policy an upload meets, by name or Sid
# severity: info
# description: An inventory for Acme's audit.
findings contains f if {
    some p in input.identity.policies
    some st in p.document.Statement
    f := {"id": "acme-policy-inventory", "message": f"identity policy {p.name}, effect {st.Effect}", "policy": "identity"}
}

findings contains f if {
    some st in input.bucket.policy.Statement
    f := {"id": "acme-policy-inventory", "message": f"bucket policy statement {st.Sid}", "policy": "bucket-policy"}
}
"#,
    )
    .unwrap();
    let input = example("bucket-policy-source-ip");
    let (_, plain, _) = batch(&input, &[]);
    let (_, with_team, err) = batch(&input, &["--rules", rules.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    let messages = |r: &serde_json::Value, team: bool| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| (f["id"] == "acme-policy-inventory") == team)
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(with_team.len(), 1, "{err}");
    let mut team = messages(&with_team[0], true);
    team.sort();
    assert_eq!(
        team,
        [
            "bucket policy statement DenyOutsideOffice",
            "identity policy AllowUpload, effect Allow"
        ],
        "{err}"
    );
    assert_eq!(messages(&with_team[0], false), messages(&plain[0], false));
    assert!(!messages(&plain[0], false).is_empty());
}

/// `--jobs 0` would evaluate nothing: it is a usage error (exit 2), not one worker.
#[test]
fn zero_jobs_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .args(["batch", "--jobs", "0", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: invalid value '0' for '--jobs <JOBS>': must be at least 1"),
        "{stderr}"
    );
}

/// docs/batch.md, `text`: each record starts a line of its own; a rule failure's
/// diagnostic, which spans lines, is indented under its record.
#[test]
fn a_multi_line_error_stays_under_its_record_in_text() {
    let dir = std::env::temp_dir().join(format!("s3why-text-error-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("broken.s3why");
    std::fs::write(
        &rules,
        "package acme.broken\n\n# METADATA\n# id: acme-broken\n# title: Broken\n# severity: info\nfindings contains f if {\n    n := input.request.bucket + 1\n    f := {\"id\": \"acme-broken\", \"message\": f\"{n}\"}\n}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["batch", "--quiet", "--format", "text", "--rules"])
        .arg(&rules)
        .args([
            "examples/allowed-upload.json",
            "examples/bucket-policy-acl.json",
        ])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let starts: Vec<&str> = text.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(starts.len(), 2, "one unindented line a record:\n{text}");
    assert!(
        starts[0].starts_with("examples/allowed-upload.json: ERROR "),
        "{text}"
    );
    assert!(
        text.lines().count() > 2,
        "the diagnostic's further lines are kept:\n{text}"
    );
}

/// A line cut off inside a string is located on its own line, at its end, and said to be
/// cut off; it was "line 2, column 1", the newline the string ran into.
#[test]
fn a_cut_off_line_is_located_at_its_end() {
    let input = "{\"request\":{\"principal\":\"arn:aws:iam::111122223333\n{\"request\":{\"principal\":\"arn:aws:iam::111122223333\r\n";
    let (code, records, _) = batch(input, &[]);
    assert_eq!(code, 2);
    assert_eq!(records.len(), 2);
    for (i, r) in records.iter().enumerate() {
        let line = i + 1;
        assert_eq!(
            r["error"],
            format!("<stdin>:{line}:50: invalid JSON: EOF while parsing a string (the line is cut off: was the file truncated?)"),
            "{r}"
        );
    }
}

/// Text output for a terminal: a key holding a newline, BEL or ESC is written escaped, so
/// each record stays on its line and its bytes cannot drive the terminal.
#[test]
fn control_characters_of_a_record_are_escaped_in_text() {
    let doc = |key: &str| {
        serde_json::json!({"request": {"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "b", "key": key}})
            .to_string()
    };
    let input = format!("{}\n{}\n", doc("nl\nsecond"), doc("esc\u{1b}[31mred\u{7}"));
    let out = run_batch(&input, &["--quiet", "--format", "text"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    let records: Vec<&str> = text.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(records.len(), 2, "{text}");
    assert!(
        text.contains("nl\\nsecond") && text.contains("esc\\u{1b}[31mred\\u{7}"),
        "{text}"
    );
}
