//! Compiles one rule definition: resolves every name (local variable, `input`, rule,
//! import alias, `data.` path, builtin, function), assigns variable slots, checks
//! safety in literal order (a variable must be bound before it is used; inside `not`
//! only `_` may be free), arity, and records rule dependencies for the cycle check.

use super::ir::{self, Callee, GroupKind, Lit, LitKind, RuleId, Slot};
use crate::lang::builtins::Registry;
use crate::lang::check::RuleTable;
use crate::lang::diag::{suggest, Diagnostic};
use crate::lang::source::Span;
use crate::lang::syntax::ast::{self, AssignOp, ExprKind as A, LiteralKind};
use crate::lang::value::Value;
use std::collections::{HashMap, HashSet};

/// Everything shared by all definitions.
pub struct Globals<'a> {
    /// Builtins.
    pub registry: &'a Registry,
    /// Rules.
    pub table: &'a RuleTable,
}

/// Compilation state of one definition.
pub struct DefCx<'a> {
    g: &'a Globals<'a>,
    package: &'a [String],
    imports: &'a HashMap<String, Vec<String>>,
    scopes: Vec<HashMap<String, Slot>>,
    bound: Vec<bool>,
    binders: HashSet<String>,
    in_not: bool,
    /// Compiling the rule head (unbound names there get a head-specific message).
    pub in_head: bool,
    /// Errors found.
    pub errors: Vec<Diagnostic>,
    /// Rules referenced, with the reference's span.
    pub deps: Vec<(RuleId, Span)>,
}

fn node(kind: ir::ExprKind, span: Span) -> ir::Expr {
    ir::Expr::new(kind, span)
}

fn null(span: Span) -> ir::Expr {
    node(ir::ExprKind::Const(Value::Null), span)
}

impl<'a> DefCx<'a> {
    /// A fresh context for a definition in `package` with the module's `imports`.
    pub fn new(
        g: &'a Globals<'a>,
        package: &'a [String],
        imports: &'a HashMap<String, Vec<String>>,
        body: Option<&ast::Body>,
    ) -> Self {
        let mut binders = HashSet::new();
        if let Some(b) = body {
            collect_binders(b, &mut binders);
        }
        DefCx {
            g,
            package,
            imports,
            scopes: vec![HashMap::new()],
            bound: Vec::new(),
            binders,
            in_not: false,
            in_head: false,
            errors: Vec::new(),
            deps: Vec::new(),
        }
    }

    /// Number of slots used.
    pub fn slots(&self) -> usize {
        self.bound.len()
    }

    fn err(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// A new slot for `name` in the innermost scope (`_` gets an anonymous one).
    pub fn declare(&mut self, name: &str, bound: bool) -> Slot {
        let slot = Slot(u32::try_from(self.bound.len()).unwrap_or(u32::MAX));
        self.bound.push(bound);
        if name != "_" {
            if let Some(s) = self.scopes.last_mut() {
                s.insert(name.to_string(), slot);
            }
        }
        slot
    }

    fn local(&self, name: &str) -> Option<Slot> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn is_bound(&self, s: Slot) -> bool {
        self.bound.get(s.0 as usize).copied().unwrap_or(false)
    }

    fn set_bound(&mut self, s: Slot) {
        if let Some(b) = self.bound.get_mut(s.0 as usize) {
            *b = true;
        }
    }

    /// Runs `f` in a nested scope; bindings made inside do not escape.
    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.bound.clone();
        self.scopes.push(HashMap::new());
        let out = f(self);
        self.scopes.pop();
        let n = self.bound.len();
        self.bound = saved;
        self.bound.resize(n, false);
        out
    }

    /// Compiles a body.
    pub fn body(&mut self, body: &[ast::Literal]) -> Vec<Lit> {
        body.iter().map(|l| self.literal(l)).collect()
    }

    fn literal(&mut self, l: &ast::Literal) -> Lit {
        let span = l.span;
        let (kind, withs) = match &l.kind {
            LiteralKind::SomeDecl(names) => {
                for n in names {
                    self.declare(&n.kind, false);
                }
                (LitKind::Nothing, Vec::new())
            }
            LiteralKind::SomeIn(k, v, coll) => {
                let coll = self.expr(coll);
                let k = k.as_ref().map(|k| self.declare(&k.kind, true));
                (
                    LitKind::SomeIn(k, self.declare(&v.kind, true), coll),
                    Vec::new(),
                )
            }
            LiteralKind::Every(k, v, coll, body) => {
                let coll = self.expr(coll);
                let (k, v, body) = self.scoped(|cx| {
                    let k = k.as_ref().map(|k| cx.declare(&k.kind, true));
                    let v = cx.declare(&v.kind, true);
                    (k, v, cx.body(body))
                });
                (LitKind::Every(k, v, coll, body), Vec::new())
            }
            LiteralKind::Expr(e) => {
                let withs = e.withs.iter().filter_map(|w| self.with(w)).collect();
                (self.expr_lit(e, span), withs)
            }
        };
        let single = withs.is_empty() && kind.single();
        Lit {
            kind,
            withs,
            single,
            span,
        }
    }

    fn expr_lit(&mut self, e: &ast::ExprLit, span: Span) -> LitKind {
        // The grammar gives `not` no `:=`/`=` (a `not_lit` has none), so only the
        // expression matters here.
        if e.negated {
            let was = std::mem::replace(&mut self.in_not, true);
            let inner = self.expr(&e.expr);
            self.in_not = was;
            return LitKind::Not(inner);
        }
        let Some((op, rhs)) = &e.assign else {
            return LitKind::Expr(self.expr(&e.expr));
        };
        let lhs_var = match &e.expr.kind {
            A::Var(n) => Some(n.as_str()),
            _ => None,
        };
        match (op, lhs_var) {
            (AssignOp::Assign, Some(name)) => {
                let value = self.expr(rhs);
                let in_this_scope = self.scopes.last().and_then(|s| s.get(name)).copied();
                if in_this_scope.is_some_and(|s| self.is_bound(s)) {
                    self.err(
                        Diagnostic::error(
                            "check::redeclared",
                            e.expr.span,
                            format!("variable `{name}` is already assigned"),
                        )
                        .with_help("use `==` to compare, or pick a new name"),
                    );
                }
                let slot = (name != "_").then(|| self.declare(name, true));
                LitKind::Assign(slot, value)
            }
            (AssignOp::Assign, None) => {
                self.err(Diagnostic::error(
                    "check::assign-target",
                    e.expr.span,
                    "only a variable name can be assigned with `:=`",
                ));
                LitKind::Nothing
            }
            (AssignOp::Unify, _) => self.unify(&e.expr, rhs, span),
        }
    }

    /// `a = b`: binds whichever side is an unbound plain variable, else compares.
    fn unify(&mut self, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> LitKind {
        for (var_side, other) in [(lhs, rhs), (rhs, lhs)] {
            if let A::Var(n) = &var_side.kind {
                if self.is_free(n) {
                    let value = self.expr(other);
                    let slot = match self.local(n) {
                        Some(s) => {
                            self.set_bound(s);
                            s
                        }
                        None => self.declare(n, true),
                    };
                    return LitKind::Assign(Some(slot), value);
                }
            }
        }
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        LitKind::Expr(node(
            ir::ExprKind::Binary(ast::BinOp::Eq, Box::new(l), Box::new(r)),
            span,
        ))
    }

    /// A name that is not bound and names nothing else (a candidate for binding).
    fn is_free(&self, name: &str) -> bool {
        match self.local(name) {
            Some(s) => !self.is_bound(s),
            None => {
                name != "input"
                    && name != "data"
                    && !self.imports.contains_key(name)
                    && self.g.table.lookup(self.package, name).is_none()
            }
        }
    }

    fn with(&mut self, w: &ast::With) -> Option<ir::With> {
        let target = self.with_target(&w.target)?;
        if let Some(function) = self.with_function(&target, &w.value) {
            let value = null(w.value.span);
            return Some(ir::With {
                target,
                value,
                function: Some(function),
            });
        }
        let value = self.expr(&w.value);
        Some(ir::With {
            target,
            value,
            function: None,
        })
    }

    /// `with f as g` where `f` is a function or builtin and `g` names one too (same
    /// arity): the replacement function.
    fn with_function(&mut self, target: &ir::WithTarget, value: &ast::Expr) -> Option<Callee> {
        let want = match target {
            ir::WithTarget::Rule(id) => match self.kind_of(*id)? {
                GroupKind::Function(n) => n,
                _ => return None,
            },
            ir::WithTarget::Builtin(id) => self.g.registry.get(*id)?.arity,
            ir::WithTarget::Input(_) => return None,
        };
        let segs = value.kind.dotted_name()?;
        if segs.first().is_some_and(|root| self.local(root).is_some()) {
            return None;
        }
        let (callee, arity) = match self
            .resolve_rule_name(&segs)
            .filter(|(_, used)| *used == segs.len())
        {
            Some((id, _)) => match self.kind_of(id)? {
                GroupKind::Function(n) => {
                    self.deps.push((id, value.span));
                    (Callee::Function(id), n)
                }
                _ => return None,
            },
            None => {
                let (id, b) = self.g.registry.lookup(&segs.join("."))?;
                (Callee::Builtin(id), b.arity)
            }
        };
        if arity != want {
            self.err(Diagnostic::error(
                "check::with-arity",
                value.span,
                format!("the replacement takes {arity} argument(s), the replaced function {want}"),
            ));
        }
        Some(callee)
    }

    fn with_target(&mut self, t: &ast::Expr) -> Option<ir::WithTarget> {
        let mut segs: Vec<Value> = Vec::new();
        let mut cur = t;
        loop {
            match &cur.kind {
                A::Dot(b, f) => {
                    segs.push(Value::str(f));
                    cur = b;
                }
                A::Index(b, i) => {
                    match &i.kind {
                        A::String(s) => segs.push(Value::str(s)),
                        A::Number(n) => segs.push(Value::num(*n)),
                        _ => break,
                    }
                    cur = b;
                }
                A::Var(root) if root == "input" => {
                    segs.reverse();
                    return Some(ir::WithTarget::Input(segs));
                }
                _ => break,
            }
        }
        let dotted = t.kind.dotted_name().unwrap_or_default();
        let name = dotted.join(".");
        if let Some((id, _)) = self.resolve_rule_name(&dotted) {
            self.deps.push((id, t.span));
            return Some(ir::WithTarget::Rule(id));
        }
        if let Some((id, _)) = self.g.registry.lookup(&name) {
            return Some(ir::WithTarget::Builtin(id));
        }
        self.err(
            Diagnostic::error(
                "check::with-target",
                t.span,
                "`with` can replace `input` (or a path in it), a rule, a function or a builtin",
            )
            .with_help("paths below `input` must use fields or constant keys"),
        );
        None
    }

    /// A rule named by dotted segments: `name`, `alias.name`, `data.pkg.name`.
    fn resolve_rule_name(&self, segs: &[&str]) -> Option<(RuleId, usize)> {
        match segs {
            [] => None,
            ["data", rest @ ..] => self.g.table.resolve_path(rest).map(|(id, n)| (id, n + 1)),
            [first, rest @ ..] => {
                if let Some(pkg) = self.imports.get(*first) {
                    let name = rest.first()?;
                    return self.g.table.lookup(pkg, name).map(|(id, _)| (id, 2));
                }
                self.g
                    .table
                    .lookup(self.package, first)
                    .map(|(id, _)| (id, 1))
            }
        }
    }

    /// Compiles an expression in use position.
    pub fn expr(&mut self, e: &ast::Expr) -> ir::Expr {
        let span = e.span;
        let kind = match &e.kind {
            A::Null => ir::ExprKind::Const(Value::Null),
            A::Bool(b) => ir::ExprKind::Const(Value::Bool(*b)),
            A::Number(n) => ir::ExprKind::Const(Value::num(*n)),
            A::String(s) => ir::ExprKind::Const(Value::str(s)),
            A::Var(_) | A::Dot(..) | A::Index(..) => return self.reference(e),
            A::Call(f, args) => return self.call(f, args, span),
            A::Binary(op, l, r) => {
                ir::ExprKind::Binary(*op, Box::new(self.expr(l)), Box::new(self.expr(r)))
            }
            A::Neg(x) => ir::ExprKind::Neg(Box::new(self.expr(x))),
            A::Array(xs) => ir::ExprKind::Array(xs.iter().map(|x| self.expr(x)).collect()),
            A::Set(xs) => ir::ExprKind::Set(xs.iter().map(|x| self.expr(x)).collect()),
            A::Object(kv) => ir::ExprKind::Object(
                kv.iter()
                    .map(|(k, v)| (self.expr(k), self.expr(v)))
                    .collect(),
            ),
            A::Interp(parts) => ir::ExprKind::Interp(
                parts
                    .iter()
                    .map(|p| match p {
                        ast::InterpPart::Text(t) => node(ir::ExprKind::Const(Value::str(t)), span),
                        ast::InterpPart::Hole(h) => self.expr(h),
                    })
                    .collect(),
            ),
            A::ArrayComp(t, b) => {
                let (t, b) = self.comprehension(b, |cx| cx.expr(t));
                ir::ExprKind::ArrayComp(Box::new(t), b)
            }
            A::SetComp(t, b) => {
                let (t, b) = self.comprehension(b, |cx| cx.expr(t));
                ir::ExprKind::SetComp(Box::new(t), b)
            }
            A::ObjectComp(k, v, b) => {
                let ((k, v), b) = self.comprehension(b, |cx| (cx.expr(k), cx.expr(v)));
                ir::ExprKind::ObjectComp(Box::new(k), Box::new(v), b)
            }
        };
        node(kind, span)
    }

    fn comprehension<T>(
        &mut self,
        body: &ast::Body,
        head: impl FnOnce(&mut Self) -> T,
    ) -> (T, Vec<Lit>) {
        let mut inner = HashSet::new();
        collect_binders(body, &mut inner);
        self.binders.extend(inner);
        let was = std::mem::replace(&mut self.in_not, false);
        let out = self.scoped(|cx| {
            let b = cx.body(body);
            (head(cx), b)
        });
        self.in_not = was;
        out
    }
}

/// Names that appear in binding positions anywhere in a body (to tell "used before it
/// is bound" from "unknown name").
pub fn collect_binders(body: &[ast::Literal], out: &mut HashSet<String>) {
    for l in body {
        match &l.kind {
            LiteralKind::SomeDecl(ns) => out.extend(ns.iter().map(|n| n.kind.clone())),
            LiteralKind::SomeIn(k, v, _) => out.extend(k.iter().chain([v]).map(|n| n.kind.clone())),
            LiteralKind::Every(..) => {}
            LiteralKind::Expr(e) => {
                if let (A::Var(n), Some(_)) = (&e.expr.kind, &e.assign) {
                    out.insert(n.clone());
                }
                if let Some((AssignOp::Unify, A::Var(n))) =
                    e.assign.as_ref().map(|(o, r)| (*o, &r.kind))
                {
                    out.insert(n.clone());
                }
                index_vars(&e.expr, out);
                if let Some((_, r)) = &e.assign {
                    index_vars(r, out);
                }
            }
        }
    }
}

fn index_vars(e: &ast::Expr, out: &mut HashSet<String>) {
    match &e.kind {
        A::Index(b, i) => {
            if let A::Var(n) = &i.kind {
                out.insert(n.clone());
            }
            index_vars(b, out);
            index_vars(i, out);
        }
        A::Dot(b, _) | A::Neg(b) => index_vars(b, out),
        A::Binary(_, l, r) => {
            index_vars(l, out);
            index_vars(r, out);
        }
        A::Call(_, args) | A::Array(args) | A::Set(args) => {
            args.iter().for_each(|a| index_vars(a, out))
        }
        _ => {}
    }
}

impl DefCx<'_> {
    /// Kind of a rule group.
    pub fn kind_of(&self, id: RuleId) -> Option<GroupKind> {
        self.g.table.group(id).map(|g| g.kind)
    }

    fn unknown(&mut self, name: &str, span: Span, callable: bool) {
        if !callable && self.binders.contains(name) {
            self.err(
                Diagnostic::error(
                    "check::unsafe-var",
                    span,
                    format!("variable `{name}` is used before it is bound"),
                )
                .with_help(
                    "move the expression that binds it (`:=`, `some`, or an index) before this use",
                ),
            );
            return;
        }
        let mut cands: Vec<String> = self.scopes.iter().flat_map(|s| s.keys().cloned()).collect();
        cands.extend(self.g.table.names_in(self.package).map(str::to_string));
        cands.extend(self.imports.keys().cloned());
        cands.push("input".into());
        if callable {
            cands.extend(self.g.registry.names().map(str::to_string));
        }
        let kind = if callable { "function" } else { "name" };
        let mut d = Diagnostic::error(
            "check::unknown-name",
            span,
            format!("unknown {kind} `{name}`"),
        );
        match suggest(name, cands.iter().map(String::as_str)) {
            Some(s) => d = d.with_help(format!("did you mean `{s}`?")),
            None if self.in_head && !callable => {
                d = Diagnostic::error(
                    "check::unsafe-var",
                    span,
                    format!("variable `{name}` in the rule head is not bound by the body"),
                )
                .with_help(format!(
                    "bind it in the body, e.g. `{name} := ...` or `some {name} in ...`"
                ));
            }
            None => {}
        }
        self.err(d);
    }

    fn call(&mut self, f: &ast::Expr, args: &[ast::Expr], span: Span) -> ir::Expr {
        let cargs: Vec<ir::Expr> = args.iter().map(|a| self.expr(a)).collect();
        let Some(segs) = f.kind.dotted_name() else {
            self.err(Diagnostic::error(
                "check::call-target",
                f.span,
                "only named functions can be called",
            ));
            return null(span);
        };
        let name = segs.join(".");
        let resolved = self
            .resolve_rule_name(&segs)
            .filter(|(_, used)| *used == segs.len());
        let (callee, arity) = if let Some((id, _)) = resolved {
            match self.kind_of(id) {
                Some(GroupKind::Function(n)) => {
                    self.deps.push((id, f.span));
                    (Callee::Function(id), n)
                }
                _ => {
                    self.err(
                        Diagnostic::error(
                            "check::not-a-function",
                            f.span,
                            format!("`{name}` is a rule, not a function"),
                        )
                        .with_help(format!("refer to it without parentheses: `{name}`")),
                    );
                    return null(span);
                }
            }
        } else if let Some((id, b)) = self.g.registry.lookup(&name) {
            (Callee::Builtin(id), b.arity)
        } else {
            self.unknown(&name, f.span, true);
            return null(span);
        };
        if arity != args.len() {
            self.err(Diagnostic::error(
                "check::arity",
                span,
                format!(
                    "`{name}` takes {arity} argument{}, got {}",
                    if arity == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        node(ir::ExprKind::Call(callee, cargs), span)
    }

    /// A `Var` / `Dot` / `Index` chain.
    fn reference(&mut self, e: &ast::Expr) -> ir::Expr {
        let mut steps: Vec<&ast::Expr> = Vec::new();
        let mut root = e;
        while let A::Dot(b, _) | A::Index(b, _) = &root.kind {
            steps.push(root);
            root = b;
        }
        steps.reverse();
        let A::Var(name) = &root.kind else {
            let base = self.expr(root);
            return self.apply_steps(base, &steps);
        };
        // Dotted prefix naming a rule: `data.pkg.rule`, `alias.rule`, `rule`.
        let dotted: Vec<&str> = std::iter::once(name.as_str())
            .chain(steps.iter().map_while(|s| match &s.kind {
                A::Dot(_, f) => Some(f.as_str()),
                _ => None,
            }))
            .collect();
        let local = self.local(name);
        if local.is_none()
            && (name == "data"
                || self.imports.contains_key(name.as_str())
                || self.g.table.lookup(self.package, name).is_some())
        {
            return self.rule_reference(name, &dotted, &steps, root.span);
        }
        let base = match (local, name.as_str()) {
            (Some(s), _) if self.is_bound(s) => node(ir::ExprKind::Var(s), root.span),
            (None, "input") => node(ir::ExprKind::Input, root.span),
            _ => {
                self.unknown(name, root.span, false);
                null(root.span)
            }
        };
        self.apply_steps(base, &steps)
    }

    fn rule_reference(
        &mut self,
        name: &str,
        dotted: &[&str],
        steps: &[&ast::Expr],
        span: Span,
    ) -> ir::Expr {
        let Some((id, used)) = self.resolve_rule_name(dotted) else {
            let what = dotted.join(".");
            // The whole dotted name, `data.pkg.rule`, not only its root.
            let whole = dotted
                .len()
                .checked_sub(2)
                .and_then(|i| steps.get(i))
                .map_or(span, |s| s.span);
            let mut d = Diagnostic::error(
                "check::unknown-name",
                whole,
                format!("unknown rule `{what}`"),
            );
            // Within a package that exists, the near miss is a rule of it, by name; the
            // whole paths are so alike that any rule of the package would be "near".
            let (prefix, last) = match dotted.split_last() {
                Some((last, prefix)) if name == "data" && prefix.len() >= 2 => {
                    (prefix[1..].join("."), *last)
                }
                _ => (String::new(), ""),
            };
            let in_package: Vec<&str> = self
                .g
                .table
                .groups
                .iter()
                .filter(|g| !prefix.is_empty() && g.package.join(".") == prefix)
                .map(|g| g.name.as_str())
                .collect();
            let cands: Vec<String> = self.g.table.groups.iter().map(|g| g.path()).collect();
            let near = if in_package.is_empty() {
                suggest(&what, cands.iter().map(String::as_str)).map(str::to_string)
            } else {
                suggest(last, in_package.iter().copied()).map(|n| format!("data.{prefix}.{n}"))
            };
            if let Some(s) = near {
                d = d.with_help(format!("did you mean `{s}`?"));
            } else if !in_package.is_empty() {
                d = d.with_help(format!("package {prefix} has no rule `{last}`"));
            } else if name != "data" {
                d = d.with_help("an import alias must be followed by a rule name");
            }
            self.err(d);
            return null(span);
        };
        if let Some(GroupKind::Function(_)) = self.kind_of(id) {
            self.err(Diagnostic::error(
                "check::function-value",
                span,
                format!(
                    "function `{}` must be called with arguments",
                    dotted.join(".")
                ),
            ));
        }
        self.deps.push((id, span));
        let rest = steps.get(used.saturating_sub(1)..).unwrap_or(&[]);
        let end = steps
            .get(used.saturating_sub(2))
            .map_or(span, |s| span.to(s.span));
        self.apply_steps(node(ir::ExprKind::Rule(id), end), rest)
    }

    fn apply_steps(&mut self, mut base: ir::Expr, steps: &[&ast::Expr]) -> ir::Expr {
        for step in steps {
            let span = base.span.to(step.span);
            base = match &step.kind {
                A::Dot(_, f) => {
                    let key = node(ir::ExprKind::Const(Value::str(f)), step.span);
                    node(
                        ir::ExprKind::Index(Box::new(base), Box::new(key), Default::default()),
                        span,
                    )
                }
                A::Index(_, idx) => self.index_step(base, idx, span),
                _ => base,
            };
        }
        base
    }

    fn index_step(&mut self, base: ir::Expr, idx: &ast::Expr, span: Span) -> ir::Expr {
        if let A::Var(n) = &idx.kind {
            if n == "_" || self.is_free(n) {
                if n != "_" && self.in_not {
                    self.err(
                        Diagnostic::error(
                            "check::unsafe-not",
                            idx.span,
                            format!("variable `{n}` is not bound outside `not`"),
                        )
                        .with_help("bind it before the `not`, or use `_`"),
                    );
                }
                let slot = match self.local(n) {
                    Some(s) if n != "_" => {
                        self.set_bound(s);
                        s
                    }
                    _ => self.declare(n, true),
                };
                return node(ir::ExprKind::Gen(Box::new(base), slot), span);
            }
        }
        let i = self.expr(idx);
        node(
            ir::ExprKind::Index(Box::new(base), Box::new(i), Default::default()),
            span,
        )
    }
}
