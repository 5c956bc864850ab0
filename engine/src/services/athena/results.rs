//! Query results as Athena returns them: column metadata with Trino's type names, and every
//! value as the string Trino prints (`2022-06-12 00:00:01.000`, `42.5`, `1.0E7`, NULL as absent).

use arrow::array::ArrayRef;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::sql;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    /// Trino's name for the type: `varchar`, `bigint`, `double`, `timestamp(3)`.
    pub type_name: String,
}

impl ColumnInfo {
    /// A number column (Trino's integer, floating and decimal types): grids right-align it.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.type_name.as_str(),
            "bigint" | "integer" | "smallint" | "tinyint" | "double" | "real"
        ) || self.type_name.starts_with("decimal")
    }
}

/// Rows of strings (None = NULL), as GetQueryResults hands them out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSet {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl ResultSet {
    pub fn from_batches(schema: &SchemaRef, batches: &[RecordBatch]) -> ResultSet {
        let columns = schema
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                type_name: sql::trino_type(f),
            })
            .collect();
        let mut rows = Vec::new();
        for batch in batches {
            let rendered: Vec<Vec<Option<String>>> =
                batch.columns().iter().map(render_column).collect();
            for row in 0..batch.num_rows() {
                rows.push(rendered.iter().map(|column| column[row].clone()).collect());
            }
        }
        ResultSet { columns, rows }
    }

    /// A one-column result (SHOW TABLES, SHOW CREATE TABLE …).
    pub fn single_column(name: &str, values: impl IntoIterator<Item = String>) -> ResultSet {
        ResultSet {
            columns: vec![ColumnInfo {
                name: name.into(),
                type_name: "varchar".into(),
            }],
            rows: values.into_iter().map(|v| vec![Some(v)]).collect(),
        }
    }
}

/// Every value of a column as Trino prints it.
pub fn render_column(array: &ArrayRef) -> Vec<Option<String>> {
    (0..array.len())
        .map(|row| sql::format_value(array.as_ref(), row))
        .collect()
}
