//! A compact S-expression dump of the AST (no spans), for snapshot tests and debugging.

use super::ast::*;
use std::fmt::Write as _;

/// Dumps a module, one rule per line group.
pub fn dump_module(m: &Module) -> String {
    let mut out = format!("(package {})\n", m.package.kind.join("."));
    for i in &m.imports {
        let _ = writeln!(
            out,
            "(import {}{})",
            i.path.kind.join("."),
            i.alias
                .as_ref()
                .map(|a| format!(" as {}", a.kind))
                .unwrap_or_default()
        );
    }
    for r in &m.rules {
        let head = match &r.kind.head {
            Head::Default(v) => format!("(default {})", expr(v)),
            Head::Value(v) => format!("(value {})", v.as_ref().map_or("true".into(), expr)),
            Head::Contains(e) => format!("(contains {})", expr(e)),
            Head::Object(k, v) => format!("(object {} {})", expr(k), expr(v)),
            Head::Function(ps, v) => {
                let ps: Vec<&str> = ps.iter().map(|p| p.kind.as_str()).collect();
                format!(
                    "(function ({}) {})",
                    ps.join(" "),
                    v.as_ref().map_or("true".into(), expr)
                )
            }
        };
        let _ = write!(out, "(rule {} {head}", r.kind.name.kind);
        if let Some(b) = &r.kind.body {
            for l in b {
                let _ = write!(out, "\n  {}", literal(l));
            }
        }
        out.push_str(")\n");
    }
    out
}

fn literal(l: &Literal) -> String {
    match &l.kind {
        LiteralKind::SomeIn(k, v, c) => format!(
            "(some-in {}{} {})",
            k.as_ref()
                .map(|k| format!("{} ", k.kind))
                .unwrap_or_default(),
            v.kind,
            expr(c)
        ),
        LiteralKind::SomeDecl(ns) => format!(
            "(some {})",
            ns.iter()
                .map(|n| n.kind.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        LiteralKind::Every(k, v, c, b) => format!(
            "(every {}{} {} {})",
            k.as_ref()
                .map(|k| format!("{} ", k.kind))
                .unwrap_or_default(),
            v.kind,
            expr(c),
            b.iter().map(literal).collect::<Vec<_>>().join(" ")
        ),
        LiteralKind::Expr(e) => {
            let mut s = expr(&e.expr);
            if let Some((op, r)) = &e.assign {
                s = format!(
                    "({} {s} {})",
                    if *op == AssignOp::Assign { ":=" } else { "=" },
                    expr(r)
                );
            }
            if e.negated {
                s = format!("(not {s})");
            }
            for w in &e.withs {
                s = format!("(with {s} {} {})", expr(&w.target), expr(&w.value));
            }
            s
        }
    }
}

fn list(xs: &[Expr]) -> String {
    xs.iter().map(|x| format!(" {}", expr(x))).collect()
}

fn body(b: &[Literal]) -> String {
    b.iter().map(literal).collect::<Vec<_>>().join(" ")
}

/// Dumps one expression.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => format!("{n}"),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Interp(ps) => {
            let parts: Vec<String> = ps
                .iter()
                .map(|p| match p {
                    InterpPart::Text(t) => format!("{t:?}"),
                    InterpPart::Hole(h) => expr(h),
                })
                .collect();
            format!("(interp {})", parts.join(" "))
        }
        ExprKind::Var(v) => v.clone(),
        ExprKind::Dot(b, f) => format!("(. {} {f})", expr(b)),
        ExprKind::Index(b, i) => format!("([] {} {})", expr(b), expr(i)),
        ExprKind::Call(f, a) => format!("(call {}{})", expr(f), list(a)),
        ExprKind::Array(xs) => format!("(array{})", list(xs)),
        ExprKind::Set(xs) => format!("(set{})", list(xs)),
        ExprKind::Object(kv) => format!(
            "(object{})",
            kv.iter()
                .map(|(k, v)| format!(" {}: {}", expr(k), expr(v)))
                .collect::<String>()
        ),
        ExprKind::ArrayComp(t, b) => format!("(array-comp {} | {})", expr(t), body(b)),
        ExprKind::SetComp(t, b) => format!("(set-comp {} | {})", expr(t), body(b)),
        ExprKind::ObjectComp(k, v, b) => {
            format!("(object-comp {}: {} | {})", expr(k), expr(v), body(b))
        }
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol(), expr(l), expr(r)),
        ExprKind::Neg(x) => format!("(neg {})", expr(x)),
    }
}
