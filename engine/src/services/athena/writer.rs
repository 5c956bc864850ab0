//! Writes CTAS and INSERT INTO output the way Athena does: one file per worker unless the table
//! is bucketed (then exactly `bucket_count` files, rows placed by a hash of the bucket columns),
//! `col=value/` folders for partitions, GZIP unless a codec is named.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use super::results::render_column;
use crate::formats::{self, FileFormat};
use crate::sql::{Compression, CtasFormat, ErrorCode, SqlError};

/// Athena runs a query on many workers; each one that receives input writes its own file. The
/// playground models at most this many.
pub const WRITERS_MAX: usize = 4;

/// The format and codec of the files to write, and how to spread rows over them.
#[derive(Clone, Debug)]
pub struct Layout {
    pub format: CtasFormat,
    pub compression: Option<Compression>,
    pub field_delimiter: Option<char>,
    pub bucketed_by: Vec<usize>,
    pub bucket_count: Option<u32>,
    /// Indexes of the partition columns (the last columns of the result).
    pub partitioned_by: Vec<usize>,
}

impl Layout {
    pub fn file_format(&self) -> Result<FileFormat, SqlError> {
        match self.format {
            CtasFormat::Parquet => Ok(FileFormat::Parquet),
            CtasFormat::Json => Ok(FileFormat::Json(Default::default())),
            CtasFormat::TextFile => Ok(FileFormat::Delimited {
                field_delimiter: self.field_delimiter.unwrap_or('\u{1}'),
                escape: None,
                skip_header_line_count: 0,
            }),
            CtasFormat::Orc | CtasFormat::Avro => {
                let name = format!("{:?}", self.format).to_uppercase();
                Err(SqlError::not_supported(
                    None,
                    format!(
                        "format '{name}' is not simulated by the playground (it has no {name} writer): use format='PARQUET', the other columnar format, or JSON or TEXTFILE"
                    ),
                ))
            }
        }
    }

    /// Athena's default write codec is GZIP for Parquet and text formats.
    pub fn codec(&self) -> Result<formats::Compression, SqlError> {
        match self.compression.unwrap_or(Compression::Gzip) {
            Compression::Gzip => Ok(formats::Compression::Gzip),
            Compression::Snappy => Ok(formats::Compression::Snappy),
            Compression::None => Ok(formats::Compression::None),
            Compression::Lz4 => Err(SqlError::new(
                ErrorCode::NotSupported,
                None,
                "Athena does not support writing files compressed with LZ4",
            )),
            Compression::Zstd => Err(SqlError::not_supported(
                None,
                "ZSTD compression is not simulated by the playground; use SNAPPY or GZIP",
            )),
        }
    }

    fn extension(&self) -> &'static str {
        let gzip = matches!(
            self.compression.unwrap_or(Compression::Gzip),
            Compression::Gzip
        );
        match self.format {
            CtasFormat::Json | CtasFormat::TextFile if gzip => ".gz",
            _ => "",
        }
    }
}

/// One file to put: its key below the table location and its bytes.
pub struct OutputFile {
    pub relative_key: String,
    pub bytes: Vec<u8>,
}

/// Splits `batches` into files following `layout`. `name_stem` makes file names unique per query.
pub fn write(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    layout: &Layout,
    name_stem: &str,
) -> Result<Vec<OutputFile>, SqlError> {
    let internal = |err: String| internal_error(err);
    let format = layout.file_format()?;
    let codec = layout.codec()?;
    let data_columns: Vec<usize> = (0..schema.fields().len())
        .filter(|i| !layout.partitioned_by.contains(i))
        .collect();
    let data_schema = Arc::new(
        schema
            .project(&data_columns)
            .map_err(|e| internal(e.to_string()))?,
    );
    let mut files = Vec::new();
    for (folder, part) in partitions(schema, batches, layout)? {
        for (index, group) in groups(&part, layout).into_iter().enumerate() {
            let rows: usize = group.iter().map(RecordBatch::num_rows).sum();
            if rows == 0 && layout.bucket_count.is_none() {
                continue;
            }
            let projected: Vec<RecordBatch> = group
                .iter()
                .map(|b| b.project(&data_columns))
                .collect::<Result<_, _>>()
                .map_err(|e| internal(e.to_string()))?;
            let bytes = formats::write(&data_schema, &projected, &format, codec)
                .map_err(|e| internal(e.to_string()))?;
            let name = match layout.bucket_count {
                Some(_) => format!("{name_stem}_bucket-{index:05}{}", layout.extension()),
                None => format!("{name_stem}_{index:05}{}", layout.extension()),
            };
            files.push(OutputFile {
                relative_key: format!("{folder}{name}"),
                bytes,
            });
        }
    }
    Ok(files)
}

/// Rows grouped by partition folder (`dt=2022-06-12/`); one unnamed group without partitions.
fn partitions(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    layout: &Layout,
) -> Result<BTreeMap<String, Vec<RecordBatch>>, SqlError> {
    let mut out: BTreeMap<String, Vec<RecordBatch>> = BTreeMap::new();
    if layout.partitioned_by.is_empty() {
        out.insert(String::new(), batches.to_vec());
        return Ok(out);
    }
    for batch in batches {
        let keys: Vec<Vec<Option<String>>> = layout
            .partitioned_by
            .iter()
            .map(|&i| render_column(batch.column(i)))
            .collect();
        let mut rows_by_folder: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for row in 0..batch.num_rows() {
            let folder: String = layout
                .partitioned_by
                .iter()
                .zip(&keys)
                .map(|(&i, values)| {
                    format!(
                        "{}={}/",
                        schema.field(i).name(),
                        values[row]
                            .as_deref()
                            .unwrap_or("__HIVE_DEFAULT_PARTITION__")
                    )
                })
                .collect();
            rows_by_folder.entry(folder).or_default().push(row as u32);
        }
        for (folder, rows) in rows_by_folder {
            out.entry(folder)
                .or_default()
                .push(take_rows(batch, &rows)?);
        }
    }
    Ok(out)
}

/// The files of one partition: `bucket_count` buckets by hash, or one per worker otherwise.
fn groups(batches: &[RecordBatch], layout: &Layout) -> Vec<Vec<RecordBatch>> {
    match layout.bucket_count {
        // One bucket holds every row: nothing to hash.
        Some(1) => vec![batches.to_vec()],
        Some(count) => {
            let count = count.max(1) as usize;
            let mut buckets: Vec<Vec<RecordBatch>> = vec![Vec::new(); count];
            for batch in batches {
                let mut rows: Vec<Vec<u32>> = vec![Vec::new(); count];
                let keys: Vec<Vec<Option<String>>> = layout
                    .bucketed_by
                    .iter()
                    .map(|&i| render_column(batch.column(i)))
                    .collect();
                for row in 0..batch.num_rows() {
                    let hash = keys.iter().fold(0u32, |h, column| {
                        h.wrapping_mul(31)
                            .wrapping_add(java_hash(column[row].as_deref()))
                    });
                    rows[(hash & 0x7fff_ffff) as usize % count].push(row as u32);
                }
                for (bucket, rows) in rows.into_iter().enumerate() {
                    if !rows.is_empty() {
                        buckets[bucket]
                            .push(take_rows(batch, &rows).expect("row indexes are in range"));
                    }
                }
            }
            buckets
        }
        None => {
            // Each input split goes to a worker in turn; every worker that got one writes a file.
            let writers = batches.len().clamp(1, WRITERS_MAX);
            let mut workers: Vec<Vec<RecordBatch>> = vec![Vec::new(); writers];
            for (i, batch) in batches.iter().enumerate() {
                workers[i % writers].push(batch.clone());
            }
            workers
        }
    }
}

/// Java's `String.hashCode` over the value's text (NULL hashes to 0).
fn java_hash(value: Option<&str>) -> u32 {
    value.map_or(0, |text| {
        text.encode_utf16().fold(0u32, |h, unit| {
            h.wrapping_mul(31).wrapping_add(u32::from(unit))
        })
    })
}

fn take_rows(batch: &RecordBatch, rows: &[u32]) -> Result<RecordBatch, SqlError> {
    let indices = UInt32Array::from(rows.to_vec());
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| take(c, &indices, None))
        .collect::<Result<_, _>>()
        .map_err(|e| internal_error(e.to_string()))?;
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| internal_error(e.to_string()))
}

fn internal_error(message: String) -> SqlError {
    SqlError::new(
        ErrorCode::Storage("GENERIC_INTERNAL_ERROR".into()),
        None,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash() {
        // "hello".hashCode() == 99162322 in Java.
        assert_eq!(java_hash(Some("hello")), 99_162_322);
        assert_eq!(java_hash(None), 0);
    }
}
