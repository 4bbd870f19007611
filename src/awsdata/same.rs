//! Principals whose policies are identical, evaluated once per bucket.
//!
//! In an account matrix most principals get their permissions from a handful of groups
//! and role templates, so many have the same identity side: the same policies (same
//! names and documents), boundary, tags, account and kind. Two such principals get the
//! same verdict from a bucket, up to their own ARN in the text, unless something names
//! one of them or asks who it is. [`distinguishes`] looks for that in a pair's fact
//! document; when nothing does, the matrix evaluates the first of the class and
//! [`rename`]s its record for the others. `tests/cli_batch_snapshot.rs` checks the
//! shared records against principals evaluated one at a time.

use memchr::memmem;
use serde_json::Value;

use crate::aws::pattern::Wildcard;

/// The condition keys whose value differs between principals with identical policies
/// (request_context.rs sets them from the principal's own ARN; `aws:PrincipalArn` is
/// looked at value by value). A policy variable (`${...}`) may stand for any of them, so
/// any variable counts too.
const OWN_KEYS: &[&str] = &["aws:username", "aws:userid", "aws:principalarn"];

/// Whether anything in fact document `doc`, outside the request's principal and context,
/// could treat `members` (principal ARNs with identical identity sides) differently:
/// a policy variable, a condition on one of [`OWN_KEYS`] (on `aws:PrincipalArn`: with a
/// value that matches some of them only), or a `Principal` / `NotPrincipal` entry that
/// may name one of them (a wildcard in an ARN, a unique id, or
/// an ARN with a member's name in it). Erring on "yes" only costs time.
pub fn distinguishes(doc: &Value, members: &[&str]) -> bool {
    let Value::Object(top) = doc else {
        return true;
    };
    distinguishes_entries(top.iter().map(|(k, v)| (k.as_str(), v)), members)
}

/// [`distinguishes`] over a document's top-level fields given one by one.
pub fn distinguishes_entries<'v>(
    entries: impl Iterator<Item = (&'v str, &'v Value)>,
    members: &[&str],
) -> bool {
    Askers::of_entries(entries).tell_apart(members)
}

/// What in a document could tell principals apart, gathered in one walk so that many
/// classes of principals are checked against it without walking it again (a bucket's
/// side of an account matrix is checked for every class).
#[derive(Debug, Clone, Default)]
pub struct Askers {
    /// Something asks who the principal is, whoever the members are: a policy variable
    /// or a condition on one of [`OWN_KEYS`].
    always: bool,
    /// The `Principal` and `NotPrincipal` elements.
    principals: Vec<Value>,
    /// The values of conditions on `aws:PrincipalArn`.
    arn_values: Vec<Value>,
}

impl Askers {
    /// Gathered from a document's top-level fields, outside the request's principal and
    /// context.
    pub fn of_entries<'v>(entries: impl Iterator<Item = (&'v str, &'v Value)>) -> Askers {
        let mut askers = Askers::default();
        for (k, v) in entries {
            match (k, v) {
                ("request", Value::Object(r)) => r
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "principal" | "context"))
                    .for_each(|(_, v)| askers.gather(v)),
                _ => askers.gather(v),
            }
        }
        askers
    }

    fn gather(&mut self, v: &Value) {
        match v {
            Value::String(s) => self.always |= telling(s),
            Value::Array(items) => items.iter().for_each(|i| self.gather(i)),
            Value::Object(m) => {
                for (k, v) in m {
                    match k.as_str() {
                        "Principal" | "NotPrincipal" => self.principals.push(v.clone()),
                        // A condition on the ARN itself tells the members apart only when
                        // one of its values matches some of them and not others; the ARN
                        // it reports is renamed.
                        _ if k.eq_ignore_ascii_case("aws:PrincipalArn") => {
                            self.arn_values.push(v.clone())
                        }
                        _ => {
                            self.always |= telling(k);
                            self.gather(v);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether what was gathered could treat `members` differently.
    pub fn tell_apart(&self, members: &[&str]) -> bool {
        if self.always {
            return true;
        }
        let names: Vec<String> = members.iter().map(|m| own_name(m)).collect();
        self.principals.iter().any(|p| names_a_member(p, &names))
            || self.arn_values.iter().any(|v| splits(v, members))
    }
}

/// The last segment of a user or role ARN (its name), lowercased.
fn own_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_ascii_lowercase()
}

/// Whether some value of an `aws:PrincipalArn` condition matches some members and not
/// others, as a pattern (ArnLike, StringLike) or as a literal (ArnEquals, StringEquals).
fn splits(v: &Value, arns: &[&str]) -> bool {
    let values: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => match items.iter().map(Value::as_str).collect() {
            Some(values) => values,
            None => return true,
        },
        _ => return true,
    };
    values.iter().any(|p| {
        let differs = |test: &dyn Fn(&str) -> bool| {
            let first = arns.first().is_some_and(|a| test(a));
            arns.iter().any(|a| test(a) != first)
        };
        let (folded, exact) = (Wildcard::new(p, true), Wildcard::new(p, false));
        differs(&|a| folded.matches(a))
            || differs(&|a| exact.matches(a))
            || differs(&|a| a.eq_ignore_ascii_case(p))
    })
}

/// A policy variable, or one of the principal's own condition keys.
fn telling(s: &str) -> bool {
    s.contains("${") || OWN_KEYS.iter().any(|k| s.eq_ignore_ascii_case(k))
}

/// A `Principal` element that may name one of the members.
fn names_a_member(v: &Value, names: &[String]) -> bool {
    match v {
        Value::String(s) => principal_names_member(s, names),
        Value::Array(items) => items.iter().any(|i| names_a_member(i, names)),
        Value::Object(m) => m.values().any(|i| names_a_member(i, names)),
        _ => true,
    }
}

fn principal_names_member(s: &str, names: &[String]) -> bool {
    let everyone = s == "*";
    let account = s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    let root = s.starts_with("arn:") && s.ends_with(":root");
    let service = !s.starts_with("arn:") && s.ends_with(".amazonaws.com");
    let canonical = s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if everyone || account || root || service || canonical {
        return false;
    }
    if !s.starts_with("arn:") || s.contains('*') || s.contains('?') {
        return true;
    }
    // user/path/name, role/path/name, assumed-role/name/session: any segment may be
    // a member's name.
    let resource = s.splitn(6, ':').nth(5).unwrap_or_default();
    resource
        .split('/')
        .skip(1)
        .any(|seg| names.iter().any(|n| seg.eq_ignore_ascii_case(n)))
}

/// A member's record ready to be turned into each other member's: every occurrence of
/// ARN `from` becomes the other's. Checked once that no occurrence of `from` runs on into
/// a longer name (`user/u1` in `user/u10`, `user/a` in `user/a,b`), in which case the
/// record is not renamed but each member evaluated. The record is written out as JSON
/// text once; each other member's is that text with the ARN replaced in one pass (a class
/// of 20 principals renames the same record 19 times, and copying and writing out the
/// tree each time was a fifth of a matrix).
pub struct Renamer {
    /// The record as JSON text. The ARN needs no escaping in JSON, and occurs only in string
    /// values (not in keys), so replacing it in the text is renaming it in the tree.
    text: String,
    finder: memmem::Finder<'static>,
    from_len: usize,
    /// How many times `from` occurs in `text`.
    count: usize,
}

impl Renamer {
    /// `None` when some occurrence of `from` in `record` runs on into a longer name, or
    /// the text cannot be renamed as the tree would be (`from` needs escaping in JSON, or
    /// occurs in a key).
    pub fn new(record: &Value, from: &str) -> Option<Renamer> {
        let finder = memmem::Finder::new(from.as_bytes()).into_owned();
        if runs_on(record, &finder, from.len()) || escaped(from) != from {
            return None;
        }
        let text = serde_json::to_string(record).ok()?;
        let count = finder.find_iter(text.as_bytes()).count();
        if count != occurrences(record, &finder) {
            return None;
        }
        Some(Renamer {
            text,
            finder,
            from_len: from.len(),
            count,
        })
    }

    /// The record's JSON text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The record's JSON text with `to` in place of every occurrence of `from`.
    pub fn text_for(&self, to: &str) -> String {
        let to = escaped(to);
        let mut out = String::with_capacity(self.text.len() + self.count * to.len());
        let mut last = 0;
        for at in self.finder.find_iter(self.text.as_bytes()) {
            out.push_str(&self.text[last..at]);
            out.push_str(&to);
            last = at + self.from_len;
        }
        out.push_str(&self.text[last..]);
        out
    }
}

/// `s` as it stands inside a JSON string.
fn escaped(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        return std::borrow::Cow::Borrowed(s);
    }
    let quoted = serde_json::to_string(s).unwrap_or_default();
    let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
    std::borrow::Cow::Owned(inner.unwrap_or(&quoted).to_string())
}

/// How many times `finder`'s needle occurs in the string values of `v`.
fn occurrences(v: &Value, finder: &memmem::Finder<'_>) -> usize {
    match v {
        Value::String(s) => finder.find_iter(s.as_bytes()).count(),
        Value::Array(items) => items.iter().map(|i| occurrences(i, finder)).sum(),
        Value::Object(m) => m.values().map(|i| occurrences(i, finder)).sum(),
        _ => 0,
    }
}

fn runs_on(v: &Value, finder: &memmem::Finder<'_>, from_len: usize) -> bool {
    match v {
        Value::String(s) => finder
            .find_iter(s.as_bytes())
            .any(|at| continues_arn(&s[at + from_len..])),
        Value::Array(items) => items.iter().any(|i| runs_on(i, finder, from_len)),
        Value::Object(m) => m.values().any(|i| runs_on(i, finder, from_len)),
        _ => false,
    }
}

/// Whether `after` continues the ARN just matched: an IAM name character, where a `.` or
/// `,` counts only when another name character follows (one ending a sentence or a list
/// item does not).
fn continues_arn(after: &str) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "+=@_-/".contains(c);
    let mut chars = after.chars();
    match chars.next() {
        Some('.' | ',') => chars
            .next()
            .is_some_and(|c| name_char(c) || c == '.' || c == ','),
        Some(c) => name_char(c),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const U1: &str = "arn:aws:iam::111122223333:user/u1";
    const U2: &str = "arn:aws:iam::111122223333:user/team/u2";

    #[test]
    fn rename_whole_arns_only() {
        let v = json!({
            "m": format!("User: {U1} is not authorized; policy of {U1}, or of {U1}."),
            "list": [format!("{U1}:"), U1, "arn:aws:s3:::bucket/*"],
        });
        let renamer = Renamer::new(&v, U1).expect("no longer name");
        assert_eq!(
            serde_json::from_str::<Value>(&renamer.text_for(U2)).unwrap(),
            json!({
                "m": format!("User: {U2} is not authorized; policy of {U2}, or of {U2}."),
                "list": [format!("{U2}:"), U2, "arn:aws:s3:::bucket/*"],
            })
        );
        // Another principal's ARN that starts with this one's: no renaming at all.
        for longer in [
            format!("{U1}0"),
            format!("{U1}/x"),
            format!("{U1},b"),
            format!("{U1}.x"),
        ] {
            let v = json!({"a": format!("{U1} and {longer}")});
            assert!(Renamer::new(&v, U1).is_none(), "{longer}");
        }
    }

    /// The text is renamed as the tree would be: a name that needs escaping in JSON is
    /// written escaped; an ARN in a key (which the tree would keep) or one that needs
    /// escaping itself means no renaming.
    #[test]
    fn renamed_text_is_the_renamed_tree_written_out() {
        let v = json!({"m": format!("of {U1}\n\"{U1}\""), "n": 1});
        let renamer = Renamer::new(&v, U1).expect("renamable");
        let odd = "arn:aws:iam::111122223333:user/o\"dd";
        let renamed: Value = serde_json::from_str(&renamer.text_for(odd)).unwrap();
        assert_eq!(
            renamed,
            json!({"m": format!("of {odd}\n\"{odd}\""), "n": 1})
        );
        assert!(Renamer::new(&json!({ U1: "x" }), U1).is_none());
        assert!(Renamer::new(&json!({"a": odd}), odd).is_none());
    }

    #[test]
    fn what_tells_principals_apart() {
        let members = [U1, U2];
        let policy = |p: Value| json!({"bucket": {"policy": {"Statement": [p]}}});
        let quiet = [
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject"}),
            json!({"Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:root"]}}),
            json!({"Principal": {"AWS": "arn:aws:iam::111122223333:role/u10"}}),
            json!({"Principal": {"Service": "logging.s3.amazonaws.com"}}),
            json!({"Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}),
            json!({"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}}),
            json!({"Condition": {"ArnEquals": {"aws:PrincipalArn": ["arn:aws:iam::1:role/x"]}}}),
        ];
        for p in quiet {
            assert!(!distinguishes(&policy(p.clone()), &members), "{p}");
        }
        let telling = [
            json!({"Principal": {"AWS": "arn:aws:iam::111122223333:user/u1"}}),
            json!({"NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/other/U2"]}}),
            json!({"Principal": {"AWS": "arn:aws:iam::111122223333:user/u*"}}),
            json!({"Principal": {"AWS": "AIDAEXAMPLEUNIQUEID"}}),
            json!({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/team/*"}}}),
            json!({"Condition": {"StringEquals": {"aws:PrincipalArn": [U1]}}}),
            json!({"Condition": {"StringEquals": {"aws:PrincipalArn": {"bad": 1}}}}),
            json!({"Condition": {"StringEquals": {"AWS:UserName": "u1"}}}),
            json!({"Resource": "arn:aws:s3:::home/${aws:username}/*"}),
        ];
        for p in telling {
            assert!(distinguishes(&policy(p.clone()), &members), "{p}");
        }
        // The request's own principal and context are the members' own, not a policy.
        let request = json!({"request": {"principal": U1, "context": {"aws:PrincipalArn": U1}}});
        assert!(!distinguishes(&request, &members));
    }
}
