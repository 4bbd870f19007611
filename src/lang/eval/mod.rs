//! The evaluator: Rego semantics by backtracking in continuation-passing style. A body
//! is a conjunction; each literal calls the continuation once per way it holds, binding
//! variables in a slot vector and unbinding on return. Rule values are memoized per
//! evaluation (and per `with` context). Step and call-depth budgets end runaway work
//! with a located error.

mod error;
mod expr;

pub use error::EvalError;

use crate::lang::builtins::BuiltinId;
use crate::lang::compile::ir::{Callee, Expr, GroupKind, Lit, LitKind, RuleId, Slot, WithTarget};
use crate::lang::compile::Compiled;
use crate::lang::source::Span;
use crate::lang::value::{IdKey, Value};
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Budgets for one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    /// Literal evaluations and iteration steps allowed (default 1,000,000).
    pub max_steps: u64,
    /// Nesting allowed (default 64): rule and function evaluations, comprehensions,
    /// `every` bodies and literals that iterate each count one level while they run.
    /// Keeps the evaluator within about 1 MiB of stack even in debug builds.
    pub max_depth: usize,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            max_steps: 1_000_000,
            max_depth: 64,
        }
    }
}

/// Control flow through continuations: stop early (found what we wanted) or fail.
pub(crate) enum Ctl {
    Halt,
    Err(EvalError),
}

impl From<EvalError> for Ctl {
    fn from(e: EvalError) -> Self {
        Ctl::Err(e)
    }
}

pub(crate) type R = Result<(), Ctl>;
pub(crate) type Env = Vec<Option<Value>>;
pub(crate) type K<'k> = &'k mut dyn FnMut(&mut Ev<'_>, &mut Env) -> R;
pub(crate) type KV<'k> = &'k mut dyn FnMut(&mut Ev<'_>, &mut Env, Value) -> R;

/// One evaluation's state.
pub(crate) struct Ev<'p> {
    pub(crate) prog: &'p Compiled,
    pub(crate) host: Option<&'p dyn Any>,
    pub(crate) opts: EvalOptions,
    pub(crate) input: Value,
    pub(crate) rule_over: HashMap<RuleId, Value>,
    pub(crate) builtin_over: HashMap<BuiltinId, Value>,
    pub(crate) callee_over: HashMap<Callee, Callee>,
    /// Rule values by rule index (`None`: not computed yet).
    memo: Vec<Option<Option<Value>>>,
    /// Function results by arguments, like rule values (functions are pure).
    pub(crate) calls: BTreeMap<(RuleId, IdKey), Option<Value>>,
    steps: u64,
    pub(crate) depth: usize,
}

/// Evaluates rule `id` of `prog` against `input`.
pub(crate) fn eval_rule(
    prog: &Compiled,
    id: RuleId,
    input: Value,
    host: Option<&dyn Any>,
    opts: EvalOptions,
    span: Span,
) -> Result<Option<Value>, EvalError> {
    Session::new(prog, input, host, opts).rule(id, span)
}

/// Several rules evaluated against one input: rule values computed for one (helpers
/// shared by many rules, like the verdict) are reused by the next. Each rule gets the
/// whole step budget.
pub(crate) struct Session<'p> {
    ev: Ev<'p>,
}

impl<'p> Session<'p> {
    pub(crate) fn new(
        prog: &'p Compiled,
        input: Value,
        host: Option<&'p dyn Any>,
        opts: EvalOptions,
    ) -> Session<'p> {
        Session {
            ev: Ev {
                prog,
                host,
                opts,
                input,
                rule_over: HashMap::new(),
                builtin_over: HashMap::new(),
                callee_over: HashMap::new(),
                memo: vec![None; prog.rules.len()],
                calls: BTreeMap::new(),
                steps: 0,
                depth: 0,
            },
        }
    }

    /// The value of rule `id` (undefined: `None`).
    pub(crate) fn rule(&mut self, id: RuleId, span: Span) -> Result<Option<Value>, EvalError> {
        self.ev.steps = 0;
        match self.ev.rule_value(id, span) {
            Ok(v) => Ok(v),
            Err(Ctl::Err(e)) => Err(e),
            Err(Ctl::Halt) => Err(EvalError::new(
                "eval::internal",
                span,
                "internal error: stray halt",
            )),
        }
    }
}

fn set_slot(env: &mut Env, slot: u32, v: Option<Value>) {
    if let Some(s) = env.get_mut(slot as usize) {
        *s = v;
    }
}

/// The (key, value) pairs `some`/iteration visit: arrays (index, element), sets
/// (element, element), objects (key, value). Anything else has none. Lazy: a loop that
/// stops early clones only what it visited.
pub(crate) fn entries(v: &Value) -> Entries<'_> {
    match v {
        Value::Array(a) => Entries::Array(a.iter().enumerate()),
        Value::Set(s) => Entries::Set(s.iter()),
        Value::Object(o) => Entries::Object(o.iter()),
        _ => Entries::None,
    }
}

pub(crate) enum Entries<'a> {
    Array(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
    Set(std::slice::Iter<'a, Value>),
    Object(crate::lang::value::ObjectIter<'a>),
    None,
}

impl Iterator for Entries<'_> {
    type Item = (Value, Value);

    fn next(&mut self) -> Option<(Value, Value)> {
        match self {
            Entries::Array(it) => it.next().map(|(i, x)| (Value::num(i as f64), x.clone())),
            Entries::Set(it) => it.next().map(|x| (x.clone(), x.clone())),
            Entries::Object(it) => it.next().map(|(k, x)| (k.clone(), x.clone())),
            Entries::None => None,
        }
    }
}

impl<'p> Ev<'p> {
    pub(crate) fn step(&mut self, span: Span) -> R {
        self.steps += 1;
        if self.steps > self.opts.max_steps {
            return Err(EvalError::new(
                "eval::step-limit",
                span,
                format!("evaluation exceeded {} steps", self.opts.max_steps),
            )
            .into());
        }
        Ok(())
    }

    /// Whether `f` reaches its continuation at least once.
    pub(crate) fn exists(
        &mut self,
        env: &mut Env,
        f: impl FnOnce(&mut Self, &mut Env, K<'_>) -> R,
    ) -> Result<bool, Ctl> {
        let mut halt = |_: &mut Ev<'_>, _: &mut Env| -> R { Err(Ctl::Halt) };
        match f(self, env, &mut halt) {
            Ok(()) => Ok(false),
            Err(Ctl::Halt) => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Runs a body. Single-solution literals run in a loop (their bindings undone at
    /// the end); the first literal that may hold several ways continues the rest of the
    /// body in its continuation.
    pub(crate) fn body(&mut self, lits: &[Lit], env: &mut Env, k: K<'_>) -> R {
        let mut rest = lits;
        let result = loop {
            let Some((first, tail)) = rest.split_first() else {
                break k(self, env);
            };
            if let Err(e) = self.step(first.span) {
                break Err(e);
            }
            if !first.single {
                break self.nested(first, env, &mut |ev, env| ev.body(tail, env, k));
            }
            match self.single_literal(&first.kind, env) {
                Ok(true) => rest = tail,
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        // The literals that held in the loop are those before `rest`: unbind the slots
        // their assignments bound (read off the literals, so no list is allocated: this
        // runs for every body, and was 6% of a record's allocations).
        for lit in &lits[..lits.len() - rest.len()] {
            if let LitKind::Assign(Some(s), _) = &lit.kind {
                set_slot(env, s.0, None);
            }
        }
        result
    }

    /// Evaluates a literal that holds at most one way: whether it holds (an assignment
    /// that holds has bound its slot, which [`Ev::body`] unbinds).
    fn single_literal(&mut self, kind: &LitKind, env: &mut Env) -> Result<bool, Ctl> {
        let holds = |v: Option<Value>| v.is_some_and(|v| v != Value::Bool(false));
        match kind {
            LitKind::Expr(e) => Ok(holds(self.first(e, env)?)),
            LitKind::Assign(slot, e) => match self.first(e, env)? {
                Some(v) => {
                    if let Some(s) = slot {
                        set_slot(env, s.0, Some(v));
                    }
                    Ok(true)
                }
                None => Ok(false),
            },
            other => self.exists(env, |ev, env, halt| ev.literal_kind(other, env, halt)),
        }
    }

    /// A literal that may hold several ways, nesting the continuation; bounded by the
    /// depth budget so that deep nesting is an error, not a stack overflow.
    fn nested(&mut self, lit: &Lit, env: &mut Env, k: K<'_>) -> R {
        self.enter(lit.span)?;
        let r = self.literal(lit, env, k);
        self.depth -= 1;
        r
    }

    fn literal(&mut self, lit: &Lit, env: &mut Env, k: K<'_>) -> R {
        if lit.withs.is_empty() {
            self.literal_kind(&lit.kind, env, k)
        } else {
            self.with_literal(lit, env, k)
        }
    }

    fn literal_kind(&mut self, kind: &LitKind, env: &mut Env, k: K<'_>) -> R {
        match kind {
            LitKind::Nothing => k(self, env),
            LitKind::Expr(e) => self.expr(e, env, &mut |ev, env, v| {
                if v == Value::Bool(false) {
                    Ok(())
                } else {
                    k(ev, env)
                }
            }),
            LitKind::Not(e) => {
                let found = self.exists(env, |ev, env, halt| {
                    ev.expr(e, env, &mut |ev, env, v| {
                        if v == Value::Bool(false) {
                            Ok(())
                        } else {
                            halt(ev, env)
                        }
                    })
                })?;
                if found {
                    Ok(())
                } else {
                    k(self, env)
                }
            }
            LitKind::Assign(slot, e) => self.expr(e, env, &mut |ev, env, v| match slot {
                Some(s) => {
                    set_slot(env, s.0, Some(v));
                    let r = k(ev, env);
                    set_slot(env, s.0, None);
                    r
                }
                None => k(ev, env),
            }),
            LitKind::SomeIn(ks, vs, coll) => self.expr(coll, env, &mut |ev, env, c| {
                for (key, val) in entries(&c) {
                    ev.step(coll.span)?;
                    if let Some(s) = ks {
                        set_slot(env, s.0, Some(key));
                    }
                    set_slot(env, vs.0, Some(val));
                    let r = k(ev, env);
                    ks.iter().for_each(|s| set_slot(env, s.0, None));
                    set_slot(env, vs.0, None);
                    r?;
                }
                Ok(())
            }),
            LitKind::Every(ks, vs, coll, body) => self.expr(coll, env, &mut |ev, env, c| {
                if !matches!(c, Value::Array(_) | Value::Set(_) | Value::Object(_)) {
                    return Ok(());
                }
                ev.enter(coll.span)?;
                let all = ev.every_holds(ks, vs, &c, body, env, coll.span);
                ev.depth -= 1;
                if all? {
                    k(ev, env)
                } else {
                    Ok(())
                }
            }),
        }
    }

    /// Whether `body` holds for every element of `c` (bound to `ks`, `vs`).
    fn every_holds(
        &mut self,
        ks: &Option<Slot>,
        vs: &Slot,
        c: &Value,
        body: &[Lit],
        env: &mut Env,
        span: Span,
    ) -> Result<bool, Ctl> {
        for (key, val) in entries(c) {
            self.step(span)?;
            ks.iter()
                .for_each(|s| set_slot(env, s.0, Some(key.clone())));
            set_slot(env, vs.0, Some(val));
            let holds = self.exists(env, |ev, env, halt| ev.body(body, env, halt));
            ks.iter().for_each(|s| set_slot(env, s.0, None));
            set_slot(env, vs.0, None);
            if !holds? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The first value of `e`, if any.
    pub(crate) fn first(&mut self, e: &Expr, env: &mut Env) -> Result<Option<Value>, Ctl> {
        if !e.iterates() {
            return self.value(e, env);
        }
        let mut out = None;
        let r = self.expr(e, env, &mut |_, _, v| {
            out = Some(v);
            Err(Ctl::Halt)
        });
        match r {
            Ok(()) | Err(Ctl::Halt) => Ok(out),
            Err(e) => Err(e),
        }
    }

    /// `lit with target as value ...`: evaluates the literal under the replacements,
    /// collecting its solutions, then runs the continuation for each solution under the
    /// original context (a `with` applies to its own literal only).
    fn with_literal(&mut self, lit: &Lit, env: &mut Env, k: K<'_>) -> R {
        let mut values = Vec::with_capacity(lit.withs.len());
        for w in &lit.withs {
            if w.function.is_some() {
                values.push(Value::Null);
                continue;
            }
            match self.first(&w.value, env)? {
                Some(v) => values.push(v),
                None => return Ok(()),
            }
        }
        let saved_input = self.input.clone();
        let saved_rules = self.rule_over.clone();
        let saved_builtins = self.builtin_over.clone();
        let saved_callees = self.callee_over.clone();
        let saved_memo = std::mem::replace(&mut self.memo, vec![None; self.prog.rules.len()]);
        let saved_calls = std::mem::take(&mut self.calls);
        for (w, v) in lit.withs.iter().zip(values) {
            if let Some(g) = w.function {
                let f = match &w.target {
                    WithTarget::Rule(id) => Callee::Function(*id),
                    WithTarget::Builtin(id) => Callee::Builtin(*id),
                    WithTarget::Input(_) => continue,
                };
                self.callee_over.insert(f, g);
                continue;
            }
            match &w.target {
                WithTarget::Input(path) => self.input = set_path(&self.input, path, v),
                WithTarget::Rule(id) => {
                    self.rule_over.insert(*id, v);
                }
                WithTarget::Builtin(id) => {
                    self.builtin_over.insert(*id, v);
                }
            }
        }
        let mut solutions: Vec<Env> = Vec::new();
        let r = self.literal_kind(&lit.kind, env, &mut |_, env| {
            solutions.push(env.clone());
            Ok(())
        });
        self.input = saved_input;
        self.rule_over = saved_rules;
        self.builtin_over = saved_builtins;
        self.callee_over = saved_callees;
        self.memo = saved_memo;
        self.calls = saved_calls;
        r?;
        for sol in solutions {
            let before = std::mem::replace(env, sol);
            let r = k(self, env);
            *env = before;
            r?;
        }
        Ok(())
    }

    pub(crate) fn enter(&mut self, span: Span) -> R {
        self.depth += 1;
        if self.depth > self.opts.max_depth {
            self.depth -= 1;
            return Err(EvalError::new(
                "eval::depth-limit",
                span,
                format!(
                    "evaluation nested deeper than {} levels (rules, functions, iterations, comprehensions)",
                    self.opts.max_depth
                ),
            )
            .into());
        }
        Ok(())
    }

    /// The value of a non-function rule (memoized).
    pub(crate) fn rule_value(&mut self, id: RuleId, span: Span) -> Result<Option<Value>, Ctl> {
        if let Some(v) = self.rule_over.get(&id) {
            return Ok(Some(v.clone()));
        }
        if let Some(Some(v)) = self.memo.get(id.0 as usize) {
            return Ok(v.clone());
        }
        let prog = self.prog;
        let Some(rule) = prog.rules.get(id.0 as usize) else {
            return Err(
                EvalError::new("eval::internal", span, "internal error: unknown rule id").into(),
            );
        };
        self.enter(span)?;
        let r = self.compute_rule(rule, span);
        self.depth -= 1;
        let v = r?;
        if let Some(slot) = self.memo.get_mut(id.0 as usize) {
            *slot = Some(v.clone());
        }
        Ok(v)
    }

    fn compute_rule(
        &mut self,
        rule: &'p crate::lang::compile::ir::CRule,
        span: Span,
    ) -> Result<Option<Value>, Ctl> {
        let mut set: BTreeSet<Value> = BTreeSet::new();
        let mut obj: BTreeMap<Value, Value> = BTreeMap::new();
        let kind = rule.kind;
        for def in &rule.defs {
            let mut env: Env = vec![None; def.slots];
            let mut conflict: Option<EvalError> = None;
            self.body(&def.body, &mut env, &mut |ev, env| {
                let Some(key) = def.key.as_ref() else {
                    return match def.value.as_ref() {
                        Some(e) => ev.expr(e, env, &mut |_, _, v| {
                            set.insert(v);
                            Ok(())
                        }),
                        None => {
                            set.insert(Value::Bool(true));
                            Ok(())
                        }
                    };
                };
                ev.expr(key, env, &mut |ev, env, k| {
                    let Some(ve) = def.value.as_ref() else {
                        return Ok(());
                    };
                    ev.expr(ve, env, &mut |_, _, v| {
                        if let Some(old) = obj.get(&k).filter(|old| **old != v) {
                            conflict = Some(EvalError::new(
                                "eval::conflict",
                                def.span,
                                format!(
                                    "object rule `{}` gives key {} two values: {} and {}",
                                    rule.path, k, old, v
                                ),
                            ));
                        }
                        obj.insert(k.clone(), v);
                        Ok(())
                    })
                })
            })?;
            if let Some(c) = conflict {
                return Err(c.into());
            }
        }
        match kind {
            GroupKind::Set => Ok(Some(Value::set(set))),
            GroupKind::Object => Ok(Some(Value::object(obj))),
            GroupKind::Function(_) => Err(EvalError::new(
                "eval::internal",
                span,
                "internal error: function used as a value",
            )
            .into()),
            GroupKind::Complete => self.single(rule, set, span),
        }
    }

    fn single(
        &mut self,
        rule: &crate::lang::compile::ir::CRule,
        values: BTreeSet<Value>,
        span: Span,
    ) -> Result<Option<Value>, Ctl> {
        if values.len() > 1 {
            let shown: Vec<String> = values.iter().take(3).map(|v| v.to_string()).collect();
            return Err(EvalError::new(
                "eval::conflict",
                rule.span,
                format!(
                    "rule `{}` has conflicting values: {}",
                    rule.path,
                    shown.join(", ")
                ),
            )
            .into());
        }
        if let Some(v) = values.into_iter().next() {
            return Ok(Some(v));
        }
        match &rule.default {
            Some(d) => self.first(d, &mut Vec::new()),
            None => {
                let _ = span;
                Ok(None)
            }
        }
    }
}

/// `input` with `path` replaced by `new` (objects created along the way).
fn set_path(base: &Value, path: &[Value], new: Value) -> Value {
    let Some((key, rest)) = path.split_first() else {
        return new;
    };
    match base {
        Value::Array(a) => {
            let idx = match key {
                Value::Number(n) => n
                    .as_i64()
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|i| *i < a.len()),
                _ => None,
            };
            if let Some(i) = idx {
                let mut items = a.as_ref().clone();
                if let Some(slot) = items.get_mut(i) {
                    *slot = set_path(slot, rest, new);
                }
                return Value::array(items);
            }
            let mut m = BTreeMap::new();
            m.insert(key.clone(), set_path(&Value::Null, rest, new));
            Value::object(m)
        }
        _ => {
            let mut m = match base {
                Value::Object(o) => o.to_map(),
                _ => BTreeMap::new(),
            };
            let child = m.get(key).cloned().unwrap_or(Value::Null);
            m.insert(key.clone(), set_path(&child, rest, new));
            Value::object(m)
        }
    }
}
