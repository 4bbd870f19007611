//! The request context: the condition keys AWS hands to condition evaluation.
//!
//! Key names are case-insensitive (reference_policies_variables.html), so keys are stored
//! lower-cased and the original spelling is kept for traces. A key the request does not
//! carry is absent, never an empty string (facts.md).

use std::collections::BTreeMap;

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

/// A request context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// lower-cased key → (key as first written, value). Ordered for stable traces.
    entries: BTreeMap<String, (String, ContextValue)>,
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key, replacing any earlier value.
    pub fn set(&mut self, key: &str, value: ContextValue) {
        self.entries
            .insert(key.to_ascii_lowercase(), (key.to_string(), value));
    }

    /// Sets a single-valued key.
    pub fn set_str(&mut self, key: &str, value: impl Into<String>) {
        self.set(key, ContextValue::Single(value.into()));
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_ascii_lowercase());
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
        self.entries.get(folded).map(|(_, v)| v)
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
        let mut changed = Vec::new();
        let (mut a, mut b) = (
            self.entries.iter().peekable(),
            other.entries.iter().peekable(),
        );
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
        self.entries.values().map(|(k, v)| (k.as_str(), v))
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
