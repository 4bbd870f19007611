//! The request of a fact document, given the way `aws s3api put-object` takes it
//! (put-object.html, S28): each flag becomes the header the CLI sends, so
//! `--acl public-read` is `x-amz-acl: public-read`. A request template (JSON: the fact
//! document's `request` without principal and bucket) can give the rest; flags win.

use serde_json::{json, Map, Value};

use super::json::Doc;
use super::DataError;

/// `aws s3api put-object` flags and the network facts of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObject {
    pub key: Option<String>,
    /// Each (header name, value) the flags send, in flag order.
    pub headers: Vec<(String, String)>,
    pub source_ip: Option<String>,
    pub vpc_endpoint: Option<String>,
    pub source_vpc: Option<String>,
    pub vpc_source_ip: Option<String>,
    pub multipart: bool,
    /// Plain HTTP (`aws:SecureTransport` false).
    pub insecure: bool,
}

/// Reads a request template: a JSON object with the fact document's `request` fields,
/// except `principal` and `bucket`, which each (principal, bucket) pair gives.
pub fn template(doc: &Doc) -> Result<Map<String, Value>, DataError> {
    let root = doc.root();
    let Some(m) = root.value.as_object() else {
        return Err(root.err(
            "expected a JSON object: the request fields of a fact document \
             (key, headers, source_ip, ...)",
        ));
    };
    for k in ["principal", "bucket"] {
        if m.contains_key(k) {
            return Err(DataError::new(
                &doc.name,
                k,
                format!("not allowed in a template: --{k} gives it"),
            ));
        }
    }
    // Read once as every pair's request will be, so a bad field (or a missing key) is
    // one error naming the template, not one error record a pair.
    let probe = request(
        "arn:aws:iam::111122223333:user/template",
        "template-bucket",
        Some(m),
        &PutObject::default(),
    );
    crate::facts::Request::from_value(&Value::Object(probe), "request").map_err(|e| {
        let path = e.path.strip_prefix("request.").unwrap_or(&e.path);
        DataError::new(&doc.name, path, e.message)
    })?;
    Ok(m.clone())
}

/// The fact document's `request` for `principal` writing to `bucket`: the template,
/// then the flags over it.
pub fn request(
    principal: &str,
    bucket: &str,
    template: Option<&Map<String, Value>>,
    flags: &PutObject,
) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("principal".into(), json!(principal));
    r.insert("bucket".into(), json!(bucket));
    if let Some(t) = template {
        for (k, v) in t {
            r.insert(k.clone(), v.clone());
        }
    }
    let mut set = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            r.insert(k.into(), json!(v));
        }
    };
    set("key", &flags.key);
    set("source_ip", &flags.source_ip);
    set("vpc_endpoint", &flags.vpc_endpoint);
    set("source_vpc", &flags.source_vpc);
    set("vpc_source_ip", &flags.vpc_source_ip);
    if flags.multipart {
        r.insert("multipart".into(), json!(true));
    }
    if flags.insecure {
        r.insert("secure_transport".into(), json!(false));
    }
    if !flags.headers.is_empty() {
        let mut headers = match r.get("headers") {
            Some(Value::Object(h)) => h.clone(),
            _ => Map::new(),
        };
        for (name, value) in &flags.headers {
            // Header names are case-insensitive: a flag replaces the template's header.
            headers.retain(|k, _| !k.eq_ignore_ascii_case(name));
            headers.insert(name.clone(), json!(value));
        }
        r.insert("headers".into(), Value::Object(headers));
    }
    r
}
