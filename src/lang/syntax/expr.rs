//! pest pairs → expressions: the static Pratt table, postfix chains (`.f`, `[i]`,
//! `(args)`), literals, collections, comprehensions and f-strings. Operator and postfix
//! chains are bounded by [`super::MAX_NESTING`] so later passes can recurse safely.

use super::ast::*;
use super::lower::{internal, Lowerer, Res};
use super::{too_deep, Rule, MAX_NESTING};
use crate::lang::diag::Diagnostic;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_in, Assoc::Left))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_mod, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

fn bin_op(rule: Rule) -> Option<BinOp> {
    Some(match rule {
        Rule::op_in => BinOp::In,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        Rule::op_mod => BinOp::Mod,
        _ => return None,
    })
}

/// Depth of operator/postfix chains (collections and comprehensions count 1: their
/// insides were bounded when they were built, and bracket nesting by the trivia pass).
fn chain_depth(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Binary(_, l, r) => 1 + chain_depth(l).max(chain_depth(r)),
        ExprKind::Neg(x) | ExprKind::Dot(x, _) => 1 + chain_depth(x),
        ExprKind::Index(x, i) => 1 + chain_depth(x).max(chain_depth(i)),
        ExprKind::Call(f, args) => {
            1 + args
                .iter()
                .map(chain_depth)
                .fold(chain_depth(f), usize::max)
        }
        _ => 1,
    }
}

impl Lowerer<'_> {
    /// Bounds chain depth: a too-deep node is reported and replaced by `null`.
    fn bounded(&self, e: Expr) -> Expr {
        if chain_depth(&e) > MAX_NESTING {
            self.report(too_deep(e.span));
            Node::new(ExprKind::Null, e.span)
        } else {
            e
        }
    }

    pub(super) fn expr(&self, p: Pair<'_, Rule>) -> Res<Expr> {
        PRATT
            .map_primary(|p| self.postfix_expr(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).to(rhs.span);
                Ok(match rhs.kind {
                    ExprKind::Number(n) => Node::new(ExprKind::Number(-n), span),
                    kind => self.bounded(Node::new(
                        ExprKind::Neg(Box::new(Node::new(kind, rhs.span))),
                        span,
                    )),
                })
            })
            .map_infix(|l, op, r| {
                let (l, r) = (l?, r?);
                let o = bin_op(op.as_rule())
                    .ok_or_else(|| internal(self.span(&op), "unknown operator"))?;
                let span = l.span.to(r.span);
                Ok(self.bounded(Node::new(
                    ExprKind::Binary(o, Box::new(l), Box::new(r)),
                    span,
                )))
            })
            .parse(p.into_inner())
    }

    fn postfix_expr(&self, p: Pair<'_, Rule>) -> Res<Expr> {
        let mut k = self.kids(p);
        let mut e = self.primary(k.next(Rule::primary)?)?;
        for post in k.rest() {
            let span = e.span.to(self.span(&post));
            let kind = match post.as_rule() {
                Rule::dot_access => {
                    let mut pk = self.kids(post);
                    ExprKind::Dot(Box::new(e), pk.next(Rule::field_name)?.as_str().to_string())
                }
                Rule::index_access => {
                    let mut pk = self.kids(post);
                    ExprKind::Index(Box::new(e), Box::new(self.expr(pk.next(Rule::expr)?)?))
                }
                Rule::call_args => {
                    let args = self
                        .kids(post)
                        .rest()
                        .map(|a| self.expr(a))
                        .collect::<Res<Vec<_>>>()?;
                    ExprKind::Call(Box::new(e), args)
                }
                other => return Err(internal(span, &format!("unexpected postfix {other:?}"))),
            };
            e = self.bounded(Node::new(kind, span));
        }
        Ok(e)
    }

    fn primary(&self, p: Pair<'_, Rule>) -> Res<Expr> {
        let span = self.span(&p);
        let mut k = self.kids(p);
        let inner = k.next_any()?;
        let kind = match inner.as_rule() {
            Rule::kw_null => ExprKind::Null,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::number => match inner.as_str().parse::<f64>() {
                Ok(n) if n.is_finite() => ExprKind::Number(n),
                _ => {
                    self.report(crate::lang::diag::Diagnostic::error(
                        "syntax::number",
                        span,
                        "number out of range",
                    ));
                    ExprKind::Null
                }
            },
            Rule::string => {
                let mut sk = self.kids(inner);
                ExprKind::String(self.unescape_at(&sk.next(Rule::str_inner)?))
            }
            Rule::raw_string => {
                let mut sk = self.kids(inner);
                ExprKind::String(sk.next(Rule::raw_inner)?.as_str().to_string())
            }
            Rule::fstring => ExprKind::Interp(self.fstring(inner)?),
            Rule::ident => ExprKind::Var(inner.as_str().to_string()),
            Rule::paren => {
                let mut pk = self.kids(inner);
                return self.expr(pk.next(Rule::expr)?);
            }
            Rule::bracketed => self.bracketed(inner)?,
            Rule::braced => self.braced(inner)?,
            other => return Err(internal(span, &format!("unexpected primary {other:?}"))),
        };
        Ok(Node::new(kind, span))
    }

    /// A string's text with its escapes decoded; a lone UTF-16 surrogate escape is
    /// reported (`syntax::escape`) and read as U+FFFD.
    fn unescape_at(&self, p: &Pair<'_, Rule>) -> String {
        let (text, bad) = unescape(p.as_str());
        if let Some(bad) = bad {
            self.report(
                Diagnostic::error(
                    "syntax::escape",
                    self.span(p),
                    format!("`{bad}` is half of a UTF-16 surrogate pair"),
                )
                .with_help("write the character itself, or both halves: \\ud83d\\ude00 is 😀"),
            );
        }
        text
    }

    fn fstring(&self, p: Pair<'_, Rule>) -> Res<Vec<InterpPart>> {
        let mut parts = Vec::new();
        for part in self.kids(p).rest() {
            match part.as_rule() {
                Rule::fstr_text => parts.push(InterpPart::Text(self.unescape_at(&part))),
                Rule::fstr_hole => {
                    let mut hk = self.kids(part);
                    parts.push(InterpPart::Hole(self.expr(hk.next(Rule::expr)?)?));
                }
                other => return Err(internal(self.span(&part), &format!("unexpected {other:?}"))),
            }
        }
        Ok(parts)
    }

    fn comp_body(&self, tail: Pair<'_, Rule>) -> Res<Body> {
        let mut tk = self.kids(tail);
        self.body(tk.next(Rule::comp_body)?)
    }

    fn bracketed(&self, p: Pair<'_, Rule>) -> Res<ExprKind> {
        let mut k = self.kids(p);
        let Some(first) = k.opt(Rule::expr) else {
            return Ok(ExprKind::Array(Vec::new()));
        };
        let first = self.expr(first)?;
        let tail = k.next_any()?;
        Ok(match tail.as_rule() {
            Rule::comp_tail => ExprKind::ArrayComp(Box::new(first), self.comp_body(tail)?),
            _ => {
                let mut items = vec![first];
                for e in self.kids(tail).rest() {
                    items.push(self.expr(e)?);
                }
                ExprKind::Array(items)
            }
        })
    }

    fn braced(&self, p: Pair<'_, Rule>) -> Res<ExprKind> {
        let mut k = self.kids(p);
        let Some(first) = k.opt(Rule::expr) else {
            return Ok(ExprKind::Object(Vec::new()));
        };
        let first = self.expr(first)?;
        let after = k.next_any()?;
        let is_obj = after.as_rule() == Rule::obj_after;
        let mut ak = self.kids(after);
        if is_obj {
            let value = self.expr(ak.next(Rule::expr)?)?;
            let rest = ak.next_any()?;
            if rest.as_rule() == Rule::comp_tail {
                return Ok(ExprKind::ObjectComp(
                    Box::new(first),
                    Box::new(value),
                    self.comp_body(rest)?,
                ));
            }
            let mut items = vec![(first, value)];
            for item in self.kids(rest).rest() {
                let mut ik = self.kids(item);
                let key = self.expr(ik.next(Rule::expr)?)?;
                items.push((key, self.expr(ik.next(Rule::expr)?)?));
            }
            return Ok(ExprKind::Object(items));
        }
        let rest = ak.next_any()?;
        if rest.as_rule() == Rule::comp_tail {
            return Ok(ExprKind::SetComp(Box::new(first), self.comp_body(rest)?));
        }
        let mut items = vec![first];
        for e in self.kids(rest).rest() {
            items.push(self.expr(e)?);
        }
        Ok(ExprKind::Set(items))
    }
}

/// Decodes the escapes the grammar admits (`\" \\ \/ \b \f \n \r \t \{ \} \uXXXX`),
/// a character beyond U+FFFF as a surrogate pair (`\ud83d\ude00`) as JSON writes it.
/// Also returns the first lone surrogate escape, which no character is (read as U+FFFD).
pub(super) fn unescape(s: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(s.len());
    let mut lone = None;
    let mut chars = s.chars().peekable();
    let hex4 = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let hex: String = chars.by_ref().take(4).collect();
        u32::from_str_radix(&hex, 16).ok()
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let unit = hex4(&mut chars).unwrap_or(0xfffd);
                let c = if (0xd800..0xdc00).contains(&unit) {
                    // A high surrogate: a low one must follow, as `\uDC00`..`\uDFFF`.
                    let mut ahead = chars.clone();
                    let low = (ahead.next() == Some('\\') && ahead.next() == Some('u'))
                        .then(|| hex4(&mut ahead))
                        .flatten()
                        .filter(|l| (0xdc00..0xe000).contains(l));
                    match low {
                        Some(low) => {
                            chars = ahead;
                            char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                        }
                        None => None,
                    }
                } else {
                    char::from_u32(unit)
                };
                if c.is_none() && lone.is_none() {
                    lone = Some(format!("\\u{unit:04x}"));
                }
                out.push(c.unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    (out, lone)
}
