//! Runtime values. Cheap to clone (`Arc`-backed strings and collections: clone is O(1)),
//! totally ordered (`BTreeSet`/`BTreeMap`) so output is deterministic. "Undefined" is not
//! a value: it is the absence of a result (`Option<Value>` / no solution).
//!
//! Numbers are `f64`; integers print without `.0`. Cross-type order (as in Rego):
//! null < booleans < numbers < strings < arrays < sets < objects.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// A number: an `f64` with a total order (`-0.0` is stored as `0.0`; NaN never arises:
/// operations that would produce it are errors).
#[derive(Clone, Copy, Debug)]
pub struct Number(f64);

impl Number {
    /// Wraps `f`, normalising `-0.0`.
    pub fn new(f: f64) -> Self {
        Number(if f == 0.0 { 0.0 } else { f })
    }
    /// The float.
    pub fn get(self) -> f64 {
        self.0
    }
    /// The value as an integer, if it is one within `i64` range.
    pub fn as_i64(self) -> Option<i64> {
        let f = self.0;
        // 2^63 bounds: beyond them `as` would saturate.
        (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
    }
}

impl PartialEq for Number {
    fn eq(&self, o: &Self) -> bool {
        self.0.total_cmp(&o.0) == Ordering::Equal
    }
}
impl Eq for Number {}
impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Number {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_i64() {
            Some(i) if self.0.abs() < 1e15 => write!(f, "{i}"),
            _ => write!(f, "{}", self.0),
        }
    }
}

/// A rule-language value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(Arc<str>),
    /// An array.
    Array(Arc<Vec<Value>>),
    /// A set (JSON: a sorted array).
    Set(Arc<Set>),
    /// An object; keys are any value (JSON: non-string keys are written as their JSON text).
    Object(Arc<Object>),
}

/// An object's entries, sorted by key, keys unique. A sorted vector rather than a
/// `BTreeMap`: the rules' objects are small and built once (verdict views, JSON), then
/// read by key and iterated; one allocation instead of tree nodes, found by binary search,
/// freed in one go. The order (entry by entry, then length) is a `BTreeMap`'s.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Object(Vec<(Value, Value)>);

impl Object {
    /// From entries already sorted by key, keys unique (checked in debug builds).
    pub fn from_sorted(entries: Vec<(Value, Value)>) -> Object {
        debug_assert!(
            entries.windows(2).all(|w| w[0].0 < w[1].0),
            "object entries out of order"
        );
        Object(entries)
    }

    /// The value at `key`.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.find_from(key, usize::MAX).map(|(_, v)| v)
    }

    /// The value at `key` and where it is, looking at entry `guess` first.
    pub fn find_from(&self, key: &Value, guess: usize) -> Option<(usize, &Value)> {
        if let Some((k, v)) = self.0.get(guess) {
            if k == key {
                return Some((guess, v));
            }
        }
        let at = self.0.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some((at, &self.0[at].1))
    }

    /// The entries in key order.
    pub fn iter(&self) -> ObjectIter<'_> {
        ObjectIter(self.0.iter())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries as a map, to change.
    pub fn to_map(&self) -> BTreeMap<Value, Value> {
        self.0.iter().cloned().collect()
    }
}

/// A set's elements, sorted, unique: a sorted vector for the reasons an [`Object`] is one.
/// The order (element by element, then length) is a `BTreeSet`'s.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Set(Vec<Value>);

impl Set {
    /// Whether `v` is an element.
    pub fn contains(&self, v: &Value) -> bool {
        self.0.binary_search(v).is_ok()
    }

    /// The elements in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.0.iter()
    }

    /// How many elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The elements of both.
    pub fn union(&self, other: &Set) -> Set {
        self.merge(other, true, true, true)
    }

    /// The elements of both that are in each.
    pub fn intersection(&self, other: &Set) -> Set {
        self.merge(other, false, true, false)
    }

    /// The elements not in `other`.
    pub fn difference(&self, other: &Set) -> Set {
        self.merge(other, true, false, false)
    }

    /// One pass over both, keeping the elements only in `self`, in both, or only in
    /// `other` as asked.
    fn merge(&self, other: &Set, only_self: bool, both: bool, only_other: bool) -> Set {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        let mut out = Vec::new();
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.cmp(y) {
                    Ordering::Less => {
                        if only_self {
                            out.push((*x).clone());
                        }
                        a.next();
                    }
                    Ordering::Greater => {
                        if only_other {
                            out.push((*y).clone());
                        }
                        b.next();
                    }
                    Ordering::Equal => {
                        if both {
                            out.push((*x).clone());
                        }
                        a.next();
                        b.next();
                    }
                },
                (Some(_), None) if only_self => out.extend(a.by_ref().cloned()),
                (None, Some(_)) if only_other => out.extend(b.by_ref().cloned()),
                _ => break,
            }
        }
        Set(out)
    }
}

impl From<BTreeSet<Value>> for Set {
    fn from(s: BTreeSet<Value>) -> Set {
        Set(s.into_iter().collect())
    }
}

/// From elements in any order, repeats included.
impl FromIterator<Value> for Set {
    fn from_iter<I: IntoIterator<Item = Value>>(elements: I) -> Set {
        let mut v: Vec<Value> = elements.into_iter().collect();
        if !v.windows(2).all(|w| w[0] < w[1]) {
            v.sort();
            v.dedup();
        }
        Set(v)
    }
}

impl<'a> IntoIterator for &'a Set {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An object's entries in key order.
#[derive(Clone)]
pub struct ObjectIter<'a>(std::slice::Iter<'a, (Value, Value)>);

impl<'a> Iterator for ObjectIter<'a> {
    type Item = (&'a Value, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
}

impl From<BTreeMap<Value, Value>> for Object {
    fn from(m: BTreeMap<Value, Value>) -> Object {
        Object(m.into_iter().collect())
    }
}

/// From entries in any order: sorted by key, the last of equal keys kept (as collecting
/// a `BTreeMap` does).
impl FromIterator<(Value, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(entries: I) -> Object {
        let mut v: Vec<(Value, Value)> = entries.into_iter().collect();
        if !v.windows(2).all(|w| w[0].0 < w[1].0) {
            v.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(Value, Value)> = Vec::with_capacity(v.len());
            for e in v {
                match out.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => out.push(e),
                }
            }
            v = out;
        }
        Object(v)
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a Value, &'a Value);
    type IntoIter = ObjectIter<'a>;

    fn into_iter(self) -> ObjectIter<'a> {
        self.iter()
    }
}

/// The order of kinds: null, booleans, numbers, strings, arrays, sets, objects; within a
/// kind, by content. Shared values compare equal without a walk: rule values are shared
/// (`Arc`), and memo tables look up large ones (a verdict) by themselves.
impl Ord for Value {
    fn cmp(&self, o: &Self) -> Ordering {
        fn same<T: ?Sized + Ord>(a: &Arc<T>, b: &Arc<T>) -> Ordering {
            if Arc::ptr_eq(a, b) {
                Ordering::Equal
            } else {
                a.cmp(b)
            }
        }
        match (self, o) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => text_cmp(a, b),
            (Value::Array(a), Value::Array(b)) => same(a, b),
            (Value::Set(a), Value::Set(b)) => same(a, b),
            (Value::Object(a), Value::Object(b)) => same(a, b),
            _ => self.kind_rank().cmp(&o.kind_rank()),
        }
    }
}

/// Strings in byte order (which is the order of their characters): shared text is equal
/// without a look, and text that differs in its first byte (most object keys) is ordered
/// without a call to `memcmp`.
fn text_cmp(a: &Arc<str>, b: &Arc<str>) -> Ordering {
    if Arc::ptr_eq(a, b) {
        return Ordering::Equal;
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match (x.first(), y.first()) {
        (Some(p), Some(q)) if p != q => p.cmp(q),
        _ => x.cmp(y),
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// `PartialOrd`, `PartialEq` and `Eq` from a type's `Ord` (the memo keys' orders are
/// not their fields').
macro_rules! ordered_by_cmp {
    ($t:ty) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
                Some(self.cmp(o))
            }
        }

        impl PartialEq for $t {
            fn eq(&self, o: &Self) -> bool {
                self.cmp(o) == Ordering::Equal
            }
        }

        impl Eq for $t {}
    };
}

/// A key of a memo table (function results, decisions): a list of values compared in
/// an order that looks at the cheap parts first (scalars and sizes, then nested values),
/// so that two different large values, two statements of a verdict say, are told apart
/// at their first differing field instead of after a walk into their conditions. A memo
/// table needs a total order consistent with equality, not the language's order, and
/// never shows this one.
#[derive(Clone, Debug)]
pub struct MemoKey(pub Vec<Value>);

impl Ord for MemoKey {
    fn cmp(&self, o: &Self) -> Ordering {
        memo_seq(self.0.iter(), o.0.iter(), self.0.len(), o.0.len())
    }
}

ordered_by_cmp!(MemoKey);

/// Scalars by value (shared text without a look: `text_cmp`); collections by kind and
/// size only.
fn memo_shallow(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len().cmp(&y.len()),
        (Value::Set(x), Value::Set(y)) => x.len().cmp(&y.len()),
        (Value::Object(x), Value::Object(y)) => x.len().cmp(&y.len()),
        _ => a.cmp(b),
    }
}

/// The memo order: the shallow comparison, then the elements in that same order.
fn memo_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if !Arc::ptr_eq(x, y) => {
            memo_seq(x.iter(), y.iter(), x.len(), y.len())
        }
        (Value::Set(x), Value::Set(y)) if !Arc::ptr_eq(x, y) => {
            memo_seq(x.iter(), y.iter(), x.len(), y.len())
        }
        (Value::Object(x), Value::Object(y)) if !Arc::ptr_eq(x, y) => {
            memo_seq(entries(x), entries(y), x.len(), y.len())
        }
        (Value::Array(_), Value::Array(_))
        | (Value::Set(_), Value::Set(_))
        | (Value::Object(_), Value::Object(_)) => Ordering::Equal,
        _ => memo_shallow(a, b),
    }
}

/// A key of the function-call memo: the arguments by identity. Scalars compare by
/// value, collections by their address: a call with the very same collection (a verdict
/// from `s3.decide`, a statement of it, a rule's value) is found without a walk, while
/// an equal collection built anew is a miss and is computed again (the result is the
/// same: functions are pure). The table holds its keys, so an address it holds is never
/// reused for another collection while the key lives.
#[derive(Clone, Debug)]
pub struct IdKey(pub Vec<Value>);

impl Ord for IdKey {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.len().cmp(&o.0.len()).then_with(|| {
            self.0
                .iter()
                .zip(o.0.iter())
                .map(|(a, b)| id_cmp(a, b))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    }
}

ordered_by_cmp!(IdKey);

fn id_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => Arc::as_ptr(x).cmp(&Arc::as_ptr(y)),
        (Value::Set(x), Value::Set(y)) => Arc::as_ptr(x).cmp(&Arc::as_ptr(y)),
        (Value::Object(x), Value::Object(y)) => Arc::as_ptr(x).cmp(&Arc::as_ptr(y)),
        _ => a.cmp(b),
    }
}

/// An object's keys and values, in turn.
fn entries(m: &Object) -> impl Iterator<Item = &Value> + Clone {
    m.iter().flat_map(|(k, v)| [k, v])
}

/// Sequences: length, then every element's shallow comparison, then every element's
/// full one. A total order: the same as comparing (length, shallow parts, elements)
/// lexicographically.
fn memo_seq<'a, I>(xs: I, ys: I, xn: usize, yn: usize) -> Ordering
where
    I: Iterator<Item = &'a Value> + Clone,
{
    xn.cmp(&yn)
        .then_with(|| {
            xs.clone()
                .zip(ys.clone())
                .map(|(a, b)| memo_shallow(a, b))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
        .then_with(|| {
            xs.zip(ys)
                .map(|(a, b)| memo_cmp(a, b))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
}

impl Value {
    fn kind_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Set(_) => 5,
            Value::Object(_) => 6,
        }
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }
    /// A number value.
    pub fn num(f: f64) -> Value {
        Value::Number(Number::new(f))
    }
    /// An array value.
    pub fn array(v: Vec<Value>) -> Value {
        Value::Array(Arc::new(v))
    }
    /// A set value.
    pub fn set(v: BTreeSet<Value>) -> Value {
        Value::Set(Arc::new(Set::from(v)))
    }
    /// A set value.
    pub fn from_set(s: Set) -> Value {
        Value::Set(Arc::new(s))
    }
    /// A set value from elements in any order.
    pub fn set_of(elements: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(Arc::new(elements.into_iter().collect()))
    }
    /// An object value.
    pub fn object(v: BTreeMap<Value, Value>) -> Value {
        Value::Object(Arc::new(Object::from(v)))
    }
    /// An object value from entries sorted by key, keys unique.
    pub fn object_sorted(entries: Vec<(Value, Value)>) -> Value {
        Value::Object(Arc::new(Object::from_sorted(entries)))
    }

    /// The type's name as `type_name` returns it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Set(_) => "set",
            Value::Object(_) => "object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Looks up a key: object field, array index, or set member. `None` is undefined.
    pub fn get(&self, key: &Value) -> Option<Value> {
        match (self, key) {
            (Value::Object(m), k) => m.get(k).cloned(),
            (Value::Array(a), Value::Number(n)) => n
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| a.get(i).cloned()),
            (Value::Set(s), k) => s.contains(k).then(|| k.clone()),
            _ => None,
        }
    }

    /// Converts from JSON.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::num(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Object(Arc::new(
                o.iter()
                    .map(|(k, v)| (Value::str(k), Value::from_json(v)))
                    .collect(),
            )),
        }
    }

    /// Converts to JSON: sets become sorted arrays; integers become JSON integers.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => serde_json::Value::from(i),
                None => serde_json::Number::from_f64(n.get())
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
            },
            // `String::from(&str)`, not `to_string`: an `Arc<str>` goes through `Display`.
            Value::String(s) => serde_json::Value::String(String::from(&**s)),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Set(s) => serde_json::Value::Array(s.iter().map(Value::to_json).collect()),
            Value::Object(o) => serde_json::Value::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::String(s) => String::from(&**s),
                            other => other.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// Text for interpolation and `%s`: strings as they are, anything else as JSON.
    pub fn to_text(&self) -> String {
        match self {
            Value::String(s) => String::from(&**s),
            Value::Number(n) => n.to_string(),
            other => other.to_json().to_string(),
        }
    }

    /// The texts of `parts` joined ([`Value::to_text`] each), into one string.
    pub fn join_texts(parts: &[Value]) -> String {
        let mut out = String::new();
        for part in parts {
            match part {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_text()),
            }
        }
        out
    }
}

impl From<&serde_json::Value> for Value {
    fn from(j: &serde_json::Value) -> Self {
        Value::from_json(j)
    }
}

impl fmt::Display for Value {
    /// JSON text (sets as arrays).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo order is a total order that agrees with equality: every pair of a
    /// varied set compares as equal exactly when the values are equal, the order is
    /// antisymmetric, and sorting by it is transitive (each sorted neighbour pair holds).
    #[test]
    fn memo_order_is_total_and_agrees_with_equality() {
        let j = |t: &str| Value::from_json(&serde_json::from_str(t).unwrap_or_default());
        let texts = [
            "null",
            "true",
            "false",
            "1",
            "2",
            "\"a\"",
            "\"b\"",
            "[]",
            "[1]",
            "[2]",
            "[1, [2]]",
            "[1, [3]]",
            "[[3], 1]",
            "{}",
            "{\"a\": 1}",
            "{\"a\": 2}",
            "{\"b\": 1}",
            "{\"a\": [1], \"z\": \"x\"}",
            "{\"a\": [2], \"z\": \"x\"}",
            "{\"a\": [1], \"z\": \"y\"}",
            "{\"a\": {\"b\": [1, 2]}}",
        ];
        let mut values: Vec<Value> = texts.iter().map(|t| j(t)).collect();
        values.push(Value::set([Value::num(1.0)].into_iter().collect()));
        values.push(Value::set([Value::num(2.0)].into_iter().collect()));
        // Equal content in a different allocation.
        values.push(j("{\"a\": [1], \"z\": \"x\"}"));
        let key = |v: &Value| MemoKey(vec![v.clone()]);
        for a in &values {
            for b in &values {
                let (ab, ba) = (key(a).cmp(&key(b)), key(b).cmp(&key(a)));
                assert_eq!(ab == Ordering::Equal, a == b, "{a} vs {b}");
                assert_eq!(ab, ba.reverse(), "{a} vs {b}");
            }
        }
        let mut sorted: Vec<MemoKey> = values.iter().map(key).collect();
        sorted.sort();
        for w in sorted.windows(2) {
            assert!(w[0] <= w[1]);
        }
        for (i, a) in sorted.iter().enumerate() {
            for b in &sorted[i..] {
                assert!(a <= b, "{:?} after {:?}", a, b);
            }
        }
    }

    /// The call memo's key compares collections by identity and scalars by value: the
    /// same collection is equal to itself, an equal one built anew is not (a miss, never
    /// a wrong hit), and the order is total over a mix of both.
    #[test]
    fn id_keys_compare_collections_by_identity() {
        let j = |t: &str| Value::from_json(&serde_json::from_str(t).unwrap_or_default());
        let verdict = j("{\"decision\": \"denied\", \"gates\": []}");
        let same = verdict.clone();
        let rebuilt = j("{\"decision\": \"denied\", \"gates\": []}");
        let key = |vs: &[&Value]| IdKey(vs.iter().map(|v| (*v).clone()).collect());
        assert_eq!(key(&[&verdict]), key(&[&same]));
        assert_ne!(key(&[&verdict]), key(&[&rebuilt]));
        assert_eq!(
            key(&[&Value::str("p"), &verdict]),
            key(&[&Value::str("p"), &same])
        );
        assert_ne!(
            key(&[&Value::str("p"), &verdict]),
            key(&[&Value::str("q"), &verdict])
        );
        assert_ne!(key(&[&verdict]), key(&[&verdict, &verdict]));
        let values = [
            verdict,
            rebuilt,
            Value::str("a"),
            Value::num(1.0),
            Value::Null,
        ];
        let mut keys: Vec<IdKey> = values.iter().map(|v| key(&[v])).collect();
        keys.sort();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i..] {
                assert!(a <= b, "{a:?} after {b:?}");
                assert_eq!(b.cmp(a), a.cmp(b).reverse());
            }
        }
    }

    /// Strings order by their bytes, which is the order of their characters (Unicode
    /// scalar values), whether they differ in their first byte or later, or share text.
    #[test]
    fn strings_order_by_characters() {
        let words = ["", "a", "ab", "abc", "b", "ba", "z", "é", "éa", "ü", "中"];
        let values: Vec<Value> = words.iter().map(|w| Value::str(w)).collect();
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                let chars = words[i].chars().cmp(words[j].chars());
                assert_eq!(a.cmp(b), chars, "{:?} vs {:?}", words[i], words[j]);
            }
        }
        let shared = Value::str("same");
        assert_eq!(shared.cmp(&shared.clone()), Ordering::Equal);
    }

    /// An object collected from entries in any order, equal keys included, is the one a
    /// `BTreeMap` gives (the last of equal keys kept), finds every key, and orders against
    /// other objects as their maps do.
    #[test]
    fn objects_are_sorted_maps() {
        let n = |i: u32| Value::num(f64::from(i));
        let inputs: Vec<Vec<(Value, Value)>> = vec![
            vec![],
            vec![(Value::str("b"), n(1)), (Value::str("a"), n(2))],
            vec![
                (Value::str("a"), n(1)),
                (Value::str("a"), n(2)),
                (Value::str("c"), n(3)),
            ],
            vec![
                (n(3), n(0)),
                (Value::str("x"), n(1)),
                (Value::Null, n(2)),
                (n(3), n(9)),
            ],
            vec![(Value::str("a"), n(1)), (Value::str("b"), n(2))],
            vec![(Value::str("a"), n(1))],
        ];
        let maps: Vec<BTreeMap<Value, Value>> =
            inputs.iter().map(|i| i.iter().cloned().collect()).collect();
        let objects: Vec<Object> = inputs.iter().map(|i| i.iter().cloned().collect()).collect();
        for (m, o) in maps.iter().zip(&objects) {
            assert_eq!(o, &Object::from(m.clone()));
            assert_eq!(o.len(), m.len());
            for (k, v) in m {
                assert_eq!(o.get(k), Some(v));
            }
            assert_eq!(o.get(&Value::str("absent")), None);
            // Wherever the search starts (a stale place, past the end), it finds the
            // same entry, and says where.
            for (at, (k, v)) in m.iter().enumerate() {
                for guess in [0, at, at + 1, m.len(), usize::MAX] {
                    assert_eq!(o.find_from(k, guess), Some((at, v)));
                }
            }
            assert_eq!(o.find_from(&Value::str("absent"), 0), None);
            assert_eq!(&o.to_map(), m);
        }
        for (i, a) in objects.iter().enumerate() {
            for (j, b) in objects.iter().enumerate() {
                assert_eq!(a.cmp(b), maps[i].cmp(&maps[j]), "{a:?} vs {b:?}");
            }
        }
    }

    /// A set collected from elements in any order, repeats included, is the one a
    /// `BTreeSet` gives; its union, intersection, difference, membership and order against
    /// other sets are a `BTreeSet`'s.
    #[test]
    fn sets_are_sorted_sets() {
        let n = |i: u32| Value::num(f64::from(i));
        let inputs: Vec<Vec<Value>> = vec![
            vec![],
            vec![n(2), n(1), n(2)],
            vec![n(1), n(3), Value::str("a"), Value::Null],
            vec![n(1), n(2)],
            vec![Value::str("a"), n(3), n(5), n(4)],
            vec![n(1)],
        ];
        let tree: Vec<BTreeSet<Value>> =
            inputs.iter().map(|i| i.iter().cloned().collect()).collect();
        let sets: Vec<Set> = inputs.iter().map(|i| i.iter().cloned().collect()).collect();
        let same = |s: &Set, t: &BTreeSet<Value>| s.iter().eq(t.iter()) && s.len() == t.len();
        for (i, a) in sets.iter().enumerate() {
            assert!(same(a, &tree[i]));
            assert_eq!(a, &Set::from(tree[i].clone()));
            for v in [n(1), n(2), n(3), Value::str("a"), Value::Null, n(9)] {
                assert_eq!(a.contains(&v), tree[i].contains(&v));
            }
            for (j, b) in sets.iter().enumerate() {
                let (x, y) = (&tree[i], &tree[j]);
                assert!(same(&a.union(b), &x.union(y).cloned().collect()));
                assert!(same(
                    &a.intersection(b),
                    &x.intersection(y).cloned().collect()
                ));
                assert!(same(&a.difference(b), &x.difference(y).cloned().collect()));
                assert_eq!(a.cmp(b), x.cmp(y));
            }
        }
    }

    #[test]
    fn size_budget() {
        // Arc<str> is a fat pointer: 16 bytes + tag.
        assert!(std::mem::size_of::<Value>() <= 24);
    }

    #[test]
    fn json_round_trip_and_order() {
        let j = serde_json::json!({"b": [1, 2.5, "x"], "a": null});
        let v = Value::from_json(&j);
        assert_eq!(v.to_json().to_string(), r#"{"a":null,"b":[1,2.5,"x"]}"#);
        assert!(Value::Null < Value::Bool(false));
        assert!(Value::num(10.0) < Value::str("1"));
        assert_eq!(Value::num(-0.0), Value::num(0.0));
        assert_eq!(Value::num(3.0).to_text(), "3");
    }
}
