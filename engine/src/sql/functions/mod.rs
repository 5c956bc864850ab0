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
