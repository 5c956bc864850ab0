//! The CSV file Athena writes to a query's output location: a header row, every value in
//! double quotes with `"` doubled, NULL as an empty unquoted field, values as Trino prints
//! them (`2022-06-12 00:00:01.000`, `42.5`, `true`).

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Date32Type, Float32Type, Float64Type, SchemaRef, TimeUnit, TimestampMillisecondType,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::value;

/// Writes the result file of a query with `schema` and `batches`.
pub fn write_result_csv(schema: &SchemaRef, batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = String::new();
    let header: Vec<String> = schema.fields().iter().map(|f| quoted(f.name())).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    let mut text = String::new();
    for batch in batches {
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| printable(c.as_ref()))
            .collect();
        for row in 0..batch.num_rows() {
            for (index, column) in columns.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                if column.is_null(row) {
                    continue;
                }
                text.clear();
                push_value(column.as_ref(), row, &mut text);
                out.push_str(&quoted(&text));
            }
            out.push('\n');
        }
    }
    out.into_bytes()
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Timestamps of any unit print at Trino's `timestamp(3)` precision.
fn printable(column: &dyn Array) -> arrow::array::ArrayRef {
    let array = arrow::array::make_array(column.to_data());
    match column.data_type() {
        DataType::Timestamp(unit, zone) if *unit != TimeUnit::Millisecond => cast(
            &array,
            &DataType::Timestamp(TimeUnit::Millisecond, zone.clone()),
        )
        .expect("timestamps cast between units"),
        _ => array,
    }
}

fn push_value(column: &dyn Array, row: usize, out: &mut String) {
    match column.data_type() {
        DataType::Float64 => {
            value::format_java_double(column.as_primitive::<Float64Type>().value(row), out);
        }
        DataType::Float32 => {
            value::format_java_float(column.as_primitive::<Float32Type>().value(row), out);
        }
        DataType::Date32 => {
            value::format_date(column.as_primitive::<Date32Type>().value(row).into(), out);
        }
        DataType::Timestamp(_, _) => value::format_trino_timestamp(
            column.as_primitive::<TimestampMillisecondType>().value(row),
            out,
        ),
        DataType::Utf8 => out.push_str(column.as_string::<i32>().value(row)),
        _ => {
            let options = FormatOptions::default();
            let formatter =
                ArrayFormatter::try_new(column, &options).expect("every Arrow type displays");
            out.push_str(&formatter.value(row).to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::TimestampMillisecondArray;
    use arrow::array::{BooleanArray, Float64Array, Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn quotes_every_value_and_leaves_null_empty() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("device_name", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
            Field::new("metric", DataType::Float64, true),
            Field::new("ok", DataType::Boolean, true),
            Field::new(
                "timestamp",
                DataType::Timestamp(TimeUnit::Millisecond, None),
                true,
            ),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("say \"hi\", ok"), None])),
                Arc::new(Int64Array::from(vec![Some(-3), None])),
                Arc::new(Float64Array::from(vec![Some(42.5), Some(1e10)])),
                Arc::new(BooleanArray::from(vec![Some(true), None])),
                Arc::new(TimestampMillisecondArray::from(vec![
                    Some(1_655_000_001_000),
                    None,
                ])),
            ],
        )
        .unwrap();
        let csv = String::from_utf8(write_result_csv(&schema, &[batch])).unwrap();
        assert_eq!(
            csv,
            "\"device_name\",\"n\",\"metric\",\"ok\",\"timestamp\"\n\
             \"say \"\"hi\"\", ok\",\"-3\",\"42.5\",\"true\",\"2022-06-12 02:13:21.000\"\n\
             ,,\"1.0E10\",,\n"
        );
    }
}
