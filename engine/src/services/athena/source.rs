//! Athena's view of S3: a `TableSource` that reads every object under a table's location at
//! query time (so new files show up in the next query, as on AWS), with the table's format,
//! Hive-style `col=value/` partitions, and honest bytes-scanned accounting.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use arrow::array::{Array, ArrayRef, Int64Array, StringArray, new_null_array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::access::{ACCESS_DENIED, Access};
use super::catalog::{Catalog, Table};
use crate::formats::{self, FileFormat, JsonOptions};
use crate::services::s3::{ObjectRef, S3};
use crate::sim::{BlobId, BlobStore, Millis};
use crate::sql::{ExternalTable, Storage};
use crate::table::{
    ColumnFilter, FilterOp, Literal, ScanError, ScanOutput, ScanRequest, TableName, TableSource,
};

/// Reads tables from the world's S3 at one instant, counting the objects it opens (each
/// costs the query time, which is why many small files make slow queries).
pub struct S3Tables<'a> {
    pub catalog: &'a Catalog,
    pub stats: &'a FileStats,
    /// The role session reads are made as; `None` reads as the learner's admin user.
    pub access: Option<&'a Access>,
    pub s3: &'a S3,
    pub blobs: &'a BlobStore,
    pub now_ms: Millis,
    pub opened: &'a Cell<u64>,
}

/// The range of one column's non-null values in one object; `AllNull` when it has none.
#[derive(Clone, Debug, PartialEq)]
enum ColumnRange {
    Utf8(String, String),
    Int(i64, i64),
    AllNull,
    /// A type the playground does not keep ranges for.
    Unknown,
}

impl ColumnRange {
    fn of(array: &ArrayRef) -> ColumnRange {
        if array.null_count() == array.len() {
            return ColumnRange::AllNull;
        }
        if let Some(text) = array.as_any().downcast_ref::<StringArray>() {
            return match (
                arrow::compute::min_string(text),
                arrow::compute::max_string(text),
            ) {
                (Some(min), Some(max)) => ColumnRange::Utf8(min.into(), max.into()),
                _ => ColumnRange::Unknown,
            };
        }
        if array.data_type().is_integer() {
            let Ok(ints) = cast(array, &DataType::Int64) else {
                return ColumnRange::Unknown;
            };
            let ints = ints.as_any().downcast_ref::<Int64Array>();
            return match ints.map(|a| (arrow::compute::min(a), arrow::compute::max(a))) {
                Some((Some(min), Some(max))) => ColumnRange::Int(min, max),
                _ => ColumnRange::Unknown,
            };
        }
        ColumnRange::Unknown
    }

    /// Whether some value in the range could pass `filter` (nulls never pass a comparison).
    fn may_match(&self, filter: &ColumnFilter) -> bool {
        let (min, max) = match (self, &filter.value) {
            (ColumnRange::AllNull, _) => return false,
            (ColumnRange::Utf8(min, max), Literal::Utf8(value)) => {
                (min.as_str().cmp(value), max.as_str().cmp(value))
            }
            (ColumnRange::Int(min, max), Literal::Int(value)) => (min.cmp(value), max.cmp(value)),
            _ => return true,
        };
        match filter.op {
            FilterOp::Eq => min.is_le() && max.is_ge(),
            FilterOp::NotEq => !(min.is_eq() && max.is_eq()),
            FilterOp::Lt => min.is_lt(),
            FilterOp::LtEq => min.is_le(),
            FilterOp::Gt => max.is_gt(),
            FilterOp::GtEq => max.is_ge(),
        }
    }
}

/// Column ranges of the text objects queries have read, by the object's immutable bytes and
/// the table layout that read them. A query skips parsing an object whose ranges show that no
/// row can pass one of its filters: the rows, the bytes billed (text objects are billed whole)
/// and the objects counted are what a full read gives, only faster — a day of the pipeline
/// re-reads every earlier log file 288 times. Objects that failed to read get no ranges, so
/// their errors still surface.
#[derive(Debug, Default)]
pub struct FileStats {
    /// A `Mutex` only so that a `Session` stays `Sync`; the engine runs on one thread.
    by_layout: Mutex<BTreeMap<String, BTreeMap<BlobId, Vec<ColumnRange>>>>,
}

/// A copy of a world starts with no ranges: they are only ever a shortcut.
impl Clone for FileStats {
    fn clone(&self) -> Self {
        FileStats::default()
    }
}

/// Objects whose ranges are kept; past this the cache starts again (it only saves time).
const FILE_STATS_OBJECTS_MAX: usize = 200_000;

impl FileStats {
    /// Whether the object may hold a row that passes every filter, reading it once to learn
    /// its ranges if they are not known yet.
    fn may_match(
        &self,
        layout: &str,
        blob: BlobId,
        read_all: impl FnOnce() -> Option<Vec<ColumnRange>>,
        filters: &[ColumnFilter],
    ) -> bool {
        if filters.is_empty() {
            return true;
        }
        let mut cache = self
            .by_layout
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.values().map(BTreeMap::len).sum::<usize>() >= FILE_STATS_OBJECTS_MAX {
            cache.clear();
        }
        let objects = cache.entry(layout.to_string()).or_default();
        let ranges = match objects.entry(blob) {
            std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => match read_all() {
                Some(ranges) => slot.insert(ranges),
                None => return true,
            },
        };
        filters
            .iter()
            .all(|f| ranges.get(f.column).is_none_or(|range| range.may_match(f)))
    }
}

/// `s3://bucket/prefix` → (`bucket`, `prefix/`).
pub fn split_location(location: &str) -> Option<(&str, String)> {
    let rest = location.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    (!bucket.is_empty()).then_some((bucket, prefix))
}

/// The Arrow schema queries see: data columns, then partition columns.
pub fn table_schema(table: &ExternalTable) -> SchemaRef {
    let fields: Vec<Field> = table
        .columns
        .iter()
        .chain(&table.partitioned_by)
        .map(|column| Field::new(&column.name, column.hive_type.to_arrow(), true))
        .collect();
    Arc::new(Schema::new(fields))
}

fn file_schema(table: &ExternalTable) -> SchemaRef {
    let fields: Vec<Field> = table
        .columns
        .iter()
        .map(|c| Field::new(&c.name, c.hive_type.to_arrow(), true))
        .collect();
    Arc::new(Schema::new(fields))
}

/// How to read a table's objects: its SerDe plus the properties that change reading.
pub fn file_format(table: &ExternalTable) -> Result<FileFormat, ScanError> {
    let property = |name: &str| {
        let serde = match &table.storage {
            Storage::Delimited {
                serde_properties, ..
            } => serde_properties.as_slice(),
            _ => &[],
        };
        table
            .tblproperties
            .iter()
            .chain(serde)
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    let skip_header_line_count = property("skip.header.line.count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let flag = |name: &str| property(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(match &table.storage {
        Storage::JsonSerde => FileFormat::Json(JsonOptions {
            ignore_malformed_json: flag("ignore.malformed.json"),
            use_null_for_invalid_data: flag("use.null.for.invalid.data"),
        }),
        Storage::Delimited {
            field_delimiter,
            escape,
            ..
        } => FileFormat::Delimited {
            field_delimiter: *field_delimiter,
            escape: *escape,
            skip_header_line_count,
        },
        Storage::TextFileDefault => FileFormat::Delimited {
            field_delimiter: '\u{1}',
            escape: None,
            skip_header_line_count,
        },
        Storage::OpenCsv {
            separator,
            quote,
            escape,
        } => FileFormat::OpenCsv {
            separator: *separator,
            quote: *quote,
            escape: *escape,
            skip_header_line_count,
        },
        Storage::Parquet => FileFormat::Parquet,
        Storage::Orc => {
            return Err(ScanError {
                code: "NOT_SUPPORTED".into(),
                message: "ORC tables are not simulated by the playground: no maintained Rust ORC reader builds for wasm; use Parquet".into(),
            });
        }
    })
}

/// Hive hides files whose names start with `_` or `.`, and "folder" placeholder keys.
fn is_data_file(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    !(name.is_empty() || name.starts_with('_') || name.starts_with('.'))
}

/// The `col=value` segments of a key below the table's location, for each partition column;
/// `None` when the key does not sit in a partition folder (Hive ignores such files).
fn partition_values(table: &ExternalTable, relative_key: &str) -> Option<Vec<String>> {
    let segments: Vec<&str> = relative_key.split('/').collect();
    table
        .partitioned_by
        .iter()
        .map(|column| {
            segments.iter().find_map(|segment| {
                let (name, value) = segment.split_once('=')?;
                (name.eq_ignore_ascii_case(&column.name)).then(|| value.to_string())
            })
        })
        .collect()
}

/// Whether a partition's value can satisfy a filter on its column (partition pruning).
fn partition_may_match(value: &str, filter: &ColumnFilter) -> bool {
    let ordering = match &filter.value {
        Literal::Utf8(text) => value.cmp(text.as_str()),
        Literal::Int(n) => match value.parse::<i64>() {
            Ok(v) => v.cmp(n),
            Err(_) => return true,
        },
        _ => return true,
    };
    match filter.op {
        FilterOp::Eq => ordering.is_eq(),
        FilterOp::NotEq => ordering.is_ne(),
        FilterOp::Lt => ordering.is_lt(),
        FilterOp::LtEq => ordering.is_le(),
        FilterOp::Gt => ordering.is_gt(),
        FilterOp::GtEq => ordering.is_ge(),
    }
}

impl S3Tables<'_> {
    fn table(&self, name: &TableName) -> Option<&Table> {
        self.catalog.table(&name.database, &name.table)
    }
}

impl TableSource for S3Tables<'_> {
    fn schema(&self, name: &TableName) -> Option<SchemaRef> {
        self.table(name)
            .map(|table| table_schema(&table.definition))
    }

    fn database_exists(&self, database: &str) -> bool {
        self.catalog.database(database).is_some()
    }

    fn scan(&self, name: &TableName, request: &ScanRequest) -> Result<ScanOutput, ScanError> {
        let table = &self
            .table(name)
            .ok_or_else(|| ScanError {
                code: "TABLE_NOT_FOUND".into(),
                message: format!("Table '{name}' does not exist"),
            })?
            .definition;
        let format = file_format(table)?;
        let schema = table_schema(table);
        let data_columns = table.columns.len();
        let projection: Vec<usize> = request
            .projection
            .clone()
            .unwrap_or_else(|| (0..schema.fields().len()).collect());
        // The file reader sees only data columns; partition columns come from the key.
        let file_projection: Vec<usize> = projection
            .iter()
            .copied()
            .filter(|&i| i < data_columns)
            .collect();
        let file_request = ScanRequest {
            projection: Some(file_projection.clone()),
            filters: request
                .filters
                .iter()
                .filter(|f| f.column < data_columns)
                .cloned()
                .collect(),
        };
        let partition_filters: Vec<&ColumnFilter> = request
            .filters
            .iter()
            .filter(|f| f.column >= data_columns)
            .collect();
        let Some((bucket, prefix)) = split_location(&table.location) else {
            return Err(ScanError {
                code: "HIVE_INVALID_METADATA".into(),
                message: format!("Table location is not an S3 location: {}", table.location),
            });
        };
        let bucket_state = self.s3.bucket(bucket).map_err(|_| ScanError {
            code: "HIVE_UNKNOWN_ERROR".into(),
            message: format!("The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket) while reading {}", table.location),
        })?;
        if let Some(access) = self.access {
            check_read(access, name, bucket, &prefix)?;
        }
        let files = file_schema(table);
        let out_schema = Arc::new(
            schema
                .project(&projection)
                .expect("projection indexes the schema"),
        );
        let layout = format!("{format:?}|{files:?}");
        let mut output = ScanOutput::default();
        for (key, _) in bucket_state
            .current_objects()
            .filter(|(key, _)| key.starts_with(&prefix) && is_data_file(key))
        {
            let partitions = match partition_values(table, &key[prefix.len()..]) {
                Some(values) => values,
                None if table.partitioned_by.is_empty() => Vec::new(),
                None => continue,
            };
            let pruned = partition_filters
                .iter()
                .any(|f| !partition_may_match(&partitions[f.column - data_columns], f));
            if pruned {
                continue;
            }
            let object = ObjectRef {
                bucket,
                key,
                version_id: None,
            };
            let (version, bytes) = self.s3.read(self.blobs, self.now_ms, object).map_err(|err| ScanError {
                code: "HIVE_CANNOT_OPEN_SPLIT".into(),
                message: format!("Error opening Hive split s3://{bucket}/{key}: {} (Service: Amazon S3; Status Code: 403; Error Code: {})", err.message(), err.code()),
            })?;
            let object = version.object.as_ref().expect("read returns objects");
            if let Some(access) = self.access {
                access
                    .check("s3:GetObject", &format!("arn:aws:s3:::{bucket}/{key}"))
                    .map_err(|_| ScanError {
                        code: "HIVE_CANNOT_OPEN_SPLIT".into(),
                        message: format!("Error opening Hive split s3://{bucket}/{key} (offset=0, length={}): Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)", object.size),
                    })?;
            }
            self.opened.set(self.opened.get() + 1);
            let blob = object.blob;
            let read_all = || {
                let all = formats::read(bytes, &format, &files, &ScanRequest::default()).ok()?;
                let columns = files.fields().len();
                Some(match all.batches.first() {
                    Some(batch) => batch.columns().iter().map(ColumnRange::of).collect(),
                    None => vec![ColumnRange::AllNull; columns],
                })
            };
            let skippable = format != FileFormat::Parquet
                && !self
                    .stats
                    .may_match(&layout, blob, read_all, &file_request.filters);
            if skippable {
                output.bytes_scanned += bytes.len() as u64;
                continue;
            }
            let read = formats::read(bytes, &format, &files, &file_request)?;
            output.bytes_scanned += read.bytes_scanned;
            for batch in read.batches {
                output.batches.push(assemble(
                    &out_schema,
                    &projection,
                    data_columns,
                    &batch,
                    &partitions,
                )?);
            }
        }
        Ok(output)
    }
}

/// Reading a table as a role: Glue's GetTable on the catalog, database and table, then S3's
/// ListBucket on the table's location.
fn check_read(
    access: &Access,
    name: &TableName,
    bucket: &str,
    prefix: &str,
) -> Result<(), ScanError> {
    let denied = |message: String| ScanError {
        code: ACCESS_DENIED.into(),
        message,
    };
    access
        .glue("glue:GetTable", &name.database, Some(&name.table))
        .map_err(denied)?;
    access
        .check("s3:ListBucket", &format!("arn:aws:s3:::{bucket}"))
        .map_err(|_| {
            denied(format!(
                "Permission denied on S3 path: s3://{bucket}/{prefix}"
            ))
        })
}

/// Puts the file's columns and the partition values together in the projection's order.
fn assemble(
    schema: &SchemaRef,
    projection: &[usize],
    data_columns: usize,
    batch: &RecordBatch,
    partitions: &[String],
) -> Result<RecordBatch, ScanError> {
    let rows = batch.num_rows();
    let mut next_file_column = 0;
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(projection.len());
    for (field, &index) in schema.fields().iter().zip(projection) {
        if index < data_columns {
            columns.push(batch.column(next_file_column).clone());
            next_file_column += 1;
        } else {
            columns.push(partition_column(
                &partitions[index - data_columns],
                field.data_type(),
                rows,
            )?);
        }
    }
    let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(|err| ScanError {
        code: "GENERIC_INTERNAL_ERROR".into(),
        message: err.to_string(),
    })
}

fn partition_column(value: &str, data_type: &DataType, rows: usize) -> Result<ArrayRef, ScanError> {
    if value == "__HIVE_DEFAULT_PARTITION__" {
        return Ok(new_null_array(data_type, rows));
    }
    let text: ArrayRef = Arc::new(arrow::array::StringArray::from(vec![value; rows]));
    cast(&text, data_type).map_err(|_| ScanError {
        code: "HIVE_INVALID_PARTITION_VALUE".into(),
        message: format!("Invalid partition value '{value}' for {data_type} partition key"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split_into_bucket_and_prefix() {
        assert_eq!(
            split_location("s3://b/raw"),
            Some(("b", "raw/".to_string()))
        );
        assert_eq!(
            split_location("s3://b/raw/"),
            Some(("b", "raw/".to_string()))
        );
        assert_eq!(split_location("s3://b"), Some(("b", String::new())));
        assert_eq!(split_location("https://b/raw"), None);
    }

    #[test]
    fn hidden_files_are_skipped() {
        assert!(is_data_file("raw/a.json"));
        assert!(!is_data_file("raw/_SUCCESS"));
        assert!(!is_data_file("raw/.hidden"));
        assert!(!is_data_file("raw/"));
    }

    #[test]
    fn column_ranges_rule_out_objects_only_when_no_value_can_pass() {
        let filter = |op, value| ColumnFilter {
            column: 0,
            op,
            value,
        };
        let window = ColumnRange::Utf8(
            "2022-06-12 00:05:00.000".into(),
            "2022-06-12 00:05:00.009".into(),
        );
        let start = Literal::Utf8("2022-06-12 00:05:00".into());
        let end = Literal::Utf8("2022-06-12 00:10:00".into());
        assert!(window.may_match(&filter(FilterOp::GtEq, start.clone())));
        assert!(window.may_match(&filter(FilterOp::Lt, end.clone())));
        assert!(
            !window.may_match(&filter(FilterOp::Lt, start)),
            "all values are at or after the start"
        );
        assert!(!window.may_match(&filter(FilterOp::GtEq, end)));
        let ints = ColumnRange::Int(3, 7);
        assert!(ints.may_match(&filter(FilterOp::Eq, Literal::Int(7))));
        assert!(!ints.may_match(&filter(FilterOp::Eq, Literal::Int(8))));
        assert!(ints.may_match(&filter(FilterOp::NotEq, Literal::Int(3))));
        assert!(!ColumnRange::Int(3, 3).may_match(&filter(FilterOp::NotEq, Literal::Int(3))));
        assert!(!ColumnRange::AllNull.may_match(&filter(FilterOp::NotEq, Literal::Int(3))));
        // Types it does not know, or a literal of another type, never rule an object out.
        assert!(ColumnRange::Unknown.may_match(&filter(FilterOp::Eq, Literal::Int(1))));
        assert!(ints.may_match(&filter(FilterOp::Gt, Literal::Float(100.0))));
    }

    #[test]
    fn partition_pruning_compares_like_the_column_type() {
        let filter = |op, value| ColumnFilter {
            column: 0,
            op,
            value,
        };
        assert!(partition_may_match(
            "2022",
            &filter(FilterOp::Eq, Literal::Int(2022))
        ));
        assert!(!partition_may_match(
            "2021",
            &filter(FilterOp::GtEq, Literal::Int(2022))
        ));
        assert!(partition_may_match(
            "10",
            &filter(FilterOp::Gt, Literal::Int(9))
        ));
        assert!(!partition_may_match(
            "a",
            &filter(FilterOp::Eq, Literal::Utf8("b".into()))
        ));
    }
}
