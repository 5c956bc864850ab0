//! `CREATE TABLE … WITH (format = 'PARQUET', …) AS SELECT`: the table properties Athena accepts,
//! checked as Athena checks them.

use serde::{Deserialize, Serialize};
use sqlparser::ast::Spanned;
use sqlparser::ast::{Expr, SqlOption, Value};

use super::error::{ErrorCode, Pos, SqlError};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CtasFormat {
    #[default]
    Parquet,
    Orc,
    Avro,
    Json,
    TextFile,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compression {
    Snappy,
    Gzip,
    Zstd,
    Lz4,
    None,
}

/// The `WITH (…)` of a CTAS. Column names are lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtasProperties {
    pub format: CtasFormat,
    pub compression: Option<Compression>,
    pub external_location: Option<String>,
    pub bucketed_by: Vec<String>,
    pub bucket_count: Option<u32>,
    pub partitioned_by: Vec<String>,
    pub field_delimiter: Option<String>,
}

fn property_error(pos: Option<Pos>, message: impl Into<String>) -> SqlError {
    SqlError::new(ErrorCode::InvalidTableProperty, pos, message)
}

impl CtasProperties {
    /// Reads the properties of `WITH (…)`; unknown names and ill-typed values are errors.
    pub(super) fn from_options(options: &[SqlOption]) -> Result<CtasProperties, SqlError> {
        let mut properties = CtasProperties::default();
        let mut compression_from = None;
        for option in options {
            let SqlOption::KeyValue { key, value } = option else {
                return Err(property_error(
                    None,
                    format!("Invalid table property: {option}"),
                ));
            };
            let name = key.to_string().to_ascii_lowercase();
            let pos = Pos::of_span(key.span());
            let property = Property {
                name: &name,
                value,
                pos,
            };
            match name.as_str() {
                "format" => properties.format = property.format()?,
                "write_compression" | "parquet_compression" | "orc_compression" => {
                    if let Some(first) = compression_from.replace(name.clone()) {
                        return Err(property_error(
                            pos,
                            format!("Only one of {first} and {name} can be set"),
                        ));
                    }
                    properties.compression = Some(property.compression()?);
                }
                "external_location" => properties.external_location = Some(property.string()?),
                "bucketed_by" => properties.bucketed_by = property.names()?,
                "bucket_count" => properties.bucket_count = Some(property.count()?),
                "partitioned_by" => properties.partitioned_by = property.names()?,
                "field_delimiter" => properties.field_delimiter = Some(property.string()?),
                "table_type" => property.table_type()?,
                "is_external" | "compression_level" => {}
                _ => {
                    return Err(property_error(
                        pos,
                        format!("Catalog 'awsdatacatalog' table property '{name}' does not exist"),
                    ));
                }
            }
        }
        properties.check_compression_fits(compression_from.as_deref())?;
        properties.check_bucketing()?;
        Ok(properties)
    }

    fn check_compression_fits(&self, property: Option<&str>) -> Result<(), SqlError> {
        let fits = match property {
            Some("parquet_compression") => self.format == CtasFormat::Parquet,
            Some("orc_compression") => self.format == CtasFormat::Orc,
            _ => true,
        };
        if fits {
            return Ok(());
        }
        Err(property_error(
            None,
            format!(
                "{} is only valid for its own format; use write_compression",
                property.unwrap_or("")
            ),
        ))
    }

    fn check_bucketing(&self) -> Result<(), SqlError> {
        match (self.bucketed_by.is_empty(), self.bucket_count) {
            (true, None) | (false, Some(_)) => Ok(()),
            _ => Err(property_error(
                None,
                "bucketed_by and bucket_count must be specified together",
            )),
        }
    }

    /// Checks the query's output columns against the properties: every column named, none
    /// twice, bucketing and partition columns present, partition columns last and in order.
    pub fn check_columns(&self, columns: &[String]) -> Result<(), SqlError> {
        for (i, name) in columns.iter().enumerate() {
            if is_generated_name(name) {
                return Err(SqlError::new(
                    ErrorCode::MissingColumnName,
                    None,
                    format!("Column name not specified at position {}", i + 1),
                ));
            }
            if columns[..i].contains(name) {
                return Err(SqlError::new(
                    ErrorCode::DuplicateColumnName,
                    None,
                    format!("Column name '{name}' specified more than once"),
                ));
            }
        }
        let missing = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .filter(|n| !columns.contains(n))
                .cloned()
                .collect()
        };
        let absent = missing(&self.partitioned_by);
        if !absent.is_empty() {
            return Err(property_error(
                None,
                format!("Partition columns {absent:?} not present in schema"),
            ));
        }
        let absent = missing(&self.bucketed_by);
        if !absent.is_empty() {
            return Err(property_error(
                None,
                format!("Bucketing columns {absent:?} not present in schema"),
            ));
        }
        if !self.partitioned_by.is_empty() && self.partitioned_by.len() == columns.len() {
            return Err(property_error(
                None,
                "Table contains only partition columns",
            ));
        }
        let tail = &columns[columns.len() - self.partitioned_by.len()..];
        if tail != self.partitioned_by.as_slice() {
            return Err(property_error(
                None,
                format!(
                    "Partition keys must be the last columns in the table and in the same order as the table properties: {:?}",
                    self.partitioned_by
                ),
            ));
        }
        Ok(())
    }
}

/// Whether `name` is what the planner calls an unnamed column (`_col0`, `_col1`, …).
fn is_generated_name(name: &str) -> bool {
    name.strip_prefix("_col")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

struct Property<'a> {
    name: &'a str,
    value: &'a Expr,
    pos: Option<Pos>,
}

impl Property<'_> {
    fn invalid(&self, expected: &str) -> SqlError {
        property_error(
            self.pos,
            format!(
                "Invalid value for table property '{}': Cannot convert [{}] to {expected}",
                self.name, self.value
            ),
        )
    }

    fn string(&self) -> Result<String, SqlError> {
        match self.value {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => Ok(s.clone()),
                _ => Err(self.invalid("varchar")),
            },
            _ => Err(self.invalid("varchar")),
        }
    }

    fn count(&self) -> Result<u32, SqlError> {
        let Expr::Value(v) = self.value else {
            return Err(self.invalid("integer"));
        };
        let Value::Number(n, _) = &v.value else {
            return Err(self.invalid("integer"));
        };
        match n.parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(property_error(
                self.pos,
                format!("{} must be greater than zero", self.name),
            )),
        }
    }

    fn names(&self) -> Result<Vec<String>, SqlError> {
        let Expr::Array(array) = self.value else {
            return Err(self.invalid("array(varchar)"));
        };
        array
            .elem
            .iter()
            .map(|e| match e {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) => Ok(s.to_ascii_lowercase()),
                    _ => Err(self.invalid("array(varchar)")),
                },
                _ => Err(self.invalid("array(varchar)")),
            })
            .collect()
    }

    fn format(&self) -> Result<CtasFormat, SqlError> {
        let value = self.string()?;
        Ok(match value.to_ascii_uppercase().as_str() {
            "PARQUET" => CtasFormat::Parquet,
            "ORC" => CtasFormat::Orc,
            "AVRO" => CtasFormat::Avro,
            "JSON" => CtasFormat::Json,
            "TEXTFILE" => CtasFormat::TextFile,
            _ => {
                return Err(property_error(
                    self.pos,
                    format!(
                        "Unsupported format '{value}'. Use one of PARQUET, ORC, AVRO, JSON, TEXTFILE"
                    ),
                ));
            }
        })
    }

    fn compression(&self) -> Result<Compression, SqlError> {
        let value = self.string()?;
        Ok(match value.to_ascii_uppercase().as_str() {
            "SNAPPY" => Compression::Snappy,
            "GZIP" => Compression::Gzip,
            "ZSTD" => Compression::Zstd,
            "LZ4" => Compression::Lz4,
            "NONE" | "UNCOMPRESSED" => Compression::None,
            _ => {
                return Err(property_error(
                    self.pos,
                    format!(
                        "Unsupported compression '{value}'. Use one of SNAPPY, GZIP, ZSTD, LZ4, NONE"
                    ),
                ));
            }
        })
    }

    fn table_type(&self) -> Result<(), SqlError> {
        match self.string()?.to_ascii_uppercase().as_str() {
            "HIVE" => Ok(()),
            other => Err(SqlError::not_supported(
                self.pos,
                format!("table_type '{other}' is not supported by the playground yet"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Statement, parse_statement};

    fn properties(with: &str) -> Result<CtasProperties, SqlError> {
        match parse_statement(&format!("CREATE TABLE t WITH ({with}) AS SELECT 1 AS x"))? {
            Statement::CreateTableAs { properties, .. } => Ok(properties),
            other => panic!("not a CTAS: {other:?}"),
        }
    }

    fn check(with: &str, expect: &str) {
        let actual = match properties(with) {
            Ok(p) => format!("{p:?}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(actual, expect, "{with}");
    }

    const COURSE_CTAS: &str = "CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', \
        external_location='s3://my-log-bucket/compacted/2022/06/12/0005/', bucketed_by=ARRAY['timestamp'], bucket_count=1) AS
SELECT * FROM logs WHERE \"timestamp\" >= '2022-06-12 00:00:00' AND \"timestamp\" < '2022-06-12 00:05:00';";

    #[test]
    fn parses_the_course_compaction_ctas() {
        let Statement::CreateTableAs {
            name,
            if_not_exists,
            properties,
            query,
            with_data,
        } = parse_statement(COURSE_CTAS).unwrap()
        else {
            panic!("not a CTAS");
        };
        assert_eq!(
            name,
            crate::sql::QualifiedName {
                database: None,
                table: "compacted".into()
            }
        );
        assert!(!if_not_exists && with_data);
        assert_eq!(
            properties,
            CtasProperties {
                format: CtasFormat::Parquet,
                compression: Some(Compression::Snappy),
                external_location: Some("s3://my-log-bucket/compacted/2022/06/12/0005/".into()),
                bucketed_by: vec!["timestamp".into()],
                bucket_count: Some(1),
                partitioned_by: vec![],
                field_delimiter: None,
            }
        );
        assert_eq!(
            query.ast().to_string(),
            "SELECT * FROM logs WHERE \"timestamp\" >= '2022-06-12 00:00:00' AND \"timestamp\" < '2022-06-12 00:05:00'"
        );
    }

    #[test]
    fn validates_properties_like_athena() {
        check(
            "format='orc', write_compression='zstd', partitioned_by=ARRAY['dt'], field_delimiter=','",
            "CtasProperties { format: Orc, compression: Some(Zstd), external_location: None, bucketed_by: [], bucket_count: None, partitioned_by: [\"dt\"], field_delimiter: Some(\",\") }",
        );
        check(
            "fromat='PARQUET'",
            "INVALID_TABLE_PROPERTY: line 1:22: Catalog 'awsdatacatalog' table property 'fromat' does not exist",
        );
        check(
            "bucket_count=4",
            "INVALID_TABLE_PROPERTY: bucketed_by and bucket_count must be specified together",
        );
        check(
            "bucketed_by=ARRAY['a']",
            "INVALID_TABLE_PROPERTY: bucketed_by and bucket_count must be specified together",
        );
        check(
            "bucketed_by=ARRAY['a'], bucket_count='4'",
            "INVALID_TABLE_PROPERTY: line 1:46: Invalid value for table property 'bucket_count': Cannot convert ['4'] to integer",
        );
        check(
            "write_compression='GZIP', parquet_compression='SNAPPY'",
            "INVALID_TABLE_PROPERTY: line 1:48: Only one of write_compression and parquet_compression can be set",
        );
        check(
            "format='JSON', parquet_compression='SNAPPY'",
            "INVALID_TABLE_PROPERTY: parquet_compression is only valid for its own format; use write_compression",
        );
        check(
            "format='CSV'",
            "INVALID_TABLE_PROPERTY: line 1:22: Unsupported format 'CSV'. Use one of PARQUET, ORC, AVRO, JSON, TEXTFILE",
        );
        check(
            "table_type='ICEBERG'",
            "NOT_SUPPORTED: line 1:22: table_type 'ICEBERG' is not supported by the playground yet",
        );
    }

    #[test]
    fn partition_columns_come_last_in_order() {
        let p = properties("partitioned_by=ARRAY['dt', 'hour']").unwrap();
        let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let check = |columns: &[&str], expect: &str| {
            let actual = p
                .check_columns(&names(columns))
                .map_or_else(|e| e.to_string(), |()| "ok".into());
            assert_eq!(actual, expect, "{columns:?}");
        };
        check(&["a", "dt", "hour"], "ok");
        check(
            &["dt", "hour", "a"],
            "INVALID_TABLE_PROPERTY: Partition keys must be the last columns in the table and in the same order as the table properties: [\"dt\", \"hour\"]",
        );
        check(
            &["a", "hour", "dt"],
            "INVALID_TABLE_PROPERTY: Partition keys must be the last columns in the table and in the same order as the table properties: [\"dt\", \"hour\"]",
        );
        check(
            &["a", "dt"],
            "INVALID_TABLE_PROPERTY: Partition columns [\"hour\"] not present in schema",
        );
        check(
            &["dt", "hour"],
            "INVALID_TABLE_PROPERTY: Table contains only partition columns",
        );
        check(
            &["a", "_col1", "dt", "hour"],
            "MISSING_COLUMN_NAME: Column name not specified at position 2",
        );
        check(
            &["a", "a", "dt", "hour"],
            "DUPLICATE_COLUMN_NAME: Column name 'a' specified more than once",
        );
    }
}
