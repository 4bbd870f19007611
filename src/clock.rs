//! The instant s3why decides at. AWS puts the time of every request in its context
//! (`aws:CurrentTime`, `aws:EpochTime`: "always included", global condition keys, S19), so
//! a policy with a time window decides differently tomorrow. s3why decides every request
//! of a run at one instant: when the run started, or `S3WHY_NOW` (RFC 3339, or seconds
//! since the epoch) for a reproducible run. The same instant dates suppressions.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The environment variable that fixes the instant.
pub const NOW_VAR: &str = "S3WHY_NOW";

/// One instant, in the forms the request context and suppressions use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    /// `aws:CurrentTime`: ISO 8601, UTC, to the second (`2026-11-28T17:05:00Z`).
    pub iso: String,
    /// `aws:EpochTime`: whole seconds since 1970-01-01.
    pub epoch: i64,
    /// The UTC date.
    pub date: NaiveDate,
}

impl Instant {
    fn at(t: DateTime<Utc>) -> Instant {
        Instant {
            iso: t.to_rfc3339_opts(SecondsFormat::Secs, true),
            epoch: t.timestamp(),
            date: t.date_naive(),
        }
    }
}

/// Reads an instant as `S3WHY_NOW` gives it; `Err` says what was expected.
pub fn parse(text: &str) -> Result<Instant, String> {
    let t = text.trim();
    let time = if let Ok(secs) = t.parse::<i64>() {
        DateTime::from_timestamp(secs, 0)
    } else {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    };
    time.map(Instant::at).ok_or_else(|| {
        format!(
            "{NOW_VAR}={text:?}: expected an RFC 3339 time (2026-11-28T17:05:00Z) or seconds since the epoch"
        )
    })
}

/// The instant of this run: `S3WHY_NOW` when it is set and valid (the command line checks
/// it first, [`check_env`]), else the clock when first asked.
pub fn now() -> &'static Instant {
    static NOW: OnceLock<Instant> = OnceLock::new();
    NOW.get_or_init(|| {
        std::env::var(NOW_VAR)
            .ok()
            .and_then(|v| parse(&v).ok())
            .unwrap_or_else(system_time)
    })
}

fn system_time() -> Instant {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Instant::at(DateTime::from_timestamp(secs, 0).unwrap_or_default())
}

/// `Err` with the message when `S3WHY_NOW` is set but malformed (the command line stops
/// with it rather than silently use the clock).
pub fn check_env() -> Result<(), String> {
    match std::env::var(NOW_VAR) {
        Ok(v) => parse(&v).map(|_| ()),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_epoch_seconds() {
        let a = parse("2026-11-28T17:05:00Z").ok();
        assert_eq!(
            a,
            Some(Instant {
                iso: "2026-11-28T17:05:00Z".into(),
                epoch: 1_795_885_500,
                date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
            })
        );
        assert_eq!(parse("1795885500").ok(), a);
        // Another offset is the same instant, written in UTC.
        assert_eq!(
            parse("2026-11-28T18:05:00+01:00").ok().map(|i| i.iso),
            Some("2026-11-28T17:05:00Z".to_string())
        );
    }

    #[test]
    fn malformed_says_what_was_expected() {
        let e = parse("tomorrow").err().unwrap_or_default();
        assert!(
            e.starts_with("S3WHY_NOW=\"tomorrow\": expected an RFC 3339 time"),
            "{e}"
        );
        assert!(parse("2026-13-01T00:00:00Z").is_err());
    }
}
