//! The SQL engine Athena and S3 Select share: parse (sqlparser) → plan → execute on Arrow.
//!
//! `parse_statement` turns text into a typed `Statement`: Hive DDL is parsed in `ddl`, queries,
//! CTAS and INSERT by sqlparser with Trino's lexical rules (`parse`). Expressions are evaluated on
//! whole Arrow arrays at a time (`eval`, `arith`, `cast`, `functions`). Semantics are Trino's, as
//! Athena engine v3 runs it; errors carry Athena's codes and Trino's wording.

mod arith;
mod cast;
mod ctas;
mod ddl;
mod decimal;
mod error;
mod eval;
mod expr;
mod functions;
mod hive;
mod parse;
mod reserved;
mod time;
mod types;

pub use ctas::{Compression, CtasFormat, CtasProperties};
pub use error::{ErrorCode, Pos, SqlError};
pub use hive::{ColumnDef, ExternalTable, HiveType, Storage};
pub use parse::{ParsedQuery, QualifiedName, Statement, parse_statement};
pub use reserved::{DDL_RESERVED, DML_RESERVED};
pub use types::SqlType;
