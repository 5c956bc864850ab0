//! Evaluates bound expressions on a whole `RecordBatch` at a time, with Arrow's kernels:
//! comparisons, three-valued logic, LIKE, IN, CASE (branch by branch on the rows that reach
//! it), casts and function calls.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, RecordBatch, RecordBatchOptions, StringArray,
    UInt32Array, new_null_array,
};
use arrow::compute::kernels::{boolean, cmp};
use arrow::compute::{interleave, prep_null_mask_filter, take};
use arrow::datatypes::{
    DataType, Decimal128Type, DurationMillisecondType, Float32Type, Float64Type, Int64Type,
    IntervalYearMonthType,
};

use super::arith;
use super::cast;
use super::error::SqlError;
use super::expr::{CmpOp, Expr, ExprKind, Value};
use super::functions;
use super::types::SqlType;

/// The value of `expr` for every row of `batch`.
pub(super) fn eval(expr: &Expr, batch: &RecordBatch) -> Result<Value, SqlError> {
    let rows = batch.num_rows();
    Ok(match &expr.kind {
        ExprKind::Column(c) => Value::Array(batch.column(c.index).clone()),
        ExprKind::Literal(value) => Value::Scalar(value.clone()),
        ExprKind::Aggregate(_) => {
            unreachable!("aggregates are replaced by columns before evaluation")
        }
        ExprKind::Not(e) => {
            let v = eval(e, batch)?;
            let negated = boolean::not(v.array().as_boolean()).expect("boolean input");
            Value::from_result(Arc::new(negated), v.is_scalar())
        }
        ExprKind::IsNull { expr: e, negated } => {
            let v = eval(e, batch)?;
            let array = v.array();
            let result = if *negated {
                arrow::compute::is_not_null(array)
            } else {
                arrow::compute::is_null(array)
            };
            Value::from_result(Arc::new(result.expect("any array")), v.is_scalar())
        }
        ExprKind::And(l, r) | ExprKind::Or(l, r) => {
            let and = matches!(expr.kind, ExprKind::And(..));
            logic(and, eval(l, batch)?, eval(r, batch)?, rows)
        }
        ExprKind::Compare { op, left, right } => {
            compare(*op, eval(left, batch)?, eval(right, batch)?, &left.ty)?
        }
        ExprKind::Arith { op, left, right } => {
            arith::eval(*op, eval(left, batch)?, eval(right, batch)?, &expr.ty, rows)?
        }
        ExprKind::Negate(e) => negate(eval(e, batch)?, &expr.ty)?,
        ExprKind::Cast {
            expr: inner,
            try_cast,
        } => {
            let v = eval(inner, batch)?;
            let converted = cast::cast(v.array(), &inner.ty, &expr.ty, *try_cast)?;
            Value::from_result(converted, v.is_scalar())
        }
        ExprKind::Case { whens, otherwise } => case(whens, otherwise.as_deref(), &expr.ty, batch)?,
        ExprKind::InList {
            expr: e,
            list,
            negated,
        } => in_list(e, list, *negated, batch)?,
        ExprKind::Like {
            expr: e,
            pattern,
            escape,
            negated,
        } => like(eval(e, batch)?, eval(pattern, batch)?, *escape, *negated)?,
        ExprKind::Call { func, args } => {
            let values = args
                .iter()
                .map(|a| eval(a, batch))
                .collect::<Result<Vec<_>, _>>()?;
            functions::eval(*func, values, rows, &expr.ty)?
        }
    })
}

/// Evaluates a predicate to a selection: true rows are kept, false and NULL dropped.
pub(super) fn eval_predicate(expr: &Expr, batch: &RecordBatch) -> Result<BooleanArray, SqlError> {
    let value = eval(expr, batch)?.into_array(batch.num_rows());
    Ok(nulls_false(value.as_boolean()))
}

/// The same booleans with NULL read as false.
pub(super) fn nulls_false(values: &BooleanArray) -> BooleanArray {
    if values.null_count() == 0 {
        return values.clone();
    }
    prep_null_mask_filter(values)
}

fn logic(and: bool, l: Value, r: Value, rows: usize) -> Value {
    let scalar = l.is_scalar() && r.is_scalar();
    let n = if scalar { 1 } else { rows };
    let (l, r) = (full(l, n), full(r, n));
    let (l, r) = (l.as_boolean(), r.as_boolean());
    let result = if and {
        boolean::and_kleene(l, r)
    } else {
        boolean::or_kleene(l, r)
    };
    Value::from_result(Arc::new(result.expect("same length")), scalar)
}

fn full(value: Value, rows: usize) -> ArrayRef {
    match value {
        Value::Scalar(s) if rows == 1 => s,
        other => other.into_array(rows),
    }
}

fn compare(op: CmpOp, l: Value, r: Value, operand: &SqlType) -> Result<Value, SqlError> {
    let scalar = l.is_scalar() && r.is_scalar();
    if *operand == SqlType::Unknown {
        let rows = l.array().len().max(r.array().len());
        return Ok(Value::from_result(
            new_null_array(&DataType::Boolean, rows),
            scalar,
        ));
    }
    let (ld, rd) = (l.datum(), r.datum());
    let result = match op {
        CmpOp::Eq => cmp::eq(&ld, &rd),
        CmpOp::NotEq => cmp::neq(&ld, &rd),
        CmpOp::Lt => cmp::lt(&ld, &rd),
        CmpOp::LtEq => cmp::lt_eq(&ld, &rd),
        CmpOp::Gt => cmp::gt(&ld, &rd),
        CmpOp::GtEq => cmp::gt_eq(&ld, &rd),
    }
    .map_err(|e| SqlError::not_supported(None, format!("Cannot compare {operand} values: {e}")))?;
    Ok(Value::from_result(Arc::new(result), scalar))
}

fn negate(v: Value, ty: &SqlType) -> Result<Value, SqlError> {
    let a = v.array();
    let negated: ArrayRef = match a.data_type() {
        DataType::Float64 => Arc::new(
            a.as_primitive::<Float64Type>()
                .unary::<_, Float64Type>(|x| -x),
        ),
        DataType::Float32 => Arc::new(
            a.as_primitive::<Float32Type>()
                .unary::<_, Float32Type>(|x| -x),
        ),
        DataType::Decimal128(p, s) => {
            let values = a
                .as_primitive::<Decimal128Type>()
                .unary::<_, Decimal128Type>(|x| -x);
            Arc::new(
                values
                    .with_precision_and_scale(*p, *s)
                    .expect("same decimal type"),
            )
        }
        DataType::Duration(_) => Arc::new(
            a.as_primitive::<DurationMillisecondType>()
                .unary::<_, DurationMillisecondType>(|x| -x),
        ),
        DataType::Interval(_) => Arc::new(
            a.as_primitive::<IntervalYearMonthType>()
                .unary::<_, IntervalYearMonthType>(|x| -x),
        ),
        _ => negate_integers(a, ty)?,
    };
    Ok(Value::from_result(negated, v.is_scalar()))
}

fn negate_integers(a: &ArrayRef, ty: &SqlType) -> Result<ArrayRef, SqlError> {
    let wide = arrow::compute::cast(a, &DataType::Int64).expect("integer to bigint");
    let wide = wide.as_primitive::<Int64Type>();
    let min = match ty {
        SqlType::TinyInt => i8::MIN as i64,
        SqlType::SmallInt => i16::MIN as i64,
        SqlType::Integer => i32::MIN as i64,
        _ => i64::MIN,
    };
    if let Some(v) = wide.iter().flatten().find(|v| *v == min) {
        return Err(SqlError::out_of_range(format!(
            "{ty} negation overflow: {v}"
        )));
    }
    let negated = wide.unary::<_, Int64Type>(|x| -x);
    Ok(arrow::compute::cast(&negated, a.data_type()).expect("in range"))
}

/// The rows of `batch` at `indices`, keeping the row count when there are no columns.
pub(super) fn take_rows(batch: &RecordBatch, indices: &UInt32Array) -> RecordBatch {
    let columns = batch
        .columns()
        .iter()
        .map(|c| take(c.as_ref(), indices, None).expect("indices in bounds"))
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(indices.len()));
    RecordBatch::try_new_with_options(batch.schema(), columns, &options).expect("same schema")
}

/// CASE, evaluating each branch only on the rows that choose it.
fn case(
    whens: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    ty: &SqlType,
    batch: &RecordBatch,
) -> Result<Value, SqlError> {
    let rows = batch.num_rows();
    let mut remaining: Vec<u32> = (0..rows as u32).collect();
    let mut parts: Vec<(Vec<u32>, ArrayRef)> = Vec::new();
    for (when, then) in whens {
        if remaining.is_empty() {
            break;
        }
        let subset = subset_of(batch, &remaining);
        let chosen = eval_predicate(when, &subset)?;
        let (mut hit, mut miss) = (Vec::new(), Vec::new());
        for (i, row) in remaining.iter().enumerate() {
            if chosen.value(i) {
                hit.push(*row)
            } else {
                miss.push(*row)
            }
        }
        if !hit.is_empty() {
            let values = eval(then, &subset_of(batch, &hit))?.into_array(hit.len());
            parts.push((hit, values));
        }
        remaining = miss;
    }
    if !remaining.is_empty() {
        let values = match otherwise {
            Some(e) => eval(e, &subset_of(batch, &remaining))?.into_array(remaining.len()),
            None => new_null_array(&ty.to_arrow(), remaining.len()),
        };
        parts.push((remaining, values));
    }
    Ok(Value::Array(assemble(&parts, rows, ty)))
}

fn subset_of(batch: &RecordBatch, rows: &[u32]) -> RecordBatch {
    if rows.len() == batch.num_rows() {
        return batch.clone();
    }
    take_rows(batch, &UInt32Array::from(rows.to_vec()))
}

/// Puts each part's values back at its rows.
fn assemble(parts: &[(Vec<u32>, ArrayRef)], rows: usize, ty: &SqlType) -> ArrayRef {
    if let [(_, values)] = parts
        && values.len() == rows
    {
        return values.clone();
    }
    if parts.is_empty() {
        return new_null_array(&ty.to_arrow(), rows);
    }
    let mut indices = vec![(0usize, 0usize); rows];
    for (p, (at, _)) in parts.iter().enumerate() {
        for (j, row) in at.iter().enumerate() {
            indices[*row as usize] = (p, j);
        }
    }
    let arrays: Vec<&dyn Array> = parts.iter().map(|(_, v)| v.as_ref()).collect();
    interleave(&arrays, &indices).expect("same types")
}

/// `x IN (a, b, …)`: true on a match, else NULL if anything compared was NULL, else false.
fn in_list(e: &Expr, list: &[Expr], negated: bool, batch: &RecordBatch) -> Result<Value, SqlError> {
    let rows = batch.num_rows();
    let value = eval(e, batch)?;
    let mut result: Option<Value> = None;
    for item in list {
        let equal = compare(CmpOp::Eq, value.clone(), eval(item, batch)?, &e.ty)?;
        result = Some(match result {
            None => equal,
            Some(acc) => logic(false, acc, equal, rows),
        });
    }
    let result = result.expect("IN lists are not empty");
    if !negated {
        return Ok(result);
    }
    let scalar = result.is_scalar();
    let negated = boolean::not(result.array().as_boolean()).expect("boolean input");
    Ok(Value::from_result(Arc::new(negated), scalar))
}

/// Rewrites a Trino LIKE pattern in Arrow's syntax, where a backslash escapes.
pub(super) fn arrow_pattern(pattern: &str, escape: Option<char>) -> Result<String, SqlError> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(next @ ('%' | '_')) => {
                    out.push('\\');
                    out.push(next);
                }
                Some(next) if Some(next) == escape => push_literal(&mut out, next),
                _ => {
                    return Err(SqlError::invalid_argument(
                        "Escape character must be followed by '%', '_' or the escape character",
                    ));
                }
            }
        } else {
            push_literal(&mut out, c);
        }
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c == '\\' {
        out.push('\\');
    }
    out.push(c);
}

fn like(
    value: Value,
    pattern: Value,
    escape: Option<char>,
    negated: bool,
) -> Result<Value, SqlError> {
    let scalar = value.is_scalar() && pattern.is_scalar();
    let patterns = pattern.array().as_string::<i32>();
    let translated: StringArray = patterns
        .iter()
        .map(|p| p.map(|p| arrow_pattern(p, escape)).transpose())
        .collect::<Result<_, _>>()?;
    let translated = if pattern.is_scalar() {
        Value::Scalar(Arc::new(translated))
    } else {
        Value::Array(Arc::new(translated))
    };
    let (v, p) = (value.datum(), translated.datum());
    let result = if negated {
        arrow::compute::kernels::comparison::nlike(&v, &p)
    } else {
        arrow::compute::kernels::comparison::like(&v, &p)
    }
    .map_err(|e| SqlError::invalid_argument(e.to_string()))?;
    Ok(Value::from_result(Arc::new(result), scalar))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestLikeFunctions.java
    #[test]
    fn translates_like_patterns() {
        assert_eq!(arrow_pattern("a%b_c", None).unwrap(), "a%b_c");
        assert_eq!(arrow_pattern("a\\%", None).unwrap(), "a\\\\%");
        assert_eq!(arrow_pattern("100#%", Some('#')).unwrap(), "100\\%");
        assert_eq!(arrow_pattern("a##b", Some('#')).unwrap(), "a#b");
        assert_eq!(arrow_pattern("a\\_b", Some('\\')).unwrap(), "a\\_b");
        assert_eq!(
            arrow_pattern("a#b", Some('#')).unwrap_err().to_string(),
            "INVALID_FUNCTION_ARGUMENT: Escape character must be followed by '%', '_' or the escape character"
        );
    }
}
