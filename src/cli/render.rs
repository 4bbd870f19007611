//! Rendering verdicts and traces for people (text) and tools (JSON).

use std::fmt::Write as _;

use s3why::aws::evaluate::StatementTrace;
use s3why::aws::Verdict;

/// The verdict for a person: the answer first, then the causes, then the assumptions.
pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    match &v.error_code {
        None => {
            let _ = writeln!(out, "ALLOWED (200)");
        }
        Some(code) => {
            let _ = writeln!(out, "DENIED ({} {code})", v.status);
            if let Some(m) = &v.aws_message {
                let _ = writeln!(out, "  AWS says: {m}");
            }
        }
    }
    let causes = causes(v);
    if !causes.is_empty() {
        let _ = writeln!(out, "\nCauses:");
        for c in causes {
            let _ = writeln!(out, "  - {c}");
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

fn causes(v: &Verdict) -> Vec<String> {
    let mut out: Vec<String> = v
        .gates
        .iter()
        .map(|g| format!("[{}] {}: {}", g.id, g.policy, g.detail))
        .collect();
    for a in v.authorizations.iter().filter(|a| !a.allowed) {
        for r in &a.reasons {
            let what = if r.explicit {
                "explicitly denies"
            } else {
                "does not allow"
            };
            let at: Vec<String> = r
                .statements
                .iter()
                .map(|s| match (&s.sid, s.index) {
                    (Some(sid), _) => format!("{} statement {sid:?}", s.policy),
                    (None, Some(i)) => format!("{} statement {i}", s.policy),
                    _ => s.policy.to_string(),
                })
                .collect();
            let at = if at.is_empty() {
                String::new()
            } else {
                format!(" ({})", at.join(", "))
            };
            out.push(format!(
                "{}: the {} {what} {} on {}{at}",
                r.policy_type.as_str(),
                r.policy_type.as_str(),
                a.action,
                a.resource
            ));
        }
    }
    out
}

/// The full trace: every authorization, policy, statement and condition.
pub fn trace_text(v: &Verdict) -> String {
    let mut out = verdict_text(v);
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
            if k.manager == s3why::facts::KeyManager::Aws {
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
            let _ = writeln!(
                out,
                "  {} {:?} ({}): {verdict}",
                p.policy_type.as_str(),
                p.name,
                p.path
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
