//! GROUP BY and aggregate functions: typing the calls as Trino does (`sum(integer)` is
//! `bigint`, `avg` is `double`), and running them over batches: `group` numbers the groups,
//! `accumulate` keeps each call's running state.

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;

use super::accumulate::Accumulator;
use super::decimal;
use super::error::{ErrorCode, Pos, SqlError};
use super::eval::eval;
use super::expr::{Expr, coerce};
use super::group::Grouper;
use super::types::{SqlType, VARCHAR};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum AggFunc {
    CountStar,
    Count,
    /// Exact here: the playground counts distinct values instead of estimating them.
    ApproxDistinct,
    CountIf,
    Sum,
    Avg,
    Min,
    Max,
    BoolAnd,
    BoolOr,
    Arbitrary,
    /// `listagg(x, separator) WITHIN GROUP (ORDER BY …)`.
    ListAgg(String),
    Variance(VarianceKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum VarianceKind {
    Sample,
    Population,
    StddevSample,
    StddevPopulation,
}

/// One aggregate call of a query; arguments are expressions over the aggregation's input.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct AggCall {
    pub func: AggFunc,
    pub args: Vec<Expr>,
    pub distinct: bool,
    pub filter: Option<Expr>,
    /// `WITHIN GROUP (ORDER BY …)` keys: expression, descending, nulls first.
    pub order_by: Vec<(Expr, bool, bool)>,
    pub ty: SqlType,
}

/// GROUP BY keys and the aggregate calls; the output has the keys, then the calls' values.
#[derive(Clone, Debug)]
pub(super) struct AggregatePlan {
    pub keys: Vec<Expr>,
    pub calls: Vec<AggCall>,
}

fn expected(name: &str) -> &'static str {
    match name {
        "sum" => {
            "sum(bigint), sum(decimal(p,s)), sum(double), sum(interval day to second), sum(interval year to month), sum(real)"
        }
        "avg" => {
            "avg(bigint), avg(decimal(p,s)), avg(double), avg(integer), avg(interval day to second), avg(interval year to month), avg(real), avg(smallint), avg(tinyint)"
        }
        "min" | "max" => "(E) E:orderable",
        "count_if" => "count_if(boolean)",
        "bool_and" | "every" | "bool_or" => "(boolean)",
        "listagg" => "listagg(varchar, varchar)",
        "count" => "count(), count(T) T",
        _ => "(double)",
    }
}

/// An aggregate call as written, with its arguments bound but not yet typed.
pub(super) struct WrittenCall<'a> {
    pub func: AggFunc,
    pub args: Vec<Expr>,
    pub distinct: bool,
    pub filter: Option<Expr>,
    pub order_by: Vec<(Expr, bool, bool)>,
    pub name: &'a str,
    pub pos: Option<Pos>,
}

/// How an aggregate takes its arguments: the function it becomes, whether DISTINCT is
/// forced on or off, each argument's target type (`None`: as it is) and the result type.
struct Signature {
    func: AggFunc,
    distinct: Option<bool>,
    targets: Vec<Option<SqlType>>,
    ty: SqlType,
}

/// Trino's overloads of the aggregate functions.
fn signature(func: &AggFunc, types: &[&SqlType]) -> Option<Signature> {
    use SqlType::{BigInt, Boolean, Double, Unknown};
    let numeric = |t: &SqlType| t.is_numeric() || *t == Unknown;
    let interval = |t: &SqlType| matches!(t, SqlType::IntervalDayTime | SqlType::IntervalYearMonth);
    let sig = |func: AggFunc, distinct, targets, ty| {
        Some(Signature {
            func,
            distinct,
            targets,
            ty,
        })
    };
    match (func, types) {
        (AggFunc::Count | AggFunc::CountStar, []) => {
            sig(AggFunc::CountStar, Some(false), vec![], BigInt)
        }
        (AggFunc::Count, [_]) => sig(AggFunc::Count, None, vec![None], BigInt),
        (AggFunc::ApproxDistinct, [_]) => sig(AggFunc::Count, Some(true), vec![None], BigInt),
        (AggFunc::CountIf, [Boolean | Unknown]) => {
            sig(AggFunc::CountIf, None, vec![Some(Boolean)], BigInt)
        }
        (AggFunc::Sum, [t]) if numeric(t) || interval(t) => {
            let ty = match t {
                t if t.is_integer() => BigInt,
                SqlType::Decimal(_, s) => SqlType::Decimal(decimal::MAX_PRECISION, *s),
                Unknown => Double,
                other => (*other).clone(),
            };
            sig(AggFunc::Sum, None, vec![None], ty)
        }
        (AggFunc::Avg, [t]) if numeric(t) || interval(t) => {
            let ty = if t.is_integer() || **t == Unknown {
                Double
            } else {
                (*t).clone()
            };
            sig(AggFunc::Avg, None, vec![None], ty)
        }
        (AggFunc::Min | AggFunc::Max, [t]) if t.is_orderable() => {
            sig(func.clone(), Some(false), vec![None], (*t).clone())
        }
        (AggFunc::Arbitrary, [t]) => sig(AggFunc::Arbitrary, Some(false), vec![None], (*t).clone()),
        (AggFunc::BoolAnd | AggFunc::BoolOr, [Boolean | Unknown]) => {
            sig(func.clone(), Some(false), vec![Some(Boolean)], Boolean)
        }
        (AggFunc::ListAgg(_), [value, rest @ ..])
            if (value.is_string() || **value == Unknown) && rest.len() <= 1 =>
        {
            sig(func.clone(), None, vec![Some(VARCHAR)], VARCHAR)
        }
        (AggFunc::Variance(kind), [t]) if numeric(t) => {
            sig(AggFunc::Variance(*kind), None, vec![Some(Double)], Double)
        }
        _ => None,
    }
}

/// Types an aggregate call and coerces its arguments.
pub(super) fn bind_call(call: WrittenCall<'_>) -> Result<AggCall, SqlError> {
    let types: Vec<&SqlType> = call.args.iter().map(|a| &a.ty).collect();
    let Some(signature) = signature(&call.func, &types) else {
        let shown: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        let message = format!(
            "Unexpected parameters ({}) for function {}. Expected: {}",
            shown.join(", "),
            call.name,
            expected(call.name)
        );
        return Err(SqlError::new(
            ErrorCode::FunctionNotFound,
            call.pos,
            message,
        ));
    };
    let func = match signature.func {
        AggFunc::ListAgg(_) => AggFunc::ListAgg(separator(call.args.get(1), call.pos)?),
        other => other,
    };
    let ty = signature.ty;
    let args = call
        .args
        .into_iter()
        .zip(signature.targets)
        .map(|(arg, target)| match target {
            Some(t) => coerce(arg, &t),
            None if arg.ty == SqlType::Unknown => coerce(arg, &ty),
            None => Ok(arg),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let distinct = signature.distinct.unwrap_or(call.distinct);
    Ok(AggCall {
        func,
        args,
        distinct,
        filter: call.filter,
        order_by: call.order_by,
        ty,
    })
}

/// listagg's separator, which Trino wants as a literal.
fn separator(arg: Option<&Expr>, pos: Option<Pos>) -> Result<String, SqlError> {
    let Some(arg) = arg else {
        return Ok(String::new());
    };
    match arg.as_literal() {
        Some(value) if arg.ty.is_string() => {
            Ok(super::cast::format_value(value.as_ref(), 0).unwrap_or_default())
        }
        _ => Err(SqlError::new(
            ErrorCode::InvalidFunctionArgument,
            pos,
            "listagg separator must be a varchar literal",
        )),
    }
}

/// Runs the aggregation over every input batch; one output row per group, in the order groups
/// first appear (a query without GROUP BY has exactly one group).
pub(super) fn run(
    plan: &AggregatePlan,
    batches: &[RecordBatch],
    schema: SchemaRef,
) -> Result<RecordBatch, SqlError> {
    let mut grouper = Grouper::new(&plan.keys)?;
    let mut accumulators = plan
        .calls
        .iter()
        .map(Accumulator::new)
        .collect::<Result<Vec<_>, _>>()?;
    for batch in batches {
        let rows = batch.num_rows();
        let keys = plan
            .keys
            .iter()
            .map(|k| Ok(eval(k, batch)?.into_array(rows)))
            .collect::<Result<Vec<_>, SqlError>>()?;
        let groups = grouper.assign(&keys, rows)?;
        for (call, accumulator) in plan.calls.iter().zip(&mut accumulators) {
            accumulator.update(call, batch, &groups, grouper.len())?;
        }
    }
    let groups = grouper.len();
    let mut columns = grouper.finish()?;
    for (call, mut accumulator) in plan.calls.iter().zip(accumulators) {
        accumulator.grow(groups);
        columns.push(accumulator.finish(call)?);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(groups));
    Ok(RecordBatch::try_new_with_options(schema, columns, &options)
        .expect("aggregate output matches its schema"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use proptest::prelude::*;

    use super::*;
    use crate::sql::testing::{MemTable, check, run_on};

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/operator/aggregation/TestLongSumAggregation.java,
    // TestDoubleAverageAggregation.java and TestCountNullAggregation.java: result types and NULL handling.
    #[test]
    fn aggregates_follow_trinos_types() {
        check("SELECT typeof(sum(i)), typeof(avg(i)), typeof(sum(dec)), typeof(avg(dec)), typeof(count(*)), typeof(min(s)), typeof(sum(d)) FROM types", "
            _col0 varchar | _col1 varchar | _col2 varchar | _col3 varchar | _col4 varchar | _col5 varchar | _col6 varchar
            bigint | double | decimal(38,2) | decimal(5,2) | bigint | varchar | double
        ");
        check("SELECT sum(i), avg(i), sum(dec), avg(dec), count(*), count(i), min(s), max(s), min(ts), max(dt), sum(d) FROM types", "
            _col0 bigint | _col1 double | _col2 decimal(38,2) | _col3 decimal(5,2) | _col4 bigint | _col5 bigint | _col6 varchar | _col7 varchar | _col8 timestamp(3) | _col9 date | _col10 double
            2147483641 | 5.3687091025E8 | 123.96 | 30.99 | 5 | 4 |  | ñandú | 1970-01-01 00:00:00.000 | 2022-06-12 | 1.000000000125E10
        ");
        check(
            "SELECT sum(b) FROM types",
            "NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow: 25 + 9223372036854775807",
        );
        check(
            "SELECT sum(s) FROM types",
            "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar) for function sum. Expected: sum(bigint), sum(decimal(p,s)), sum(double), sum(interval day to second), sum(interval year to month), sum(real)",
        );
    }

    #[test]
    fn counts_distinct_values_and_filters_rows() {
        check(
            "SELECT count(DISTINCT device_name), approx_distinct(device_name), count_if(metric > 10), \
             count(*) FILTER (WHERE metric > 10), sum(DISTINCT metric) FROM logs",
            "
            _col0 bigint | _col1 bigint | _col2 bigint | _col3 bigint | _col4 double
            3 | 3 | 3 | 3 | 68.75
        ",
        );
        check(
            "SELECT device_name, count(DISTINCT metric) FROM logs GROUP BY 1 ORDER BY 1",
            "
            device_name varchar | _col1 bigint
            sensor-a | 1
            sensor-b | 2
            sensor-c | 1
            NULL | 1
        ",
        );
    }

    #[test]
    fn combines_booleans_strings_and_spreads() {
        check(
            "SELECT bool_and(flag), bool_or(flag), every(flag), arbitrary(s) FROM types WHERE flag IS NOT NULL",
            "
            _col0 boolean | _col1 boolean | _col2 boolean | _col3 varchar
            false | true | false | apple
        ",
        );
        check(
            "SELECT listagg(device_name, ',') WITHIN GROUP (ORDER BY device_name DESC) FROM logs",
            "
            _col0 varchar
            sensor-c,sensor-b,sensor-b,sensor-a,sensor-a
        ",
        );
        check(
            "SELECT stddev(metric), stddev_pop(metric), variance(metric), var_pop(metric) FROM logs WHERE metric < 25",
            "
            _col0 double | _col1 double | _col2 double | _col3 double
            7.925105151773487 | 6.8633423890987695 | 62.807291666666664 | 47.10546875
        ",
        );
    }

    #[test]
    fn a_global_aggregate_of_nothing_has_one_row() {
        check(
            "SELECT count(*), sum(metric), listagg(device_name, ',') WITHIN GROUP (ORDER BY device_name), bool_or(metric > 1) FROM logs WHERE false",
            "
            _col0 bigint | _col1 double | _col2 varchar | _col3 boolean
            0 | NULL | NULL | NULL
        ",
        );
        check(
            "SELECT device_name, count(*) FROM logs WHERE false GROUP BY 1",
            "device_name varchar | _col1 bigint",
        );
    }

    fn table(keys: &[Option<String>], values: &[Option<i32>]) -> MemTable {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, true),
            Field::new("v", DataType::Int32, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(keys.to_vec())),
                Arc::new(Int32Array::from(values.to_vec())),
            ],
        )
        .unwrap();
        MemTable::default().with(
            "default",
            "t",
            vec![
                batch.slice(0, batch.num_rows() / 2),
                batch.slice(
                    batch.num_rows() / 2,
                    batch.num_rows() - batch.num_rows() / 2,
                ),
            ],
        )
    }

    proptest! {
        // Every row lands in exactly one group, whatever the keys and the batch boundaries.
        #[test]
        fn group_counts_sum_to_the_row_count(
            rows in prop::collection::vec((prop::option::of("[a-c]{0,2}"), prop::option::of(-5i32..5)), 1..60)
        ) {
            let (keys, values): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            let source = table(&keys, &values);
            let out = run_on(&source, "SELECT k, count(*), count(v) FROM t GROUP BY k");
            let mut total = 0;
            let mut groups = std::collections::BTreeSet::new();
            for line in out.lines().skip(1) {
                let cells: Vec<&str> = line.split(" | ").collect();
                prop_assert!(groups.insert(cells[0].to_string()), "group {} twice", cells[0]);
                total += cells[1].parse::<usize>().unwrap();
            }
            prop_assert_eq!(total, keys.len());
            let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
            prop_assert_eq!(groups.len(), distinct.len());
        }
    }
}
