//! The formatter: one canonical layout for `.s3why` files that keeps every comment.
//! It proves itself: [`soundness_check`] reparses the output, compares the AST with the
//! input's (spans ignored), compares the comments, and checks idempotence.
//!
//! Layout: `package`, a blank line, imports, then each rule separated by one blank
//! line; bodies indented four spaces, one literal per line; expressions on one line,
//! except objects whose one-line form would pass 80 columns, which get one entry per
//! line. Standalone comments keep their place before the next rule or literal;
//! end-of-line comments stay at the end of their line; a comment inside an expression
//! (which is printed on one line) goes above its literal, or above its rule when the
//! rule has no body.

mod print;

use super::diag::Diagnostics;
use super::source::{SourceId, SourceMap};
use super::syntax;

/// Formats one file. Syntax errors are returned as diagnostics.
pub fn format_source(name: &str, text: &str) -> Result<String, Diagnostics> {
    let mut map = SourceMap::default();
    let id = map.add(name, text);
    match syntax::parse_module(text, id) {
        Ok(parsed) => Ok(print::Printer::new(text, parsed.comments).module(&parsed.module)),
        Err(errors) => Err(Diagnostics::new(errors, map.into_shared())),
    }
}

/// Checks that `formatted` is a faithful formatting of `original`: both parse, their
/// trees are equal ignoring spans, they carry the same comments in the same order,
/// and formatting `formatted` again changes nothing. Returns what differs.
pub fn soundness_check(original: &str, formatted: &str) -> Result<(), String> {
    let a = syntax::parse_module(original, SourceId(0))
        .map_err(|e| format!("original does not parse: {e:?}"))?;
    let b = syntax::parse_module(formatted, SourceId(0))
        .map_err(|e| format!("formatted output does not parse: {e:?}"))?;
    if a.module != b.module {
        return Err(format!(
            "formatting changed the tree:\n{:#?}\n---\n{:#?}",
            a.module, b.module
        ));
    }
    let ca: Vec<&str> = a.comments.iter().map(|c| c.text.as_str()).collect();
    let cb: Vec<&str> = b.comments.iter().map(|c| c.text.as_str()).collect();
    if ca != cb {
        return Err(format!("formatting changed the comments: {ca:?} vs {cb:?}"));
    }
    let again = print::Printer::new(formatted, b.comments).module(&b.module);
    if again != formatted {
        return Err(format!(
            "formatting is not idempotent:\n{formatted}\n---\n{again}"
        ));
    }
    Ok(())
}
