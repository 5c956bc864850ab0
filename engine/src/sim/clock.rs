//! Simulated time: milliseconds since the Unix epoch, always UTC, formatted as ISO 8601.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};

/// Milliseconds since 1970-01-01T00:00:00Z on the virtual clock.
pub type Millis = i64;

/// The course's exercises start on 2022-06-12T00:00:00Z, so every new world does too.
pub const DEFAULT_START_MS: Millis = 1_654_992_000_000;

/// The earliest and latest instants the clock accepts: years 1970 to 9999.
const CLOCK_MS_MIN: Millis = 0;
const CLOCK_MS_MAX: Millis = 253_402_300_799_999;

/// `2022-06-12T00:01:30Z`, or `2022-06-12T00:01:30.250Z` when the instant has milliseconds.
pub fn format_iso(ms: Millis) -> String {
    let Some(time) = DateTime::from_timestamp_millis(ms) else {
        return format!("{ms}ms");
    };
    let format = if ms.rem_euclid(1000) == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Millis
    };
    time.to_rfc3339_opts(format, true)
}

/// Parses `2022-06-12T09:30:00Z`, an RFC 3339 time with an offset, a time without an offset
/// (read as UTC, like the AWS CLI does), or a bare date (midnight UTC).
pub fn parse_iso(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    let ms = if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        time.timestamp_millis()
    } else if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        naive.and_utc().timestamp_millis()
    } else if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
        naive.and_utc().timestamp_millis()
    } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis()
    } else {
        return Err(format!(
            "`{text}` is not an ISO 8601 time (expected e.g. 2022-06-12T09:30:00Z)"
        ));
    };
    if !(CLOCK_MS_MIN..=CLOCK_MS_MAX).contains(&ms) {
        return Err(format!("`{text}` is outside the years 1970 to 9999"));
    }
    Ok(ms)
}

/// A short human form of a duration: `1h 30m`, `90ms`, `2d 3h`.
pub fn format_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let mut rest = ms.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ] {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_the_course_date() {
        assert_eq!(format_iso(DEFAULT_START_MS), "2022-06-12T00:00:00Z");
        assert_eq!(parse_iso("2022-06-12T00:00:00Z"), Ok(DEFAULT_START_MS));
    }

    #[test]
    fn formats_seconds_and_milliseconds() {
        assert_eq!(
            format_iso(DEFAULT_START_MS + 90_000),
            "2022-06-12T00:01:30Z"
        );
        assert_eq!(
            format_iso(DEFAULT_START_MS + 90_250),
            "2022-06-12T00:01:30.250Z"
        );
    }

    #[test]
    fn parses_offsets_naive_times_and_dates() {
        let nine = DEFAULT_START_MS + 9 * 3_600_000;
        assert_eq!(parse_iso("2022-06-12T09:00:00Z"), Ok(nine));
        assert_eq!(parse_iso("2022-06-12T18:00:00+09:00"), Ok(nine));
        assert_eq!(parse_iso("2022-06-12T09:00:00"), Ok(nine));
        assert_eq!(parse_iso("2022-06-12T09:00"), Ok(nine));
        assert_eq!(parse_iso("2022-06-12"), Ok(DEFAULT_START_MS));
        assert_eq!(parse_iso("2022-06-12T09:00:00.5Z"), Ok(nine + 500));
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        let err = parse_iso("yesterday").unwrap_err();
        assert!(err.contains("not an ISO 8601 time"), "{err}");
        assert!(parse_iso("2022-13-01").is_err());
        assert!(
            parse_iso("1969-12-31T23:59:59Z")
                .unwrap_err()
                .contains("1970 to 9999")
        );
    }

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(format_duration(90_000), "1m 30s");
        assert_eq!(format_duration(2 * 86_400_000 + 3_600_000), "2d 1h");
        assert_eq!(format_duration(250), "250ms");
        assert_eq!(format_duration(0), "0s");
    }
}
