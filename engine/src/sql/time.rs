//! Calendar arithmetic for dates (days since the epoch) and timestamps (milliseconds since the
//! epoch, UTC): parsing Trino's literal forms, printing Trino's text, and splitting into fields.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

pub const MS_PER_SECOND: i64 = 1_000;
pub const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date")
}

pub fn date_from_days(days: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::TimeDelta::days(days as i64))
}

pub fn days_from_date(date: NaiveDate) -> i32 {
    (date - epoch()).num_days() as i32
}

pub fn datetime_from_ms(ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms).map(|dt| dt.naive_utc())
}

pub fn ms_from_datetime(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_millis()
}

/// `2022-06-12`.
pub fn format_date(days: i32) -> String {
    match date_from_days(days) {
        Some(date) => format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        None => days.to_string(),
    }
}

/// `2022-06-12 00:05:00.000`, as Trino prints `timestamp(3)`.
pub fn format_timestamp(ms: i64) -> String {
    match datetime_from_ms(ms) {
        Some(dt) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.and_utc().timestamp_subsec_millis()
        ),
        None => ms.to_string(),
    }
}

/// Trino's `interval day to second` text: `1 02:03:04.005`.
pub fn format_interval_ms(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    let (days, rest) = (ms / MS_PER_DAY as u64, ms % MS_PER_DAY as u64);
    let (hours, rest) = (rest / MS_PER_HOUR as u64, rest % MS_PER_HOUR as u64);
    let (minutes, rest) = (rest / MS_PER_MINUTE as u64, rest % MS_PER_MINUTE as u64);
    let (seconds, millis) = (rest / 1000, rest % 1000);
    format!("{sign}{days} {hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}

/// Trino's `interval year to month` text: `1-2`.
pub fn format_interval_months(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let months = months.unsigned_abs();
    format!("{sign}{}-{}", months / 12, months % 12)
}

/// A date as Trino's `CAST(varchar AS date)` and `DATE '…'` read it: `yyyy-m-d`.
pub fn parse_date(text: &str) -> Option<i32> {
    let (year, month, day) = split_date(text.trim())?;
    Some(days_from_date(NaiveDate::from_ymd_opt(year, month, day)?))
}

fn split_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?;
    let (month, day) = (parts.next()?, parts.next()?);
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 6) && year.len() >= 4 && digits(month, 2) && digits(day, 2)) {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?))
}

/// A timestamp as Trino's `TIMESTAMP '…'` and `CAST(varchar AS timestamp)` read it:
/// `yyyy-m-d[ h:m[:s[.fraction]]]`, fractions rounded half up to milliseconds. A trailing time
/// zone is accepted only with `zone_allowed` (for `timestamp with time zone`), and only UTC.
pub fn parse_timestamp(text: &str, zone_allowed: bool) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = match text.split_once(' ') {
        Some((date, rest)) => (date, rest.trim()),
        None => (text, ""),
    };
    let (year, month, day) = split_date(date)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (time, zone) = match rest.split_once(' ') {
        Some((time, zone)) => (time, zone.trim()),
        None if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) => (rest, ""),
        None => ("", rest),
    };
    if !(zone.is_empty() || zone_allowed && is_utc(zone)) {
        return None;
    }
    let millis = if time.is_empty() {
        0
    } else {
        parse_time_ms(time)?
    };
    Some(ms_from_datetime(date.and_time(NaiveTime::MIN)) + millis)
}

fn is_utc(zone: &str) -> bool {
    matches!(zone, "UTC" | "Z" | "+00:00" | "GMT" | "Etc/UTC")
}

/// `h:m[:s[.fraction]]` → milliseconds after midnight.
fn parse_time_ms(text: &str) -> Option<i64> {
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (text, None),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&fields.len()) || (fraction.is_some() && fields.len() != 3) {
        return None;
    }
    let number = |s: &str, max: i64| -> Option<i64> {
        let ok = (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        let n: i64 = if ok { s.parse().ok()? } else { return None };
        (n <= max).then_some(n)
    };
    let hours = number(fields[0], 23)?;
    let minutes = number(fields[1], 59)?;
    let seconds = fields.get(2).map_or(Some(0), |s| number(s, 59))?;
    let millis = match fraction {
        Some(f) => round_fraction_to_ms(f)?,
        None => 0,
    };
    Some(hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds * MS_PER_SECOND + millis)
}

fn round_fraction_to_ms(fraction: &str) -> Option<i64> {
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<i64> = fraction.bytes().map(|b| (b - b'0') as i64).collect();
    let digit = |i: usize| digits.get(i).copied().unwrap_or(0);
    let millis = digit(0) * 100 + digit(1) * 10 + digit(2);
    Some(millis + i64::from(digit(3) >= 5))
}

/// Adds calendar months, clamping the day to the month's end (Jan 31 + 1 month = Feb 28).
pub fn add_months_to_ms(ms: i64, months: i64) -> Option<i64> {
    let dt = datetime_from_ms(ms)?;
    let shifted = if months >= 0 {
        dt.checked_add_months(Months::new(u32::try_from(months).ok()?))?
    } else {
        dt.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
    };
    Some(ms_from_datetime(shifted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trino_timestamp_literals() {
        let check = |text: &str, expect: Option<&str>| {
            let actual = parse_timestamp(text, false).map(format_timestamp);
            assert_eq!(actual.as_deref(), expect, "{text}");
        };
        check("2022-06-12 00:05:00", Some("2022-06-12 00:05:00.000"));
        check("2022-06-12", Some("2022-06-12 00:00:00.000"));
        check("2022-6-2 1:02", Some("2022-06-02 01:02:00.000"));
        check(
            " 2022-06-12 00:00:00.1234 ",
            Some("2022-06-12 00:00:00.123"),
        );
        check("2022-06-12 00:00:00.9996", Some("2022-06-12 00:00:01.000"));
        check("2022-06-12T00:00:00", None);
        check("2022-02-30", None);
        check("2022-06-12 24:00:00", None);
        check("2022-06-12 00:00:00 UTC", None);
        assert_eq!(
            parse_timestamp("2022-06-12 00:00:00 UTC", true)
                .map(format_timestamp)
                .as_deref(),
            Some("2022-06-12 00:00:00.000")
        );
        check("1969-12-31 23:59:59.999", Some("1969-12-31 23:59:59.999"));
    }

    #[test]
    fn parses_and_prints_dates() {
        assert_eq!(parse_date("2022-06-12"), Some(19155));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("2022-13-01"), None);
        assert_eq!(parse_date("20220612"), None);
        assert_eq!(format_date(19155), "2022-06-12");
    }

    #[test]
    fn prints_intervals_as_trino() {
        assert_eq!(
            format_interval_ms(MS_PER_DAY + 2 * MS_PER_HOUR + 5),
            "1 02:00:00.005"
        );
        assert_eq!(format_interval_ms(-5 * MS_PER_MINUTE), "-0 00:05:00.000");
        assert_eq!(format_interval_months(14), "1-2");
    }

    #[test]
    fn adds_months_clamping_the_day() {
        let jan31 = parse_timestamp("2022-01-31 10:00:00", false).unwrap();
        assert_eq!(
            format_timestamp(add_months_to_ms(jan31, 1).unwrap()),
            "2022-02-28 10:00:00.000"
        );
        assert_eq!(
            format_timestamp(add_months_to_ms(jan31, -2).unwrap()),
            "2021-11-30 10:00:00.000"
        );
    }
}
