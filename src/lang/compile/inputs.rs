//! Which parts of `input` a program reads. The caller converts only those into rule
//! values: a fact document's policies are most of its size, and the bundled rules read
//! only the request and the bucket's account (they reach the policies through
//! `s3.decide`).

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{CRule, Expr, ExprKind, Lit, LitKind, WithTarget};
use crate::lang::value::Value;

/// The parts of an object the rules read: each field read whole (`None`), or only some
/// of its own fields (`input.bucket.account` reads `account` of `bucket`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputReads(pub BTreeMap<String, Option<InputReads>>);

impl InputReads {
    /// The fields read at this level.
    pub fn fields(&self) -> BTreeSet<String> {
        self.0.keys().cloned().collect()
    }

    /// The JSON value `v` with only the parts read: an object keeps the fields read, a
    /// field read whole is kept whole (what converting `v` would look at).
    pub fn keep(&self, v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => serde_json::Value::Object(
                m.iter()
                    .filter_map(|(k, v)| match self.0.get(k.as_str()) {
                        Some(Some(sub)) => Some((k.clone(), sub.keep(v))),
                        Some(None) => Some((k.clone(), v.clone())),
                        None => None,
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The same as [`InputReads::keep`], taking `v`: the parts not read are dropped
    /// there and then, not copied.
    pub fn keep_owned(&self, v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => serde_json::Value::Object(
                m.into_iter()
                    .filter_map(|(k, v)| match self.0.get(k.as_str()) {
                        Some(Some(sub)) => Some((k, sub.keep_owned(v))),
                        Some(None) => Some((k, v)),
                        None => None,
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Records a read of `path` (keys from here) as a whole.
    fn add(&mut self, path: &[&str]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let slot = self
            .0
            .entry((*first).to_string())
            .or_insert_with(|| Some(InputReads::default()));
        match slot {
            // Already read whole: a narrower read adds nothing.
            None => {}
            Some(_) if rest.is_empty() => *slot = None,
            Some(sub) => sub.add(rest),
        }
    }
}

/// The parts of `input` that `rules` read (`input.request`, `input["bucket"].account`),
/// or `None` when some rule reads `input` as a whole, by a computed key, or replaces
/// part of it with `with`: then the whole input is needed. A path read by a computed
/// key below it (`input.request.headers[h]`) is read whole up to that key.
pub fn input_reads(rules: &[CRule]) -> Option<InputReads> {
    let mut reads = Reads::default();
    for rule in rules {
        for def in &rule.defs {
            reads.lits(&def.body);
            def.key.iter().chain(&def.value).for_each(|e| reads.expr(e));
        }
        rule.default.iter().for_each(|e| reads.expr(e));
    }
    (!reads.whole).then_some(reads.paths)
}

#[derive(Default)]
struct Reads {
    paths: InputReads,
    whole: bool,
}

/// `input.a.b.c` (string keys only): `[a, b, c]`.
fn input_path(e: &Expr) -> Option<Vec<&str>> {
    match &e.kind {
        ExprKind::Index(base, key, _) => match &key.kind {
            ExprKind::Const(Value::String(field)) => {
                let mut path = match &base.kind {
                    ExprKind::Input => Vec::new(),
                    _ => input_path(base)?,
                };
                path.push(field);
                Some(path)
            }
            _ => None,
        },
        _ => None,
    }
}

impl Reads {
    fn expr(&mut self, e: &Expr) {
        if let Some(path) = input_path(e) {
            self.paths.add(&path);
            return;
        }
        match &e.kind {
            ExprKind::Input => self.whole = true,
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::Rule(_) => {}
            ExprKind::Index(a, b, _) | ExprKind::Binary(_, a, b) => {
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
