//! String functions, counting in code points as Trino does: `length`, `substr`, `split_part`,
//! `strpos`, `lpad`, `concat` (and `||`), `regexp_*`, ….

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, StringArray, StringBuilder,
};
use arrow::datatypes::Int64Type;
use regex::Regex;

use super::{Call, Func, Resolution, integral, stringy, varchar_like};
use crate::sql::error::{ErrorCode, SqlError};
use crate::sql::types::{SqlType, VARCHAR};

/// The argument kinds a string function's overloads take.
#[derive(Clone, Copy)]
enum Arg {
    Str,
    Int,
}

fn matches(call: &Call, shape: &[Arg]) -> bool {
    call.args.len() == shape.len()
        && call.args.iter().zip(shape).all(|(a, kind)| match kind {
            Arg::Str => stringy(&a.ty),
            Arg::Int => integral(&a.ty),
        })
}

fn targets(shape: &[Arg]) -> Vec<SqlType> {
    shape
        .iter()
        .map(|kind| match kind {
            Arg::Str => VARCHAR,
            Arg::Int => SqlType::BigInt,
        })
        .collect()
}

/// Binds the first overload in `overloads` whose shape fits the arguments.
fn overload(
    call: Call,
    overloads: &[(&[Arg], Func, SqlType)],
) -> Result<crate::sql::expr::Expr, SqlError> {
    for (shape, func, ty) in overloads {
        if matches(&call, shape) {
            return call.with_args(*func, &targets(shape), ty.clone());
        }
    }
    Err(call.unexpected())
}

pub(super) fn bind(call: Call) -> Resolution {
    use Arg::{Int, Str};
    let same = call.args.first().map_or(VARCHAR, |a| varchar_like(&a.ty));
    let bigint = SqlType::BigInt;
    let result = match call.name.as_str() {
        "lower" => overload(call, &[(&[Str], Func::Lower, same)]),
        "upper" => overload(call, &[(&[Str], Func::Upper, same)]),
        "reverse" => overload(call, &[(&[Str], Func::Reverse, same)]),
        "length" => overload(call, &[(&[Str], Func::Length, bigint)]),
        "substr" | "substring" => overload(
            call,
            &[
                (&[Str, Int], Func::Substr, same.clone()),
                (&[Str, Int, Int], Func::Substr, same),
            ],
        ),
        "trim" | "btrim" => trim(call, Func::Trim, same),
        "ltrim" => trim(call, Func::Ltrim, same),
        "rtrim" => trim(call, Func::Rtrim, same),
        "replace" => overload(
            call,
            &[
                (&[Str, Str], Func::Replace, VARCHAR),
                (&[Str, Str, Str], Func::Replace, VARCHAR),
            ],
        ),
        "split_part" => overload(call, &[(&[Str, Str, Int], Func::SplitPart, same)]),
        "strpos" => overload(
            call,
            &[
                (&[Str, Str], Func::Strpos, bigint.clone()),
                (&[Str, Str, Int], Func::Strpos, bigint),
            ],
        ),
        "lpad" => overload(call, &[(&[Str, Int, Str], Func::Lpad, VARCHAR)]),
        "rpad" => overload(call, &[(&[Str, Int, Str], Func::Rpad, VARCHAR)]),
        "starts_with" => overload(call, &[(&[Str, Str], Func::StartsWith, SqlType::Boolean)]),
        "chr" => overload(call, &[(&[Int], Func::Chr, SqlType::Varchar(Some(1)))]),
        "codepoint" => codepoint(call),
        "concat" => concat(call),
        "regexp_like" => overload(call, &[(&[Str, Str], Func::RegexpLike, SqlType::Boolean)]),
        "regexp_extract" => overload(
            call,
            &[
                (&[Str, Str], Func::RegexpExtract, same.clone()),
                (&[Str, Str, Int], Func::RegexpExtract, same),
            ],
        ),
        "regexp_replace" => overload(
            call,
            &[
                (&[Str, Str], Func::RegexpReplace, VARCHAR),
                (&[Str, Str, Str], Func::RegexpReplace, VARCHAR),
            ],
        ),
        _ => return Resolution::Unknown(call),
    };
    Resolution::Bound(result)
}

fn trim(call: Call, func: Func, ty: SqlType) -> Result<crate::sql::expr::Expr, SqlError> {
    use Arg::Str;
    overload(call, &[(&[Str], func, ty.clone()), (&[Str, Str], func, ty)])
}

fn codepoint(call: Call) -> Result<crate::sql::expr::Expr, SqlError> {
    match call.types().as_slice() {
        [SqlType::Varchar(Some(1)) | SqlType::Unknown] => {
            call.with_args(Func::Codepoint, &[VARCHAR], SqlType::Integer)
        }
        _ => Err(call.unexpected()),
    }
}

/// `concat(varchar, …)`, which `||` also means. Trino refuses numbers: no implicit cast to
/// varchar.
fn concat(call: Call) -> Result<crate::sql::expr::Expr, SqlError> {
    if call.args.len() < 2 {
        return Err(SqlError::new(
            ErrorCode::InvalidFunctionArgument,
            call.pos,
            "There must be two or more concatenation arguments",
        ));
    }
    if !call.args.iter().all(|a| stringy(&a.ty)) {
        return Err(call.unexpected());
    }
    let to = vec![VARCHAR; call.args.len()];
    call.with_args(Func::Concat, &to, VARCHAR)
}

pub(super) fn eval(func: Func, args: &[ArrayRef]) -> Option<Result<ArrayRef, SqlError>> {
    Some(match func {
        Func::Lower => strings(args, |r, out| {
            map_chars(str_at(args, 0, r), out, char::to_lowercase)
        }),
        Func::Upper => strings(args, |r, out| {
            map_chars(str_at(args, 0, r), out, char::to_uppercase)
        }),
        Func::Reverse => strings(args, |r, out| {
            out.extend(str_at(args, 0, r).chars().rev());
            Ok(true)
        }),
        Func::Length => int64s(args, |r| {
            Ok(Some(str_at(args, 0, r).chars().count() as i64))
        }),
        Func::Substr => strings(args, |r, out| {
            let length = args.get(2).map(|_| int_at(args, 2, r));
            out.push_str(substr(str_at(args, 0, r), int_at(args, 1, r), length));
            Ok(true)
        }),
        Func::Trim | Func::Ltrim | Func::Rtrim => strings(args, |r, out| {
            let chars = args.get(1).map(|_| str_at(args, 1, r));
            out.push_str(trim_str(func, str_at(args, 0, r), chars));
            Ok(true)
        }),
        Func::Replace => strings(args, |r, out| {
            let with = args.get(2).map_or("", |_| str_at(args, 2, r));
            out.push_str(&str_at(args, 0, r).replace(str_at(args, 1, r), with));
            Ok(true)
        }),
        Func::SplitPart => strings(args, |r, out| {
            split_part(
                str_at(args, 0, r),
                str_at(args, 1, r),
                int_at(args, 2, r),
                out,
            )
        }),
        Func::Strpos => int64s(args, |r| {
            let instance = args.get(2).map_or(1, |_| int_at(args, 2, r));
            strpos(str_at(args, 0, r), str_at(args, 1, r), instance).map(Some)
        }),
        Func::Lpad | Func::Rpad => strings(args, |r, out| {
            pad(
                func,
                str_at(args, 0, r),
                int_at(args, 1, r),
                str_at(args, 2, r),
                out,
            )
        }),
        Func::StartsWith => bools(args, |r| {
            Ok(str_at(args, 0, r).starts_with(str_at(args, 1, r)))
        }),
        Func::Chr => strings(args, |r, out| {
            let code = int_at(args, 0, r);
            let c = u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| {
                    SqlError::invalid_argument(format!("Not a valid Unicode code point: {code}"))
                })?;
            out.push(c);
            Ok(true)
        }),
        Func::Codepoint => codepoints(&args[0]),
        Func::Concat => strings(args, |r, out| {
            for i in 0..args.len() {
                out.push_str(str_at(args, i, r));
            }
            Ok(true)
        }),
        Func::RegexpLike | Func::RegexpExtract | Func::RegexpReplace => regexp(func, args),
        _ => return None,
    })
}

fn str_at(args: &[ArrayRef], arg: usize, row: usize) -> &str {
    args[arg].as_string::<i32>().value(row)
}

fn int_at(args: &[ArrayRef], arg: usize, row: usize) -> i64 {
    args[arg].as_primitive::<Int64Type>().value(row)
}

fn any_null(args: &[ArrayRef], row: usize) -> bool {
    args.iter().any(|a| a.is_null(row))
}

/// A varchar result built row by row; a row with a NULL argument is NULL, as is a row for
/// which `f` returns `false`.
fn strings(
    args: &[ArrayRef],
    mut f: impl FnMut(usize, &mut String) -> Result<bool, SqlError>,
) -> Result<ArrayRef, SqlError> {
    let rows = args[0].len();
    let mut builder = StringBuilder::with_capacity(rows, rows * 8);
    let mut out = String::new();
    for row in 0..rows {
        out.clear();
        if !any_null(args, row) && f(row, &mut out)? {
            builder.append_value(&out);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

fn int64s(
    args: &[ArrayRef],
    mut f: impl FnMut(usize) -> Result<Option<i64>, SqlError>,
) -> Result<ArrayRef, SqlError> {
    let rows = args[0].len();
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        out.push(if any_null(args, row) { None } else { f(row)? });
    }
    Ok(Arc::new(Int64Array::from(out)))
}

fn bools(
    args: &[ArrayRef],
    mut f: impl FnMut(usize) -> Result<bool, SqlError>,
) -> Result<ArrayRef, SqlError> {
    let rows = args[0].len();
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        out.push(if any_null(args, row) {
            None
        } else {
            Some(f(row)?)
        });
    }
    Ok(Arc::new(BooleanArray::from(out)))
}

/// Trino maps case one code point at a time: a character whose mapping has several code
/// points (`ß` upper-cased) stays as it is.
fn map_chars<I: Iterator<Item = char> + ExactSizeIterator>(
    text: &str,
    out: &mut String,
    map: fn(char) -> I,
) -> Result<bool, SqlError> {
    for c in text.chars() {
        let mapped = map(c);
        if mapped.len() == 1 {
            out.extend(mapped);
        } else {
            out.push(c);
        }
    }
    Ok(true)
}

/// `substr` with Trino's rules: 1-based, negative starts count from the end, a start of 0 or
/// past either end gives ''.
fn substr(text: &str, start: i64, length: Option<i64>) -> &str {
    if start == 0 || length.is_some_and(|l| l <= 0) {
        return "";
    }
    let chars = text.chars().count() as i64;
    let first = if start > 0 { start - 1 } else { chars + start };
    if first < 0 || first >= chars {
        return "";
    }
    let last = length.map_or(chars, |l| first.saturating_add(l).min(chars));
    let byte = |i: i64| {
        text.char_indices()
            .nth(i as usize)
            .map_or(text.len(), |(b, _)| b)
    };
    &text[byte(first)..byte(last)]
}

fn trim_str<'a>(func: Func, text: &'a str, chars: Option<&str>) -> &'a str {
    let strip = |c: char| match chars {
        Some(set) => set.contains(c),
        None => c.is_whitespace(),
    };
    match func {
        Func::Ltrim => text.trim_start_matches(strip),
        Func::Rtrim => text.trim_end_matches(strip),
        _ => text.trim_matches(strip),
    }
}

fn split_part(text: &str, delimiter: &str, index: i64, out: &mut String) -> Result<bool, SqlError> {
    if index <= 0 {
        return Err(SqlError::invalid_argument(
            "Index must be greater than zero",
        ));
    }
    let part = if delimiter.is_empty() {
        text.chars().nth(index as usize - 1).map(String::from)
    } else {
        text.split(delimiter)
            .nth(index as usize - 1)
            .map(String::from)
    };
    match part {
        Some(part) => {
            out.push_str(&part);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The 1-based code point position of the `instance`th occurrence (from the end when
/// negative), or 0.
fn strpos(text: &str, needle: &str, instance: i64) -> Result<i64, SqlError> {
    if instance == 0 {
        return Err(SqlError::invalid_argument(
            "'instance' must be a positive or negative number.",
        ));
    }
    let starts: Vec<usize> = if needle.is_empty() {
        (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect()
    } else {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(i) = text[from..].find(needle) {
            found.push(from + i);
            from += i + text[from + i..].chars().next().map_or(1, char::len_utf8);
        }
        found
    };
    let chosen = if instance > 0 {
        starts.get(instance as usize - 1)
    } else {
        starts
            .len()
            .checked_sub(instance.unsigned_abs() as usize)
            .and_then(|i| starts.get(i))
    };
    Ok(chosen.map_or(0, |&byte| text[..byte].chars().count() as i64 + 1))
}

fn pad(
    func: Func,
    text: &str,
    size: i64,
    filler: &str,
    out: &mut String,
) -> Result<bool, SqlError> {
    if !(0..=i32::MAX as i64).contains(&size) {
        return Err(SqlError::invalid_argument(format!(
            "Target length must be in the range [0..{}]",
            i32::MAX
        )));
    }
    if filler.is_empty() {
        return Err(SqlError::invalid_argument(
            "Padding string must not be empty",
        ));
    }
    let size = size as usize;
    let length = text.chars().count();
    if size <= length {
        out.extend(text.chars().take(size));
        return Ok(true);
    }
    let padding: String = filler.chars().cycle().take(size - length).collect();
    if func == Func::Lpad {
        out.push_str(&padding);
        out.push_str(text);
    } else {
        out.push_str(text);
        out.push_str(&padding);
    }
    Ok(true)
}

fn codepoints(array: &ArrayRef) -> Result<ArrayRef, SqlError> {
    let strings: &StringArray = array.as_string();
    let mut out = Vec::with_capacity(strings.len());
    for value in strings.iter() {
        out.push(match value {
            None => None,
            Some(v) => match v.chars().next() {
                Some(c) => Some(c as i32),
                None => {
                    return Err(SqlError::invalid_argument(
                        "Input string must be a single character string",
                    ));
                }
            },
        });
    }
    Ok(Arc::new(Int32Array::from(out)))
}

/// Compiles patterns as they come, reusing the last one: the pattern is nearly always a
/// literal, repeated on every row.
struct RegexCache {
    last: Option<(String, Regex)>,
}

impl RegexCache {
    fn get(&mut self, pattern: &str) -> Result<&Regex, SqlError> {
        let stale = self.last.as_ref().is_none_or(|(p, _)| p != pattern);
        if stale {
            let regex = Regex::new(pattern).map_err(|e| {
                let text = e.to_string();
                let reason = text
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                SqlError::invalid_argument(format!(
                    "Invalid regular expression '{pattern}': {reason}"
                ))
            })?;
            self.last = Some((pattern.to_string(), regex));
        }
        Ok(&self.last.as_ref().expect("just compiled").1)
    }
}

fn regexp(func: Func, args: &[ArrayRef]) -> Result<ArrayRef, SqlError> {
    let mut cache = RegexCache { last: None };
    match func {
        Func::RegexpLike => bools(args, |r| {
            Ok(cache.get(str_at(args, 1, r))?.is_match(str_at(args, 0, r)))
        }),
        Func::RegexpExtract => strings(args, |r, out| {
            let regex = cache.get(str_at(args, 1, r))?;
            let group = args.get(2).map_or(0, |_| int_at(args, 2, r));
            let groups = regex.captures_len() as i64 - 1;
            if group < 0 || group > groups {
                return Err(SqlError::invalid_argument(format!(
                    "Pattern has {groups} groups. Cannot access group {group}"
                )));
            }
            let text = str_at(args, 0, r);
            match regex.captures(text).and_then(|c| c.get(group as usize)) {
                Some(m) => {
                    out.push_str(m.as_str());
                    Ok(true)
                }
                None => Ok(false),
            }
        }),
        _ => strings(args, |r, out| {
            let regex = cache.get(str_at(args, 1, r))?;
            let replacement = args.get(2).map_or("", |_| str_at(args, 2, r));
            out.push_str(&regex.replace_all(str_at(args, 0, r), replacement));
            Ok(true)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestStringFunctions.java (testSubstring)
    #[test]
    fn substr_follows_trino() {
        let s = "Quadratically";
        assert_eq!(substr(s, 5, None), "ratically");
        assert_eq!(substr(s, 50, None), "");
        assert_eq!(substr(s, -5, None), "cally");
        assert_eq!(substr(s, -50, None), "");
        assert_eq!(substr(s, 0, None), "");
        assert_eq!(substr(s, 5, Some(6)), "ratica");
        assert_eq!(substr(s, 5, Some(10)), "ratically");
        assert_eq!(substr(s, 5, Some(0)), "");
        assert_eq!(substr(s, 5, Some(-1)), "");
        assert_eq!(substr(s, -5, Some(4)), "call");
        assert_eq!(substr(s, -5, Some(40)), "cally");
        assert_eq!(substr("na\u{EF}ve", 3, Some(2)), "\u{EF}v");
    }

    // Ported from TestStringFunctions (testStringPosition, testSplitPart, testLeftPad).
    #[test]
    fn positions_splits_and_pads_follow_trino() {
        assert_eq!(strpos("high", "ig", 1).unwrap(), 2);
        assert_eq!(strpos("high", "igx", 1).unwrap(), 0);
        assert_eq!(strpos("Quadratically", "a", 1).unwrap(), 3);
        assert_eq!(strpos("foobar", "", 1).unwrap(), 1);
        assert_eq!(
            strpos("\u{4FE1}\u{5FF5},\u{7231}", "\u{7231}", 1).unwrap(),
            4
        );
        assert_eq!(strpos("abc/xyz/foo/bar", "/", 3).unwrap(), 12);
        assert_eq!(strpos("abc/xyz/foo/bar", "/", -1).unwrap(), 12);
        assert_eq!(strpos("abc/xyz/foo/bar", "/", -4).unwrap(), 0);
        let split = |text, delimiter, index| {
            let mut out = String::new();
            split_part(text, delimiter, index, &mut out).map(|found| found.then_some(out))
        };
        assert_eq!(
            split("abc-@-def-@-ghi", "-@-", 2).unwrap().as_deref(),
            Some("def")
        );
        assert_eq!(split("abc-@-def-@-ghi", "-@-", 4).unwrap(), None);
        assert_eq!(split("abc", "", 2).unwrap().as_deref(), Some("b"));
        assert_eq!(
            split("abc", ",", 0).unwrap_err().to_string(),
            "INVALID_FUNCTION_ARGUMENT: Index must be greater than zero"
        );
        let padded = |func, text, size, filler| {
            let mut out = String::new();
            pad(func, text, size, filler, &mut out)
                .map(|_| out)
                .map_err(|e| e.to_string())
        };
        assert_eq!(padded(Func::Lpad, "text", 5, "x").unwrap(), "xtext");
        assert_eq!(padded(Func::Lpad, "text", 9, "12").unwrap(), "12121text");
        assert_eq!(padded(Func::Rpad, "text", 2, "x").unwrap(), "te");
        assert_eq!(
            padded(Func::Rpad, "text", 6, "").unwrap_err(),
            "INVALID_FUNCTION_ARGUMENT: Padding string must not be empty"
        );
    }

    #[test]
    fn case_mapping_is_one_code_point_at_a_time() {
        let mut out = String::new();
        map_chars("stra\u{DF}e", &mut out, char::to_uppercase).unwrap();
        assert_eq!(out, "STRA\u{DF}E");
    }
}
