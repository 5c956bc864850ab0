//! Date and time functions on UTC timestamps (milliseconds) and dates (days): `date_trunc`,
//! `date_add`, `date_diff`, `date_parse`, `date_format`, `format_datetime`, ISO 8601, Unix time
//! and the field extractors (`year`, `hour`, …).

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Float64Array, Int64Array, PrimitiveArray, StringBuilder,
};
use arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type, TimestampMillisecondType};
use chrono::{Datelike, NaiveDateTime, Timelike};

use super::format::Pattern;
use super::{Call, Func, Resolution, integral, stringy};
use crate::sql::error::SqlError;
use crate::sql::expr::Expr;
use crate::sql::time::{self, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};
use crate::sql::types::{SqlType, UTC, VARCHAR};

/// A calendar field, as `extract`, `year()`, `date_trunc` and `date_add` name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::sql) enum TimeUnitField {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    DayOfWeek,
    DayOfYear,
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeUnitField {
    /// The units `date_trunc`, `date_add` and `date_diff` take, by the name Trino uses.
    fn unit(name: &str) -> Option<TimeUnitField> {
        Some(match name.to_ascii_lowercase().as_str() {
            "millisecond" => TimeUnitField::Millisecond,
            "second" => TimeUnitField::Second,
            "minute" => TimeUnitField::Minute,
            "hour" => TimeUnitField::Hour,
            "day" => TimeUnitField::Day,
            "week" => TimeUnitField::Week,
            "month" => TimeUnitField::Month,
            "quarter" => TimeUnitField::Quarter,
            "year" => TimeUnitField::Year,
            _ => return None,
        })
    }

    /// The extractor function of this name (`year(x)`, `day_of_week(x)`, …).
    pub(in crate::sql) fn function(name: &str) -> Option<TimeUnitField> {
        Some(match name {
            "millisecond" => TimeUnitField::Millisecond,
            "second" => TimeUnitField::Second,
            "minute" => TimeUnitField::Minute,
            "hour" => TimeUnitField::Hour,
            "day" | "day_of_month" => TimeUnitField::Day,
            "day_of_week" | "dow" => TimeUnitField::DayOfWeek,
            "day_of_year" | "doy" => TimeUnitField::DayOfYear,
            "week" | "week_of_year" => TimeUnitField::Week,
            "month" => TimeUnitField::Month,
            "quarter" => TimeUnitField::Quarter,
            "year" => TimeUnitField::Year,
            _ => return None,
        })
    }

    fn is_time_of_day(self) -> bool {
        matches!(
            self,
            TimeUnitField::Millisecond
                | TimeUnitField::Second
                | TimeUnitField::Minute
                | TimeUnitField::Hour
        )
    }

    /// The fixed length of a unit below a month, in milliseconds.
    fn fixed_ms(self) -> Option<i64> {
        Some(match self {
            TimeUnitField::Millisecond => 1,
            TimeUnitField::Second => MS_PER_SECOND,
            TimeUnitField::Minute => MS_PER_MINUTE,
            TimeUnitField::Hour => MS_PER_HOUR,
            TimeUnitField::Day => MS_PER_DAY,
            TimeUnitField::Week => 7 * MS_PER_DAY,
            _ => return None,
        })
    }

    fn months(self) -> Option<i64> {
        Some(match self {
            TimeUnitField::Month => 1,
            TimeUnitField::Quarter => 3,
            TimeUnitField::Year => 12,
            _ => return None,
        })
    }
}

pub(super) fn is_field_function(name: &str) -> bool {
    TimeUnitField::function(name).is_some()
}

fn temporal(ty: &SqlType) -> bool {
    ty.is_temporal() || *ty == SqlType::Unknown
}

/// The timestamp type a function that needs a time of day takes `ty` as (dates coerce to
/// midnight, as Trino's implicit `date → timestamp` coercion does).
fn time_of(ty: &SqlType) -> SqlType {
    match ty {
        SqlType::TimestampTz => SqlType::TimestampTz,
        _ => SqlType::Timestamp,
    }
}

fn date_or_time(ty: &SqlType) -> SqlType {
    match ty {
        SqlType::Unknown => SqlType::Timestamp,
        other => other.clone(),
    }
}

pub(super) fn bind(call: Call) -> Resolution {
    let types: Vec<SqlType> = call.types().into_iter().cloned().collect();
    let shape = types.as_slice();
    let timestamp_tz = SqlType::TimestampTz;
    let result = match call.name.as_str() {
        "from_iso8601_timestamp" if matches!(shape, [t] if stringy(t)) => {
            call.with_args(Func::FromIso8601Timestamp, &[VARCHAR], timestamp_tz)
        }
        "from_iso8601_date" if matches!(shape, [t] if stringy(t)) => {
            call.with_args(Func::FromIso8601Date, &[VARCHAR], SqlType::Date)
        }
        "to_iso8601" if matches!(shape, [t] if temporal(t)) => {
            call.with_args(Func::ToIso8601, &[date_or_time(&shape[0])], VARCHAR)
        }
        "date_parse" if matches!(shape, [a, b] if stringy(a) && stringy(b)) => {
            call.with_args(Func::DateParse, &[VARCHAR, VARCHAR], SqlType::Timestamp)
        }
        "parse_datetime" if matches!(shape, [a, b] if stringy(a) && stringy(b)) => {
            call.with_args(Func::ParseDatetime, &[VARCHAR, VARCHAR], timestamp_tz)
        }
        "date_format" | "format_datetime" if matches!(shape, [a, b] if temporal(a) && stringy(b)) =>
        {
            let func = if call.name == "date_format" {
                Func::DateFormat
            } else {
                Func::FormatDatetime
            };
            call.with_args(func, &[time_of(&shape[0]), VARCHAR], VARCHAR)
        }
        "date_trunc" if matches!(shape, [a, b] if stringy(a) && temporal(b)) => {
            let ty = date_or_time(&shape[1]);
            call.with_args(Func::DateTrunc, &[VARCHAR, ty.clone()], ty)
        }
        "date_add" if matches!(shape, [a, b, c] if stringy(a) && integral(b) && temporal(c)) => {
            let ty = date_or_time(&shape[2]);
            call.with_args(Func::DateAdd, &[VARCHAR, SqlType::BigInt, ty.clone()], ty)
        }
        "date_diff" => date_diff(call, shape),
        "to_unixtime" if matches!(shape, [t] if temporal(t)) => {
            call.with_args(Func::ToUnixtime, &[time_of(&shape[0])], SqlType::Double)
        }
        "from_unixtime" if matches!(shape, [t] if t.is_numeric() || *t == SqlType::Unknown) => {
            call.with_args(Func::FromUnixtime, &[SqlType::Double], timestamp_tz)
        }
        "last_day_of_month" if matches!(shape, [t] if temporal(t)) => call.with_args(
            Func::LastDayOfMonth,
            &[date_or_time(&shape[0])],
            SqlType::Date,
        ),
        name if is_field_function(name) => field(call, shape),
        "from_iso8601_timestamp"
        | "from_iso8601_date"
        | "to_iso8601"
        | "date_parse"
        | "parse_datetime"
        | "date_format"
        | "format_datetime"
        | "date_trunc"
        | "date_add"
        | "to_unixtime"
        | "from_unixtime"
        | "last_day_of_month" => Err(call.unexpected()),
        _ => return Resolution::Unknown(call),
    };
    Resolution::Bound(result)
}

fn date_diff(call: Call, shape: &[SqlType]) -> Result<Expr, SqlError> {
    let [unit, a, b] = shape else {
        return Err(call.unexpected());
    };
    if !(stringy(unit) && temporal(a) && temporal(b)) {
        return Err(call.unexpected());
    }
    let common = crate::sql::types::common_super_type(a, b).ok_or_else(|| call.unexpected())?;
    let common = date_or_time(&common);
    call.with_args(
        Func::DateDiff,
        &[VARCHAR, common.clone(), common],
        SqlType::BigInt,
    )
}

fn field(call: Call, shape: &[SqlType]) -> Result<Expr, SqlError> {
    let unit = TimeUnitField::function(&call.name).expect("checked by the caller");
    match shape {
        [t] if temporal(t) => {
            let ty = if unit.is_time_of_day() {
                time_of(t)
            } else {
                date_or_time(t)
            };
            call.with_args(Func::Field(unit), &[ty], SqlType::BigInt)
        }
        _ => Err(call.unexpected()),
    }
}

pub(super) fn eval(
    func: Func,
    args: &[ArrayRef],
    ty: &SqlType,
) -> Option<Result<ArrayRef, SqlError>> {
    Some(match func {
        Func::FromIso8601Timestamp => parse_strings(&args[0], ty, |s| {
            parse_iso8601(s).ok_or_else(|| invalid_format(s))
        }),
        Func::FromIso8601Date => parse_dates(&args[0], |s| {
            time::parse_date(s)
                .filter(|_| !s.contains(' '))
                .ok_or_else(|| invalid_format(s))
        }),
        Func::DateParse | Func::ParseDatetime => parse_with_pattern(func, args, ty),
        Func::DateFormat | Func::FormatDatetime | Func::ToIso8601 => {
            format_with_pattern(func, args)
        }
        Func::DateTrunc => per_unit(args, ty, truncate),
        Func::DateAdd => date_add(args, ty),
        Func::DateDiff => date_diff_values(args),
        Func::ToUnixtime => {
            let ms = millis(&args[0]);
            Ok(Arc::new(ms.unary::<_, Float64Type>(|m| m as f64 / 1000.0)))
        }
        Func::FromUnixtime => {
            let seconds: &Float64Array = args[0].as_primitive();
            let ms: PrimitiveArray<TimestampMillisecondType> =
                seconds.unary(|s| (s * 1000.0).round() as i64);
            Ok(Arc::new(ms.with_timezone(UTC)))
        }
        Func::LastDayOfMonth => {
            let ms = millis(&args[0]);
            let days: Date32Array = ms.iter().map(|m| m.and_then(last_day_of_month)).collect();
            Ok(Arc::new(days))
        }
        Func::Field(unit) => {
            let ms = millis(&args[0]);
            let values: Int64Array = ms
                .iter()
                .map(|m| m.and_then(|m| extract(unit, m)))
                .collect();
            Ok(Arc::new(values))
        }
        _ => return None,
    })
}

/// Dates and timestamps as milliseconds since the epoch.
fn millis(array: &ArrayRef) -> PrimitiveArray<Int64Type> {
    match array.data_type() {
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .unary(|d| d as i64 * MS_PER_DAY),
        _ => array
            .as_primitive::<TimestampMillisecondType>()
            .reinterpret_cast(),
    }
}

/// Milliseconds back into an array of `ty` (date, timestamp or timestamp with time zone).
fn from_millis(values: Vec<Option<i64>>, ty: &SqlType) -> ArrayRef {
    let ms = PrimitiveArray::<TimestampMillisecondType>::from(values);
    match ty {
        SqlType::Date => Arc::new(ms.unary::<_, Date32Type>(|m| m.div_euclid(MS_PER_DAY) as i32)),
        SqlType::TimestampTz => Arc::new(ms.with_timezone(UTC)),
        _ => Arc::new(ms),
    }
}

fn invalid_format(text: &str) -> SqlError {
    SqlError::invalid_argument(format!("Invalid format: \"{text}\""))
}

fn parse_strings(
    array: &ArrayRef,
    ty: &SqlType,
    parse: impl Fn(&str) -> Result<i64, SqlError>,
) -> Result<ArrayRef, SqlError> {
    let strings = array.as_string::<i32>();
    let values = strings
        .iter()
        .map(|s| s.map(&parse).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(from_millis(values, ty))
}

fn parse_dates(
    array: &ArrayRef,
    parse: impl Fn(&str) -> Result<i32, SqlError>,
) -> Result<ArrayRef, SqlError> {
    let strings = array.as_string::<i32>();
    let values = strings
        .iter()
        .map(|s| s.map(&parse).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(Date32Array::from(values)))
}

/// ISO 8601: `2022-06-12`, `2022-06-12T00:05:00.123Z`, `…+02:00`; offsets are applied and the
/// result is in UTC.
fn parse_iso8601(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once('T').unwrap_or((text, ""));
    let days = time::parse_date(date)?;
    let (clock, offset_ms) = split_offset(rest)?;
    let clock_ms = if clock.is_empty() {
        0
    } else {
        let padded = if clock.len() == 2 {
            format!("{clock}:00")
        } else {
            clock.to_string()
        };
        time::parse_timestamp(&format!("1970-01-01 {padded}"), false)?
    };
    Some(days as i64 * MS_PER_DAY + clock_ms - offset_ms)
}

/// Splits `hh:mm:ss±hh:mm` / `…Z` into the clock and the offset in milliseconds.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let Some(i) = rest.rfind(['+', '-']) else {
        return Some((rest, 0));
    };
    let (clock, zone) = rest.split_at(i);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
    Some((
        clock,
        sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE),
    ))
}

/// A pattern per row, compiled once while it stays the same (it nearly always is a literal).
fn compiled(
    cache: &mut Option<(String, Pattern)>,
    text: &str,
    joda: bool,
) -> Result<Pattern, SqlError> {
    if let Some((source, pattern)) = cache.as_ref()
        && source == text
    {
        return Ok(pattern.clone());
    }
    let pattern = if joda {
        Pattern::joda(text)?
    } else {
        Pattern::mysql(text)?
    };
    *cache = Some((text.to_string(), pattern.clone()));
    Ok(pattern)
}

fn parse_with_pattern(func: Func, args: &[ArrayRef], ty: &SqlType) -> Result<ArrayRef, SqlError> {
    let (texts, patterns) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    let mut cache = None;
    let mut values = Vec::with_capacity(texts.len());
    for i in 0..texts.len() {
        if texts.is_null(i) || patterns.is_null(i) {
            values.push(None);
            continue;
        }
        let pattern = compiled(&mut cache, patterns.value(i), func == Func::ParseDatetime)?;
        values.push(Some(time::ms_from_datetime(pattern.parse(texts.value(i))?)));
    }
    Ok(from_millis(values, ty))
}

fn format_with_pattern(func: Func, args: &[ArrayRef]) -> Result<ArrayRef, SqlError> {
    let ms = millis(&args[0]);
    let zoned = matches!(args[0].data_type(), DataType::Timestamp(_, Some(_)));
    let is_date = *args[0].data_type() == DataType::Date32;
    let mut cache = None;
    let mut out = StringBuilder::with_capacity(ms.len(), ms.len() * 20);
    for i in 0..ms.len() {
        let pattern = args.get(1).map(|p| p.as_string::<i32>());
        let Some(dt) = ms
            .is_valid(i)
            .then(|| time::datetime_from_ms(ms.value(i)))
            .flatten()
        else {
            out.append_null();
            continue;
        };
        let text = match (func, pattern) {
            (Func::ToIso8601, _) => iso8601(dt, is_date, zoned),
            (_, Some(p)) if p.is_valid(i) => {
                compiled(&mut cache, p.value(i), func == Func::FormatDatetime)?.format(dt)
            }
            _ => {
                out.append_null();
                continue;
            }
        };
        out.append_value(text);
    }
    Ok(Arc::new(out.finish()))
}

fn iso8601(dt: NaiveDateTime, is_date: bool, zoned: bool) -> String {
    if is_date {
        return dt.format("%Y-%m-%d").to_string();
    }
    let text = dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    if zoned { format!("{text}Z") } else { text }
}

/// Applies `f(unit, amount, millis)` per row, where the unit comes from the first argument.
fn per_unit(
    args: &[ArrayRef],
    ty: &SqlType,
    f: fn(TimeUnitField, i64) -> Option<i64>,
) -> Result<ArrayRef, SqlError> {
    let units = args[0].as_string::<i32>();
    let ms = millis(&args[1]);
    let mut values = Vec::with_capacity(ms.len());
    for i in 0..ms.len() {
        if units.is_null(i) || ms.is_null(i) {
            values.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), ty)?;
        values.push(f(unit, ms.value(i)));
    }
    Ok(from_millis(values, ty))
}

/// Parses a unit name, refusing time-of-day units for dates as Trino does.
fn unit_for(name: &str, ty: &SqlType) -> Result<TimeUnitField, SqlError> {
    let unit = TimeUnitField::unit(name);
    match (unit, ty) {
        (Some(u), SqlType::Date) if !u.is_time_of_day() => Ok(u),
        (_, SqlType::Date) => Err(SqlError::invalid_argument(format!(
            "'{name}' is not a valid DATE field"
        ))),
        (Some(u), _) => Ok(u),
        (None, _) => Err(SqlError::invalid_argument(format!(
            "'{name}' is not a valid TIMESTAMP field"
        ))),
    }
}

fn truncate(unit: TimeUnitField, ms: i64) -> Option<i64> {
    if let Some(step) = unit.fixed_ms().filter(|_| unit != TimeUnitField::Week) {
        return Some(ms - ms.rem_euclid(step));
    }
    let dt = time::datetime_from_ms(ms)?;
    let date = dt.date();
    let first = match unit {
        TimeUnitField::Week => {
            date - chrono::Days::new(date.weekday().num_days_from_monday() as u64)
        }
        TimeUnitField::Month => date.with_day(1)?,
        TimeUnitField::Quarter => date.with_day(1)?.with_month((date.month0() / 3) * 3 + 1)?,
        _ => date.with_day(1)?.with_month(1)?,
    };
    Some(time::days_from_date(first) as i64 * MS_PER_DAY)
}

fn date_add(args: &[ArrayRef], ty: &SqlType) -> Result<ArrayRef, SqlError> {
    let units = args[0].as_string::<i32>();
    let amounts = args[1].as_primitive::<Int64Type>();
    let ms = millis(&args[2]);
    let mut values = Vec::with_capacity(ms.len());
    for i in 0..ms.len() {
        if units.is_null(i) || amounts.is_null(i) || ms.is_null(i) {
            values.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), ty)?;
        let (amount, at) = (amounts.value(i), ms.value(i));
        let shifted = match (unit.fixed_ms(), unit.months()) {
            (Some(step), _) => amount.checked_mul(step).and_then(|d| at.checked_add(d)),
            (_, Some(months)) => amount
                .checked_mul(months)
                .and_then(|m| time::add_months_to_ms(at, m)),
            _ => None,
        };
        values.push(Some(shifted.ok_or_else(|| {
            SqlError::out_of_range("date_add result is out of range")
        })?));
    }
    Ok(from_millis(values, ty))
}

fn date_diff_values(args: &[ArrayRef]) -> Result<ArrayRef, SqlError> {
    let ty = SqlType::from_arrow(args[1].data_type()).unwrap_or(SqlType::Timestamp);
    let units = args[0].as_string::<i32>();
    let (from, to) = (millis(&args[1]), millis(&args[2]));
    let mut values = Vec::with_capacity(from.len());
    for i in 0..from.len() {
        if units.is_null(i) || from.is_null(i) || to.is_null(i) {
            values.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), &ty)?;
        let (a, b) = (from.value(i), to.value(i));
        values.push(match (unit.fixed_ms(), unit.months()) {
            (Some(step), _) => Some((b - a) / step),
            (_, Some(months)) => months_between(a, b).map(|m| m / months),
            _ => None,
        });
    }
    Ok(Arc::new(Int64Array::from(values)))
}

/// Whole months from `a` to `b`, counting only months that have fully elapsed (Joda's
/// `monthsBetween`).
fn months_between(a: i64, b: i64) -> Option<i64> {
    let (start, end) = (time::datetime_from_ms(a)?, time::datetime_from_ms(b)?);
    let mut months =
        (end.year() as i64 - start.year() as i64) * 12 + end.month() as i64 - start.month() as i64;
    let reached =
        |m: i64| time::add_months_to_ms(a, m).map(|t| if b >= a { t <= b } else { t >= b });
    if months > 0 && reached(months) == Some(false) {
        months -= 1;
    } else if months < 0 && reached(months) == Some(false) {
        months += 1;
    }
    Some(months)
}

fn last_day_of_month(ms: i64) -> Option<i32> {
    let date = time::datetime_from_ms(ms)?.date().with_day(1)?;
    let next = date.checked_add_months(chrono::Months::new(1))?;
    Some(time::days_from_date(next) - 1)
}

fn extract(unit: TimeUnitField, ms: i64) -> Option<i64> {
    let dt = time::datetime_from_ms(ms)?;
    Some(match unit {
        TimeUnitField::Millisecond => ms.rem_euclid(MS_PER_SECOND),
        TimeUnitField::Second => dt.second() as i64,
        TimeUnitField::Minute => dt.minute() as i64,
        TimeUnitField::Hour => dt.hour() as i64,
        TimeUnitField::Day => dt.day() as i64,
        TimeUnitField::DayOfWeek => dt.weekday().number_from_monday() as i64,
        TimeUnitField::DayOfYear => dt.ordinal() as i64,
        TimeUnitField::Week => dt.iso_week().week() as i64,
        TimeUnitField::Month => dt.month() as i64,
        TimeUnitField::Quarter => dt.month0() as i64 / 3 + 1,
        TimeUnitField::Year => dt.year() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> i64 {
        time::parse_timestamp(text, false).unwrap()
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestDateTimeFunctions.java (testTruncateTimestamp)
    #[test]
    fn truncates_like_trino() {
        let at = ts("2001-08-22 03:04:05.321");
        let check = |unit, expect: &str| {
            assert_eq!(
                time::format_timestamp(truncate(unit, at).unwrap()),
                expect,
                "{unit:?}"
            );
        };
        check(TimeUnitField::Millisecond, "2001-08-22 03:04:05.321");
        check(TimeUnitField::Second, "2001-08-22 03:04:05.000");
        check(TimeUnitField::Minute, "2001-08-22 03:04:00.000");
        check(TimeUnitField::Hour, "2001-08-22 03:00:00.000");
        check(TimeUnitField::Day, "2001-08-22 00:00:00.000");
        check(TimeUnitField::Week, "2001-08-20 00:00:00.000");
        check(TimeUnitField::Month, "2001-08-01 00:00:00.000");
        check(TimeUnitField::Quarter, "2001-07-01 00:00:00.000");
        check(TimeUnitField::Year, "2001-01-01 00:00:00.000");
    }

    // Ported from TestDateTimeFunctions (testDateDiffTimestamp, testDateDiffDate).
    #[test]
    fn counts_whole_units_between() {
        let (a, b) = (ts("1960-05-03 07:03:04.321"), ts("2011-05-01 07:02:03.321"));
        assert_eq!(months_between(a, b), Some(611));
        assert_eq!(months_between(b, a), Some(-611));
        assert_eq!(months_between(ts("2022-01-31"), ts("2022-02-28")), Some(1));
        assert_eq!((b - a) / MS_PER_DAY, 18624);
    }

    #[test]
    fn extracts_fields() {
        let at = ts("2001-08-22 03:04:05.321");
        assert_eq!(extract(TimeUnitField::DayOfWeek, at), Some(3));
        assert_eq!(extract(TimeUnitField::DayOfYear, at), Some(234));
        assert_eq!(extract(TimeUnitField::Week, at), Some(34));
        assert_eq!(extract(TimeUnitField::Quarter, at), Some(3));
        assert_eq!(extract(TimeUnitField::Millisecond, at), Some(321));
        assert_eq!(
            last_day_of_month(ts("2024-02-10")),
            time::parse_date("2024-02-29")
        );
    }

    // Ported from TestDateTimeFunctions (testFromISO8601).
    #[test]
    fn parses_iso8601_into_utc() {
        let check = |text: &str, expect: Option<&str>| {
            assert_eq!(
                parse_iso8601(text).map(time::format_timestamp).as_deref(),
                expect,
                "{text}"
            );
        };
        check("2001-08-22T03:04:05.321Z", Some("2001-08-22 03:04:05.321"));
        check(
            "2001-08-22T03:04:05.321+07:09",
            Some("2001-08-21 19:55:05.321"),
        );
        check("2001-08-22", Some("2001-08-22 00:00:00.000"));
        check("2001-08-22T03:04", Some("2001-08-22 03:04:00.000"));
        check("2001-08-22 03:04:05", None);
    }
}
