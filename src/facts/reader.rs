//! A strict reader over a JSON value that knows where it is: every error carries the
//! path of the field and says what was expected.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::aws::field::{check_keys, index, join, type_name, FieldError};

/// An object being read, with its path.
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
}

impl<'a> Obj<'a> {
    /// Reads `value` as an object whose keys are all in `allowed`.
    pub fn new(value: &'a Value, path: &str, allowed: &[&str]) -> Result<Obj<'a>, FieldError> {
        let Some(map) = value.as_object() else {
            return Err(FieldError::new(
                path,
                format!("expected an object, found {}", type_name(value)),
            ));
        };
        check_keys(path, map, allowed)?;
        Ok(Obj {
            map,
            path: path.to_string(),
        })
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// A present, non-null field.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn required(&self, key: &str) -> Result<&'a Value, FieldError> {
        self.get(key)
            .ok_or_else(|| FieldError::new(&self.path_of(key), "missing: this field is required"))
    }

    /// A string field (numbers are accepted as their text, e.g. account ids in YAML).
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.get(key)
            .map(|v| scalar_text(v, &self.path_of(key)))
            .transpose()
    }

    pub fn str(&self, key: &str) -> Result<String, FieldError> {
        scalar_text(self.required(key)?, &self.path_of(key))
    }

    /// A boolean field; `"true"`/`"false"` strings are accepted.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(FieldError::new(
                &self.path_of(key),
                format!("expected true or false, found {other}"),
            )),
        }
    }

    /// A list field (a single item is accepted as a list of one).
    pub fn list(&self, key: &str) -> Vec<(String, &'a Value)> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (index(&path, i), v))
                .collect(),
            Some(v) => vec![(path, v)],
        }
    }

    /// A map of strings (tags).
    pub fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, FieldError> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), scalar_text(v, &join(&path, k))?)))
                .collect(),
            Some(other) => Err(FieldError::new(
                &path,
                format!("expected an object, found {}", type_name(other)),
            )),
        }
    }
}

/// A string, or a number or boolean read as its text.
pub fn scalar_text(v: &Value, path: &str) -> Result<String, FieldError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(FieldError::new(
            path,
            format!("expected a string, found {}", type_name(other)),
        )),
    }
}

/// Unwraps an AWS CLI response wrapper (`{"Policy": "..."}`, `{"OwnershipControls": {...}}`)
/// so users can paste `aws ...` output as it is.
pub fn unwrap_cli<'a>(v: &'a Value, wrapper: &str) -> (&'a Value, bool) {
    match v.as_object() {
        Some(m)
            if m.contains_key(wrapper) && m.keys().all(|k| k == wrapper || k == "PolicyName") =>
        {
            (m.get(wrapper).unwrap_or(v), true)
        }
        _ => (v, false),
    }
}
