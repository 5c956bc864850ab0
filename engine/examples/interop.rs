//! The engine's half of the cross-tool file check that `cargo xtask test` runs with
//! `interop/check.py`:
//!
//! - `interop write DIR` writes a fixed dataset with the engine in every format it writes
//!   (Parquet with each codec, JSON lines plain and gzipped, TSV, Athena's result CSV) plus
//!   `expected.json`, the rows every reader must see;
//! - `interop read DIR` reads the files pyarrow wrote into DIR and compares them with
//!   `DIR/pyarrow_expected.json`, exiting 1 with the differences.
//!
//! Rows are compared as JSON arrays: timestamps as `yyyy-MM-dd HH:mm:ss.SSS`, dates as
//! `yyyy-MM-dd`, NULL as `null`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::{env, fs};

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::datatypes::{
    DataType, Date32Type, Field, Float64Type, Int32Type, Int64Type, Schema, SchemaRef, TimeUnit,
    TimestampMillisecondType,
};
use engine::formats::{self, Compression, FileFormat, JsonOptions};
use engine::table::ScanRequest;
use serde_json::{Value, json};

/// The table both sides read and write: the course's log record plus the other column types.
fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("device_name", DataType::Utf8, true),
        Field::new("metric", DataType::Float64, true),
        Field::new("count", DataType::Int32, true),
        Field::new("ok", DataType::Boolean, true),
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            true,
        ),
        Field::new("day", DataType::Date32, true),
    ]))
}

/// Rows with unicode, quotes, commas, empty strings, NULLs in every column, negative and
/// large numbers and sub-second timestamps. No tabs or line breaks: the TSV has no escape
/// character, so neither pyarrow nor DuckDB would read them back.
fn dataset() -> RecordBatch {
    let names = [
        Some("device-17"),
        Some("센서 \"온도\", 1층"),
        Some(""),
        None,
        Some("emoji 😀 and 'quotes'"),
        Some("back\\slash"),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![
            Some(1),
            Some(-2),
            Some(9_007_199_254_740_993),
            None,
            Some(0),
            Some(6),
        ])),
        Arc::new(StringArray::from(names.to_vec())),
        Arc::new(Float64Array::from(vec![
            Some(42.5),
            Some(-0.001),
            Some(1e10),
            Some(0.1 + 0.2),
            None,
            Some(-1234.0),
        ])),
        Arc::new(Int32Array::from(vec![
            Some(7),
            None,
            Some(i32::MAX),
            Some(i32::MIN),
            Some(0),
            Some(3),
        ])),
        Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            None,
            Some(true),
            Some(false),
            Some(true),
        ])),
        Arc::new(TimestampMillisecondArray::from(vec![
            Some(1_654_992_001_000),
            Some(1_654_992_001_500),
            Some(1_654_992_059_999),
            Some(0),
            None,
            Some(-1_000),
        ])),
        Arc::new(Date32Array::from(vec![
            Some(19_155),
            Some(0),
            None,
            Some(-1),
            Some(19_156),
            Some(2_932_896),
        ])),
    ];
    RecordBatch::try_new(schema(), columns).expect("the dataset matches the schema")
}

/// Batches as JSON rows in the comparison spelling.
fn rows(batches: &[RecordBatch]) -> Vec<Value> {
    let mut rows = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let cells = batch.columns().iter().map(|column| cell(column, row));
            rows.push(Value::Array(cells.collect()));
        }
    }
    rows
}

fn cell(column: &ArrayRef, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => json!(column.as_primitive::<Int32Type>().value(row)),
        DataType::Float64 => json!(column.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => json!(column.as_boolean().value(row)),
        DataType::Utf8 => json!(column.as_string::<i32>().value(row)),
        DataType::Date32 => {
            let day = column.as_primitive::<Date32Type>().value(row);
            let date = chrono::NaiveDate::from_epoch_days(day).expect("a date in chrono's range");
            json!(date.format("%Y-%m-%d").to_string())
        }
        DataType::Timestamp(_, _) => {
            let millis = column.as_primitive::<TimestampMillisecondType>().value(row);
            let instant = chrono::DateTime::from_timestamp_millis(millis).expect("in range");
            json!(
                instant
                    .naive_utc()
                    .format("%Y-%m-%d %H:%M:%S%.3f")
                    .to_string()
            )
        }
        other => panic!("the interop schema has no {other} column"),
    }
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    fs::write(&path, bytes).map_err(|err| format!("writing {} failed: {err}", path.display()))
}

fn write(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|err| format!("creating {} failed: {err}", dir.display()))?;
    let (schema, batch) = (schema(), dataset());
    let batches = std::slice::from_ref(&batch);
    let json = FileFormat::Json(JsonOptions::default());
    let tsv = FileFormat::Delimited {
        field_delimiter: '\t',
        escape: None,
        skip_header_line_count: 0,
    };
    let files = [
        (
            "engine_snappy.parquet",
            FileFormat::Parquet,
            Compression::Snappy,
        ),
        (
            "engine_gzip.parquet",
            FileFormat::Parquet,
            Compression::Gzip,
        ),
        (
            "engine_none.parquet",
            FileFormat::Parquet,
            Compression::None,
        ),
        ("engine.json", json.clone(), Compression::None),
        ("engine.json.gz", json, Compression::Gzip),
        ("engine.tsv", tsv, Compression::None),
    ];
    for (name, format, compression) in files {
        let bytes = formats::write(&schema, batches, &format, compression)
            .map_err(|err| format!("writing {name} failed: {err}"))?;
        write_file(dir, name, &bytes)?;
    }
    write_file(
        dir,
        "engine_result.csv",
        &formats::write_result_csv(&schema, batches),
    )?;
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let expected = json!({ "columns": columns, "rows": rows(batches) });
    write_file(dir, "expected.json", expected.to_string().as_bytes())
}

/// The files `check.py write` leaves for the engine, and their formats.
const PYARROW_FILES: &[(&str, bool)] = &[
    ("pyarrow_snappy.parquet", true),
    ("pyarrow_gzip.parquet", true),
    ("pyarrow_int96.parquet", true),
    ("pyarrow_micros.parquet", true),
    ("pyarrow_lines.json", false),
];

fn read(dir: &Path) -> Result<(), String> {
    let path = dir.join("pyarrow_expected.json");
    let text = fs::read_to_string(&path)
        .map_err(|err| format!("reading {} failed: {err}", path.display()))?;
    let expected: Value = serde_json::from_str(&text).map_err(|err| err.to_string())?;
    let expected_rows = expected["rows"].as_array().cloned().unwrap_or_default();
    let mut failures = Vec::new();
    for &(name, parquet) in PYARROW_FILES {
        let path = dir.join(name);
        let bytes =
            fs::read(&path).map_err(|err| format!("reading {} failed: {err}", path.display()))?;
        let format = if parquet {
            FileFormat::Parquet
        } else {
            FileFormat::Json(JsonOptions::default())
        };
        let output =
            formats::read(&bytes, &format, &schema(), &ScanRequest::default()).map_err(|err| {
                format!(
                    "the engine could not read {name}: {}: {}",
                    err.code, err.message
                )
            })?;
        let actual = rows(&output.batches);
        if actual == expected_rows {
            eprintln!("ok   {name}: {} rows", actual.len());
            continue;
        }
        failures.push(name);
        eprintln!("FAIL {name}: the engine read other rows than pyarrow wrote");
        for index in 0..actual.len().max(expected_rows.len()) {
            let (got, want) = (actual.get(index), expected_rows.get(index));
            if got != want {
                eprintln!("  row {index}: engine {got:?}\n  row {index}: pyarrow {want:?}");
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("rows differ in {}", failures.join(", ")))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.as_slice() {
        [command, dir] if command == "write" => write(&PathBuf::from(dir)),
        [command, dir] if command == "read" => read(&PathBuf::from(dir)),
        _ => Err("usage: interop write DIR | interop read DIR".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("interop: {message}");
            ExitCode::FAILURE
        }
    }
}
