//! Compiled policies by content. A batch repeats the same managed policies, SCPs and
//! bucket policies across thousands of records (every uploader of an account has the
//! same group policies); each thread parses and compiles each distinct policy once.
//!
//! The key is the policy's JSON, its type and its path in the document (statements carry
//! their path); a hit is checked for equality, so a hash collision cannot return another
//! policy. The cache is bounded: it is emptied when it holds [`MAX_POLICIES`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

use crate::aws::field::FieldError;
use crate::aws::policy::{Policy, PolicyType};

const MAX_POLICIES: usize = 2048;

struct Entry {
    kind: PolicyType,
    path: String,
    document: Value,
    policy: Policy,
}

/// A key seen once holds no copy (most policies of a varied batch are seen once); the
/// second time, the policy is kept.
enum Slot {
    Seen,
    Kept(Vec<Entry>),
}

thread_local! {
    static CACHE: RefCell<HashMap<u64, Slot>> = RefCell::new(HashMap::new());
}

/// [`Policy::parse`], once per distinct (document, type, path) a thread.
pub fn parse(document: &Value, kind: PolicyType, path: &str) -> Result<Policy, FieldError> {
    let mut h = DefaultHasher::new();
    hash_value(document, &mut h);
    kind.as_str().hash(&mut h);
    path.hash(&mut h);
    let key = h.finish();
    let hit = CACHE.with(|c| match c.borrow().get(&key) {
        Some(Slot::Kept(entries)) => entries
            .iter()
            .find(|e| e.kind == kind && e.path == path && e.document == *document)
            .map(|e| e.policy.clone()),
        _ => None,
    });
    if let Some(policy) = hit {
        return Ok(policy);
    }
    let policy = Policy::parse(document, kind, path)?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_POLICIES {
            c.clear();
        }
        let entry = Entry {
            kind,
            path: path.to_string(),
            document: document.clone(),
            policy: policy.clone(),
        };
        match c.get_mut(&key) {
            None => {
                c.insert(key, Slot::Seen);
            }
            Some(slot @ Slot::Seen) => *slot = Slot::Kept(vec![entry]),
            Some(Slot::Kept(entries)) => entries.push(entry),
        }
    });
    Ok(policy)
}

/// A hash of a JSON value; object members in their order (equal values written in
/// another order only miss the cache).
fn hash_value(v: &Value, h: &mut DefaultHasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => (2u8, n.as_f64().map(f64::to_bits), n.as_i64()).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            items.iter().for_each(|i| hash_value(i, h));
        }
        Value::Object(m) => {
            (5u8, m.len()).hash(h);
            for (k, v) in m {
                k.hash(h);
                hash_value(v, h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_policy_at_another_path_or_type_is_compiled_again() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        // Seen once, compiled again and kept the second time, shared the third.
        parse(&doc, PolicyType::Identity, "identity.policies[0].document").unwrap();
        let a = parse(&doc, PolicyType::Identity, "identity.policies[0].document").unwrap();
        let b = parse(&doc, PolicyType::Identity, "identity.policies[0].document").unwrap();
        assert!(
            std::sync::Arc::ptr_eq(&a.statements, &b.statements),
            "a hit shares"
        );
        let c = parse(&doc, PolicyType::Identity, "identity.policies[1].document").unwrap();
        assert_eq!(&*c.path, "identity.policies[1].document");
        assert_eq!(
            &*c.statements[0].path,
            "identity.policies[1].document.Statement[0]"
        );
        let d = parse(&doc, PolicyType::Scp, "identity.policies[0].document").unwrap();
        assert!(!std::sync::Arc::ptr_eq(&a.statements, &d.statements));
        // Errors are not cached: the second read reports the same error.
        let bad = json!({"Version": "2012-10-17"});
        assert_eq!(
            parse(&bad, PolicyType::Identity, "p").unwrap_err(),
            parse(&bad, PolicyType::Identity, "p").unwrap_err()
        );
    }
}
