//! Numeric functions (`abs`, `round`, `floor`, `ceil`, `power`, `ln`, …) with Trino's result
//! types and rounding (half away from zero), and the value pickers `coalesce`, `nullif`,
//! `greatest` and `least`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, PrimitiveArray};
use arrow::compute::kernels::cmp;
use arrow::compute::kernels::zip::zip;
use arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};

use super::{Call, Func, Resolution};
use crate::sql::decimal;
use crate::sql::error::{ErrorCode, SqlError};
use crate::sql::expr::Expr;
use crate::sql::types::SqlType;

pub(super) fn bind(call: Call) -> Resolution {
    let result = match call.name.as_str() {
        "abs" => same_numeric(call, Func::Abs),
        "sign" => same_numeric(call, Func::Sign),
        "round" => round(call),
        "floor" => to_integral(call, Func::Floor),
        "ceil" | "ceiling" => to_integral(call, Func::Ceil),
        "truncate" => to_integral(call, Func::Truncate),
        "power" | "pow" => doubles(call, Func::Power, 2),
        "sqrt" => doubles(call, Func::Sqrt, 1),
        "cbrt" => doubles(call, Func::Cbrt, 1),
        "exp" => doubles(call, Func::Exp, 1),
        "ln" => doubles(call, Func::Ln, 1),
        "log10" => doubles(call, Func::Log10, 1),
        "log2" => doubles(call, Func::Log2, 1),
        "is_nan" => match call.types().as_slice() {
            [t] if t.is_numeric() || **t == SqlType::Unknown => {
                call.with_args(Func::IsNan, &[SqlType::Double], SqlType::Boolean)
            }
            _ => Err(call.unexpected()),
        },
        _ => return Resolution::Unknown(call),
    };
    Resolution::Bound(result)
}

fn numeric_arg(call: &Call) -> Option<SqlType> {
    match call.types().as_slice() {
        [SqlType::Unknown] => Some(SqlType::Double),
        [t] if t.is_numeric() => Some((*t).clone()),
        _ => None,
    }
}

fn same_numeric(call: Call, func: Func) -> Result<Expr, SqlError> {
    let ty = numeric_arg(&call).ok_or_else(|| call.unexpected())?;
    let result = match (&ty, func) {
        (SqlType::Decimal(..), Func::Sign) => SqlType::Decimal(1, 0),
        _ => ty.clone(),
    };
    call.with_args(func, &[ty], result)
}

/// The type of `floor`, `ceil` and `round` without digits: decimals lose their scale.
fn integral_type(ty: &SqlType) -> SqlType {
    match ty {
        SqlType::Decimal(p, s) => {
            let precision = (*p as i16 - *s as i16 + (*s).min(1) as i16).max(1) as u8;
            SqlType::Decimal(precision, 0)
        }
        other => other.clone(),
    }
}

fn to_integral(call: Call, func: Func) -> Result<Expr, SqlError> {
    let ty = numeric_arg(&call).ok_or_else(|| call.unexpected())?;
    call.with_args(func, std::slice::from_ref(&ty), integral_type(&ty))
}

fn round(call: Call) -> Result<Expr, SqlError> {
    let types = call.types();
    let (value, digits) = match types.as_slice() {
        [v] => ((*v).clone(), None),
        [v, d] if d.is_integer() || **d == SqlType::Unknown => ((*v).clone(), Some(())),
        _ => return Err(call.unexpected()),
    };
    let value = match value {
        SqlType::Unknown => SqlType::Double,
        v if v.is_numeric() => v,
        _ => return Err(call.unexpected()),
    };
    match digits {
        None => call.with_args(
            Func::Round,
            std::slice::from_ref(&value),
            integral_type(&value),
        ),
        Some(()) => {
            let result = match &value {
                SqlType::Decimal(p, s) => SqlType::Decimal((p + 1).min(decimal::MAX_PRECISION), *s),
                other => other.clone(),
            };
            call.with_args(Func::RoundTo, &[value, SqlType::BigInt], result)
        }
    }
}

fn doubles(call: Call, func: Func, arity: usize) -> Result<Expr, SqlError> {
    let numeric = call
        .types()
        .iter()
        .all(|t| t.is_numeric() || **t == SqlType::Unknown);
    if call.args.len() != arity || !numeric {
        return Err(call.unexpected());
    }
    call.with_args(func, &vec![SqlType::Double; arity], SqlType::Double)
}

pub(super) fn eval(
    func: Func,
    args: &[ArrayRef],
    ty: &SqlType,
) -> Option<Result<ArrayRef, SqlError>> {
    Some(match func {
        Func::Abs | Func::Sign | Func::Round | Func::Floor | Func::Ceil | Func::Truncate => {
            integral_op(func, &args[0], ty, None)
        }
        Func::RoundTo => integral_op(
            func,
            &args[0],
            ty,
            Some(args[1].as_primitive::<Int64Type>()),
        ),
        Func::Power => Ok(float_binary(&args[0], &args[1], f64::powf)),
        Func::Sqrt => Ok(float_unary(&args[0], f64::sqrt)),
        Func::Cbrt => Ok(float_unary(&args[0], f64::cbrt)),
        Func::Exp => Ok(float_unary(&args[0], f64::exp)),
        Func::Ln => Ok(float_unary(&args[0], f64::ln)),
        Func::Log10 => Ok(float_unary(&args[0], f64::log10)),
        Func::Log2 => Ok(float_unary(&args[0], f64::log2)),
        Func::IsNan => {
            let values = args[0].as_primitive::<Float64Type>();
            Ok(Arc::new(
                values
                    .iter()
                    .map(|v| v.map(f64::is_nan))
                    .collect::<BooleanArray>(),
            ))
        }
        Func::Coalesce => coalesce(args),
        Func::Nullif => {
            let equal = cmp::eq(&args[0], &args[1]).expect("same types");
            let equal = crate::sql::eval::nulls_false(&equal);
            Ok(arrow::compute::nullif(&args[0], &equal).expect("same length"))
        }
        Func::Greatest | Func::Least => pick(func, args),
        _ => return None,
    })
}

fn float_unary(a: &ArrayRef, f: fn(f64) -> f64) -> ArrayRef {
    let values: &Float64Array = a.as_primitive();
    Arc::new(values.unary::<_, Float64Type>(f))
}

fn float_binary(a: &ArrayRef, b: &ArrayRef, f: fn(f64, f64) -> f64) -> ArrayRef {
    let (a, b): (&Float64Array, &Float64Array) = (a.as_primitive(), b.as_primitive());
    Arc::new(arrow::compute::binary::<_, _, _, Float64Type>(a, b, f).expect("same length"))
}

/// Rounds `x` to `digits` decimals half away from zero, as Trino's `round(double, integer)`.
fn round_double(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let factor = 10f64.powi(digits.clamp(-330, 330) as i32);
    let rounded = (x.abs() * factor).round() / factor;
    if rounded.is_finite() {
        rounded.copysign(x)
    } else {
        x
    }
}

/// abs, sign, round, floor, ceil and truncate, for every numeric type.
fn integral_op(
    func: Func,
    values: &ArrayRef,
    ty: &SqlType,
    digits: Option<&PrimitiveArray<Int64Type>>,
) -> Result<ArrayRef, SqlError> {
    let digit = |i: usize| digits.map_or(0, |d| d.value(i));
    match values.data_type() {
        DataType::Float32 | DataType::Float64 => {
            let wide = arrow::compute::cast(values, &DataType::Float64).expect("real to double");
            let wide: &Float64Array = wide.as_primitive();
            let out: Float64Array = (0..wide.len())
                .map(|i| {
                    wide.is_valid(i)
                        .then(|| float_op(func, wide.value(i), digit(i)))
                })
                .collect();
            Ok(arrow::compute::cast(&out, values.data_type()).expect("double to real"))
        }
        DataType::Decimal128(_, scale) => {
            decimal_op(func, values.as_primitive(), *scale, ty, digit)
        }
        _ => {
            let wide = arrow::compute::cast(values, &DataType::Int64).expect("integer to bigint");
            let wide = wide.as_primitive::<Int64Type>();
            let mut out = Vec::with_capacity(wide.len());
            for i in 0..wide.len() {
                out.push(match wide.is_valid(i) {
                    true => Some(integer_op(func, wide.value(i), digit(i), ty)?),
                    false => None,
                });
            }
            let out = PrimitiveArray::<Int64Type>::from(out);
            Ok(arrow::compute::cast(&out, values.data_type()).expect("range-checked integers"))
        }
    }
}

fn float_op(func: Func, x: f64, digits: i64) -> f64 {
    match func {
        Func::Abs => x.abs(),
        Func::Sign if x.is_nan() => x,
        Func::Sign => x.signum() * f64::from(x != 0.0),
        Func::Round => round_double(x, 0),
        Func::RoundTo => round_double(x, digits),
        Func::Floor => x.floor(),
        Func::Ceil => x.ceil(),
        _ => x.trunc(),
    }
}

fn integer_op(func: Func, x: i64, digits: i64, ty: &SqlType) -> Result<i64, SqlError> {
    let (min, max) = match ty {
        SqlType::TinyInt => (i8::MIN as i64, i8::MAX as i64),
        SqlType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
        SqlType::Integer => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let result = match func {
        Func::Abs => x.checked_abs().filter(|v| *v <= max).ok_or_else(|| {
            SqlError::out_of_range(format!("Value {x} is out of range for abs({ty})"))
        })?,
        Func::Sign => x.signum(),
        Func::RoundTo if digits < 0 => {
            let unit = 10i128.checked_pow((-digits) as u32).unwrap_or(i128::MAX);
            let rounded = decimal::div_half_up(x as i128, unit).unwrap_or(0) * unit;
            i64::try_from(rounded)
                .ok()
                .filter(|v| (min..=max).contains(v))
                .ok_or_else(|| {
                    SqlError::out_of_range(format!(
                        "Value {x} is out of range for round({ty}, {digits})"
                    ))
                })?
        }
        _ => x,
    };
    Ok(result)
}

fn decimal_op(
    func: Func,
    values: &PrimitiveArray<Decimal128Type>,
    scale: i8,
    ty: &SqlType,
    digit: impl Fn(usize) -> i64,
) -> Result<ArrayRef, SqlError> {
    let SqlType::Decimal(precision, result_scale) = ty else {
        unreachable!("decimal functions return decimals")
    };
    let unit = decimal::pow10(scale.max(0) as u32);
    let out: PrimitiveArray<Decimal128Type> = (0..values.len())
        .map(|i| {
            values.is_valid(i).then(|| {
                let v = values.value(i);
                match func {
                    Func::Abs => v.abs(),
                    Func::Sign => v.signum(),
                    Func::Round => decimal::div_half_up(v, unit).unwrap_or(0),
                    Func::Floor => v.div_euclid(unit),
                    Func::Ceil => -(-v).div_euclid(unit),
                    Func::Truncate => v / unit,
                    _ => round_decimal_to(v, scale, digit(i)),
                }
            })
        })
        .collect();
    if out
        .iter()
        .flatten()
        .any(|v| decimal::overflows(v, *precision))
    {
        return Err(SqlError::out_of_range("Decimal overflow"));
    }
    Ok(Arc::new(
        out.with_precision_and_scale(*precision, *result_scale)
            .expect("valid decimal type"),
    ))
}

/// Rounds the unscaled `value` (scale `scale`) at `digits` decimals, keeping its scale.
fn round_decimal_to(value: i128, scale: i8, digits: i64) -> i128 {
    let dropped = scale as i64 - digits;
    if dropped <= 0 {
        return value;
    }
    match u32::try_from(dropped).ok().filter(|d| *d <= 38) {
        Some(d) => decimal::div_half_up(value, decimal::pow10(d)).unwrap_or(0) * decimal::pow10(d),
        None => 0,
    }
}

/// The first non-NULL argument, row by row.
fn coalesce(args: &[ArrayRef]) -> Result<ArrayRef, SqlError> {
    let mut result = args[args.len() - 1].clone();
    for candidate in args[..args.len() - 1].iter().rev() {
        let present = arrow::compute::is_not_null(candidate).expect("any array");
        result = zip(&present, candidate, &result).expect("same types");
    }
    Ok(result)
}

/// `greatest` / `least`: NULL if any argument is NULL, as in Trino.
fn pick(func: Func, args: &[ArrayRef]) -> Result<ArrayRef, SqlError> {
    let mut best = args[0].clone();
    for candidate in &args[1..] {
        let better = match func {
            Func::Greatest => cmp::gt(candidate, &best),
            _ => cmp::lt(candidate, &best),
        }
        .map_err(|e| SqlError::new(ErrorCode::NotSupported, None, e.to_string()))?;
        let better = crate::sql::eval::nulls_false(&better);
        let chosen = zip(&better, candidate, &best).expect("same types");
        let any_null = arrow::compute::or(
            &arrow::compute::is_null(candidate).expect("any array"),
            &arrow::compute::is_null(&best).expect("any array"),
        )
        .expect("same length");
        best = arrow::compute::nullif(&chosen, &any_null).expect("same length");
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestMathFunctions.java (testRound)
    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_double(2.5, 0), 3.0);
        assert_eq!(round_double(-2.5, 0), -3.0);
        assert_eq!(round_double(3.49, 0), 3.0);
        assert_eq!(round_double(3.5001, 1), 3.5);
        assert_eq!(round_double(-3.5001, 1), -3.5);
        assert_eq!(round_double(1234.0, -2), 1200.0);
        assert!(round_double(f64::NAN, 0).is_nan());
        assert_eq!(round_decimal_to(3449, 3, 1), 3400);
        assert_eq!(round_decimal_to(3450, 3, 1), 3500);
        assert_eq!(round_decimal_to(-12345678, 4, -2), -12000000);
        assert_eq!(round_decimal_to(17, 1, -1), 0);
        assert_eq!(round_decimal_to(71, 1, -1), 100);
        assert_eq!(
            integer_op(Func::RoundTo, 1254, -2, &SqlType::Integer).unwrap(),
            1300
        );
        assert_eq!(
            integer_op(Func::Abs, i8::MIN as i64, 0, &SqlType::TinyInt)
                .unwrap_err()
                .to_string(),
            "NUMERIC_VALUE_OUT_OF_RANGE: Value -128 is out of range for abs(tinyint)"
        );
    }

    #[test]
    fn decimal_results_lose_their_scale() {
        assert_eq!(
            integral_type(&SqlType::Decimal(3, 2)),
            SqlType::Decimal(2, 0)
        );
        assert_eq!(
            integral_type(&SqlType::Decimal(5, 1)),
            SqlType::Decimal(5, 0)
        );
        assert_eq!(
            integral_type(&SqlType::Decimal(4, 0)),
            SqlType::Decimal(4, 0)
        );
    }
}
