//! The compiled form the evaluator runs: names resolved to [`RuleId`]s, [`BuiltinId`]s
//! and variable [`Slot`]s; every node keeps its span for runtime errors.

use crate::lang::builtins::BuiltinId;
pub use crate::lang::check::{GroupKind, RuleId};
use crate::lang::source::Span;
use crate::lang::syntax::ast::BinOp;
use crate::lang::value::Value;
use std::sync::atomic::{AtomicU32, Ordering};

/// A variable's index in its definition's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot(pub u32);

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it does.
    pub kind: ExprKind,
    /// Where it came from.
    pub span: Span,
    /// Whether it can have more than one value ([`Expr::iterates`]), computed once when
    /// the node is built: the evaluator runs every other expression directly, without
    /// continuations.
    multi: bool,
}

/// Where a `base[key]` last found its key in an object. Objects of one shape (a
/// verdict view's statements, its conditions) hold a field at the same place, so the next
/// lookup compares that entry first and searches only when it is another key. A hint, and
/// no more: shared by the threads (relaxed), a stale one costs one comparison.
#[derive(Debug, Default)]
pub struct FieldHint(AtomicU32);

impl FieldHint {
    /// The entry to look at first.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed) as usize
    }

    /// Remembers where the key was found.
    pub fn set(&self, at: usize) {
        self.0
            .store(u32::try_from(at).unwrap_or(0), Ordering::Relaxed);
    }
}

impl Clone for FieldHint {
    fn clone(&self) -> Self {
        FieldHint(AtomicU32::new(self.0.load(Ordering::Relaxed)))
    }
}

/// A called thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Callee {
    /// A builtin.
    Builtin(BuiltinId),
    /// A user function (rule group).
    Function(RuleId),
}

/// Expression kinds.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// A bound variable.
    Var(Slot),
    /// `input` (current, after `with`).
    Input,
    /// A non-function rule's value.
    Rule(RuleId),
    /// `base[key]`, and where the key was last found in an object.
    Index(Box<Expr>, Box<Expr>, FieldHint),
    /// `base[x]` with `x` unbound: iterate, binding the key to the slot.
    Gen(Box<Expr>, Slot),
    /// A call.
    Call(Callee, Vec<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `{a, b}`
    Set(Vec<Expr>),
    /// `{k: v}`
    Object(Vec<(Expr, Expr)>),
    /// `[t | body]`
    ArrayComp(Box<Expr>, Vec<Lit>),
    /// `{t | body}`
    SetComp(Box<Expr>, Vec<Lit>),
    /// `{k: v | body}`
    ObjectComp(Box<Expr>, Box<Expr>, Vec<Lit>),
    /// `f"..."`: text and holes, concatenated.
    Interp(Vec<Expr>),
}

/// What a `with` replaces.
#[derive(Debug, Clone)]
pub enum WithTarget {
    /// `input` or a path below it (keys).
    Input(Vec<Value>),
    /// A rule's value (or a function's result, whatever the arguments).
    Rule(RuleId),
    /// A builtin's result, whatever the arguments.
    Builtin(BuiltinId),
}

/// `with target as value`
#[derive(Debug, Clone)]
pub struct With {
    /// Target.
    pub target: WithTarget,
    /// Replacement value (ignored when `function` is set).
    pub value: Expr,
    /// `with f as g`: calls of the target function or builtin go to `g` instead.
    pub function: Option<Callee>,
}

/// A compiled body literal.
#[derive(Debug, Clone)]
pub struct Lit {
    /// What it does.
    pub kind: LitKind,
    /// `with` modifiers applying to this literal.
    pub withs: Vec<With>,
    /// Holds at most one way (no generator, no `some ... in`, no `with`): the evaluator
    /// runs such literals in a loop instead of nesting continuations, so long bodies
    /// do not deepen the stack.
    pub single: bool,
    /// Where.
    pub span: Span,
}

/// Literal kinds.
#[derive(Debug, Clone)]
pub enum LitKind {
    /// Holds when the value is defined and not `false`.
    Expr(Expr),
    /// Holds when the expression has no value that holds.
    Not(Expr),
    /// Binds a slot (`_ :=` binds nothing: `None`).
    Assign(Option<Slot>, Expr),
    /// `some [k,] v in coll`
    SomeIn(Option<Slot>, Slot, Expr),
    /// `every [k,] v in coll { body }`
    Every(Option<Slot>, Slot, Expr, Vec<Lit>),
    /// `some x` declarations: no runtime effect.
    Nothing,
}

/// One definition of a rule group.
#[derive(Debug, Clone)]
pub struct Def {
    /// Parameter slots (functions).
    pub params: Vec<Option<Slot>>,
    /// Body literals (empty: holds once).
    pub body: Vec<Lit>,
    /// Object key (`name[k] := v`).
    pub key: Option<Expr>,
    /// Value (`None`: `true`); for sets, the element.
    pub value: Option<Expr>,
    /// Number of slots.
    pub slots: usize,
    /// Span of the definition.
    pub span: Span,
}

/// A compiled rule group.
#[derive(Debug, Clone)]
pub struct CRule {
    /// `data.pkg.name`
    pub path: String,
    /// Kind.
    pub kind: GroupKind,
    /// Definitions (alternatives).
    pub defs: Vec<Def>,
    /// `default` value.
    pub default: Option<Expr>,
    /// Span of the first definition's name.
    pub span: Span,
}

impl Expr {
    /// A node (its children already built).
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        let multi = match &kind {
            ExprKind::Gen(..) => true,
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::Input | ExprKind::Rule(_) => false,
            ExprKind::ArrayComp(..) | ExprKind::SetComp(..) | ExprKind::ObjectComp(..) => false,
            ExprKind::Index(a, b, _) | ExprKind::Binary(_, a, b) => a.multi || b.multi,
            ExprKind::Neg(a) => a.multi,
            ExprKind::Call(_, xs)
            | ExprKind::Array(xs)
            | ExprKind::Set(xs)
            | ExprKind::Interp(xs) => xs.iter().any(|x| x.multi),
            ExprKind::Object(kv) => kv.iter().any(|(k, v)| k.multi || v.multi),
        };
        Expr { kind, span, multi }
    }

    /// Whether the expression can have more than one value: it iterates (`x[_]`, an
    /// unbound index). Comprehensions have exactly one value whatever they contain, and
    /// calls at most one (a function with two results is an error).
    pub fn iterates(&self) -> bool {
        self.multi
    }
}

impl LitKind {
    /// Whether the literal holds at most one way (see [`Lit::single`]).
    pub fn single(&self) -> bool {
        match self {
            LitKind::Expr(e) | LitKind::Assign(_, e) => !e.iterates(),
            LitKind::Not(_) | LitKind::Nothing => true,
            LitKind::Every(_, _, coll, _) => !coll.iterates(),
            LitKind::SomeIn(..) => false,
        }
    }
}
