//! Scalar functions: resolving a call by name and argument types as Trino does (with its
//! implicit coercions and its `Unexpected parameters` message), and evaluating it on arrays.

mod datetime;
mod format;
mod math;
mod string;

use arrow::array::ArrayRef;

use super::error::{ErrorCode, Pos, SqlError};
use super::expr::{Expr, ExprKind, Value, coerce};
use super::types::{SqlType, VARCHAR, common_super_type};

pub(super) use datetime::TimeUnitField;

/// A scalar function, after overload resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Func {
    Lower,
    Upper,
    Length,
    Substr,
    Trim,
    Ltrim,
    Rtrim,
    Replace,
    SplitPart,
    Strpos,
    Concat,
    Reverse,
    Lpad,
    Rpad,
    StartsWith,
    Chr,
    Codepoint,
    RegexpLike,
    RegexpExtract,
    RegexpReplace,
    Abs,
    Round,
    RoundTo,
    Floor,
    Ceil,
    Truncate,
    Power,
    Sqrt,
    Cbrt,
    Exp,
    Ln,
    Log10,
    Log2,
    Sign,
    IsNan,
    Greatest,
    Least,
    Coalesce,
    Nullif,
    FromIso8601Timestamp,
    FromIso8601Date,
    ToIso8601,
    DateParse,
    DateFormat,
    FormatDatetime,
    ParseDatetime,
    DateTrunc,
    DateAdd,
    DateDiff,
    ToUnixtime,
    FromUnixtime,
    Field(TimeUnitField),
    LastDayOfMonth,
}

/// A call site: the name as written, the bound arguments and where the call starts.
pub(super) struct Call {
    pub name: String,
    pub args: Vec<Expr>,
    pub pos: Option<Pos>,
}

impl Call {
    fn types(&self) -> Vec<&SqlType> {
        self.args.iter().map(|a| &a.ty).collect()
    }

    /// Trino's message when no overload takes these argument types.
    fn unexpected(&self) -> SqlError {
        let types: Vec<String> = self.args.iter().map(|a| a.ty.to_string()).collect();
        let expected = signatures(&self.name).unwrap_or("");
        SqlError::new(
            ErrorCode::FunctionNotFound,
            self.pos,
            format!(
                "Unexpected parameters ({}) for function {}. Expected: {expected}",
                types.join(", "),
                self.name
            ),
        )
    }

    fn call(self, func: Func, ty: SqlType) -> Result<Expr, SqlError> {
        Ok(Expr::new(
            ExprKind::Call {
                func,
                args: self.args,
            },
            ty,
        ))
    }

    /// Coerces every argument to the matching type of `to` and makes the call.
    fn with_args(mut self, func: Func, to: &[SqlType], ty: SqlType) -> Result<Expr, SqlError> {
        let args = std::mem::take(&mut self.args);
        self.args = args
            .into_iter()
            .zip(to)
            .map(|(arg, to)| coerce(arg, to))
            .collect::<Result<_, _>>()?;
        self.call(func, ty)
    }
}

/// Whether `ty` is accepted where Trino wants a `varchar`.
fn stringy(ty: &SqlType) -> bool {
    ty.is_string() || *ty == SqlType::Unknown
}

/// Whether `ty` coerces to `bigint`.
fn integral(ty: &SqlType) -> bool {
    ty.is_integer() || *ty == SqlType::Unknown
}

/// A family's answer to a call: bound (or refused), or not one of its names.
enum Resolution {
    Bound(Result<Expr, SqlError>),
    Unknown(Call),
}

/// Resolves a function call; `FUNCTION_NOT_FOUND` when the name or the argument types match
/// nothing.
pub(super) fn bind(call: Call) -> Result<Expr, SqlError> {
    let families: [fn(Call) -> Resolution; 3] = [string::bind, math::bind, datetime::bind];
    let mut call = call;
    for family in families {
        match family(call) {
            Resolution::Bound(result) => return result,
            Resolution::Unknown(unclaimed) => call = unclaimed,
        }
    }
    let name = call.name.clone();
    match name.as_str() {
        "coalesce" | "greatest" | "least" => bind_variadic(call),
        "nullif" => {
            let types = call.types();
            let [a, b] = types.as_slice() else {
                return Err(call.unexpected());
            };
            let common = common_super_type(a, b).ok_or_else(|| call.unexpected())?;
            let ty = (*a).clone();
            call.with_args(Func::Nullif, &[common.clone(), common], ty)
        }
        _ => Err(SqlError::new(
            ErrorCode::FunctionNotFound,
            call.pos,
            format!("Function '{name}' not registered"),
        )),
    }
}

fn bind_variadic(call: Call) -> Result<Expr, SqlError> {
    let (func, minimum) = match call.name.as_str() {
        "coalesce" => (Func::Coalesce, 2),
        "greatest" => (Func::Greatest, 1),
        _ => (Func::Least, 1),
    };
    if call.args.len() < minimum {
        return Err(call.unexpected());
    }
    let mut common = SqlType::Unknown;
    for ty in call.types() {
        common = common_super_type(&common, ty).ok_or_else(|| call.unexpected())?;
    }
    if func != Func::Coalesce && !common.is_orderable() {
        return Err(call.unexpected());
    }
    let to = vec![common.clone(); call.args.len()];
    call.with_args(func, &to, common)
}

/// Evaluates a call whose result has type `ty`. When every argument is a scalar the result is
/// one too.
pub(super) fn eval(
    func: Func,
    args: Vec<Value>,
    rows: usize,
    ty: &SqlType,
) -> Result<Value, SqlError> {
    let scalar = args.iter().all(Value::is_scalar);
    let arrays: Vec<ArrayRef> = args
        .into_iter()
        .map(|v| {
            if scalar {
                v.array().clone()
            } else {
                v.into_array(rows)
            }
        })
        .collect();
    let result = eval_arrays(func, &arrays, ty)?;
    Ok(Value::from_result(result, scalar))
}

fn eval_arrays(func: Func, args: &[ArrayRef], ty: &SqlType) -> Result<ArrayRef, SqlError> {
    if let Some(result) = string::eval(func, args) {
        return result;
    }
    if let Some(result) = math::eval(func, args, ty) {
        return result;
    }
    if let Some(result) = datetime::eval(func, args, ty) {
        return result;
    }
    unreachable!("{func:?} has no implementation")
}

/// What Trino lists after `Expected:` for each function.
fn signatures(name: &str) -> Option<&'static str> {
    Some(match name {
        "lower" => "lower(char(x)), lower(varchar(x))",
        "upper" => "upper(char(x)), upper(varchar(x))",
        "reverse" => "reverse(varbinary), reverse(varchar(x))",
        "ltrim" => "ltrim(char(x)), ltrim(varchar(x)), ltrim(varchar(x), varchar(y))",
        "rtrim" => "rtrim(char(x)), rtrim(varchar(x)), rtrim(varchar(x), varchar(y))",
        "length" => "length(char(x)), length(varbinary), length(varchar(x))",
        "substr" | "substring" => {
            "substr(char(x), bigint), substr(char(x), bigint, bigint), substr(varbinary, bigint), substr(varbinary, bigint, bigint), substr(varchar(x), bigint), substr(varchar(x), bigint, bigint)"
        }
        "trim" => {
            "trim(char(x)), trim(char(x), char(y)), trim(varchar(x)), trim(varchar(x), varchar(y))"
        }
        "replace" => "replace(varchar(x), varchar(y)), replace(varchar(x), varchar(y), varchar(z))",
        "split_part" => "split_part(varchar(x), varchar(y), bigint)",
        "strpos" => "strpos(varchar(x), varchar(y)), strpos(varchar(x), varchar(y), bigint)",
        "concat" => {
            "concat(array(E)) E, concat(E, array(E)) E, concat(array(E), E) E, concat(char(x), char(y)), concat(varbinary), concat(varchar)"
        }
        "lpad" => "lpad(varbinary, bigint, varbinary), lpad(varchar(x), bigint, varchar(y))",
        "rpad" => "rpad(varbinary, bigint, varbinary), rpad(varchar(x), bigint, varchar(y))",
        "starts_with" => "starts_with(varchar(x), varchar(y))",
        "chr" => "chr(bigint)",
        "codepoint" => "codepoint(varchar(1))",
        "regexp_like" => "regexp_like(varchar(x), JoniRegExp)",
        "regexp_extract" => {
            "regexp_extract(varchar(x), JoniRegExp), regexp_extract(varchar(x), JoniRegExp, bigint)"
        }
        "regexp_replace" => {
            "regexp_replace(varchar(x), JoniRegExp), regexp_replace(varchar(x), JoniRegExp, varchar(y))"
        }
        "abs" => {
            "abs(bigint), abs(decimal(p,s)), abs(double), abs(integer), abs(real), abs(smallint), abs(tinyint)"
        }
        "round" => {
            "round(bigint), round(bigint, integer), round(decimal(p,s)), round(decimal(p,s), integer), round(double), round(double, integer), round(integer), round(integer, integer), round(real), round(real, integer), round(smallint), round(smallint, integer), round(tinyint), round(tinyint, integer)"
        }
        "floor" | "ceil" | "ceiling" | "truncate" => {
            "(bigint), (decimal(p,s)), (double), (integer), (real), (smallint), (tinyint)"
        }
        "power" | "pow" => "power(double, double)",
        "sqrt" | "cbrt" | "exp" | "ln" | "log10" | "log2" => "(double)",
        "sign" => {
            "sign(bigint), sign(decimal(p,s)), sign(double), sign(integer), sign(real), sign(smallint), sign(tinyint)"
        }
        "is_nan" => "is_nan(double), is_nan(real)",
        "from_iso8601_timestamp" => "from_iso8601_timestamp(varchar(x))",
        "from_iso8601_date" => "from_iso8601_date(varchar(x))",
        "to_iso8601" => {
            "to_iso8601(date), to_iso8601(timestamp(p)), to_iso8601(timestamp(p) with time zone)"
        }
        "date_parse" => "date_parse(varchar(x), varchar(y))",
        "date_format" => {
            "date_format(timestamp(p), varchar(x)), date_format(timestamp(p) with time zone, varchar(x))"
        }
        "format_datetime" => {
            "format_datetime(timestamp(p), varchar(x)), format_datetime(timestamp(p) with time zone, varchar(x))"
        }
        "parse_datetime" => "parse_datetime(varchar(x), varchar(y))",
        "date_trunc" => {
            "date_trunc(varchar(x), date), date_trunc(varchar(x), timestamp(p)), date_trunc(varchar(x), timestamp(p) with time zone)"
        }
        "date_add" => {
            "date_add(varchar(x), bigint, date), date_add(varchar(x), bigint, timestamp(p)), date_add(varchar(x), bigint, timestamp(p) with time zone)"
        }
        "date_diff" => {
            "date_diff(varchar(x), date, date), date_diff(varchar(x), timestamp(p), timestamp(p)), date_diff(varchar(x), timestamp(p) with time zone, timestamp(p) with time zone)"
        }
        "to_unixtime" => "to_unixtime(timestamp(p)), to_unixtime(timestamp(p) with time zone)",
        "from_unixtime" => {
            "from_unixtime(double), from_unixtime(double, bigint, bigint), from_unixtime(double, varchar(x))"
        }
        "last_day_of_month" => {
            "last_day_of_month(date), last_day_of_month(timestamp(p)), last_day_of_month(timestamp(p) with time zone)"
        }
        "coalesce" => "coalesce(E) E",
        "greatest" | "least" => "(E) E:orderable",
        "nullif" => "nullif(T, T) T",
        _ if datetime::is_field_function(name) => {
            "(date), (timestamp(p)), (timestamp(p) with time zone)"
        }
        _ => return None,
    })
}

/// The `varchar` type a string function returns for an argument of type `ty`.
fn varchar_like(ty: &SqlType) -> SqlType {
    match ty {
        SqlType::Varchar(n) => SqlType::Varchar(*n),
        _ => VARCHAR,
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::testing::check;

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestStringFunctions.java
    #[test]
    fn string_functions_count_code_points() {
        check(
            "SELECT lower('ÀBC'), upper('straße'), length('naïve'), reverse('abc'), substr('Quadratically', 5, 6), \
             substring('hello' FROM 2 FOR 3), substr('hello', -3)",
            "
            _col0 varchar(3) | _col1 varchar(6) | _col2 bigint | _col3 varchar(3) | _col4 varchar(13) | _col5 varchar(5) | _col6 varchar(5)
            àbc | STRAßE | 5 | cba | ratica | ell | llo
        ");
        check("SELECT trim('  a  '), ltrim('  a  '), rtrim('  a  '), trim(BOTH 'x' FROM 'xxaxx'), trim(LEADING 'x' FROM 'xxaxx'), rtrim('xxaxx', 'x')", "
            _col0 varchar(5) | _col1 varchar(5) | _col2 varchar(5) | _col3 varchar(5) | _col4 varchar(5) | _col5 varchar(5)
            a | a   |   a | a | axx | xxa
        ");
        check(
            "SELECT replace('abcabc', 'b'), replace('abcabc', 'b', 'X'), split_part('a,b,c', ',', 2), \
             split_part('a,b,c', ',', 4), strpos('high', 'ig'), position('ig' IN 'high')",
            "
            _col0 varchar | _col1 varchar | _col2 varchar(5) | _col3 varchar(5) | _col4 bigint | _col5 bigint
            acac | aXcaXc | b | NULL | 2 | 2
        ");
        check("SELECT concat('a', 'b', 'c'), lpad('7', 3, '0'), rpad('ab', 5, 'xy'), starts_with('sensor-a', 'sensor'), chr(65), codepoint('A')", "
            _col0 varchar | _col1 varchar | _col2 varchar | _col3 boolean | _col4 varchar(1) | _col5 integer
            abc | 007 | abxyx | true | A | 65
        ");
        check(
            "SELECT regexp_like(device_name, '-[ab]$'), regexp_extract(device_name, 'sensor-(.)', 1), regexp_replace(device_name, '-', '_') FROM logs LIMIT 3",
            "
            _col0 boolean | _col1 varchar | _col2 varchar
            true | a | sensor_a
            true | b | sensor_b
            true | a | sensor_a
        ",
        );
    }

    #[test]
    fn string_functions_explain_bad_arguments() {
        check(
            "SELECT split_part('a,b', ',', 0)",
            "INVALID_FUNCTION_ARGUMENT: Index must be greater than zero",
        );
        check(
            "SELECT chr(-1)",
            "INVALID_FUNCTION_ARGUMENT: Not a valid Unicode code point: -1",
        );
        check(
            "SELECT codepoint('ab')",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar(2)) for function codepoint. Expected: codepoint(varchar(1))",
        );
        check(
            "SELECT concat('a')",
            "INVALID_FUNCTION_ARGUMENT: line 1:8: There must be two or more concatenation arguments",
        );
        check(
            "SELECT lower(1)",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (integer) for function lower. Expected: lower(char(x)), lower(varchar(x))",
        );
        check(
            "SELECT nosuch(1)",
            "FUNCTION_NOT_FOUND: line 1:8: Function 'nosuch' not registered",
        );
        check(
            "SELECT regexp_extract('abc', 'b', 2)",
            "INVALID_FUNCTION_ARGUMENT: Pattern has 0 groups. Cannot access group 2",
        );
        check(
            "SELECT regexp_like('abc', '(')",
            "INVALID_FUNCTION_ARGUMENT: Invalid regular expression '(': unclosed group",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestMathFunctions.java
    #[test]
    fn math_functions_round_half_away_from_zero() {
        check(
            "SELECT abs(-5), abs(-2.5), abs(-1.5e0), round(2.5), round(-2.5), round(2.567, 2), round(1234, -2), \
             round(DECIMAL '3.449', 1), round(2.5e0), round(-2.5e0), round(3.14159e0, 3)",
            "
            _col0 integer | _col1 decimal(2,1) | _col2 double | _col3 decimal(2,0) | _col4 decimal(2,0) | _col5 decimal(5,3) | _col6 integer | _col7 decimal(5,3) | _col8 double | _col9 double | _col10 double
            5 | 2.5 | 1.5 | 3 | -3 | 2.570 | 1200 | 3.400 | 3.0 | -3.0 | 3.142
        ");
        check("SELECT floor(2.7), ceil(2.1), ceiling(-2.1), floor(-2.5e0), truncate(2.7e0), sign(-3), sign(0.0e0), sign(2.5)", "
            _col0 decimal(2,0) | _col1 decimal(2,0) | _col2 decimal(2,0) | _col3 double | _col4 double | _col5 integer | _col6 double | _col7 decimal(1,0)
            2 | 3 | -2 | -3.0 | 2.0 | -1 | 0.0 | 1
        ");
        check("SELECT power(2, 10), sqrt(16), cbrt(27), exp(0), ln(1), log10(1000), log2(8), is_nan(0e0 / 0), pi(), e()", "
            _col0 double | _col1 double | _col2 double | _col3 double | _col4 double | _col5 double | _col6 double | _col7 boolean | _col8 double | _col9 double
            1024.0 | 4.0 | 3.0 | 1.0 | 0.0 | 3.0 | 3.0 | true | 3.141592653589793 | 2.718281828459045
        ");
        check(
            "SELECT abs('a')",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar(1)) for function abs. Expected: abs(bigint), abs(decimal(p,s)), abs(double), abs(integer), abs(real), abs(smallint), abs(tinyint)",
        );
        check(
            "SELECT abs(CAST(-128 AS tinyint))",
            "NUMERIC_VALUE_OUT_OF_RANGE: Value -128 is out of range for abs(tinyint)",
        );
    }

    #[test]
    fn conditional_functions_pick_values() {
        check(
            "SELECT coalesce(NULL, 2, 3), coalesce(device_name, 'none'), nullif(1, 1), nullif(device_name, 'sensor-a'), \
             greatest(1, 5, 3), least(2.5, 1), greatest(1, NULL) FROM logs LIMIT 3",
            "
            _col0 integer | _col1 varchar | _col2 integer | _col3 varchar | _col4 integer | _col5 decimal(11,1) | _col6 integer
            2 | sensor-a | NULL | NULL | 5 | 1.0 | NULL
            2 | sensor-b | NULL | sensor-b | 5 | 1.0 | NULL
            2 | sensor-a | NULL | NULL | 5 | 1.0 | NULL
        ");
        check(
            "SELECT coalesce(1, 'a')",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (integer, varchar(1)) for function coalesce. Expected: coalesce(E) E",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/scalar/TestDateTimeFunctions.java
    #[test]
    fn date_time_fields_and_arithmetic() {
        check(
            "SELECT year(ts), month(ts), day(ts), hour(ts), minute(ts), second(ts), millisecond(ts), day_of_week(ts), \
             day_of_year(ts), quarter(ts), week(ts) FROM types LIMIT 2",
            "
            _col0 bigint | _col1 bigint | _col2 bigint | _col3 bigint | _col4 bigint | _col5 bigint | _col6 bigint | _col7 bigint | _col8 bigint | _col9 bigint | _col10 bigint
            2022 | 6 | 12 | 0 | 5 | 0 | 0 | 7 | 163 | 2 | 23
            2021 | 1 | 31 | 23 | 59 | 59 | 999 | 7 | 31 | 1 | 4
        ");
        check(
            "SELECT extract(year FROM dt), extract(month FROM ts), year(dt), hour(dt) FROM types LIMIT 1",
            "
            _col0 bigint | _col1 bigint | _col2 bigint | _col3 bigint
            2022 | 6 | 2022 | 0
        ",
        );
        check(
            "SELECT date_trunc('hour', ts), date_trunc('month', dt), date_trunc('minute', TIMESTAMP '2022-06-12 00:05:30'), \
             date_trunc('week', DATE '2022-06-12') FROM types LIMIT 1",
            "
            _col0 timestamp(3) | _col1 date | _col2 timestamp(3) | _col3 date
            2022-06-12 00:00:00.000 | 2022-06-01 | 2022-06-12 00:05:00.000 | 2022-06-06
        ",
        );
        check(
            "SELECT date_trunc('hour', DATE '2022-06-12')",
            "INVALID_FUNCTION_ARGUMENT: 'hour' is not a valid DATE field",
        );
        check(
            "SELECT date_trunc('fortnight', TIMESTAMP '2022-06-12 00:00:00')",
            "INVALID_FUNCTION_ARGUMENT: 'fortnight' is not a valid TIMESTAMP field",
        );
        check(
            "SELECT date_add('minute', 5, TIMESTAMP '2022-06-12 00:00:00'), date_add('day', -1, DATE '2022-03-01'), \
             date_add('month', 1, TIMESTAMP '2022-01-31 10:00:00')",
            "
            _col0 timestamp(3) | _col1 date | _col2 timestamp(3)
            2022-06-12 00:05:00.000 | 2022-02-28 | 2022-02-28 10:00:00.000
        ",
        );
        check(
            "SELECT date_diff('second', TIMESTAMP '2022-06-12 00:00:00', TIMESTAMP '2022-06-12 00:05:00'), \
             date_diff('day', DATE '2022-06-01', DATE '2022-06-12'), \
             date_diff('month', TIMESTAMP '2022-01-31 00:00:00', TIMESTAMP '2022-02-28 00:00:00'), \
             date_diff('hour', TIMESTAMP '2022-06-12 05:00:00', TIMESTAMP '2022-06-12 00:30:00')",
            "
            _col0 bigint | _col1 bigint | _col2 bigint | _col3 bigint
            300 | 11 | 1 | -4
        ",
        );
    }

    #[test]
    fn date_time_parsing_and_formatting() {
        check("SELECT to_unixtime(TIMESTAMP '2022-06-12 00:00:00'), from_unixtime(1655000000), from_unixtime(1655000000.5), typeof(from_unixtime(1))", "
            _col0 double | _col1 timestamp(3) with time zone | _col2 timestamp(3) with time zone | _col3 varchar
            1.654992E9 | 2022-06-12 02:13:20.000 UTC | 2022-06-12 02:13:20.500 UTC | timestamp(3) with time zone
        ");
        check(
            "SELECT from_iso8601_timestamp('2022-06-12T00:05:00.123Z'), from_iso8601_timestamp('2022-06-12T02:05:00+02:00'), \
             from_iso8601_date('2022-06-12'), to_iso8601(TIMESTAMP '2022-06-12 00:00:00'), to_iso8601(DATE '2022-06-12')",
            "
            _col0 timestamp(3) with time zone | _col1 timestamp(3) with time zone | _col2 date | _col3 varchar | _col4 varchar
            2022-06-12 00:05:00.123 UTC | 2022-06-12 00:05:00.000 UTC | 2022-06-12 | 2022-06-12T00:00:00.000 | 2022-06-12
        ");
        check(
            "SELECT from_iso8601_timestamp('2022-06-12 00:05:00')",
            "INVALID_FUNCTION_ARGUMENT: Invalid format: \"2022-06-12 00:05:00\"",
        );
        check(
            "SELECT date_parse('2022-06-12 00:05:00', '%Y-%m-%d %H:%i:%s'), date_format(TIMESTAMP '2022-06-12 13:05:09.123', '%Y/%m/%d %h:%i %p %f'), \
             format_datetime(TIMESTAMP '2022-06-12 13:05:09.123', 'yyyy-MM-dd HH:mm:ss.SSS EEE'), parse_datetime('2022-06-12 13:05', 'yyyy-MM-dd HH:mm'), \
             date_format(DATE '2022-06-12', '%Y')",
            "
            _col0 timestamp(3) | _col1 varchar | _col2 varchar | _col3 timestamp(3) with time zone | _col4 varchar
            2022-06-12 00:05:00.000 | 2022/06/12 01:05 PM 123000 | 2022-06-12 13:05:09.123 Sun | 2022-06-12 13:05:00.000 UTC | 2022
        ");
        check(
            "SELECT date_parse('2022/06/12', '%Y-%m-%d')",
            "INVALID_FUNCTION_ARGUMENT: Invalid format: \"2022/06/12\" is malformed at \"/06/12\"",
        );
        check(
            "SELECT last_day_of_month(DATE '2024-02-10')",
            "_col0 date\n2024-02-29",
        );
        check(
            "SELECT year('2022')",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar(4)) for function year. Expected: (date), (timestamp(p)), (timestamp(p) with time zone)",
        );
        check(
            "SELECT count(*) FROM logs WHERE date_parse(\"timestamp\", '%Y-%m-%d %H:%i:%s') < TIMESTAMP '2022-06-12 00:05:00'",
            "
            _col0 bigint
            4
        ",
        );
    }
}
