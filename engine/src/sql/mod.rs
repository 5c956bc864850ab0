//! The SQL engine Athena and S3 Select share: parse (sqlparser) → plan → execute on Arrow.
//!
//! `parse_statement` turns text into a typed `Statement`: Hive DDL is parsed in `ddl`, queries,
//! CTAS and INSERT by sqlparser with Trino's lexical rules (`parse`). `execute_query` binds a
//! query (`bind`, `plan`), reads only the columns it needs from a `TableSource`, and evaluates
//! whole Arrow arrays at a time (`eval`, `arith`, `functions`, `aggregate`, `exec`). Semantics
//! are Trino's, as Athena engine v3 runs it; errors carry Athena's codes and Trino's wording.

mod accumulate;
mod aggregate;
mod arith;
mod bind;
mod cast;
mod ctas;
mod ddl;
mod decimal;
mod error;
mod eval;
mod exec;
mod expr;
mod functions;
mod group;
mod highlight;
mod hive;
mod parse;
mod plan;
mod reserved;
#[cfg(test)]
mod testing;
mod time;
mod types;

use arrow::array::Array;
use arrow::datatypes::{Field, SchemaRef};
use arrow::record_batch::RecordBatch;

pub use ctas::{Compression, CtasFormat, CtasProperties};
pub use error::{ErrorCode, Pos, SqlError};
pub use highlight::{TokenKind, highlight};
pub use hive::{ColumnDef, ExternalTable, HiveType, Storage};
pub use parse::{ParsedQuery, QualifiedName, Statement, parse_statement};
pub use plan::TRINO_TYPE_KEY;
pub use reserved::{DDL_RESERVED, DML_RESERVED};
pub use types::SqlType;

use crate::table::TableSource;

/// What a query runs against: the virtual clock (for `current_timestamp`, `now()`,
/// `current_date`, all in UTC) and the names unqualified tables resolve in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryContext {
    pub now_ms: i64,
    pub default_database: String,
    /// `awsdatacatalog`, as Athena names the Glue catalog in messages.
    pub catalog_name: String,
}

/// A query's rows and what reading them cost.
#[derive(Clone, Debug)]
pub struct QueryResult {
    /// Result columns; each field's metadata has its Trino type under `TRINO_TYPE_KEY`.
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub bytes_scanned: u64,
    pub rows_read: u64,
}

/// Plans and runs a query.
pub fn execute_query(
    query: &ParsedQuery,
    source: &dyn TableSource,
    ctx: &QueryContext,
) -> Result<QueryResult, SqlError> {
    let plan = plan::Planner::new(source, ctx, query.text()).plan_query(query.ast())?;
    let mut stats = exec::ScanStats::default();
    let batches = exec::run(&plan, source, &mut stats)?;
    Ok(QueryResult {
        schema: plan.schema(),
        batches,
        bytes_scanned: stats.bytes_scanned,
        rows_read: stats.rows_read,
    })
}

/// The result schema of a query without running it (for `CREATE TABLE … WITH NO DATA` and
/// result metadata).
pub fn describe_query(
    query: &ParsedQuery,
    source: &dyn TableSource,
    ctx: &QueryContext,
) -> Result<SchemaRef, SqlError> {
    let plan = plan::Planner::new(source, ctx, query.text()).plan_query(query.ast())?;
    Ok(plan.schema())
}

/// The Trino type name of a result column (`varchar`, `bigint`, `timestamp(3)`).
pub fn trino_type(field: &Field) -> String {
    match field.metadata().get(TRINO_TYPE_KEY) {
        Some(name) => name.clone(),
        None => SqlType::from_arrow(field.data_type())
            .map_or_else(|| field.data_type().to_string(), |t| t.to_string()),
    }
}

/// A result value as Athena shows it (`1.0E7`, `2022-06-12 00:05:00.000`, `[1, 2]`), or `None`
/// for NULL.
pub fn format_value(array: &dyn Array, row: usize) -> Option<String> {
    cast::format_value(array, row)
}
