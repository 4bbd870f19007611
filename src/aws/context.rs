//! The request context: the condition keys AWS hands to condition evaluation.
//!
//! Key names are case-insensitive (reference_policies_variables.html), so keys are stored
//! lower-cased and the original spelling is kept for traces. A key the request does not
//! carry is absent, never an empty string (facts.md).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

/// The value of one context key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (for example `s3:RequestObjectTagKeys`).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice, whatever the arity.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(vs) => vs,
        }
    }
}

/// A key as first written, and its value.
type Entry = (String, ContextValue);

/// A request context.
///
/// The keys live in a shared `base`; a context derived from another (a counterfactual
/// request's, made from the record's own: `request_context::s3_context_after`) shares
/// that base and keeps only what it changes in `over`, so that deriving copies nothing.
/// A context built on its own has an empty `over`.
#[derive(Clone, Default)]
pub struct Context {
    /// lower-cased key → (key as first written, value). Ordered for stable traces.
    base: Arc<BTreeMap<String, Entry>>,
    /// Over `base`: keys set (`Some`) or removed (`None`) since it was shared.
    over: BTreeMap<String, Option<Entry>>,
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key, replacing any earlier value.
    pub fn set(&mut self, key: &str, value: ContextValue) {
        self.put(key.to_ascii_lowercase(), Some((key.to_string(), value)));
    }

    /// Sets a single-valued key.
    pub fn set_str(&mut self, key: &str, value: impl Into<String>) {
        self.set(key, ContextValue::Single(value.into()));
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        self.put(key.to_ascii_lowercase(), None);
    }

    /// Writes `folded`'s entry: into the base while this context alone holds it and has
    /// changed nothing over it, else over it.
    fn put(&mut self, folded: String, entry: Option<Entry>) {
        if self.over.is_empty() {
            if let Some(base) = Arc::get_mut(&mut self.base) {
                match entry {
                    Some(e) => base.insert(folded, e),
                    None => base.remove(&folded),
                };
                return;
            }
        }
        self.over.insert(folded, entry);
    }

    /// Looks a key up, case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get_folded(&key.to_ascii_lowercase())
        } else {
            self.get_folded(key)
        }
    }

    /// Looks a key already in lower case up.
    pub fn get_folded(&self, folded: &str) -> Option<&ContextValue> {
        match self.over.get(folded) {
            Some(entry) => entry.as_ref().map(|(_, v)| v),
            None => self.base.get(folded).map(|(_, v)| v),
        }
    }

    /// A single-valued key's value (None for absent or multivalued keys).
    pub fn single(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            ContextValue::Single(v) => Some(v),
            ContextValue::Multi(_) => None,
        }
    }

    /// The keys (lower case, sorted) whose value differs between the two contexts,
    /// counting a key that only one of them has.
    pub fn changed_keys(&self, other: &Context) -> Vec<String> {
        // Derived from `other` as it was built: only what was written over it can differ.
        if Arc::ptr_eq(&self.base, &other.base) && other.over.is_empty() {
            return self
                .over
                .iter()
                .filter(|(k, entry)| {
                    entry.as_ref().map(|(_, v)| v) != self.base.get(*k).map(|(_, v)| v)
                })
                .map(|(k, _)| k.clone())
                .collect();
        }
        let mut changed = Vec::new();
        let (mut a, mut b) = (self.entries().peekable(), other.entries().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some((k, _)), None) => {
                    changed.push((*k).clone());
                    a.next();
                }
                (None, Some((k, _))) => {
                    changed.push((*k).clone());
                    b.next();
                }
                (Some((ka, (_, va))), Some((kb, (_, vb)))) => match ka.cmp(kb) {
                    std::cmp::Ordering::Less => {
                        changed.push((*ka).clone());
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        changed.push((*kb).clone());
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if va != vb {
                            changed.push((*ka).clone());
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
        changed
    }

    /// Every key with its value, keys as first written, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries().map(|(_, (k, v))| (k.as_str(), v))
    }

    /// Every key in lower case, as first written, and its value, in key order.
    pub fn iter_folded(&self) -> impl Iterator<Item = (&str, &str, &ContextValue)> {
        self.entries()
            .map(|(folded, (k, v))| (folded.as_str(), k.as_str(), v))
    }

    /// Every (lower-cased key, entry), the base's merged with what is over it.
    fn entries(&self) -> Entries<'_> {
        Entries {
            base: self.base.iter().peekable(),
            over: self.over.iter().peekable(),
        }
    }
}

/// The entries of a context in key order: those over the base win, and a removed key
/// is skipped.
struct Entries<'a> {
    base: std::iter::Peekable<std::collections::btree_map::Iter<'a, String, Entry>>,
    over: std::iter::Peekable<std::collections::btree_map::Iter<'a, String, Option<Entry>>>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a String, &'a Entry);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let order = match (self.base.peek(), self.over.peek()) {
                (None, None) => return None,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((kb, _)), Some((ko, _))) => kb.cmp(ko),
            };
            // The same key in both: the base's entry is replaced (or removed).
            if order == std::cmp::Ordering::Equal {
                self.base.next();
            }
            let from_over = order != std::cmp::Ordering::Less;
            if !from_over {
                return self.base.next();
            }
            if let Some((k, Some(entry))) = self.over.next() {
                return Some((k, entry));
            }
        }
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.entries().eq(other.entries())
    }
}

impl Eq for Context {}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("entries", &self.entries().collect::<BTreeMap<_, _>>())
            .finish()
    }
}

impl Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Condition key names are case-insensitive: aws:CurrentTime = AWS:currenttime
    // (reference_policies_variables.html).
    #[test]
    fn keys_are_case_insensitive() {
        let mut c = Context::new();
        c.set_str("aws:SourceIp", "203.0.113.7");
        assert_eq!(c.single("AWS:SOURCEIP"), Some("203.0.113.7"));
        assert_eq!(c.single("aws:sourceip"), Some("203.0.113.7"));
        c.remove("AWS:SourceIP");
        assert!(c.get("aws:SourceIp").is_none());
    }

    /// A context derived from another (sharing its keys, with changes over them) reads,
    /// iterates, compares and prints as the same context built anew.
    #[test]
    fn a_derived_context_is_the_context_built_anew() {
        let mut own = Context::new();
        for (k, v) in [
            ("aws:SourceIp", "203.0.113.7"),
            ("aws:SecureTransport", "true"),
            ("s3:x-amz-acl", "private"),
            ("s3:x-amz-storage-class", "STANDARD"),
        ] {
            own.set_str(k, v);
        }
        let mut derived = own.clone();
        derived.remove("s3:x-amz-acl");
        derived.set_str("s3:x-amz-server-side-encryption", "AES256");
        derived.set_str("AWS:SourceIP", "198.51.100.1");
        derived.remove("aws:SourceVpce"); // absent in both: no change
        derived.set_str("s3:x-amz-grant-read", "id=1");
        derived.remove("s3:x-amz-grant-read"); // set, then removed again
        let mut anew = Context::new();
        for (k, v) in [
            ("aws:SecureTransport", "true"),
            ("AWS:SourceIP", "198.51.100.1"),
            ("s3:x-amz-server-side-encryption", "AES256"),
            ("s3:x-amz-storage-class", "STANDARD"),
        ] {
            anew.set_str(k, v);
        }
        assert_eq!(derived, anew);
        assert_eq!(format!("{derived:?}"), format!("{anew:?}"));
        let keys = |c: &Context| c.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>();
        assert_eq!(keys(&derived), keys(&anew));
        assert_eq!(derived.single("aws:sourceip"), Some("198.51.100.1"));
        assert!(derived.get("s3:x-amz-acl").is_none());
        assert!(derived.get("s3:x-amz-grant-read").is_none());
        // The own context is untouched.
        assert_eq!(own.single("s3:x-amz-acl"), Some("private"));
        let want = [
            "aws:sourceip",
            "s3:x-amz-acl",
            "s3:x-amz-server-side-encryption",
        ];
        assert_eq!(derived.changed_keys(&own), want);
        assert_eq!(anew.changed_keys(&own), want);
        assert_eq!(own.changed_keys(&derived), want);
    }

    #[test]
    fn changed_keys_are_those_added_removed_or_given_another_value() {
        let mut a = Context::new();
        a.set_str("aws:SourceIp", "203.0.113.7");
        a.set_str("aws:SecureTransport", "true");
        a.set_str("s3:x-amz-acl", "private");
        let mut b = a.clone();
        assert!(a.changed_keys(&b).is_empty());
        b.set_str("AWS:SOURCEIP", "198.51.100.1");
        b.remove("s3:x-amz-acl");
        b.set_str("aws:SourceVpce", "vpce-1");
        b.set_str("aws:securetransport", "true");
        let want = ["aws:sourceip", "aws:sourcevpce", "s3:x-amz-acl"];
        assert_eq!(a.changed_keys(&b), want);
        assert_eq!(b.changed_keys(&a), want);
    }
}
