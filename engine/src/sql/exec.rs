//! Executes a `QueryPlan` on Arrow batches: scan (or values), filter, aggregate, having,
//! project, distinct, sort and offset/limit, counting what the scans read.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow::compute::{SortOptions, concat, concat_batches, filter_record_batch};
use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::row::{RowConverter, SortField};

use super::aggregate;
use super::bind::one_row_batch;
use super::error::{ErrorCode, SqlError};
use super::eval::{eval, eval_predicate, take_rows};
use super::expr::Expr;
use super::plan::{QueryPlan, Source};
use super::types::SqlType;
use crate::table::{ScanError, TableSource};

/// What the scans of a query read.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ScanStats {
    pub bytes_scanned: u64,
    pub rows_read: u64,
}

/// Runs `plan`; the batches have the plan's visible columns.
pub(super) fn run(
    plan: &QueryPlan,
    source: &dyn TableSource,
    stats: &mut ScanStats,
) -> Result<Vec<RecordBatch>, SqlError> {
    let mut batches = read(&plan.source, source, stats)?;
    if let Some(filter) = &plan.filter {
        batches = batches
            .iter()
            .map(|b| keep(b, filter))
            .collect::<Result<_, _>>()?;
    }
    if let Some(aggregate) = &plan.aggregate {
        let mut fields: Vec<Field> = Vec::new();
        for (i, key) in aggregate.keys.iter().enumerate() {
            fields.push(Field::new(format!("_key{i}"), key.ty.to_arrow(), true));
        }
        for (j, call) in aggregate.calls.iter().enumerate() {
            fields.push(Field::new(format!("_agg{j}"), call.ty.to_arrow(), true));
        }
        let grouped = aggregate::run(aggregate, &batches, Arc::new(Schema::new(fields)))?;
        batches = vec![grouped];
        if let Some(having) = &plan.having {
            batches = batches
                .iter()
                .map(|b| keep(b, having))
                .collect::<Result<_, _>>()?;
        }
    }
    let mut rows = project(plan, &batches)?;
    if plan.distinct {
        rows = distinct(rows)?;
    }
    if !plan.order_by.is_empty() {
        rows = sort(plan, rows)?;
    }
    let rows = offset_limit(rows, plan.offset, plan.limit);
    let schema = plan.schema();
    Ok(rows
        .into_iter()
        .map(|b| {
            let columns = b.columns()[..plan.visible].to_vec();
            let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
            RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                .expect("visible columns match the schema")
        })
        .collect())
}

fn keep(batch: &RecordBatch, predicate: &Expr) -> Result<RecordBatch, SqlError> {
    let selected = eval_predicate(predicate, batch)?;
    Ok(filter_record_batch(batch, &selected).expect("predicate has one value per row"))
}

fn read(
    source: &Source,
    tables: &dyn TableSource,
    stats: &mut ScanStats,
) -> Result<Vec<RecordBatch>, SqlError> {
    match source {
        Source::Table {
            name,
            request,
            types,
        } => {
            let output = tables.scan(name, request).map_err(scan_error)?;
            stats.bytes_scanned += output.bytes_scanned;
            let batches = output
                .batches
                .iter()
                .map(|b| conform(b, types))
                .collect::<Result<Vec<_>, _>>()?;
            stats.rows_read += batches.iter().map(|b| b.num_rows() as u64).sum::<u64>();
            Ok(batches)
        }
        Source::Values { rows, types } => Ok(vec![values(rows, types)?]),
        Source::Subquery(inner) => run(inner, tables, stats),
        Source::Single => Ok(vec![one_row_batch()]),
    }
}

fn scan_error(e: ScanError) -> SqlError {
    SqlError::new(ErrorCode::Storage(e.code), None, e.message)
}

/// A scanned batch in the Arrow types the plan expects (the storage may hand over, say, large
/// strings); a batch of the wrong width breaks the `TableSource` contract.
fn conform(batch: &RecordBatch, types: &[SqlType]) -> Result<RecordBatch, SqlError> {
    if batch.num_columns() != types.len() {
        return Err(SqlError::new(
            ErrorCode::Storage("GENERIC_INTERNAL_ERROR".into()),
            None,
            format!(
                "The storage returned {} columns where the query asked for {}",
                batch.num_columns(),
                types.len()
            ),
        ));
    }
    let mut fields = Vec::with_capacity(types.len());
    let mut columns = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        let wanted = ty.to_arrow();
        let column = batch.column(i);
        let column = if *column.data_type() == wanted {
            column.clone()
        } else {
            arrow::compute::cast(column, &wanted).map_err(|e| {
                SqlError::new(
                    ErrorCode::Storage("HIVE_BAD_DATA".into()),
                    None,
                    format!("Column {i} could not be read as {ty}: {e}"),
                )
            })?
        };
        fields.push(Field::new(format!("c{i}"), wanted, true));
        columns.push(column);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)
            .expect("conformed columns"),
    )
}

fn values(rows: &[Vec<Expr>], types: &[SqlType]) -> Result<RecordBatch, SqlError> {
    let one = one_row_batch();
    let mut columns: Vec<Vec<ArrayRef>> = vec![Vec::with_capacity(rows.len()); types.len()];
    for row in rows {
        for (i, e) in row.iter().enumerate() {
            columns[i].push(eval(e, &one)?.into_array(1));
        }
    }
    let fields: Vec<Field> = types
        .iter()
        .enumerate()
        .map(|(i, t)| Field::new(format!("_col{i}"), t.to_arrow(), true))
        .collect();
    let columns = columns
        .iter()
        .map(|parts| {
            let parts: Vec<&dyn arrow::array::Array> = parts.iter().map(|a| a.as_ref()).collect();
            concat(&parts).expect("values of one type")
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
    Ok(
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)
            .expect("values match their types"),
    )
}

/// Evaluates the outputs on every batch. Without ORDER BY or DISTINCT, stops once LIMIT rows
/// past OFFSET are there.
fn project(plan: &QueryPlan, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>, SqlError> {
    let fields: Vec<Field> = plan
        .outputs
        .iter()
        .zip(&plan.names)
        .map(|(e, name)| Field::new(name, e.ty.to_arrow(), true))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let enough = match plan.limit {
        Some(limit) if plan.order_by.is_empty() && !plan.distinct => Some(plan.offset + limit),
        _ => None,
    };
    let mut projected = Vec::new();
    let mut rows = 0;
    for batch in batches {
        if enough.is_some_and(|n| rows >= n) {
            break;
        }
        let columns = plan
            .outputs
            .iter()
            .map(|o| Ok(eval(o, batch)?.into_array(batch.num_rows())))
            .collect::<Result<Vec<_>, SqlError>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        projected.push(
            RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                .expect("outputs match their schema"),
        );
        rows += batch.num_rows();
    }
    Ok(projected)
}

/// Keeps the first of equal rows, in input order.
fn distinct(batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>, SqlError> {
    let Some(first) = batches.first() else {
        return Ok(batches);
    };
    let fields = first
        .schema()
        .fields()
        .iter()
        .map(|f| SortField::new(f.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields)
        .map_err(|e| SqlError::not_supported(None, format!("DISTINCT on these types: {e}")))?;
    let mut seen: HashSet<Box<[u8]>> = HashSet::new();
    let mut kept = Vec::with_capacity(batches.len());
    for batch in &batches {
        let rows = converter
            .convert_columns(batch.columns())
            .map_err(|e| SqlError::not_supported(None, e.to_string()))?;
        let indices: Vec<u32> = (0..batch.num_rows())
            .filter(|&i| seen.insert(rows.row(i).as_ref().into()))
            .map(|i| i as u32)
            .collect();
        kept.push(take_rows(batch, &UInt32Array::from(indices)));
    }
    Ok(kept)
}

/// ORDER BY: every key column goes through Arrow's row format, whose bytes compare in the order
/// the keys ask for (direction and null placement per column), so the rows sort with one
/// comparison of byte strings. Ties keep their input order, with or without a LIMIT. (Arrow's
/// `lexsort_to_indices` would instantiate a sort per column type: about half a megabyte of wasm.)
fn sort(plan: &QueryPlan, batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>, SqlError> {
    let Some(first) = batches.first() else {
        return Ok(batches);
    };
    let all = concat_batches(&first.schema(), &batches).expect("batches of one schema");
    let (fields, columns): (Vec<SortField>, Vec<ArrayRef>) = plan
        .order_by
        .iter()
        .map(|k| {
            let column = all.column(k.column).clone();
            let options = SortOptions {
                descending: k.descending,
                nulls_first: k.nulls_first,
            };
            (
                SortField::new_with_options(column.data_type().clone(), options),
                column,
            )
        })
        .unzip();
    let not_supported = |e: arrow::error::ArrowError| {
        SqlError::not_supported(None, format!("ORDER BY on this type: {e}"))
    };
    let rows = RowConverter::new(fields)
        .and_then(|converter| converter.convert_columns(&columns))
        .map_err(not_supported)?;
    let mut indices: Vec<u32> = (0..all.num_rows() as u32).collect();
    let order = |a: &u32, b: &u32| {
        rows.row(*a as usize)
            .cmp(&rows.row(*b as usize))
            .then(a.cmp(b))
    };
    let limit = plan.limit.map(|l| l + plan.offset);
    match limit {
        Some(limit) if limit < indices.len() => {
            if limit > 0 {
                indices.select_nth_unstable_by(limit - 1, order);
            }
            indices.truncate(limit);
        }
        _ => {}
    }
    indices.sort_unstable_by(order);
    Ok(vec![take_rows(&all, &UInt32Array::from(indices))])
}

fn offset_limit(
    batches: Vec<RecordBatch>,
    offset: usize,
    limit: Option<usize>,
) -> Vec<RecordBatch> {
    let mut skip = offset;
    let mut left = limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for batch in batches {
        if left == 0 {
            break;
        }
        let rows = batch.num_rows();
        if skip >= rows {
            skip -= rows;
            continue;
        }
        let length = (rows - skip).min(left);
        out.push(batch.slice(skip, length));
        left -= length;
        skip = 0;
    }
    out
}

#[cfg(test)]
mod tests {
    use arrow::array::RecordBatch;

    use crate::sql::testing::{check, run, run_on, source};
    use crate::table::{ColumnFilter, FilterOp, Literal};

    const COURSE_FILTER: &str = "SELECT * FROM logs WHERE \"timestamp\" >= '2022-06-12 00:00:00' AND \"timestamp\" < '2022-06-12 00:05:00'";

    #[test]
    fn runs_the_course_compaction_query() {
        check(
            COURSE_FILTER,
            "
            timestamp varchar | device_name varchar | metric double
            2022-06-12 00:00:00 | sensor-a | 10.5
            2022-06-12 00:01:00 | sensor-b | 20.0
            2022-06-12 00:02:00 | sensor-a | NULL
            2022-06-12 00:04:59 | sensor-c | 7.25
        ",
        );
    }

    #[test]
    fn groups_counts_and_averages_in_first_seen_order() {
        check(
            "SELECT device_name, count(*), avg(metric) FROM logs GROUP BY 1",
            "
            device_name varchar | _col1 bigint | _col2 double
            sensor-a | 2 | 10.5
            sensor-b | 2 | 25.0
            sensor-c | 1 | 7.25
            NULL | 1 | 1.0
        ",
        );
        check(
            "SELECT count(*), count(metric), sum(metric), min(metric), max(device_name) FROM logs WHERE metric > 100",
            "
            _col0 bigint | _col1 bigint | _col2 double | _col3 double | _col4 varchar
            0 | 0 | NULL | NULL | NULL
        ",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/sql/query/TestOrderBy.java
    // (null ordering defaults): NULLS LAST in both directions.
    #[test]
    fn orders_with_nulls_last_by_default() {
        check(
            "SELECT device_name, metric FROM logs ORDER BY metric DESC",
            "
            device_name varchar | metric double
            sensor-b | 30.0
            sensor-b | 20.0
            sensor-a | 10.5
            sensor-c | 7.25
            NULL | 1.0
            sensor-a | NULL
        ",
        );
        check(
            "SELECT metric FROM logs ORDER BY metric",
            "
            metric double
            1.0
            7.25
            10.5
            20.0
            30.0
            NULL
        ",
        );
        check(
            "SELECT device_name AS d FROM logs ORDER BY d NULLS FIRST, metric LIMIT 3",
            "
            d varchar
            NULL
            sensor-a
            sensor-a
        ",
        );
    }

    #[test]
    fn ties_keep_input_order_with_or_without_a_limit() {
        // The logs hold sensor-a (10.5), sensor-b (20.0), sensor-a (NULL), sensor-c, sensor-b
        // (30.0) and a NULL device, in that order: the two sensor-a rows tie on the key.
        let full = "
            device_name varchar | metric double
            sensor-a | 10.5
            sensor-a | NULL
            sensor-b | 20.0
            sensor-b | 30.0
        ";
        check(
            "SELECT device_name, metric FROM logs ORDER BY device_name LIMIT 4",
            full,
        );
        check(
            "SELECT device_name, metric FROM logs ORDER BY device_name LIMIT 1",
            "
            device_name varchar | metric double
            sensor-a | 10.5
        ",
        );
        check(
            "SELECT device_name, metric FROM logs ORDER BY device_name LIMIT 3 OFFSET 1",
            "
            device_name varchar | metric double
            sensor-a | NULL
            sensor-b | 20.0
            sensor-b | 30.0
        ",
        );
    }

    #[test]
    fn applies_offset_and_limit_after_ordering() {
        check(
            "SELECT device_name, metric FROM logs ORDER BY 1, 2 DESC NULLS FIRST LIMIT 3 OFFSET 1",
            "
            device_name varchar | metric double
            sensor-a | 10.5
            sensor-b | 30.0
            sensor-b | 20.0
        ",
        );
        check(
            "SELECT metric FROM logs OFFSET 4",
            "
            metric double
            30.0
            1.0
        ",
        );
        check("SELECT metric FROM logs LIMIT 0", "metric double");
        check(
            "SELECT metric FROM logs ORDER BY metric FETCH FIRST 2 ROWS ONLY",
            "
            metric double
            1.0
            7.25
        ",
        );
    }

    #[test]
    fn removes_duplicate_rows() {
        check(
            "SELECT DISTINCT device_name FROM logs",
            "
            device_name varchar
            sensor-a
            sensor-b
            sensor-c
            NULL
        ",
        );
        check(
            "SELECT DISTINCT substr(\"timestamp\", 1, 10) AS day FROM logs",
            "
            day varchar
            2022-06-12
        ",
        );
    }

    #[test]
    fn reads_values_subqueries_and_ctes() {
        check(
            "SELECT x, y FROM (VALUES (1, 'a'), (2, 'b')) AS t(x, y)",
            "
            x integer | y varchar(1)
            1 | a
            2 | b
        ",
        );
        check(
            "VALUES (1, 'a'), (2, NULL) ORDER BY 1 DESC",
            "
            _col0 integer | _col1 varchar(1)
            2 | NULL
            1 | a
        ",
        );
        check(
            "WITH a AS (SELECT device_name AS d, metric FROM logs WHERE metric > 5), \
             b (name, total) AS (SELECT d, sum(metric) FROM a GROUP BY d) \
             SELECT * FROM b ORDER BY total DESC",
            "
            name varchar | total double
            sensor-b | 50.0
            sensor-a | 10.5
            sensor-c | 7.25
        ",
        );
        check(
            "SELECT s.n FROM (SELECT count(*) AS n FROM logs) s",
            "
            n bigint
            6
        ",
        );
        check(
            "SELECT 1 + 2, 'x' || 'y', 1.5",
            "
            _col0 integer | _col1 varchar | _col2 decimal(2,1)
            3 | xy | 1.5
        ",
        );
    }

    #[test]
    fn reads_only_the_needed_columns_and_passes_simple_filters() {
        let source = source();
        run_on(
            &source,
            "SELECT device_name FROM logs WHERE metric > 10 AND device_name = 'x' AND upper(device_name) = 'X'",
        );
        let requests = source.requests.borrow();
        let (name, request) = &requests[0];
        assert_eq!(name.to_string(), "default.logs");
        assert_eq!(request.projection, Some(vec![1, 2]));
        assert_eq!(
            request.filters,
            vec![
                ColumnFilter {
                    column: 2,
                    op: FilterOp::Gt,
                    value: Literal::Float(10.0)
                },
                ColumnFilter {
                    column: 1,
                    op: FilterOp::Eq,
                    value: Literal::Utf8("x".into())
                },
            ]
        );
    }

    #[test]
    fn flips_literal_first_filters_and_reads_no_columns_for_count_star() {
        let source = source();
        run_on(
            &source,
            "SELECT count(*) FROM types WHERE 5 <= i AND dt < DATE '2022-01-01' AND ts >= TIMESTAMP '2022-06-12 00:00:00'",
        );
        run_on(&source, "SELECT count(*) FROM types");
        run_on(
            &source,
            "SELECT s FROM types WHERE ts > current_timestamp - INTERVAL '1' HOUR",
        );
        let requests = source.requests.borrow();
        assert_eq!(requests[0].1.projection, Some(vec![0, 5, 6]));
        assert_eq!(
            requests[0].1.filters,
            vec![
                ColumnFilter {
                    column: 0,
                    op: FilterOp::GtEq,
                    value: Literal::Int(5)
                },
                ColumnFilter {
                    column: 6,
                    op: FilterOp::Lt,
                    value: Literal::Date(18993)
                },
                ColumnFilter {
                    column: 5,
                    op: FilterOp::GtEq,
                    value: Literal::TimestampMs(1_654_992_000_000)
                },
            ]
        );
        assert_eq!(requests[1].1.projection, Some(vec![]));
        let an_hour_before_the_clock = 1_654_992_330_250 - 3_600_000;
        assert_eq!(
            requests[2].1.filters,
            vec![ColumnFilter {
                column: 5,
                op: FilterOp::Gt,
                value: Literal::TimestampMs(an_hour_before_the_clock)
            }]
        );
        assert_eq!(run("SELECT count(*) FROM types"), "_col0 bigint\n5");
    }

    #[test]
    fn counts_bytes_and_rows_read() {
        let source = source();
        let query = match crate::sql::parse_statement("SELECT metric FROM logs WHERE metric > 10")
            .unwrap()
        {
            crate::sql::Statement::Query(q) => q,
            _ => unreachable!(),
        };
        let result =
            crate::sql::execute_query(&query, &source, &crate::sql::testing::context()).unwrap();
        assert_eq!((result.bytes_scanned, result.rows_read), (6 * 8, 6));
        assert_eq!(
            result.batches.iter().map(|b| b.num_rows()).sum::<usize>(),
            3
        );
    }

    fn metrics(values: &[Option<i32>]) -> crate::sql::testing::MemTable {
        use std::sync::Arc;
        let schema = Arc::new(arrow::datatypes::Schema::new(vec![
            arrow::datatypes::Field::new("v", arrow::datatypes::DataType::Int32, true),
        ]));
        let array = arrow::array::Int32Array::from(values.to_vec());
        let batch = RecordBatch::try_new(schema, vec![Arc::new(array)]).unwrap();
        let half = batch.num_rows() / 2;
        crate::sql::testing::MemTable::default().with(
            "default",
            "t",
            vec![
                batch.slice(0, half),
                batch.slice(half, batch.num_rows() - half),
            ],
        )
    }

    proptest::proptest! {
        // Trino's default: ascending or descending, NULLs come last; every row survives.
        #[test]
        fn order_by_sorts_with_nulls_last(
            values in proptest::collection::vec(proptest::option::of(-50i32..50), 1..40),
            descending in proptest::bool::ANY,
        ) {
            let direction = if descending { "DESC" } else { "ASC" };
            let out = run_on(&metrics(&values), &format!("SELECT v FROM t ORDER BY v {direction}"));
            let sorted: Vec<Option<i32>> = out.lines().skip(1).map(|l| l.parse().ok()).collect();
            proptest::prop_assert_eq!(sorted.len(), values.len());
            let nulls = values.iter().filter(|v| v.is_none()).count();
            proptest::prop_assert!(sorted[sorted.len() - nulls..].iter().all(Option::is_none));
            let present: Vec<i32> = sorted.iter().flatten().copied().collect();
            let mut expected: Vec<i32> = values.iter().flatten().copied().collect();
            expected.sort();
            if descending {
                expected.reverse();
            }
            proptest::prop_assert_eq!(present, expected);
        }
    }
}
