//! The request context AWS builds for a PutObject, from the fact document (facts.md,
//! "Meaning"; aws-semantics §4).

use std::collections::BTreeMap;

use crate::facts::{Facts, Request};

use super::arn::PrincipalKind;
use super::context::{Context, ContextValue};

/// The headers whose value is the `s3:<header>` condition key of the same name: those
/// the Service Authorization Reference lists for PutObject (aws-semantics §4.1 [S29]).
/// Any other `x-amz-*` header (metadata, checksums, the SSE-C key, the encryption
/// context, Requester Pays, the expected owner) gives no key: a policy testing
/// `s3:x-amz-meta-owner` finds it absent, as in AWS, and the SSE-C key stays out of
/// the context and so out of every trace. Tagging, Object Lock and conditional-write
/// headers give keys of other names, below.
const KEYED_HEADERS: &[&str] = &[
    "x-amz-acl",
    "x-amz-content-sha256",
    "x-amz-copy-source",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
    "x-amz-metadata-directive",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-storage-class",
    "x-amz-website-redirect-location",
];

/// Builds the S3 request context for `request` against `facts`.
pub fn s3_context(facts: &Facts, request: &Request) -> Context {
    let mut ctx = Context::new();
    request_keys(request, &mut ctx);
    fixed_keys(facts, request, &mut ctx);
    overrides(request, &mut ctx);
    ctx
}

/// The context of `request`, a change of the record's own request `facts.request` whose
/// context is `own`, made from `own`: the keys the request itself gives
/// ([`request_keys`]: headers, network, TLS) replaced where they differ. Only when all
/// else the context reads is the same (the principal, the session's tags, the request's
/// own `context`); otherwise built anew. The fix search's changes are of headers and
/// addresses, so this copies nothing of the principal's and the resource's keys. The
/// keys `request_keys` sets are set by nothing else but the overrides, which come last
/// either way: the result is `s3_context`'s (a test builds both ways).
pub fn s3_context_after(facts: &Facts, request: &Request, own: &Context) -> Context {
    let mine = &facts.request;
    fn tags(r: &Request) -> Option<&BTreeMap<String, String>> {
        r.session.as_ref().map(|s| &s.tags)
    }
    if request.principal != mine.principal
        || tags(request) != tags(mine)
        || !same_overrides(&request.context, &mine.context)
    {
        return s3_context(facts, request);
    }
    let (mut before, mut after) = (Context::new(), Context::new());
    request_keys(mine, &mut before);
    request_keys(request, &mut after);
    let mut ctx = own.clone();
    for (folded, key, _) in before.iter_folded() {
        if after.get_folded(folded).is_none() {
            ctx.remove(key);
        }
    }
    for (folded, key, value) in after.iter_folded() {
        if before.get_folded(folded) != Some(value) {
            ctx.set(key, value.clone());
        }
    }
    overrides(request, &mut ctx);
    ctx
}

/// Whether two lists of `context` keys set the same keys, as written, to the same
/// values, in any order. Only when no list names a key twice (whatever the case), since
/// then the order they are set in cannot matter. A request read from a rule value lists
/// them by key, one read from its fact document as written.
fn same_overrides(a: &[(String, ContextValue)], b: &[(String, ContextValue)]) -> bool {
    fn by_key(v: &[(String, ContextValue)]) -> Option<BTreeMap<String, &(String, ContextValue)>> {
        let mut m = BTreeMap::new();
        for entry in v {
            if m.insert(entry.0.to_ascii_lowercase(), entry).is_some() {
                return None;
            }
        }
        Some(m)
    }
    a.len() == b.len() && matches!((by_key(a), by_key(b)), (Some(x), Some(y)) if x == y)
}

/// The request's own `context` keys, over everything else.
fn overrides(request: &Request, ctx: &mut Context) {
    for (key, value) in &request.context {
        ctx.set(key, value.clone());
    }
}

/// The keys the request itself gives: its headers, network and transport.
fn request_keys(request: &Request, ctx: &mut Context) {
    for (name, value) in &request.headers {
        if KEYED_HEADERS.contains(&name.as_str()) {
            ctx.set_str(&format!("s3:{name}"), value.clone());
        }
    }
    for (header, key) in [
        ("x-amz-object-lock-mode", "s3:object-lock-mode"),
        (
            "x-amz-object-lock-retain-until-date",
            "s3:object-lock-retain-until-date",
        ),
        ("x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"),
        ("if-match", "s3:if-match"),
        ("if-none-match", "s3:if-none-match"),
    ] {
        if let Some(v) = request.header(header) {
            ctx.set_str(key, v);
        }
    }
    if let Some(days) = remaining_retention_days(request) {
        ctx.set_str("s3:object-lock-remaining-retention-days", days.to_string());
    }
    if let Some(tagging) = request.header("x-amz-tagging") {
        let mut keys = Vec::new();
        for pair in tagging.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = url_decode(k);
            ctx.set_str(&format!("s3:RequestObjectTag/{k}"), url_decode(v));
            keys.push(k);
        }
        ctx.set("s3:RequestObjectTagKeys", ContextValue::Multi(keys));
    }
    // Network: aws:SourceIp is absent through a VPC endpoint (S19, S54).
    match &request.vpc_endpoint {
        Some(vpce) => {
            ctx.set_str("aws:SourceVpce", vpce.clone());
            if let Some(vpc) = &request.source_vpc {
                ctx.set_str("aws:SourceVpc", vpc.clone());
            }
            if let Some(ip) = request.vpc_source_ip {
                ctx.set_str("aws:VpcSourceIp", ip.to_string());
            }
        }
        None => {
            if let Some(ip) = request.source_ip {
                ctx.set_str("aws:SourceIp", ip.to_string());
            }
        }
    }
    ctx.set_str("aws:SecureTransport", request.secure_transport.to_string());
}

/// The keys of the principal, the resource, the time and the signature.
fn fixed_keys(facts: &Facts, request: &Request, ctx: &mut Context) {
    ctx.set_str("aws:ViaAWSService", "false");
    // S3's signature keys: what the AWS CLI sends (header auth, SigV4); `context` overrides.
    ctx.set_str("s3:authType", "REST-HEADER");
    ctx.set_str("s3:signatureversion", "AWS4-HMAC-SHA256");
    // The request that creates the object: true for PutObject and a multipart upload's
    // CompleteMultipartUpload, false for its other steps, which bucket policies exempt
    // with it because they take no conditional headers (conditional-writes-enforce.html).
    // s3why decides the object-creating request (docs/decisions.md).
    ctx.set_str("s3:ObjectCreationOperation", "true");
    // Always in the context (S19): the time of the request, the run's instant (clock.rs).
    let now = crate::clock::now();
    ctx.set_str("aws:CurrentTime", now.iso.clone());
    ctx.set_str("aws:EpochTime", now.epoch.to_string());
    principal_keys(facts, request, ctx);
    ctx.set_str("s3:ResourceAccount", facts.bucket.account.clone());
    ctx.set_str("aws:ResourceAccount", facts.bucket.account.clone());
    if let Some(org) = facts
        .account(&facts.bucket.account)
        .and_then(|a| a.organization.clone())
    {
        ctx.set_str("aws:ResourceOrgID", org);
    }
    if let Some(path) = org_path(facts, &facts.bucket.account) {
        ctx.set("aws:ResourceOrgPaths", ContextValue::Multi(vec![path]));
    }
    // Always in the context: the Region the request was sent to, for an upload the
    // bucket's (us-east-1 when the facts do not say, as for KMS; docs/decisions.md).
    let region = facts.bucket.region.as_deref().unwrap_or("us-east-1");
    ctx.set_str("aws:RequestedRegion", region);
}

/// An account's path in its organization, as `aws:PrincipalOrgPaths` and
/// `aws:ResourceOrgPaths` hold it (S19): `o-ORG/r-ROOT/ou-A/ou-B/`, the organization, its
/// root and the OUs down to the account's parent. The SCP levels give it (facts.md: root
/// first, the account last); without them, or without the organization, it is unknown
/// and the key is left out.
fn org_path(facts: &Facts, account: &str) -> Option<String> {
    let a = facts.account(account)?;
    let org = a.organization.as_deref()?;
    let targets: Vec<&str> = a.scps.iter().map(|l| l.target.as_str()).collect();
    let above = match targets.split_last() {
        Some((last, rest)) if *last == account => rest,
        _ => &targets[..],
    };
    if !above.first().is_some_and(|t| t.starts_with("r-")) {
        return None;
    }
    Some(format!("{org}/{}/", above.join("/")))
}

/// `s3:object-lock-remaining-retention-days` of an upload that sets a retain-until date
/// (S29): whole days from the request's time (its `aws:CurrentTime` when
/// `request.context` gives one, else the run's instant) to that date, a part of a day
/// counting as a day, 0 for a date already past (docs/decisions.md).
fn remaining_retention_days(request: &Request) -> Option<i64> {
    use super::condition::parse_date;
    let until = parse_date(request.header("x-amz-object-lock-retain-until-date")?)?;
    let now = request
        .context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("aws:CurrentTime"))
        .and_then(|(_, v)| v.values().first().and_then(|t| parse_date(t)))
        .unwrap_or(crate::clock::now().epoch as f64);
    let days = ((until - now) / 86_400.0).ceil();
    Some(if days > 0.0 { days as i64 } else { 0 })
}

/// The keys that describe the principal (S19).
fn principal_keys(facts: &Facts, request: &Request, ctx: &mut Context) {
    let p = &request.principal;
    ctx.set_str("aws:PrincipalType", p.principal_type());
    match &p.account {
        Some(account) => {
            ctx.set_str("aws:PrincipalAccount", account.clone());
            if let Some(org) = facts.account(account).and_then(|a| a.organization.clone()) {
                ctx.set_str("aws:PrincipalOrgID", org);
            }
            if let Some(path) = org_path(facts, account) {
                ctx.set("aws:PrincipalOrgPaths", ContextValue::Multi(vec![path]));
            }
        }
        None => ctx.set_str("aws:PrincipalAccount", "anonymous"),
    }
    if let Some(arn) = p.principal_arn() {
        ctx.set_str("aws:PrincipalArn", arn);
    }
    // Present in every signed request (S19): true only for an AWS service principal,
    // which is never the uploader here. Data-perimeter Denies test it with `Bool`
    // (`... aws:PrincipalOrgID` and `aws:PrincipalIsAWSService false`, S24), which an
    // absent key would never satisfy.
    if !p.is_anonymous() {
        ctx.set_str("aws:PrincipalIsAWSService", "false");
    }
    match &p.kind {
        PrincipalKind::User { name } => ctx.set_str("aws:username", name.clone()),
        PrincipalKind::Root => ctx.set_str("aws:userid", p.account.clone().unwrap_or_default()),
        PrincipalKind::Anonymous => ctx.set_str("aws:userid", "anonymous"),
        _ => {}
    }
    // aws:userid (reference_policies_variables.html, "principal key values"): a user's
    // unique ID, a role session's `ROLE-ID:session-name`, a federated user's
    // `account:name`. The unique IDs come from `identity.unique_id`; without it the key
    // is absent (a note says so when a policy reads it).
    let unique = facts.identity.unique_id.as_deref();
    match (&p.kind, unique) {
        (PrincipalKind::User { .. }, Some(id)) => ctx.set_str("aws:userid", id.to_string()),
        (
            PrincipalKind::RoleSession {
                session: Some(s), ..
            },
            Some(id),
        ) => ctx.set_str("aws:userid", format!("{id}:{s}")),
        (PrincipalKind::FederatedUser { name }, _) => {
            let account = p.account.clone().unwrap_or_default();
            ctx.set_str("aws:userid", format!("{account}:{name}"))
        }
        _ => {}
    }
    if !p.is_anonymous() {
        for (k, v) in &facts.identity.tags {
            ctx.set_str(&format!("aws:PrincipalTag/{k}"), v.clone());
        }
        if let Some(session) = &request.session {
            for (k, v) in &session.tags {
                ctx.set_str(&format!("aws:PrincipalTag/{k}"), v.clone());
            }
        }
    }
}

/// The caller's network keys (lower case), which the KMS call S3 makes does not carry.
pub const NETWORK_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:vpcsourceip",
];

/// The context of the KMS call S3 makes on the uploader's behalf: the principal's keys,
/// the KMS keys, and none of the caller's network keys (the call comes from S3).
pub fn kms_context(
    s3: &Context,
    region: &str,
    caller_account: &str,
    encryption_arn: &str,
    encryption_context: Option<&str>,
) -> Context {
    let mut ctx = Context::new();
    for (key, value) in s3.iter() {
        let lower = key.to_ascii_lowercase();
        let network = NETWORK_KEYS.contains(&lower.as_str());
        if !network && !lower.starts_with("s3:") {
            ctx.set(key, value.clone());
        }
    }
    ctx.set_str("aws:ViaAWSService", "true");
    ctx.set_str("kms:ViaService", format!("s3.{region}.amazonaws.com"));
    ctx.set_str("kms:CallerAccount", caller_account);
    ctx.set_str("kms:EncryptionContext:aws:s3:arn", encryption_arn);
    let mut keys = vec!["aws:s3:arn".to_string()];
    for (key, value) in encryption_context.map_or_else(Vec::new, extra_encryption_context) {
        ctx.set_str(&format!("kms:EncryptionContext:{key}"), value);
        keys.push(key);
    }
    ctx.set("kms:EncryptionContextKeys", ContextValue::Multi(keys));
    ctx
}

/// The encryption context an upload adds to S3's own (S36, S39): the header
/// `x-amz-server-side-encryption-context` holds base64 of a JSON object of string pairs
/// (PutObject API). A header that is not one adds nothing (docs/decisions.md), and
/// `aws:s3:arn` stays S3's.
fn extra_encryption_context(header: &str) -> Vec<(String, String)> {
    use base64::Engine;
    let json = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(serde_json::Value::Object(pairs)) = json else {
        return Vec::new();
    };
    let pairs: Option<Vec<(String, String)>> = pairs
        .into_iter()
        .filter(|(k, _)| k != "aws:s3:arn")
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect();
    pairs.unwrap_or_default()
}

fn url_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::{extra_encryption_context, org_path, remaining_retention_days, s3_context};
    use crate::facts::{Facts, Format};

    /// A change's context made from the record's own is the one built anew, whatever
    /// the change: headers added, changed and dropped (tags, retention, ACL), the network
    /// and TLS; with `context` keys that override a request key, given in another order;
    /// and, built anew, another principal or other `context` keys.
    #[test]
    fn a_context_made_from_the_own_one_is_the_one_built_anew() {
        let text = r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k",
            "headers": {"x-amz-acl": "public-read", "x-amz-tagging": "team=a&env=prod",
                "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"},
            "source_ip": "203.0.113.7",
            "context": {"s3:TlsVersion": "1.2", "s3:x-amz-acl": "private"}},
            "identity": {"tags": {"team": "data"}}}"#;
        let facts = match Facts::from_text(text, Format::Json, "t") {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let own = s3_context(&facts, &facts.request);
        let changes: Vec<serde_json::Value> = vec![
            serde_json::json!({"headers": {"x-amz-acl": null}}),
            serde_json::json!({"headers": {"x-amz-tagging": "team=b", "x-amz-storage-class": "GLACIER"}}),
            serde_json::json!({"headers": {"x-amz-object-lock-retain-until-date": null, "x-amz-tagging": null}}),
            serde_json::json!({"source_ip": null, "vpc_endpoint": "vpce-1", "vpc_source_ip": "10.0.0.1"}),
            serde_json::json!({"secure_transport": false}),
            serde_json::json!({"context": {"s3:x-amz-acl": "private", "s3:TlsVersion": "1.2"}}),
            serde_json::json!({"context": {"s3:TlsVersion": "1.3"}}),
            serde_json::json!({"principal": "arn:aws:iam::111122223333:user/b"}),
        ];
        for change in changes {
            let mut doc = facts.document["request"].clone();
            if let (Some(d), Some(c)) = (doc.as_object_mut(), change.as_object()) {
                for (k, v) in c {
                    match (k.as_str(), v) {
                        ("headers", serde_json::Value::Object(h)) => {
                            for (name, value) in h {
                                match value {
                                    serde_json::Value::Null => {
                                        d["headers"].as_object_mut().map(|m| m.remove(name));
                                    }
                                    _ => d["headers"][name] = value.clone(),
                                }
                            }
                        }
                        (_, serde_json::Value::Null) => {
                            d.remove(k);
                        }
                        _ => {
                            d.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            let request = match crate::facts::Request::from_value(&doc, "request") {
                Ok(r) => r,
                Err(e) => panic!("{change}: {e}"),
            };
            let made = super::s3_context_after(&facts, &request, &own);
            let anew = s3_context(&facts, &request);
            assert_eq!(made, anew, "{change}");
            assert_eq!(made.changed_keys(&own), anew.changed_keys(&own), "{change}");
        }
    }

    /// §4.1 [S29]: only the listed headers give `s3:` keys. Metadata, checksums, the
    /// encryption context and the SSE-C key give none, so the customer's key never enters
    /// the context, nor a trace printed from it.
    #[test]
    fn only_the_listed_headers_give_keys() {
        let text = r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k",
            "headers": {"x-amz-storage-class": "STANDARD_IA", "x-amz-meta-owner": "bob",
                "x-amz-checksum-crc32": "AAAAAA==", "x-amz-server-side-encryption-customer-algorithm": "AES256",
                "x-amz-server-side-encryption-customer-key": "c2VjcmV0", "x-amz-server-side-encryption-customer-key-md5": "bWQ1"}}}"#;
        let facts = match Facts::from_text(text, Format::Json, "t") {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let ctx = s3_context(&facts, &facts.request);
        let s3_keys: Vec<&str> = ctx
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("s3:x-amz"))
            .collect();
        assert_eq!(
            s3_keys,
            [
                "s3:x-amz-server-side-encryption-customer-algorithm",
                "s3:x-amz-storage-class"
            ]
        );
        assert!(ctx
            .iter()
            .all(|(_, v)| !v.values().iter().any(|v| v == "c2VjcmV0")));
    }

    fn facts_with_levels(levels: &str) -> Facts {
        let text = format!(
            r#"{{"request": {{"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k"}},
                "accounts": {{"111122223333": {{"organization": "o-a1b2c3d4e5", "scps": [{levels}]}}}}}}"#
        );
        match Facts::from_text(&text, Format::Json, "t") {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        }
    }

    /// Whole days to the retain-until date from the request's time, a part of a day
    /// counting as one (docs/decisions.md); 0 once the date has passed.
    #[test]
    fn remaining_retention_days_round_a_part_of_a_day_up() {
        let days = |now: &str, until: &str| {
            let text = format!(
                r#"{{"request": {{"principal": "arn:aws:iam::111122223333:user/a", "bucket": "b", "key": "k",
                    "headers": {{"x-amz-object-lock-retain-until-date": "{until}"}},
                    "context": {{"aws:CurrentTime": "{now}"}}}}}}"#
            );
            match Facts::from_text(&text, Format::Json, "t") {
                Ok(f) => remaining_retention_days(&f.request),
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(
            days("2026-11-27T00:00:00Z", "2027-01-01T00:00:00Z"),
            Some(35)
        );
        assert_eq!(
            days("2026-11-27T00:00:01Z", "2027-01-01T00:00:00Z"),
            Some(35)
        );
        assert_eq!(
            days("2026-11-26T23:59:59Z", "2027-01-01T00:00:00Z"),
            Some(36)
        );
        assert_eq!(
            days("2027-02-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            Some(0)
        );
        assert_eq!(days("2026-11-27T00:00:00Z", "not a date"), None);
    }

    /// S19's form: the organization, the root and the OUs down to the account's parent,
    /// each followed by `/`; the account's own level is not part of it.
    #[test]
    fn org_paths_come_from_the_scp_levels() {
        let level = |t: &str| format!(r#"{{"target": "{t}", "policies": []}}"#);
        let f = facts_with_levels(
            &[
                level("r-ab12"),
                level("ou-ab12-11111111"),
                level("ou-ab12-22222222"),
                level("111122223333"),
            ]
            .join(","),
        );
        assert_eq!(
            org_path(&f, "111122223333").as_deref(),
            Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
        );
        // An account directly under the root; levels given without the account's own.
        let f = facts_with_levels(&level("r-ab12"));
        assert_eq!(
            org_path(&f, "111122223333").as_deref(),
            Some("o-a1b2c3d4e5/r-ab12/")
        );
        // No levels, or levels that do not start at the root: unknown.
        assert_eq!(org_path(&facts_with_levels(""), "111122223333"), None);
        let f = facts_with_levels(&level("ou-ab12-11111111"));
        assert_eq!(org_path(&f, "111122223333"), None);
        // An account the facts do not describe.
        assert_eq!(org_path(&f, "999999999999"), None);
    }

    /// The header is base64 of a JSON object of string pairs (PutObject API,
    /// SSEKMSEncryptionContext); S36/S39: it joins the encryption context S3 sets.
    #[test]
    fn the_encryption_context_header_is_base64_json_of_strings() {
        // {"project": "blue", "aws:s3:arn": "x"}
        let pairs =
            extra_encryption_context("eyJwcm9qZWN0IjogImJsdWUiLCAiYXdzOnMzOmFybiI6ICJ4In0=");
        assert_eq!(pairs, vec![("project".to_string(), "blue".to_string())]);
        // Not base64, base64 of a JSON array, a value that is not a string: nothing.
        assert!(extra_encryption_context("not base64!").is_empty());
        assert!(extra_encryption_context("WyJhIl0=").is_empty());
        // {"n": 1}
        assert!(extra_encryption_context("eyJuIjogMX0=").is_empty());
    }
}
