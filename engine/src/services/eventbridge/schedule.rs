//! EventBridge schedule expressions: `rate(value unit)` and the six-field
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC, with the rules of the
//! EventBridge user guide ("Cron expressions reference" and "Rate expressions"): `, - * /` in every
//! field, `?` in exactly one of the two day fields, `L` and `W` in day-of-month, `L` and `#` in
//! day-of-week (1–7 = SUN–SAT or names), years 1970–2199, singular units for a value of 1.
//!
//! AWS answers every invalid expression with the same `Parameter ScheduleExpression is not
//! valid.`; `ScheduleError::explanation` says what exactly is wrong, for learners.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

use crate::sim::Millis;

const MINUTE_MS: Millis = 60_000;
const YEAR_MIN: i32 = 1970;
const YEAR_MAX: i32 = 2199;

/// AWS's message for any invalid schedule expression.
pub const INVALID_MESSAGE: &str = "Parameter ScheduleExpression is not valid.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    /// What is wrong and how to write it instead.
    pub explanation: String,
}

fn invalid(explanation: impl Into<String>) -> ScheduleError {
    ScheduleError {
        explanation: explanation.into(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Every `every_ms`, counted from when the schedule starts.
    Rate {
        every_ms: Millis,
    },
    Cron(Box<Cron>),
}

impl Schedule {
    pub fn parse(expression: &str) -> Result<Schedule, ScheduleError> {
        let text = expression.trim();
        if let Some(inner) = call(text, "rate") {
            return parse_rate(inner).map(|every_ms| Schedule::Rate { every_ms });
        }
        if let Some(inner) = call(text, "cron") {
            return Cron::parse(inner).map(|cron| Schedule::Cron(Box::new(cron)));
        }
        if text.starts_with("at(") {
            return Err(invalid(
                "at(…) one-time schedules belong to EventBridge Scheduler (aws scheduler create-schedule), not to rules",
            ));
        }
        let fields = text.split_whitespace().count();
        if (5..=6).contains(&fields) && !text.contains('(') {
            return Err(invalid(format!(
                "write a cron schedule as cron(…) around its six fields, e.g. cron({text}{})",
                if fields == 5 { " *" } else { "" }
            )));
        }
        Err(invalid(
            "a schedule expression is rate(value unit), e.g. rate(5 minutes), or cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0/5 * * * ? *)",
        ))
    }

    /// The first fire time strictly after `after_ms`. A rate fires every interval after
    /// `start_ms` (when the rule was created or enabled), never at `start_ms` itself; a cron on
    /// whole minutes. `None` when a cron matches nothing more before 2200 (its Year field has run
    /// out, or it names a day that never comes, like 30 February).
    pub fn next_after(&self, start_ms: Millis, after_ms: Millis) -> Option<Millis> {
        match self {
            Schedule::Rate { every_ms } => {
                let elapsed = (after_ms - start_ms).max(0);
                Some(start_ms + (elapsed.div_euclid(*every_ms) + 1) * every_ms)
            }
            Schedule::Cron(cron) => cron.next_after(after_ms),
        }
    }
}

/// `name(inner)` → `inner`.
fn call<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn parse_rate(inner: &str) -> Result<Millis, ScheduleError> {
    let words: Vec<&str> = inner.split_whitespace().collect();
    let [value, unit] = words.as_slice() else {
        return Err(invalid(format!(
            "rate(…) takes a value and a unit, e.g. rate(5 minutes), not rate({inner})"
        )));
    };
    let value: i64 = value.parse().map_err(|_| {
        invalid(format!(
            "the rate value must be a positive whole number, not `{value}`"
        ))
    })?;
    if value <= 0 {
        return Err(invalid(format!(
            "the rate value must be greater than 0, not {value}"
        )));
    }
    let (unit_ms, singular) = match *unit {
        "minute" | "minutes" => (MINUTE_MS, "minute"),
        "hour" | "hours" => (60 * MINUTE_MS, "hour"),
        "day" | "days" => (24 * 60 * MINUTE_MS, "day"),
        other => {
            return Err(invalid(format!(
                "the rate unit is minute(s), hour(s) or day(s), not `{other}` (a rate faster than one minute is not possible)"
            )));
        }
    };
    let plural = unit.ends_with('s');
    if value == 1 && plural {
        return Err(invalid(format!(
            "a value of 1 takes the singular unit: rate(1 {singular})"
        )));
    }
    if value > 1 && !plural {
        return Err(invalid(format!(
            "a value above 1 takes the plural unit: rate({value} {singular}s)"
        )));
    }
    value
        .checked_mul(unit_ms)
        .ok_or_else(|| invalid("the rate is too large"))
}

/// One cron field's allowed values, as a bit set (minutes need 60 bits; years are offset).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Values {
    bits: Vec<u64>,
    min: i32,
}

impl Values {
    fn new(min: i32, max: i32) -> Values {
        Values {
            bits: vec![0; ((max - min) / 64 + 1) as usize],
            min,
        }
    }

    fn insert(&mut self, value: i32) {
        let i = (value - self.min) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, value: i32) -> bool {
        let i = value - self.min;
        i >= 0
            && self
                .bits
                .get(i as usize / 64)
                .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Days {
    /// `?`: the other day field decides.
    Any,
    /// Plain values (day-of-month 1–31, or day-of-week 1–7).
    Set(Values),
    /// Day-of-month `L`: the last day of the month.
    LastOfMonth,
    /// Day-of-month `LW`: the last weekday of the month.
    LastWeekdayOfMonth,
    /// Day-of-month `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u32),
    /// Day-of-week `nL` (or `L` for Saturday): the last such weekday of the month.
    LastWeekdayNamed(u32),
    /// Day-of-week `n#k`: the k-th such weekday of the month.
    Nth(u32, u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: Values,
    hours: Values,
    day_of_month: Days,
    months: Values,
    day_of_week: Days,
    years: Values,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIELD_NAMES: [&str; 6] = [
    "Minutes",
    "Hours",
    "Day-of-month",
    "Month",
    "Day-of-week",
    "Year",
];

struct Field<'a> {
    name: &'static str,
    min: i32,
    max: i32,
    names: &'a [&'a str],
}

impl Field<'_> {
    fn value(&self, text: &str) -> Result<i32, ScheduleError> {
        let upper = text.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(i as i32 + 1);
        }
        let value: i32 = text.parse().map_err(|_| {
            let names = if self.names.is_empty() {
                String::new()
            } else {
                format!(" or {}-{}", self.names[0], self.names[self.names.len() - 1])
            };
            invalid(format!(
                "{}: `{text}` is not a value; use {}-{}{names}",
                self.name, self.min, self.max
            ))
        })?;
        if !(self.min..=self.max).contains(&value) {
            return Err(invalid(format!(
                "{}: {value} is out of range {}-{}",
                self.name, self.min, self.max
            )));
        }
        Ok(value)
    }

    /// `,`-separated items of `*`, `n`, `a-b`, with an optional `/step`.
    fn values(&self, text: &str) -> Result<Values, ScheduleError> {
        let mut values = Values::new(self.min, self.max);
        for item in text.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => {
                    let step: i32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        invalid(format!(
                            "{}: the increment after `/` must be a positive whole number, not `{step}`",
                            self.name
                        ))
                    })?;
                    (range, Some(step))
                }
                None => (item, None),
            };
            let (from, to) = match range {
                "*" => (self.min, self.max),
                "" => {
                    return Err(invalid(format!("{}: empty item in `{text}`", self.name)));
                }
                _ => match range.split_once('-') {
                    Some((a, b)) => (self.value(a)?, self.value(b)?),
                    // `a/step` runs from a to the end of the field.
                    None if step.is_some() => (self.value(range)?, self.max),
                    None => {
                        let v = self.value(range)?;
                        (v, v)
                    }
                },
            };
            if from > to {
                return Err(invalid(format!(
                    "{}: the range {range} runs backwards",
                    self.name
                )));
            }
            let mut v = from;
            while v <= to {
                values.insert(v);
                v += step.unwrap_or(1);
            }
        }
        Ok(values)
    }
}

impl Cron {
    pub fn parse(inner: &str) -> Result<Cron, ScheduleError> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            let hint = if fields.len() == 5 {
                format!(
                    "; a Unix crontab line has five, EventBridge adds the Year and needs `?` in one day field, e.g. cron({} *)",
                    question_mark_hint(&fields)
                )
            } else {
                String::new()
            };
            return Err(invalid(format!(
                "cron(…) takes six fields ({}), this one has {}{hint}",
                FIELD_NAMES.join(" "),
                fields.len()
            )));
        }
        let field = |i: usize, min, max, names| Field {
            name: FIELD_NAMES[i],
            min,
            max,
            names,
        };
        for (i, text) in fields.iter().enumerate() {
            let refused = ["?LW#", "?LW#", "#", "?LW#", "W/", "?LW#"][i];
            if let Some(c) = text.chars().find(|c| refused.contains(*c)) {
                return Err(invalid(format!(
                    "{}: `{c}` is not allowed in this field",
                    FIELD_NAMES[i]
                )));
            }
        }
        let (dom, dow) = (fields[2], fields[4]);
        match (dom == "?", dow == "?") {
            (true, true) => {
                return Err(invalid(
                    "only one of Day-of-month and Day-of-week may be `?`; give the other a value or `*`",
                ));
            }
            (false, false) => {
                return Err(invalid(format!(
                    "one of Day-of-month and Day-of-week must be `?`: AWS does not combine them (e.g. `{dom} * ?` or `? * {dow}`)"
                )));
            }
            _ => {}
        }
        Ok(Cron {
            minutes: field(0, 0, 59, &[]).values(fields[0])?,
            hours: field(1, 0, 23, &[]).values(fields[1])?,
            day_of_month: day_of_month(&field(2, 1, 31, &[]), dom)?,
            months: field(3, 1, 12, &MONTHS).values(fields[3])?,
            day_of_week: day_of_week(&field(4, 1, 7, &WEEKDAYS), dow)?,
            years: field(5, YEAR_MIN, YEAR_MAX, &[]).values(fields[5])?,
        })
    }

    /// The first whole minute strictly after `after_ms` that matches, or `None`.
    pub fn next_after(&self, after_ms: Millis) -> Option<Millis> {
        let after = DateTime::from_timestamp_millis(after_ms)?.naive_utc();
        self.next_wall_time_after(after)
            .map(|at| at.and_utc().timestamp_millis())
    }

    /// The first whole minute of wall-clock time strictly after `after` that matches, with no
    /// time zone attached: EventBridge Scheduler reads the fields in the schedule's time zone.
    pub fn next_wall_time_after(&self, after: NaiveDateTime) -> Option<NaiveDateTime> {
        let start = after.with_second(0)?.with_nanosecond(0)? + chrono::TimeDelta::minutes(1);
        let mut date = start.date();
        let mut first_day = true;
        while date.year() <= YEAR_MAX {
            if !self.years.contains(date.year()) {
                date = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?;
                first_day = false;
                continue;
            }
            if !self.months.contains(date.month() as i32) {
                date = first_of_next_month(date)?;
                first_day = false;
                continue;
            }
            if self.day_matches(date) {
                let from_minute = if first_day {
                    start.hour() * 60 + start.minute()
                } else {
                    0
                };
                for minute_of_day in from_minute..24 * 60 {
                    let (h, m) = (minute_of_day / 60, minute_of_day % 60);
                    if self.hours.contains(h as i32) && self.minutes.contains(m as i32) {
                        return date.and_hms_opt(h, m, 0);
                    }
                }
            }
            date = date.succ_opt()?;
            first_day = false;
        }
        None
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        let last = last_day_of_month(date);
        let weekday = date.weekday().num_days_from_sunday() + 1;
        let day = date.day();
        // `value` is what a plain set holds: the day of the month, or the weekday 1-7.
        let matches = |days: &Days, value: u32| match days {
            Days::Any => true,
            Days::Set(values) => values.contains(value as i32),
            Days::LastOfMonth => day == last,
            Days::LastWeekdayOfMonth => day == nearest_weekday(date, last),
            Days::NearestWeekday(n) => day == nearest_weekday(date, (*n).min(last)),
            Days::LastWeekdayNamed(dow) => weekday == *dow && day + 7 > last,
            Days::Nth(dow, k) => weekday == *dow && (day - 1) / 7 + 1 == *k,
        };
        matches(&self.day_of_month, day) && matches(&self.day_of_week, weekday)
    }
}

/// `0 10 * * MON-FRI` → `0 10 ? * MON-FRI` for the hint on five-field crontab lines.
fn question_mark_hint(fields: &[&str]) -> String {
    let mut fields: Vec<&str> = fields.to_vec();
    if fields[4] == "*" {
        fields[4] = "?";
    } else if fields[2] == "*" {
        fields[2] = "?";
    }
    fields.join(" ")
}

fn day_of_month(field: &Field, text: &str) -> Result<Days, ScheduleError> {
    match text {
        "?" => Ok(Days::Any),
        "L" => Ok(Days::LastOfMonth),
        "LW" => Ok(Days::LastWeekdayOfMonth),
        _ => match text.strip_suffix('W') {
            Some(day) => Ok(Days::NearestWeekday(field.value(day)? as u32)),
            None if text.contains('L') || text.contains('W') => Err(invalid(format!(
                "Day-of-month: `{text}`: L and W stand alone (L, LW) or follow one day (15W)"
            ))),
            None => field.values(text).map(Days::Set),
        },
    }
}

fn day_of_week(field: &Field, text: &str) -> Result<Days, ScheduleError> {
    if text == "?" {
        return Ok(Days::Any);
    }
    if text == "L" {
        return Ok(Days::LastWeekdayNamed(7));
    }
    if let Some((day, nth)) = text.split_once('#') {
        if text.contains(',') {
            return Err(invalid(format!(
                "Day-of-week: with `#` the field holds one expression only, not `{text}`"
            )));
        }
        let nth: u32 = nth
            .parse()
            .ok()
            .filter(|n| (1..=5).contains(n))
            .ok_or_else(|| {
                invalid(format!(
                    "Day-of-week: after `#` comes which week of the month, 1-5, not `{nth}`"
                ))
            })?;
        return Ok(Days::Nth(field.value(day)? as u32, nth));
    }
    if let Some(day) = text.strip_suffix('L') {
        return Ok(Days::LastWeekdayNamed(field.value(day)? as u32));
    }
    field.values(text).map(Days::Set)
}

fn first_of_next_month(date: NaiveDate) -> Option<NaiveDate> {
    match date.month() {
        12 => NaiveDate::from_ymd_opt(date.year() + 1, 1, 1),
        m => NaiveDate::from_ymd_opt(date.year(), m + 1, 1),
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    first_of_next_month(date)
        .and_then(|next| next.pred_opt())
        .map_or(31, |last| last.day())
}

/// The weekday (Mon–Fri) nearest day `target` of `date`'s month, never leaving the month:
/// Saturday moves to Friday (or to Monday the 3rd when the 1st is a Saturday), Sunday to Monday
/// (or to Friday when Sunday is the last day).
fn nearest_weekday(date: NaiveDate, target: u32) -> u32 {
    let last = last_day_of_month(date);
    let Some(day) = date.with_day(target) else {
        return target;
    };
    match day.weekday() {
        Weekday::Sat if target == 1 => 3,
        Weekday::Sat => target - 1,
        Weekday::Sun if target == last => target - 2,
        Weekday::Sun => target + 1,
        _ => target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{format_iso, parse_iso};

    fn next(expression: &str, from: &str, count: usize) -> Vec<String> {
        let schedule = Schedule::parse(expression).unwrap();
        let start = parse_iso(from).unwrap();
        let mut at = start;
        let mut out = Vec::new();
        for _ in 0..count {
            at = schedule.next_after(start, at).unwrap();
            out.push(format_iso(at));
        }
        out
    }

    fn error(expression: &str) -> String {
        Schedule::parse(expression).unwrap_err().explanation
    }

    // The examples table of the EventBridge user guide's "Cron expressions reference".
    #[test]
    fn fires_like_the_user_guide_examples() {
        // 10:00 UTC every day.
        assert_eq!(
            next("cron(0 10 * * ? *)", "2022-06-12T00:00:00Z", 2),
            ["2022-06-12T10:00:00Z", "2022-06-13T10:00:00Z"]
        );
        // 12:15 every day.
        assert_eq!(
            next("cron(15 12 * * ? *)", "2022-06-12T12:15:00Z", 1),
            ["2022-06-13T12:15:00Z"]
        );
        // 18:00 Monday to Friday (2022-06-12 is a Sunday).
        assert_eq!(
            next("cron(0 18 ? * MON-FRI *)", "2022-06-10T19:00:00Z", 2),
            ["2022-06-13T18:00:00Z", "2022-06-14T18:00:00Z"]
        );
        // 08:00 on the first day of the month.
        assert_eq!(
            next("cron(0 8 1 * ? *)", "2022-06-12T00:00:00Z", 2),
            ["2022-07-01T08:00:00Z", "2022-08-01T08:00:00Z"]
        );
        // Every 10 minutes on weekdays.
        assert_eq!(
            next("cron(0/10 * ? * MON-FRI *)", "2022-06-12T23:55:00Z", 2),
            ["2022-06-13T00:00:00Z", "2022-06-13T00:10:00Z"]
        );
        // Every 5 minutes between 08:00 and 17:55 on weekdays.
        assert_eq!(
            next("cron(0/5 8-17 ? * MON-FRI *)", "2022-06-13T17:52:00Z", 2),
            ["2022-06-13T17:55:00Z", "2022-06-14T08:00:00Z"]
        );
        // 09:00 on the first Monday of each month.
        assert_eq!(
            next("cron(0 9 ? * 2#1 *)", "2022-06-12T00:00:00Z", 2),
            ["2022-07-04T09:00:00Z", "2022-08-01T09:00:00Z"]
        );
    }

    #[test]
    fn understands_last_weekday_and_steps() {
        // The course's every-five-minutes compaction.
        assert_eq!(
            next("cron(0/5 * * * ? *)", "2022-06-12T00:03:00Z", 3),
            [
                "2022-06-12T00:05:00Z",
                "2022-06-12T00:10:00Z",
                "2022-06-12T00:15:00Z"
            ]
        );
        // 1/10: the 1st, 11th, 21st… minute.
        assert_eq!(
            next("cron(1/10 * * * ? *)", "2022-06-12T00:00:00Z", 2),
            ["2022-06-12T00:01:00Z", "2022-06-12T00:11:00Z"]
        );
        // Last day of the month, in February of a leap year.
        assert_eq!(
            next("cron(0 0 L * ? *)", "2024-02-01T00:00:00Z", 2),
            ["2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z"]
        );
        // Last Friday (6L) of June 2022 is the 24th.
        assert_eq!(
            next("cron(0 12 ? * 6L *)", "2022-06-12T00:00:00Z", 1),
            ["2022-06-24T12:00:00Z"]
        );
        // 15W: 2022-10-15 is a Saturday → Friday the 14th; 2022-05-15 a Sunday → Monday 16th.
        assert_eq!(
            next("cron(0 9 15W * ? *)", "2022-10-01T00:00:00Z", 1),
            ["2022-10-14T09:00:00Z"]
        );
        assert_eq!(
            next("cron(0 9 15W * ? *)", "2022-05-01T00:00:00Z", 1),
            ["2022-05-16T09:00:00Z"]
        );
        // 1W when the 1st is a Saturday (2022-10-01) → Monday the 3rd; LW of July 2022 → Fri 29th.
        assert_eq!(
            next("cron(0 9 1W * ? *)", "2022-09-30T00:00:00Z", 1),
            ["2022-10-03T09:00:00Z"]
        );
        assert_eq!(
            next("cron(0 9 LW * ? *)", "2022-07-01T00:00:00Z", 1),
            ["2022-07-29T09:00:00Z"]
        );
        // A year field ends the schedule.
        let cron = Schedule::parse("cron(0 0 1 1 ? 2023)").unwrap();
        let first = cron.next_after(0, parse_iso("2022-06-12T00:00:00Z").unwrap());
        assert_eq!(
            first.map(format_iso).as_deref(),
            Some("2023-01-01T00:00:00Z")
        );
        assert_eq!(cron.next_after(0, first.unwrap()), None);
        // 30 February never comes.
        let never = Schedule::parse("cron(0 0 30 2 ? *)").unwrap();
        assert_eq!(never.next_after(0, 0), None);
        // A rate never fires at its start, even when asked from before it.
        let rate = Schedule::parse("rate(1 hour)").unwrap();
        assert_eq!(rate.next_after(3_600_000, 0), Some(7_200_000));
    }

    #[test]
    fn rates_count_from_the_start() {
        assert_eq!(
            next("rate(5 minutes)", "2022-06-12T00:00:30Z", 2),
            ["2022-06-12T00:05:30Z", "2022-06-12T00:10:30Z"]
        );
        assert_eq!(
            next("rate(1 hour)", "2022-06-12T00:00:00Z", 1),
            ["2022-06-12T01:00:00Z"]
        );
        assert_eq!(
            next("rate(2 days)", "2022-06-12T00:00:00Z", 1),
            ["2022-06-14T00:00:00Z"]
        );
    }

    // The rules of the user guide's "Rate expressions" and "Cron expressions reference" pages.
    #[test]
    fn explains_what_aws_rejects() {
        assert_eq!(
            error("rate(1 minutes)"),
            "a value of 1 takes the singular unit: rate(1 minute)"
        );
        assert_eq!(
            error("rate(5 minute)"),
            "a value above 1 takes the plural unit: rate(5 minutes)"
        );
        assert_eq!(
            error("rate(0 minutes)"),
            "the rate value must be greater than 0, not 0"
        );
        assert!(error("rate(30 seconds)").contains("minute(s), hour(s) or day(s)"));
        assert!(error("rate(5)").contains("a value and a unit"));
        assert_eq!(
            error("cron(0/5 * * * *)"),
            "cron(…) takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), this one has 5; \
             a Unix crontab line has five, EventBridge adds the Year and needs `?` in one day field, e.g. cron(0/5 * * * ? *)"
        );
        assert!(error("cron(0 10 * * * *)").contains("must be `?`"));
        assert!(error("cron(0 10 ? * ? *)").contains("only one of"));
        assert_eq!(
            error("cron(60 * * * ? *)"),
            "Minutes: 60 is out of range 0-59"
        );
        assert_eq!(
            error("cron(0 10 ? * 0 *)"),
            "Day-of-week: 0 is out of range 1-7"
        );
        assert_eq!(
            error("cron(0 10 * FOO ? *)"),
            "Month: `FOO` is not a value; use 1-12 or JAN-DEC"
        );
        assert_eq!(
            error("cron(0 10 ? * 3#1,6#3 *)"),
            "Day-of-week: with `#` the field holds one expression only, not `3#1,6#3`"
        );
        assert_eq!(
            error("cron(0 10 L * ? 2200)"),
            "Year: 2200 is out of range 1970-2199"
        );
        assert_eq!(
            error("cron(0 L * * ? *)"),
            "Hours: `L` is not allowed in this field"
        );
        assert_eq!(
            error("cron(0 12-8 * * ? *)"),
            "Hours: the range 12-8 runs backwards"
        );
        assert!(error("0 10 * * ? *").starts_with("write a cron schedule as cron(…)"));
        assert!(error("at(2022-06-12T10:00:00)").contains("EventBridge Scheduler"));
        assert!(error("every 5 minutes").starts_with("a schedule expression is"));
    }
}
