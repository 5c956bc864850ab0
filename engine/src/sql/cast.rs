//! CAST and TRY_CAST with Trino's rules and messages (`Cannot cast 'x' to INT`), and the text
//! Trino prints for every value (`1.0E7`, `2022-06-12 00:00:00.000`, `[1, 2]`).

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, BooleanArray, Decimal128Array, PrimitiveArray,
    StringArray, StringBuilder, new_null_array,
};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, DurationMillisecondType, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, IntervalUnit, IntervalYearMonthType, TimeUnit,
    TimestampMillisecondType,
};

use super::decimal;
use super::error::SqlError;
use super::time;
use super::types::{SqlType, UTC};

/// Whether Trino has a CAST from `from` to `to`.
pub(super) fn can_cast(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    let scalar = |t: &SqlType| {
        t.is_numeric() || t.is_string() || matches!(t, Boolean | Date | Timestamp | TimestampTz)
    };
    match (from, to) {
        _ if from == to => true,
        (Unknown, _) => true,
        (_, Varchar(_) | Char(_)) => !matches!(from, Varbinary | Array(_) | Map(..) | Row(_)),
        (Varchar(_) | Char(_), Varbinary) => true,
        (a, b) if a.is_numeric() && (b.is_numeric() || *b == Boolean) => true,
        (Boolean, b) => b.is_numeric(),
        (Varchar(_) | Char(_), b) => scalar(b),
        (Date | Timestamp | TimestampTz, Date | Timestamp | TimestampTz) => true,
        _ => false,
    }
}

/// Converts `array` from `from` to `to`. With `try_cast`, values that do not convert become
/// NULL instead of failing the query.
pub(super) fn cast(
    array: &ArrayRef,
    from: &SqlType,
    to: &SqlType,
    try_cast: bool,
) -> Result<ArrayRef, SqlError> {
    use SqlType::*;
    if from == to {
        return Ok(array.clone());
    }
    let target = to.to_arrow();
    match (from, to) {
        (Unknown, _) => Ok(new_null_array(&target, array.len())),
        (Varchar(_) | Char(_), Varchar(None)) => Ok(array.clone()),
        (Varchar(Some(a)), Varchar(Some(b))) if b >= a => Ok(array.clone()),
        (_, Varchar(limit)) => Ok(to_varchar(array, *limit)),
        (_, Char(n)) => Ok(to_varchar(array, Some(*n))),
        (Varchar(_) | Char(_), _) => from_varchar(array.as_string::<i32>(), to, try_cast),
        (Boolean, _) => {
            let ints = arrow::compute::cast(array, &DataType::Int32).expect("boolean to int");
            cast(&ints, &Integer, to, try_cast)
        }
        (_, Boolean) => Ok(Arc::new(nonzero(array))),
        (a, b) if a.is_integer() && b.is_integer() => integer_to_integer(array, b, try_cast),
        (a, Real | Double) if a.is_numeric() => {
            Ok(arrow::compute::cast(array, &target).expect("numeric to floating"))
        }
        (Real | Double, b) if b.is_integer() => float_to_integer(array, b, try_cast),
        (a, Decimal(p, s)) if a.is_numeric() => to_decimal(array, from, *p, *s, try_cast),
        (Decimal(_, s), b) if b.is_integer() => decimal_to_integer(array, *s, b, try_cast),
        (Date, Timestamp | TimestampTz) => {
            let days = array.as_primitive::<Date32Type>();
            let ms: PrimitiveArray<TimestampMillisecondType> =
                days.unary(|d| d as i64 * time::MS_PER_DAY);
            Ok(Arc::new(retype_timestamp(ms, to)))
        }
        (Timestamp | TimestampTz, Date) => {
            let ms = array.as_primitive::<TimestampMillisecondType>();
            let days: PrimitiveArray<Date32Type> =
                ms.unary(|m| m.div_euclid(time::MS_PER_DAY) as i32);
            Ok(Arc::new(days))
        }
        (Timestamp | TimestampTz, Timestamp | TimestampTz) => {
            let ms = array.as_primitive::<TimestampMillisecondType>().clone();
            Ok(Arc::new(retype_timestamp(ms, to)))
        }
        _ => Err(SqlError::type_mismatch(
            None,
            format!("Cannot cast {from} to {to}"),
        )),
    }
}

fn retype_timestamp(
    ms: PrimitiveArray<TimestampMillisecondType>,
    to: &SqlType,
) -> PrimitiveArray<TimestampMillisecondType> {
    match to {
        SqlType::TimestampTz => ms.with_timezone(UTC),
        _ => ms.with_timezone_opt(None::<String>),
    }
}

/// Applies a fallible conversion to every non-null value; failures are errors, or NULLs for
/// TRY_CAST.
fn convert<O: ArrowPrimitiveType>(
    len: usize,
    is_valid: impl Fn(usize) -> bool,
    try_cast: bool,
    f: impl Fn(usize) -> Result<O::Native, SqlError>,
) -> Result<PrimitiveArray<O>, SqlError> {
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        if !is_valid(i) {
            out.push(None);
            continue;
        }
        match f(i) {
            Ok(v) => out.push(Some(v)),
            Err(_) if try_cast => out.push(None),
            Err(e) => return Err(e),
        }
    }
    Ok(PrimitiveArray::from_iter(out))
}

/// Trino's upper-case type name in cast messages (`INT`, not `INTEGER`, for varchar casts).
fn varchar_cast_name(ty: &SqlType) -> String {
    match ty {
        SqlType::Integer => "INT".into(),
        other => other.to_string().to_ascii_uppercase(),
    }
}

fn integer_range(ty: &SqlType) -> (i64, i64) {
    match ty {
        SqlType::TinyInt => (i8::MIN as i64, i8::MAX as i64),
        SqlType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
        SqlType::Integer => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Builds an integer array of type `ty` from `i64` values already range-checked.
fn integers_from_i64(values: PrimitiveArray<Int64Type>, ty: &SqlType) -> ArrayRef {
    let target = ty.to_arrow();
    arrow::compute::cast(&values, &target).expect("range-checked integers")
}

fn from_varchar(array: &StringArray, to: &SqlType, try_cast: bool) -> Result<ArrayRef, SqlError> {
    use SqlType::*;
    let valid = |i| array.is_valid(i);
    let text = |i| array.value(i);
    let len = array.len();
    let not_cast = |i: usize| {
        SqlError::invalid_cast(format!(
            "Cannot cast '{}' to {}",
            text(i),
            varchar_cast_name(to)
        ))
    };
    Ok(match to {
        TinyInt | SmallInt | Integer | BigInt => {
            let (min, max) = integer_range(to);
            let parsed = convert::<Int64Type>(len, valid, try_cast, |i| {
                parse_java_long(text(i).trim())
                    .filter(|v| (min..=max).contains(v))
                    .ok_or_else(|| not_cast(i))
            })?;
            integers_from_i64(parsed, to)
        }
        Double => Arc::new(convert::<Float64Type>(len, valid, try_cast, |i| {
            parse_java_double(text(i)).ok_or_else(|| not_cast(i))
        })?),
        Real => Arc::new(convert::<Float32Type>(len, valid, try_cast, |i| {
            parse_java_double(text(i))
                .map(|v| v as f32)
                .ok_or_else(|| not_cast(i))
        })?),
        Boolean => Arc::new(varchar_to_boolean(array, try_cast)?),
        Decimal(p, s) => {
            let values = convert::<Decimal128Type>(len, valid, try_cast, |i| {
                let v = text(i);
                let message = |why: &str| {
                    SqlError::invalid_cast(format!(
                        "Cannot cast VARCHAR '{v}' to DECIMAL({p}, {s}). Value {why}"
                    ))
                };
                let parsed = decimal::parse(v, *s).ok_or_else(|| message("is not a number."))?;
                if decimal::overflows(parsed, *p) {
                    return Err(message("too large."));
                }
                Ok(parsed)
            })?;
            Arc::new(
                values
                    .with_precision_and_scale(*p, *s)
                    .expect("valid decimal type"),
            )
        }
        Date => Arc::new(convert::<Date32Type>(len, valid, try_cast, |i| {
            time::parse_date(text(i)).ok_or_else(|| {
                SqlError::invalid_cast(format!("Value cannot be cast to date: {}", text(i)))
            })
        })?),
        Timestamp | TimestampTz => {
            let zoned = *to == TimestampTz;
            let ms = convert::<TimestampMillisecondType>(len, valid, try_cast, |i| {
                time::parse_timestamp(text(i), zoned).ok_or_else(|| {
                    SqlError::invalid_cast(format!("Value cannot be cast to {to}: {}", text(i)))
                })
            })?;
            Arc::new(retype_timestamp(ms, to))
        }
        Varbinary => Arc::new(arrow::array::BinaryArray::from_iter(
            array.iter().map(|v| v.map(str::as_bytes)),
        )),
        _ => {
            return Err(SqlError::type_mismatch(
                None,
                format!("Cannot cast varchar to {to}"),
            ));
        }
    })
}

/// Java's `Long.parseLong`: an optional sign and ASCII digits, nothing else.
fn parse_java_long(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Java's `Double.parseDouble` for the forms people write: decimals, exponents, `NaN`,
/// `Infinity`, an optional `d`/`f` suffix, surrounding whitespace.
fn parse_java_double(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    match unsigned {
        "NaN" => return Some(f64::NAN),
        "Infinity" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        _ => {}
    }
    let body = text.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(text);
    let plausible = body
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if plausible { body.parse().ok() } else { None }
}

fn varchar_to_boolean(array: &StringArray, try_cast: bool) -> Result<BooleanArray, SqlError> {
    let mut out = Vec::with_capacity(array.len());
    for v in array.iter() {
        let parsed = v.map(|v| match v.to_ascii_lowercase().as_str() {
            "t" | "1" | "true" => Ok(true),
            "f" | "0" | "false" => Ok(false),
            _ => Err(SqlError::invalid_cast(format!(
                "Cannot cast '{v}' to BOOLEAN"
            ))),
        });
        match parsed {
            None => out.push(None),
            Some(Ok(b)) => out.push(Some(b)),
            Some(Err(_)) if try_cast => out.push(None),
            Some(Err(e)) => return Err(e),
        }
    }
    Ok(BooleanArray::from(out))
}

fn nonzero(array: &ArrayRef) -> BooleanArray {
    let as_f64 = arrow::compute::cast(array, &DataType::Float64).expect("numeric to double");
    let values = as_f64.as_primitive::<Float64Type>();
    values.iter().map(|v| v.map(|v| v != 0.0)).collect()
}

fn as_i64(array: &ArrayRef) -> PrimitiveArray<Int64Type> {
    let wide = arrow::compute::cast(array, &DataType::Int64).expect("integer to bigint");
    wide.as_primitive::<Int64Type>().clone()
}

fn integer_to_integer(
    array: &ArrayRef,
    to: &SqlType,
    try_cast: bool,
) -> Result<ArrayRef, SqlError> {
    let (min, max) = integer_range(to);
    let values = as_i64(array);
    let checked = convert::<Int64Type>(
        values.len(),
        |i| values.is_valid(i),
        try_cast,
        |i| {
            let v = values.value(i);
            if (min..=max).contains(&v) {
                Ok(v)
            } else {
                Err(SqlError::out_of_range(format!(
                    "Out of range for {to}: {v}"
                )))
            }
        },
    )?;
    Ok(integers_from_i64(checked, to))
}

/// Trino rounds half away from zero when casting `double` to an integer type.
fn float_to_integer(array: &ArrayRef, to: &SqlType, try_cast: bool) -> Result<ArrayRef, SqlError> {
    let (min, max) = integer_range(to);
    let wide = arrow::compute::cast(array, &DataType::Float64).expect("real to double");
    let values = wide.as_primitive::<Float64Type>();
    let checked = convert::<Int64Type>(
        values.len(),
        |i| values.is_valid(i),
        try_cast,
        |i| {
            let v = values.value(i);
            if v.is_nan() {
                return Err(match to {
                    SqlType::BigInt => SqlError::invalid_cast("Unable to cast NaN to bigint"),
                    _ => SqlError::invalid_cast(format!("Cannot cast double NaN to {to}")),
                });
            }
            let rounded = v.round();
            if rounded < min as f64 || rounded > max as f64 {
                return Err(match to {
                    SqlType::BigInt => SqlError::invalid_cast(format!(
                        "Unable to cast {} to bigint",
                        java_double(v)
                    )),
                    _ => {
                        SqlError::out_of_range(format!("Out of range for {to}: {}", java_double(v)))
                    }
                });
            }
            Ok(rounded as i64)
        },
    )?;
    Ok(integers_from_i64(checked, to))
}

fn to_decimal(
    array: &ArrayRef,
    from: &SqlType,
    precision: u8,
    scale: i8,
    try_cast: bool,
) -> Result<ArrayRef, SqlError> {
    let len = array.len();
    let valid = |i| array.is_valid(i);
    let too_big = |shown: String| {
        SqlError::invalid_cast(format!(
            "Cannot cast {} '{shown}' to DECIMAL({precision}, {scale})",
            from.to_string().to_ascii_uppercase()
        ))
    };
    let values = match from {
        SqlType::Decimal(_, from_scale) => {
            let input = array.as_primitive::<Decimal128Type>();
            let from_name = format!("DECIMAL({}, {})", input.precision(), input.scale());
            convert::<Decimal128Type>(len, valid, try_cast, |i| {
                let v = input.value(i);
                decimal::rescale(v, *from_scale, scale)
                    .filter(|r| !decimal::overflows(*r, precision))
                    .ok_or_else(|| {
                        SqlError::invalid_cast(format!(
                            "Cannot cast {from_name} '{}' to DECIMAL({precision}, {scale})",
                            decimal::format(v, *from_scale)
                        ))
                    })
            })?
        }
        ty if ty.is_integer() => {
            let input = as_i64(array);
            convert::<Decimal128Type>(len, valid, try_cast, |i| {
                let v = input.value(i);
                decimal::rescale(v as i128, 0, scale)
                    .filter(|r| !decimal::overflows(*r, precision))
                    .ok_or_else(|| too_big(v.to_string()))
            })?
        }
        _ => {
            let wide = arrow::compute::cast(array, &DataType::Float64).expect("real to double");
            let input = wide.as_primitive::<Float64Type>();
            // Trino goes through the double's shortest decimal text (`BigDecimal.valueOf`),
            // so 1.005 rounds to 1.01 although its binary value is a little less.
            convert::<Decimal128Type>(len, valid, try_cast, |i| {
                let v = input.value(i);
                Some(v)
                    .filter(|v| v.is_finite())
                    .and_then(|v| decimal::parse(&format!("{v:e}"), scale))
                    .filter(|r| !decimal::overflows(*r, precision))
                    .ok_or_else(|| too_big(java_double(v)))
            })?
        }
    };
    Ok(Arc::new(
        values
            .with_precision_and_scale(precision, scale)
            .expect("valid decimal type"),
    ))
}

fn decimal_to_integer(
    array: &ArrayRef,
    scale: i8,
    to: &SqlType,
    try_cast: bool,
) -> Result<ArrayRef, SqlError> {
    let (min, max) = integer_range(to);
    let input = array.as_primitive::<Decimal128Type>();
    let checked = convert::<Int64Type>(
        input.len(),
        |i| input.is_valid(i),
        try_cast,
        |i| {
            let rounded = decimal::rescale(input.value(i), scale, 0).unwrap_or(i128::MAX);
            if rounded < min as i128 || rounded > max as i128 {
                let name = to.to_string().to_ascii_uppercase();
                return Err(SqlError::invalid_cast(format!(
                    "Cannot cast '{rounded}' to {name}"
                )));
            }
            Ok(rounded as i64)
        },
    )?;
    Ok(integers_from_i64(checked, to))
}

/// Every value as text; an explicit `varchar(n)` target truncates, as Trino does.
fn to_varchar(array: &ArrayRef, limit: Option<u32>) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(array.len(), array.len() * 8);
    for i in 0..array.len() {
        match format_value(array.as_ref(), i) {
            None => builder.append_null(),
            Some(text) => match limit {
                Some(n) => builder.append_value(text.chars().take(n as usize).collect::<String>()),
                None => builder.append_value(text),
            },
        }
    }
    Arc::new(builder.finish())
}

/// The value at `row` as Trino prints it, or `None` for NULL.
pub(super) fn format_value(array: &dyn Array, row: usize) -> Option<String> {
    // A `NullArray` has no validity buffer: every slot is NULL without saying so.
    if array.is_null(row) || *array.data_type() == DataType::Null {
        return None;
    }
    Some(match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float32 => java_float(array.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => java_double(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => {
            let decimals: &Decimal128Array = array.as_primitive();
            decimal::format(decimals.value(row), *scale)
        }
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::Binary => hex_bytes(array.as_binary::<i32>().value(row)),
        DataType::Date32 => time::format_date(array.as_primitive::<Date32Type>().value(row)),
        DataType::Timestamp(TimeUnit::Millisecond, zone) => {
            let text =
                time::format_timestamp(array.as_primitive::<TimestampMillisecondType>().value(row));
            if zone.is_some() {
                format!("{text} {UTC}")
            } else {
                text
            }
        }
        DataType::Duration(TimeUnit::Millisecond) => {
            time::format_interval_ms(array.as_primitive::<DurationMillisecondType>().value(row))
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            time::format_interval_months(array.as_primitive::<IntervalYearMonthType>().value(row))
        }
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            let items: Vec<String> = (0..items.len())
                .map(|i| nested(items.as_ref(), i))
                .collect();
            format!("[{}]", items.join(", "))
        }
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let pairs: Vec<String> = (0..entries.len())
                .map(|i| {
                    format!(
                        "{}={}",
                        nested(keys.as_ref(), i),
                        nested(values.as_ref(), i)
                    )
                })
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        DataType::Struct(fields) => {
            let row_values = array.as_struct();
            let parts: Vec<String> = fields
                .iter()
                .zip(row_values.columns())
                .map(|(f, column)| format!("{}={}", f.name(), nested(column.as_ref(), row)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => format!("<{other}>"),
    })
}

fn nested(array: &dyn Array, row: usize) -> String {
    format_value(array, row).unwrap_or_else(|| "null".to_string())
}

fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Java's `Double.toString`, which Trino uses for `double` text: plain between 10^-3 and 10^7,
/// otherwise computerized scientific notation (`1.0E7`).
pub(super) fn java_double(x: f64) -> String {
    java_style(
        x.is_nan(),
        x.is_infinite(),
        x == 0.0,
        x.is_sign_negative(),
        x.abs(),
        || (format!("{x}"), format!("{x:e}")),
    )
}

/// Java's `Float.toString`, for `real`.
pub(super) fn java_float(x: f32) -> String {
    java_style(
        x.is_nan(),
        x.is_infinite(),
        x == 0.0,
        x.is_sign_negative(),
        x.abs() as f64,
        || (format!("{x}"), format!("{x:e}")),
    )
}

fn java_style(
    nan: bool,
    infinite: bool,
    zero: bool,
    negative: bool,
    magnitude: f64,
    shortest: impl Fn() -> (String, String),
) -> String {
    if nan {
        return "NaN".into();
    }
    let sign = if negative { "-" } else { "" };
    if infinite {
        return format!("{sign}Infinity");
    }
    if zero {
        return format!("{sign}0.0");
    }
    let (plain, scientific) = shortest();
    if (1e-3..1e7).contains(&magnitude) {
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::types::VARCHAR;

    fn strings(values: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    fn check(values: &[&str], to: SqlType, try_cast: bool, expect: &str) {
        let actual = match cast(&strings(values), &VARCHAR, &to, try_cast) {
            Ok(array) => (0..array.len())
                .map(|i| format_value(array.as_ref(), i).unwrap_or_else(|| "NULL".into()))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => e.to_string(),
        };
        assert_eq!(actual, expect, "{values:?} to {to}");
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestVarcharOperators.java
    // and TestIntegerOperators.java (testCastFromVarchar).
    #[test]
    fn casts_varchar_like_trino() {
        check(
            &["37", " -17 ", "+5"],
            SqlType::Integer,
            false,
            "37, -17, 5",
        );
        check(
            &["x"],
            SqlType::Integer,
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast 'x' to INT",
        );
        check(
            &["2147483648"],
            SqlType::Integer,
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast '2147483648' to INT",
        );
        check(&["x", "7"], SqlType::Integer, true, "NULL, 7");
        check(
            &["1.5"],
            SqlType::BigInt,
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast '1.5' to BIGINT",
        );
        check(
            &["1.5", " 2e3 ", "NaN"],
            SqlType::Double,
            false,
            "1.5, 2000.0, NaN",
        );
        check(
            &["nan"],
            SqlType::Double,
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast 'nan' to DOUBLE",
        );
        check(
            &["TRUE", "f", "1"],
            SqlType::Boolean,
            false,
            "true, false, true",
        );
        check(
            &["yes"],
            SqlType::Boolean,
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast 'yes' to BOOLEAN",
        );
        check(
            &["1.255", "-1.255"],
            SqlType::Decimal(4, 2),
            false,
            "1.26, -1.26",
        );
        check(
            &["123.4"],
            SqlType::Decimal(3, 1),
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR '123.4' to DECIMAL(3, 1). Value too large.",
        );
        check(
            &["abc"],
            SqlType::Decimal(3, 1),
            false,
            "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR 'abc' to DECIMAL(3, 1). Value is not a number.",
        );
        check(&["2022-06-12"], SqlType::Date, false, "2022-06-12");
        check(
            &["2022-06-12x"],
            SqlType::Date,
            false,
            "INVALID_CAST_ARGUMENT: Value cannot be cast to date: 2022-06-12x",
        );
        check(
            &["2022-06-12 00:05:00"],
            SqlType::Timestamp,
            false,
            "2022-06-12 00:05:00.000",
        );
        check(
            &["2022-06-12T00:05:00"],
            SqlType::Timestamp,
            false,
            "INVALID_CAST_ARGUMENT: Value cannot be cast to timestamp(3): 2022-06-12T00:05:00",
        );
        check(&["abcdef"], SqlType::Varchar(Some(3)), false, "abc");
    }

    fn cast_one(array: ArrayRef, from: SqlType, to: SqlType) -> String {
        match cast(&array, &from, &to, false) {
            Ok(a) => format_value(a.as_ref(), 0).unwrap_or_else(|| "NULL".into()),
            Err(e) => e.to_string(),
        }
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestDoubleOperators.java
    #[test]
    fn casts_numbers_like_trino() {
        let double = |v: f64| -> ArrayRef { Arc::new(arrow::array::Float64Array::from(vec![v])) };
        assert_eq!(
            cast_one(double(2.5), SqlType::Double, SqlType::Integer),
            "3"
        );
        assert_eq!(
            cast_one(double(-2.5), SqlType::Double, SqlType::Integer),
            "-3"
        );
        assert_eq!(
            cast_one(double(1e10), SqlType::Double, SqlType::Integer),
            "NUMERIC_VALUE_OUT_OF_RANGE: Out of range for integer: 1.0E10"
        );
        assert_eq!(
            cast_one(double(f64::NAN), SqlType::Double, SqlType::Integer),
            "INVALID_CAST_ARGUMENT: Cannot cast double NaN to integer"
        );
        assert_eq!(
            cast_one(double(f64::NAN), SqlType::Double, SqlType::BigInt),
            "INVALID_CAST_ARGUMENT: Unable to cast NaN to bigint"
        );
        assert_eq!(
            cast_one(double(1.005), SqlType::Double, SqlType::Decimal(3, 2)),
            "1.01"
        );
        assert_eq!(
            cast_one(double(0.0), SqlType::Double, SqlType::Boolean),
            "false"
        );
        let big: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![3_000_000_000i64]));
        assert_eq!(
            cast_one(big.clone(), SqlType::BigInt, SqlType::Integer),
            "NUMERIC_VALUE_OUT_OF_RANGE: Out of range for integer: 3000000000"
        );
        assert_eq!(
            cast_one(big.clone(), SqlType::BigInt, SqlType::Decimal(5, 0)),
            "INVALID_CAST_ARGUMENT: Cannot cast BIGINT '3000000000' to DECIMAL(5, 0)"
        );
        assert_eq!(cast_one(big, SqlType::BigInt, SqlType::Double), "3.0E9");
        let dec: ArrayRef = Arc::new(
            Decimal128Array::from(vec![12345i128])
                .with_precision_and_scale(5, 2)
                .unwrap(),
        );
        assert_eq!(
            cast_one(dec.clone(), SqlType::Decimal(5, 2), SqlType::Integer),
            "123"
        );
        assert_eq!(
            cast_one(dec.clone(), SqlType::Decimal(5, 2), SqlType::Decimal(4, 1)),
            "123.5"
        );
        assert_eq!(
            cast_one(dec.clone(), SqlType::Decimal(5, 2), SqlType::Decimal(3, 1)),
            "INVALID_CAST_ARGUMENT: Cannot cast DECIMAL(5, 2) '123.45' to DECIMAL(3, 1)"
        );
        assert_eq!(
            cast_one(dec, SqlType::Decimal(5, 2), SqlType::Varchar(None)),
            "123.45"
        );
    }

    // Ported from the JDK's Double.toString contract, which Trino's double-to-varchar cast uses.
    #[test]
    fn prints_doubles_like_java() {
        let cases = [
            (1.5, "1.5"),
            (2.0, "2.0"),
            (1e7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (-1.25e-5, "-1.25E-5"),
            (123456789.123, "1.23456789123E8"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "Infinity"),
            (-0.0, "-0.0"),
        ];
        for (value, expect) in cases {
            assert_eq!(java_double(value), expect);
        }
        assert_eq!(java_float(1.1f32), "1.1");
        assert_eq!(java_float(3e10f32), "3.0E10");
    }

    #[test]
    fn knows_which_casts_exist() {
        assert!(can_cast(&VARCHAR, &SqlType::Date));
        assert!(can_cast(&SqlType::Double, &SqlType::Varchar(None)));
        assert!(can_cast(&SqlType::Boolean, &SqlType::Integer));
        assert!(!can_cast(&SqlType::Boolean, &SqlType::Date));
        assert!(!can_cast(&SqlType::Date, &SqlType::Integer));
    }
}
