//! The run's instant: AWS includes the time of every request in its context
//! (`aws:CurrentTime`, `aws:EpochTime`, S19), so s3why decides at one instant, the clock's
//! or `S3WHY_NOW`'s, and a malformed `S3WHY_NOW` stops the run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::process::Command;

/// A user allowed to upload until 2030-01-01 (a time-window Allow, S14's Date operators).
const WINDOW: &str = r#"{
  "request": {"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "b", "key": "k"},
  "identity": {"policies": [{"name": "UntilNewYear", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "UntilNewYear", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]}}]},
  "bucket": {"account": "111122223333"}
}"#;

fn run(now: Option<&str>, args: &[&str], file: &str, text: &str) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("s3why-clock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), text).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3why"));
    cmd.current_dir(&dir).args(args).arg(file);
    match now {
        Some(n) => cmd.env("S3WHY_NOW", n),
        None => cmd.env_remove("S3WHY_NOW"),
    };
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_instant_decides_a_time_window_and_shows_in_the_trace() {
    let (code, out, _) = run(Some("2029-12-31T23:59:59Z"), &["explain"], "w.json", WINDOW);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("aws:CurrentTime = \"2029-12-31T23:59:59Z\""),
        "{out}"
    );
    assert!(out.contains("aws:EpochTime = \"1893455999\""), "{out}");
    // One second later the window has closed; seconds since the epoch work too.
    let (code, out, _) = run(Some("1893456000"), &["check"], "w.json", WINDOW);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[identity-no-allow]"), "{out}");
    // request.context still wins over the run's instant.
    let pinned = WINDOW.replace(
        r#""key": "k"}"#,
        r#""key": "k", "context": {"aws:CurrentTime": "2029-06-01T00:00:00Z"}}"#,
    );
    let (code, _, _) = run(Some("2031-01-01T00:00:00Z"), &["check"], "w.json", &pinned);
    assert_eq!(code, 0);
}

#[test]
fn a_malformed_instant_stops_the_run() {
    let (code, out, err) = run(Some("next tuesday"), &["check"], "w.json", WINDOW);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        "error: S3WHY_NOW=\"next tuesday\": expected an RFC 3339 time (2026-11-28T17:05:00Z) or seconds since the epoch"
    );
}

/// Suppressions expire by the same instant.
#[test]
fn suppressions_expire_at_the_runs_instant() {
    let dir = std::env::temp_dir().join(format!("s3why-clock-supp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("s.yaml"),
        "- {id: identity-no-allow, reason: until the migration, expires: 2030-06-30}\n",
    )
    .unwrap();
    let warned = |now: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
            .current_dir(&dir)
            .env("S3WHY_NOW", now)
            .args(["batch", "--quiet", "--suppressions", "s.yaml"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/allowed-upload.json"
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).contains("expired suppression (until 2030-06-30)")
    };
    assert!(!warned("2030-06-30T23:59:59Z"), "the last day it applies");
    assert!(warned("2030-07-01T00:00:00Z"));
}
