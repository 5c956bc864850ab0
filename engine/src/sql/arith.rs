//! Arithmetic with Trino's result types and failures: checked integer math
//! (`integer addition overflow: 2147483647 + 1`), truncating division, `Division by zero`,
//! exact decimals, IEEE doubles, and date-time ± interval.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float32Array, Float64Array, Int64Array,
    PrimitiveArray,
};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, DurationMillisecondType, Float32Type, Float64Type,
    Int64Type, IntervalYearMonthType, TimestampMillisecondType,
};

use super::decimal;
use super::error::SqlError;
use super::expr::{ArithOp, Value};
use super::time::{self, MS_PER_DAY};
use super::types::{SqlType, UTC, common_super_type};

/// The operand and result types of `left op right`, as Trino resolves the operator; `None`
/// when Trino has no such operator (`varchar + integer`).
pub(super) fn resolve(
    op: ArithOp,
    left: &SqlType,
    right: &SqlType,
) -> Option<(SqlType, SqlType, SqlType)> {
    use SqlType::*;
    if let Some(temporal) = resolve_temporal(op, left, right) {
        return Some(temporal);
    }
    let (left, right) = match (left, right) {
        (Unknown, Unknown) => (&Integer, &Integer),
        (Unknown, other) | (other, Unknown) => (other, other),
        pair => pair,
    };
    if !left.is_numeric() || !right.is_numeric() {
        return None;
    }
    let common = common_super_type(left, right)?;
    if let Decimal(..) = common {
        let (a, b) = (as_decimal(left)?, as_decimal(right)?);
        return Some((
            Decimal(a.0, a.1),
            Decimal(b.0, b.1),
            decimal_result(op, a, b),
        ));
    }
    Some((common.clone(), common.clone(), common))
}

/// The decimal type an integer or decimal operand takes part in decimal arithmetic as.
fn as_decimal(ty: &SqlType) -> Option<(u8, i8)> {
    match ty {
        SqlType::Decimal(p, s) => Some((*p, *s)),
        SqlType::TinyInt => Some((3, 0)),
        SqlType::SmallInt => Some((5, 0)),
        SqlType::Integer => Some((10, 0)),
        SqlType::BigInt => Some((19, 0)),
        _ => None,
    }
}

/// Trino's decimal result types (`DecimalOperators`).
fn decimal_result(op: ArithOp, (p1, s1): (u8, i8), (p2, s2): (u8, i8)) -> SqlType {
    let (p1, s1, p2, s2) = (p1 as i32, s1 as i32, p2 as i32, s2 as i32);
    let (precision, scale) = match op {
        ArithOp::Add | ArithOp::Subtract => (1 + s1.max(s2) + (p1 - s1).max(p2 - s2), s1.max(s2)),
        ArithOp::Multiply => (p1 + p2, s1 + s2),
        ArithOp::Divide => (p1 + s2 + (s2 - s1).max(0), s1.max(s2)),
        ArithOp::Modulus => ((p2 - s2).min(p1 - s1) + s1.max(s2), s1.max(s2)),
    };
    SqlType::Decimal(precision.clamp(1, 38) as u8, scale as i8)
}

fn resolve_temporal(
    op: ArithOp,
    left: &SqlType,
    right: &SqlType,
) -> Option<(SqlType, SqlType, SqlType)> {
    use SqlType::*;
    let interval = |t: &SqlType| matches!(t, IntervalDayTime | IntervalYearMonth);
    let result = match (op, left, right) {
        (ArithOp::Add | ArithOp::Subtract, Date | Timestamp | TimestampTz, i) if interval(i) => {
            left.clone()
        }
        (ArithOp::Add, i, Date | Timestamp | TimestampTz) if interval(i) => right.clone(),
        (ArithOp::Add | ArithOp::Subtract, a, b) if interval(a) && a == b => a.clone(),
        (ArithOp::Subtract, Timestamp | TimestampTz, Timestamp | TimestampTz) => {
            let common = common_super_type(left, right)?;
            return Some((common.clone(), common, IntervalDayTime));
        }
        _ => return None,
    };
    Some((left.clone(), right.clone(), result))
}

/// Evaluates `left op right`; operands already have the types `resolve` chose.
pub(super) fn eval(
    op: ArithOp,
    left: Value,
    right: Value,
    result: &SqlType,
    rows: usize,
) -> Result<Value, SqlError> {
    let scalar = left.is_scalar() && right.is_scalar();
    let n = if scalar { 1 } else { rows };
    let (l, r) = (broadcast(left, n), broadcast(right, n));
    let array = match (l.data_type(), r.data_type()) {
        (DataType::Date32 | DataType::Timestamp(..), _)
        | (_, DataType::Date32 | DataType::Timestamp(..)) => temporal(op, &l, &r, result)?,
        (DataType::Duration(_), _) | (DataType::Interval(_), _) => interval_op(op, &l, &r)?,
        (DataType::Float64, _) => float64(op, &l, &r),
        (DataType::Float32, _) => float32(op, &l, &r),
        (DataType::Decimal128(_, s1), DataType::Decimal128(_, s2)) => {
            decimal_op(op, &l, *s1, &r, *s2, result)?
        }
        _ => integer(op, &l, &r, result)?,
    };
    Ok(Value::from_result(array, scalar))
}

fn broadcast(value: Value, rows: usize) -> ArrayRef {
    match value {
        Value::Scalar(s) if rows == 1 => s,
        other => other.into_array(rows),
    }
}

fn float64(op: ArithOp, l: &ArrayRef, r: &ArrayRef) -> ArrayRef {
    let (l, r): (&Float64Array, &Float64Array) = (l.as_primitive(), r.as_primitive());
    let f = float_fn::<f64>(op);
    Arc::new(arrow::compute::binary::<_, _, _, Float64Type>(l, r, f).expect("same length"))
}

fn float32(op: ArithOp, l: &ArrayRef, r: &ArrayRef) -> ArrayRef {
    let (l, r): (&Float32Array, &Float32Array) = (l.as_primitive(), r.as_primitive());
    let f = float_fn::<f32>(op);
    Arc::new(arrow::compute::binary::<_, _, _, Float32Type>(l, r, f).expect("same length"))
}

/// IEEE arithmetic: dividing a double by zero gives Infinity or NaN, as in Trino.
fn float_fn<
    T: std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + std::ops::Rem<Output = T>,
>(
    op: ArithOp,
) -> fn(T, T) -> T {
    match op {
        ArithOp::Add => |a, b| a + b,
        ArithOp::Subtract => |a, b| a - b,
        ArithOp::Multiply => |a, b| a * b,
        ArithOp::Divide => |a, b| a / b,
        ArithOp::Modulus => |a, b| a % b,
    }
}

/// Checked integer arithmetic in the result type's range; division truncates toward zero.
fn integer(
    op: ArithOp,
    l: &ArrayRef,
    r: &ArrayRef,
    result: &SqlType,
) -> Result<ArrayRef, SqlError> {
    let wide = |a: &ArrayRef| arrow::compute::cast(a, &DataType::Int64).expect("integer to bigint");
    let (lw, rw) = (wide(l), wide(r));
    let (l64, r64) = (
        lw.as_primitive::<Int64Type>(),
        rw.as_primitive::<Int64Type>(),
    );
    let (min, max) = match result {
        SqlType::TinyInt => (i8::MIN as i64, i8::MAX as i64),
        SqlType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
        SqlType::Integer => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let overflow = |a: i64, b: i64| {
        SqlError::out_of_range(format!(
            "{result} {} overflow: {a} {} {b}",
            op.noun(),
            op.symbol()
        ))
    };
    let mut out = Vec::with_capacity(l64.len());
    for i in 0..l64.len() {
        if l64.is_null(i) || r64.is_null(i) {
            out.push(None);
            continue;
        }
        let (a, b) = (l64.value(i), r64.value(i));
        let value = match op {
            ArithOp::Add => a.checked_add(b),
            ArithOp::Subtract => a.checked_sub(b),
            ArithOp::Multiply => a.checked_mul(b),
            ArithOp::Divide | ArithOp::Modulus if b == 0 => {
                return Err(SqlError::division_by_zero());
            }
            ArithOp::Divide => a.checked_div(b),
            ArithOp::Modulus => Some(a.checked_rem(b).unwrap_or(0)),
        };
        out.push(Some(
            value
                .filter(|v| (min..=max).contains(v))
                .ok_or_else(|| overflow(a, b))?,
        ));
    }
    let out = Int64Array::from(out);
    Ok(arrow::compute::cast(&out, &result.to_arrow()).expect("range-checked integers"))
}

fn decimal_op(
    op: ArithOp,
    l: &ArrayRef,
    s1: i8,
    r: &ArrayRef,
    s2: i8,
    result: &SqlType,
) -> Result<ArrayRef, SqlError> {
    let SqlType::Decimal(precision, scale) = *result else {
        unreachable!("decimal arithmetic returns decimals")
    };
    let (l, r): (&Decimal128Array, &Decimal128Array) = (l.as_primitive(), r.as_primitive());
    let overflow = || SqlError::out_of_range("Decimal overflow");
    let mut out = Vec::with_capacity(l.len());
    for i in 0..l.len() {
        if l.is_null(i) || r.is_null(i) {
            out.push(None);
            continue;
        }
        let (a, b) = (l.value(i), r.value(i));
        let value = match op {
            ArithOp::Add => decimal::rescale(a, s1, scale)
                .zip(decimal::rescale(b, s2, scale))
                .and_then(|(a, b)| a.checked_add(b)),
            ArithOp::Subtract => decimal::rescale(a, s1, scale)
                .zip(decimal::rescale(b, s2, scale))
                .and_then(|(a, b)| a.checked_sub(b)),
            ArithOp::Multiply => a.checked_mul(b),
            _ if b == 0 => return Err(SqlError::division_by_zero()),
            ArithOp::Divide => {
                decimal::rescale(a, s1, scale + s2).and_then(|a| decimal::div_half_up(a, b))
            }
            ArithOp::Modulus => decimal::rescale(a, s1, scale)
                .zip(decimal::rescale(b, s2, scale))
                .map(|(a, b)| a % b),
        };
        let value = value
            .filter(|v| !decimal::overflows(*v, precision))
            .ok_or_else(overflow)?;
        out.push(Some(value));
    }
    let out = PrimitiveArray::<Decimal128Type>::from(out);
    Ok(Arc::new(
        out.with_precision_and_scale(precision, scale)
            .expect("valid decimal type"),
    ))
}

/// Milliseconds of a date, timestamp or day-time interval; months of a year-month interval.
fn units(a: &ArrayRef) -> PrimitiveArray<Int64Type> {
    match a.data_type() {
        DataType::Date32 => a
            .as_primitive::<Date32Type>()
            .unary(|d| d as i64 * MS_PER_DAY),
        DataType::Timestamp(..) => a
            .as_primitive::<TimestampMillisecondType>()
            .reinterpret_cast(),
        DataType::Duration(_) => a
            .as_primitive::<DurationMillisecondType>()
            .reinterpret_cast(),
        _ => a
            .as_primitive::<IntervalYearMonthType>()
            .unary(|m| m as i64),
    }
}

fn temporal(
    op: ArithOp,
    l: &ArrayRef,
    r: &ArrayRef,
    result: &SqlType,
) -> Result<ArrayRef, SqlError> {
    let is_interval =
        |a: &ArrayRef| matches!(a.data_type(), DataType::Duration(_) | DataType::Interval(_));
    let (point, delta) = match (is_interval(l), is_interval(r)) {
        (true, _) => (r, l),
        (_, true) => (l, r),
        _ => return Ok(timestamp_difference(l, r)),
    };
    let months = matches!(delta.data_type(), DataType::Interval(_));
    let (at, by) = (units(point), units(delta));
    let is_date = *result == SqlType::Date;
    let sign = if op == ArithOp::Subtract { -1 } else { 1 };
    let mut out = Vec::with_capacity(at.len());
    for i in 0..at.len() {
        if at.is_null(i) || by.is_null(i) {
            out.push(None);
            continue;
        }
        let (start, amount) = (at.value(i), sign * by.value(i));
        if is_date && !months && amount % MS_PER_DAY != 0 {
            return Err(SqlError::invalid_argument(
                "Cannot add hour, minutes or seconds to a date",
            ));
        }
        let shifted = if months {
            time::add_months_to_ms(start, amount)
        } else {
            start.checked_add(amount)
        };
        out.push(Some(shifted.ok_or_else(|| {
            SqlError::out_of_range("timestamp out of range")
        })?));
    }
    let ms = PrimitiveArray::<TimestampMillisecondType>::from(out);
    Ok(match result {
        SqlType::Date => Arc::new(ms.unary::<_, Date32Type>(|m| m.div_euclid(MS_PER_DAY) as i32)),
        SqlType::TimestampTz => Arc::new(ms.with_timezone(UTC)),
        _ => Arc::new(ms),
    })
}

/// `timestamp - timestamp`: an `interval day to second`.
fn timestamp_difference(l: &ArrayRef, r: &ArrayRef) -> ArrayRef {
    let (a, b) = (units(l), units(r));
    let diff: PrimitiveArray<DurationMillisecondType> =
        arrow::compute::binary(&a, &b, |a: i64, b: i64| a.wrapping_sub(b)).expect("same length");
    Arc::new(diff)
}

fn interval_op(op: ArithOp, l: &ArrayRef, r: &ArrayRef) -> Result<ArrayRef, SqlError> {
    let (a, b) = (units(l), units(r));
    let sum: Int64Array = arrow::compute::binary(&a, &b, |a: i64, b: i64| match op {
        ArithOp::Subtract => a.wrapping_sub(b),
        _ => a.wrapping_add(b),
    })
    .expect("same length");
    Ok(match l.data_type() {
        DataType::Duration(_) => Arc::new(sum.reinterpret_cast::<DurationMillisecondType>()),
        _ => Arc::new(sum.unary::<_, IntervalYearMonthType>(|m| m as i32)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::cast::format_value;

    fn ints(values: &[i32]) -> Value {
        Value::Array(Arc::new(arrow::array::Int32Array::from(values.to_vec())))
    }

    fn run(op: ArithOp, l: Value, r: Value, ty: SqlType) -> String {
        match eval(op, l, r, &ty, 2) {
            Ok(v) => {
                let a = v.into_array(2);
                (0..a.len())
                    .map(|i| format_value(a.as_ref(), i).unwrap_or("NULL".into()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            Err(e) => e.to_string(),
        }
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestIntegerOperators.java
    #[test]
    fn integer_arithmetic_is_checked_and_truncates() {
        assert_eq!(
            run(
                ArithOp::Divide,
                ints(&[7, -7]),
                ints(&[2, 2]),
                SqlType::Integer
            ),
            "3, -3"
        );
        assert_eq!(
            run(
                ArithOp::Modulus,
                ints(&[7, -7]),
                ints(&[3, 3]),
                SqlType::Integer
            ),
            "1, -1"
        );
        assert_eq!(
            run(
                ArithOp::Divide,
                ints(&[7, 1]),
                ints(&[0, 1]),
                SqlType::Integer
            ),
            "DIVISION_BY_ZERO: Division by zero"
        );
        assert_eq!(
            run(
                ArithOp::Add,
                ints(&[i32::MAX, 0]),
                ints(&[1, 0]),
                SqlType::Integer
            ),
            "NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow: 2147483647 + 1"
        );
        assert_eq!(
            run(
                ArithOp::Multiply,
                ints(&[i32::MAX, 0]),
                ints(&[2, 0]),
                SqlType::Integer
            ),
            "NUMERIC_VALUE_OUT_OF_RANGE: integer multiplication overflow: 2147483647 * 2"
        );
    }

    #[test]
    fn resolves_trino_result_types() {
        let check = |op, l: SqlType, r: SqlType, expect: &str| {
            let actual = resolve(op, &l, &r).map_or("none".into(), |(_, _, t)| t.to_string());
            assert_eq!(actual, expect, "{l} {} {r}", op.symbol());
        };
        check(ArithOp::Add, SqlType::Integer, SqlType::BigInt, "bigint");
        check(ArithOp::Divide, SqlType::Integer, SqlType::Double, "double");
        check(
            ArithOp::Add,
            SqlType::Decimal(2, 1),
            SqlType::Decimal(3, 2),
            "decimal(4,2)",
        );
        check(
            ArithOp::Multiply,
            SqlType::Integer,
            SqlType::Decimal(2, 1),
            "decimal(12,1)",
        );
        check(
            ArithOp::Divide,
            SqlType::Decimal(3, 1),
            SqlType::Decimal(2, 1),
            "decimal(4,1)",
        );
        check(
            ArithOp::Add,
            SqlType::Timestamp,
            SqlType::IntervalDayTime,
            "timestamp(3)",
        );
        check(
            ArithOp::Subtract,
            SqlType::Timestamp,
            SqlType::Timestamp,
            "interval day to second",
        );
        check(
            ArithOp::Add,
            SqlType::Varchar(None),
            SqlType::Integer,
            "none",
        );
        check(ArithOp::Add, SqlType::Date, SqlType::Integer, "none");
    }

    proptest::proptest! {
        // Trino's integer division and modulus truncate toward zero, as Rust's do.
        #[test]
        fn integer_division_truncates_like_rust(a in proptest::num::i32::ANY, b in proptest::num::i32::ANY) {
            proptest::prop_assume!(b != 0 && !(a == i32::MIN && b == -1));
            let quotient = run(ArithOp::Divide, ints(&[a, a]), ints(&[b, b]), SqlType::Integer);
            proptest::prop_assert_eq!(quotient, format!("{}, {}", a / b, a / b));
            let remainder = run(ArithOp::Modulus, ints(&[a, a]), ints(&[b, b]), SqlType::Integer);
            proptest::prop_assert_eq!(remainder, format!("{}, {}", a % b, a % b));
        }
    }
}
