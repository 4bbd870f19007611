//! AST → compiled program. Runs the package-level checks ([`crate::lang::check`]),
//! compiles every definition ([`body`]), then checks recursion cycles over the
//! dependencies found. All errors of all files are returned together.

pub mod body;
mod inputs;
pub use inputs::InputReads;
pub mod ir;

use crate::lang::builtins::{Builtin, Registry};
use crate::lang::check::{self, RuleTable};
use crate::lang::diag::Diagnostic;
use crate::lang::metadata::RuleInfo;
use crate::lang::source::{SourceMap, Span};
use crate::lang::syntax::ast::{Head, Module};
use crate::lang::syntax::trivia::Comment;
use body::{DefCx, Globals};
use ir::{CRule, Def};

/// The result of compilation.
#[derive(Debug)]
pub struct Compiled {
    /// Rule groups, indexed by `RuleId`.
    pub rules: Vec<CRule>,
    /// Builtins.
    pub registry: Registry,
    /// Names → ids.
    pub table: RuleTable,
    /// Rule metadata listing.
    pub infos: Vec<RuleInfo>,
    /// The parts of `input` the rules read (`None`: all of it).
    pub input_reads: Option<InputReads>,
}

/// Compiles parsed modules (with their comments) against the standard builtins plus
/// `extra`.
pub fn compile(
    modules: &[Module],
    comments: &[Vec<Comment>],
    sources: &SourceMap,
    extra: &'static [Builtin],
) -> Result<Compiled, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let registry = match Registry::new(extra) {
        Ok(r) => r,
        Err(dups) => {
            let span = Span::default();
            errors.extend(dups.iter().map(|d| {
                Diagnostic::error(
                    "check::duplicate-builtin",
                    span,
                    format!("builtin `{d}` is defined twice"),
                )
            }));
            return Err(errors);
        }
    };
    let table = check::build_table(modules, &mut errors);
    let infos = check::attach_metadata(modules, comments, sources, &mut errors)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let g = Globals {
        registry: &registry,
        table: &table,
    };
    let mut rules = Vec::with_capacity(table.groups.len());
    let mut edges = Vec::with_capacity(table.groups.len());
    for group in &table.groups {
        let mut deps = Vec::new();
        let mut defs = Vec::new();
        for &(mi, ri) in &group.defs {
            let (Some(m), Some(imports)) = (modules.get(mi), table.imports.get(mi)) else {
                continue;
            };
            let Some(rule) = m.rules.get(ri) else {
                continue;
            };
            let mut cx = DefCx::new(&g, &m.package.kind, imports, rule.kind.body.as_ref());
            defs.push(compile_def(&mut cx, rule));
            errors.append(&mut cx.errors);
            deps.append(&mut cx.deps);
        }
        let default = group.default.and_then(|(mi, ri)| {
            let m = modules.get(mi)?;
            let rule = m.rules.get(ri)?;
            let Head::Default(e) = &rule.kind.head else {
                return None;
            };
            let mut cx = DefCx::new(&g, &m.package.kind, table.imports.get(mi)?, None);
            let out = cx.expr(e);
            errors.append(&mut cx.errors);
            deps.append(&mut cx.deps);
            Some(out)
        });
        rules.push(CRule {
            path: group.path(),
            kind: group.kind,
            defs,
            default,
            span: group.span,
        });
        edges.push(deps);
    }
    check::check_cycles(&table, &edges, &mut errors);
    if errors.is_empty() {
        Ok(Compiled {
            input_reads: inputs::input_reads(&rules),
            rules,
            registry,
            table,
            infos,
        })
    } else {
        Err(errors)
    }
}

fn compile_def(cx: &mut DefCx<'_>, rule: &crate::lang::syntax::ast::Rule) -> Def {
    let params = match &rule.kind.head {
        Head::Function(ps, _) => ps
            .iter()
            .map(|p| (p.kind != "_").then(|| cx.declare(&p.kind, true)))
            .collect(),
        _ => Vec::new(),
    };
    let body = rule
        .kind
        .body
        .as_ref()
        .map(|b| cx.body(b))
        .unwrap_or_default();
    cx.in_head = true;
    let (key, value) = match &rule.kind.head {
        Head::Value(v) | Head::Function(_, v) => (None, v.as_ref().map(|v| cx.expr(v))),
        Head::Contains(e) => (None, Some(cx.expr(e))),
        Head::Object(k, v) => (Some(cx.expr(k)), Some(cx.expr(v))),
        Head::Default(_) => (None, None),
    };
    Def {
        params,
        body,
        key,
        value,
        slots: cx.slots(),
        span: rule.span,
    }
}
