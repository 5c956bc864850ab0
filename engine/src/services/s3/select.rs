//! S3 Select: one SQL statement over one object (CSV, JSON or Parquet), run by the shared SQL
//! engine on the object as table `S3Object`, with the results serialised as the request asks.
//! S3 Select's SQL is smaller than Athena's: no GROUP BY, ORDER BY, JOIN or HAVING.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};

use super::{ObjectRef, S3, S3Error};
use crate::formats::{self, SelectInput};
use crate::sim::{BlobStore, Millis};
use crate::sql::{self, QueryContext, Statement};
use crate::table::{ScanError, ScanOutput, ScanRequest, TableName, TableSource};

/// `OutputSerialization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectOutput {
    Json {
        record_delimiter: String,
    },
    Csv {
        field_delimiter: String,
        record_delimiter: String,
        quote_always: bool,
    },
}

/// What a Select returned: the serialised records and the request's statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectResult {
    pub payload: Vec<u8>,
    pub bytes_scanned: u64,
    pub bytes_returned: u64,
}

/// The object as the one table a Select statement can read.
struct ObjectTable {
    batch: RecordBatch,
}

impl TableSource for ObjectTable {
    fn schema(&self, name: &TableName) -> Option<SchemaRef> {
        name.table
            .eq_ignore_ascii_case("s3object")
            .then(|| self.batch.schema())
    }

    fn scan(&self, _name: &TableName, request: &ScanRequest) -> Result<ScanOutput, ScanError> {
        let batch = match &request.projection {
            Some(columns) => self.batch.project(columns).map_err(|e| ScanError {
                code: "InternalError".into(),
                message: e.to_string(),
            })?,
            None => self.batch.clone(),
        };
        Ok(ScanOutput {
            batches: vec![batch],
            bytes_scanned: 0,
        })
    }
}

fn select_error(code: &str, message: impl Into<String>) -> S3Error {
    S3Error::Select {
        code: code.to_string(),
        message: message.into(),
    }
}

/// The SQL S3 Select does not have, named as its errors name them.
fn unsupported_clause(expression: &str) -> Option<&'static str> {
    let mut words = Vec::new();
    let mut quote = None;
    let mut word = String::new();
    for c in expression.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_alphanumeric() || c == '_' => word.push(c.to_ascii_uppercase()),
            None => words.push(std::mem::take(&mut word)),
        }
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    let pairs: Vec<String> = words.windows(2).map(|pair| pair.join(" ")).collect();
    ["GROUP BY", "ORDER BY"]
        .into_iter()
        .find(|clause| pairs.iter().any(|p| p == clause))
        .or_else(|| {
            ["JOIN", "HAVING", "UNION"]
                .into_iter()
                .find(|clause| words.iter().any(|w| w == clause))
        })
}

impl S3 {
    /// SelectObjectContent.
    pub fn select_object(
        &self,
        blobs: &BlobStore,
        now_ms: Millis,
        object: ObjectRef,
        expression: &str,
        input: &SelectInput,
        output: &SelectOutput,
    ) -> Result<SelectResult, S3Error> {
        let (_, bytes) = self.read(blobs, now_ms, object)?;
        if let Some(clause) = unsupported_clause(expression) {
            return Err(select_error(
                "UnsupportedSqlOperation",
                format!("Unsupported SQL operation {clause}."),
            ));
        }
        let query = match sql::parse_statement(expression) {
            Ok(Statement::Query(query)) => query,
            Ok(_) => {
                return Err(select_error(
                    "UnsupportedSqlStructure",
                    "Unsupported SQL structure: only SELECT statements are allowed.",
                ));
            }
            Err(err) => return Err(select_error("ParseUnexpectedToken", err.message)),
        };
        let batch = formats::read_for_select(bytes, input)
            .map_err(|err| select_error(&err.code, err.message))?;
        let table = ObjectTable {
            batch: lowercase_names(&batch),
        };
        let context = QueryContext {
            now_ms,
            default_database: "s3".into(),
            catalog_name: "s3".into(),
        };
        let result = sql::execute_query(&query, &table, &context)
            .map_err(|err| select_error(&select_code(&err), err.message))?;
        let payload = serialize(&result.schema, &result.batches, output);
        Ok(SelectResult {
            bytes_returned: payload.len() as u64,
            payload,
            bytes_scanned: bytes.len() as u64,
        })
    }
}

/// S3 Select matches unquoted names case-insensitively, as the SQL engine does lower-case.
fn lowercase_names(batch: &RecordBatch) -> RecordBatch {
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_name(f.name().to_lowercase()))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), batch.columns().to_vec())
        .expect("same columns, renamed")
}

fn select_code(err: &sql::SqlError) -> String {
    match err.code {
        sql::ErrorCode::ColumnNotFound => "InvalidColumnIndex".into(),
        sql::ErrorCode::TypeMismatch => "InvalidDataType".into(),
        sql::ErrorCode::InvalidCastArgument => "CastFailed".into(),
        sql::ErrorCode::DivisionByZero => "DivisionByZero".into(),
        sql::ErrorCode::TableNotFound => "InvalidTableAlias".into(),
        _ => "InvalidQuery".into(),
    }
}

fn serialize(schema: &SchemaRef, batches: &[RecordBatch], output: &SelectOutput) -> Vec<u8> {
    let mut out = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let values: Vec<(&Field, Option<String>)> = schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.as_ref(), sql::format_value(c.as_ref(), row)))
                .collect();
            match output {
                SelectOutput::Json { record_delimiter } => {
                    let object: Map<String, Value> = values
                        .into_iter()
                        .filter_map(|(f, v)| {
                            v.map(|v| (f.name().clone(), json_value(f.data_type(), v)))
                        })
                        .collect();
                    out.push_str(&Value::Object(object).to_string());
                    out.push_str(record_delimiter);
                }
                SelectOutput::Csv {
                    field_delimiter,
                    record_delimiter,
                    quote_always,
                } => {
                    let cells: Vec<String> = values
                        .into_iter()
                        .map(|(_, v)| {
                            csv_cell(&v.unwrap_or_default(), field_delimiter, *quote_always)
                        })
                        .collect();
                    out.push_str(&cells.join(field_delimiter));
                    out.push_str(record_delimiter);
                }
            }
        }
    }
    out.into_bytes()
}

fn json_value(data_type: &DataType, text: String) -> Value {
    let typed = match data_type {
        DataType::Boolean => text.parse::<bool>().ok().map(Value::Bool),
        t if t.is_numeric() => serde_json::from_str::<serde_json::Number>(&text)
            .ok()
            .map(Value::Number),
        _ => None,
    };
    typed.unwrap_or(Value::String(text))
}

fn csv_cell(text: &str, delimiter: &str, always: bool) -> String {
    if always || text.contains(delimiter) || text.contains('"') || text.contains('\n') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_s3_select_lacks_are_named() {
        assert_eq!(
            unsupported_clause("SELECT * FROM s3object s ORDER BY s.a"),
            Some("ORDER BY")
        );
        assert_eq!(
            unsupported_clause("select count(*) from s3object group by x"),
            Some("GROUP BY")
        );
        assert_eq!(
            unsupported_clause("SELECT * FROM s3object s WHERE s.note = 'order by'"),
            None
        );
        assert_eq!(unsupported_clause("SELECT * FROM s3object s"), None);
    }
}
