//! Which fields of `input` a program reads. The caller converts only those into rule
//! values: a fact document's identity policies and SCPs are most of its size, and the
//! bundled rules read only the request and the bucket's account (they reach the
//! policies through `s3.decide`).

use std::collections::BTreeSet;

use super::ir::{CRule, Expr, ExprKind, Lit, LitKind, WithTarget};
use crate::lang::value::Value;

/// The top-level fields of `input` that `rules` read (`input.request`, `input["bucket"]`),
/// or `None` when some rule reads `input` as a whole, by a computed key, or replaces
/// part of it with `with`: then the whole input is needed.
pub fn input_fields(rules: &[CRule]) -> Option<BTreeSet<String>> {
    let mut reads = Reads::default();
    for rule in rules {
        for def in &rule.defs {
            reads.lits(&def.body);
            def.key.iter().chain(&def.value).for_each(|e| reads.expr(e));
        }
        rule.default.iter().for_each(|e| reads.expr(e));
    }
    (!reads.whole).then_some(reads.fields)
}

#[derive(Default)]
struct Reads {
    fields: BTreeSet<String>,
    whole: bool,
}

impl Reads {
    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Index(base, key) if matches!(base.kind, ExprKind::Input) => match &key.kind {
                ExprKind::Const(Value::String(field)) => {
                    self.fields.insert(field.to_string());
                }
                _ => {
                    self.whole = true;
                    self.expr(key);
                }
            },
            ExprKind::Input => self.whole = true,
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::Rule(_) => {}
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Gen(a, _) | ExprKind::Neg(a) => self.expr(a),
            ExprKind::Call(_, xs)
            | ExprKind::Array(xs)
            | ExprKind::Set(xs)
            | ExprKind::Interp(xs) => xs.iter().for_each(|x| self.expr(x)),
            ExprKind::Object(kv) => kv.iter().for_each(|(k, v)| {
                self.expr(k);
                self.expr(v);
            }),
            ExprKind::ArrayComp(t, body) | ExprKind::SetComp(t, body) => {
                self.expr(t);
                self.lits(body);
            }
            ExprKind::ObjectComp(k, v, body) => {
                self.expr(k);
                self.expr(v);
                self.lits(body);
            }
        }
    }

    fn lits(&mut self, lits: &[Lit]) {
        for lit in lits {
            match &lit.kind {
                LitKind::Expr(e)
                | LitKind::Not(e)
                | LitKind::Assign(_, e)
                | LitKind::SomeIn(_, _, e) => self.expr(e),
                LitKind::Every(_, _, coll, body) => {
                    self.expr(coll);
                    self.lits(body);
                }
                LitKind::Nothing => {}
            }
            for w in &lit.withs {
                if matches!(w.target, WithTarget::Input(_)) {
                    self.whole = true;
                }
                self.expr(&w.value);
            }
        }
    }
}
