//! Helpers shared by integration tests (`mod support;`); not a test crate of its own.

use std::path::Path;

/// Copies the folder `from` into `to` (created), recursively: a test edits its copy of a
/// fixture snapshot.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
