//! The SQL engine Athena and S3 Select share: parse (sqlparser) → plan → execute on Arrow.
