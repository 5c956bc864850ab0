//! The boundary between the SQL engine and the storage it reads: table names, column types as
//! Athena/Hive declares them, scan requests (projection and prunable filters), and the trait a
//! catalog implements so that queries can read its tables.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

/// `database.table`, lower-cased as Athena stores them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableName {
    pub database: String,
    pub table: String,
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.database, self.table)
    }
}

/// A literal value a filter compares a column with.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Boolean(bool),
    Int(i64),
    Float(f64),
    Utf8(String),
    /// Milliseconds since the Unix epoch (Trino `timestamp(3)`, no time zone).
    TimestampMs(i64),
    /// Days since the Unix epoch.
    Date(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

/// `column op literal`, one conjunct of a query's WHERE clause. Storage may use it to skip data
/// it can prove holds no match (Parquet row-group min/max); the query still applies every filter.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnFilter {
    /// Index into the table's schema.
    pub column: usize,
    pub op: FilterOp,
    pub value: Literal,
}

/// What a query needs from a table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanRequest {
    /// Indices into the table's schema, in the order the batches must have them; `None` = all.
    pub projection: Option<Vec<usize>>,
    pub filters: Vec<ColumnFilter>,
}

/// A table read failure, in Athena's words: `code` such as `HIVE_BAD_DATA`,
/// `HIVE_CURSOR_ERROR` or `TABLE_NOT_FOUND`, and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    pub code: String,
    pub message: String,
}

/// The rows of a scan plus what reading them cost.
#[derive(Clone, Debug, Default)]
pub struct ScanOutput {
    pub batches: Vec<RecordBatch>,
    /// Bytes Athena would bill: whole objects for text formats, only the column chunks of
    /// row groups actually read for Parquet.
    pub bytes_scanned: u64,
}

/// A catalog that queries can read. Implemented by the Athena service over S3, and by tests.
pub trait TableSource {
    /// The table's schema (column names lower-cased), or `None` when there is no such table.
    fn schema(&self, name: &TableName) -> Option<SchemaRef>;
    /// Whether the database exists, so that a query can tell a missing database
    /// (`SCHEMA_NOT_FOUND`) from a missing table. Sources that cannot tell say it does.
    fn database_exists(&self, database: &str) -> bool {
        let _ = database;
        true
    }
    /// Reads the table. Batches have exactly the projected columns, in the projection's order.
    fn scan(&self, name: &TableName, request: &ScanRequest) -> Result<ScanOutput, ScanError>;
}
