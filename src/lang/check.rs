//! Package-level checks: the rule table (every rule group by package and name, with its
//! kind), imports, metadata attachment and duplicate ids, and recursion cycles over the
//! dependency edges the compiler records. Every problem is collected, none stops early.

use super::diag::{suggest, Diagnostic};
use super::metadata::{self, RuleInfo};
use super::source::{SourceMap, Span};
use super::syntax::ast::{Head, Module};
use super::syntax::trivia::Comment;
use std::collections::{BTreeMap, HashMap};

/// Index of a rule group (all definitions of one name in one package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);

/// What a rule group defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// One value (`name := v`, `name if {}`)
    Complete,
    /// A set (`name contains v`)
    Set,
    /// An object (`name[k] := v`)
    Object,
    /// A function with this many parameters.
    Function(usize),
}

impl GroupKind {
    fn describe(self) -> String {
        match self {
            GroupKind::Complete => "a value rule".into(),
            GroupKind::Set => "a set rule (`contains`)".into(),
            GroupKind::Object => "an object rule (`name[key] := value`)".into(),
            GroupKind::Function(n) => format!("a function of {n} argument(s)"),
        }
    }
}

/// A rule group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Package path.
    pub package: Vec<String>,
    /// Rule name.
    pub name: String,
    /// Kind (from the first definition).
    pub kind: GroupKind,
    /// Span of the first definition's name.
    pub span: Span,
    /// (module index, rule index) of every non-default definition.
    pub defs: Vec<(usize, usize)>,
    /// (module index, rule index) of the `default`, if any.
    pub default: Option<(usize, usize)>,
}

impl Group {
    /// `data.pkg.name`
    pub fn path(&self) -> String {
        format!("data.{}.{}", self.package.join("."), self.name)
    }
}

/// All rule groups and packages of a load.
#[derive(Debug, Default)]
pub struct RuleTable {
    /// Groups by id.
    pub groups: Vec<Group>,
    by_name: HashMap<(Vec<String>, String), RuleId>,
    /// Every package and its files.
    pub packages: BTreeMap<Vec<String>, Vec<usize>>,
    /// Per module: import alias → package path.
    pub imports: Vec<HashMap<String, Vec<String>>>,
}

impl RuleTable {
    /// The group named `name` in `package`.
    pub fn lookup(&self, package: &[String], name: &str) -> Option<(RuleId, &Group)> {
        let id = *self.by_name.get(&(package.to_vec(), name.to_string()))?;
        Some((id, self.groups.get(id.0 as usize)?))
    }

    /// The group with id.
    pub fn group(&self, id: RuleId) -> Option<&Group> {
        self.groups.get(id.0 as usize)
    }

    /// Names of rules in a package (for suggestions).
    pub fn names_in<'a>(&'a self, package: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        self.groups
            .iter()
            .filter(move |g| g.package == package)
            .map(|g| g.name.as_str())
    }

    /// Resolves `data.a.b.c...`-style segments (without `data`) to the longest package
    /// prefix followed by a rule; returns the rule and how many segments were used.
    pub fn resolve_path(&self, segs: &[&str]) -> Option<(RuleId, usize)> {
        (1..segs.len()).rev().find_map(|split| {
            let pkg: Vec<String> = segs.get(..split)?.iter().map(|s| s.to_string()).collect();
            let name = segs.get(split)?;
            self.lookup(&pkg, name).map(|(id, _)| (id, split + 1))
        })
    }
}

fn kind_of(head: &Head) -> Option<GroupKind> {
    Some(match head {
        Head::Default(_) => return None,
        Head::Value(_) => GroupKind::Complete,
        Head::Contains(_) => GroupKind::Set,
        Head::Object(..) => GroupKind::Object,
        Head::Function(p, _) => GroupKind::Function(p.len()),
    })
}

/// Builds the rule table and checks imports. Kind conflicts, duplicate defaults and
/// unknown imports are reported.
pub fn build_table(modules: &[Module], errors: &mut Vec<Diagnostic>) -> RuleTable {
    let mut t = RuleTable::default();
    for (mi, m) in modules.iter().enumerate() {
        t.packages
            .entry(m.package.kind.clone())
            .or_default()
            .push(mi);
        for (ri, r) in m.rules.iter().enumerate() {
            if matches!(r.kind.name.kind.as_str(), "input" | "data") {
                // A rule so named would hide the document (or the rules) in its package.
                errors.push(
                    Diagnostic::error(
                        "check::reserved-name",
                        r.kind.name.span,
                        format!(
                            "`{}` is reserved: it names the {}",
                            r.kind.name.kind,
                            if r.kind.name.kind == "input" {
                                "fact document"
                            } else {
                                "rules of every package"
                            }
                        ),
                    )
                    .with_help("choose another name for the rule"),
                );
            }
            let key = (m.package.kind.clone(), r.kind.name.kind.clone());
            let kind = kind_of(&r.kind.head);
            let id = match t.by_name.get(&key) {
                Some(id) => *id,
                None => {
                    let id = RuleId(u32::try_from(t.groups.len()).unwrap_or(u32::MAX));
                    t.groups.push(Group {
                        package: key.0.clone(),
                        name: key.1.clone(),
                        kind: kind.unwrap_or(GroupKind::Complete),
                        span: r.kind.name.span,
                        defs: Vec::new(),
                        default: None,
                    });
                    t.by_name.insert(key, id);
                    id
                }
            };
            let Some(g) = t.groups.get_mut(id.0 as usize) else {
                continue;
            };
            match kind {
                None if g.default.is_some() => errors.push(Diagnostic::error(
                    "check::duplicate-default",
                    r.kind.name.span,
                    format!("`{}` has more than one default", g.name),
                )),
                None => g.default = Some((mi, ri)),
                Some(k) => {
                    if g.defs.is_empty() {
                        g.kind = k;
                    } else if g.kind != k {
                        errors.push(
                            Diagnostic::error(
                                "check::rule-kind",
                                r.kind.name.span,
                                format!(
                                    "`{}` is defined as {} and as {}",
                                    g.name,
                                    g.kind.describe(),
                                    k.describe()
                                ),
                            )
                            .with_help("every definition of a rule must have the same kind"),
                        );
                    }
                    g.defs.push((mi, ri));
                }
            }
        }
    }
    for g in &t.groups {
        if g.default.is_some() && g.kind != GroupKind::Complete {
            errors.push(Diagnostic::error(
                "check::default-kind",
                g.span,
                format!(
                    "`default` applies only to value rules; `{}` is {}",
                    g.name,
                    g.kind.describe()
                ),
            ));
        }
    }
    for m in modules {
        let imports = check_imports(m, &t, errors);
        t.imports.push(imports);
    }
    t
}

fn check_imports(
    m: &Module,
    t: &RuleTable,
    errors: &mut Vec<Diagnostic>,
) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for imp in &m.imports {
        let segs = &imp.path.kind;
        let span = imp.path.span;
        if segs.first().map(String::as_str) != Some("data") || segs.len() < 2 {
            errors.push(Diagnostic::error(
                "check::import",
                span,
                "only packages can be imported: `import data.<package>`",
            ));
            continue;
        }
        let pkg: Vec<String> = segs.iter().skip(1).cloned().collect();
        if !t.packages.contains_key(&pkg) {
            let wanted = pkg.join(".");
            let known: Vec<String> = t.packages.keys().map(|k| k.join(".")).collect();
            let mut d = Diagnostic::error(
                "check::unknown-import",
                span,
                format!("unknown package `{wanted}`"),
            );
            if let Some(s) = suggest(&wanted, known.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `data.{s}`?"));
            }
            errors.push(d);
            continue;
        }
        let alias = imp
            .alias
            .as_ref()
            .map(|a| a.kind.clone())
            .or_else(|| pkg.last().cloned())
            .unwrap_or_default();
        out.insert(alias, pkg);
    }
    out
}

/// Attaches every `# METADATA` block to the rule right after it, checks for duplicate
/// ids across all files, and returns the listing (in file order).
pub fn attach_metadata(
    modules: &[Module],
    comments: &[Vec<Comment>],
    sources: &SourceMap,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(RuleInfo, Span)> {
    let mut out: Vec<(RuleInfo, Span)> = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for (m, cs) in modules.iter().zip(comments) {
        let src = m.source.0;
        let Some(file) = sources.file(src) else {
            continue;
        };
        let span_of = |a: usize, b: usize| Span::new(src, a, b);
        for block in metadata::blocks(cs, &file.text, span_of, errors) {
            let next = m.rules.iter().find(|r| r.span.start >= block.span.end);
            let gap_ok = next.is_some_and(|r| {
                file.text
                    .get(block.span.end as usize..r.span.start as usize)
                    .is_some_and(|g| g.trim().is_empty() && g.matches('\n').count() <= 1)
            });
            let Some(rule) = next.filter(|_| gap_ok) else {
                errors.push(Diagnostic::error(
                    "check::metadata",
                    block.span,
                    "metadata block is not directly followed by a rule",
                ));
                continue;
            };
            let mut info = block.info;
            info.package = m.package.kind.join(".");
            info.rule = rule.kind.name.kind.clone();
            info.file = file.name.clone();
            info.line = file.line_col(rule.span.start as usize).line;
            if !info.id.is_empty() {
                if let Some(first) = seen.get(&info.id) {
                    let (f, l) = sources.file(first.source).map_or((String::new(), 0), |f| {
                        (f.name.clone(), f.line_col(first.start as usize).line)
                    });
                    errors.push(
                        Diagnostic::error(
                            "check::duplicate-id",
                            block.span,
                            format!("metadata id `{}` is already used", info.id),
                        )
                        .with_help(format!(
                            "first used at {f}:{l}; ids must be unique across the ruleset"
                        )),
                    );
                } else {
                    seen.insert(info.id.clone(), block.span);
                }
            }
            out.push((info, rule.span));
        }
    }
    out
}

/// Reports every recursion cycle in the dependency graph (`edges[rule]` = rules it
/// references, with the reference's span), once per cycle, at a reference in it.
pub fn check_cycles(
    table: &RuleTable,
    edges: &[Vec<(RuleId, Span)>],
    errors: &mut Vec<Diagnostic>,
) {
    // Iterative DFS with colours: 0 new, 1 on stack, 2 done.
    let n = edges.len();
    let mut colour = vec![0u8; n];
    for root in 0..n {
        if colour.get(root) != Some(&0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(c) = colour.get_mut(root) {
            *c = 1;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let out = edges.get(node).map_or(&[][..], Vec::as_slice);
            if let Some(&(to, span)) = out.get(*next) {
                *next += 1;
                let to = to.0 as usize;
                match colour.get(to) {
                    Some(0) => {
                        if let Some(c) = colour.get_mut(to) {
                            *c = 1;
                        }
                        stack.push((to, 0));
                    }
                    Some(1) => {
                        let names: Vec<String> = stack
                            .iter()
                            .skip_while(|(s, _)| *s != to)
                            .filter_map(|(s, _)| table.groups.get(*s).map(|g| g.name.clone()))
                            .chain(table.groups.get(to).map(|g| g.name.clone()))
                            .collect();
                        errors.push(
                            Diagnostic::error(
                                "check::recursion",
                                span,
                                format!("recursion: {}", names.join(" → ")),
                            )
                            .with_help("rules and functions may not depend on themselves"),
                        );
                    }
                    _ => {}
                }
            } else {
                if let Some(c) = colour.get_mut(node) {
                    *c = 2;
                }
                stack.pop();
            }
        }
    }
}
