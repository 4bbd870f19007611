//! The trace (`s3why explain`) of every scenario of the source document
//! (`examples/*.json`, ../shared/seed/digest.md), snapshotted and read by hand. The run's
//! instant is fixed (`S3WHY_NOW`), since the trace shows `aws:CurrentTime`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::process::Command;

#[test]
fn explain_every_example() {
    insta::glob!("../examples", "*.json", |path| {
        // A path relative to the repository, so snapshots hold no machine's paths.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let relative = path.strip_prefix(root).unwrap_or(path);
        let out = Command::new(env!("CARGO_BIN_EXE_s3why"))
            .current_dir(root)
            .env("S3WHY_NOW", "2026-11-28T12:00:00Z")
            .arg("explain")
            .arg(relative)
            .output()
            .expect("run s3why");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let text = format!("exit: {}\n{}", out.status.code().unwrap_or(-1), stdout);
        insta::assert_snapshot!(text);
    });
}
