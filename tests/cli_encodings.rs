//! Text the way users' tools write it: a UTF-8 byte-order mark (RFC 8259 §8.1 lets a JSON
//! reader ignore it; Windows editors and `Out-File -Encoding utf8` write one) or UTF-16
//! after a mark (Windows PowerShell 5.1's `>`). Such a file reads as its UTF-8 twin does,
//! with the same line:column positions; an NDJSON stream in UTF-16 is one error record
//! that says what to do; bytes that are not text say where.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const EXAMPLE: &str = include_str!("../examples/bucket-policy-storage-class.json");

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("s3why-encodings-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn utf16le(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

fn utf16be(text: &str) -> Vec<u8> {
    [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect()
}

fn with_bom(text: &str) -> Vec<u8> {
    [BOM, text.as_bytes()].concat()
}

/// Runs s3why with `args` in `dir`; (exit status, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check` prints the same verdict, causes and statement lines for the file in UTF-8 and
/// in each encoding (each under the same name, in its own folder).
#[test]
fn check_reads_a_byte_order_mark_and_utf16_like_utf8() {
    let plain = dir("check-plain");
    std::fs::write(plain.join("doc.json"), EXAMPLE).unwrap();
    let expected = run(&plain, &["check", "doc.json"]);
    assert_eq!(expected.0, 1, "the example is denied: {}", expected.2);
    assert!(expected.1.contains("(doc.json:"), "{}", expected.1);
    for (name, bytes) in [
        ("bom", with_bom(EXAMPLE)),
        ("utf16le", utf16le(EXAMPLE)),
        ("utf16be", utf16be(EXAMPLE)),
    ] {
        let d = dir(&format!("check-{name}"));
        std::fs::write(d.join("doc.json"), bytes).unwrap();
        assert_eq!(run(&d, &["check", "doc.json"]), expected, "{name}");
    }
}

/// Positions count from the first character, as an editor shows them: the mark is not a
/// column.
#[test]
fn syntax_errors_after_a_byte_order_mark_keep_their_columns() {
    let d = dir("columns");
    std::fs::write(d.join("a.json"), with_bom("{,}")).unwrap();
    let (code, _, err) = run(&d, &["check", "a.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: a.json:1:2: invalid JSON: key must be a string"
    );
    std::fs::write(d.join("b.json"), utf16le("{\n  \"request\": 1,,\n}")).unwrap();
    let (code, _, err) = run(&d, &["check", "b.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: b.json:2:16: invalid JSON: key must be a string"
    );
}

#[test]
fn check_reads_a_byte_order_mark_on_standard_input() {
    let d = dir("stdin");
    std::fs::write(d.join("doc.json"), with_bom(EXAMPLE)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
        .current_dir(&d)
        .args(["check", "-"])
        .stdin(std::fs::File::open(d.join("doc.json")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("DENIED (403 AccessDenied)"));
}

#[test]
fn bytes_that_are_not_text_say_where() {
    let d = dir("binary");
    std::fs::write(d.join("x.json"), b"{\"a\xFF\": 1}").unwrap();
    let (code, _, err) = run(&d, &["check", "x.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: x.json: cannot read: not UTF-8 text (invalid byte at offset 3); save it as UTF-8"
    );
}

/// In a batch: an NDJSON file whose first line starts with a mark, and a folder document
/// in UTF-16, decide as their UTF-8 twins; a UTF-16 NDJSON stream is one error record
/// (not one garbled record a line), and the batch goes on.
#[test]
fn batch_reads_marks_and_reports_a_utf16_stream_once() {
    let line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(EXAMPLE).unwrap())
        .unwrap();
    let d = dir("batch");
    std::fs::write(d.join("plain.ndjson"), format!("{line}\n{line}\n")).unwrap();
    std::fs::write(d.join("bom.ndjson"), with_bom(&format!("{line}\n{line}\n"))).unwrap();
    std::fs::write(d.join("wide.ndjson"), utf16le(&format!("{line}\n{line}\n"))).unwrap();
    std::fs::create_dir_all(d.join("docs")).unwrap();
    std::fs::write(d.join("docs/wide.json"), utf16le(EXAMPLE)).unwrap();
    let (code, out, err) = run(
        &d,
        &[
            "batch",
            "--quiet",
            "plain.ndjson",
            "bom.ndjson",
            "wide.ndjson",
            "docs",
        ],
    );
    assert_eq!(code, 2, "an unreadable stream wins: {err}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sources: Vec<&str> = records
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "plain.ndjson:1",
            "plain.ndjson:2",
            "bom.ndjson:1",
            "bom.ndjson:2",
            "wide.ndjson:1",
            "docs/wide.json"
        ]
    );
    assert_eq!(records[0]["decision"], "denied");
    // The same findings; where they are differs by file and line, and the NDJSON lines'
    // columns (the mark is not one) differ from the pretty-printed document's.
    let findings = |i: usize, keep_column: bool| {
        let mut f = records[i]["findings"].clone();
        for finding in f.as_array_mut().unwrap() {
            let location = finding["location"].as_object_mut().unwrap();
            location.remove("file");
            location.remove("line");
            if !keep_column {
                location.remove("column");
            }
        }
        f
    };
    assert!(!findings(0, true).as_array().unwrap().is_empty());
    for i in [1, 2, 3] {
        assert_eq!(records[i]["decision"], records[0]["decision"], "record {i}");
        assert_eq!(findings(i, true), findings(0, true), "record {i}");
    }
    assert_eq!(records[5]["decision"], records[0]["decision"]);
    assert_eq!(findings(5, false), findings(0, false));
    assert_eq!(
        records[4]["error"],
        "the stream is UTF-16LE; NDJSON must be UTF-8 (convert it, e.g. `iconv -f UTF-16 -t UTF-8`)"
    );
}

/// A rule file saved with a mark loads, and its diagnostics keep their columns.
#[test]
fn rule_files_with_a_byte_order_mark_load() {
    let d = dir("rules");
    std::fs::write(
        d.join("ok.s3why"),
        with_bom("package team.example\n\nx := 1\n"),
    )
    .unwrap();
    let (code, _, err) = run(&d, &["lint", "ok.s3why"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join("bad.s3why"), with_bom("package team.example x\n")).unwrap();
    let (code, _, err) = run(&d, &["lint", "bad.s3why"]);
    assert_eq!(code, 2);
    assert!(err.contains("--> bad.s3why:1:22"), "{err}");
}
