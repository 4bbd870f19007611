//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the
//! literals `${*}`, `${?}`, `${$}` (reference_policies_variables.html, aws-semantics §3.5).
//!
//! A [`Template`] is parsed once per policy. Without variables it compiles straight to a
//! [`Wildcard`]; with variables it is resolved against each request. Substituted values
//! and the special literals never act as wildcards.

use std::borrow::Cow;

use super::context::{Context, ContextValue};
use super::pattern::{tokenize, Token, Wildcard};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Policy text; its `*` and `?` are wildcards where the operator allows them.
    Text(String),
    /// A character from `${*}`, `${?}` or `${$}`: always literal.
    Literal(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: String,
        default: Option<String>,
    },
}

/// A policy string that may hold variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The text as written in the policy, for traces.
    pub source: String,
    /// Empty for plain text (no variables): `source` is all of it.
    parts: Vec<Part>,
    wildcards: bool,
    case_insensitive: bool,
    /// Precompiled when there are no variables.
    compiled: Option<Wildcard>,
}

impl Template {
    /// Parses `text`. `variables` is false for Version 2008-10-17 policies, where `${...}`
    /// is literal text. `wildcards` says whether `*`/`?` in the text are wildcards.
    pub fn new(text: &str, variables: bool, wildcards: bool, case_insensitive: bool) -> Template {
        let plain = !variables || !has_variable_mark(text);
        // Plain text needs no parts: `source` is the whole of it.
        let parts = if plain { Vec::new() } else { parse_parts(text) };
        let mut t = Template {
            source: text.to_string(),
            parts,
            wildcards,
            case_insensitive,
            compiled: None,
        };
        if plain {
            // Plain text (most policy strings): the pattern straight from it.
            t.compiled = Some(match wildcards {
                true => Wildcard::new(text, case_insensitive),
                false => Wildcard::literal(text, case_insensitive),
            });
        } else if !t.has_variables() {
            t.compiled = Some(
                t.build(&Context::new())
                    .map(Cow::into_owned)
                    .unwrap_or_else(|| Wildcard::literal(text, case_insensitive)),
            );
        }
        t
    }

    /// The context keys its variables read, as written.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// True when the template refers to the request context.
    pub fn has_variables(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Variable { .. }))
    }

    /// The pattern for this request, or `None` when a variable has no value and no
    /// default (such a value matches nothing: aws-semantics §3.2).
    pub fn resolve<'a>(&'a self, ctx: &Context) -> Option<Cow<'a, Wildcard>> {
        match &self.compiled {
            Some(w) => Some(Cow::Borrowed(w)),
            None => self.build(ctx),
        }
    }

    /// The template as plain text for this request (variables substituted), used where the
    /// operator compares text segment by segment (ARN operators).
    pub fn resolve_text(&self, ctx: &Context) -> Option<String> {
        if self.parts.is_empty() {
            return Some(self.source.clone());
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(s) => out.push_str(s),
                Part::Literal(c) => out.push(*c),
                Part::Variable { key, default } => out.push_str(&lookup(ctx, key, default)?),
            }
        }
        Some(out)
    }

    fn build<'a>(&self, ctx: &Context) -> Option<Cow<'a, Wildcard>> {
        let mut tokens = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(s) if self.wildcards => tokens.extend(tokenize(s)),
                Part::Text(s) => tokens.push(Token::Literal(s.clone())),
                Part::Literal(c) => tokens.push(Token::Literal(c.to_string())),
                Part::Variable { key, default } => {
                    tokens.push(Token::Literal(lookup(ctx, key, default)?));
                }
            }
        }
        Some(Cow::Owned(Wildcard::from_tokens(
            tokens,
            self.case_insensitive,
        )))
    }
}

/// A variable's value: single-valued keys only (multivalued keys cannot be variables,
/// aws-semantics §3.4), else the default.
fn lookup(ctx: &Context, key: &str, default: &Option<String>) -> Option<String> {
    match ctx.get(key) {
        Some(ContextValue::Single(v)) => Some(v.clone()),
        _ => default.clone(),
    }
}

/// Whether `text` holds `${` (by bytes: most policy strings have no `$` at all).
fn has_variable_mark(text: &str) -> bool {
    memchr::memchr_iter(b'$', text.as_bytes()).any(|at| text.as_bytes().get(at + 1) == Some(&b'{'))
}

fn parse_parts(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    let mut plain = String::new();
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        plain.push_str(&rest[..start]);
        let part = match inner {
            "*" => Part::Literal('*'),
            "?" => Part::Literal('?'),
            "$" => Part::Literal('$'),
            _ => match inner.split_once(',') {
                Some((key, default)) => {
                    let d = default.trim();
                    let d = d
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(d);
                    Part::Variable {
                        key: key.trim().to_string(),
                        default: Some(d.to_string()),
                    }
                }
                None => Part::Variable {
                    key: inner.trim().to_string(),
                    default: None,
                },
            },
        };
        if !plain.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut plain)));
        }
        parts.push(part);
        rest = &rest[start + len + 1..];
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        parts.push(Part::Text(plain));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::new();
        c.set_str("aws:username", "alice");
        c
    }

    // ${aws:username} in Resource (reference_policies_variables.html).
    #[test]
    fn substitutes_username() {
        let t = Template::new("arn:aws:s3:::b/home/${aws:username}/*", true, true, false);
        assert!(t
            .resolve(&ctx())
            .unwrap()
            .matches("arn:aws:s3:::b/home/alice/x"));
        assert!(!t
            .resolve(&ctx())
            .unwrap()
            .matches("arn:aws:s3:::b/home/bob/x"));
        assert!(
            t.resolve(&Context::new()).is_none(),
            "absent variable matches nothing"
        );
    }

    // ${*} is a literal asterisk, not a wildcard.
    #[test]
    fn special_literals() {
        let t = Template::new("a${*}b${?}${$}", true, true, false);
        assert!(t.resolve(&ctx()).unwrap().matches("a*b?$"));
        assert!(!t.resolve(&ctx()).unwrap().matches("axb?$"));
    }

    #[test]
    fn default_value() {
        let t = Template::new(
            "${aws:PrincipalTag/team, 'company-wide'}",
            true,
            false,
            false,
        );
        assert!(t.resolve(&Context::new()).unwrap().matches("company-wide"));
    }

    // Version 2008-10-17: variables are literal text (reference_policies_elements_version.html).
    #[test]
    fn version_2008_keeps_text() {
        let t = Template::new("home/${aws:username}", false, true, false);
        assert!(t.resolve(&ctx()).unwrap().matches("home/${aws:username}"));
    }

    #[test]
    fn substituted_value_is_literal() {
        let mut c = Context::new();
        c.set_str("aws:username", "a*");
        let t = Template::new("${aws:username}", true, true, false);
        assert!(!t.resolve(&c).unwrap().matches("abc"));
        assert!(t.resolve(&c).unwrap().matches("a*"));
    }
}
