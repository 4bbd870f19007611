//! Syntax errors: pest's failure turned into a located [`Diagnostic`] whose expected
//! tokens are words a rule author knows ("an operator", "`if`"), not grammar rule names.

use super::Rule;
use crate::lang::diag::Diagnostic;
use crate::lang::source::{SourceId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// The word for a grammar rule in "expected ..." lists.
pub fn friendly(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::path => "a name",
        Rule::field_name => "a field name",
        Rule::package | Rule::kw_package => "`package`",
        Rule::import | Rule::kw_import => "`import`",
        Rule::rule_decl | Rule::rule_def | Rule::default_rule => "a rule",
        Rule::kw_default => "`default`",
        Rule::kw_contains => "`contains`",
        Rule::kw_if => "`if`",
        Rule::kw_some => "`some`",
        Rule::kw_in => "`in`",
        Rule::kw_every => "`every`",
        Rule::kw_not => "`not`",
        Rule::kw_with => "`with`",
        Rule::kw_as => "`as`",
        Rule::body => "a body `{ ... }`",
        Rule::literal | Rule::comp_body => "an expression",
        Rule::assign_op => "`:=`",
        Rule::unify_op => "`=`",
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_lt
        | Rule::op_ge
        | Rule::op_gt
        | Rule::op_in
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod => "an operator",
        Rule::dot_access => "`.`",
        Rule::index_access => "`[`",
        Rule::call_args => "`(`",
        Rule::comp_tail => "`|`",
        Rule::obj_after => "`:`",
        Rule::string | Rule::str_inner | Rule::fstring | Rule::raw_string => "a string",
        Rule::number => "a number",
        Rule::params => "a parameter name",
        _ => "an expression",
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Converts a pest error in `source` into one diagnostic.
pub fn from_pest(err: &pest::error::Error<Rule>, source: SourceId, text: &str) -> Diagnostic {
    let (start, end) = match err.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((a, b)) => (a, b),
    };
    if let Some(d) = bad_escape(text, start, source) {
        return d;
    }
    let found = describe_found(text, start);
    let end = if end > start { end } else { start + found.1 };
    let span = Span::new(source, start, end);
    let message = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().map(|r| friendly(*r)).collect();
            words.sort_unstable();
            words.dedup();
            if words.is_empty() {
                format!("unexpected {}", found.0)
            } else {
                format!("expected {}, found {}", join_words(&words), found.0)
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let mut d = Diagnostic::error("syntax::unexpected", span, message);
    if let Some(h) = hint(text, start) {
        d = d.with_help(h);
    }
    d
}

/// A string that fails to parse at its opening quote because of an escape the grammar
/// does not know (`"a \q"`): that escape, located, rather than "expected an expression,
/// found `"`".
fn bad_escape(text: &str, start: usize, source: SourceId) -> Option<Diagnostic> {
    let rest = text.get(start..)?;
    let body = rest
        .strip_prefix('"')
        .or_else(|| rest.strip_prefix("f\""))?;
    let offset = start + (rest.len() - body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let (j, e) = chars.next()?;
                if !matches!(
                    e,
                    '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u' | '{' | '}'
                ) {
                    let at = offset + i;
                    return Some(
                        Diagnostic::error(
                            "syntax::escape",
                            Span::new(source, at, offset + j + e.len_utf8()),
                            format!("unknown escape `\\{e}` in a string"),
                        )
                        .with_help(
                            "escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX (and \\{ \\} in f-strings); \
                             a raw string `...` takes backslashes as they are",
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    None
}

/// What is at `pos`: a short description and its byte length (for the caret).
fn describe_found(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if c == '\n' {
        return ("end of line".to_string(), 1);
    }
    (format!("`{c}`"), c.len_utf8())
}

/// Hints for common slips.
fn hint(text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    if rest.starts_with("==") || rest.starts_with('=') {
        return Some("use `:=` to define a rule or assign a variable, `==` to compare".into());
    }
    if rest.starts_with('{') {
        return Some("a rule body starts with `if {`".into());
    }
    if rest.starts_with('"')
        && !rest
            .lines()
            .next()
            .unwrap_or("")
            .get(1..)
            .unwrap_or("")
            .contains('"')
    {
        return Some("a string must end on the line it starts; write a line break as `\\n`".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") {
        return Some("every line of a body must hold (and); write alternatives (or) as separate definitions of the rule".into());
    }
    if rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && !c.is_ascii())
    {
        return Some(
            "names are ASCII letters, digits and `_`; other text belongs in strings".into(),
        );
    }
    None
}
