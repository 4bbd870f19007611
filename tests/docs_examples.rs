//! The examples in `docs/` and `README.md` run. A ```console block holds commands
//! (`$ s3why ...`), each followed by its expected output; `...` on a line of its own
//! matches any number of lines, and `[exit N]` states the exit status (default 0).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::Path;
use std::process::Command;

struct Example {
    file: String,
    line: usize,
    command: String,
    expected: Vec<String>,
    exit: i32,
}

fn examples(path: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block && line.trim() == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        // A command ending in `\` continues on the next line.
        if let Some(ex) = out
            .last_mut()
            .filter(|ex| ex.command.ends_with('\\') && ex.expected.is_empty())
        {
            ex.command.pop();
            ex.command.push(' ');
            ex.command.push_str(line.trim());
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                file: path.display().to_string(),
                line: i + 1,
                command: cmd.to_string(),
                expected: Vec::new(),
                exit: 0,
            });
        } else if let Some(ex) = out.last_mut() {
            match line
                .strip_prefix("[exit ")
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(code) => ex.exit = code.parse().unwrap(),
                None => ex.expected.push(line.to_string()),
            }
        }
    }
    out
}

/// `expected` matches `actual` line by line; a `...` line matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => (0..=actual.len()).any(|k| matches(rest, &actual[k..])),
        Some((e, rest)) => actual.first().is_some_and(|a| a == e) && matches(rest, &actual[1..]),
    }
}

#[test]
fn every_console_example_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "md") {
            files.push(p);
        }
    }
    files.sort();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_s3why"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        for ex in examples(&file) {
            if !ex.command.starts_with("s3why ") {
                continue;
            }
            count += 1;
            let out = Command::new("sh")
                .arg("-c")
                .arg(&ex.command)
                .current_dir(root)
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let actual: Vec<&str> = stdout.lines().collect();
            let mut expected = ex.expected.clone();
            while expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
            if !matches(&expected, &actual) || out.status.code() != Some(ex.exit) {
                failures.push(format!(
                    "{}:{}: `{}` (exit {:?}, expected {})\n--- expected\n{}\n--- actual\n{}\n--- stderr\n{}",
                    ex.file, ex.line, ex.command, out.status.code(), ex.exit, expected.join("\n"), stdout, String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(count > 0, "no console examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
