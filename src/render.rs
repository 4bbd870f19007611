//! Rendering verdicts, findings and traces for people (text; colour only on a terminal).

use std::fmt::Write as _;

use serde_json::Value;

use crate::aws::evaluate::StatementTrace;
use crate::aws::Verdict;
use crate::text::printable;

/// ANSI colours, when the caller says the output is a terminal that wants them.
struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The verdict for a person: the answer first, then each cause with its policy,
/// statement, why, and the fix; then risks and the assumptions it rests on.
pub fn verdict_text(v: &Verdict, findings: &[Value], colour: bool) -> String {
    let st = Style { on: colour };
    let mut out = String::new();
    match &v.error_code {
        None => {
            let _ = writeln!(out, "{}", st.paint("1;32", "ALLOWED (200)"));
        }
        Some(code) => {
            let _ = writeln!(
                out,
                "{}",
                st.paint("1;31", &format!("DENIED ({} {code})", v.status))
            );
            if let Some(m) = &v.aws_message {
                let _ = writeln!(out, "  AWS says: {}", printable(m));
            }
        }
    }
    for (severity, heading) in [("error", "Causes"), ("warning", "Risks"), ("info", "Notes")] {
        let group: Vec<&Value> = findings
            .iter()
            .filter(|f| f.get("severity").and_then(Value::as_str) == Some(severity))
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}:");
        for f in group {
            finding_text(&mut out, f, &st);
        }
    }
    if !v.notes.is_empty() {
        let _ = writeln!(out, "\nAssumptions (docs/decisions.md):");
        for n in &v.notes {
            let _ = writeln!(out, "  - #{}: {}", n.decision, n.text);
        }
    }
    out
}

fn finding_text(out: &mut String, f: &Value, st: &Style) {
    // Messages quote the request (a key may hold a newline or ESC): escaped, so the
    // terminal shows them rather than obeys them.
    let s = |k: &str| printable(f.get(k).and_then(Value::as_str).unwrap_or(""));
    let _ = writeln!(
        out,
        "  {} {}",
        st.paint("1", &format!("[{}]", s("id"))),
        s("message")
    );
    // A finding that names no policy (a team's inventory, say) gets no empty line.
    if let Some(policy) = f.get("policy").and_then(Value::as_str) {
        let mut at = format!("    policy: {policy}");
        if let Some(stmt) = f.get("statement").and_then(Value::as_str) {
            let _ = write!(at, ", statement {stmt}");
        }
        if let Some(loc) = f.get("location") {
            let line = loc.get("line").and_then(Value::as_u64).unwrap_or(0);
            let file = loc.get("file").and_then(Value::as_str).unwrap_or("");
            let _ = write!(at, " ({file}:{line})");
        }
        let _ = writeln!(out, "{at}");
    }
    if let Some(fix) = f.get("fix") {
        if let Some(summary) = fix.get("summary").and_then(Value::as_str) {
            let _ = writeln!(out, "    fix: {}", printable(summary));
        }
        if let Some(cmd) = fix.get("command").and_then(Value::as_str) {
            let _ = writeln!(out, "      {}", st.paint("36", cmd));
        }
    }
}

/// The full trace: every authorization, policy, statement and condition.
pub fn trace_text(v: &Verdict, findings: &[Value], colour: bool) -> String {
    let mut out = verdict_text(v, findings, colour);
    let _ = writeln!(out, "\nRequest context:");
    for (k, val) in v.context.iter() {
        let _ = writeln!(
            out,
            "  {k} = {}",
            serde_json::to_string(val).unwrap_or_default()
        );
    }
    if let Some(k) = &v.kms {
        let _ = writeln!(
            out,
            "\nKMS: {} with {} ({} key of account {}, {}), actions {}",
            k.usage.algorithm,
            k.key_arn,
            if k.manager == crate::facts::KeyManager::Aws {
                "AWS managed"
            } else {
                "customer managed"
            },
            k.key_account,
            k.key_region,
            k.actions.join(", ")
        );
    }
    for a in &v.authorizations {
        let _ = writeln!(
            out,
            "\n{} {} on {}",
            if a.allowed { "ALLOW" } else { "DENY " },
            a.action,
            a.resource
        );
        if !a.allowed_by.is_empty() {
            let _ = writeln!(out, "  allowed by: {}", a.allowed_by.join(", "));
        }
        for p in &a.policies {
            let verdict = match (p.denies, p.allows) {
                (true, _) => "denies",
                (false, true) => "allows",
                _ => "no match",
            };
            // A path already in parentheses (an assumed policy's note) keeps its own.
            let path = if p.path.starts_with('(') {
                p.path.to_string()
            } else {
                format!("({})", p.path)
            };
            let _ = writeln!(
                out,
                "  {} {:?} {path}: {verdict}",
                p.policy_type.as_str(),
                p.name,
            );
            for s in &p.statements {
                let _ = writeln!(out, "    {}", statement_line(s));
                for c in &s.conditions {
                    let seen = match &c.context_value {
                        Some(val) => serde_json::to_string(val).unwrap_or_default(),
                        None => "(absent)".to_string(),
                    };
                    let _ = writeln!(
                        out,
                        "      {} {} {} {:?}: request has {seen}",
                        if c.result { "✓" } else { "✗" },
                        c.operator,
                        c.key,
                        c.values
                    );
                }
            }
        }
    }
    out
}

fn statement_line(s: &StatementTrace) -> String {
    let mark = |b: Option<bool>| match b {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "·",
    };
    let name = s
        .sid
        .clone()
        .map_or_else(|| format!("#{}", s.index), |sid| format!("{sid:?}"));
    let mut line = format!(
        "{} {:?} {name}: principal {} action {} resource {}",
        if s.applies { "APPLIES" } else { "skip   " },
        s.effect,
        mark(s.principal),
        mark(s.action),
        mark(s.resource)
    );
    if let Some(g) = s.grantee {
        let _ = write!(line, " (names the principal as {g:?})");
    }
    line
}
