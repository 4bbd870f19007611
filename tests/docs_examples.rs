//! The examples in `docs/` (at any depth) and `README.md` run. A ```console block holds commands
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

/// Every `.md` file under `dir`, at any depth (`docs/findings/`, `docs/examples/...`).
fn markdown_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let p = entry.path();
        if entry.file_type().unwrap().is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

#[test]
fn nested_docs_are_found() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    markdown_files(&root.join("docs"), &mut files);
    assert!(files.contains(&root.join("docs").join("cli.md")));
    assert!(
        files.contains(&root.join("docs").join("findings").join("README.md")),
        "docs/findings/README.md is not collected"
    );
}

#[test]
fn every_console_example_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    markdown_files(&root.join("docs"), &mut files);
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
            // `s3why ...`, after any `NAME=value` environment assignments.
            let program = ex
                .command
                .split_whitespace()
                .find(|w| !w.contains('='))
                .unwrap_or_default();
            if program != "s3why" {
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
            let ok = matches(&expected, &actual) && out.status.code() == Some(ex.exit);
            // S3WHY_UPDATE_DOCS=1 writes the actual output into an example that has no
            // `...` (to be read in the diff before committing, like a snapshot).
            if !ok
                && std::env::var_os("S3WHY_UPDATE_DOCS").is_some()
                && !expected.iter().any(|l| l == "...")
            {
                update_example(&ex, &expected, &actual);
                continue;
            }
            if !ok {
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

/// Replaces the expected lines of one example (found after its command line) in its file.
fn update_example(ex: &Example, expected: &[String], actual: &[&str]) {
    let text = std::fs::read_to_string(&ex.file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The command may span lines; the expected output starts after the last of them.
    let mut start = ex.line;
    while lines[start - 1].ends_with('\\') {
        start += 1;
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    out.extend(actual.iter().map(|l| l.to_string()));
    out.extend(
        lines[start + expected.len()..]
            .iter()
            .map(|l| l.to_string()),
    );
    std::fs::write(&ex.file, out.join("\n") + "\n").unwrap();
}
