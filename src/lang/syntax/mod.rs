//! Text → AST. Owns the pest derive over `grammar/s3why.pest`; `lower` and `expr` turn
//! pest pairs into the [`ast`] through typed accessors that return an internal error
//! with a span (never panic) if the grammar and the lowering ever disagree.

pub mod ast;
pub mod dump;
pub mod error;
mod expr;
mod lower;
pub mod trivia;

use crate::lang::diag::Diagnostic;
use crate::lang::source::{SourceId, Span};
use pest::error::InputLocation;
use pest::Parser as _;

/// The pest parser generated from `grammar/s3why.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/s3why.pest"]
pub struct S3whyParser;

/// Deepest allowed nesting of brackets, braces, parentheses and f-string holes, and of
/// operator / postfix chains in one expression. Deeper input is a syntax error
/// (`syntax::too-deep`) rather than a stack overflow.
pub const MAX_NESTING: usize = 64;

/// A parsed file: its AST and its comments.
#[derive(Debug)]
pub struct Parsed {
    /// The tree.
    pub module: ast::Module,
    /// Comments, for metadata and the formatter.
    pub comments: Vec<trivia::Comment>,
}

/// Parses one file. All syntax errors are returned: pest stops at its first failure,
/// so after a failure every top-level item is parsed on its own to find the others
/// (see `recover`), up to [`MAX_SYNTAX_ERRORS`].
pub fn parse_module(text: &str, source: SourceId) -> Result<Parsed, Vec<Diagnostic>> {
    let trivia = trivia::scan(text, MAX_NESTING);
    if let Some(at) = trivia.too_deep_at {
        return Err(vec![too_deep(Span::new(source, at, at + 1))]);
    }
    let pairs = S3whyParser::parse(Rule::module, text).map_err(|e| recover(text, source, &e))?;
    let lowerer = lower::Lowerer::new(source, text, &trivia.comments);
    let module = lowerer.module(pairs);
    let mut errors = lowerer.into_errors();
    match module {
        Ok(m) if errors.is_empty() => Ok(Parsed {
            module: m,
            comments: trivia.comments,
        }),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.push(e);
            Err(errors)
        }
    }
}

pub(crate) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        "syntax::too-deep",
        span,
        format!("nesting deeper than {MAX_NESTING} levels"),
    )
    .with_help("split the expression with intermediate variables")
}

/// Most syntax errors reported for one file.
pub const MAX_SYNTAX_ERRORS: usize = 20;

/// Finds every syntax error, not just pest's first: each top-level item (a line that
/// starts in column 1 with a letter or `_`, up to the next such line) is parsed on its
/// own and each failing item reports its first error. The whole-file error is kept
/// when no item fails alone (a problem between items) or when it sits in the first
/// item (a missing `package`).
fn recover(text: &str, source: SourceId, whole: &pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| {
            text.get(i..)
                .and_then(|t| t.chars().next())
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
        .collect();
    let mut errors = Vec::new();
    for (n, &from) in starts.iter().enumerate() {
        let to = starts.get(n + 1).copied().unwrap_or(text.len());
        let Some(chunk) = text.get(from..to) else {
            continue;
        };
        if let Err(mut e) = S3whyParser::parse(Rule::item_only, chunk) {
            // A failure at the item's end is shown right after its last token
            // ("found end of line"), not at the next item.
            let content = content_len(chunk);
            e.location = match e.location {
                InputLocation::Pos(p) => InputLocation::Pos(p.min(content) + from),
                InputLocation::Span((a, b)) => InputLocation::Span((a + from, b + from)),
            };
            errors.push(error::from_pest(&e, source, text));
            if errors.len() >= MAX_SYNTAX_ERRORS {
                break;
            }
        }
    }
    let second = starts.get(1).copied().unwrap_or(text.len());
    if errors.is_empty() || error_offset(whole) < second {
        errors.insert(0, error::from_pest(whole, source, text));
    }
    errors
}

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((a, _)) => a,
    }
}

/// Length of `chunk` without trailing blank lines, comment lines and whitespace.
fn content_len(chunk: &str) -> usize {
    let mut end = chunk.trim_end().len();
    while let Some(line_start) = chunk.get(..end).map(|t| t.rfind('\n').map_or(0, |i| i + 1)) {
        let line = chunk.get(line_start..end).unwrap_or("");
        if line_start == 0 || !line.trim_start().starts_with('#') {
            break;
        }
        end = chunk.get(..line_start).map_or(0, |t| t.trim_end().len());
    }
    end
}
