//! EventBridge Scheduler's schedule expressions: one-time `at(yyyy-mm-ddThh:mm:ss)` and the rules'
//! `rate(value unit)` and six-field `cron(…)` (parsed by `eventbridge::schedule`), read in an IANA
//! time zone. Daylight saving follows the Scheduler user guide ("Schedule types on EventBridge
//! Scheduler", daylight saving time): a cron time that falls in the hour skipped in spring does
//! not run that day, and a time in the hour repeated in autumn runs once, at its first
//! occurrence. A rate is a fixed duration on the clock, so time zones do not change it.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::services::eventbridge::schedule::{Schedule, ScheduleError};
use crate::sim::Millis;

/// The time zone a schedule uses when CreateSchedule names none.
pub const TIME_ZONE_DEFAULT: &str = "UTC";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expression {
    /// One invocation at this wall-clock time in the schedule's time zone.
    At(NaiveDateTime),
    Recurring(Schedule),
}

fn invalid(explanation: impl Into<String>) -> ScheduleError {
    ScheduleError {
        explanation: explanation.into(),
    }
}

impl Expression {
    /// Reads an expression exactly as written: AWS refuses spaces around it or inside its
    /// parentheses (`rate( 10 minutes )`), which rules forgive.
    pub fn parse(text: &str) -> Result<Expression, ScheduleError> {
        let inner = text
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'));
        let padded = |s: &str| s.trim() != s;
        if padded(text) || inner.is_some_and(padded) {
            return Err(invalid(format!(
                "no spaces around the expression or just inside its parentheses; write {}",
                tidy(text)
            )));
        }
        match text.strip_prefix("at(").and_then(|t| t.strip_suffix(')')) {
            Some(time) => parse_at(time).map(Expression::At),
            None => Schedule::parse(text).map(Expression::Recurring),
        }
    }

    pub fn is_one_time(&self) -> bool {
        matches!(self, Expression::At(_))
    }

    /// The first invocation time at or after `from_ms`, or `None` when there is none. A rate
    /// runs at `anchor_ms` (the StartDate, or when the schedule was created) and every interval
    /// after it; a cron and `at` run on whole wall-clock minutes in `zone`.
    pub fn next_at_or_after(&self, zone: Tz, anchor_ms: Millis, from_ms: Millis) -> Option<Millis> {
        match self {
            Expression::At(wall) => instant(zone, *wall).filter(|at| *at >= from_ms),
            Expression::Recurring(Schedule::Rate { every_ms }) => {
                let behind = (from_ms - anchor_ms).max(0);
                let steps = (behind + every_ms - 1).div_euclid(*every_ms);
                Some(anchor_ms + steps * every_ms)
            }
            Expression::Recurring(Schedule::Cron(cron)) => {
                let mut wall = wall_time(zone, from_ms - 1)?;
                loop {
                    wall = cron.next_wall_time_after(wall)?;
                    if let Some(at) = instant(zone, wall).filter(|at| *at >= from_ms) {
                        return Some(at);
                    }
                }
            }
        }
    }
}

/// `rate( 10 minutes )` → `rate(10 minutes)`, for the explanation.
fn tidy(text: &str) -> String {
    let text = text.trim();
    match text.split_once('(') {
        Some((name, rest)) => format!("{}({})", name.trim(), rest.trim_end_matches(')').trim()),
        None => text.to_string(),
    }
}

fn parse_at(time: &str) -> Result<NaiveDateTime, ScheduleError> {
    let example = "e.g. at(2022-06-12T09:30:00)";
    if time.ends_with('Z') || time.contains('+') {
        return Err(invalid(format!(
            "at(…) takes a wall-clock time without an offset, {example}; the time zone is --schedule-expression-timezone"
        )));
    }
    let parsed = NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .filter(|_| time.len() == "yyyy-mm-ddThh:mm:ss".len());
    parsed.ok_or_else(|| {
        invalid(format!(
            "at(…) takes a date and time as yyyy-mm-ddThh:mm:ss, {example}, not `{time}`"
        ))
    })
}

/// An IANA time zone name as `--schedule-expression-timezone` takes it (`Asia/Seoul`, `UTC`).
pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// The wall-clock time in `zone` at instant `ms`.
pub fn wall_time(zone: Tz, ms: Millis) -> Option<NaiveDateTime> {
    Some(
        DateTime::from_timestamp_millis(ms)?
            .with_timezone(&zone)
            .naive_local(),
    )
}

/// The instant a wall-clock time names in `zone`: the first of two in the repeated autumn hour,
/// none in the skipped spring hour.
fn instant(zone: Tz, wall: NaiveDateTime) -> Option<Millis> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.timestamp_millis()),
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{format_iso, parse_iso};

    /// The next `count` invocation times (UTC) of `expression` in `zone` from `from`.
    fn check(expression: &str, zone: &str, from: &str, count: usize) -> Vec<String> {
        let expression = Expression::parse(expression).unwrap();
        let zone = parse_time_zone(zone).unwrap();
        let start = parse_iso(from).unwrap();
        let mut at = start;
        let mut out = Vec::new();
        for _ in 0..count {
            let Some(next) = expression.next_at_or_after(zone, start, at) else {
                break;
            };
            out.push(format_iso(next));
            at = next + 1;
        }
        out
    }

    fn error(expression: &str) -> String {
        Expression::parse(expression).unwrap_err().explanation
    }

    // User guide, "Schedule types on EventBridge Scheduler", daylight saving time: in spring a
    // cron time that does not exist is skipped; in autumn it runs once. New York moved from EST
    // (UTC-5) to EDT (UTC-4) at 02:00 on 2022-03-13 and back at 02:00 on 2022-11-06.
    #[test]
    fn daily_0230_in_new_york_skips_the_spring_gap() {
        assert_eq!(
            check(
                "cron(30 2 * * ? *)",
                "America/New_York",
                "2022-03-11T00:00:00Z",
                4
            ),
            [
                "2022-03-11T07:30:00Z",
                "2022-03-12T07:30:00Z",
                // 2022-03-13 02:30 does not exist in New York: no invocation that day.
                "2022-03-14T06:30:00Z",
                "2022-03-15T06:30:00Z",
            ]
        );
    }

    #[test]
    fn daily_0230_in_new_york_runs_once_across_autumn() {
        assert_eq!(
            check(
                "cron(30 2 * * ? *)",
                "America/New_York",
                "2022-11-04T00:00:00Z",
                4
            ),
            [
                "2022-11-04T06:30:00Z",
                "2022-11-05T06:30:00Z",
                // 02:30 exists once on 2022-11-06 (EST, after the repeated 01:00-02:00 hour).
                "2022-11-06T07:30:00Z",
                "2022-11-07T07:30:00Z",
            ]
        );
    }

    #[test]
    fn the_repeated_hour_runs_once_at_its_first_occurrence() {
        // 01:30 happens twice on 2022-11-06: 05:30Z (EDT) and 06:30Z (EST).
        assert_eq!(
            check(
                "cron(30 1 * * ? *)",
                "America/New_York",
                "2022-11-05T12:00:00Z",
                2
            ),
            ["2022-11-06T05:30:00Z", "2022-11-07T06:30:00Z"]
        );
        // Every 20 minutes: 01:00-01:40 EDT, then on to 02:00 EST without the repeat.
        assert_eq!(
            check(
                "cron(0/20 1-2 * * ? *)",
                "America/New_York",
                "2022-11-06T04:50:00Z",
                5
            ),
            [
                "2022-11-06T05:00:00Z",
                "2022-11-06T05:20:00Z",
                "2022-11-06T05:40:00Z",
                "2022-11-06T07:00:00Z",
                "2022-11-06T07:20:00Z",
            ]
        );
    }

    #[test]
    fn seoul_has_no_daylight_saving() {
        // KST is UTC+9 all year: 09:00 in Seoul is 00:00Z in March and in November alike.
        assert_eq!(
            check("cron(0 9 * * ? *)", "Asia/Seoul", "2022-03-12T00:00:00Z", 3),
            [
                "2022-03-12T00:00:00Z",
                "2022-03-13T00:00:00Z",
                "2022-03-14T00:00:00Z"
            ]
        );
        assert_eq!(
            check("cron(0 9 * * ? *)", "Asia/Seoul", "2022-11-05T01:00:00Z", 2),
            ["2022-11-06T00:00:00Z", "2022-11-07T00:00:00Z"]
        );
    }

    #[test]
    fn london_and_utc_zones() {
        // London's summer time (UTC+1) starts at 01:00 on 2022-03-27.
        assert_eq!(
            check(
                "cron(0 12 * * ? *)",
                "Europe/London",
                "2022-03-26T00:00:00Z",
                2
            ),
            ["2022-03-26T12:00:00Z", "2022-03-27T11:00:00Z"]
        );
        assert_eq!(
            check("cron(0 12 * * ? *)", "UTC", "2022-03-26T00:00:00Z", 1),
            ["2022-03-26T12:00:00Z"]
        );
    }

    #[test]
    fn at_is_wall_clock_time_in_the_zone_and_runs_once() {
        assert_eq!(
            check(
                "at(2022-06-12T09:30:00)",
                "Asia/Seoul",
                "2022-06-12T00:00:00Z",
                3
            ),
            ["2022-06-12T00:30:00Z"]
        );
        assert_eq!(
            check("at(2022-06-12T09:30:00)", "UTC", "2022-06-12T00:00:00Z", 1),
            ["2022-06-12T09:30:00Z"]
        );
        // In the past: nothing to run.
        assert!(check("at(2022-06-11T09:30:00)", "UTC", "2022-06-12T00:00:00Z", 1).is_empty());
        // In the spring gap: skipped like a cron time.
        assert!(
            check(
                "at(2022-03-13T02:30:00)",
                "America/New_York",
                "2022-03-01T00:00:00Z",
                1
            )
            .is_empty()
        );
    }

    // User guide: a rate without StartDate starts invoking at once; "days" is 24 hours on the
    // clock, also across a daylight saving change.
    #[test]
    fn rates_start_at_their_anchor_and_ignore_daylight_saving() {
        assert_eq!(
            check("rate(5 minutes)", "UTC", "2022-06-12T00:00:30Z", 3),
            [
                "2022-06-12T00:00:30Z",
                "2022-06-12T00:05:30Z",
                "2022-06-12T00:10:30Z"
            ]
        );
        assert_eq!(
            check("rate(1 day)", "America/New_York", "2022-03-12T12:00:00Z", 2),
            ["2022-03-12T12:00:00Z", "2022-03-13T12:00:00Z"]
        );
    }

    // Expressions AWS refused in LocalStack's recorded Scheduler tests
    // (tests/aws/services/scheduler/test_scheduler.py, validated against AWS).
    #[test]
    fn refuses_what_aws_refuses() {
        assert!(error("rate( 10 minutes )").contains("write rate(10 minutes)"));
        assert!(error(" rate(10 minutes)").contains("no spaces"));
        assert!(error("at(2021-12-31T23:59:59Z)").contains("without an offset"));
        assert!(error("at(2021-12-31)").contains("yyyy-mm-ddThh:mm:ss"));
        assert!(error("rate(10 seconds)").contains("minute(s), hour(s) or day(s)"));
        assert!(error("rate(10 minutess)").contains("minute(s), hour(s) or day(s)"));
        assert!(error("cron(0 1 * * * *)").contains("must be `?`"));
        assert!(error("cron(71 8 1 * ? *)").contains("out of range"));
        assert!(Expression::parse("cron(*/15 * * * ? *)").is_ok());
        assert!(Expression::parse("cron(0-59/10 0-23/2 ? * * *)").is_ok());
        assert!(Expression::parse("at(2022-12-31T23:59:59)").is_ok());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(parse_time_zone("Asia/Seoul").is_some());
        assert!(parse_time_zone("UTC").is_some());
        assert!(parse_time_zone("Mars/Olympus_Mons").is_none());
        assert!(parse_time_zone("asia/seoul").is_none());
    }
}
