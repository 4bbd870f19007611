//! pest pairs → module, rules, bodies and literals. Expressions are in `expr.rs`.

use super::ast::*;
use super::Rule;
use crate::lang::diag::Diagnostic;
use crate::lang::source::{SourceId, Span};
use pest::iterators::{Pair, Pairs};
use std::cell::RefCell;
use std::collections::HashMap;

pub(super) type Res<T> = Result<T, Diagnostic>;

/// Lowering state: the file and the (non-fatal) errors found so far.
pub(super) struct Lowerer<'t> {
    pub(super) source: SourceId,
    text: &'t str,
    /// Comment end offset → start offset, to trim trailing trivia off spans.
    comment_at_end: HashMap<usize, usize>,
    errors: RefCell<Vec<Diagnostic>>,
}

/// Typed access to a pair's children: each accessor names the rule it expects and
/// returns an internal error at the parent's span when the shape differs.
pub(super) struct Kids<'i> {
    inner: std::iter::Peekable<Pairs<'i, Rule>>,
    span: Span,
}

impl<'i> Kids<'i> {
    pub(super) fn next_any(&mut self) -> Res<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| internal(self.span, "missing child"))
    }

    pub(super) fn next(&mut self, rule: Rule) -> Res<Pair<'i, Rule>> {
        let p = self.next_any()?;
        if p.as_rule() == rule {
            Ok(p)
        } else {
            Err(internal(
                self.span,
                &format!("expected {rule:?}, got {:?}", p.as_rule()),
            ))
        }
    }

    /// The next child if it is `rule`.
    pub(super) fn opt(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.inner.peek().is_some_and(|p| p.as_rule() == rule) {
            self.inner.next()
        } else {
            None
        }
    }

    pub(super) fn peek_rule(&mut self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    pub(super) fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.inner
    }
}

pub(super) fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "syntax::internal",
        span,
        format!("internal parser error: {what}"),
    )
    .with_help("this is a bug in s3why; please report it with the rule file")
}

impl<'t> Lowerer<'t> {
    pub(super) fn new(
        source: SourceId,
        text: &'t str,
        comments: &[super::trivia::Comment],
    ) -> Self {
        let comment_at_end = comments.iter().map(|c| (c.end, c.start)).collect();
        Lowerer {
            source,
            text,
            comment_at_end,
            errors: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn into_errors(self) -> Vec<Diagnostic> {
        self.errors.into_inner()
    }

    pub(super) fn report(&self, d: Diagnostic) {
        self.errors.borrow_mut().push(d);
    }

    /// The pair's span without the whitespace and comments pest's implicit skipping
    /// leaves at its end (so spans end at the last token: carets and the formatter's
    /// end-of-line comments rely on it).
    /// The pair's span without the whitespace and comments pest's implicit skipping
    /// leaves at its end (so spans end at the last token: carets and the formatter's
    /// end-of-line comments rely on it).
    pub(super) fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        let mut end = s.end();
        loop {
            let trimmed = self
                .text
                .get(s.start()..end)
                .map_or(0, |t| t.trim_end().len());
            end = s.start() + trimmed;
            match self.comment_at_end.get(&end) {
                Some(&start) if start >= s.start() => end = start,
                _ => break,
            }
        }
        Span::new(self.source, s.start(), end)
    }

    pub(super) fn kids<'i>(&self, p: Pair<'i, Rule>) -> Kids<'i> {
        let span = self.span(&p);
        Kids {
            inner: p.into_inner().peekable(),
            span,
        }
    }

    pub(super) fn name(&self, p: &Pair<'_, Rule>) -> Name {
        Node::new(p.as_str().to_string(), self.span(p))
    }

    pub(super) fn module(&self, mut pairs: Pairs<'_, Rule>) -> Res<Module> {
        let top = pairs
            .next()
            .ok_or_else(|| internal(Span::new(self.source, 0, 0), "empty parse"))?;
        let mut k = self.kids(top);
        let pkg = k.next(Rule::package)?;
        let pkg_span = self.span(&pkg);
        let mut pk = self.kids(pkg);
        pk.next(Rule::kw_package)?;
        let path = pk.next(Rule::path)?;
        let package = Node::new(path_segments(&path), pkg_span);
        let mut imports = Vec::new();
        let mut rules = Vec::new();
        let mut previous = pkg_span;
        for p in k.rest() {
            if p.as_rule() != Rule::EOI {
                let span = self.span(&p);
                self.check_separated(previous, span, false);
                previous = span;
            }
            match p.as_rule() {
                Rule::import => imports.push(self.import(p)?),
                Rule::rule_decl => rules.push(self.rule(p)?),
                Rule::EOI => {}
                other => return Err(internal(pkg_span, &format!("unexpected {other:?}"))),
            }
        }
        Ok(Module {
            source: SourceIdIgnored(self.source),
            package,
            imports,
            rules,
        })
    }

    fn import(&self, p: Pair<'_, Rule>) -> Res<Import> {
        let mut k = self.kids(p);
        k.next(Rule::kw_import)?;
        let path = k.next(Rule::path)?;
        let path = Node::new(path_segments(&path), self.span(&path));
        let alias = match k.opt(Rule::kw_as) {
            Some(_) => Some(self.name(&k.next(Rule::ident)?)),
            None => None,
        };
        Ok(Import { path, alias })
    }

    fn rule(&self, p: Pair<'_, Rule>) -> Res<Rule_> {
        let span = self.span(&p);
        let mut k = self.kids(p);
        let inner = k.next_any()?;
        match inner.as_rule() {
            Rule::default_rule => {
                let mut k = self.kids(inner);
                k.next(Rule::kw_default)?;
                let name = self.name(&k.next(Rule::ident)?);
                k.next(Rule::assign_op)?;
                let value = self.expr(k.next(Rule::expr)?)?;
                Ok(Node::new(
                    RuleKind {
                        name,
                        head: Head::Default(value),
                        body: None,
                    },
                    span,
                ))
            }
            Rule::rule_def => self.rule_def(inner, span),
            other => Err(internal(span, &format!("unexpected {other:?}"))),
        }
    }

    fn rule_def(&self, p: Pair<'_, Rule>, span: Span) -> Res<Rule_> {
        let mut k = self.kids(p);
        let head = k.next_any()?;
        let head_rule = head.as_rule();
        let mut hk = self.kids(head);
        let name = self.name(&hk.next(Rule::ident)?);
        let head = match head_rule {
            Rule::set_head => {
                hk.next(Rule::kw_contains)?;
                Head::Contains(self.expr(hk.next(Rule::expr)?)?)
            }
            Rule::obj_head => {
                let key = self.expr(hk.next(Rule::expr)?)?;
                hk.next(Rule::assign_op)?;
                Head::Object(key, self.expr(hk.next(Rule::expr)?)?)
            }
            Rule::func_head => {
                let params = self
                    .kids(hk.next(Rule::params)?)
                    .rest()
                    .map(|p| self.name(&p))
                    .collect();
                let value = match hk.opt(Rule::assign_op) {
                    Some(_) => Some(self.expr(hk.next(Rule::expr)?)?),
                    None => None,
                };
                Head::Function(params, value)
            }
            Rule::value_head => match hk.opt(Rule::assign_op) {
                Some(_) => Head::Value(Some(self.expr(hk.next(Rule::expr)?)?)),
                None => Head::Value(None),
            },
            other => return Err(internal(span, &format!("unexpected head {other:?}"))),
        };
        let body = match k.opt(Rule::kw_if) {
            Some(_) => Some(self.body(k.next(Rule::body)?)?),
            None => None,
        };
        if body.is_none() && matches!(head, Head::Value(None) | Head::Function(_, None)) {
            self.report(
                Diagnostic::error(
                    "syntax::empty-rule",
                    name.span,
                    format!("rule `{}` has neither a value nor a body", name.kind),
                )
                .with_help(format!(
                    "write `{0} := value` or `{0} if {{ ... }}`",
                    name.kind
                )),
            );
        }
        Ok(Node::new(RuleKind { name, head, body }, span))
    }

    pub(super) fn body(&self, p: Pair<'_, Rule>) -> Res<Body> {
        let mut previous: Option<Span> = None;
        self.kids(p)
            .rest()
            .map(|l| {
                let span = self.span(&l);
                if let Some(previous) = previous {
                    self.check_separated(previous, span, true);
                }
                previous = Some(span);
                self.literal(l)
            })
            .collect()
    }

    /// Two items the grammar lets whitespace alone separate must be on different lines
    /// (literals may also be separated by `;`): `x "a"` is two literals to pest, but
    /// almost always a missing `==`, and `x := 0x10` a rule `x := 0` and a rule `x10`.
    fn check_separated(&self, previous: Span, next: Span, literals: bool) {
        let between = self
            .text
            .get(previous.end as usize..next.start as usize)
            .unwrap_or("\n");
        if between.contains('\n') || (literals && between.contains(';')) {
            return;
        }
        let (what, help) = if literals {
            (
                "two literals on one line",
                "put each literal on its own line or separate them with `;` (or is an operator such as `==` missing?)",
            )
        } else {
            (
                "two top-level items on one line",
                "put each rule, import and package on its own line (or is an operator missing?)",
            )
        };
        self.report(
            Diagnostic::error(
                "syntax::missing-separator",
                next,
                format!(
                    "{what}: `{}` follows `{}`",
                    snippet(self.text, next),
                    snippet(self.text, previous)
                ),
            )
            .with_help(help),
        );
    }

    fn literal(&self, p: Pair<'_, Rule>) -> Res<Literal> {
        let span = self.span(&p);
        let mut k = self.kids(p);
        let inner = k.next_any()?;
        let rule = inner.as_rule();
        let mut k = self.kids(inner);
        let kind = match rule {
            Rule::some_in | Rule::every_lit => {
                k.next_any()?; // `some` / `every`
                let first = self.name(&k.next(Rule::ident)?);
                let second = k.opt(Rule::ident).map(|p| self.name(&p));
                k.next(Rule::kw_in)?;
                let coll = self.expr(k.next(Rule::expr)?)?;
                let (key, value) = match second {
                    Some(v) => (Some(first), v),
                    None => (None, first),
                };
                if rule == Rule::some_in {
                    LiteralKind::SomeIn(key, value, coll)
                } else {
                    LiteralKind::Every(key, value, coll, self.body(k.next(Rule::body)?)?)
                }
            }
            Rule::some_decl => {
                k.next(Rule::kw_some)?;
                LiteralKind::SomeDecl(k.rest().map(|p| self.name(&p)).collect())
            }
            Rule::not_lit | Rule::expr_lit => {
                let negated = k.opt(Rule::kw_not).is_some();
                let expr = self.expr(k.next(Rule::expr)?)?;
                let assign = match k.peek_rule() {
                    Some(Rule::assign_op) | Some(Rule::unify_op) => {
                        let op = k.next_any()?;
                        let op = if op.as_rule() == Rule::assign_op {
                            AssignOp::Assign
                        } else {
                            AssignOp::Unify
                        };
                        Some((op, self.expr(k.next(Rule::expr)?)?))
                    }
                    _ => None,
                };
                let withs = k
                    .rest()
                    .map(|w| self.with_mod(w))
                    .collect::<Res<Vec<_>>>()?;
                LiteralKind::Expr(ExprLit {
                    negated,
                    expr,
                    assign,
                    withs,
                })
            }
            other => return Err(internal(span, &format!("unexpected literal {other:?}"))),
        };
        Ok(Node::new(kind, span))
    }

    fn with_mod(&self, p: Pair<'_, Rule>) -> Res<With> {
        let mut k = self.kids(p);
        k.next(Rule::kw_with)?;
        let target = self.expr(k.next(Rule::expr)?)?;
        k.next(Rule::kw_as)?;
        let value = self.expr(k.next(Rule::expr)?)?;
        Ok(With { target, value })
    }
}

/// Alias: `Rule` is pest's rule enum in this module; the AST rule node is `Rule_`.
type Rule_ = super::ast::Rule;

fn path_segments(p: &Pair<'_, Rule>) -> Vec<String> {
    p.as_str()
        .split('.')
        .map(|s| s.trim().to_string())
        .collect()
}

/// An item's text for a message: its first line, shortened.
fn snippet(text: &str, span: Span) -> String {
    let t = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let line = t.lines().next().unwrap_or("");
    match line.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None if line.len() < t.len() => format!("{line}…"),
        None => line.to_string(),
    }
}
