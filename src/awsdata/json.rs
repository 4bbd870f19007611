//! Reading AWS CLI output: a JSON file that knows its name, and a lenient, located reader
//! over it. Lenient because AWS adds response fields over time and a new field must not
//! break a user's pasted output; located because every error names the file and the
//! JSON path (`auth.json: UserDetailList[3].AttachedManagedPolicies[0].PolicyArn: ...`).

use std::path::Path;

use serde_json::Value;

use super::DataError;
use crate::aws::field::{index, join, type_name};

/// One AWS CLI output file, parsed.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The name errors use (the path as the user gave it).
    pub name: String,
    pub value: Value,
}

/// The error code of the AWS CLI's error text (`An error occurred (CODE) when calling
/// ...`), saved where its JSON output was expected (`aws ... > f 2>&1`).
fn cli_error_code(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let rest = t.strip_prefix("An error occurred (")?;
    rest.split_once(')').map(|(code, _)| code)
}

impl Doc {
    /// Reads and parses a JSON file.
    pub fn read(path: &Path) -> Result<Doc, DataError> {
        let name = path.display().to_string();
        let text = crate::text::read(path)
            .map_err(|e| DataError::new(&name, "", format!("cannot read: {e}")))?;
        Doc::from_text(&name, &text)
    }

    /// Parses JSON text; a syntax error (a cut-off file included) gives line and column.
    pub fn from_text(name: &str, text: &str) -> Result<Doc, DataError> {
        if text.trim().is_empty() {
            return Err(DataError::new(
                name,
                "",
                "the file is empty: did the command that fills it fail? (the AWS CLI prints \
                 its error on standard error)",
            ));
        }
        if let Some(code) = cli_error_code(text) {
            let what = if code.starts_with("NoSuch") || code.ends_with("NotFoundError") {
                "AWS's way of saying the setting is not set: leave the file out"
            } else {
                "the command failed: run it again with the rights it needs"
            };
            return Err(DataError::new(
                name,
                "",
                format!("the file holds the AWS CLI's error ({code}), not its output: {what}"),
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = message
                .find(" at line ")
                .map_or(message.as_str(), |i| &message[..i])
                .to_string();
            let hint = if e.is_eof() {
                " (the file is cut off: was the command interrupted?)"
            } else {
                ""
            };
            DataError::new(
                &format!(
                    "{name}:{}:{}",
                    e.line(),
                    crate::text::char_column(text, e.line(), e.column().max(1))
                ),
                "",
                format!("invalid JSON: {message}{hint}"),
            )
        })?;
        Ok(Doc {
            name: name.to_string(),
            value,
        })
    }

    /// The reader at the top of the document.
    pub fn root(&self) -> Node<'_> {
        Node {
            file: &self.name,
            value: &self.value,
            path: String::new(),
        }
    }
}

/// A value inside a [`Doc`], with its path.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub file: &'a str,
    pub value: &'a Value,
    pub path: String,
}

impl<'a> Node<'a> {
    /// An error at this node.
    pub fn err(&self, message: impl Into<String>) -> DataError {
        DataError::new(self.file, &self.path, message)
    }

    fn child(&self, key: &str, value: &'a Value) -> Node<'a> {
        Node {
            file: self.file,
            value,
            path: join(&self.path, key),
        }
    }

    /// A present, non-null field of this object. This value not being an object is an
    /// error: `{"PublicAccessBlockConfiguration": true}` must not read as "nothing set".
    pub fn get(&self, key: &str) -> Result<Option<Node<'a>>, DataError> {
        match self.value.as_object() {
            Some(m) => Ok(m
                .get(key)
                .filter(|v| !v.is_null())
                .map(|v| self.child(key, v))),
            None => Err(self.err(format!(
                "expected an object, found {}",
                type_name(self.value)
            ))),
        }
    }

    /// A required field; the error names what the AWS command returns there.
    pub fn req(&self, key: &str) -> Result<Node<'a>, DataError> {
        self.get(key)?.ok_or_else(|| {
            DataError::new(
                self.file,
                &join(&self.path, key),
                "missing: the AWS CLI output has this field",
            )
        })
    }

    /// This value as a string.
    pub fn str(&self) -> Result<&'a str, DataError> {
        self.value.as_str().ok_or_else(|| {
            self.err(format!(
                "expected a string, found {}",
                type_name(self.value)
            ))
        })
    }

    /// A required string field.
    pub fn req_str(&self, key: &str) -> Result<&'a str, DataError> {
        self.req(key)?.str()
    }

    /// An optional string field.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, DataError> {
        self.get(key)?.map(|n| n.str()).transpose()
    }

    /// An optional boolean field (`true`/`false`, or their strings).
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, DataError> {
        match self.get(key)? {
            None => Ok(None),
            Some(n) => match n.value {
                Value::Bool(b) => Ok(Some(*b)),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                other => Err(n.err(format!("expected true or false, found {other}"))),
            },
        }
    }

    /// This value as an array of nodes.
    pub fn items(&self) -> Result<Vec<Node<'a>>, DataError> {
        let Some(items) = self.value.as_array() else {
            return Err(self.err(format!(
                "expected an array, found {}",
                type_name(self.value)
            )));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                file: self.file,
                value: v,
                path: index(&self.path, i),
            })
            .collect())
    }

    /// An optional array field (absent = empty).
    pub fn list(&self, key: &str) -> Result<Vec<Node<'a>>, DataError> {
        match self.get(key)? {
            None => Ok(Vec::new()),
            Some(n) => n.items(),
        }
    }

    /// A policy document as AWS returns it: an object (the AWS CLI decodes IAM's
    /// documents), a JSON string (S3, KMS, EC2, Organizations), or the URL-encoded string
    /// IAM's API returns (RFC 3986, get-account-authorization-details).
    pub fn policy_document(&self) -> Result<Value, DataError> {
        match self.value {
            Value::Object(_) => Ok(self.value.clone()),
            Value::String(s) => {
                let text = if s.trim_start().starts_with('{') {
                    s.clone()
                } else {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8()
                        .map_err(|_| self.err("not a policy document: bad URL-encoding"))?
                        .into_owned()
                };
                let doc: Value = serde_json::from_str(&text).map_err(|e| {
                    self.err(format!(
                        "not a JSON policy document (nor a URL-encoded one): {e}"
                    ))
                })?;
                if doc.is_object() {
                    Ok(doc)
                } else {
                    Err(self.err("expected a policy document (a JSON object)"))
                }
            }
            other => Err(self.err(format!(
                "expected a policy document (an object or a JSON string), found {}",
                type_name(other)
            ))),
        }
    }

    /// Fails on a page of a paginated answer that has more pages: `IsTruncated` (IAM),
    /// `Truncated` (KMS), or a `NextToken`/`NextMarker` (EC2, Organizations, the CLI's
    /// `--max-items`). A partial list would silently drop principals or policies.
    pub fn check_complete(&self) -> Result<(), DataError> {
        for flag in ["IsTruncated", "Truncated"] {
            if self.opt_bool(flag)? == Some(true) {
                let marker = self
                    .opt_str("Marker")?
                    .or(self.opt_str("NextMarker")?)
                    .map(|m| format!(" (next Marker {m:?})"))
                    .unwrap_or_default();
                return Err(DataError::new(
                    self.file,
                    &join(&self.path, flag),
                    format!(
                        "true: this file is one page of a longer answer{marker}; run the \
                         command without --max-items/--no-paginate so the AWS CLI fetches \
                         every page, or give every page"
                    ),
                ));
            }
        }
        for token in ["NextToken", "NextMarker"] {
            if self.get(token)?.is_some() {
                return Err(DataError::new(
                    self.file,
                    &join(&self.path, token),
                    "present: this file is one page of a longer answer; run the command \
                     without --max-items so the AWS CLI fetches every page",
                ));
            }
        }
        Ok(())
    }
}

/// `Tags: [{"Key": k, "Value": v}]` (IAM) as a map.
pub fn tag_list(n: &Node<'_>, key: &str) -> Result<serde_json::Map<String, Value>, DataError> {
    let mut out = serde_json::Map::new();
    for t in n.list(key)? {
        let k = t.req_str("Key")?;
        // AWS prints every tag with its Value ("" when empty).
        let v = t.req_str("Value")?;
        out.insert(k.to_string(), Value::String(v.to_string()));
    }
    Ok(out)
}
