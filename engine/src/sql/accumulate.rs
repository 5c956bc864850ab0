//! The running state of one aggregate call, one slot per group: fed a batch at a time with
//! tight loops over group ids, and finished into one Arrow array.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float64Array, Int64Array,
    PrimitiveArray, RecordBatch, StringArray, new_null_array,
};
use arrow::compute::SortOptions;
use arrow::datatypes::{
    DataType, DurationMillisecondType, Float64Type, Int64Type, IntervalYearMonthType,
};
use arrow::row::{RowConverter, SortField};

use super::aggregate::{AggCall, AggFunc, VarianceKind};
use super::decimal;
use super::error::SqlError;
use super::eval::{eval, eval_predicate};
use super::group::{FxBuild, arrow_error};
use super::types::SqlType;

/// One batch as an accumulator sees it: each row's group, the evaluated arguments, and the
/// rows to take (all, or those a FILTER or DISTINCT kept).
struct Input<'a> {
    args: &'a [ArrayRef],
    groups: &'a [u32],
    selection: Option<&'a [u32]>,
}

impl Input<'_> {
    /// Calls `f(row, group)` for every row taken.
    fn each(&self, mut f: impl FnMut(usize, usize)) {
        match self.selection {
            Some(rows) => rows
                .iter()
                .for_each(|&i| f(i as usize, self.groups[i as usize] as usize)),
            None => self
                .groups
                .iter()
                .enumerate()
                .for_each(|(i, &g)| f(i, g as usize)),
        }
    }

    /// Calls `f(value, group)` for every non-NULL value of the first argument taken.
    fn each_f64(&self, mut f: impl FnMut(f64, usize)) {
        let values = as_f64(&self.args[0]);
        if values.null_count() == 0 && self.selection.is_none() {
            values
                .values()
                .iter()
                .zip(self.groups)
                .for_each(|(&v, &g)| f(v, g as usize));
        } else {
            self.each(|i, g| {
                if values.is_valid(i) {
                    f(values.value(i), g);
                }
            });
        }
    }
}

/// Welford's running count, mean and sum of squared deviations.
#[derive(Clone, Copy, Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

enum State {
    Count(Vec<i64>),
    SumInteger(Vec<Option<i64>>),
    SumFloat(Vec<Option<f64>>),
    SumDecimal(Vec<Option<i128>>),
    Average(Vec<(f64, i64)>),
    AverageDecimal(Vec<(i128, i64)>),
    /// min, max and arbitrary: the best value so far in row format.
    Extreme {
        converter: RowConverter,
        best: Vec<Option<Box<[u8]>>>,
    },
    Bool(Vec<Option<bool>>),
    Moments(Vec<Moments>),
    /// listagg: each value with its WITHIN GROUP sort key in row format.
    List {
        converter: Option<RowConverter>,
        entries: Vec<Vec<Entry>>,
    },
}

/// A listagg value and its sort key.
type Entry = (Box<[u8]>, String);

/// The values a DISTINCT aggregate has already taken, per group, in row format.
type Seen = (RowConverter, HashSet<(u32, Box<[u8]>), FxBuild>);

pub(super) struct Accumulator {
    state: State,
    seen: Option<Seen>,
}

impl Accumulator {
    pub fn new(call: &AggCall) -> Result<Accumulator, SqlError> {
        let input = call.args.first().map_or(SqlType::BigInt, |a| a.ty.clone());
        let row_converter = |ty: &SqlType| {
            RowConverter::new(vec![SortField::new(ty.to_arrow())]).map_err(arrow_error)
        };
        let state = match &call.func {
            AggFunc::CountStar | AggFunc::Count | AggFunc::CountIf | AggFunc::ApproxDistinct => {
                State::Count(vec![])
            }
            AggFunc::Sum => match input {
                SqlType::Double | SqlType::Real => State::SumFloat(vec![]),
                SqlType::Decimal(..) => State::SumDecimal(vec![]),
                _ => State::SumInteger(vec![]),
            },
            AggFunc::Avg if matches!(input, SqlType::Decimal(..)) => State::AverageDecimal(vec![]),
            AggFunc::Avg => State::Average(vec![]),
            AggFunc::Min | AggFunc::Max | AggFunc::Arbitrary => State::Extreme {
                converter: row_converter(&input)?,
                best: vec![],
            },
            AggFunc::BoolAnd | AggFunc::BoolOr => State::Bool(vec![]),
            AggFunc::Variance(_) => State::Moments(vec![]),
            AggFunc::ListAgg(_) => State::List {
                converter: order_converter(call)?,
                entries: vec![],
            },
        };
        let seen = match call.distinct {
            true => Some((row_converter(&input)?, HashSet::default())),
            false => None,
        };
        Ok(Accumulator { state, seen })
    }

    /// Takes the rows of `batch`, whose groups are `groups`, into the state.
    pub fn update(
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
        let mut selection = match &call.filter {
            Some(filter) => {
                let keep = eval_predicate(filter, batch)?;
                Some(
                    (0..rows as u32)
                        .filter(|&i| keep.value(i as usize))
                        .collect::<Vec<_>>(),
                )
            }
            None => None,
        };
        if let Some(seen) = &mut self.seen {
            selection = Some(first_seen(seen, &args[0], groups, selection.as_deref())?);
        }
        let input = Input {
            args: &args,
            groups,
            selection: selection.as_deref(),
        };
        self.feed(call, &input, batch)
    }

    /// Makes room for `groups` groups; new ones start empty.
    pub fn grow(&mut self, groups: usize) {
        match &mut self.state {
            State::Count(v) => v.resize(groups, 0),
            State::SumInteger(v) => v.resize(groups, None),
            State::SumFloat(v) => v.resize(groups, None),
            State::SumDecimal(v) => v.resize(groups, None),
            State::Average(v) => v.resize(groups, (0.0, 0)),
            State::AverageDecimal(v) => v.resize(groups, (0, 0)),
            State::Extreme { best, .. } => best.resize(groups, None),
            State::Bool(v) => v.resize(groups, None),
            State::Moments(v) => v.resize(groups, Moments::default()),
            State::List { entries, .. } => entries.resize(groups, Vec::new()),
        }
    }

    fn feed(&mut self, call: &AggCall, input: &Input, batch: &RecordBatch) -> Result<(), SqlError> {
        match &mut self.state {
            State::Count(counts) => count(counts, &call.func, input),
            State::SumInteger(sums) => return sum_integers(sums, input),
            State::SumFloat(sums) => input.each_f64(|v, g| *sums[g].get_or_insert(0.0) += v),
            State::SumDecimal(sums) => each_decimal(input, |v, g| {
                let sum = sums[g].get_or_insert(0);
                *sum = sum.saturating_add(v);
            }),
            State::Average(slots) => input.each_f64(|v, g| {
                slots[g].0 += v;
                slots[g].1 += 1;
            }),
            State::AverageDecimal(slots) => each_decimal(input, |v, g| {
                slots[g].0 = slots[g].0.saturating_add(v);
                slots[g].1 += 1;
            }),
            State::Extreme { converter, best } => {
                return extreme(converter, best, &call.func, input);
            }
            State::Bool(values) => booleans(values, call.func == AggFunc::BoolAnd, input),
            State::Moments(moments) => input.each_f64(|x, g| {
                let m = &mut moments[g];
                m.n += 1.0;
                let delta = x - m.mean;
                m.mean += delta / m.n;
                m.m2 += delta * (x - m.mean);
            }),
            State::List { converter, entries } => {
                return list(converter.as_ref(), entries, call, input, batch);
            }
        }
        Ok(())
    }

    /// The call's value for every group.
    pub fn finish(self, call: &AggCall) -> Result<ArrayRef, SqlError> {
        let ty = &call.ty;
        Ok(match self.state {
            State::Count(counts) => Arc::new(Int64Array::from(counts)),
            State::SumInteger(sums) => integers_as(Int64Array::from(sums), ty),
            State::SumFloat(sums) => {
                let values = Float64Array::from(sums);
                arrow::compute::cast(&values, &ty.to_arrow()).expect("double to real")
            }
            State::SumDecimal(sums) => {
                if sums
                    .iter()
                    .flatten()
                    .any(|s| decimal::overflows(*s, decimal::MAX_PRECISION))
                {
                    return Err(SqlError::out_of_range("Decimal overflow"));
                }
                decimals(sums, ty)
            }
            State::Average(slots) => {
                let values: Float64Array = slots
                    .iter()
                    .map(|(s, c)| (*c > 0).then(|| s / *c as f64))
                    .collect();
                average_as(values, ty)
            }
            State::AverageDecimal(slots) => decimals(
                slots
                    .iter()
                    .map(|(s, c)| decimal::div_half_up(*s, *c as i128))
                    .collect(),
                ty,
            ),
            State::Extreme { converter, best } => extremes(&converter, &best, ty)?,
            State::Bool(values) => Arc::new(BooleanArray::from(values)),
            State::Moments(moments) => {
                let AggFunc::Variance(kind) = call.func else {
                    unreachable!("moments are for variance")
                };
                Arc::new(
                    moments
                        .iter()
                        .map(|m| variance(kind, m))
                        .collect::<Float64Array>(),
                )
            }
            State::List { entries, .. } => {
                let AggFunc::ListAgg(separator) = &call.func else {
                    unreachable!("lists are for listagg")
                };
                Arc::new(joined(entries, separator))
            }
        })
    }
}

/// The WITHIN GROUP (ORDER BY …) keys of a listagg, as a row converter.
fn order_converter(call: &AggCall) -> Result<Option<RowConverter>, SqlError> {
    if call.order_by.is_empty() {
        return Ok(None);
    }
    let fields = call
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
    RowConverter::new(fields).map(Some).map_err(arrow_error)
}

/// Of the rows taken, those whose (group, value) pair is new: what DISTINCT lets through.
fn first_seen(
    (converter, seen): &mut Seen,
    values: &ArrayRef,
    groups: &[u32],
    selection: Option<&[u32]>,
) -> Result<Vec<u32>, SqlError> {
    let rows = converter
        .convert_columns(std::slice::from_ref(values))
        .map_err(arrow_error)?;
    let mut fresh = Vec::new();
    let input = Input {
        args: &[],
        groups,
        selection,
    };
    input.each(|i, g| {
        if values.is_valid(i) && seen.insert((g as u32, rows.row(i).as_ref().into())) {
            fresh.push(i as u32);
        }
    });
    Ok(fresh)
}

fn count(counts: &mut [i64], func: &AggFunc, input: &Input) {
    match func {
        AggFunc::CountStar if input.selection.is_none() => {
            input.groups.iter().for_each(|&g| counts[g as usize] += 1)
        }
        AggFunc::CountStar => input.each(|_, g| counts[g] += 1),
        AggFunc::CountIf => {
            let flags = input.args[0].as_boolean();
            input.each(|i, g| counts[g] += i64::from(flags.is_valid(i) && flags.value(i)));
        }
        _ => {
            let values = &input.args[0];
            input.each(|i, g| counts[g] += i64::from(values.is_valid(i)));
        }
    }
}

fn sum_integers(sums: &mut [Option<i64>], input: &Input) -> Result<(), SqlError> {
    let values = as_i64(&input.args[0]);
    let mut overflow = None;
    input.each(|i, g| {
        if values.is_valid(i) {
            let sum = sums[g].get_or_insert(0);
            match sum.checked_add(values.value(i)) {
                Some(s) => *sum = s,
                None => overflow = Some((*sum, values.value(i))),
            }
        }
    });
    match overflow {
        Some((a, b)) => Err(SqlError::out_of_range(format!(
            "bigint addition overflow: {a} + {b}"
        ))),
        None => Ok(()),
    }
}

fn each_decimal(input: &Input, mut f: impl FnMut(i128, usize)) {
    let values: &Decimal128Array = input.args[0].as_primitive();
    input.each(|i, g| {
        if values.is_valid(i) {
            f(values.value(i), g);
        }
    });
}

fn extreme(
    converter: &RowConverter,
    best: &mut [Option<Box<[u8]>>],
    func: &AggFunc,
    input: &Input,
) -> Result<(), SqlError> {
    let values = converter
        .convert_columns(&input.args[..1])
        .map_err(arrow_error)?;
    let valid = &input.args[0];
    input.each(|i, g| {
        if !valid.is_valid(i) {
            return;
        }
        let row = values.row(i);
        let better = match (best[g].as_deref(), func) {
            (None, _) => true,
            (Some(_), AggFunc::Arbitrary) => false,
            (Some(current), AggFunc::Min) => row.as_ref() < current,
            (Some(current), _) => row.as_ref() > current,
        };
        if better {
            best[g] = Some(row.as_ref().into());
        }
    });
    Ok(())
}

fn booleans(values: &mut [Option<bool>], and: bool, input: &Input) {
    let flags = input.args[0].as_boolean();
    input.each(|i, g| {
        if flags.is_valid(i) {
            let v = flags.value(i);
            values[g] = Some(match values[g] {
                None => v,
                Some(acc) if and => acc && v,
                Some(acc) => acc || v,
            });
        }
    });
}

fn list(
    converter: Option<&RowConverter>,
    entries: &mut [Vec<Entry>],
    call: &AggCall,
    input: &Input,
    batch: &RecordBatch,
) -> Result<(), SqlError> {
    let keys = match converter {
        Some(converter) => {
            let rows = batch.num_rows();
            let columns = call
                .order_by
                .iter()
                .map(|(e, _, _)| Ok(eval(e, batch)?.into_array(rows)))
                .collect::<Result<Vec<_>, SqlError>>()?;
            Some(converter.convert_columns(&columns).map_err(arrow_error)?)
        }
        None => None,
    };
    let strings: &StringArray = input.args[0].as_string();
    input.each(|i, g| {
        if strings.is_valid(i) {
            let key: Box<[u8]> = keys
                .as_ref()
                .map_or_else(|| Box::from([]), |k| k.row(i).as_ref().into());
            entries[g].push((key, strings.value(i).to_string()));
        }
    });
    Ok(())
}

/// Sorted by their WITHIN GROUP keys (stable, so ties keep input order) and joined.
fn joined(entries: Vec<Vec<Entry>>, separator: &str) -> StringArray {
    entries
        .into_iter()
        .map(|mut group| {
            group.sort_by(|a, b| a.0.cmp(&b.0));
            let values: Vec<String> = group.into_iter().map(|(_, s)| s).collect();
            (!values.is_empty()).then(|| values.join(separator))
        })
        .collect()
}

fn extremes(
    converter: &RowConverter,
    best: &[Option<Box<[u8]>>],
    ty: &SqlType,
) -> Result<ArrayRef, SqlError> {
    let null = converter
        .convert_columns(&[new_null_array(&ty.to_arrow(), 1)])
        .map_err(arrow_error)?;
    let parser = converter.parser();
    let rows = best.iter().map(|b| {
        b.as_deref()
            .map_or(null.row(0), |bytes| parser.parse(bytes))
    });
    Ok(converter.convert_rows(rows).map_err(arrow_error)?.remove(0))
}

/// `sum` of integers or intervals, in the result type.
fn integers_as(values: Int64Array, ty: &SqlType) -> ArrayRef {
    match ty {
        SqlType::IntervalDayTime => Arc::new(values.reinterpret_cast::<DurationMillisecondType>()),
        SqlType::IntervalYearMonth => {
            Arc::new(values.unary::<_, IntervalYearMonthType>(|m| m as i32))
        }
        _ => Arc::new(values),
    }
}

/// `avg` in the result type: `double`, `real` or an interval (rounded to milliseconds).
fn average_as(values: Float64Array, ty: &SqlType) -> ArrayRef {
    match ty {
        SqlType::IntervalDayTime => {
            let ms: Int64Array = values.iter().map(|v| v.map(|v| v.round() as i64)).collect();
            Arc::new(ms.reinterpret_cast::<DurationMillisecondType>())
        }
        SqlType::IntervalYearMonth => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| v.round() as i32))
                .collect::<PrimitiveArray<IntervalYearMonthType>>(),
        ),
        _ => arrow::compute::cast(&values, &ty.to_arrow()).expect("numeric result"),
    }
}

fn variance(kind: VarianceKind, m: &Moments) -> Option<f64> {
    match kind {
        VarianceKind::Sample => (m.n > 1.0).then(|| m.m2 / (m.n - 1.0)),
        VarianceKind::Population => (m.n > 0.0).then(|| m.m2 / m.n),
        VarianceKind::StddevSample => (m.n > 1.0).then(|| (m.m2 / (m.n - 1.0)).sqrt()),
        VarianceKind::StddevPopulation => (m.n > 0.0).then(|| (m.m2 / m.n).sqrt()),
    }
}

fn decimals(values: Vec<Option<i128>>, ty: &SqlType) -> ArrayRef {
    let SqlType::Decimal(p, s) = ty else {
        unreachable!("decimal aggregates return decimals")
    };
    let array: Decimal128Array = values.into_iter().collect();
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
        DataType::Float64 => array.as_primitive().clone(),
        DataType::Duration(_) | DataType::Interval(_) => as_i64(array).unary(|v| v as f64),
        _ => arrow::compute::cast(array, &DataType::Float64)
            .expect("numeric to double")
            .as_primitive()
            .clone(),
    }
}
