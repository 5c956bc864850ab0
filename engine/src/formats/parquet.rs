//! Parquet files: writing Athena-like files (one row group per [`ROW_GROUP_ROWS_MAX`] rows or
//! [`ROW_GROUP_BYTES_MAX`] bytes, min/max statistics, the declared codec), reading them the way
//! Athena does (columns matched by name, only the needed column chunks of the row groups whose
//! statistics may match the filters, billed by those chunks), and describing their layout.
//!
//! Timestamps are written as `INT64` with the `TIMESTAMP(MILLIS, isAdjustedToUTC=false)`
//! logical type. Athena's CTAS writes the legacy `INT96` (Trino's Hive connector sets
//! `HIVE_PARQUET_USE_INT96_TIMESTAMP_ENCODING`), which arrow-rs cannot write; pyarrow and DuckDB
//! read both encodings as the same wall-clock instants, and the reader here reads both.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, new_null_array};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Schema, SchemaRef};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::{ArrowWriter, ArrowWriterOptions};
use parquet::basic::{ColumnOrder, Compression as Codec, GzipLevel, LogicalType, SortOrder};
use parquet::basic::{TimeUnit as ParquetTimeUnit, Type as PhysicalType};
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::statistics::Statistics;
use parquet::schema::types::{ColumnPath, SchemaDescriptor};

use super::column::Kind;
#[cfg(test)]
use super::read_object;
use super::{Compression, FormatError, value};
use crate::table::{ColumnFilter, FilterOp, Literal, ScanError, ScanOutput, ScanRequest};

/// Rows per row group at most; Trino's writer and parquet-mr also cut row groups near a million
/// rows or 128 MiB, whichever comes first.
pub const ROW_GROUP_ROWS_MAX: usize = 1_000_000;

/// Estimated encoded bytes per row group at most (`parquet.block.size`'s default).
pub const ROW_GROUP_BYTES_MAX: usize = 128 * 1024 * 1024;

/// Rows per batch when reading.
const READ_BATCH_ROWS: usize = 8192;

/// Small batches are joined up to this many rows before they are written.
const WRITE_BATCH_ROWS: usize = 65_536;

/// Every Parquet file ends with a 4-byte footer length and the magic `PAR1`.
const FOOTER_TAIL_LEN: usize = 8;

/// Writes `batches` as one Parquet file with `compression`.
pub(crate) fn write(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    compression: Compression,
) -> Result<Vec<u8>, FormatError> {
    write_row_groups(schema, batches, compression, ROW_GROUP_ROWS_MAX)
}

/// [`write`] with row groups of at most `row_group_rows` rows.
fn write_row_groups(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    compression: Compression,
    row_group_rows: usize,
) -> Result<Vec<u8>, FormatError> {
    let codec = match compression {
        Compression::None => Codec::UNCOMPRESSED,
        Compression::Snappy => Codec::SNAPPY,
        Compression::Gzip => Codec::GZIP(GzipLevel::default()),
    };
    let mut properties = WriterProperties::builder()
        .set_compression(codec)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(row_group_rows))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES_MAX))
        .set_dictionary_enabled(false);
    // Dictionaries pay off for repeated strings (device names); timestamps and measurements
    // are mostly distinct, and building a dictionary the writer then abandons costs time.
    for field in schema.fields() {
        if matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8) {
            let path = ColumnPath::new(vec![field.name().clone()]);
            properties = properties.set_column_dictionary_enabled(path, true);
        }
    }
    let properties = properties.build();
    // The table's schema is the reader's truth, as on Athena: no embedded Arrow schema.
    let options = ArrowWriterOptions::new()
        .with_properties(properties)
        .with_skip_arrow_metadata(true);
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new_with_options(&mut out, schema.clone(), options)
        .map_err(|error| FormatError::Parquet(error.to_string()))?;
    // The writer's work per call is per column: many small batches (one per source object)
    // cost far more than the same rows in a few large ones.
    let mut start = 0;
    while start < batches.len() {
        let mut end = start + 1;
        let mut rows = batches[start].num_rows();
        while end < batches.len() && rows + batches[end].num_rows() <= WRITE_BATCH_ROWS {
            rows += batches[end].num_rows();
            end += 1;
        }
        let batch = concat_batches(schema, &batches[start..end])
            .map_err(|error| FormatError::Parquet(error.to_string()))?;
        writer
            .write(&batch)
            .map_err(|error| FormatError::Parquet(error.to_string()))?;
        start = end;
    }
    writer
        .close()
        .map_err(|error| FormatError::Parquet(error.to_string()))?;
    Ok(out)
}

fn cursor_error(error: impl std::fmt::Display) -> ScanError {
    ScanError {
        code: "HIVE_CURSOR_ERROR".into(),
        message: format!("Failed to read Parquet file: {error}"),
    }
}

/// Where each requested table column is in the file.
struct FileColumn {
    /// Index among the file's top-level fields.
    root: usize,
    /// Index among the file's leaf columns (flat files: the same as `root`).
    leaf: usize,
}

/// Reads the requested columns of the row groups that may hold matches.
pub(crate) fn read(
    location: &str,
    bytes: &[u8],
    schema: &Schema,
    request: &ScanRequest,
    projection: &[usize],
) -> Result<ScanOutput, ScanError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes))
        .map_err(cursor_error)?;
    let metadata = builder.metadata().clone();
    let descriptor = builder.parquet_schema().clone();
    let file_schema = builder.schema().clone();
    let columns: Vec<Option<FileColumn>> = schema
        .fields()
        .iter()
        .map(|field| find_column(&file_schema, &descriptor, field.name()))
        .collect();
    for &index in projection {
        check_type(location, schema, &file_schema, &descriptor, &columns, index)?;
    }
    let row_groups: Vec<usize> = (0..metadata.num_row_groups())
        .filter(|&group| {
            request.filters.iter().all(|filter| {
                may_match(
                    &metadata,
                    &descriptor,
                    metadata.row_group(group),
                    &columns,
                    filter,
                )
            })
        })
        .collect();
    let mut roots: Vec<usize> = projection
        .iter()
        .filter_map(|&index| columns[index].as_ref().map(|column| column.root))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let bytes_scanned =
        footer_len(bytes) + chunk_bytes(&metadata, &descriptor, &row_groups, &roots);
    let output_schema = Arc::new(
        schema
            .project(projection)
            .expect("projection checked by read"),
    );
    let batches = if roots.is_empty() {
        row_count_batches(&metadata, &row_groups, &output_schema)
    } else {
        let reader = builder
            .with_projection(ProjectionMask::roots(&descriptor, roots.iter().copied()))
            .with_row_groups(row_groups)
            .with_batch_size(READ_BATCH_ROWS)
            .build()
            .map_err(cursor_error)?;
        let mut batches = Vec::new();
        for batch in reader {
            let batch = batch.map_err(cursor_error)?;
            batches.push(to_table_batch(
                &batch,
                schema,
                projection,
                &columns,
                &output_schema,
            )?);
        }
        batches
    };
    Ok(ScanOutput {
        batches,
        bytes_scanned,
    })
}

/// The file column named like `name`, ignoring case (Athena's names are lower case, writers'
/// may not be). Only top-level primitive columns are readable.
fn find_column(
    file_schema: &Schema,
    descriptor: &SchemaDescriptor,
    name: &str,
) -> Option<FileColumn> {
    let root = file_schema
        .fields()
        .iter()
        .position(|field| field.name().eq_ignore_ascii_case(name))?;
    let leaf =
        (0..descriptor.num_columns()).find(|&leaf| descriptor.get_column_root_idx(leaf) == root)?;
    Some(FileColumn { root, leaf })
}

/// Athena's check that a file column can be read as the table column's type.
fn check_type(
    location: &str,
    schema: &Schema,
    file_schema: &Schema,
    descriptor: &SchemaDescriptor,
    columns: &[Option<FileColumn>],
    index: usize,
) -> Result<(), ScanError> {
    let Some(column) = &columns[index] else {
        return Ok(());
    };
    let field = schema.field(index);
    let kind = Kind::of(field.data_type()).expect("read checks table column types");
    let file_type = file_schema.field(column.root).data_type();
    if compatible(kind, file_type) {
        return Ok(());
    }
    let physical = descriptor.column(column.leaf).physical_type();
    let file = if location.is_empty() {
        String::new()
    } else {
        format!("{location} ")
    };
    Err(ScanError {
        code: "HIVE_BAD_DATA".into(),
        message: format!(
            "Field {}'s type {physical} in parquet file {file}is incompatible with type {} defined in table schema",
            field.name(),
            kind.sql_name()
        ),
    })
}

/// Which file types read as which table types: the same type, or a wider one of its family.
fn compatible(kind: Kind, file_type: &DataType) -> bool {
    use DataType as T;
    match kind {
        Kind::Varchar => matches!(file_type, T::Utf8 | T::LargeUtf8 | T::Utf8View | T::Binary),
        Kind::BigInt => matches!(
            file_type,
            T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::UInt8 | T::UInt16 | T::UInt32
        ),
        Kind::Int => matches!(
            file_type,
            T::Int8 | T::Int16 | T::Int32 | T::UInt8 | T::UInt16
        ),
        Kind::SmallInt => matches!(file_type, T::Int8 | T::Int16 | T::UInt8),
        Kind::TinyInt => matches!(file_type, T::Int8),
        Kind::Double => matches!(
            file_type,
            T::Float32 | T::Float64 | T::Int8 | T::Int16 | T::Int32 | T::Int64
        ),
        Kind::Real => matches!(file_type, T::Float32),
        Kind::Boolean => matches!(file_type, T::Boolean),
        Kind::Date => matches!(file_type, T::Date32),
        Kind::Timestamp => matches!(file_type, T::Timestamp(_, _)),
    }
}

/// The file's footer as Athena reads it first: the metadata plus its length and magic.
fn footer_len(bytes: &[u8]) -> u64 {
    let tail = &bytes[bytes.len() - FOOTER_TAIL_LEN..];
    let metadata_len = u32::from_le_bytes(tail[..4].try_into().expect("four bytes"));
    u64::from(metadata_len) + FOOTER_TAIL_LEN as u64
}

/// Compressed bytes of the chunks of `roots` in `row_groups`.
fn chunk_bytes(
    metadata: &ParquetMetaData,
    descriptor: &SchemaDescriptor,
    row_groups: &[usize],
    roots: &[usize],
) -> u64 {
    let mut total = 0;
    for &group in row_groups {
        let group = metadata.row_group(group);
        for leaf in 0..descriptor.num_columns() {
            if roots.contains(&descriptor.get_column_root_idx(leaf)) {
                total += group.column(leaf).compressed_size().max(0) as u64;
            }
        }
    }
    total
}

/// Batches with no columns that only carry row counts (`SELECT count(*)`).
fn row_count_batches(
    metadata: &ParquetMetaData,
    row_groups: &[usize],
    schema: &SchemaRef,
) -> Vec<RecordBatch> {
    row_groups
        .iter()
        .map(|&group| metadata.row_group(group).num_rows() as usize)
        .filter(|&rows| rows > 0)
        .map(|rows| {
            let options = RecordBatchOptions::new().with_row_count(Some(rows));
            RecordBatch::try_new_with_options(schema.clone(), vec![], &options)
                .expect("an empty projection has no columns to mismatch")
        })
        .collect()
}

/// A file batch reshaped to the projected table columns: matched by name, cast to the table's
/// types, all NULL where the file lacks the column.
fn to_table_batch(
    batch: &RecordBatch,
    schema: &Schema,
    projection: &[usize],
    columns: &[Option<FileColumn>],
    output_schema: &SchemaRef,
) -> Result<RecordBatch, ScanError> {
    let arrays = projection
        .iter()
        .map(|&index| {
            let target = schema.field(index).data_type();
            let Some(column) = &columns[index] else {
                return Ok(new_null_array(target, batch.num_rows()));
            };
            let name = batch.schema().fields().iter().position(|field| {
                field
                    .name()
                    .eq_ignore_ascii_case(schema.field(index).name())
            });
            let array = batch.column(name.expect("projected columns are in the batch"));
            debug_assert_eq!(array.len(), batch.num_rows(), "root {}", column.root);
            if array.data_type() == target {
                Ok(array.clone())
            } else {
                cast(array, target).map_err(cursor_error)
            }
        })
        .collect::<Result<Vec<ArrayRef>, ScanError>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(output_schema.clone(), arrays, &options).map_err(cursor_error)
}

/// A bound of a column chunk's statistics, in a domain a literal compares with.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Bound {
    Int(i128),
    Float(f64),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// Whether `filter` may be true for some row of `group`, by the chunk's min/max and null
/// count. `true` whenever the statistics cannot tell.
fn may_match(
    metadata: &ParquetMetaData,
    descriptor: &SchemaDescriptor,
    group: &RowGroupMetaData,
    columns: &[Option<FileColumn>],
    filter: &ColumnFilter,
) -> bool {
    let Some(Some(column)) = columns.get(filter.column) else {
        return true;
    };
    let Some(statistics) = group.column(column.leaf).statistics() else {
        return true;
    };
    if matches!(filter.value, Literal::Null) {
        return true;
    }
    // A comparison with NULL is never true, so an all-NULL chunk holds no match.
    if statistics.null_count_opt() == Some(group.num_rows() as u64) && group.num_rows() > 0 {
        return false;
    }
    let descriptor = descriptor.column(column.leaf);
    let unsigned_order = matches!(
        metadata.file_metadata().column_order(column.leaf),
        ColumnOrder::TYPE_DEFINED_ORDER(SortOrder::UNSIGNED)
    );
    let literal = literal_bound(&filter.value, descriptor.logical_type_ref());
    let (Some(literal), Some((min, max))) = (literal, bounds(statistics, unsigned_order)) else {
        return true;
    };
    let (literal, min, max) = match (literal, min, max) {
        // Integers and floats compare as floats, as the query will compare them.
        (Bound::Int(value), min @ Bound::Float(_), max) => (Bound::Float(value as f64), min, max),
        (literal @ Bound::Float(_), Bound::Int(min), Bound::Int(max)) => {
            (literal, Bound::Float(min as f64), Bound::Float(max as f64))
        }
        (literal, min, max) => (literal, min, max),
    };
    if std::mem::discriminant(&literal) != std::mem::discriminant(&min) {
        return true;
    }
    match filter.op {
        FilterOp::Eq => min <= literal && literal <= max,
        FilterOp::NotEq => !(min == literal && max == literal),
        FilterOp::Lt => min < literal,
        FilterOp::LtEq => min <= literal,
        FilterOp::Gt => max > literal,
        FilterOp::GtEq => max >= literal,
    }
}

/// The chunk's min and max, when known and ordered the way comparisons need.
fn bounds(statistics: &Statistics, unsigned_order: bool) -> Option<(Bound, Bound)> {
    let pair = |min: Option<Bound>, max: Option<Bound>| min.zip(max);
    match statistics {
        Statistics::Boolean(s) => pair(
            s.min_opt().map(|v| Bound::Bool(*v)),
            s.max_opt().map(|v| Bound::Bool(*v)),
        ),
        Statistics::Int32(s) => pair(
            s.min_opt().map(|v| Bound::Int((*v).into())),
            s.max_opt().map(|v| Bound::Int((*v).into())),
        ),
        Statistics::Int64(s) => pair(
            s.min_opt().map(|v| Bound::Int((*v).into())),
            s.max_opt().map(|v| Bound::Int((*v).into())),
        ),
        Statistics::Float(s) => pair(
            s.min_opt().map(|v| Bound::Float((*v).into())),
            s.max_opt().map(|v| Bound::Float((*v).into())),
        )
        .filter(|(min, max)| !is_nan(min) && !is_nan(max)),
        Statistics::Double(s) => pair(
            s.min_opt().map(|v| Bound::Float(*v)),
            s.max_opt().map(|v| Bound::Float(*v)),
        )
        .filter(|(min, max)| !is_nan(min) && !is_nan(max)),
        // Binary bounds are only byte-ordered under the type-defined (unsigned) order; older
        // writers used a signed order.
        Statistics::ByteArray(s) if unsigned_order => pair(
            s.min_opt().map(|v| Bound::Bytes(v.data().to_vec())),
            s.max_opt().map(|v| Bound::Bytes(v.data().to_vec())),
        ),
        _ => None,
    }
}

fn is_nan(bound: &Bound) -> bool {
    matches!(bound, Bound::Float(value) if value.is_nan())
}

/// A literal in the domain of the column's statistics (timestamps in the file's unit).
fn literal_bound(literal: &Literal, logical: Option<&LogicalType>) -> Option<Bound> {
    match (literal, logical) {
        (Literal::TimestampMs(millis), Some(LogicalType::Timestamp(timestamp))) => {
            let scale = match timestamp.unit {
                ParquetTimeUnit::MILLIS => 1,
                ParquetTimeUnit::MICROS => 1_000,
                ParquetTimeUnit::NANOS => 1_000_000,
            };
            Some(Bound::Int(i128::from(*millis) * scale))
        }
        (Literal::TimestampMs(_), _) => None,
        (Literal::Date(day), Some(LogicalType::Date)) => Some(Bound::Int((*day).into())),
        (Literal::Date(_), _) => None,
        (Literal::Int(_), Some(LogicalType::Timestamp(_) | LogicalType::Date)) => None,
        (Literal::Int(value), _) => Some(Bound::Int((*value).into())),
        (Literal::Float(value), _) if !value.is_nan() => Some(Bound::Float(*value)),
        (Literal::Utf8(text), _) => Some(Bound::Bytes(text.as_bytes().to_vec())),
        (Literal::Boolean(flag), _) => Some(Bound::Bool(*flag)),
        _ => None,
    }
}

/// A Parquet file's layout, for the UI and tests.
#[derive(Clone, Debug, PartialEq)]
pub struct ParquetInfo {
    pub num_rows: i64,
    pub created_by: Option<String>,
    pub columns: Vec<ParquetColumn>,
    pub row_groups: Vec<RowGroupInfo>,
}

/// One leaf column of the file's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParquetColumn {
    pub name: String,
    /// `INT64`, `BYTE_ARRAY`, `INT96`, …
    pub physical_type: String,
    /// `String`, `Timestamp(MILLIS)`, `Date`, … when the file declares one.
    pub logical_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RowGroupInfo {
    pub num_rows: i64,
    /// Uncompressed size of the row group's data, as the footer records it.
    pub total_byte_size: i64,
    pub compressed_size: i64,
    pub columns: Vec<ColumnChunkInfo>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnChunkInfo {
    pub name: String,
    /// `SNAPPY`, `GZIP`, `UNCOMPRESSED`, …
    pub codec: String,
    pub compressed_size: i64,
    pub uncompressed_size: i64,
    pub null_count: Option<u64>,
    /// The chunk's bounds rendered as Athena prints values, when the writer recorded them.
    pub min: Option<String>,
    pub max: Option<String>,
}

/// Describes a Parquet file from its footer.
pub(crate) fn info(bytes: &[u8]) -> Result<ParquetInfo, FormatError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes))
        .map_err(|error| FormatError::NotParquet(error.to_string()))?;
    let metadata = builder.metadata();
    let descriptor = builder.parquet_schema();
    let columns = descriptor
        .columns()
        .iter()
        .map(|column| ParquetColumn {
            name: column.path().string(),
            physical_type: column.physical_type().to_string(),
            logical_type: column.logical_type_ref().map(logical_name),
        })
        .collect();
    let row_groups = metadata
        .row_groups()
        .iter()
        .map(|group| RowGroupInfo {
            num_rows: group.num_rows(),
            total_byte_size: group.total_byte_size(),
            compressed_size: group.compressed_size(),
            columns: group
                .columns()
                .iter()
                .enumerate()
                .map(|(leaf, chunk)| {
                    let logical = descriptor.column(leaf).logical_type_ref().cloned();
                    let statistics = chunk.statistics();
                    let render = |bytes: Option<&[u8]>| {
                        bytes.and_then(|bytes| render_bound(statistics?, bytes, logical.as_ref()))
                    };
                    ColumnChunkInfo {
                        name: chunk.column_path().string(),
                        codec: codec_name(chunk.compression()).into(),
                        compressed_size: chunk.compressed_size(),
                        uncompressed_size: chunk.uncompressed_size(),
                        null_count: statistics.and_then(Statistics::null_count_opt),
                        min: render(statistics.and_then(Statistics::min_bytes_opt)),
                        max: render(statistics.and_then(Statistics::max_bytes_opt)),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(ParquetInfo {
        num_rows: metadata.file_metadata().num_rows(),
        created_by: metadata.file_metadata().created_by().map(str::to_owned),
        columns,
        row_groups,
    })
}

fn logical_name(logical: &LogicalType) -> String {
    match logical {
        LogicalType::Timestamp(timestamp) => format!("Timestamp({:?})", timestamp.unit),
        LogicalType::Integer(int) => format!("Int({})", int.bit_width),
        other => format!("{other:?}"),
    }
}

fn codec_name(codec: Codec) -> &'static str {
    match codec {
        Codec::UNCOMPRESSED => "UNCOMPRESSED",
        Codec::SNAPPY => "SNAPPY",
        Codec::GZIP(_) => "GZIP",
        Codec::LZO => "LZO",
        Codec::BROTLI(_) => "BROTLI",
        Codec::LZ4 => "LZ4",
        Codec::ZSTD(_) => "ZSTD",
        Codec::LZ4_RAW => "LZ4_RAW",
    }
}

/// A statistics bound (plain-encoded bytes) rendered like the value Athena would print.
fn render_bound(
    statistics: &Statistics,
    bytes: &[u8],
    logical: Option<&LogicalType>,
) -> Option<String> {
    let mut out = String::new();
    match (statistics.physical_type(), logical) {
        (PhysicalType::INT64, Some(LogicalType::Timestamp(timestamp))) => {
            let raw = i64::from_le_bytes(bytes.try_into().ok()?);
            let millis = match timestamp.unit {
                ParquetTimeUnit::MILLIS => raw,
                ParquetTimeUnit::MICROS => raw.div_euclid(1_000),
                ParquetTimeUnit::NANOS => raw.div_euclid(1_000_000),
            };
            value::format_trino_timestamp(millis, &mut out);
        }
        (PhysicalType::INT32, Some(LogicalType::Date)) => {
            value::format_date(i32::from_le_bytes(bytes.try_into().ok()?).into(), &mut out);
        }
        (PhysicalType::INT32, _) => out = i32::from_le_bytes(bytes.try_into().ok()?).to_string(),
        (PhysicalType::INT64, _) => out = i64::from_le_bytes(bytes.try_into().ok()?).to_string(),
        (PhysicalType::FLOAT, _) => {
            value::format_java_float(f32::from_le_bytes(bytes.try_into().ok()?), &mut out);
        }
        (PhysicalType::DOUBLE, _) => {
            value::format_java_double(f64::from_le_bytes(bytes.try_into().ok()?), &mut out);
        }
        (PhysicalType::BOOLEAN, _) => out = (bytes.first()? != &0).to_string(),
        (PhysicalType::BYTE_ARRAY, _) => out = String::from_utf8_lossy(bytes).into_owned(),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use arrow::array::{Float64Array, Int64Array, StringArray, TimestampMillisecondArray};
    use arrow::datatypes::{Field, TimeUnit};

    use super::*;
    use crate::formats::{FileFormat, read as read_format, render};

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new(
                "timestamp",
                DataType::Timestamp(TimeUnit::Millisecond, None),
                true,
            ),
            Field::new("device_name", DataType::Utf8, true),
            Field::new("metric", DataType::Float64, true),
        ]))
    }

    /// `groups` row groups of 100 rows, a minute apart, metrics 0..100 plus 1000 per group.
    fn file(groups: usize, compression: Compression) -> Vec<u8> {
        let rows = groups * 100;
        let batch = RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(TimestampMillisecondArray::from_iter_values(
                    (0..rows as i64).map(|row| 1_655_000_000_000 + row * 600),
                )),
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|row| format!("device-{}", row % 7)),
                )),
                Arc::new(Float64Array::from_iter_values(
                    (0..rows).map(|row| (row / 100 * 1000 + row % 100) as f64),
                )),
            ],
        )
        .unwrap();
        write_row_groups(&schema(), &[batch], compression, 100).unwrap()
    }

    fn scan(bytes: &[u8], request: &ScanRequest) -> ScanOutput {
        read_format(bytes, &FileFormat::Parquet, &schema(), request).unwrap()
    }

    fn rows(output: &ScanOutput) -> usize {
        output.batches.iter().map(RecordBatch::num_rows).sum()
    }

    #[test]
    fn info_describes_row_groups_codecs_and_bounds() {
        let info = info(&file(3, Compression::Snappy)).unwrap();
        assert_eq!(info.num_rows, 300);
        assert_eq!(info.row_groups.len(), 3);
        let columns: Vec<String> = info
            .columns
            .iter()
            .map(|c| format!("{} {} {:?}", c.name, c.physical_type, c.logical_type))
            .collect();
        assert_eq!(
            columns,
            [
                "timestamp INT64 Some(\"Timestamp(MILLIS)\")",
                "device_name BYTE_ARRAY Some(\"String\")",
                "metric DOUBLE None",
            ]
        );
        let last = &info.row_groups[2];
        assert_eq!(last.num_rows, 100);
        assert!(last.columns.iter().all(|chunk| chunk.codec == "SNAPPY"));
        let bounds: Vec<(Option<&str>, Option<&str>)> = last
            .columns
            .iter()
            .map(|chunk| (chunk.min.as_deref(), chunk.max.as_deref()))
            .collect();
        assert_eq!(
            bounds,
            [
                (
                    Some("2022-06-12 02:15:20.000"),
                    Some("2022-06-12 02:16:19.400")
                ),
                (Some("device-0"), Some("device-6")),
                (Some("2000.0"), Some("2099.0")),
            ]
        );
        assert_eq!(last.columns[0].null_count, Some(0));
        let gzip = super::info(&file(1, Compression::Gzip)).unwrap();
        assert_eq!(gzip.row_groups[0].columns[1].codec, "GZIP");
        let plain = super::info(&file(1, Compression::None)).unwrap();
        assert_eq!(plain.row_groups[0].columns[1].codec, "UNCOMPRESSED");
        assert!(crate::formats::is_parquet(&file(1, Compression::Snappy)));
        assert!(!crate::formats::is_parquet(b"PAR1"));
        assert!(!crate::formats::is_parquet(b"{\"a\": 1}\n"));
    }

    #[test]
    fn fewer_columns_scan_fewer_bytes() {
        let bytes = file(3, Compression::Snappy);
        let all = scan(&bytes, &ScanRequest::default());
        let one = scan(
            &bytes,
            &ScanRequest {
                projection: Some(vec![2]),
                filters: vec![],
            },
        );
        assert_eq!((rows(&all), rows(&one)), (300, 300));
        assert!(one.bytes_scanned < all.bytes_scanned, "{one:?} {all:?}");
        assert!(all.bytes_scanned < bytes.len() as u64);
        let none = scan(
            &bytes,
            &ScanRequest {
                projection: Some(vec![]),
                filters: vec![],
            },
        );
        assert_eq!(rows(&none), 300);
        assert_eq!(none.batches[0].num_columns(), 0);
        assert!(none.bytes_scanned < one.bytes_scanned);
    }

    #[test]
    fn row_groups_whose_bounds_exclude_a_filter_are_skipped() {
        let bytes = file(3, Compression::Snappy);
        let filtered = |column, op, value| {
            scan(
                &bytes,
                &ScanRequest {
                    projection: Some(vec![0, 2]),
                    filters: vec![ColumnFilter { column, op, value }],
                },
            )
        };
        let all = filtered(2, FilterOp::GtEq, Literal::Float(0.0));
        let last = filtered(0, FilterOp::Gt, Literal::TimestampMs(1_655_000_120_000));
        assert_eq!((rows(&all), rows(&last)), (300, 100));
        assert!(last.bytes_scanned < all.bytes_scanned);
        assert_eq!(
            rows(&filtered(2, FilterOp::Eq, Literal::Float(1050.0))),
            100
        );
        assert_eq!(rows(&filtered(2, FilterOp::Eq, Literal::Int(1050))), 100);
        assert_eq!(rows(&filtered(2, FilterOp::Lt, Literal::Int(1000))), 100);
        assert_eq!(
            rows(&filtered(1, FilterOp::Eq, Literal::Utf8("device-9".into()))),
            0
        );
        let nothing = filtered(2, FilterOp::Gt, Literal::Float(1e9));
        assert!(nothing.batches.is_empty());
        assert_eq!(nothing.bytes_scanned, footer_len(&bytes));
    }

    #[test]
    fn all_null_chunks_hold_no_match() {
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, true)])),
            vec![Arc::new(Int64Array::from(vec![None, None]))],
        )
        .unwrap();
        let bytes = write(
            &batch.schema(),
            std::slice::from_ref(&batch),
            Compression::None,
        )
        .unwrap();
        let request = ScanRequest {
            projection: None,
            filters: vec![ColumnFilter {
                column: 0,
                op: FilterOp::NotEq,
                value: Literal::Int(1),
            }],
        };
        let output = read_format(&bytes, &FileFormat::Parquet, &batch.schema(), &request).unwrap();
        assert!(output.batches.is_empty());
    }

    #[test]
    fn columns_match_by_name_and_types_must_agree() {
        let bytes = file(1, Compression::None);
        let table = Arc::new(Schema::new(vec![
            Field::new("metric", DataType::Float64, true),
            Field::new("missing", DataType::Int64, true),
            Field::new("DEVICE_NAME", DataType::Utf8, true),
        ]));
        let output = read_format(
            &bytes,
            &FileFormat::Parquet,
            &table,
            &ScanRequest::default(),
        )
        .unwrap();
        let text = render(&output.batches);
        assert!(
            text.starts_with(
                "metric | missing | DEVICE_NAME\n0.0 | NULL | \"device-0\"\n1.0 | NULL"
            ),
            "{text}"
        );
        let wrong = Arc::new(Schema::new(vec![Field::new(
            "metric",
            DataType::Utf8,
            true,
        )]));
        let error = read_object(
            "s3://logs/compacted/part-0.parquet",
            &bytes,
            &FileFormat::Parquet,
            &wrong,
            &ScanRequest::default(),
        )
        .unwrap_err();
        assert_eq!(
            format!("{}: {}", error.code, error.message),
            "HIVE_BAD_DATA: Field metric's type DOUBLE in parquet file \
             s3://logs/compacted/part-0.parquet is incompatible with type varchar defined in table schema"
        );
        let garbage = read_format(
            b"not parquet",
            &FileFormat::Parquet,
            &wrong,
            &ScanRequest::default(),
        );
        assert_eq!(garbage.unwrap_err().code, "HIVE_CURSOR_ERROR");
    }
}
