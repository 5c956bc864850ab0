//! Scalar text conventions the formats share: how the SerDes Athena uses turn a field's text into
//! a typed value (Java's `Long.parseLong` and `Double.parseDouble`, Hive's and the OpenX SerDe's
//! timestamp rules), and how values are printed back (Hive's timestamp layout, Java's
//! `Double.toString`, Trino's result rendering).

/// Milliseconds in a day, for splitting a timestamp into date and time of day.
const MS_PER_DAY: i64 = 86_400_000;

/// Why a field's text is not a value of its column's type, in the words of the Java parser
/// behind Athena's SerDe (`For input string: "abc"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invalid(pub String);

impl Invalid {
    fn input(text: &str) -> Self {
        Invalid(format!("For input string: \"{text}\""))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
#[inline(always)]
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: the inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[inline(always)]
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Java's `Long.parseLong`: an optional sign and decimal digits, nothing else, no overflow.
/// The OpenX SerDe also reads `0x…` as hexadecimal.
pub(crate) fn parse_java_long(text: &str) -> Result<i64, Invalid> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if !hex.starts_with(['+', '-']) => i64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None if text
            .bytes()
            .any(|b| !(b.is_ascii_digit() || b == b'-' || b == b'+')) =>
        {
            None
        }
        None => text.parse::<i64>().ok(),
    };
    parsed.ok_or_else(|| Invalid::input(text))
}

/// An integer that must fit `min..=max`, such as an `int` column's 32 bits; Java words an
/// overflow like any other bad input.
pub(crate) fn parse_java_int(text: &str, min: i64, max: i64) -> Result<i64, Invalid> {
    let value = parse_java_long(text)?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::input(text))
    }
}

/// Java's `Double.parseDouble`: surrounding whitespace ignored, an optional `f`/`d` suffix,
/// `NaN` and `Infinity` spelled exactly so.
pub(crate) fn parse_java_double(text: &str) -> Result<f64, Invalid> {
    plain_decimal(text).map_or_else(|| parse_java_floating(text), Ok)
}

/// Powers of ten that a double holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `-?digits[.digits]` with at most 15 significant digits, the shape of nearly every measured
/// value: the digits make an exact integer and the scale an exact power of ten, so one
/// division rounds correctly (Clinger's fast path). `None` for anything else.
#[inline(always)]
fn plain_decimal(text: &str) -> Option<f64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    let mut mantissa = 0u64;
    let mut count = 0;
    let mut scale = None;
    for (index, &byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(byte - b'0');
                count += 1;
            }
            b'.' if scale.is_none() && index > 0 => scale = Some(digits.len() - index - 1),
            _ => return None,
        }
    }
    if count == 0 || count > 15 || scale == Some(0) {
        return None;
    }
    let value = mantissa as f64 / EXACT_POWERS_OF_TEN[scale.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

/// Java's `Float.parseFloat`, rounding the decimal straight to `float` precision.
pub(crate) fn parse_java_float(text: &str) -> Result<f32, Invalid> {
    parse_java_floating(text)
}

fn parse_java_floating<T>(text: &str) -> Result<T, Invalid>
where
    T: std::str::FromStr + From<i8> + std::ops::Div<Output = T> + std::ops::Neg<Output = T>,
{
    // Plain decimals are nearly every value: parse them without the checks below.
    let plain = |b: &u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-');
    if text
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'-')
        && text.bytes().all(|b| plain(&b))
        && let Ok(value) = text.parse::<T>()
    {
        return Ok(value);
    }
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    if trimmed.is_empty() {
        return Err(Invalid("empty String".into()));
    }
    let unsigned = trimmed.trim_start_matches(['+', '-']);
    if trimmed.len() - unsigned.len() > 1 {
        return Err(Invalid::input(trimmed));
    }
    let negative = trimmed.starts_with('-');
    let zero = || T::from(0);
    match unsigned {
        "NaN" => return Ok(zero() / zero()),
        "Infinity" if negative => return Ok(-(T::from(1) / zero())),
        "Infinity" => return Ok(T::from(1) / zero()),
        _ => {}
    }
    let body = trimmed
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(trimmed);
    // Rust also reads `inf` and `nan`, which Java rejects: only digits, a point and an
    // exponent may remain.
    let plain = body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    match body.parse::<T>() {
        Ok(value) if plain => Ok(value),
        _ => Err(Invalid::input(trimmed)),
    }
}

/// Reads up to `max` ASCII digits at `*pos`, at least one.
fn digits(bytes: &[u8], pos: &mut usize, max: usize) -> Option<i64> {
    let start = *pos;
    let mut value = 0i64;
    while *pos < bytes.len() && *pos - start < max && bytes[*pos].is_ascii_digit() {
        value = value * 10 + i64::from(bytes[*pos] - b'0');
        *pos += 1;
    }
    (*pos > start).then_some(value)
}

fn expect(bytes: &[u8], pos: &mut usize, byte: u8) -> Option<()> {
    (bytes.get(*pos) == Some(&byte)).then(|| *pos += 1)
}

/// `y-M-d` with 1–2 digit month and day, as Hive's lenient date parser reads it; returns the
/// day number and leaves `*pos` after the day.
fn date_prefix(bytes: &[u8], pos: &mut usize) -> Option<i64> {
    let negative = bytes.first() == Some(&b'-');
    *pos += usize::from(negative);
    let year = digits(bytes, pos, 10)?;
    let year = if negative { -year } else { year };
    expect(bytes, pos, b'-')?;
    let month = digits(bytes, pos, 2)? as u32;
    expect(bytes, pos, b'-')?;
    let day = digits(bytes, pos, 2)? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// `H:m:s[.fffffffff]` after a date; milliseconds into the day (fraction truncated to ms).
fn time_of_day(bytes: &[u8], pos: &mut usize) -> Option<i64> {
    let hour = digits(bytes, pos, 2)?;
    expect(bytes, pos, b':')?;
    let minute = digits(bytes, pos, 2)?;
    expect(bytes, pos, b':')?;
    let second = digits(bytes, pos, 2)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut millis = 0;
    if expect(bytes, pos, b'.').is_some() {
        let start = *pos;
        let fraction = digits(bytes, pos, 9)?;
        let scale = 10i64.pow(9 - (*pos - start) as u32);
        millis = fraction * scale / 1_000_000;
    }
    Some(((hour * 60 + minute) * 60 + second) * 1000 + millis)
}

/// `Z`, `+HH`, `+HHMM` or `+HH:MM`; the offset in milliseconds to subtract.
fn zone_offset(bytes: &[u8], pos: &mut usize) -> Option<i64> {
    if expect(bytes, pos, b'Z').is_some() {
        return Some(0);
    }
    let sign = match bytes.get(*pos) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    *pos += 1;
    let hours = digits(bytes, pos, 2)?;
    let _ = expect(bytes, pos, b':');
    let minutes = if *pos < bytes.len() {
        digits(bytes, pos, 2)?
    } else {
        0
    };
    Some(sign * (hours * 60 + minutes) * 60_000)
}

/// Which timestamp spellings a SerDe accepts besides Hive's `yyyy-MM-dd HH:mm:ss[.f…]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimestampText {
    /// LazySimpleSerDe: Hive's layout or ISO `…T…` without a zone.
    Hive,
    /// The OpenX JSON SerDe: also ISO with `Z` or an offset (converted to UTC), and numbers of
    /// seconds or milliseconds since the epoch.
    OpenX,
}

/// A timestamp in milliseconds since the epoch (UTC wall clock, as Trino's `timestamp(3)`).
pub(crate) fn parse_timestamp(text: &str, rules: TimestampText) -> Result<i64, Invalid> {
    if let Some(millis) = canonical_date_time(text.as_bytes()) {
        return Ok(millis);
    }
    let trimmed = text.trim();
    let parsed = match rules {
        TimestampText::OpenX => epoch_number(trimmed).or_else(|| date_time(trimmed, true)),
        TimestampText::Hive => date_time(trimmed, false),
    };
    parsed.ok_or_else(|| Invalid(format!("Text '{trimmed}' could not be parsed")))
}

fn date_time(text: &str, zones: bool) -> Option<i64> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let day = date_prefix(bytes, &mut pos)?;
    let mut millis = day.checked_mul(MS_PER_DAY)?;
    if matches!(bytes.get(pos), Some(b' ' | b'T')) {
        pos += 1;
        millis += time_of_day(bytes, &mut pos)?;
    }
    if zones && pos < bytes.len() {
        millis -= zone_offset(bytes, &mut pos)?;
    }
    (pos == bytes.len()).then_some(millis)
}

/// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd HH:mm:ss.SSS` exactly, the layout nearly every log
/// uses, read at fixed positions; `None` sends anything else to the general parser.
#[inline(always)]
fn canonical_date_time(bytes: &[u8]) -> Option<i64> {
    if !(bytes.len() == 19 || bytes.len() == 23 && bytes[19] == b'.') {
        return None;
    }
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }
    let mut invalid = false;
    let mut number = |from: usize, to: usize| {
        let mut value = 0i64;
        for &byte in &bytes[from..to] {
            let digit = byte.wrapping_sub(b'0');
            invalid |= digit > 9;
            value = value * 10 + i64::from(digit);
        }
        value
    };
    let (year, month, day) = (number(0, 4), number(5, 7) as u32, number(8, 10) as u32);
    let (hour, minute, second) = (number(11, 13), number(14, 16), number(17, 19));
    let millis = if bytes.len() == 23 { number(20, 23) } else { 0 };
    let valid = !invalid
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then(|| {
        days_from_civil(year, month, day) * MS_PER_DAY
            + ((hour * 60 + minute) * 60 + second) * 1000
            + millis
    })
}

/// The OpenX SerDe's numeric timestamps: `seconds.fraction`, or whole numbers that are
/// milliseconds when they have 13 or more characters (sign and leading zeros count) and
/// seconds otherwise.
fn epoch_number(text: &str) -> Option<i64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.parse().ok()?;
    if unsigned.contains('.') {
        let millis: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
        return Some(sign * (whole.checked_mul(1000)? + millis));
    }
    if text.len() >= 13 {
        Some(sign * whole)
    } else {
        Some(sign * whole.checked_mul(1000)?)
    }
}

/// A date as Hive reads it: `y-M-d`, ignoring anything after a space.
pub(crate) fn parse_hive_date(text: &str) -> Result<i32, Invalid> {
    let trimmed = text.trim();
    let date = trimmed.split(' ').next().unwrap_or_default();
    let mut pos = 0;
    date_prefix(date.as_bytes(), &mut pos)
        .filter(|_| pos == date.len())
        .and_then(|day| i32::try_from(day).ok())
        .ok_or_else(|| Invalid(format!("Text '{trimmed}' could not be parsed")))
}

/// `yyyy-MM-dd HH:mm:ss` plus the fraction of the second only when it is not zero, with as
/// few digits as it needs: Hive's layout, which Athena uses for timestamps in text files.
pub(crate) fn format_hive_timestamp(millis: i64, out: &mut String) {
    let fraction = format_date_time(millis, out);
    if fraction != 0 {
        let digits = format!(".{fraction:03}");
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// `yyyy-MM-dd HH:mm:ss.SSS`: how Trino prints a `timestamp(3)` in query results.
pub(crate) fn format_trino_timestamp(millis: i64, out: &mut String) {
    let fraction = format_date_time(millis, out);
    out.push_str(&format!(".{fraction:03}"));
}

/// Writes `yyyy-MM-dd HH:mm:ss` and returns the milliseconds left over.
fn format_date_time(millis: i64, out: &mut String) -> i64 {
    let day = millis.div_euclid(MS_PER_DAY);
    let in_day = millis.rem_euclid(MS_PER_DAY);
    format_date(day, out);
    let seconds = in_day / 1000;
    out.push_str(&format!(
        " {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    ));
    in_day % 1000
}

/// `yyyy-MM-dd`.
pub(crate) fn format_date(day: i64, out: &mut String) {
    let (year, month, day) = civil_from_days(day);
    out.push_str(&format!("{year:04}-{month:02}-{day:02}"));
}

/// Java's `Double.toString`: shortest round-trip digits, plain between 10⁻³ and 10⁷
/// (`42.5`, `100.0`), computerized scientific notation outside (`1.0E7`, `1.0E-4`).
pub(crate) fn format_java_double(value: f64, out: &mut String) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        java_layout(&format!("{value:e}"), out);
    }
}

/// Java's `Float.toString`, the same layout as [`format_java_double`] with `float` digits.
pub(crate) fn format_java_float(value: f32, out: &mut String) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        java_layout(&format!("{value:e}"), out);
    }
}

/// Lays out Rust's shortest `{:e}` rendering (`-4.25e1`) the way Java does.
fn java_layout(scientific: &str, out: &mut String) {
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    out.push_str(sign);
    if digits == "0" {
        out.push_str("0.0");
    } else if (-3..7).contains(&exponent) {
        if exponent >= 0 {
            let point = exponent as usize + 1;
            let padded = format!("{digits:0<point$}");
            let (whole, fraction) = padded.split_at(point);
            out.push_str(whole);
            out.push('.');
            out.push_str(if fraction.is_empty() { "0" } else { fraction });
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exponent - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push_str(&format!("E{exponent}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        let actual = match parse_timestamp(input, TimestampText::OpenX) {
            Ok(millis) => {
                let mut out = String::new();
                format_trino_timestamp(millis, &mut out);
                out
            }
            Err(Invalid(message)) => message,
        };
        assert_eq!(actual, expect, "{input}");
    }

    #[test]
    fn openx_timestamps_in_every_spelling() {
        check("2022-06-12 00:00:01.000", "2022-06-12 00:00:01.000");
        check("2022-06-12 00:00:01", "2022-06-12 00:00:01.000");
        check("2022-6-2 3:04:05.123456789", "2022-06-02 03:04:05.123");
        check("2022-06-12T00:00:01Z", "2022-06-12 00:00:01.000");
        check("2022-06-12T09:00:01.5+09:00", "2022-06-12 00:00:01.500");
        check("2022-06-12T00:00:01-0130", "2022-06-12 01:30:01.000");
        check("2022-06-12", "2022-06-12 00:00:00.000");
        check("1655000000", "2022-06-12 02:13:20.000");
        check("1655000000123", "2022-06-12 02:13:20.123");
        check("1655000000.25", "2022-06-12 02:13:20.250");
        check("-1", "1969-12-31 23:59:59.000");
        check(
            "2022-13-01 00:00:00",
            "Text '2022-13-01 00:00:00' could not be parsed",
        );
        check("2022-02-29", "Text '2022-02-29' could not be parsed");
        check("yesterday", "Text 'yesterday' could not be parsed");
    }

    #[test]
    fn hive_timestamps_reject_zones_and_numbers() {
        let hive = |text| parse_timestamp(text, TimestampText::Hive).ok();
        assert_eq!(hive("1970-01-01 00:00:01.5"), Some(1500));
        assert_eq!(hive("1970-01-01T00:00:01"), Some(1000));
        assert_eq!(hive("1970-01-01T00:00:01Z"), None);
        assert_eq!(hive("1000"), None);
    }

    #[test]
    fn java_numbers_parse_and_fail_in_java_words() {
        assert_eq!(parse_java_long("-42"), Ok(-42));
        assert_eq!(parse_java_long("0x1F"), Ok(31));
        assert_eq!(
            parse_java_long("0.54"),
            Err(Invalid("For input string: \"0.54\"".into()))
        );
        assert_eq!(
            parse_java_int("12312845691", i32::MIN.into(), i32::MAX.into()),
            Err(Invalid("For input string: \"12312845691\"".into()))
        );
        assert!(parse_java_long(" 1").is_err());
        assert_eq!(parse_java_double(" 42.5 "), Ok(42.5));
        assert_eq!(parse_java_double("1e3d"), Ok(1000.0));
        assert_eq!(parse_java_double("-Infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_java_double("NaN").unwrap().is_nan());
        assert_eq!(
            parse_java_double("abc"),
            Err(Invalid("For input string: \"abc\"".into()))
        );
        assert_eq!(parse_java_double("inf"), Err(Invalid::input("inf")));
        assert_eq!(parse_java_double(""), Err(Invalid("empty String".into())));
    }

    #[test]
    fn doubles_print_as_java_does() {
        let java = |value: f64| {
            let mut out = String::new();
            format_java_double(value, &mut out);
            out
        };
        assert_eq!(java(42.5), "42.5");
        assert_eq!(java(100.0), "100.0");
        assert_eq!(java(-0.0), "-0.0");
        assert_eq!(java(0.001), "0.001");
        assert_eq!(java(0.0001), "1.0E-4");
        assert_eq!(java(1234567.0), "1234567.0");
        assert_eq!(java(12345678.9), "1.23456789E7");
        assert_eq!(java(f64::NAN), "NaN");
        assert_eq!(java(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn hive_timestamps_print_only_the_fraction_they_need() {
        let hive = |millis| {
            let mut out = String::new();
            format_hive_timestamp(millis, &mut out);
            out
        };
        assert_eq!(hive(1_655_000_000_000), "2022-06-12 02:13:20");
        assert_eq!(hive(1_655_000_000_500), "2022-06-12 02:13:20.5");
        assert_eq!(hive(1_655_000_000_123), "2022-06-12 02:13:20.123");
        assert_eq!(hive(-1), "1969-12-31 23:59:59.999");
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for day in [-719_468, -1, 0, 19_155, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(parse_hive_date("2022-06-12 10:00"), Ok(19_155));
        assert!(parse_hive_date("2022-06-31").is_err());
    }
}
