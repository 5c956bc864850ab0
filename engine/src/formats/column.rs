//! The column types the formats support, and a typed Arrow builder that each text reader feeds
//! field text into under its SerDe's rules (strict for the OpenX JSON SerDe and OpenCSVSerde,
//! NULL-on-bad-input for LazySimpleSerDe).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float32Builder, Float64Builder, Int8Builder,
    Int16Builder, Int32Builder, Int64Builder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow::datatypes::{DataType, Field, TimeUnit};

use super::value::{self, Invalid, TimestampText};

/// A column type as Athena declares it, in Arrow terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Real,
    Double,
    Varchar,
    Date,
    /// Trino's `timestamp(3)`: milliseconds, no time zone.
    Timestamp,
}

impl Kind {
    pub(crate) fn of(data_type: &DataType) -> Option<Kind> {
        Some(match data_type {
            DataType::Boolean => Kind::Boolean,
            DataType::Int8 => Kind::TinyInt,
            DataType::Int16 => Kind::SmallInt,
            DataType::Int32 => Kind::Int,
            DataType::Int64 => Kind::BigInt,
            DataType::Float32 => Kind::Real,
            DataType::Float64 => Kind::Double,
            DataType::Utf8 => Kind::Varchar,
            DataType::Date32 => Kind::Date,
            DataType::Timestamp(TimeUnit::Millisecond, None) => Kind::Timestamp,
            _ => return None,
        })
    }

    /// The type's name in Athena's messages (Trino spelling).
    pub(crate) fn sql_name(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::TinyInt => "tinyint",
            Kind::SmallInt => "smallint",
            Kind::Int => "integer",
            Kind::BigInt => "bigint",
            Kind::Real => "real",
            Kind::Double => "double",
            Kind::Varchar => "varchar",
            Kind::Date => "date",
            Kind::Timestamp => "timestamp(3)",
        }
    }
}

/// Whose rules turn a field's text into a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rules {
    /// `org.openx.data.jsonserde.JsonSerDe`: Java number parsing, bad input is an error.
    OpenXJson,
    /// `LazySimpleSerDe`: Hive's lazy parsers; bad input reads as NULL.
    LazySimple,
    /// `OpenCSVSerde`: Java number parsing; timestamps are epoch milliseconds and dates epoch
    /// days, as Athena documents.
    OpenCsv,
}

/// An Arrow builder for one column of a supported [`Kind`].
pub(crate) enum ColumnBuilder {
    Boolean(BooleanBuilder),
    TinyInt(Int8Builder),
    SmallInt(Int16Builder),
    Int(Int32Builder),
    BigInt(Int64Builder),
    Real(Float32Builder),
    Double(Float64Builder),
    Varchar(StringBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMillisecondBuilder),
}

impl ColumnBuilder {
    pub(crate) fn new(kind: Kind, rows: usize) -> Self {
        match kind {
            Kind::Boolean => Self::Boolean(BooleanBuilder::with_capacity(rows)),
            Kind::TinyInt => Self::TinyInt(Int8Builder::with_capacity(rows)),
            Kind::SmallInt => Self::SmallInt(Int16Builder::with_capacity(rows)),
            Kind::Int => Self::Int(Int32Builder::with_capacity(rows)),
            Kind::BigInt => Self::BigInt(Int64Builder::with_capacity(rows)),
            Kind::Real => Self::Real(Float32Builder::with_capacity(rows)),
            Kind::Double => Self::Double(Float64Builder::with_capacity(rows)),
            Kind::Varchar => Self::Varchar(StringBuilder::with_capacity(rows, rows * 16)),
            Kind::Date => Self::Date(Date32Builder::with_capacity(rows)),
            Kind::Timestamp => Self::Timestamp(TimestampMillisecondBuilder::with_capacity(rows)),
        }
    }

    pub(crate) fn append_null(&mut self) {
        match self {
            Self::Boolean(b) => b.append_null(),
            Self::TinyInt(b) => b.append_null(),
            Self::SmallInt(b) => b.append_null(),
            Self::Int(b) => b.append_null(),
            Self::BigInt(b) => b.append_null(),
            Self::Real(b) => b.append_null(),
            Self::Double(b) => b.append_null(),
            Self::Varchar(b) => b.append_null(),
            Self::Date(b) => b.append_null(),
            Self::Timestamp(b) => b.append_null(),
        }
    }

    /// Appends the value `text` spells under `rules`. Rules that read bad input as NULL never
    /// fail; the others return the Java parser's complaint.
    #[inline]
    pub(crate) fn append_text(&mut self, text: &str, rules: Rules) -> Result<(), Invalid> {
        let result = self.parse_and_append(text, rules);
        if result.is_err() && rules == Rules::LazySimple {
            self.append_null();
            return Ok(());
        }
        result
    }

    fn parse_and_append(&mut self, text: &str, rules: Rules) -> Result<(), Invalid> {
        let int = |min: i64, max: i64| match rules {
            Rules::LazySimple => lazy_long(text).filter(|v| (min..=max).contains(v)).ok_or(
                // LazySimpleSerDe turns this into NULL; the message is never shown.
                Invalid(String::new()),
            ),
            Rules::OpenXJson | Rules::OpenCsv => value::parse_java_int(text, min, max),
        };
        match self {
            Self::Varchar(b) => b.append_value(text),
            Self::Boolean(b) => match rules {
                Rules::OpenXJson => b.append_value(text.eq_ignore_ascii_case("true")),
                Rules::LazySimple | Rules::OpenCsv => {
                    if text.eq_ignore_ascii_case("true") {
                        b.append_value(true);
                    } else if text.eq_ignore_ascii_case("false") {
                        b.append_value(false);
                    } else {
                        return Err(Invalid(format!("Cannot cast '{text}' to BOOLEAN")));
                    }
                }
            },
            Self::TinyInt(b) => b.append_value(int(i8::MIN.into(), i8::MAX.into())? as i8),
            Self::SmallInt(b) => b.append_value(int(i16::MIN.into(), i16::MAX.into())? as i16),
            Self::Int(b) => b.append_value(int(i32::MIN.into(), i32::MAX.into())? as i32),
            Self::BigInt(b) => b.append_value(int(i64::MIN, i64::MAX)?),
            Self::Real(b) => b.append_value(value::parse_java_float(text)?),
            Self::Double(b) => b.append_value(value::parse_java_double(text)?),
            Self::Date(b) => b.append_value(match rules {
                Rules::OpenCsv => epoch_days(text)?,
                Rules::OpenXJson => epoch_days(text).or_else(|_| value::parse_hive_date(text))?,
                Rules::LazySimple => value::parse_hive_date(text)?,
            }),
            Self::Timestamp(b) => b.append_value(match rules {
                Rules::OpenCsv => value::parse_java_long(text)?,
                Rules::OpenXJson => value::parse_timestamp(text, TimestampText::OpenX)?,
                Rules::LazySimple => value::parse_timestamp(text, TimestampText::Hive)?,
            }),
        }
        Ok(())
    }

    /// The column built so far; the builder starts over empty.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Boolean(b) => Arc::new(b.finish()),
            Self::TinyInt(b) => Arc::new(b.finish()),
            Self::SmallInt(b) => Arc::new(b.finish()),
            Self::Int(b) => Arc::new(b.finish()),
            Self::BigInt(b) => Arc::new(b.finish()),
            Self::Real(b) => Arc::new(b.finish()),
            Self::Double(b) => Arc::new(b.finish()),
            Self::Varchar(b) => Arc::new(b.finish()),
            Self::Date(b) => Arc::new(b.finish()),
            Self::Timestamp(b) => Arc::new(b.finish()),
        }
    }
}

/// Hive's `LazyLong`: an optional sign and digits; a fractional part is dropped (`1.9` → 1).
fn lazy_long(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !whole
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
    {
        return None;
    }
    whole.parse().ok()
}

/// Days since 1970-01-01 written as a number.
fn epoch_days(text: &str) -> Result<i32, Invalid> {
    let days = value::parse_java_long(text)?;
    i32::try_from(days).map_err(|_| Invalid(format!("For input string: \"{text}\"")))
}

/// The first of `fields` whose type the text formats cannot hold.
pub(crate) fn first_unsupported(fields: &[Arc<Field>]) -> Option<&Field> {
    fields
        .iter()
        .map(|field| field.as_ref())
        .find(|field| Kind::of(field.data_type()).is_none())
}

#[cfg(test)]
mod tests {
    use arrow::util::display::array_value_to_string;

    use super::*;

    fn check(kind: Kind, rules: Rules, input: &str, expect: &str) {
        let mut builder = ColumnBuilder::new(kind, 1);
        let actual = match builder.append_text(input, rules) {
            Ok(()) => {
                let array = builder.finish();
                if array.is_null(0) {
                    "NULL".to_string()
                } else {
                    array_value_to_string(&array, 0).unwrap()
                }
            }
            Err(Invalid(message)) => format!("error: {message}"),
        };
        assert_eq!(actual, expect, "{kind:?} {rules:?} {input:?}");
    }

    #[test]
    fn lazy_simple_reads_bad_input_as_null() {
        check(Kind::BigInt, Rules::LazySimple, "42", "42");
        check(Kind::BigInt, Rules::LazySimple, "4.9", "4");
        check(Kind::BigInt, Rules::LazySimple, "", "NULL");
        check(Kind::Int, Rules::LazySimple, "99999999999", "NULL");
        check(Kind::Double, Rules::LazySimple, "abc", "NULL");
        check(Kind::Boolean, Rules::LazySimple, "TRUE", "true");
        check(Kind::Boolean, Rules::LazySimple, "yes", "NULL");
        check(Kind::Varchar, Rules::LazySimple, "", "");
        check(
            Kind::Timestamp,
            Rules::LazySimple,
            "2022-06-12 00:00:01",
            "2022-06-12T00:00:01",
        );
        check(Kind::Timestamp, Rules::LazySimple, "1655000000000", "NULL");
        check(Kind::Date, Rules::LazySimple, "2022-06-12", "2022-06-12");
    }

    #[test]
    fn openx_and_opencsv_fail_on_bad_input() {
        check(
            Kind::Double,
            Rules::OpenXJson,
            "abc",
            "error: For input string: \"abc\"",
        );
        check(
            Kind::Int,
            Rules::OpenXJson,
            "0.54",
            "error: For input string: \"0.54\"",
        );
        check(Kind::Boolean, Rules::OpenXJson, "yes", "false");
        check(
            Kind::BigInt,
            Rules::OpenCsv,
            "",
            "error: For input string: \"\"",
        );
        check(
            Kind::Timestamp,
            Rules::OpenCsv,
            "1579059880000",
            "2020-01-15T03:44:40",
        );
        check(Kind::Date, Rules::OpenCsv, "18276", "2020-01-15");
        check(Kind::Date, Rules::OpenXJson, "18276", "2020-01-15");
        check(Kind::Real, Rules::OpenCsv, "1.5", "1.5");
    }
}
