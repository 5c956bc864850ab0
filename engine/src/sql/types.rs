//! Trino's types as the query engine sees them: their names in results and errors, their Arrow
//! representation, and the implicit coercions Trino allows between them.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, IntervalUnit, TimeUnit};

/// The only time zone the playground knows; Athena's sessions run in UTC too.
pub const UTC: &str = "UTC";

/// A Trino type. Every value of a type has exactly one Arrow representation (`to_arrow`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// The type of a bare `NULL`; coerces to anything.
    Unknown,
    Boolean,
    TinyInt,
    SmallInt,
    Integer,
    BigInt,
    Real,
    Double,
    Decimal(u8, i8),
    /// `varchar(n)`, or unbounded `varchar`. A string literal `'abc'` is `varchar(3)`.
    Varchar(Option<u32>),
    Char(u32),
    Varbinary,
    Date,
    /// `timestamp(3)`: milliseconds since the epoch, no time zone.
    Timestamp,
    /// `timestamp(3) with time zone`, always in UTC here (what `current_timestamp` returns).
    TimestampTz,
    /// `interval day to second`, in milliseconds.
    IntervalDayTime,
    /// `interval year to month`, in months.
    IntervalYearMonth,
    Array(Box<SqlType>),
    Map(Box<SqlType>, Box<SqlType>),
    Row(Vec<(String, SqlType)>),
}

pub const VARCHAR: SqlType = SqlType::Varchar(None);

impl SqlType {
    pub fn to_arrow(&self) -> DataType {
        match self {
            SqlType::Unknown => DataType::Null,
            SqlType::Boolean => DataType::Boolean,
            SqlType::TinyInt => DataType::Int8,
            SqlType::SmallInt => DataType::Int16,
            SqlType::Integer => DataType::Int32,
            SqlType::BigInt => DataType::Int64,
            SqlType::Real => DataType::Float32,
            SqlType::Double => DataType::Float64,
            SqlType::Decimal(p, s) => DataType::Decimal128(*p, *s),
            SqlType::Varchar(_) | SqlType::Char(_) => DataType::Utf8,
            SqlType::Varbinary => DataType::Binary,
            SqlType::Date => DataType::Date32,
            SqlType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
            SqlType::TimestampTz => DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
            SqlType::IntervalDayTime => DataType::Duration(TimeUnit::Millisecond),
            SqlType::IntervalYearMonth => DataType::Interval(IntervalUnit::YearMonth),
            SqlType::Array(element) => {
                DataType::List(Arc::new(Field::new("item", element.to_arrow(), true)))
            }
            SqlType::Map(key, value) => {
                let entries = arrow::datatypes::Fields::from(vec![
                    Field::new("key", key.to_arrow(), false),
                    Field::new("value", value.to_arrow(), true),
                ]);
                let entries = Field::new("entries", DataType::Struct(entries), false);
                DataType::Map(Arc::new(entries), false)
            }
            SqlType::Row(fields) => DataType::Struct(
                fields
                    .iter()
                    .map(|(name, ty)| Field::new(name, ty.to_arrow(), true))
                    .collect(),
            ),
        }
    }

    /// The Trino type of a column the storage hands over. Strings lose their declared length:
    /// Arrow has no place for it.
    pub fn from_arrow(data_type: &DataType) -> Option<SqlType> {
        Some(match data_type {
            DataType::Null => SqlType::Unknown,
            DataType::Boolean => SqlType::Boolean,
            DataType::Int8 => SqlType::TinyInt,
            DataType::Int16 => SqlType::SmallInt,
            DataType::Int32 => SqlType::Integer,
            DataType::Int64 => SqlType::BigInt,
            DataType::Float32 => SqlType::Real,
            DataType::Float64 => SqlType::Double,
            DataType::Decimal128(p, s) => SqlType::Decimal(*p, *s),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => VARCHAR,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => SqlType::Varbinary,
            DataType::Date32 => SqlType::Date,
            DataType::Timestamp(_, None) => SqlType::Timestamp,
            DataType::Timestamp(_, Some(_)) => SqlType::TimestampTz,
            DataType::Duration(_) => SqlType::IntervalDayTime,
            DataType::Interval(IntervalUnit::YearMonth) => SqlType::IntervalYearMonth,
            DataType::List(field) | DataType::LargeList(field) => {
                SqlType::Array(Box::new(SqlType::from_arrow(field.data_type())?))
            }
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(fields) if fields.len() == 2 => SqlType::Map(
                    Box::new(SqlType::from_arrow(fields[0].data_type())?),
                    Box::new(SqlType::from_arrow(fields[1].data_type())?),
                ),
                _ => return None,
            },
            DataType::Struct(fields) => SqlType::Row(
                fields
                    .iter()
                    .map(|f| Some((f.name().clone(), SqlType::from_arrow(f.data_type())?)))
                    .collect::<Option<_>>()?,
            ),
            DataType::Dictionary(_, value) => SqlType::from_arrow(value)?,
            _ => return None,
        })
    }

    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::TinyInt | SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
        )
    }

    pub fn is_floating(&self) -> bool {
        matches!(self, SqlType::Real | SqlType::Double)
    }

    pub fn is_numeric(&self) -> bool {
        self.is_integer() || self.is_floating() || matches!(self, SqlType::Decimal(..))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::Varchar(_) | SqlType::Char(_))
    }

    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            SqlType::Date | SqlType::Timestamp | SqlType::TimestampTz
        )
    }

    /// Whether values of this type have an order (`<`, `ORDER BY`, `min`).
    pub fn is_orderable(&self) -> bool {
        !matches!(self, SqlType::Map(..))
    }

    /// The decimal type an integer widens to without loss (Trino's `TypeCoercion`).
    fn as_decimal(&self) -> Option<(u8, i8)> {
        match self {
            SqlType::TinyInt => Some((3, 0)),
            SqlType::SmallInt => Some((5, 0)),
            SqlType::Integer => Some((10, 0)),
            SqlType::BigInt => Some((19, 0)),
            SqlType::Decimal(p, s) => Some((*p, *s)),
            _ => None,
        }
    }

    fn integer_rank(&self) -> Option<u8> {
        match self {
            SqlType::TinyInt => Some(0),
            SqlType::SmallInt => Some(1),
            SqlType::Integer => Some(2),
            SqlType::BigInt => Some(3),
            _ => None,
        }
    }
}

/// The smallest type both `a` and `b` coerce to implicitly, as Trino's `getCommonSuperType`.
/// `None` when Trino would refuse (`varchar` and `integer` have none).
pub fn common_super_type(a: &SqlType, b: &SqlType) -> Option<SqlType> {
    use SqlType::*;
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Unknown, other) | (other, Unknown) => Some(other.clone()),
        (x, y) if x.integer_rank().is_some() && y.integer_rank().is_some() => {
            Some(if x.integer_rank() > y.integer_rank() {
                x.clone()
            } else {
                y.clone()
            })
        }
        (Double, y) | (y, Double) if y.is_numeric() => Some(Double),
        (Real, y) | (y, Real) if y.is_numeric() => Some(Real),
        (x, y) if x.as_decimal().is_some() && y.as_decimal().is_some() => {
            let ((p1, s1), (p2, s2)) = (x.as_decimal()?, y.as_decimal()?);
            let scale = s1.max(s2);
            let integral = (p1 as i16 - s1 as i16).max(p2 as i16 - s2 as i16);
            let precision = (integral + scale as i16).min(38) as u8;
            Some(Decimal(precision, scale))
        }
        (Varchar(x), Varchar(y)) => Some(Varchar(x.zip(*y).map(|(x, y)| x.max(y)))),
        (Char(x), Varchar(y)) | (Varchar(y), Char(x)) => Some(Varchar(y.map(|y| y.max(*x)))),
        (Char(x), Char(y)) => Some(Char(*x.max(y))),
        (Date, Timestamp) | (Timestamp, Date) => Some(Timestamp),
        (Date | Timestamp, TimestampTz) | (TimestampTz, Date | Timestamp) => Some(TimestampTz),
        (Array(x), Array(y)) => Some(Array(Box::new(common_super_type(x, y)?))),
        _ => None,
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Unknown => f.write_str("unknown"),
            SqlType::Boolean => f.write_str("boolean"),
            SqlType::TinyInt => f.write_str("tinyint"),
            SqlType::SmallInt => f.write_str("smallint"),
            SqlType::Integer => f.write_str("integer"),
            SqlType::BigInt => f.write_str("bigint"),
            SqlType::Real => f.write_str("real"),
            SqlType::Double => f.write_str("double"),
            SqlType::Decimal(p, s) => write!(f, "decimal({p},{s})"),
            SqlType::Varchar(None) => f.write_str("varchar"),
            SqlType::Varchar(Some(n)) => write!(f, "varchar({n})"),
            SqlType::Char(n) => write!(f, "char({n})"),
            SqlType::Varbinary => f.write_str("varbinary"),
            SqlType::Date => f.write_str("date"),
            SqlType::Timestamp => f.write_str("timestamp(3)"),
            SqlType::TimestampTz => f.write_str("timestamp(3) with time zone"),
            SqlType::IntervalDayTime => f.write_str("interval day to second"),
            SqlType::IntervalYearMonth => f.write_str("interval year to month"),
            SqlType::Array(element) => write!(f, "array({element})"),
            SqlType::Map(key, value) => write!(f, "map({key}, {value})"),
            SqlType::Row(fields) => {
                f.write_str("row(")?;
                for (i, (name, ty)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name} {ty}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType::*;
    use super::*;

    fn check(a: SqlType, b: SqlType, expect: &str) {
        let actual = common_super_type(&a, &b).map_or("none".to_string(), |t| t.to_string());
        assert_eq!(actual, expect, "{a} vs {b}");
        let flipped = common_super_type(&b, &a).map_or("none".to_string(), |t| t.to_string());
        assert_eq!(flipped, expect, "{b} vs {a}");
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestTypeCoercion.java
    #[test]
    fn common_super_types_follow_trino() {
        check(TinyInt, BigInt, "bigint");
        check(Integer, Double, "double");
        check(BigInt, Real, "real");
        check(Integer, Decimal(2, 1), "decimal(11,1)");
        check(BigInt, Decimal(38, 37), "decimal(38,37)");
        check(Decimal(5, 2), Decimal(3, 3), "decimal(6,3)");
        check(Decimal(5, 2), Double, "double");
        check(Varchar(Some(3)), Varchar(Some(5)), "varchar(5)");
        check(Varchar(Some(3)), VARCHAR, "varchar");
        check(Date, Timestamp, "timestamp(3)");
        check(Timestamp, TimestampTz, "timestamp(3) with time zone");
        check(Unknown, Boolean, "boolean");
        check(VARCHAR, Integer, "none");
        check(Boolean, Integer, "none");
        check(Date, VARCHAR, "none");
    }

    #[test]
    fn names_types_as_trino_prints_them() {
        let row = Row(vec![
            ("a".into(), Integer),
            ("b".into(), Array(Box::new(VARCHAR))),
        ]);
        assert_eq!(row.to_string(), "row(a integer, b array(varchar))");
        assert_eq!(
            Map(Box::new(VARCHAR), Box::new(BigInt)).to_string(),
            "map(varchar, bigint)"
        );
    }

    #[test]
    fn arrow_representation_round_trips() {
        for ty in [
            Boolean,
            TinyInt,
            SmallInt,
            Integer,
            BigInt,
            Real,
            Double,
            Decimal(10, 2),
            VARCHAR,
            Varbinary,
            Date,
            Timestamp,
            TimestampTz,
            IntervalDayTime,
            IntervalYearMonth,
            Array(Box::new(Integer)),
            Map(Box::new(VARCHAR), Box::new(Double)),
            Row(vec![("x".into(), Integer)]),
        ] {
            assert_eq!(
                SqlType::from_arrow(&ty.to_arrow()),
                Some(ty.clone()),
                "{ty}"
            );
        }
    }
}
