//! Expression evaluation: one helper per IR variant. Each calls the continuation once
//! per value (references with unbound index variables iterate; undefined calls it
//! never). Type errors carry the span of the offending node.

use super::{entries, set_slot, Ctl, Env, Ev, EvalError, KV, R};
use crate::lang::builtins::BuiltinCtx;
use crate::lang::compile::ir::{Callee, Expr, ExprKind, FieldHint, Lit, RuleId};
use crate::lang::source::Span;
use crate::lang::syntax::ast::BinOp;
use crate::lang::value::{IdKey, Value};
use std::collections::{BTreeMap, BTreeSet};

type KObj<'k> = &'k mut dyn FnMut(&mut Ev<'_>, &mut Env, BTreeMap<Value, Value>) -> R;
type KVs<'k> = &'k mut dyn FnMut(&mut Ev<'_>, &mut Env, Vec<Value>) -> R;

impl Ev<'_> {
    pub(crate) fn expr(&mut self, e: &Expr, env: &mut Env, k: KV<'_>) -> R {
        if !e.iterates() {
            return match self.value(e, env)? {
                Some(v) => k(self, env, v),
                None => Ok(()),
            };
        }
        match &e.kind {
            ExprKind::Const(v) => k(self, env, v.clone()),
            ExprKind::Var(s) => match env.get(s.0 as usize).cloned().flatten() {
                Some(v) => k(self, env, v),
                None => Ok(()),
            },
            ExprKind::Input => {
                let v = self.input.clone();
                k(self, env, v)
            }
            ExprKind::Rule(id) => match self.rule_value(*id, e.span)? {
                Some(v) => k(self, env, v),
                None => Ok(()),
            },
            ExprKind::Index(..) | ExprKind::Gen(..) => self.reference(e, env, k),
            ExprKind::Call(callee, args) => self.all(args, env, &mut |ev, env, vals| match ev
                .call(*callee, args, vals, e.span)?
            {
                Some(v) => k(ev, env, v),
                None => Ok(()),
            }),
            ExprKind::Binary(op, l, r) => self.expr(l, env, &mut |ev, env, lv| {
                ev.expr(r, env, &mut |ev, env, rv| match binary(
                    *op, &lv, &rv, e.span, l.span, r.span,
                )? {
                    Some(v) => k(ev, env, v),
                    None => Ok(()),
                })
            }),
            ExprKind::Neg(x) => self.expr(x, env, &mut |ev, env, v| match v {
                Value::Number(n) => k(ev, env, Value::num(-n.get())),
                other => Err(type_error(
                    x.span,
                    format!("`-` needs a number, got {}", other.type_name()),
                )
                .into()),
            }),
            ExprKind::Array(..)
            | ExprKind::Set(..)
            | ExprKind::Object(..)
            | ExprKind::Interp(..) => self.collection(e, env, k),
            ExprKind::ArrayComp(..) | ExprKind::SetComp(..) => self.comprehension(e, env, k),
            ExprKind::ObjectComp(kx, vx, body) => self.object_comp(kx, vx, body, env, e.span, k),
        }
    }

    /// The value of an expression that has at most one (`!e.iterates()`; `None`:
    /// undefined), computed directly rather than through a continuation. A path of
    /// constant or bound keys below a variable, `input` or a constant is followed by
    /// reference, so only what it reaches is cloned, and a comparison of two such paths
    /// clones nothing. The same values, errors and order of evaluation as [`Ev::expr`].
    pub(crate) fn value(&mut self, e: &Expr, env: &mut Env) -> Result<Option<Value>, Ctl> {
        match &e.kind {
            ExprKind::Const(v) => Ok(Some(v.clone())),
            ExprKind::Var(s) => Ok(env.get(s.0 as usize).cloned().flatten()),
            ExprKind::Input => Ok(Some(self.input.clone())),
            ExprKind::Rule(id) => self.rule_value(*id, e.span),
            ExprKind::Index(b, i, hint) => {
                if let Some(found) = borrowed(e, env, &self.input) {
                    return Ok(found.cloned());
                }
                let Some(bv) = self.value(b, env)? else {
                    return Ok(None);
                };
                let Some(iv) = self.value(i, env)? else {
                    return Ok(None);
                };
                Ok(index(&bv, &iv, hint).cloned())
            }
            ExprKind::Call(callee, args) => match self.values(args, env)? {
                Some(vals) => self.call(*callee, args, vals, e.span),
                None => Ok(None),
            },
            ExprKind::Binary(op, l, r) => {
                if let (Some(lv), Some(rv)) =
                    (borrowed(l, env, &self.input), borrowed(r, env, &self.input))
                {
                    return match (lv, rv) {
                        (Some(lv), Some(rv)) => binary(*op, lv, rv, e.span, l.span, r.span),
                        _ => Ok(None),
                    };
                }
                let Some(lv) = self.value(l, env)? else {
                    return Ok(None);
                };
                let Some(rv) = self.value(r, env)? else {
                    return Ok(None);
                };
                binary(*op, &lv, &rv, e.span, l.span, r.span)
            }
            ExprKind::Neg(x) => match self.value(x, env)? {
                Some(Value::Number(n)) => Ok(Some(Value::num(-n.get()))),
                Some(other) => Err(type_error(
                    x.span,
                    format!("`-` needs a number, got {}", other.type_name()),
                )
                .into()),
                None => Ok(None),
            },
            ExprKind::Array(xs) => Ok(self.values(xs, env)?.map(Value::array)),
            ExprKind::Set(xs) => Ok(self.values(xs, env)?.map(Value::set_of)),
            ExprKind::Interp(parts) => Ok(self
                .values(parts, env)?
                .map(|vs| Value::str(&Value::join_texts(&vs)))),
            ExprKind::Object(kvs) => {
                let mut m = BTreeMap::new();
                for (kx, vx) in kvs {
                    let Some(key) = self.value(kx, env)? else {
                        return Ok(None);
                    };
                    let Some(v) = self.value(vx, env)? else {
                        return Ok(None);
                    };
                    m.insert(key, v);
                }
                Ok(Some(Value::object(m)))
            }
            ExprKind::ArrayComp(..) | ExprKind::SetComp(..) => {
                let mut out = None;
                self.comprehension(e, env, &mut |_, _, v| {
                    out = Some(v);
                    Ok(())
                })?;
                Ok(out)
            }
            ExprKind::ObjectComp(kx, vx, body) => {
                let mut out = None;
                self.object_comp(kx, vx, body, env, e.span, &mut |_, _, v| {
                    out = Some(v);
                    Ok(())
                })?;
                Ok(out)
            }
            // Iterates: never here (the caller checked), but answer as `first` does
            // (through continuations: `first` of an iterating expression is not `value`).
            ExprKind::Gen(..) => self.first(e, env),
        }
    }

    /// The values of `xs` in order, each computed directly; `None` when one is undefined
    /// (the rest are then not evaluated).
    fn values(&mut self, xs: &[Expr], env: &mut Env) -> Result<Option<Vec<Value>>, Ctl> {
        let mut out = Vec::with_capacity(xs.len());
        for x in xs {
            match self.value(x, env)? {
                Some(v) => out.push(v),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// `base[key]`, and `base[x]` with `x` unbound (iterates, binding `x`).
    fn reference(&mut self, e: &Expr, env: &mut Env, k: KV<'_>) -> R {
        match &e.kind {
            ExprKind::Index(b, i, hint) => self.expr(b, env, &mut |ev, env, bv| {
                ev.expr(i, env, &mut |ev, env, iv| match index(&bv, &iv, hint) {
                    Some(v) => k(ev, env, v.clone()),
                    None => Ok(()),
                })
            }),
            ExprKind::Gen(b, slot) => self.expr(b, env, &mut |ev, env, bv| {
                if let Some(Some(key)) = env.get(slot.0 as usize).cloned() {
                    return match bv.get(&key) {
                        Some(v) => k(ev, env, v),
                        None => Ok(()),
                    };
                }
                for (key, v) in entries(&bv) {
                    ev.step(e.span)?;
                    set_slot(env, slot.0, Some(key));
                    let r = k(ev, env, v);
                    set_slot(env, slot.0, None);
                    r?;
                }
                Ok(())
            }),
            _ => Ok(()),
        }
    }

    /// Array, set, object and interpolated-string constructors.
    fn collection(&mut self, e: &Expr, env: &mut Env, k: KV<'_>) -> R {
        match &e.kind {
            ExprKind::Array(xs) => {
                self.all(xs, env, &mut |ev, env, vs| k(ev, env, Value::array(vs)))
            }
            ExprKind::Set(xs) => {
                self.all(xs, env, &mut |ev, env, vs| k(ev, env, Value::set_of(vs)))
            }
            ExprKind::Object(kvs) => self.pairs(kvs, 0, BTreeMap::new(), env, &mut |ev, env, m| {
                k(ev, env, Value::object(m))
            }),
            ExprKind::Interp(parts) => self.all(parts, env, &mut |ev, env, vs| {
                k(ev, env, Value::str(&Value::join_texts(&vs)))
            }),
            _ => Ok(()),
        }
    }

    /// Cartesian evaluation of an object literal's key/value pairs.
    fn pairs(
        &mut self,
        kvs: &[(Expr, Expr)],
        i: usize,
        acc: BTreeMap<Value, Value>,
        env: &mut Env,
        k: KObj<'_>,
    ) -> R {
        let Some((kx, vx)) = kvs.get(i) else {
            return k(self, env, acc);
        };
        self.expr(kx, env, &mut |ev, env, key| {
            ev.expr(vx, env, &mut |ev, env, v| {
                let mut next = acc.clone();
                next.insert(key.clone(), v);
                ev.pairs(kvs, i + 1, next, env, k)
            })
        })
    }

    /// `[t | body]` and `{t | body}`: always defined, maybe empty.
    fn comprehension(&mut self, e: &Expr, env: &mut Env, k: KV<'_>) -> R {
        let (t, body, is_set) = match &e.kind {
            ExprKind::ArrayComp(t, body) => (t, body, false),
            ExprKind::SetComp(t, body) => (t, body, true),
            _ => return Ok(()),
        };
        let mut out = Vec::new();
        self.enter(e.span)?;
        let r = self.body(body, env, &mut |ev, env| {
            ev.expr(t, env, &mut |_, _, v| {
                out.push(v);
                Ok(())
            })
        });
        self.depth -= 1;
        r?;
        let v = if is_set {
            Value::set_of(out)
        } else {
            Value::array(out)
        };
        k(self, env, v)
    }

    fn object_comp(
        &mut self,
        kx: &Expr,
        vx: &Expr,
        body: &[Lit],
        env: &mut Env,
        span: Span,
        k: KV<'_>,
    ) -> R {
        let mut out: BTreeMap<Value, Value> = BTreeMap::new();
        let mut conflict = None;
        self.enter(span)?;
        let r = self.body(body, env, &mut |ev, env| {
            ev.expr(kx, env, &mut |ev, env, key| {
                ev.expr(vx, env, &mut |_, _, v| {
                    if out.get(&key).is_some_and(|old| *old != v) {
                        conflict = Some(EvalError::new(
                            "eval::conflict",
                            span,
                            format!("object comprehension gives key {key} two values"),
                        ));
                    }
                    out.insert(key.clone(), v);
                    Ok(())
                })
            })
        });
        self.depth -= 1;
        r?;
        if let Some(c) = conflict {
            return Err(c.into());
        }
        k(self, env, Value::object(out))
    }

    /// Cartesian evaluation of a list of expressions.
    /// Every combination of the values of `xs` (each may have several), in order. One
    /// growing vector, copied once per complete combination.
    fn all(&mut self, xs: &[Expr], env: &mut Env, k: KVs<'_>) -> R {
        let mut acc = Vec::with_capacity(xs.len());
        self.all_from(xs, &mut acc, env, k)
    }

    fn all_from(&mut self, xs: &[Expr], acc: &mut Vec<Value>, env: &mut Env, k: KVs<'_>) -> R {
        let Some(x) = xs.get(acc.len()) else {
            return k(self, env, acc.clone());
        };
        self.expr(x, env, &mut |ev, env, v| {
            acc.push(v);
            let r = ev.all_from(xs, acc, env, k);
            acc.pop();
            r
        })
    }

    fn call(
        &mut self,
        callee: Callee,
        arg_exprs: &[Expr],
        args: Vec<Value>,
        span: Span,
    ) -> Result<Option<Value>, Ctl> {
        // `with f as g`: the replacement holds for the whole literal, inside `g` too
        // (so a `g` that calls `f` recurses and ends at the depth budget).
        let callee = self.callee_over.get(&callee).copied().unwrap_or(callee);
        match callee {
            Callee::Function(id) => self.call_function(id, args, span),
            Callee::Builtin(id) => {
                if let Some(v) = self.builtin_over.get(&id) {
                    return Ok(Some(v.clone()));
                }
                let Some(b) = self.prog.registry.get(id) else {
                    return Err(EvalError::new(
                        "eval::internal",
                        span,
                        "internal error: unknown builtin",
                    )
                    .into());
                };
                let ctx = BuiltinCtx { host: self.host };
                (b.func)(&ctx, &args).map_err(|be| {
                    let at = be
                        .arg
                        .and_then(|i| arg_exprs.get(i))
                        .map_or(span, |a| a.span);
                    Ctl::Err(type_error(at, format!("{}: {}", b.name, be.message)).into_inner())
                })
            }
        }
    }

    fn call_function(
        &mut self,
        id: RuleId,
        args: Vec<Value>,
        span: Span,
    ) -> Result<Option<Value>, Ctl> {
        if let Some(v) = self.rule_over.get(&id) {
            return Ok(Some(v.clone()));
        }
        let prog = self.prog;
        let Some(rule) = prog.rules.get(id.0 as usize) else {
            return Err(
                EvalError::new("eval::internal", span, "internal error: unknown function").into(),
            );
        };
        let key = (id, IdKey(args));
        if let Some(v) = self.calls.get(&key) {
            return Ok(v.clone());
        }
        let args = &key.1 .0;
        self.enter(span)?;
        let mut values: BTreeSet<Value> = BTreeSet::new();
        let mut result = Ok(());
        for def in &rule.defs {
            let mut env: Env = vec![None; def.slots];
            for (p, a) in def.params.iter().zip(args) {
                if let Some(s) = p {
                    set_slot(&mut env, s.0, Some(a.clone()));
                }
            }
            result = self.body(&def.body, &mut env, &mut |ev, env| match &def.value {
                Some(e) => ev.expr(e, env, &mut |_, _, v| {
                    values.insert(v);
                    Ok(())
                }),
                None => {
                    values.insert(Value::Bool(true));
                    Ok(())
                }
            });
            if result.is_err() {
                break;
            }
        }
        self.depth -= 1;
        result?;
        if values.len() > 1 {
            let shown: Vec<String> = values.iter().take(3).map(|v| v.to_string()).collect();
            return Err(EvalError::new(
                "eval::conflict",
                span,
                format!(
                    "function `{}` has conflicting results: {}",
                    rule.path,
                    shown.join(", ")
                ),
            )
            .into());
        }
        let v = values.into_iter().next();
        self.calls.insert(key, v.clone());
        Ok(v)
    }
}

/// `base[key]`: an object's field found where `hint` says this lookup found it last, else
/// searched for (and the hint moved there); an array's element; a set's member (the key).
fn index<'a>(base: &'a Value, key: &'a Value, hint: &FieldHint) -> Option<&'a Value> {
    match base {
        Value::Object(o) => {
            let guess = hint.get();
            let (at, v) = o.find_from(key, guess)?;
            // Written only when it moves: the threads share the hint, and a write to
            // its cache line, even of the same value, takes the line from the other core.
            if at != guess {
                hint.set(at);
            }
            Some(v)
        }
        Value::Array(a) => match key {
            Value::Number(n) => n
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| a.get(i)),
            _ => None,
        },
        Value::Set(s) => s.contains(key).then_some(key),
        _ => None,
    }
}

/// `e` by reference when it is a constant, a bound variable, `input`, or a path of
/// constant or bound keys below one of them: `Some(found)` (`found` `None`: undefined);
/// `None` when `e` is anything else (to be computed).
fn borrowed<'a>(e: &'a Expr, env: &'a Env, input: &'a Value) -> Option<Option<&'a Value>> {
    match &e.kind {
        ExprKind::Const(v) => Some(Some(v)),
        ExprKind::Var(s) => Some(env.get(s.0 as usize).and_then(Option::as_ref)),
        ExprKind::Input => Some(Some(input)),
        ExprKind::Index(b, i, hint) => {
            let base = borrowed(b, env, input)?;
            let key = match &i.kind {
                ExprKind::Const(k) => Some(k),
                ExprKind::Var(s) => env.get(s.0 as usize).and_then(Option::as_ref),
                _ => return None,
            };
            Some(base.zip(key).and_then(|(b, k)| index(b, k, hint)))
        }
        _ => None,
    }
}

struct TypeError(EvalError);

impl TypeError {
    fn into_inner(self) -> EvalError {
        self.0
    }
}

impl From<TypeError> for Ctl {
    fn from(t: TypeError) -> Self {
        Ctl::Err(t.0)
    }
}

fn type_error(span: Span, msg: String) -> TypeError {
    TypeError(EvalError::new("eval::type", span, msg))
}

fn binary(
    op: BinOp,
    l: &Value,
    r: &Value,
    span: Span,
    ls: Span,
    rs: Span,
) -> Result<Option<Value>, Ctl> {
    let b = |x: bool| Ok(Some(Value::Bool(x)));
    match op {
        BinOp::Eq => b(l == r),
        BinOp::Ne => b(l != r),
        BinOp::Lt => b(l < r),
        BinOp::Le => b(l <= r),
        BinOp::Gt => b(l > r),
        BinOp::Ge => b(l >= r),
        BinOp::In => b(match r {
            Value::Array(a) => a.contains(l),
            Value::Set(s) => s.contains(l),
            Value::Object(o) => o.values().any(|v| v == l),
            _ => false,
        }),
        _ => arith(op, l, r, span, ls, rs),
    }
}

fn arith(
    op: BinOp,
    l: &Value,
    r: &Value,
    span: Span,
    ls: Span,
    rs: Span,
) -> Result<Option<Value>, Ctl> {
    if let (BinOp::Sub, Value::Set(a), Value::Set(b)) = (op, l, r) {
        return Ok(Some(Value::from_set(a.difference(b))));
    }
    // A set on the left of `-` is a set difference: the right side is what is wrong.
    if let (BinOp::Sub, Value::Set(_), other) = (op, l, r) {
        return Err(type_error(
            rs,
            format!("`-` of a set needs a set, got {}", other.type_name()),
        )
        .into());
    }
    let (x, y) = match (l, r) {
        (Value::Number(x), Value::Number(y)) => (x.get(), y.get()),
        (Value::Number(_), other) => {
            return Err(type_error(
                rs,
                format!("`{}` needs numbers, got {}", op.symbol(), other.type_name()),
            )
            .into())
        }
        (other, _) => {
            return Err(type_error(
                ls,
                format!("`{}` needs numbers, got {}", op.symbol(), other.type_name()),
            )
            .into())
        }
    };
    let out = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div | BinOp::Mod if y == 0.0 => {
            return Err(EvalError::new("eval::arith", span, "division by zero").into())
        }
        BinOp::Div => x / y,
        BinOp::Mod if x.fract() != 0.0 || y.fract() != 0.0 => {
            return Err(type_error(span, "`%` needs integers".into()).into())
        }
        BinOp::Mod => x % y,
        _ => {
            return Err(EvalError::new(
                "eval::internal",
                span,
                "internal error: not an arithmetic operator",
            )
            .into())
        }
    };
    if !out.is_finite() {
        return Err(EvalError::new("eval::arith", span, "number out of range").into());
    }
    Ok(Some(Value::num(out)))
}
