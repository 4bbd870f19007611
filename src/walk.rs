//! Walking a folder for input files, the same way everywhere (rule files, case files,
//! fact documents): recursively, sorted by path, so runs are reproducible.

use std::path::{Path, PathBuf};

/// Every file under `dir` that `keep_file` accepts, in folders that `keep_dir` accepts,
/// sorted by path. An unreadable folder is an error naming it.
pub fn files(
    dir: &Path,
    keep_dir: &dyn Fn(&Path) -> bool,
    keep_file: &dyn Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    let mut out = Vec::new();
    walk(dir, keep_dir, keep_file, &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    keep_dir: &dyn Fn(&Path) -> bool,
    keep_file: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> Result<(), (PathBuf, std::io::Error)> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| (dir.to_path_buf(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if keep_dir(&path) {
                walk(&path, keep_dir, keep_file, out)?;
            }
        } else if keep_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// The file name's extension is one of `extensions`.
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e))
}
