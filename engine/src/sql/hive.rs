//! Tables as Hive's DDL declares them: column types (`bigint`, `array<string>`), storage
//! (SerDe and file format), location and properties, with the Arrow and Trino views of each type.

use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use super::types::SqlType;

/// A column type in Hive's DDL spelling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HiveType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal(u8, i8),
    String,
    Varchar(Option<u32>),
    Char(u32),
    Date,
    Timestamp,
    Binary,
    Array(Box<HiveType>),
    Map(Box<HiveType>, Box<HiveType>),
    Struct(Vec<(String, HiveType)>),
}

impl HiveType {
    /// The Trino type queries see for a column of this Hive type.
    pub fn sql_type(&self) -> SqlType {
        match self {
            HiveType::Boolean => SqlType::Boolean,
            HiveType::TinyInt => SqlType::TinyInt,
            HiveType::SmallInt => SqlType::SmallInt,
            HiveType::Int => SqlType::Integer,
            HiveType::BigInt => SqlType::BigInt,
            HiveType::Float => SqlType::Real,
            HiveType::Double => SqlType::Double,
            HiveType::Decimal(p, s) => SqlType::Decimal(*p, *s),
            HiveType::String => SqlType::Varchar(None),
            HiveType::Varchar(n) => SqlType::Varchar(*n),
            HiveType::Char(n) => SqlType::Char(*n),
            HiveType::Date => SqlType::Date,
            HiveType::Timestamp => SqlType::Timestamp,
            HiveType::Binary => SqlType::Varbinary,
            HiveType::Array(element) => SqlType::Array(Box::new(element.sql_type())),
            HiveType::Map(key, value) => {
                SqlType::Map(Box::new(key.sql_type()), Box::new(value.sql_type()))
            }
            HiveType::Struct(fields) => SqlType::Row(
                fields
                    .iter()
                    .map(|(name, ty)| (name.clone(), ty.sql_type()))
                    .collect(),
            ),
        }
    }

    /// The Arrow type the storage reads this column as.
    pub fn to_arrow(&self) -> DataType {
        self.sql_type().to_arrow()
    }

    /// The type as `SHOW CREATE TABLE` writes it: `bigint`, `array<string>`, `struct<a:int>`.
    pub fn ddl(&self) -> String {
        match self {
            HiveType::Boolean => "boolean".into(),
            HiveType::TinyInt => "tinyint".into(),
            HiveType::SmallInt => "smallint".into(),
            HiveType::Int => "int".into(),
            HiveType::BigInt => "bigint".into(),
            HiveType::Float => "float".into(),
            HiveType::Double => "double".into(),
            HiveType::Decimal(p, s) => format!("decimal({p},{s})"),
            HiveType::String => "string".into(),
            HiveType::Varchar(None) => "varchar(65535)".into(),
            HiveType::Varchar(Some(n)) => format!("varchar({n})"),
            HiveType::Char(n) => format!("char({n})"),
            HiveType::Date => "date".into(),
            HiveType::Timestamp => "timestamp".into(),
            HiveType::Binary => "binary".into(),
            HiveType::Array(element) => format!("array<{}>", element.ddl()),
            HiveType::Map(key, value) => format!("map<{},{}>", key.ddl(), value.ddl()),
            HiveType::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ty)| format!("{name}:{}", ty.ddl()))
                    .collect();
                format!("struct<{}>", fields.join(","))
            }
        }
    }

    /// The type as `DESCRIBE` and result metadata show it: `varchar`, `integer`, `timestamp(3)`.
    pub fn trino_name(&self) -> String {
        self.sql_type().to_string()
    }

    /// The Hive type a CTAS writes for a query column of this Trino type.
    pub fn from_sql(ty: &SqlType) -> Option<HiveType> {
        Some(match ty {
            SqlType::Boolean => HiveType::Boolean,
            SqlType::TinyInt => HiveType::TinyInt,
            SqlType::SmallInt => HiveType::SmallInt,
            SqlType::Integer => HiveType::Int,
            SqlType::BigInt => HiveType::BigInt,
            SqlType::Real => HiveType::Float,
            SqlType::Double => HiveType::Double,
            SqlType::Decimal(p, s) => HiveType::Decimal(*p, *s),
            SqlType::Varchar(None) => HiveType::String,
            SqlType::Varchar(Some(n)) => HiveType::Varchar(Some(*n)),
            SqlType::Char(n) => HiveType::Char(*n),
            SqlType::Varbinary => HiveType::Binary,
            SqlType::Date => HiveType::Date,
            SqlType::Timestamp | SqlType::TimestampTz => HiveType::Timestamp,
            SqlType::Array(element) => HiveType::Array(Box::new(HiveType::from_sql(element)?)),
            SqlType::Map(key, value) => HiveType::Map(
                Box::new(HiveType::from_sql(key)?),
                Box::new(HiveType::from_sql(value)?),
            ),
            SqlType::Row(fields) => HiveType::Struct(
                fields
                    .iter()
                    .map(|(name, ty)| Some((name.clone(), HiveType::from_sql(ty)?)))
                    .collect::<Option<_>>()?,
            ),
            SqlType::Unknown | SqlType::IntervalDayTime | SqlType::IntervalYearMonth => {
                return None;
            }
        })
    }
}

/// `name type [COMMENT '…']`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub hive_type: HiveType,
    pub comment: Option<String>,
}

/// How the table's files are laid out, from its SerDe and `STORED AS`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Storage {
    /// `org.openx.data.jsonserde.JsonSerDe` or `org.apache.hive.hcatalog.data.JsonSerDe`: one JSON
    /// object per line.
    JsonSerde,
    /// `LazySimpleSerDe`, as `ROW FORMAT DELIMITED FIELDS TERMINATED BY ','`.
    Delimited {
        field_delimiter: char,
        escape: Option<char>,
        line_delimiter: char,
        serde_properties: Vec<(String, String)>,
    },
    /// `org.apache.hadoop.hive.serde2.OpenCSVSerde`: quoted CSV, every column read as a string.
    OpenCsv {
        separator: char,
        quote: char,
        escape: char,
    },
    Parquet,
    Orc,
    /// `STORED AS TEXTFILE` without a row format: fields separated by `\u{1}`.
    TextFileDefault,
}

/// A `CREATE EXTERNAL TABLE` statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalTable {
    pub name: super::QualifiedName,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnDef>,
    pub partitioned_by: Vec<ColumnDef>,
    pub storage: Storage,
    pub location: String,
    pub tblproperties: Vec<(String, String)>,
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::HiveType::*;
    use super::*;

    fn check(ty: HiveType, expect: &str) {
        assert_eq!(format!("{} | {}", ty.ddl(), ty.trino_name()), expect);
    }

    #[test]
    fn names_hive_types_as_ddl_and_trino_write_them() {
        check(String, "string | varchar");
        check(Int, "int | integer");
        check(BigInt, "bigint | bigint");
        check(Float, "float | real");
        check(Timestamp, "timestamp | timestamp(3)");
        check(Decimal(10, 2), "decimal(10,2) | decimal(10,2)");
        check(Binary, "binary | varbinary");
        check(Array(Box::new(String)), "array<string> | array(varchar)");
        check(
            Map(Box::new(String), Box::new(Int)),
            "map<string,int> | map(varchar, integer)",
        );
        check(
            Struct(vec![("a".into(), Int), ("b".into(), String)]),
            "struct<a:int,b:string> | row(a integer, b varchar)",
        );
    }

    #[test]
    fn maps_hive_types_to_arrow() {
        use arrow::datatypes::TimeUnit;
        assert_eq!(String.to_arrow(), DataType::Utf8);
        assert_eq!(Varchar(Some(3)).to_arrow(), DataType::Utf8);
        assert_eq!(Char(3).to_arrow(), DataType::Utf8);
        assert_eq!(Int.to_arrow(), DataType::Int32);
        assert_eq!(TinyInt.to_arrow(), DataType::Int8);
        assert_eq!(Double.to_arrow(), DataType::Float64);
        assert_eq!(
            Timestamp.to_arrow(),
            DataType::Timestamp(TimeUnit::Millisecond, None)
        );
        assert_eq!(Date.to_arrow(), DataType::Date32);
        assert_eq!(Decimal(10, 2).to_arrow(), DataType::Decimal128(10, 2));
        assert!(matches!(Array(Box::new(Int)).to_arrow(), DataType::List(_)));
        assert!(matches!(
            Map(Box::new(String), Box::new(Int)).to_arrow(),
            DataType::Map(..)
        ));
    }

    #[test]
    fn ctas_columns_round_trip_through_trino_types() {
        for ty in [
            Boolean,
            TinyInt,
            BigInt,
            Double,
            Decimal(5, 1),
            String,
            Date,
            Timestamp,
        ] {
            assert_eq!(HiveType::from_sql(&ty.sql_type()), Some(ty.clone()));
        }
    }
}
