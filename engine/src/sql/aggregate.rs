//! GROUP BY and aggregate functions: typing the calls as Trino does (`sum(integer)` is
//! `bigint`, `avg` is `double`), assigning rows to groups through Arrow's row format, and
//! accumulating column by column with tight loops over group ids.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float64Array, Int64Array,
    PrimitiveArray, RecordBatch, RecordBatchOptions, StringArray, new_null_array,
};
use arrow::compute::SortOptions;
use arrow::datatypes::{
    DataType, DurationMillisecondType, Float64Type, Int64Type, IntervalYearMonthType, SchemaRef,
};
use arrow::row::{RowConverter, SortField};

use super::decimal;
use super::error::{ErrorCode, Pos, SqlError};
use super::eval::{eval, eval_predicate};
use super::expr::{Expr, coerce};
use super::group::{FxBuild, Grouper, arrow_error};
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

/// Types an aggregate call and coerces its arguments.
pub(super) fn bind_call(
    func: AggFunc,
    args: Vec<Expr>,
    distinct: bool,
    filter: Option<Expr>,
    order_by: Vec<(Expr, bool, bool)>,
    name: &str,
    pos: Option<Pos>,
) -> Result<AggCall, SqlError> {
    let types: Vec<&SqlType> = args.iter().map(|a| &a.ty).collect();
    let unexpected = || {
        let shown: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        SqlError::new(
            ErrorCode::FunctionNotFound,
            pos,
            format!(
                "Unexpected parameters ({}) for function {name}. Expected: {}",
                shown.join(", "),
                expected(name)
            ),
        )
    };
    let interval = |t: &SqlType| matches!(t, SqlType::IntervalDayTime | SqlType::IntervalYearMonth);
    let (func, distinct, targets, ty) = match (&func, types.as_slice()) {
        (AggFunc::Count, []) | (AggFunc::CountStar, []) => {
            (AggFunc::CountStar, false, vec![], SqlType::BigInt)
        }
        (AggFunc::Count, [_]) => (AggFunc::Count, distinct, vec![None], SqlType::BigInt),
        (AggFunc::ApproxDistinct, [_]) => (AggFunc::Count, true, vec![None], SqlType::BigInt),
        (AggFunc::CountIf, [SqlType::Boolean | SqlType::Unknown]) => (
            AggFunc::CountIf,
            distinct,
            vec![Some(SqlType::Boolean)],
            SqlType::BigInt,
        ),
        (AggFunc::Sum, [t]) if t.is_numeric() || interval(t) || **t == SqlType::Unknown => {
            let ty = match t {
                t if t.is_integer() => SqlType::BigInt,
                SqlType::Decimal(_, s) => SqlType::Decimal(decimal::MAX_PRECISION, *s),
                SqlType::Unknown => SqlType::Double,
                other => (*other).clone(),
            };
            (AggFunc::Sum, distinct, vec![None], ty)
        }
        (AggFunc::Avg, [t]) if t.is_numeric() || interval(t) || **t == SqlType::Unknown => {
            let ty = match t {
                t if t.is_integer() || **t == SqlType::Unknown => SqlType::Double,
                other => (*other).clone(),
            };
            (AggFunc::Avg, distinct, vec![None], ty)
        }
        (AggFunc::Min | AggFunc::Max | AggFunc::Arbitrary, [t])
            if t.is_orderable() || func == AggFunc::Arbitrary =>
        {
            (func.clone(), false, vec![None], (*t).clone())
        }
        (AggFunc::BoolAnd | AggFunc::BoolOr, [SqlType::Boolean | SqlType::Unknown]) => (
            func.clone(),
            false,
            vec![Some(SqlType::Boolean)],
            SqlType::Boolean,
        ),
        (AggFunc::ListAgg(_), [value, rest @ ..])
            if (value.is_string() || **value == SqlType::Unknown) && rest.len() <= 1 =>
        {
            let separator = match args.get(1) {
                None => String::new(),
                Some(e) => match e.as_literal() {
                    Some(v) if e.ty.is_string() => {
                        super::cast::format_value(v.as_ref(), 0).unwrap_or_default()
                    }
                    _ => {
                        return Err(SqlError::new(
                            ErrorCode::InvalidFunctionArgument,
                            pos,
                            "listagg separator must be a varchar literal",
                        ));
                    }
                },
            };
            (
                AggFunc::ListAgg(separator),
                distinct,
                vec![Some(VARCHAR)],
                VARCHAR,
            )
        }
        (AggFunc::Variance(kind), [t]) if t.is_numeric() || **t == SqlType::Unknown => (
            AggFunc::Variance(*kind),
            distinct,
            vec![Some(SqlType::Double)],
            SqlType::Double,
        ),
        _ => return Err(unexpected()),
    };
    let args = args
        .into_iter()
        .zip(targets)
        .map(|(arg, target)| match target {
            Some(t) => coerce(arg, &t),
            None if arg.ty == SqlType::Unknown => coerce(arg, &ty),
            None => Ok(arg),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AggCall {
        func,
        args,
        distinct,
        filter,
        order_by,
        ty,
    })
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

/// Calls `f` for every row to feed: all rows, or the selected ones.
fn each_row(rows: usize, selection: Option<&[u32]>, mut f: impl FnMut(usize)) {
    match selection {
        Some(selected) => selected.iter().for_each(|&i| f(i as usize)),
        None => (0..rows).for_each(f),
    }
}

/// Running state of one aggregate call, one slot per group.
enum State {
    Count(Vec<i64>),
    Sum {
        sums: Vec<i64>,
        seen: Vec<bool>,
    },
    SumFloat {
        sums: Vec<f64>,
        seen: Vec<bool>,
    },
    SumDecimal {
        sums: Vec<i128>,
        seen: Vec<bool>,
    },
    Avg {
        sums: Vec<f64>,
        counts: Vec<i64>,
    },
    AvgDecimal {
        sums: Vec<i128>,
        counts: Vec<i64>,
    },
    /// min, max and arbitrary: the best value so far in row format.
    Extreme {
        converter: RowConverter,
        best: Vec<Option<Box<[u8]>>>,
    },
    Bool(Vec<Option<bool>>),
    /// Welford's running count, mean and sum of squared deviations.
    Moments {
        n: Vec<f64>,
        mean: Vec<f64>,
        m2: Vec<f64>,
    },
    ListAgg {
        converter: Option<RowConverter>,
        entries: Vec<Vec<(Box<[u8]>, String)>>,
    },
}

/// The values a DISTINCT aggregate has fed, per group, in row format.
type Seen = (RowConverter, HashSet<(u32, Box<[u8]>), FxBuild>);

struct Accumulator {
    state: State,
    /// For DISTINCT: the (group, value) pairs already fed.
    seen: Option<Seen>,
}

impl Accumulator {
    fn new(call: &AggCall) -> Result<Accumulator, SqlError> {
        let input = call
            .args
            .first()
            .map(|a| a.ty.clone())
            .unwrap_or(SqlType::BigInt);
        let state = match &call.func {
            AggFunc::CountStar | AggFunc::Count | AggFunc::CountIf | AggFunc::ApproxDistinct => {
                State::Count(vec![])
            }
            AggFunc::Sum => match &input {
                SqlType::Double | SqlType::Real => State::SumFloat {
                    sums: vec![],
                    seen: vec![],
                },
                SqlType::Decimal(..) => State::SumDecimal {
                    sums: vec![],
                    seen: vec![],
                },
                _ => State::Sum {
                    sums: vec![],
                    seen: vec![],
                },
            },
            AggFunc::Avg => match &input {
                SqlType::Decimal(..) => State::AvgDecimal {
                    sums: vec![],
                    counts: vec![],
                },
                _ => State::Avg {
                    sums: vec![],
                    counts: vec![],
                },
            },
            AggFunc::Min | AggFunc::Max | AggFunc::Arbitrary => {
                let converter = RowConverter::new(vec![SortField::new(input.to_arrow())])
                    .map_err(arrow_error)?;
                State::Extreme {
                    converter,
                    best: vec![],
                }
            }
            AggFunc::BoolAnd | AggFunc::BoolOr => State::Bool(vec![]),
            AggFunc::Variance(_) => State::Moments {
                n: vec![],
                mean: vec![],
                m2: vec![],
            },
            AggFunc::ListAgg(_) => {
                let fields: Vec<SortField> = call
                    .order_by
                    .iter()
                    .map(|(e, descending, nulls_first)| {
                        SortField::new_with_options(
                            e.ty.to_arrow(),
                            SortOptions {
                                descending: *descending,
                                nulls_first: *nulls_first,
                            },
                        )
                    })
                    .collect();
                let converter = if fields.is_empty() {
                    None
                } else {
                    Some(RowConverter::new(fields).map_err(arrow_error)?)
                };
                State::ListAgg {
                    converter,
                    entries: vec![],
                }
            }
        };
        let seen = if call.distinct {
            let converter =
                RowConverter::new(vec![SortField::new(input.to_arrow())]).map_err(arrow_error)?;
            Some((converter, HashSet::default()))
        } else {
            None
        };
        Ok(Accumulator { state, seen })
    }

    fn update(
        &mut self,
        call: &AggCall,
        batch: &RecordBatch,
        groups: &[u32],
        group_count: usize,
    ) -> Result<(), SqlError> {
        self.grow(group_count);
        let rows = batch.num_rows();
        let args = call
            .args
            .iter()
            .map(|a| Ok(eval(a, batch)?.into_array(rows)))
            .collect::<Result<Vec<_>, SqlError>>()?;
        let mut selection: Option<Vec<u32>> = None;
        if let Some(filter) = &call.filter {
            let keep = eval_predicate(filter, batch)?;
            selection = Some(
                (0..rows as u32)
                    .filter(|&i| keep.value(i as usize))
                    .collect(),
            );
        }
        if let Some((converter, seen)) = &mut self.seen {
            let values = converter.convert_columns(&args[..1]).map_err(arrow_error)?;
            let mut fresh = Vec::new();
            each_row(rows, selection.as_deref(), |i| {
                if args[0].is_valid(i) && seen.insert((groups[i], values.row(i).as_ref().into())) {
                    fresh.push(i as u32);
                }
            });
            selection = Some(fresh);
        }
        self.feed(call, &args, groups, rows, selection.as_deref(), batch)
    }

    fn grow(&mut self, groups: usize) {
        match &mut self.state {
            State::Count(counts) => counts.resize(groups, 0),
            State::Sum { sums, seen } => {
                sums.resize(groups, 0);
                seen.resize(groups, false);
            }
            State::SumFloat { sums, seen } => {
                sums.resize(groups, 0.0);
                seen.resize(groups, false);
            }
            State::SumDecimal { sums, seen } => {
                sums.resize(groups, 0);
                seen.resize(groups, false);
            }
            State::Avg { sums, counts } => {
                sums.resize(groups, 0.0);
                counts.resize(groups, 0);
            }
            State::AvgDecimal { sums, counts } => {
                sums.resize(groups, 0);
                counts.resize(groups, 0);
            }
            State::Extreme { best, .. } => best.resize(groups, None),
            State::Bool(values) => values.resize(groups, None),
            State::Moments { n, mean, m2 } => {
                n.resize(groups, 0.0);
                mean.resize(groups, 0.0);
                m2.resize(groups, 0.0);
            }
            State::ListAgg { entries, .. } => entries.resize(groups, Vec::new()),
        }
    }

    fn feed(
        &mut self,
        call: &AggCall,
        args: &[ArrayRef],
        groups: &[u32],
        rows: usize,
        selection: Option<&[u32]>,
        batch: &RecordBatch,
    ) -> Result<(), SqlError> {
        let valid = |i: usize| args.first().is_none_or(|a| a.is_valid(i));
        match &mut self.state {
            State::Count(counts) => match call.func {
                AggFunc::CountStar => {
                    each_row(rows, selection, |i| counts[groups[i] as usize] += 1)
                }
                AggFunc::CountIf => {
                    let flags = args[0].as_boolean();
                    each_row(rows, selection, |i| {
                        counts[groups[i] as usize] += i64::from(flags.is_valid(i) && flags.value(i))
                    });
                }
                _ => each_row(rows, selection, |i| {
                    counts[groups[i] as usize] += i64::from(valid(i))
                }),
            },
            State::Sum { sums, seen } => {
                let values = as_i64(&args[0]);
                let mut overflow = None;
                each_row(rows, selection, |i| {
                    if values.is_valid(i) {
                        let g = groups[i] as usize;
                        match sums[g].checked_add(values.value(i)) {
                            Some(s) => sums[g] = s,
                            None => overflow = Some((sums[g], values.value(i))),
                        }
                        seen[g] = true;
                    }
                });
                if let Some((a, b)) = overflow {
                    return Err(SqlError::out_of_range(format!(
                        "bigint addition overflow: {a} + {b}"
                    )));
                }
            }
            State::SumFloat { sums, seen } => {
                let values = as_f64(&args[0]);
                each_row(rows, selection, |i| {
                    if values.is_valid(i) {
                        sums[groups[i] as usize] += values.value(i);
                        seen[groups[i] as usize] = true;
                    }
                });
            }
            State::SumDecimal { sums, seen } => {
                let values: &Decimal128Array = args[0].as_primitive();
                each_row(rows, selection, |i| {
                    if values.is_valid(i) {
                        let g = groups[i] as usize;
                        sums[g] = sums[g].saturating_add(values.value(i));
                        seen[g] = true;
                    }
                });
            }
            State::Avg { sums, counts } => {
                let values = as_f64(&args[0]);
                let dense = values.null_count() == 0 && selection.is_none();
                if dense {
                    for (i, v) in values.values().iter().enumerate() {
                        let g = groups[i] as usize;
                        sums[g] += v;
                        counts[g] += 1;
                    }
                } else {
                    each_row(rows, selection, |i| {
                        if values.is_valid(i) {
                            sums[groups[i] as usize] += values.value(i);
                            counts[groups[i] as usize] += 1;
                        }
                    });
                }
            }
            State::AvgDecimal { sums, counts } => {
                let values: &Decimal128Array = args[0].as_primitive();
                each_row(rows, selection, |i| {
                    if values.is_valid(i) {
                        let g = groups[i] as usize;
                        sums[g] = sums[g].saturating_add(values.value(i));
                        counts[g] += 1;
                    }
                });
            }
            State::Extreme { converter, best } => {
                let values = converter.convert_columns(&args[..1]).map_err(arrow_error)?;
                let func = &call.func;
                each_row(rows, selection, |i| {
                    if !valid(i) {
                        return;
                    }
                    let row = values.row(i);
                    let slot = &mut best[groups[i] as usize];
                    let better = match (slot.as_deref(), func) {
                        (None, _) => true,
                        (Some(_), AggFunc::Arbitrary) => false,
                        (Some(current), AggFunc::Min) => row.as_ref() < current,
                        (Some(current), _) => row.as_ref() > current,
                    };
                    if better {
                        *slot = Some(row.as_ref().into());
                    }
                });
            }
            State::Bool(values) => {
                let flags = args[0].as_boolean();
                let and = call.func == AggFunc::BoolAnd;
                each_row(rows, selection, |i| {
                    if flags.is_valid(i) {
                        let slot = &mut values[groups[i] as usize];
                        let v = flags.value(i);
                        *slot = Some(match *slot {
                            None => v,
                            Some(acc) if and => acc && v,
                            Some(acc) => acc || v,
                        });
                    }
                });
            }
            State::Moments { n, mean, m2 } => {
                let values = as_f64(&args[0]);
                each_row(rows, selection, |i| {
                    if values.is_valid(i) {
                        let g = groups[i] as usize;
                        let x = values.value(i);
                        n[g] += 1.0;
                        let delta = x - mean[g];
                        mean[g] += delta / n[g];
                        m2[g] += delta * (x - mean[g]);
                    }
                });
            }
            State::ListAgg { converter, entries } => {
                let keys = match converter {
                    Some(converter) => {
                        let rows_count = batch.num_rows();
                        let columns = call
                            .order_by
                            .iter()
                            .map(|(e, _, _)| Ok(eval(e, batch)?.into_array(rows_count)))
                            .collect::<Result<Vec<_>, SqlError>>()?;
                        Some(converter.convert_columns(&columns).map_err(arrow_error)?)
                    }
                    None => None,
                };
                let strings: &StringArray = args[0].as_string();
                each_row(rows, selection, |i| {
                    if strings.is_valid(i) {
                        let key: Box<[u8]> = keys
                            .as_ref()
                            .map_or_else(|| Box::from([]), |k| k.row(i).as_ref().into());
                        entries[groups[i] as usize].push((key, strings.value(i).to_string()));
                    }
                });
            }
        }
        Ok(())
    }

    fn finish(self, call: &AggCall) -> Result<ArrayRef, SqlError> {
        let ty = &call.ty;
        Ok(match self.state {
            State::Count(counts) => Arc::new(Int64Array::from(counts)),
            State::Sum { sums, seen } => {
                let values: Int64Array = sums
                    .iter()
                    .zip(&seen)
                    .map(|(s, seen)| seen.then_some(*s))
                    .collect();
                match ty {
                    SqlType::IntervalDayTime => {
                        Arc::new(values.reinterpret_cast::<DurationMillisecondType>())
                    }
                    SqlType::IntervalYearMonth => {
                        Arc::new(values.unary::<_, IntervalYearMonthType>(|m| m as i32))
                    }
                    _ => Arc::new(values),
                }
            }
            State::SumFloat { sums, seen } => {
                let values: Float64Array = sums
                    .iter()
                    .zip(&seen)
                    .map(|(s, seen)| seen.then_some(*s))
                    .collect();
                arrow::compute::cast(&values, &ty.to_arrow()).expect("double to real")
            }
            State::SumDecimal { sums, seen } => {
                if sums
                    .iter()
                    .any(|s| decimal::overflows(*s, decimal::MAX_PRECISION))
                {
                    return Err(SqlError::out_of_range("Decimal overflow"));
                }
                decimals(
                    sums.iter().zip(&seen).map(|(s, seen)| seen.then_some(*s)),
                    ty,
                )
            }
            State::Avg { sums, counts } => {
                let values: Float64Array = sums
                    .iter()
                    .zip(&counts)
                    .map(|(s, c)| (*c > 0).then(|| s / *c as f64))
                    .collect();
                match ty {
                    SqlType::IntervalDayTime => {
                        let ms: Int64Array =
                            values.iter().map(|v| v.map(|v| v.round() as i64)).collect();
                        Arc::new(ms.reinterpret_cast::<DurationMillisecondType>())
                    }
                    _ => arrow::compute::cast(&values, &ty.to_arrow()).expect("numeric result"),
                }
            }
            State::AvgDecimal { sums, counts } => decimals(
                sums.iter()
                    .zip(&counts)
                    .map(|(s, c)| decimal::div_half_up(*s, *c as i128)),
                ty,
            ),
            State::Extreme { converter, best } => {
                let null = converter
                    .convert_columns(&[new_null_array(&ty.to_arrow(), 1)])
                    .map_err(arrow_error)?;
                let parser = converter.parser();
                let rows = best.iter().map(|b| {
                    b.as_deref()
                        .map_or(null.row(0), |bytes| parser.parse(bytes))
                });
                converter.convert_rows(rows).map_err(arrow_error)?.remove(0)
            }
            State::Bool(values) => Arc::new(BooleanArray::from(values)),
            State::Moments { n, m2, .. } => {
                let AggFunc::Variance(kind) = call.func else {
                    unreachable!("moments are for variance")
                };
                let values: Float64Array = n
                    .iter()
                    .zip(&m2)
                    .map(|(n, m2)| variance(kind, *n, *m2))
                    .collect();
                Arc::new(values)
            }
            State::ListAgg { entries, .. } => {
                let AggFunc::ListAgg(separator) = &call.func else {
                    unreachable!("entries are for listagg")
                };
                let values: StringArray = entries
                    .into_iter()
                    .map(|mut group| {
                        group.sort_by(|a, b| a.0.cmp(&b.0));
                        (!group.is_empty()).then(|| {
                            group
                                .into_iter()
                                .map(|(_, s)| s)
                                .collect::<Vec<_>>()
                                .join(separator)
                        })
                    })
                    .collect();
                Arc::new(values)
            }
        })
    }
}

fn variance(kind: VarianceKind, n: f64, m2: f64) -> Option<f64> {
    match kind {
        VarianceKind::Sample => (n > 1.0).then(|| m2 / (n - 1.0)),
        VarianceKind::Population => (n > 0.0).then(|| m2 / n),
        VarianceKind::StddevSample => (n > 1.0).then(|| (m2 / (n - 1.0)).sqrt()),
        VarianceKind::StddevPopulation => (n > 0.0).then(|| (m2 / n).sqrt()),
    }
}

fn decimals(values: impl Iterator<Item = Option<i128>>, ty: &SqlType) -> ArrayRef {
    let SqlType::Decimal(p, s) = ty else {
        unreachable!("decimal aggregates return decimals")
    };
    let array: Decimal128Array = values.collect();
    Arc::new(
        array
            .with_precision_and_scale(*p, *s)
            .expect("valid decimal type"),
    )
}

fn as_i64(array: &ArrayRef) -> PrimitiveArray<Int64Type> {
    match array.data_type() {
        DataType::Duration(_) => array
            .as_primitive::<DurationMillisecondType>()
            .reinterpret_cast(),
        DataType::Interval(_) => array
            .as_primitive::<IntervalYearMonthType>()
            .unary(|m| m as i64),
        _ => arrow::compute::cast(array, &DataType::Int64)
            .expect("integer to bigint")
            .as_primitive()
            .clone(),
    }
}

fn as_f64(array: &ArrayRef) -> PrimitiveArray<Float64Type> {
    match array.data_type() {
        DataType::Duration(_) | DataType::Interval(_) => as_i64(array).unary(|v| v as f64),
        _ => arrow::compute::cast(array, &DataType::Float64)
            .expect("numeric to double")
            .as_primitive()
            .clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray};
    use arrow::datatypes::{Field, Schema};
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
