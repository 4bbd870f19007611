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

/// Parses one file. All syntax errors pest and the lowering find are returned (pest
/// stops at its first failure, so that is at most one grammar error per file, plus
/// any shape errors found while lowering).
pub fn parse_module(text: &str, source: SourceId) -> Result<Parsed, Vec<Diagnostic>> {
    let trivia = trivia::scan(text, MAX_NESTING);
    if let Some(at) = trivia.too_deep_at {
        return Err(vec![too_deep(Span::new(source, at, at + 1))]);
    }
    let pairs = S3whyParser::parse(Rule::module, text)
        .map_err(|e| vec![error::from_pest(&e, source, text)])?;
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
