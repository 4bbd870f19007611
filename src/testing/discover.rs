//! Finding case files. In a folder, only files named `*.case.yaml`, `*.case.yml` or
//! `*.case.json` are cases, so fact documents kept in the same tree (which are YAML and
//! JSON too) are never mistaken for cases. A file named on the command line is read as
//! a case file whatever its name.

use std::path::{Path, PathBuf};

use super::LoadError;

/// The suffixes that make a file in a folder a case file.
pub const CASE_SUFFIXES: &[&str] = &[".case.yaml", ".case.yml", ".case.json"];

/// Whether a file name marks a case file.
pub fn is_case_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|n| CASE_SUFFIXES.iter().any(|s| n.ends_with(s)))
}

/// Every case file under `paths`, in sorted order (folders walked recursively; hidden
/// entries and `snapshots/` folders skipped).
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let meta = std::fs::metadata(p)
            .map_err(|e| LoadError::new(&shown, 0, format!("cannot read: {e}")))?;
        if meta.is_dir() {
            out.extend(walk(p)?);
        } else {
            out.push(p.clone());
        }
    }
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let hidden = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    crate::walk::files(
        dir,
        &|p| !hidden(p) && p.file_name().is_some_and(|n| n != "snapshots"),
        &|p| !hidden(p) && is_case_file(p),
    )
    .map_err(|(folder, e)| {
        LoadError::new(
            &folder.display().to_string(),
            0,
            format!("cannot read the folder: {e}"),
        )
    })
}
