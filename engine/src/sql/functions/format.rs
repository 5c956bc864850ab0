//! Date-time patterns: MySQL's `%Y-%m-%d` (Trino's `date_format` and `date_parse`) and Joda's
//! `yyyy-MM-dd` (`format_datetime` and `parse_datetime`), compiled once and applied per row.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::sql::error::SqlError;

/// One element of a pattern: literal text, or a field with its width or style.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Literal(String),
    Field(Field, usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Year,
    TwoDigitYear,
    Month,
    MonthName,
    MonthAbbrev,
    Day,
    DayOfYear,
    Weekday,
    WeekdayAbbrev,
    DayOfWeekNumber,
    WeekOfYear,
    Hour24,
    Hour12,
    Minute,
    Second,
    /// Fraction of a second, shown with as many digits as the width.
    Fraction,
    HalfDay,
    Era,
    Zone,
    Offset,
}

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pattern {
    pieces: Vec<Piece>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl Pattern {
    /// A MySQL-style pattern (`%Y-%m-%d %H:%i:%s`), as Trino's `date_format` reads it.
    pub fn mysql(text: &str) -> Result<Pattern, SqlError> {
        let mut pieces = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                push_literal(&mut pieces, c);
                continue;
            }
            let Some(spec) = chars.next() else { break };
            let field = match spec {
                'a' => Piece::Field(Field::WeekdayAbbrev, 0),
                'b' => Piece::Field(Field::MonthAbbrev, 0),
                'c' => Piece::Field(Field::Month, 1),
                'd' => Piece::Field(Field::Day, 2),
                'e' => Piece::Field(Field::Day, 1),
                'f' => Piece::Field(Field::Fraction, 6),
                'H' => Piece::Field(Field::Hour24, 2),
                'h' | 'I' => Piece::Field(Field::Hour12, 2),
                'i' => Piece::Field(Field::Minute, 2),
                'j' => Piece::Field(Field::DayOfYear, 3),
                'k' => Piece::Field(Field::Hour24, 1),
                'l' => Piece::Field(Field::Hour12, 1),
                'M' => Piece::Field(Field::MonthName, 0),
                'm' => Piece::Field(Field::Month, 2),
                'p' => Piece::Field(Field::HalfDay, 0),
                'S' | 's' => Piece::Field(Field::Second, 2),
                'W' => Piece::Field(Field::Weekday, 0),
                'Y' => Piece::Field(Field::Year, 4),
                'y' => Piece::Field(Field::TwoDigitYear, 2),
                'r' | 'T' => {
                    let time = if spec == 'r' {
                        "%h:%i:%s %p"
                    } else {
                        "%H:%i:%s"
                    };
                    pieces.extend(Pattern::mysql(time)?.pieces);
                    continue;
                }
                'D' | 'U' | 'u' | 'V' | 'w' | 'X' | 'v' | 'x' => {
                    return Err(SqlError::invalid_argument(format!(
                        "%{spec} not supported in date format string"
                    )));
                }
                other => {
                    push_literal(&mut pieces, other);
                    continue;
                }
            };
            pieces.push(field);
        }
        Ok(Pattern { pieces })
    }

    /// A Joda pattern (`yyyy-MM-dd HH:mm:ss`), as Trino's `format_datetime` reads it.
    pub fn joda(text: &str) -> Result<Pattern, SqlError> {
        let chars: Vec<char> = text.chars().collect();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                i = joda_quoted(&chars, i, &mut pieces);
                continue;
            }
            if !c.is_ascii_alphabetic() {
                push_literal(&mut pieces, c);
                i += 1;
                continue;
            }
            let width = chars[i..].iter().take_while(|&&x| x == c).count();
            pieces.push(joda_field(c, width)?);
            i += width;
        }
        Ok(Pattern { pieces })
    }

    pub fn format(&self, dt: NaiveDateTime) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field(field, width) => format_field(&mut out, *field, *width, dt),
            }
        }
        out
    }

    /// Parses `text` with the pattern; the whole text must match. Errors read like Joda's.
    pub fn parse(&self, text: &str) -> Result<NaiveDateTime, SqlError> {
        let mut parsed = Parsed::default();
        let mut rest = text;
        for piece in &self.pieces {
            if rest.is_empty() {
                return Err(invalid_format(text, None));
            }
            rest = match piece {
                Piece::Literal(literal) => rest
                    .strip_prefix(literal.as_str())
                    .ok_or_else(|| invalid_format(text, Some(rest)))?,
                Piece::Field(field, width) => parse_field(&mut parsed, *field, *width, rest)
                    .ok_or_else(|| invalid_format(text, Some(rest)))?,
            };
        }
        if !rest.is_empty() {
            return Err(invalid_format(text, Some(rest)));
        }
        parsed.resolve().ok_or_else(|| {
            SqlError::invalid_argument(format!("Cannot parse \"{text}\": Value out of range"))
        })
    }
}

fn push_literal(pieces: &mut Vec<Piece>, c: char) {
    if let Some(Piece::Literal(text)) = pieces.last_mut() {
        text.push(c);
    } else {
        pieces.push(Piece::Literal(c.to_string()));
    }
}

/// Reads `'…'` starting at `start`; `''` is a quote. Returns the index after the literal.
fn joda_quoted(chars: &[char], start: usize, pieces: &mut Vec<Piece>) -> usize {
    if chars.get(start + 1) == Some(&'\'') {
        push_literal(pieces, '\'');
        return start + 2;
    }
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                push_literal(pieces, '\'');
                i += 2;
                continue;
            }
            return i + 1;
        }
        push_literal(pieces, chars[i]);
        i += 1;
    }
    i
}

fn joda_field(c: char, width: usize) -> Result<Piece, SqlError> {
    let field = match c {
        'y' | 'Y' | 'x' if width == 2 => Field::TwoDigitYear,
        'y' | 'Y' | 'x' => Field::Year,
        'M' if width >= 4 => Field::MonthName,
        'M' if width == 3 => Field::MonthAbbrev,
        'M' => Field::Month,
        'd' => Field::Day,
        'D' => Field::DayOfYear,
        'E' if width >= 4 => Field::Weekday,
        'E' => Field::WeekdayAbbrev,
        'e' => Field::DayOfWeekNumber,
        'w' => Field::WeekOfYear,
        'H' | 'k' => Field::Hour24,
        'h' | 'K' => Field::Hour12,
        'm' => Field::Minute,
        's' => Field::Second,
        'S' => Field::Fraction,
        'a' => Field::HalfDay,
        'G' => Field::Era,
        'z' => Field::Zone,
        'Z' => Field::Offset,
        other => {
            return Err(SqlError::invalid_argument(format!(
                "Illegal pattern component: {other}"
            )));
        }
    };
    Ok(Piece::Field(field, width))
}

fn format_field(out: &mut String, field: Field, width: usize, dt: NaiveDateTime) {
    let number = |out: &mut String, n: i64, width: usize| out.push_str(&format!("{n:0width$}"));
    match field {
        Field::Year => number(out, dt.year() as i64, width),
        Field::TwoDigitYear => number(out, dt.year().rem_euclid(100) as i64, 2),
        Field::Month => number(out, dt.month() as i64, width),
        Field::MonthName => out.push_str(MONTHS[dt.month0() as usize]),
        Field::MonthAbbrev => out.push_str(&MONTHS[dt.month0() as usize][..3]),
        Field::Day => number(out, dt.day() as i64, width),
        Field::DayOfYear => number(out, dt.ordinal() as i64, width),
        Field::Weekday => out.push_str(WEEKDAYS[dt.weekday().num_days_from_monday() as usize]),
        Field::WeekdayAbbrev => {
            out.push_str(&WEEKDAYS[dt.weekday().num_days_from_monday() as usize][..3])
        }
        Field::DayOfWeekNumber => number(out, dt.weekday().number_from_monday() as i64, width),
        Field::WeekOfYear => number(out, dt.iso_week().week() as i64, width),
        Field::Hour24 => number(out, dt.hour() as i64, width),
        Field::Hour12 => number(out, dt.hour12().1 as i64, width),
        Field::Minute => number(out, dt.minute() as i64, width),
        Field::Second => number(out, dt.second() as i64, width),
        Field::Fraction => {
            let nanos = format!("{:09}", dt.nanosecond() % 1_000_000_000);
            let digits: String = nanos
                .chars()
                .chain(std::iter::repeat('0'))
                .take(width)
                .collect();
            out.push_str(&digits);
        }
        Field::HalfDay => out.push_str(if dt.hour12().0 { "PM" } else { "AM" }),
        Field::Era => out.push_str(if dt.year() > 0 { "AD" } else { "BC" }),
        Field::Zone => out.push_str("UTC"),
        Field::Offset => out.push_str(if width >= 2 { "+00:00" } else { "+0000" }),
    }
}

/// Fields read so far; missing ones default as in Joda (1970-01-01 00:00:00).
#[derive(Default)]
struct Parsed {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: u32,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: u32,
    second: u32,
    nanos: u32,
}

impl Parsed {
    fn resolve(&self) -> Option<NaiveDateTime> {
        let year = self.year.unwrap_or(1970);
        let date = match self.day_of_year {
            Some(ordinal) => NaiveDate::from_yo_opt(year, ordinal)?,
            None => NaiveDate::from_ymd_opt(year, self.month.unwrap_or(1), self.day.unwrap_or(1))?,
        };
        let hour = match (self.hour12, self.pm) {
            (Some(h), pm) => (h % 12) + if pm == Some(true) { 12 } else { 0 },
            (None, Some(true)) if self.hour < 12 => self.hour + 12,
            _ => self.hour,
        };
        let time = NaiveTime::from_hms_nano_opt(hour, self.minute, self.second, self.nanos)?;
        Some(date.and_time(time))
    }
}

/// Reads up to `max` digits (at least one) with an optional sign for years.
fn digits(text: &str, max: usize, signed: bool) -> Option<(i64, &str)> {
    let sign_len = usize::from(signed && text.starts_with(['-', '+']));
    let count = text[sign_len..]
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if count == 0 {
        return None;
    }
    let value = text[..sign_len + count].parse().ok()?;
    Some((value, &text[sign_len + count..]))
}

fn name<'a>(text: &'a str, names: &[&str], abbreviated: bool) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, full)| {
        let wanted = if abbreviated { &full[..3] } else { full };
        let head = text.get(..wanted.len())?;
        head.eq_ignore_ascii_case(wanted)
            .then(|| (i, &text[wanted.len()..]))
    })
}

fn parse_field<'a>(
    parsed: &mut Parsed,
    field: Field,
    width: usize,
    text: &'a str,
) -> Option<&'a str> {
    let two = width.max(2);
    Some(match field {
        Field::Year => {
            let (v, rest) = digits(text, width.max(4), true)?;
            parsed.year = Some(v as i32);
            rest
        }
        Field::TwoDigitYear => {
            let (v, rest) = digits(text, 2, false)?;
            // Two-digit years pivot as Joda does here: 1970 to 2069.
            parsed.year = Some(if v < 70 { 2000 + v } else { 1900 + v } as i32);
            rest
        }
        Field::Month => {
            let (v, rest) = digits(text, two, false)?;
            parsed.month = Some(v as u32);
            rest
        }
        Field::MonthName | Field::MonthAbbrev => {
            let (i, rest) = name(text, &MONTHS, field == Field::MonthAbbrev)?;
            parsed.month = Some(i as u32 + 1);
            rest
        }
        Field::Day => {
            let (v, rest) = digits(text, two, false)?;
            parsed.day = Some(v as u32);
            rest
        }
        Field::DayOfYear => {
            let (v, rest) = digits(text, 3, false)?;
            parsed.day_of_year = Some(v as u32);
            rest
        }
        Field::Weekday | Field::WeekdayAbbrev => {
            name(text, &WEEKDAYS, field == Field::WeekdayAbbrev)?.1
        }
        Field::DayOfWeekNumber | Field::WeekOfYear => digits(text, two, false)?.1,
        Field::Hour24 => {
            let (v, rest) = digits(text, two, false)?;
            parsed.hour = v as u32;
            rest
        }
        Field::Hour12 => {
            let (v, rest) = digits(text, two, false)?;
            parsed.hour12 = Some(v as u32);
            rest
        }
        Field::Minute => {
            let (v, rest) = digits(text, two, false)?;
            parsed.minute = v as u32;
            rest
        }
        Field::Second => {
            let (v, rest) = digits(text, two, false)?;
            parsed.second = v as u32;
            rest
        }
        Field::Fraction => {
            let count = text.bytes().take(9).take_while(u8::is_ascii_digit).count();
            if count == 0 {
                return None;
            }
            let padded = format!("{:0<9}", &text[..count]);
            parsed.nanos = padded.parse().ok()?;
            &text[count..]
        }
        Field::HalfDay => {
            let upper = text.get(..2)?.to_ascii_uppercase();
            parsed.pm = Some(match upper.as_str() {
                "AM" => false,
                "PM" => true,
                _ => return None,
            });
            &text[2..]
        }
        Field::Era => text
            .strip_prefix("AD")
            .or_else(|| text.strip_prefix("BC"))?,
        Field::Zone => text.strip_prefix("UTC")?,
        Field::Offset => ["+00:00", "+0000", "Z"]
            .iter()
            .find_map(|z| text.strip_prefix(z))?,
    })
}

/// Joda's parse failures: `Invalid format: "…" is malformed at "…"` or `… is too short`.
fn invalid_format(text: &str, at: Option<&str>) -> SqlError {
    match at {
        Some(rest) => SqlError::invalid_argument(format!(
            "Invalid format: \"{text}\" is malformed at \"{rest}\""
        )),
        None => SqlError::invalid_argument(format!("Invalid format: \"{text}\" is too short")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestDateTimeFunctions.java (testDateFormat)
    #[test]
    fn formats_mysql_patterns() {
        let dt = at("2001-08-22 03:04:05.321");
        let check = |pattern: &str, expect: &str| {
            assert_eq!(
                Pattern::mysql(pattern).unwrap().format(dt),
                expect,
                "{pattern}"
            );
        };
        check("%a", "Wed");
        check("%b", "Aug");
        check("%c", "8");
        check("%d", "22");
        check("%e", "22");
        check("%f", "321000");
        check("%H", "03");
        check("%h", "03");
        check("%i", "04");
        check("%j", "234");
        check("%k", "3");
        check("%l", "3");
        check("%M", "August");
        check("%m", "08");
        check("%p", "AM");
        check("%r", "03:04:05 AM");
        check("%s", "05");
        check("%T", "03:04:05");
        check("%W", "Wednesday");
        check("%Y", "2001");
        check("%y", "01");
        check("%%", "%");
        check("foo", "foo");
        check("%g", "g");
        check("%4", "4");
        check("%Y-%m-%d %H:%i:%s", "2001-08-22 03:04:05");
        assert_eq!(
            Pattern::mysql("%D").unwrap_err().to_string(),
            "INVALID_FUNCTION_ARGUMENT: %D not supported in date format string"
        );
    }

    // Ported from TestDateTimeFunctions (testDateParse).
    #[test]
    fn parses_mysql_patterns() {
        let check = |text: &str, pattern: &str, expect: &str| {
            let actual = match Pattern::mysql(pattern).unwrap().parse(text) {
                Ok(dt) => dt.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                Err(e) => e.to_string(),
            };
            assert_eq!(actual, expect, "{text} {pattern}");
        };
        check("2013", "%Y", "2013-01-01 00:00:00.000");
        check("2013 31", "%Y %j", "2013-01-31 00:00:00.000");
        check("13", "%y", "2013-01-01 00:00:00.000");
        check("2013 14", "%Y %H", "2013-01-01 14:00:00.000");
        check("2013 2 PM", "%Y %h %p", "2013-01-01 14:00:00.000");
        check(
            "2013-05-17 12:35:10.123",
            "%Y-%m-%d %H:%i:%s.%f",
            "2013-05-17 12:35:10.123",
        );
        check("20220612", "%Y%m%d", "2022-06-12 00:00:00.000");
        check(
            "2022/06/12",
            "%Y-%m-%d",
            "INVALID_FUNCTION_ARGUMENT: Invalid format: \"2022/06/12\" is malformed at \"/06/12\"",
        );
        check(
            "2022-06",
            "%Y-%m-%d",
            "INVALID_FUNCTION_ARGUMENT: Invalid format: \"2022-06\" is too short",
        );
    }

    // Ported from TestDateTimeFunctions (testFormatDatetime).
    #[test]
    fn formats_joda_patterns() {
        let dt = at("2001-08-22 03:04:05.321");
        let check = |pattern: &str, expect: &str| {
            assert_eq!(
                Pattern::joda(pattern).unwrap().format(dt),
                expect,
                "{pattern}"
            );
        };
        check("yyyy/MM/dd", "2001/08/22");
        check("yyyy-MM-dd'T'HH:mm:ss.SSS", "2001-08-22T03:04:05.321");
        check("EEE MMM d yy", "Wed Aug 22 01");
        check("EEEE MMMM", "Wednesday August");
        check("hh:mm a", "03:04 AM");
        check("''yyyy''", "'2001'");
        check("D", "234");
        check("z Z ZZ", "UTC +0000 +00:00");
        assert_eq!(
            Pattern::joda("yyyy q").unwrap_err().to_string(),
            "INVALID_FUNCTION_ARGUMENT: Illegal pattern component: q"
        );
        let parsed = Pattern::joda("yyyy-MM-dd HH:mm")
            .unwrap()
            .parse("2022-06-12 07:30")
            .unwrap();
        assert_eq!(parsed, at("2022-06-12 07:30:00.0"));
    }
}
