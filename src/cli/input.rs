//! Reading fact documents from files or standard input.

use std::io::Read;

use s3why::facts::{Facts, FactsError, Format};

/// Reads one fact document from `path` (`-` = standard input, JSON or YAML by content),
/// with its text (for locating statements).
pub fn read_facts_text(path: &str) -> Result<(String, Facts), String> {
    let (text, format) = if path == "-" {
        let mut bytes = Vec::new();
        let text = std::io::stdin()
            .read_to_end(&mut bytes)
            .and_then(|_| s3why::text::decode(bytes))
            .map_err(|e| format!("<stdin>: cannot read: {e}"))?;
        let format = if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        };
        (text, format)
    } else {
        let text = s3why::text::read(std::path::Path::new(path))
            .map_err(|e| format!("{path}: cannot read: {e}"))?;
        (text, Format::from_path(path))
    };
    let name = if path == "-" { "<stdin>" } else { path };
    let facts = Facts::from_text(&text, format, name).map_err(|e: FactsError| e.to_string())?;
    Ok((text, facts))
}
