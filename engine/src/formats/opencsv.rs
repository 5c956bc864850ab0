//! CSV as Hive's `OpenCSVSerde` reads and writes it with the opencsv 2.3 parser: quoted fields,
//! one record per line, no NULL spelling (an empty field is an empty string), and on Athena
//! numbers, booleans, epoch-millisecond timestamps and epoch-day dates that fail the query when
//! malformed.

use arrow::array::{Array, ArrayRef};
use arrow::record_batch::RecordBatch;

use super::column::Rules;
use super::delimited::push_text;
use super::value::Invalid;
use super::{Projection, bad_data, for_each_line};
use crate::table::ScanError;

/// opencsv's default escape, which OpenCSVSerde also uses when its `escapeChar` is left at `"`:
/// opencsv refuses an escape equal to the quote when parsing.
const PARSER_ESCAPE: char = '\\';

/// The three characters of an `OpenCsv` table.
#[derive(Clone, Copy)]
pub(crate) struct Dialect {
    pub(crate) separator: char,
    pub(crate) quote: char,
    pub(crate) escape: char,
}

/// Reads CSV lines into the projected columns.
pub(crate) fn read(
    text: &str,
    projection: &Projection,
    dialect: Dialect,
    skip_header_line_count: usize,
) -> Result<(Vec<ArrayRef>, usize), ScanError> {
    let mut builders = projection.builders(text.len() / 32);
    let mut fields = Vec::new();
    let mut rows = 0;
    let mut skipped = 0;
    for_each_line(text, |line| {
        if skipped < skip_header_line_count {
            skipped += 1;
            return Ok(());
        }
        parse_line(line, dialect, &mut fields);
        for (builder, &(column, _)) in builders.iter_mut().zip(&projection.columns) {
            let Some(field) = fields.get(column) else {
                builder.append_null();
                continue;
            };
            if let Err(Invalid(message)) = builder.append_text(field, Rules::OpenCsv) {
                return Err(bad_data(field, column, &message));
            }
        }
        rows += 1;
        Ok(())
    })?;
    Ok((projection.finish(&mut builders), rows))
}

/// opencsv's `CSVParser.parseLine`, including its treatment of a quote in the middle of an
/// unquoted field (`a,b"c"d,e` keeps the quotes) and of an escape before an ordinary character
/// (the escape is dropped).
pub(crate) fn parse_line(line: &str, dialect: Dialect, fields: &mut Vec<String>) {
    let escape = if dialect.escape == '"' {
        PARSER_ESCAPE
    } else {
        dialect.escape
    };
    let (separator, quote) = (dialect.separator, dialect.quote);
    fields.clear();
    let chars: Vec<char> = line.chars().collect();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut in_field = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == escape {
            if (in_quotes || in_field) && (next == Some(quote) || next == Some(escape)) {
                field.push(next.expect("checked above"));
                i += 1;
            }
        } else if c == quote {
            if in_quotes && next == Some(quote) {
                field.push(quote);
                i += 1;
            } else {
                let embedded = i > 2
                    && chars[i - 1] != separator
                    && next.is_some_and(|next| next != separator);
                if embedded {
                    field.push(c);
                }
                in_quotes = !in_quotes;
            }
            in_field = !in_field;
        } else if c == separator && !in_quotes {
            fields.push(std::mem::take(&mut field));
            in_field = false;
        } else {
            field.push(c);
            in_field = true;
        }
        i += 1;
    }
    fields.push(field);
}

/// Writes opencsv's `CSVWriter` lines: every value quoted, the quote and escape characters
/// escaped (doubled when the escape is the quote), NULL as an empty unquoted field.
pub(crate) fn write(batches: &[RecordBatch], dialect: Dialect) -> Vec<u8> {
    let mut out = String::new();
    let mut text = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            for (index, column) in batch.columns().iter().enumerate() {
                if index > 0 {
                    out.push(dialect.separator);
                }
                if column.is_null(row) {
                    continue;
                }
                text.clear();
                push_opencsv_text(column.as_ref(), row, &mut text);
                out.push(dialect.quote);
                for c in text.chars() {
                    if c == dialect.quote || c == dialect.escape {
                        out.push(dialect.escape);
                    }
                    out.push(c);
                }
                out.push(dialect.quote);
            }
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// OpenCSVSerde's text for a value: Hive's, except that timestamps and dates are the epoch
/// numbers Athena reads back.
fn push_opencsv_text(column: &dyn Array, row: usize, out: &mut String) {
    use arrow::array::AsArray;
    use arrow::datatypes::{DataType, Date32Type, TimestampMillisecondType};
    match column.data_type() {
        DataType::Date32 => {
            out.push_str(&column.as_primitive::<Date32Type>().value(row).to_string());
        }
        DataType::Timestamp(_, _) => {
            let millis = column.as_primitive::<TimestampMillisecondType>().value(row);
            out.push_str(&millis.to_string());
        }
        _ => push_text(column, row, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, escape: char, expect: &[&str]) {
        let dialect = Dialect {
            separator: ',',
            quote: '"',
            escape,
        };
        let mut fields = Vec::new();
        parse_line(line, dialect, &mut fields);
        assert_eq!(fields, expect, "{line}");
    }

    #[test]
    fn parses_as_opencsv_does() {
        check(
            r#"a,"b,c","d ""e""",,"""#,
            '"',
            &["a", "b,c", "d \"e\"", "", ""],
        );
        check(r#""x\"y","back\\slash""#, '\\', &["x\"y", "back\\slash"]);
        check(r#"a,b"c"d,e"#, '"', &["a", "b\"c\"d", "e"]);
        // With the default escape a lone backslash before an ordinary character is dropped.
        check(r#""C:\temp",1"#, '"', &["C:temp", "1"]);
        check("", '"', &[""]);
    }

    #[test]
    fn writes_as_csv_writer_does() {
        use std::sync::Arc;

        use arrow::array::{Int64Array, StringArray};
        use arrow::datatypes::{DataType, Field, Schema};

        let schema = Arc::new(Schema::new(vec![
            Field::new("s", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![Some("say \"hi\", \\o/"), None])),
                Arc::new(Int64Array::from(vec![Some(1), None])),
            ],
        )
        .unwrap();
        let doubled = Dialect {
            separator: ',',
            quote: '"',
            escape: '"',
        };
        let text = String::from_utf8(write(std::slice::from_ref(&batch), doubled)).unwrap();
        assert_eq!(text, "\"say \"\"hi\"\", \\o/\",\"1\"\n,\n");
        let backslash = Dialect {
            escape: '\\',
            ..doubled
        };
        let text = String::from_utf8(write(&[batch], backslash)).unwrap();
        assert_eq!(text, "\"say \\\"hi\\\", \\\\o/\",\"1\"\n,\n");
    }
}
