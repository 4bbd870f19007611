//! The pretty printer behind [`super::format_source`]: AST + comments → text.

use crate::lang::syntax::ast::*;
use crate::lang::syntax::trivia::Comment;
use std::fmt::Write as _;

const INDENT: &str = "    ";
const WIDTH: usize = 80;

pub(super) struct Printer<'t> {
    text: &'t str,
    comments: Vec<Comment>,
    next: usize,
    out: String,
}

impl<'t> Printer<'t> {
    pub(super) fn new(text: &'t str, comments: Vec<Comment>) -> Self {
        Printer {
            text,
            comments,
            next: 0,
            out: String::new(),
        }
    }

    /// Emits, as whole lines at `depth`, every comment that starts before `offset`.
    fn comments_before(&mut self, offset: u32, depth: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= offset as usize {
                break;
            }
            let _ = writeln!(self.out, "{}#{}", INDENT.repeat(depth), c.text);
            self.next += 1;
        }
    }

    /// Appends an end-of-line comment that sits on the same source line as `end`.
    fn trailing(&mut self, end: u32) {
        if let Some(c) = self.comments.get(self.next) {
            let gap = self.text.get(end as usize..c.start).unwrap_or("\n");
            if !c.own_line && !gap.contains('\n') {
                let _ = write!(self.out, "  #{}", c.text);
                self.next += 1;
            }
        }
    }

    pub(super) fn module(mut self, m: &Module) -> String {
        self.comments_before(m.package.span.start, 0);
        let _ = write!(self.out, "package {}", m.package.kind.join("."));
        self.trailing(m.package.span.end);
        self.out.push('\n');
        if !m.imports.is_empty() {
            self.out.push('\n');
        }
        for imp in &m.imports {
            self.comments_before(imp.path.span.start, 0);
            let _ = write!(self.out, "import {}", imp.path.kind.join("."));
            let mut end = imp.path.span.end;
            if let Some(a) = &imp.alias {
                let _ = write!(self.out, " as {}", a.kind);
                end = a.span.end;
            }
            self.trailing(end);
            self.out.push('\n');
        }
        for r in &m.rules {
            self.out.push('\n');
            self.rule(r);
        }
        let rest = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        if self.comments.get(self.next).is_some() {
            self.out.push('\n');
        }
        self.comments_before(rest.saturating_add(1), 0);
        self.out
    }

    fn rule(&mut self, r: &Rule) {
        let metadata = self.comments[self.next.min(self.comments.len())..]
            .iter()
            .take_while(|c| c.start < r.span.start as usize)
            .any(|c| c.own_line && c.text.trim() == "METADATA");
        self.comments_before(r.span.start, 0);
        let k = &r.kind;
        // Comments inside the head of a rule without a body (in a list, an object, the
        // parameters) have no place in the one-line head: they go above the rule, where
        // they stay its own, not below it, where they would read as the next rule's. A
        // body takes them as its first lines instead; so does the next rule when a
        // metadata block stands above (a comment there would join the block).
        if k.body.is_none() && !metadata {
            self.comments_before(head_end(r), 0);
        }
        let name = &k.name.kind;
        let head = match &k.head {
            Head::Default(v) => format!("default {name} := {}", expr(v, 0)),
            Head::Value(Some(v)) => format!("{name} := {}", expr(v, 0)),
            Head::Value(None) => name.clone(),
            Head::Contains(e) => format!("{name} contains {}", expr(e, 0)),
            Head::Object(key, v) => format!("{name}[{}] := {}", expr(key, 0), expr(v, 0)),
            Head::Function(ps, v) => {
                let ps: Vec<&str> = ps.iter().map(|p| p.kind.as_str()).collect();
                match v {
                    Some(v) => format!("{name}({}) := {}", ps.join(", "), expr(v, 0)),
                    None => format!("{name}({})", ps.join(", ")),
                }
            }
        };
        self.out.push_str(&head);
        match &k.body {
            None => {
                self.trailing(r.span.end);
                self.out.push('\n');
            }
            Some(body) => {
                self.out.push_str(" if");
                self.body(body, r.span.end, 0);
                self.trailing(r.span.end);
                self.out.push('\n');
            }
        }
    }

    /// ` {`, the literals one per line at `depth + 1`, `}` (no newline after).
    fn body(&mut self, body: &[Literal], end: u32, depth: usize) {
        let inner_comments = self
            .comments
            .get(self.next)
            .is_some_and(|c| c.start < end as usize);
        if body.is_empty() && !inner_comments {
            self.out.push_str(" {}");
            return;
        }
        self.out.push_str(" {");
        self.out.push('\n');
        for (i, l) in body.iter().enumerate() {
            // As for a rule's head: comments inside a literal go above it; an `every`
            // places those of its body itself.
            let hoist_to = match &l.kind {
                LiteralKind::Every(..) => l.span.start,
                _ => l.span.end,
            };
            self.comments_before(hoist_to, depth + 1);
            self.out.push_str(&INDENT.repeat(depth + 1));
            self.literal(l, depth + 1, i > 0);
            self.trailing(l.span.end);
            self.out.push('\n');
        }
        self.comments_before(end, depth + 1);
        self.out.push_str(&INDENT.repeat(depth));
        self.out.push('}');
    }

    fn literal(&mut self, l: &Literal, depth: usize, guard: bool) {
        match &l.kind {
            LiteralKind::Every(k, v, coll, body) => {
                let _ = write!(self.out, "every {} in {}", vars(k, v), expr(coll, depth));
                self.body(body, l.span.end, depth);
            }
            other => self.out.push_str(&literal_text(other, depth, guard)),
        }
    }
}

/// Where a rule's head ends: its value's (or last parameter's) end, or its name's.
fn head_end(r: &Rule) -> u32 {
    let k = &r.kind;
    let end = match &k.head {
        Head::Default(v) | Head::Value(Some(v)) | Head::Contains(v) | Head::Object(_, v) => {
            Some(v.span.end)
        }
        Head::Function(ps, v) => v
            .as_ref()
            .map(|v| v.span.end)
            .or_else(|| ps.last().map(|p| p.span.end)),
        Head::Value(None) => None,
    };
    end.unwrap_or(k.name.span.end)
}

fn vars(k: &Option<Name>, v: &Name) -> String {
    match k {
        Some(k) => format!("{}, {}", k.kind, v.kind),
        None => v.kind.clone(),
    }
}

/// A literal on one line. `guard`: wrap a leading `-` in parentheses so the line is
/// not read as continuing the previous one (`x := 1` / `-1 < x`).
fn literal_text(l: &LiteralKind, depth: usize, guard: bool) -> String {
    match l {
        LiteralKind::SomeIn(k, v, coll) => format!("some {} in {}", vars(k, v), expr(coll, depth)),
        LiteralKind::SomeDecl(ns) => {
            format!(
                "some {}",
                ns.iter()
                    .map(|n| n.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        LiteralKind::Every(k, v, coll, body) => {
            let lits: Vec<String> = body
                .iter()
                .map(|l| literal_text(&l.kind, depth, true))
                .collect();
            format!(
                "every {} in {} {{ {} }}",
                vars(k, v),
                expr(coll, depth),
                lits.join("; ")
            )
        }
        LiteralKind::Expr(e) => {
            let mut s = String::new();
            if e.negated {
                s.push_str("not ");
            }
            let lhs = expr(&e.expr, depth);
            if guard && !e.negated && lhs.starts_with('-') {
                let _ = write!(s, "({lhs})");
            } else {
                s.push_str(&lhs);
            }
            if let Some((op, rhs)) = &e.assign {
                let op = if *op == AssignOp::Assign { ":=" } else { "=" };
                let _ = write!(s, " {op} {}", expr(rhs, depth));
            }
            for w in &e.withs {
                let _ = write!(
                    s,
                    " with {} as {}",
                    expr(&w.target, depth),
                    expr(&w.value, depth)
                );
            }
            s
        }
    }
}

fn needs_parens_as_postfix_base(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary(..) | ExprKind::Neg(_) => true,
        ExprKind::Number(n) => *n < 0.0 || (*n == 0.0 && n.is_sign_negative()),
        _ => false,
    }
}

fn postfix_base(e: &Expr, depth: usize) -> String {
    let s = expr(e, depth);
    if needs_parens_as_postfix_base(e) {
        format!("({s})")
    } else {
        s
    }
}

fn list(items: &[Expr], depth: usize) -> String {
    items
        .iter()
        .map(|x| expr(x, depth))
        .collect::<Vec<_>>()
        .join(", ")
}

fn comp_body(body: &[Literal], depth: usize) -> String {
    body.iter()
        .map(|l| literal_text(&l.kind, depth, true))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An expression, on one line unless it holds a wide object.
pub(super) fn expr(e: &Expr, depth: usize) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => number(*n),
        ExprKind::String(s) => quote(s, false),
        ExprKind::Interp(parts) => {
            let mut s = String::from("f\"");
            for p in parts {
                match p {
                    InterpPart::Text(t) => s.push_str(&quote(t, true)),
                    InterpPart::Hole(h) => {
                        let _ = write!(s, "{{{}}}", expr(h, depth));
                    }
                }
            }
            s.push('"');
            s
        }
        ExprKind::Var(n) => n.clone(),
        ExprKind::Dot(b, f) => format!("{}.{f}", postfix_base(b, depth)),
        ExprKind::Index(b, i) => format!("{}[{}]", postfix_base(b, depth), expr(i, depth)),
        ExprKind::Call(f, args) => format!("{}({})", postfix_base(f, depth), list(args, depth)),
        ExprKind::Array(xs) => format!("[{}]", list(xs, depth)),
        ExprKind::Set(xs) => format!("{{{}}}", list(xs, depth)),
        ExprKind::Object(kv) => object(kv, depth),
        ExprKind::ArrayComp(t, b) => format!("[{} | {}]", expr(t, depth), comp_body(b, depth)),
        ExprKind::SetComp(t, b) => format!("{{{} | {}}}", expr(t, depth), comp_body(b, depth)),
        ExprKind::ObjectComp(k, v, b) => format!(
            "{{{}: {} | {}}}",
            expr(k, depth),
            expr(v, depth),
            comp_body(b, depth)
        ),
        ExprKind::Neg(x) => match &x.kind {
            ExprKind::Binary(..) | ExprKind::Neg(_) | ExprKind::Number(_) => {
                format!("-({})", expr(x, depth))
            }
            _ => format!("-{}", expr(x, depth)),
        },
        ExprKind::Binary(op, l, r) => {
            let p = op.precedence();
            let side = |x: &Expr, strict: bool| {
                let s = expr(x, depth);
                match &x.kind {
                    ExprKind::Binary(o, ..)
                        if o.precedence() < p || (strict && o.precedence() == p) =>
                    {
                        format!("({s})")
                    }
                    _ => s,
                }
            };
            format!("{} {} {}", side(l, false), op.symbol(), side(r, true))
        }
    }
}

fn object(kv: &[(Expr, Expr)], depth: usize) -> String {
    if kv.is_empty() {
        return "{}".into();
    }
    let flat: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("{}: {}", expr(k, depth), expr(v, depth)))
        .collect();
    let one = format!("{{{}}}", flat.join(", "));
    if kv.len() < 2 || one.len() + depth * INDENT.len() <= WIDTH {
        return one;
    }
    let pad = INDENT.repeat(depth + 1);
    let mut s = String::from("{\n");
    for (k, v) in kv {
        let _ = writeln!(s, "{pad}{}: {},", expr(k, depth + 1), expr(v, depth + 1));
    }
    s.push_str(&INDENT.repeat(depth));
    s.push('}');
    s
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A string literal with the escapes the grammar reads back (`interp`: also `{` `}`).
fn quote(s: &str, interp: bool) -> String {
    let mut out = String::new();
    if !interp {
        out.push('"');
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' if interp => out.push_str("\\{"),
            '}' if interp => out.push_str("\\}"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    if !interp {
        out.push('"');
    }
    out
}
