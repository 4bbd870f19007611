//! The abstract syntax tree of a rule file. Every node is a [`Node`] with a `Copy`
//! [`Span`] that equality ignores, so the formatter can compare trees across layouts.

use crate::lang::source::{SourceId, Span};

/// A value with its location. `==` compares only `kind`.
#[derive(Debug, Clone)]
pub struct Node<T> {
    /// The node itself.
    pub kind: T,
    /// Where it is in the source.
    pub span: Span,
}

impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl<T> Node<T> {
    /// Wraps `kind` at `span`.
    pub fn new(kind: T, span: Span) -> Self {
        Node { kind, span }
    }
}

/// A name (identifier) with its span.
pub type Name = Node<String>;

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The file it came from (not compared).
    pub source: SourceIdIgnored,
    /// `package a.b.c`
    pub package: Node<Vec<String>>,
    /// `import data.x.y [as z]`
    pub imports: Vec<Import>,
    /// Rules, in source order.
    pub rules: Vec<Rule>,
}

/// A `SourceId` that equality ignores (modules compare equal across files).
#[derive(Debug, Clone, Copy)]
pub struct SourceIdIgnored(pub SourceId);

impl PartialEq for SourceIdIgnored {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `import data.s3.helpers as h`: the path (starting with `data` or `input`) and alias.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// Path segments, e.g. `["data", "s3", "helpers"]`.
    pub path: Node<Vec<String>>,
    /// `as` name.
    pub alias: Option<Name>,
}

/// One rule definition.
pub type Rule = Node<RuleKind>;

/// A rule definition: a head and an optional body.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleKind {
    /// The rule's name.
    pub name: Name,
    /// What the rule defines.
    pub head: Head,
    /// `if { ... }`; `None` means the rule holds unconditionally.
    pub body: Option<Body>,
}

/// Kinds of rule head.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    /// `default name := value`
    Default(Expr),
    /// `name := value` (`None`: `name if {...}`, value `true`)
    Value(Option<Expr>),
    /// `name contains elem`
    Contains(Expr),
    /// `name[key] := value`
    Object(Expr, Expr),
    /// `name(params) := value` (`None`: value `true`)
    Function(Vec<Name>, Option<Expr>),
}

/// A rule body: a conjunction of literals.
pub type Body = Vec<Literal>;

/// One literal of a body.
pub type Literal = Node<LiteralKind>;

/// Kinds of body literal.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    /// `some k, v in coll` / `some v in coll`
    SomeIn(Option<Name>, Name, Expr),
    /// `some a, b` (declares fresh variables)
    SomeDecl(Vec<Name>),
    /// `every k, v in coll { body }`
    Every(Option<Name>, Name, Expr, Body),
    /// An expression literal, possibly negated, with `:=`/`=` and `with` modifiers.
    Expr(ExprLit),
}

/// `[not] lhs [:= | = rhs] [with target as value]*`
#[derive(Debug, Clone, PartialEq)]
pub struct ExprLit {
    /// `not` in front.
    pub negated: bool,
    /// The expression, or the left side of an assignment/unification.
    pub expr: Expr,
    /// `:= rhs` or `= rhs`.
    pub assign: Option<(AssignOp, Expr)>,
    /// `with` modifiers, in order.
    pub withs: Vec<With>,
}

/// `:=` or `=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    /// `:=` binds a new variable.
    Assign,
    /// `=` binds whichever side is an unbound variable, else compares.
    Unify,
}

/// `with target as value`
#[derive(Debug, Clone, PartialEq)]
pub struct With {
    /// `input.request.action`, a rule, or a function/builtin name.
    pub target: Expr,
    /// Replacement value.
    pub value: Expr,
}

/// An expression.
pub type Expr = Node<ExprKind>;

/// Binary operators, loosest first in [`BinOp::precedence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `in`
    In,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinOp {
    /// Binding strength: `in` 1, comparisons 2, `+ -` 3, `* / %` 4.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::In => 1,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 2,
            BinOp::Add | BinOp::Sub => 3,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 4,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::In => "in",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }
}

/// A piece of an interpolated string `f"text {expr} text"`.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    /// Literal text (escapes already decoded).
    Text(String),
    /// `{expr}`
    Hole(Expr),
}

/// Kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (f64; a leading `-` on a literal is folded in).
    Number(f64),
    /// A string literal (escapes decoded; raw strings too).
    String(String),
    /// `f"...{expr}..."`
    Interp(Vec<InterpPart>),
    /// A name: variable, rule, `input`, `data`, import alias.
    Var(String),
    /// `e.field`
    Dot(Box<Expr>, String),
    /// `e[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)`; `f` is a name or dotted name (`object.get`).
    Call(Box<Expr>, Vec<Expr>),
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `{a, b}` (non-empty; `set()` is the empty set)
    Set(Vec<Expr>),
    /// `{k: v}`
    Object(Vec<(Expr, Expr)>),
    /// `[term | body]`
    ArrayComp(Box<Expr>, Body),
    /// `{term | body}`
    SetComp(Box<Expr>, Body),
    /// `{key: value | body}`
    ObjectComp(Box<Expr>, Box<Expr>, Body),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `-e` (non-literal operand)
    Neg(Box<Expr>),
}

impl ExprKind {
    /// The dotted name of a `Var`/`Dot` chain (`object.get`, `data.a.b`), if it is one.
    pub fn dotted_name(&self) -> Option<Vec<&str>> {
        match self {
            ExprKind::Var(n) => Some(vec![n.as_str()]),
            ExprKind::Dot(base, field) => {
                let mut v = base.kind.dotted_name()?;
                v.push(field.as_str());
                Some(v)
            }
            _ => None,
        }
    }
}
