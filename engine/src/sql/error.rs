//! Errors in Athena's words: the error code (`SYNTAX_ERROR`, `COLUMN_NOT_FOUND`, …), the 1-based
//! line and column Trino reports, the message, and an optional playground hint.

use std::fmt;

use sqlparser::tokenizer::{Location, Span};

/// Athena's error categories: Trino's `StandardErrorCode` names, plus Hive's DDL parse failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    SyntaxError,
    ColumnNotFound,
    TableNotFound,
    SchemaNotFound,
    CatalogNotFound,
    TypeMismatch,
    DivisionByZero,
    InvalidFunctionArgument,
    FunctionNotFound,
    NotSupported,
    InvalidCastArgument,
    NumericValueOutOfRange,
    ExpressionNotAggregate,
    AmbiguousName,
    InvalidLiteral,
    InvalidColumnReference,
    MismatchedColumnAliases,
    DuplicateColumnName,
    MissingColumnName,
    InvalidTableProperty,
    ExpressionNotScalar,
    NestedAggregation,
    ExpressionNotInDistinct,
    TypeNotFound,
    /// Hive's DDL parser rejected the statement (`FAILED: ParseException line 1:27 …`).
    DdlParseError,
    /// A table read failed; the code comes from the storage (`HIVE_BAD_DATA`, …).
    Storage(String),
}

impl ErrorCode {
    /// The name Athena prints before the message.
    pub fn name(&self) -> &str {
        match self {
            ErrorCode::SyntaxError => "SYNTAX_ERROR",
            ErrorCode::ColumnNotFound => "COLUMN_NOT_FOUND",
            ErrorCode::TableNotFound => "TABLE_NOT_FOUND",
            ErrorCode::SchemaNotFound => "SCHEMA_NOT_FOUND",
            ErrorCode::CatalogNotFound => "CATALOG_NOT_FOUND",
            ErrorCode::TypeMismatch => "TYPE_MISMATCH",
            ErrorCode::DivisionByZero => "DIVISION_BY_ZERO",
            ErrorCode::InvalidFunctionArgument => "INVALID_FUNCTION_ARGUMENT",
            ErrorCode::FunctionNotFound => "FUNCTION_NOT_FOUND",
            ErrorCode::NotSupported => "NOT_SUPPORTED",
            ErrorCode::InvalidCastArgument => "INVALID_CAST_ARGUMENT",
            ErrorCode::NumericValueOutOfRange => "NUMERIC_VALUE_OUT_OF_RANGE",
            ErrorCode::ExpressionNotAggregate => "EXPRESSION_NOT_AGGREGATE",
            ErrorCode::AmbiguousName => "AMBIGUOUS_NAME",
            ErrorCode::InvalidLiteral => "INVALID_LITERAL",
            ErrorCode::InvalidColumnReference => "INVALID_COLUMN_REFERENCE",
            ErrorCode::MismatchedColumnAliases => "MISMATCHED_COLUMN_ALIASES",
            ErrorCode::DuplicateColumnName => "DUPLICATE_COLUMN_NAME",
            ErrorCode::MissingColumnName => "MISSING_COLUMN_NAME",
            ErrorCode::InvalidTableProperty => "INVALID_TABLE_PROPERTY",
            ErrorCode::ExpressionNotScalar => "EXPRESSION_NOT_SCALAR",
            ErrorCode::NestedAggregation => "NESTED_AGGREGATION",
            ErrorCode::ExpressionNotInDistinct => "EXPRESSION_NOT_IN_DISTINCT",
            ErrorCode::TypeNotFound => "TYPE_NOT_FOUND",
            ErrorCode::DdlParseError => "FAILED",
            ErrorCode::Storage(code) => code,
        }
    }
}

/// A 1-based position in the statement text, as Trino prints it (`line 1:8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn new(line: u64, column: u64) -> Pos {
        Pos { line, column }
    }

    /// The start of a sqlparser span; `None` for the empty span sqlparser uses when it lost track.
    pub fn of_span(span: Span) -> Option<Pos> {
        Pos::of_location(span.start)
    }

    pub fn of_location(location: Location) -> Option<Pos> {
        (location.line > 0).then(|| Pos::new(location.line, location.column))
    }
}

/// A failed statement: what Athena puts in `StateChangeReason`, plus an optional hint that the
/// playground adds for learners (the shell prints it as a `note:` under Athena's text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    pub code: ErrorCode,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    pub hint: Option<String>,
}

impl SqlError {
    pub fn new(code: ErrorCode, pos: Option<Pos>, message: impl Into<String>) -> SqlError {
        SqlError {
            code,
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> SqlError {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the position if the error has none yet: evaluation errors learn where they happened
    /// from the expression that raised them.
    pub fn or_at(mut self, pos: Option<Pos>) -> SqlError {
        if self.line.is_none() {
            self.line = pos.map(|p| p.line);
            self.column = pos.map(|p| p.column);
        }
        self
    }

    pub fn syntax(pos: Option<Pos>, message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::SyntaxError, pos, message)
    }

    pub fn not_supported(pos: Option<Pos>, message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::NotSupported, pos, message)
    }

    pub fn type_mismatch(pos: Option<Pos>, message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::TypeMismatch, pos, message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::InvalidFunctionArgument, None, message)
    }

    pub fn division_by_zero() -> SqlError {
        SqlError::new(ErrorCode::DivisionByZero, None, "Division by zero")
    }

    pub fn out_of_range(message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::NumericValueOutOfRange, None, message)
    }

    pub fn invalid_cast(message: impl Into<String>) -> SqlError {
        SqlError::new(ErrorCode::InvalidCastArgument, None, message)
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, self.line, self.column) {
            // Hive counts columns from 0 and prints no colon after the position.
            (ErrorCode::DdlParseError, Some(line), Some(column)) => write!(
                f,
                "FAILED: ParseException line {line}:{} {}",
                column.saturating_sub(1),
                self.message
            ),
            (ErrorCode::DdlParseError, _, _) => {
                write!(f, "FAILED: ParseException {}", self.message)
            }
            // Athena reports access problems as the message alone.
            (ErrorCode::Storage(code), _, _) if code == "ACCESS_DENIED" => {
                write!(f, "{}", self.message)
            }
            (code, Some(line), Some(column)) => {
                write!(f, "{}: line {line}:{column}: {}", code.name(), self.message)
            }
            (code, _, _) => write!(f, "{}: {}", code.name(), self.message),
        }
    }
}

impl std::error::Error for SqlError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(error: SqlError, expect: &str) {
        assert_eq!(error.to_string(), expect);
    }

    #[test]
    fn renders_athena_state_change_reasons() {
        check(
            SqlError::new(
                ErrorCode::ColumnNotFound,
                Some(Pos::new(1, 8)),
                "Column 'foo' cannot be resolved",
            ),
            "COLUMN_NOT_FOUND: line 1:8: Column 'foo' cannot be resolved",
        );
        check(
            SqlError::division_by_zero(),
            "DIVISION_BY_ZERO: Division by zero",
        );
        check(
            SqlError::new(
                ErrorCode::DdlParseError,
                Some(Pos::new(2, 3)),
                "cannot recognize input near 'timestamp' 'string' ',' in column specification",
            ),
            "FAILED: ParseException line 2:2 cannot recognize input near 'timestamp' 'string' ',' in column specification",
        );
        check(
            SqlError::new(ErrorCode::Storage("HIVE_BAD_DATA".into()), None, "bad row"),
            "HIVE_BAD_DATA: bad row",
        );
    }

    #[test]
    fn keeps_the_first_position() {
        let error = SqlError::division_by_zero().or_at(Some(Pos::new(1, 10)));
        assert_eq!(error.or_at(Some(Pos::new(3, 3))).column, Some(10));
    }
}
