//! Reading an object the way S3 Select does before its SQL runs: CSV with the request's
//! `InputSerialization` (header handling, delimiters, quoting), JSON lines or documents with a
//! schema inferred from the records, and Parquet with the file's own schema. CSV values are
//! always strings, as in S3 Select, where queries `CAST` them.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, RecordBatch, StringBuilder,
};
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatchReader;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use super::decompressed;
use crate::table::ScanError;

/// `InputSerialization`: how the object is laid out. Compression (`GZIP`) is recognised from the
/// object's bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectInput {
    Csv(CsvInput),
    Json(JsonType),
    Parquet,
}

/// `InputSerialization.CSV`.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvInput {
    pub file_header_info: FileHeaderInfo,
    pub field_delimiter: char,
    pub quote_character: char,
    /// Before a quote inside a quoted field; the default `"` doubles quotes.
    pub quote_escape_character: char,
    pub record_delimiter: char,
    /// Lines starting with this character are skipped.
    pub comments: Option<char>,
    /// Whether a record delimiter inside quotes belongs to the field.
    pub allow_quoted_record_delimiter: bool,
}

impl Default for CsvInput {
    /// The API's defaults.
    fn default() -> Self {
        CsvInput {
            file_header_info: FileHeaderInfo::None,
            field_delimiter: ',',
            quote_character: '"',
            quote_escape_character: '"',
            record_delimiter: '\n',
            comments: None,
            allow_quoted_record_delimiter: false,
        }
    }
}

/// `FileHeaderInfo`: whether the first record names the columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileHeaderInfo {
    /// The first record is a header and names the columns.
    Use,
    /// The first record is a header; columns are only `_1`, `_2`, …
    Ignore,
    /// Every record is data; columns are `_1`, `_2`, …
    None,
}

/// `InputSerialization.JSON.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    /// One JSON object per line.
    Lines,
    /// JSON objects one after another, each possibly spanning lines.
    Document,
}

fn error(code: &str, file: &str) -> ScanError {
    ScanError {
        code: code.into(),
        message: format!(
            "An error occurred while parsing the {file} file. Check the file and try again."
        ),
    }
}

/// Reads the whole object as one batch for S3 Select.
pub fn read_for_select(bytes: &[u8], input: &SelectInput) -> Result<RecordBatch, ScanError> {
    let bytes = decompressed(bytes).map_err(|_| ScanError {
        code: "InvalidCompressionFormat".into(),
        message:
            "The file is not in a supported compression format. Only GZIP and BZIP2 are supported."
                .into(),
    })?;
    match input {
        SelectInput::Csv(csv) => Ok(read_csv(&String::from_utf8_lossy(&bytes), csv)),
        SelectInput::Json(kind) => read_json(&bytes, *kind),
        SelectInput::Parquet => read_parquet(&bytes),
    }
}

fn read_csv(text: &str, input: &CsvInput) -> RecordBatch {
    let mut records = split_records(text, input);
    let header = match input.file_header_info {
        FileHeaderInfo::None => None,
        FileHeaderInfo::Use | FileHeaderInfo::Ignore if records.is_empty() => None,
        FileHeaderInfo::Use | FileHeaderInfo::Ignore => Some(records.remove(0)),
    };
    let width = records
        .iter()
        .map(Vec::len)
        .chain(header.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    let names = (0..width).map(|index| match (&header, input.file_header_info) {
        (Some(header), FileHeaderInfo::Use) if index < header.len() => header[index].clone(),
        _ => format!("_{}", index + 1),
    });
    let schema = Arc::new(Schema::new(
        names
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns = (0..width)
        .map(|index| {
            let mut builder = StringBuilder::new();
            for record in &records {
                builder.append_option(record.get(index));
            }
            Arc::new(builder.finish()) as ArrayRef
        })
        .collect();
    RecordBatch::try_new(schema, columns).expect("every column has a value per record")
}

/// Splits CSV text into records of fields, skipping blank and comment lines.
fn split_records(text: &str, input: &CsvInput) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut end_record = |record: &mut Vec<String>, field: &mut String| {
        if input.record_delimiter == '\n' && field.ends_with('\r') {
            field.pop();
        }
        record.push(std::mem::take(field));
        let blank = record.len() == 1 && record[0].is_empty();
        let comment = input
            .comments
            .is_some_and(|comment| record[0].starts_with(comment));
        if !blank && !comment {
            records.push(std::mem::take(record));
        }
        record.clear();
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == input.quote_escape_character && chars.peek() == Some(&input.quote_character) {
                field.push(input.quote_character);
                chars.next();
            } else if c == input.quote_character {
                in_quotes = false;
            } else if c == input.record_delimiter && !input.allow_quoted_record_delimiter {
                in_quotes = false;
                end_record(&mut record, &mut field);
                at_field_start = true;
            } else {
                field.push(c);
            }
        } else if c == input.quote_character && at_field_start {
            in_quotes = true;
            at_field_start = false;
        } else if c == input.field_delimiter {
            record.push(std::mem::take(&mut field));
            at_field_start = true;
        } else if c == input.record_delimiter {
            end_record(&mut record, &mut field);
            at_field_start = true;
        } else {
            field.push(c);
            at_field_start = false;
        }
    }
    if !field.is_empty() || !record.is_empty() {
        end_record(&mut record, &mut field);
    }
    records
}

/// The JSON records of an object: every line's value (`LINES`) or every value in sequence
/// (`DOCUMENT`).
fn json_records(bytes: &[u8], kind: JsonType) -> Result<Vec<Value>, serde_json::Error> {
    match kind {
        JsonType::Document => serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .collect(),
        JsonType::Lines => bytes
            .split(|byte| *byte == b'\n')
            .filter(|line| line.iter().any(|byte| !byte.is_ascii_whitespace()))
            .map(serde_json::from_slice)
            .collect(),
    }
}

/// The schema S3 Select sees in JSON records: their keys in first-seen order, every column
/// nullable, numbers `Int64` unless some value has a fraction (`Float64`), and `Utf8` for
/// strings, nested values and keys whose values disagree in type.
pub fn infer_json_schema(bytes: &[u8]) -> SchemaRef {
    let records: Vec<Value> = serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .collect();
    Arc::new(schema_of(&records))
}

fn schema_of(records: &[Value]) -> Schema {
    let mut fields: Vec<(String, Option<DataType>)> = Vec::new();
    for object in records.iter().filter_map(Value::as_object) {
        for (key, value) in object {
            let seen = match fields.iter().position(|(name, _)| name == key) {
                Some(index) => index,
                None => {
                    fields.push((key.clone(), None));
                    fields.len() - 1
                }
            };
            let merged = merge(fields[seen].1.take(), value);
            fields[seen].1 = merged;
        }
    }
    Schema::new(
        fields
            .into_iter()
            .map(|(name, data_type)| Field::new(name, data_type.unwrap_or(DataType::Utf8), true))
            .collect::<Vec<_>>(),
    )
}

fn merge(known: Option<DataType>, value: &Value) -> Option<DataType> {
    let this = match value {
        Value::Null => return known,
        Value::Bool(_) => DataType::Boolean,
        Value::Number(number) if number.is_i64() => DataType::Int64,
        Value::Number(_) => DataType::Float64,
        _ => DataType::Utf8,
    };
    Some(match known {
        None => this,
        Some(known) if known == this => known,
        Some(DataType::Int64) if this == DataType::Float64 => DataType::Float64,
        Some(DataType::Float64) if this == DataType::Int64 => DataType::Float64,
        Some(_) => DataType::Utf8,
    })
}

fn read_json(bytes: &[u8], kind: JsonType) -> Result<RecordBatch, ScanError> {
    let records = json_records(bytes, kind).map_err(|_| error("JSONParsingError", "JSON"))?;
    if records.iter().any(|record| !record.is_object()) {
        return Err(error("JSONParsingError", "JSON"));
    }
    let schema = Arc::new(schema_of(&records));
    let columns = schema
        .fields()
        .iter()
        .map(|field| json_column(&records, field))
        .collect();
    let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(records.len()));
    Ok(RecordBatch::try_new_with_options(schema, columns, &options)
        .expect("every column has a value per record"))
}

fn json_column(records: &[Value], field: &Field) -> ArrayRef {
    let values = records.iter().map(|record| match record.get(field.name()) {
        None | Some(Value::Null) => None,
        Some(value) => Some(value),
    });
    match field.data_type() {
        DataType::Boolean => {
            let mut builder = BooleanBuilder::new();
            values.for_each(|value| builder.append_option(value.and_then(Value::as_bool)));
            Arc::new(builder.finish())
        }
        DataType::Int64 => {
            let mut builder = Int64Builder::new();
            values.for_each(|value| builder.append_option(value.and_then(Value::as_i64)));
            Arc::new(builder.finish())
        }
        DataType::Float64 => {
            let mut builder = Float64Builder::new();
            values.for_each(|value| builder.append_option(value.and_then(Value::as_f64)));
            Arc::new(builder.finish())
        }
        _ => {
            let mut builder = StringBuilder::new();
            values.for_each(|value| match value {
                Some(Value::String(text)) => builder.append_value(text),
                Some(other) => builder.append_value(other.to_string()),
                None => builder.append_null(),
            });
            Arc::new(builder.finish())
        }
    }
}

fn read_parquet(bytes: &[u8]) -> Result<RecordBatch, ScanError> {
    let parquet_error = |_| error("ParquetParsingError", "Parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes))
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| error("ParquetParsingError", "Parquet"))?;
    Ok(concat_batches(&schema, &batches).expect("batches share the file's schema"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::render;

    fn check(bytes: &str, input: SelectInput, expect: &str) {
        let actual = match read_for_select(bytes.as_bytes(), &input) {
            Ok(batch) => render(&[batch]),
            Err(error) => format!("{}: {}", error.code, error.message),
        };
        assert_eq!(actual, expect.trim(), "\n{actual}");
    }

    fn csv(file_header_info: FileHeaderInfo) -> SelectInput {
        SelectInput::Csv(CsvInput {
            file_header_info,
            ..CsvInput::default()
        })
    }

    #[test]
    fn csv_headers_name_columns_only_with_use() {
        let text = "name,age\r\n\"Smith, J\",\"4\"\"2\"\n\nLee,7,extra\n";
        check(
            text,
            csv(FileHeaderInfo::Use),
            r#"
name | age | _3
"Smith, J" | "4\"2" | NULL
"Lee" | "7" | "extra"
"#,
        );
        check(
            text,
            csv(FileHeaderInfo::Ignore),
            r#"
_1 | _2 | _3
"Smith, J" | "4\"2" | NULL
"Lee" | "7" | "extra"
"#,
        );
        check(
            text,
            csv(FileHeaderInfo::None),
            r#"
_1 | _2 | _3
"name" | "age" | NULL
"Smith, J" | "4\"2" | NULL
"Lee" | "7" | "extra"
"#,
        );
        let pipes = SelectInput::Csv(CsvInput {
            field_delimiter: '|',
            comments: Some('#'),
            ..CsvInput::default()
        });
        check(
            "# comment\na|b|\n",
            pipes,
            "_1 | _2 | _3\n\"a\" | \"b\" | \"\"",
        );
    }

    #[test]
    fn quoted_record_delimiters_need_permission() {
        let text = "\"a\nb\",c\n";
        check(
            text,
            csv(FileHeaderInfo::None),
            "_1 | _2\n\"a\" | NULL\n\"b\\\"\" | \"c\"",
        );
        let allowed = SelectInput::Csv(CsvInput {
            allow_quoted_record_delimiter: true,
            ..CsvInput::default()
        });
        check(text, allowed, "_1 | _2\n\"a\\nb\" | \"c\"");
    }

    #[test]
    fn json_schema_is_inferred_from_every_record() {
        let lines = r#"{"device":"d1","metric":42,"ok":true}
{"metric":42.5,"tags":["a"],"device":null}
"#;
        let schema = infer_json_schema(lines.as_bytes());
        let fields: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| format!("{}:{}", f.name(), f.data_type()))
            .collect();
        assert_eq!(
            fields,
            ["device:Utf8", "metric:Float64", "ok:Boolean", "tags:Utf8"]
        );
        check(
            lines,
            SelectInput::Json(JsonType::Lines),
            r#"
device | metric | ok | tags
"d1" | 42.0 | true | NULL
NULL | 42.5 | NULL | "[\"a\"]"
"#,
        );
        check(
            "{\"a\":\n 1}{\"a\": 2}",
            SelectInput::Json(JsonType::Document),
            "a\n1\n2",
        );
        check(
            "{\"a\":\n 1}",
            SelectInput::Json(JsonType::Lines),
            "JSONParsingError: An error occurred while parsing the JSON file. \
             Check the file and try again.",
        );
    }
}
