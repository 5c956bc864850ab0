//! Test support: an in-memory `TableSource` that records what it is asked for, sample tables,
//! and a plain-text rendering of results and errors for `check(sql, expect)` tests.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use super::{
    QueryContext, QueryResult, Statement, execute_query, format_value, parse_statement, trino_type,
};
use crate::table::{ScanError, ScanOutput, ScanRequest, TableName, TableSource};

/// Tables held in memory. Scans honour the projection, ignore the filters (the query applies
/// them anyway) and record every request.
#[derive(Default)]
pub(super) struct MemTable {
    tables: BTreeMap<TableName, (SchemaRef, Vec<RecordBatch>)>,
    pub requests: RefCell<Vec<(TableName, ScanRequest)>>,
}

impl MemTable {
    pub fn with(mut self, database: &str, table: &str, batches: Vec<RecordBatch>) -> MemTable {
        let schema = batches[0].schema();
        let name = TableName {
            database: database.into(),
            table: table.into(),
        };
        self.tables.insert(name, (schema, batches));
        self
    }
}

impl TableSource for MemTable {
    fn schema(&self, name: &TableName) -> Option<SchemaRef> {
        self.tables.get(name).map(|(schema, _)| schema.clone())
    }

    fn database_exists(&self, database: &str) -> bool {
        self.tables.keys().any(|t| t.database == database)
    }

    fn scan(&self, name: &TableName, request: &ScanRequest) -> Result<ScanOutput, ScanError> {
        self.requests
            .borrow_mut()
            .push((name.clone(), request.clone()));
        let (_, batches) = self.tables.get(name).ok_or_else(|| ScanError {
            code: "TABLE_NOT_FOUND".into(),
            message: format!("no table {name}"),
        })?;
        let batches: Vec<RecordBatch> = match &request.projection {
            Some(columns) => batches
                .iter()
                .map(|b| b.project(columns).expect("projection in bounds"))
                .collect(),
            None => batches.clone(),
        };
        // Eight bytes a value: deterministic, and it shrinks with the projection.
        let bytes_scanned = batches
            .iter()
            .map(|b| (b.num_rows() * b.num_columns() * 8) as u64)
            .sum();
        Ok(ScanOutput {
            batches,
            bytes_scanned,
        })
    }
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("test batch")
}

/// The course's `logs` table (`timestamp` is a string, as the JSON SerDe reads it).
pub(super) fn logs() -> RecordBatch {
    batch(vec![
        (
            "timestamp",
            Arc::new(StringArray::from(vec![
                "2022-06-12 00:00:00",
                "2022-06-12 00:01:00",
                "2022-06-12 00:02:00",
                "2022-06-12 00:04:59",
                "2022-06-12 00:05:00",
                "2022-06-12 00:06:00",
            ])),
        ),
        (
            "device_name",
            Arc::new(StringArray::from(vec![
                Some("sensor-a"),
                Some("sensor-b"),
                Some("sensor-a"),
                Some("sensor-c"),
                Some("sensor-b"),
                None,
            ])),
        ),
        (
            "metric",
            Arc::new(Float64Array::from(vec![
                Some(10.5),
                Some(20.0),
                None,
                Some(7.25),
                Some(30.0),
                Some(1.0),
            ])),
        ),
    ])
}

/// A table with one column of each common type, in two batches.
pub(super) fn types() -> Vec<RecordBatch> {
    let ts = |s: &str| super::time::parse_timestamp(s, false).expect("test timestamp");
    let make = |rows: std::ops::Range<usize>| {
        let i: Vec<Option<i32>> = vec![Some(1), Some(-7), Some(2147483647), None, Some(0)];
        let b: Vec<Option<i64>> = vec![
            Some(10),
            Some(20),
            None,
            Some(-5),
            Some(9223372036854775807),
        ];
        let d: Vec<Option<f64>> = vec![Some(1.5), Some(-0.25), Some(1e10), None, Some(0.0)];
        let s: Vec<Option<&str>> =
            vec![Some("apple"), Some("Banana"), None, Some("ñandú"), Some("")];
        let dec: Vec<Option<i128>> = vec![Some(12345), Some(-50), None, Some(100), Some(1)];
        let t: Vec<Option<i64>> = vec![
            Some(ts("2022-06-12 00:05:00")),
            Some(ts("2021-01-31 23:59:59.999")),
            None,
            Some(ts("2022-12-31 12:00:00")),
            Some(0),
        ];
        let dt: Vec<Option<i32>> = vec![Some(19155), Some(0), None, Some(-1), Some(18000)];
        let flag: Vec<Option<bool>> = vec![Some(true), Some(false), None, Some(true), Some(false)];
        batch(vec![
            ("i", Arc::new(Int32Array::from(i[rows.clone()].to_vec()))),
            ("b", Arc::new(Int64Array::from(b[rows.clone()].to_vec()))),
            ("d", Arc::new(Float64Array::from(d[rows.clone()].to_vec()))),
            ("s", Arc::new(StringArray::from(s[rows.clone()].to_vec()))),
            (
                "dec",
                Arc::new(
                    Decimal128Array::from(dec[rows.clone()].to_vec())
                        .with_precision_and_scale(5, 2)
                        .unwrap(),
                ),
            ),
            (
                "ts",
                Arc::new(TimestampMillisecondArray::from(t[rows.clone()].to_vec())),
            ),
            ("dt", Arc::new(Date32Array::from(dt[rows.clone()].to_vec()))),
            ("flag", Arc::new(BooleanArray::from(flag[rows].to_vec()))),
        ])
    };
    vec![make(0..3), make(3..5)]
}

pub(super) fn source() -> MemTable {
    MemTable::default()
        .with("default", "logs", vec![logs()])
        .with("default", "types", types())
}

pub(super) fn context() -> QueryContext {
    QueryContext {
        now_ms: super::time::parse_timestamp("2022-06-12 00:05:30.250", false).expect("test clock"),
        default_database: "default".into(),
        catalog_name: "awsdatacatalog".into(),
    }
}

/// Runs a query on `source` and renders the result or the error.
pub(super) fn run_on(source: &MemTable, sql: &str) -> String {
    let result = match parse_statement(sql) {
        Ok(Statement::Query(query)) => execute_query(&query, source, &context()),
        Ok(other) => panic!("not a query: {other:?}"),
        Err(e) => Err(e),
    };
    match result {
        Ok(result) => render(&result),
        Err(error) => match &error.hint {
            Some(hint) => format!("{error}\nhint: {hint}"),
            None => error.to_string(),
        },
    }
}

pub(super) fn run(sql: &str) -> String {
    run_on(&source(), sql)
}

/// `name type | …` then one line per row, values as Athena shows them.
pub(super) fn render(result: &QueryResult) -> String {
    let header: Vec<String> = result
        .schema
        .fields()
        .iter()
        .map(|f| format!("{} {}", f.name(), trino_type(f)))
        .collect();
    let mut lines = vec![header.join(" | ")];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .map(|c| format_value(c.as_ref(), row).unwrap_or_else(|| "NULL".into()))
                .collect();
            lines.push(cells.join(" | "));
        }
    }
    lines.join("\n")
}

/// Runs `sql` and compares the rendering with `expect` (indentation and blank edges ignored).
pub(super) fn check(sql: &str, expect: &str) {
    let expect: Vec<&str> = expect.trim().lines().map(str::trim).collect();
    assert_eq!(run(sql), expect.join("\n"), "\n{sql}");
}

#[test]
fn mem_table_honours_projection() {
    let source = source();
    let request = ScanRequest {
        projection: Some(vec![2, 0]),
        filters: vec![],
    };
    let name = TableName {
        database: "default".into(),
        table: "logs".into(),
    };
    let output = source.scan(&name, &request).unwrap();
    let schema = output.batches[0].schema();
    let fields: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(fields, vec!["metric", "timestamp"]);
    assert_eq!(*output.batches[0].column(0).data_type(), DataType::Float64);
    assert_eq!(
        DataType::Timestamp(TimeUnit::Millisecond, None),
        types()[0].column(5).data_type().clone()
    );
}
