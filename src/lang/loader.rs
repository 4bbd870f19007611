//! The public facade: [`Loader`] collects rule files and compiles them into a
//! [`Program`], which evaluates rules against an `input` many times.
//!
//! ```
//! use s3why::lang::{Loader, Value};
//! let mut loader = Loader::new();
//! loader.add_source("x.s3why", "package demo\nanswer := input.n * 2\n");
//! let program = loader.compile(&[]).map_err(|d| d.render_human()).unwrap();
//! let input = Value::from_json(&serde_json::json!({"n": 21}));
//! let out = program.eval_rule("data.demo.answer", &input, None).unwrap();
//! assert_eq!(out, Some(Value::num(42.0)));
//! ```

use super::builtins::Builtin;
use super::compile::{self, ir::GroupKind, ir::RuleId, Compiled, InputReads};
use super::diag::{Diagnostic, Diagnostics};
use super::eval::{self, EvalError, EvalOptions};
use super::metadata::RuleInfo;
use super::source::{SourceId, SourceMap, Span};
use super::syntax::{self, ast::Module, trivia::Comment};
use super::value::Value;
use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Collects rule files; syntax errors are kept and reported by [`Loader::compile`]
/// together with every check error.
#[derive(Debug, Default)]
pub struct Loader {
    sources: SourceMap,
    modules: Vec<Module>,
    comments: Vec<Vec<Comment>>,
    errors: Vec<Diagnostic>,
    /// A package root (`s3why`) the files added from now on may not declare a package
    /// under, and whose they are ([`Loader::reserve_package_root`]).
    reserved: Option<(String, String)>,
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds and parses one file. Returns its id; syntax errors are reported by `compile`.
    pub fn add_source(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        let text = text.into();
        let id = self.sources.add(name, text.clone());
        match syntax::parse_module(&text, id) {
            Ok(p) => {
                if let Some((root, owner)) = &self.reserved {
                    let package = &p.module.package;
                    if package.kind.first() == Some(root) {
                        self.errors.push(
                            Diagnostic::error(
                                "check::reserved-package",
                                package.span,
                                format!(
                                    "package {} is under `{root}`, the {owner}'s",
                                    package.kind.join(".")
                                ),
                            )
                            .with_help(format!(
                                "give these rules a package of their own (acme.uploads, say); \
                                 a rule added to a package of the {owner} would change it, and \
                                 a clash would be reported at its rules, not yours"
                            )),
                        );
                    }
                }
                self.modules.push(p.module);
                self.comments.push(p.comments);
            }
            Err(mut e) => self.errors.append(&mut e),
        }
        id
    }

    /// From now on, a file declaring a package under `root` is an error
    /// (`check::reserved-package`): `root` belongs to `owner` (the bundled ruleset).
    pub fn reserve_package_root(&mut self, root: &str, owner: &str) {
        self.reserved = Some((root.to_string(), owner.to_string()));
    }

    /// Ends [`Loader::reserve_package_root`] for the files added from now on.
    pub fn release_package_root(&mut self) {
        self.reserved = None;
    }

    /// Reads and adds a file.
    pub fn add_file(&mut self, path: &std::path::Path) -> std::io::Result<SourceId> {
        let text = crate::text::read(path)?;
        Ok(self.add_source(path.display().to_string(), text))
    }

    /// Reads and adds a file; one that cannot be read (missing, not UTF-8) is reported by
    /// `compile` as `load::unreadable` with the others' errors, so a run over many files
    /// shows every problem rather than stopping at the first unreadable one.
    pub fn add_file_or_report(&mut self, path: &std::path::Path) -> SourceId {
        match self.add_file(path) {
            Ok(id) => id,
            Err(e) => {
                let id = self.sources.add(path.display().to_string(), String::new());
                self.errors.push(Diagnostic::error(
                    "load::unreadable",
                    Span::new(id, 0, 0),
                    format!("cannot read the rule file: {e}"),
                ));
                id
            }
        }
    }

    /// Checks and compiles everything added. `extra` are the embedding application's
    /// builtins (see [`crate::lang::builtins`]). Returns every load error at once.
    pub fn compile(self, extra: &'static [Builtin]) -> Result<Program, Diagnostics> {
        let sources = self.sources.into_shared();
        let mut errors = self.errors;
        let compiled = if errors.is_empty() {
            compile::compile(&self.modules, &self.comments, &sources, extra)
        } else {
            // Check the files that parsed too, so one run shows every problem; a file
            // with a syntax error may leave its imports unresolved, which is noise.
            compile::compile(&self.modules, &self.comments, &sources, extra).map_err(|e| {
                e.into_iter()
                    .filter(|d| d.code != "check::unknown-import")
                    .collect::<Vec<_>>()
            })
        };
        match compiled {
            Ok(c) if errors.is_empty() => Ok(Program {
                compiled: Arc::new(c),
                sources,
            }),
            Ok(_) => Err(Diagnostics::new(errors, sources)),
            Err(mut e) => {
                errors.append(&mut e);
                Err(Diagnostics::new(errors, sources))
            }
        }
    }
}

/// A compiled ruleset. Cheap to clone; evaluate it as often as needed.
#[derive(Debug, Clone)]
pub struct Program {
    compiled: Arc<Compiled>,
    sources: Arc<SourceMap>,
}

impl Program {
    /// Evaluates a rule by its full path (`data.s3.put_object.findings`) against
    /// `input`, with the default budgets. `host` reaches host builtins. `Ok(None)`:
    /// the rule is undefined.
    pub fn eval_rule(
        &self,
        path: &str,
        input: &Value,
        host: Option<&dyn Any>,
    ) -> Result<Option<Value>, EvalError> {
        self.eval_rule_with(path, input, host, EvalOptions::default())
    }

    /// As [`Program::eval_rule`] with explicit budgets.
    pub fn eval_rule_with(
        &self,
        path: &str,
        input: &Value,
        host: Option<&dyn Any>,
        opts: EvalOptions,
    ) -> Result<Option<Value>, EvalError> {
        let (id, span) = self.rule_id(path)?;
        eval::eval_rule(&self.compiled, id, input.clone(), host, opts, span)
    }

    /// Evaluates several rules against one input, in order, in one session: a rule
    /// value computed for one (a helper such as the verdict, or a fix search) is reused by
    /// the others. Stops at the first error.
    pub fn eval_rules(
        &self,
        paths: &[String],
        input: &Value,
        host: Option<&dyn Any>,
    ) -> Result<Vec<Option<Value>>, EvalError> {
        let mut session =
            eval::Session::new(&self.compiled, input.clone(), host, EvalOptions::default());
        paths
            .iter()
            .map(|path| {
                let (id, span) = self.rule_id(path)?;
                session.rule(id, span)
            })
            .collect()
    }

    /// The top-level fields of `input` the rules read, or `None` when they may read any
    /// (a rule uses `input` as a whole, a computed key, or `with input...`). A caller
    /// may give the rules only these fields.
    pub fn input_fields(&self) -> Option<BTreeSet<String>> {
        self.compiled.input_reads.as_ref().map(InputReads::fields)
    }

    /// The same, down to the fields of fields the rules read (`input.bucket.account`).
    pub fn input_reads(&self) -> Option<&InputReads> {
        self.compiled.input_reads.as_ref()
    }

    /// The rule at `data.PATH`, which must not be a function.
    fn rule_id(&self, path: &str) -> Result<(RuleId, Span), EvalError> {
        let segs: Vec<&str> = path.split('.').collect();
        let found = match segs.split_first() {
            Some((&"data", rest)) => self
                .compiled
                .table
                .resolve_path(rest)
                .filter(|(_, used)| *used == rest.len()),
            _ => None,
        };
        let Some((id, _)) = found else {
            return Err(EvalError::new(
                "eval::unknown-rule",
                Span::default(),
                format!("no rule `{path}`"),
            ));
        };
        let rule = self.compiled.rules.get(id.0 as usize);
        let span = rule.map_or(Span::default(), |r| r.span);
        if let Some(GroupKind::Function(_)) = rule.map(|r| r.kind) {
            return Err(EvalError::new(
                "eval::unknown-rule",
                span,
                format!("`{path}` is a function; call it from a rule"),
            ));
        }
        Ok((id, span))
    }

    /// Metadata of every rule that has a `# METADATA` block, in file order.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.compiled.infos
    }

    /// Full paths of every rule (`data.pkg.name`), sorted.
    pub fn rule_paths(&self) -> Vec<String> {
        let mut v: Vec<String> = self.compiled.rules.iter().map(|r| r.path.clone()).collect();
        v.sort();
        v
    }

    /// The sources, for rendering.
    pub fn sources(&self) -> &Arc<SourceMap> {
        &self.sources
    }

    /// An evaluation error as diagnostics (render with `render_human` / `render_json`).
    pub fn error_diagnostics(&self, e: &EvalError) -> Diagnostics {
        Diagnostics::new(
            vec![Diagnostic::error(e.code, e.span, e.message.clone())],
            self.sources.clone(),
        )
    }
}
