//! Helpers that keep the CLI thin: collect `.s3why` files from files and folders, load
//! them, lint them (every load-time check; the CLI maps an error to exit status 2),
//! format them, and render diagnostics as `--error-format human|json`.

use super::builtins::Builtin;
use super::diag::Diagnostics;
use super::loader::{Loader, Program};
use std::path::{Path, PathBuf};

/// Why rule files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A folder named for rules holds no `.s3why` file.
    #[error("{0}: no .s3why rule files in this folder (is the path right?)")]
    NoRuleFiles(PathBuf),
    /// The rules have errors (all of them are here).
    #[error("{0}")]
    Rules(Diagnostics),
}

/// `--error-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    /// file:line:col, the source line, a caret, a hint.
    #[default]
    Human,
    /// A JSON array of diagnostics (one object each).
    Json,
}

/// Renders diagnostics in the chosen format.
pub fn render(d: &Diagnostics, format: ErrorFormat) -> String {
    match format {
        ErrorFormat::Human => d.render_human(),
        ErrorFormat::Json => format!("{}\n", d.render_json()),
    }
}

/// Renders any load error in the chosen format: the diagnostics of rules that do not
/// load, or (a folder that cannot be walked or holds no rules) one line of text, or in
/// JSON one diagnostic object naming the path.
pub fn render_load_error(e: &LoadError, format: ErrorFormat) -> String {
    let (code, path, message) = match e {
        LoadError::Rules(d) => return render(d, format),
        LoadError::Io { path, source } => ("load::unreadable", path, source.to_string()),
        LoadError::NoRuleFiles(path) => (
            "load::no-rule-files",
            path,
            "no .s3why rule files in this folder (is the path right?)".to_string(),
        ),
    };
    match format {
        ErrorFormat::Human => format!("error: {e}\n"),
        ErrorFormat::Json => format!(
            "{}\n",
            serde_json::json!([{
                "code": code,
                "severity": "error",
                "message": message,
                "file": path.display().to_string(),
            }])
        ),
    }
}

/// Every `.s3why` file named or found (recursively, sorted) in a named folder.
/// Explicitly named files are taken whatever their extension.
pub fn collect_rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = walk(p)?;
            if found.is_empty() {
                return Err(LoadError::NoRuleFiles(p.clone()));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    crate::walk::files(dir, &|_| true, &|p| {
        crate::walk::has_extension(p, &["s3why"])
    })
    .map_err(|(path, source)| LoadError::Io { path, source })
}

/// Loads and compiles every rule file under `paths` with the extra builtins.
pub fn load_paths(paths: &[PathBuf], extra: &'static [Builtin]) -> Result<Program, LoadError> {
    let mut loader = Loader::new();
    for f in collect_rule_files(paths)? {
        loader.add_file_or_report(&f);
    }
    loader.compile(extra).map_err(LoadError::Rules)
}

/// What `lint` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintReport {
    /// Files checked.
    pub files: usize,
    /// Rule groups compiled.
    pub rules: usize,
}

/// Runs every load-time check over the files under `paths`.
pub fn lint(paths: &[PathBuf], extra: &'static [Builtin]) -> Result<LintReport, LoadError> {
    let files = collect_rule_files(paths)?.len();
    let program = load_paths(paths, extra)?;
    Ok(LintReport {
        files,
        rules: program.rule_paths().len(),
    })
}

/// Formats one file: `Ok(Some(text))` when the canonical layout differs from the file,
/// `Ok(None)` when it is already formatted.
pub fn format_file(path: &Path) -> Result<Option<String>, LoadError> {
    let text = crate::text::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let out =
        super::fmt::format_source(&path.display().to_string(), &text).map_err(LoadError::Rules)?;
    Ok((out != text).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_reports_every_error_of_the_fixture_folder() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/syntax/err");
        match lint(&[dir], &[]) {
            Err(LoadError::Rules(d)) => {
                let files: std::collections::BTreeSet<_> = d
                    .render_json()
                    .as_array()
                    .map(|a| a.iter().map(|i| i["file"].to_string()).collect())
                    .unwrap_or_default();
                assert!(files.len() >= 9, "{files:?}");
            }
            other => panic!("expected rule errors, got {other:?}"),
        }
    }

    #[test]
    fn lint_ok_folder() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/fmt");
        let r = lint(&[dir], &[]);
        assert!(matches!(r, Ok(LintReport { files: 1, .. })), "{r:?}");
    }
}
