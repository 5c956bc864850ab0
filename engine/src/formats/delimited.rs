//! Delimited text as Hive's `LazySimpleSerDe` reads and writes it (TEXTFILE, TSV, CSV without
//! quotes): fields split on one character with no quoting, `\N` for NULL, an optional escape
//! character, and bad values read as NULL rather than failing the query.

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;

use super::column::Rules;
use super::value;
use super::{Projection, for_each_line};
use crate::table::ScanError;

/// How LazySimpleSerDe spells NULL (`serialization.null.format`'s default).
const NULL_TEXT: &str = "\\N";

/// Reads delimited lines into the projected columns.
pub(crate) fn read(
    text: &str,
    projection: &Projection,
    field_delimiter: char,
    escape: Option<char>,
    skip_header_line_count: usize,
) -> Result<(Vec<ArrayRef>, usize), ScanError> {
    let mut builders = projection.builders(text.len() / 32);
    let mut fields: Vec<Option<String>> = Vec::new();
    let mut rows = 0;
    let mut skipped = 0;
    for_each_line(text, |line| {
        if skipped < skip_header_line_count {
            skipped += 1;
            return Ok(());
        }
        split(line, field_delimiter, escape, &mut fields);
        for (builder, &(column, _)) in builders.iter_mut().zip(&projection.columns) {
            match fields.get(column) {
                Some(Some(field)) => builder
                    .append_text(field, Rules::LazySimple)
                    .expect("LazySimpleSerDe reads bad values as NULL"),
                Some(None) | None => builder.append_null(),
            }
        }
        rows += 1;
        Ok(())
    })?;
    Ok((projection.finish(&mut builders), rows))
}

/// Splits a line into fields, `None` for the NULL marker. With an escape character, an
/// escaped character is taken literally (`\n` and `\r` stand for line breaks, as Hive writes
/// them); the NULL marker is recognised before unescaping, so an escaped `\\N` is text.
fn split(line: &str, delimiter: char, escape: Option<char>, fields: &mut Vec<Option<String>>) {
    fields.clear();
    let Some(escape) = escape else {
        fields.extend(
            line.split(delimiter)
                .map(|field| (field != NULL_TEXT).then(|| field.to_owned())),
        );
        return;
    };
    let mut field = String::new();
    let mut raw_start = 0;
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == escape {
            match chars.next() {
                Some((_, 'n')) => field.push('\n'),
                Some((_, 'r')) => field.push('\r'),
                Some((_, next)) => field.push(next),
                None => field.push(c),
            }
        } else if c == delimiter {
            let raw = &line[raw_start..at];
            fields.push((raw != NULL_TEXT).then(|| std::mem::take(&mut field)));
            field.clear();
            raw_start = at + c.len_utf8();
        } else {
            field.push(c);
        }
    }
    fields.push((&line[raw_start..] != NULL_TEXT).then_some(field));
}

/// Writes LazySimpleSerDe text: fields joined by the delimiter, `\N` for NULL, timestamps in
/// Hive's layout, doubles as Java prints them. Without an escape character a value holding the
/// delimiter or a line break is written as is, as Hive does, and will not read back the same.
pub(crate) fn write(
    batches: &[RecordBatch],
    field_delimiter: char,
    escape: Option<char>,
) -> Vec<u8> {
    let mut out = String::new();
    let mut text = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            for (index, column) in batch.columns().iter().enumerate() {
                if index > 0 {
                    out.push(field_delimiter);
                }
                if column.is_null(row) {
                    out.push_str(NULL_TEXT);
                    continue;
                }
                text.clear();
                push_text(column.as_ref(), row, &mut text);
                match escape {
                    Some(escape) if column.data_type() == &DataType::Utf8 => {
                        push_escaped(&text, field_delimiter, escape, &mut out);
                    }
                    _ => out.push_str(&text),
                }
            }
            out.push('\n');
        }
    }
    out.into_bytes()
}

fn push_escaped(text: &str, delimiter: char, escape: char, out: &mut String) {
    for c in text.chars() {
        match c {
            '\n' => {
                out.push(escape);
                out.push('n');
            }
            '\r' => {
                out.push(escape);
                out.push('r');
            }
            c if c == delimiter || c == escape => {
                out.push(escape);
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// A non-NULL value as Hive's text SerDes print it.
pub(crate) fn push_text(column: &dyn Array, row: usize, out: &mut String) {
    use arrow::array::AsArray;
    use arrow::datatypes::{
        Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
        TimestampMillisecondType,
    };
    match column.data_type() {
        DataType::Boolean => out.push_str(if column.as_boolean().value(row) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => out.push_str(&column.as_primitive::<Int8Type>().value(row).to_string()),
        DataType::Int16 => {
            out.push_str(&column.as_primitive::<Int16Type>().value(row).to_string());
        }
        DataType::Int32 => {
            out.push_str(&column.as_primitive::<Int32Type>().value(row).to_string());
        }
        DataType::Int64 => {
            out.push_str(&column.as_primitive::<Int64Type>().value(row).to_string());
        }
        DataType::Float32 => {
            value::format_java_float(column.as_primitive::<Float32Type>().value(row), out);
        }
        DataType::Float64 => {
            value::format_java_double(column.as_primitive::<Float64Type>().value(row), out);
        }
        DataType::Utf8 => out.push_str(column.as_string::<i32>().value(row)),
        DataType::Date32 => {
            value::format_date(column.as_primitive::<Date32Type>().value(row).into(), out);
        }
        DataType::Timestamp(_, _) => value::format_hive_timestamp(
            column.as_primitive::<TimestampMillisecondType>().value(row),
            out,
        ),
        other => unreachable!("write checks column types first, found {other}"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray, TimestampMillisecondArray};
    use arrow::datatypes::{Field, Schema, TimeUnit};

    use super::*;
    use crate::formats::{FileFormat, read as read_format, render};
    use crate::table::ScanRequest;

    fn schema() -> Arc<Schema> {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("count", DataType::Int64, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Millisecond, None), true),
        ]))
    }

    fn check(format: FileFormat, input: &str, expect: &str) {
        let request = ScanRequest::default();
        let output = read_format(input.as_bytes(), &format, &schema(), &request).unwrap();
        let actual = render(&output.batches);
        assert_eq!(actual, expect.trim(), "\n{actual}");
    }

    fn tsv(escape: Option<char>) -> FileFormat {
        FileFormat::Delimited {
            field_delimiter: '\t',
            escape,
            skip_header_line_count: 0,
        }
    }

    #[test]
    fn reads_lazy_simple_rules() {
        check(
            tsv(None),
            "a\t1\t2022-06-12 00:00:01\n\
             \t\t\n\
             \\N\tx\t2022-06-12T00:00:02.5\r\n\
             only\r\
             d\t4\t\tignored\n",
            r#"
name | count | at
"a" | 1 | 2022-06-12T00:00:01
"" | NULL | NULL
NULL | NULL | 2022-06-12T00:00:02.500
"only" | NULL | NULL
"d" | 4 | NULL
"#,
        );
    }

    #[test]
    fn escapes_keep_delimiters_and_line_breaks() {
        check(
            tsv(Some('\\')),
            "a\\\tb\\nc\\\\\t7\n\\\\N\t\\N\n",
            r#"
name | count | at
"a\tb\nc\\" | 7 | NULL
"\\N" | NULL | NULL
"#,
        );
    }

    #[test]
    fn skips_header_lines() {
        let format = FileFormat::Delimited {
            field_delimiter: ',',
            escape: None,
            skip_header_line_count: 1,
        };
        check(
            format,
            "name,count,at\nx,1,\n",
            r#"
name | count | at
"x" | 1 | NULL
"#,
        );
    }

    #[test]
    fn writes_hive_text() {
        let batch = RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(StringArray::from(vec![Some("a\tb"), None])),
                Arc::new(Int64Array::from(vec![Some(1), None])),
                Arc::new(TimestampMillisecondArray::from(vec![
                    Some(1_655_000_000_500),
                    None,
                ])),
            ],
        )
        .unwrap();
        let plain = String::from_utf8(write(std::slice::from_ref(&batch), '\u{1}', None)).unwrap();
        assert_eq!(
            plain,
            "a\tb\u{1}1\u{1}2022-06-12 02:13:20.5\n\\N\u{1}\\N\u{1}\\N\n"
        );
        let escaped = String::from_utf8(write(&[batch], '\t', Some('\\'))).unwrap();
        assert_eq!(escaped, "a\\\tb\t1\t2022-06-12 02:13:20.5\n\\N\t\\N\t\\N\n");
    }
}
