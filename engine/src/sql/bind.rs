//! Binding: sqlparser expressions → typed `Expr`s. Resolves column names in a scope, types
//! every operator as Trino does (refusing `varchar = integer`), inserts implicit coercions,
//! folds literals, and collects aggregate calls for the planner.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, DurationMillisecondArray, Float64Array,
    Int32Array, Int64Array, IntervalYearMonthArray, NullArray, RecordBatch, RecordBatchOptions,
    StringArray, TimestampMillisecondArray,
};
use arrow::datatypes::Schema;
use sqlparser::ast::{
    self, BinaryOperator, CastKind, DataType, DateTimeField, DuplicateTreatment, ExactNumberInfo,
    FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, Spanned, TimezoneInfo,
    TrimWhereField, UnaryOperator, Value as AstValue,
};
use sqlparser::tokenizer::Location;

use super::aggregate::{AggCall, AggFunc, VarianceKind};
use super::arith;
use super::cast;
use super::error::{ErrorCode, Pos, SqlError};
use super::expr::{ArithOp, CmpOp, Expr, ExprKind, coerce};
use super::functions::{self, Call};
use super::reserved::is_dml_reserved;
use super::time::{self, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};
use super::types::{SqlType, UTC, VARCHAR, common_super_type};

/// A column visible to expressions: its relation (table name or alias), name and type.
#[derive(Clone, Debug)]
pub(super) struct ScopeColumn {
    pub relation: Option<String>,
    pub name: String,
    pub ty: SqlType,
}

/// The columns of a FROM clause, in input order.
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// The column `parts` names (`x`, `t.x` or `db.t.x`), as an input index.
    fn resolve(
        &self,
        parts: &[String],
        written: &str,
        pos: Option<Pos>,
    ) -> Result<usize, SqlError> {
        let (relation, name) = match parts {
            [name] => (None, name),
            [.., relation, name] => (Some(relation), name),
            [] => unreachable!("identifiers have parts"),
        };
        let found: Vec<usize> = (0..self.columns.len())
            .filter(|&i| {
                let c = &self.columns[i];
                c.name == *name && relation.is_none_or(|r| c.relation.as_ref() == Some(r))
            })
            .collect();
        match found.as_slice() {
            [index] => Ok(*index),
            [] => Err(SqlError::new(
                ErrorCode::ColumnNotFound,
                pos,
                format!(
                    "Column '{written}' cannot be resolved or requester is not authorized to access requested resources"
                ),
            )),
            _ => Err(SqlError::new(
                ErrorCode::AmbiguousName,
                pos,
                format!("Column '{written}' is ambiguous"),
            )),
        }
    }
}

/// Where an expression is bound; decides whether aggregates may appear.
pub(super) struct ExprBinder<'a> {
    pub scope: &'a Scope,
    pub text: &'a str,
    pub now_ms: i64,
    /// Aggregate calls found so far, when the clause allows them.
    pub aggregates: Option<&'a mut Vec<AggCall>>,
    /// The clause's name for error messages (`WHERE`, `GROUP BY`).
    pub clause: &'static str,
}

pub(super) fn pos_of(node: &impl Spanned) -> Option<Pos> {
    Pos::of_span(node.span())
}

impl ExprBinder<'_> {
    pub fn bind(&mut self, e: &ast::Expr) -> Result<Expr, SqlError> {
        let pos = pos_of(e);
        match e {
            ast::Expr::Identifier(ident) => self.column(std::slice::from_ref(ident), pos),
            ast::Expr::CompoundIdentifier(parts) => self.column(parts, pos),
            ast::Expr::Value(v) => literal(&v.value, pos),
            ast::Expr::TypedString(typed) => {
                typed_literal(&typed.data_type, &typed.value.value, pos)
            }
            ast::Expr::Interval(interval) => interval_literal(interval, pos),
            ast::Expr::Nested(inner) => self.bind(inner),
            ast::Expr::UnaryOp { op, expr } => self.unary(*op, expr, pos),
            ast::Expr::BinaryOp { left, op, right } => self.binary(left, op, right, pos),
            ast::Expr::IsNull(inner) | ast::Expr::IsNotNull(inner) => {
                let negated = matches!(e, ast::Expr::IsNotNull(_));
                let kind = ExprKind::IsNull {
                    expr: Box::new(self.bind(inner)?),
                    negated,
                };
                Ok(Expr::new(kind, SqlType::Boolean))
            }
            ast::Expr::IsDistinctFrom(l, r) | ast::Expr::IsNotDistinctFrom(l, r) => {
                let negated = matches!(e, ast::Expr::IsNotDistinctFrom(..));
                self.distinct_from(l, r, negated, pos)
            }
            ast::Expr::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => self.in_list(expr, list, *negated, pos),
            ast::Expr::In { .. } | ast::Expr::Exists { .. } | ast::Expr::Subquery(_) => {
                Err(SqlError::not_supported(
                    pos,
                    "Subqueries in expressions are not supported by the playground yet",
                ))
            }
            ast::Expr::Between {
                expr,
                negated,
                low,
                high,
            } => self.between(expr, *negated, low, high, pos),
            ast::Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => self.like(expr, pattern, escape_char.as_deref(), *negated),
            ast::Expr::Cast {
                kind: CastKind::DoubleColon,
                expr,
                ..
            } => {
                let at = operator_after(self.text, expr, "::").or(pos);
                Err(SqlError::syntax(
                    at,
                    "mismatched input '::'. Expecting: <expression>",
                ))
            }
            ast::Expr::Cast {
                kind,
                expr,
                data_type,
                ..
            } => self.cast(kind.clone(), expr, data_type, pos),
            ast::Expr::Extract { .. }
            | ast::Expr::Ceil { .. }
            | ast::Expr::Floor { .. }
            | ast::Expr::Position { .. }
            | ast::Expr::Substring { .. }
            | ast::Expr::Trim { .. } => self.special_form(e, pos),
            ast::Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let whens: Vec<(&ast::Expr, &ast::Expr)> = conditions
                    .iter()
                    .map(|c| (&c.condition, &c.result))
                    .collect();
                self.case(operand.as_deref(), &whens, else_result.as_deref(), pos)
            }
            ast::Expr::Function(f) => self.function(f, pos),
            ast::Expr::ILike { .. } => Err(SqlError::syntax(
                pos,
                "mismatched input 'ILIKE'. Expecting: <predicate>",
            )),
            other => Err(SqlError::not_supported(
                pos,
                format!("The expression '{other}' is not supported by the playground yet"),
            )),
        }
    }

    /// The functions SQL writes with keywords (`EXTRACT(year FROM x)`, `TRIM(LEADING …)`,
    /// `SUBSTRING(x FROM 2)`), bound as the plain functions they are.
    fn special_form(&mut self, e: &ast::Expr, pos: Option<Pos>) -> Result<Expr, SqlError> {
        let call = |name: &str, args| {
            functions::bind(Call {
                name: name.into(),
                args,
                pos,
            })
        };
        match e {
            ast::Expr::Extract { field, expr, .. } => self.extract(field, expr, pos),
            ast::Expr::Ceil { expr, .. } => call("ceil", vec![self.bind(expr)?]),
            ast::Expr::Floor { expr, .. } => call("floor", vec![self.bind(expr)?]),
            ast::Expr::Position { expr, r#in } => {
                call("strpos", vec![self.bind(r#in)?, self.bind(expr)?])
            }
            ast::Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.bind(expr)?];
                for part in [substring_from, substring_for].into_iter().flatten() {
                    args.push(self.bind(part)?);
                }
                call("substr", args)
            }
            ast::Expr::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                let characters = trim_characters.as_deref();
                self.trim(
                    trim_where.as_ref(),
                    trim_what.as_deref(),
                    expr,
                    characters,
                    pos,
                )
            }
            other => unreachable!("not a special form: {other}"),
        }
    }

    fn column(&mut self, parts: &[ast::Ident], pos: Option<Pos>) -> Result<Expr, SqlError> {
        for ident in parts {
            check_not_reserved(ident)?;
        }
        let names: Vec<String> = parts.iter().map(|i| i.value.to_ascii_lowercase()).collect();
        let written = parts
            .iter()
            .map(|i| i.value.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let index = self.scope.resolve(&names, &written, pos).map_err(|e| {
            let last = parts.last().expect("identifiers have parts");
            match (&e.code, last.quote_style) {
                (ErrorCode::ColumnNotFound, Some('"')) => e.with_hint(format!(
                    "\"{0}\" in double quotes is a name; a string is written in single quotes: '{0}'",
                    last.value
                )),
                _ => e,
            }
        })?;
        let ty = self.scope.columns[index].ty.clone();
        Ok(Expr::column(index, &written, pos, ty))
    }

    fn boolean(
        &mut self,
        e: &ast::Expr,
        what: impl Fn(&SqlType) -> String,
    ) -> Result<Expr, SqlError> {
        let bound = self.bind(e)?;
        match bound.ty {
            SqlType::Boolean => Ok(bound),
            SqlType::Unknown => coerce(bound, &SqlType::Boolean),
            ref other => Err(SqlError::type_mismatch(pos_of(e), what(other))),
        }
    }

    fn unary(
        &mut self,
        op: UnaryOperator,
        e: &ast::Expr,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        match op {
            UnaryOperator::Not => {
                let inner = self.boolean(e, |t| {
                    format!(
                        "Value of logical NOT expression must evaluate to a boolean (actual: {t})"
                    )
                })?;
                Ok(fold(Expr::new(
                    ExprKind::Not(Box::new(inner)),
                    SqlType::Boolean,
                ))?)
            }
            UnaryOperator::Plus => self.bind(e),
            UnaryOperator::Minus => {
                if let ast::Expr::Value(v) = e
                    && let AstValue::Number(n, _) = &v.value
                {
                    return number_literal(&format!("-{n}"), pos);
                }
                let inner = self.bind(e)?;
                let numeric = inner.ty.is_numeric()
                    || matches!(
                        inner.ty,
                        SqlType::IntervalDayTime | SqlType::IntervalYearMonth
                    );
                if !numeric {
                    return Err(SqlError::type_mismatch(
                        pos,
                        format!("Cannot negate {}", inner.ty),
                    ));
                }
                let ty = inner.ty.clone();
                fold(Expr::new(ExprKind::Negate(Box::new(inner)), ty))
            }
            other => Err(SqlError::syntax(
                pos,
                format!("mismatched input '{other}'. Expecting: <expression>"),
            )),
        }
    }

    fn binary(
        &mut self,
        l: &ast::Expr,
        op: &BinaryOperator,
        r: &ast::Expr,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let op_pos = operator_pos(self.text, l, r).or(pos);
        let comparison = match op {
            BinaryOperator::Eq => Some(CmpOp::Eq),
            BinaryOperator::NotEq => Some(CmpOp::NotEq),
            BinaryOperator::Lt => Some(CmpOp::Lt),
            BinaryOperator::LtEq => Some(CmpOp::LtEq),
            BinaryOperator::Gt => Some(CmpOp::Gt),
            BinaryOperator::GtEq => Some(CmpOp::GtEq),
            _ => None,
        };
        if let Some(cmp) = comparison {
            let (left, right) = (self.bind(l)?, self.bind(r)?);
            return compare(cmp, left, right, op_pos);
        }
        let arithmetic = match op {
            BinaryOperator::Plus => Some(ArithOp::Add),
            BinaryOperator::Minus => Some(ArithOp::Subtract),
            BinaryOperator::Multiply => Some(ArithOp::Multiply),
            BinaryOperator::Divide => Some(ArithOp::Divide),
            BinaryOperator::Modulo => Some(ArithOp::Modulus),
            _ => None,
        };
        if let Some(arith) = arithmetic {
            let (left, right) = (self.bind(l)?, self.bind(r)?);
            return arithmetic_expr(arith, left, right, op_pos);
        }
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let left = self.boolean(l, |t| {
                    format!(
                        "Left side of logical expression must evaluate to a boolean (actual: {t})"
                    )
                })?;
                let right = self.boolean(r, |t| {
                    format!(
                        "Right side of logical expression must evaluate to a boolean (actual: {t})"
                    )
                })?;
                let kind = if *op == BinaryOperator::And {
                    ExprKind::And(Box::new(left), Box::new(right))
                } else {
                    ExprKind::Or(Box::new(left), Box::new(right))
                };
                fold(Expr::new(kind, SqlType::Boolean))
            }
            BinaryOperator::StringConcat => {
                let args = vec![self.bind(l)?, self.bind(r)?];
                functions::bind(Call {
                    name: "concat".into(),
                    args,
                    pos: op_pos,
                })
            }
            other => Err(SqlError::syntax(
                op_pos,
                format!("mismatched input '{other}'. Expecting: <expression>"),
            )),
        }
    }

    fn distinct_from(
        &mut self,
        l: &ast::Expr,
        r: &ast::Expr,
        negated: bool,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let (left, right) = (self.bind(l)?, self.bind(r)?);
        let differs = compare(CmpOp::NotEq, left.clone(), right.clone(), pos)?;
        let is_null = |e: &Expr, negated| {
            Expr::new(
                ExprKind::IsNull {
                    expr: Box::new(e.clone()),
                    negated,
                },
                SqlType::Boolean,
            )
        };
        let yes = Expr::literal(Arc::new(BooleanArray::from(vec![true])), SqlType::Boolean);
        // A NULL differs from everything but another NULL.
        let whens = vec![
            (is_null(&left, false), is_null(&right, true)),
            (is_null(&right, false), yes),
        ];
        let distinct = Expr::new(
            ExprKind::Case {
                whens,
                otherwise: Some(Box::new(differs)),
            },
            SqlType::Boolean,
        );
        if negated {
            return Ok(Expr::new(
                ExprKind::Not(Box::new(distinct)),
                SqlType::Boolean,
            ));
        }
        Ok(distinct)
    }

    fn in_list(
        &mut self,
        e: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let value = self.bind(e)?;
        let items = list
            .iter()
            .map(|i| self.bind(i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut common = value.ty.clone();
        for item in &items {
            common = common_super_type(&common, &item.ty).ok_or_else(|| {
                let mut types: Vec<String> = Vec::new();
                for t in std::iter::once(&value.ty).chain(items.iter().map(|i| &i.ty)) {
                    if !types.contains(&t.to_string()) {
                        types.push(t.to_string());
                    }
                }
                SqlError::type_mismatch(pos, format!(
                    "IN value and list items must be the same type or coercible to a common type. Cannot find common type between {common} and {}, all types (without duplicates): [{}]",
                    item.ty, types.join(", ")
                ))
            })?;
        }
        let value = coerce(value, &common)?;
        let list = items
            .into_iter()
            .map(|i| coerce(i, &common))
            .collect::<Result<_, _>>()?;
        fold(Expr::new(
            ExprKind::InList {
                expr: Box::new(value),
                list,
                negated,
            },
            SqlType::Boolean,
        ))
    }

    fn between(
        &mut self,
        e: &ast::Expr,
        negated: bool,
        low: &ast::Expr,
        high: &ast::Expr,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let (value, low, high) = (self.bind(e)?, self.bind(low)?, self.bind(high)?);
        let common = common_super_type(&value.ty, &low.ty)
            .and_then(|t| common_super_type(&t, &high.ty))
            .ok_or_else(|| {
                SqlError::type_mismatch(
                    pos,
                    format!(
                        "Cannot check if {} is BETWEEN {} and {}",
                        value.ty, low.ty, high.ty
                    ),
                )
            })?;
        let value = coerce(value, &common)?;
        let at_least = compare(CmpOp::GtEq, value.clone(), coerce(low, &common)?, pos)?;
        let at_most = compare(CmpOp::LtEq, value, coerce(high, &common)?, pos)?;
        let both = fold(Expr::new(
            ExprKind::And(Box::new(at_least), Box::new(at_most)),
            SqlType::Boolean,
        ))?;
        if negated {
            return fold(Expr::new(ExprKind::Not(Box::new(both)), SqlType::Boolean));
        }
        Ok(both)
    }

    fn like(
        &mut self,
        e: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        negated: bool,
    ) -> Result<Expr, SqlError> {
        let value = self.varchar(e, |t| {
            format!("Left side of LIKE expression must evaluate to a varchar (actual: {t})")
        })?;
        let pattern = self.varchar(pattern, |t| {
            format!("Pattern for LIKE expression must evaluate to a varchar (actual: {t})")
        })?;
        let escape = match escape {
            None => None,
            Some(escape) => {
                let bound = self.varchar(escape, |t| {
                    format!("Escape for LIKE expression must evaluate to a varchar (actual: {t})")
                })?;
                let text = bound
                    .as_literal()
                    .and_then(|v| cast::format_value(v.as_ref(), 0))
                    .unwrap_or_default();
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => {
                        return Err(SqlError::invalid_argument(
                            "Escape string must be a single character",
                        )
                        .or_at(pos_of(escape)));
                    }
                }
            }
        };
        let kind = ExprKind::Like {
            expr: Box::new(value),
            pattern: Box::new(pattern),
            escape,
            negated,
        };
        fold(Expr::new(kind, SqlType::Boolean))
    }

    fn varchar(
        &mut self,
        e: &ast::Expr,
        what: impl Fn(&SqlType) -> String,
    ) -> Result<Expr, SqlError> {
        let bound = self.bind(e)?;
        match &bound.ty {
            t if t.is_string() => coerce(bound, &VARCHAR),
            SqlType::Unknown => coerce(bound, &VARCHAR),
            other => Err(SqlError::type_mismatch(pos_of(e), what(other))),
        }
    }

    fn cast(
        &mut self,
        kind: CastKind,
        e: &ast::Expr,
        data_type: &DataType,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let try_cast = matches!(kind, CastKind::TryCast);
        let to = sql_type(data_type, pos)?;
        let value = self.bind(e)?;
        if !cast::can_cast(&value.ty, &to) {
            return Err(SqlError::type_mismatch(
                pos,
                format!("Cannot cast {} to {to}", value.ty),
            ));
        }
        if value.ty == to {
            return Ok(value);
        }
        fold(Expr::new(
            ExprKind::Cast {
                expr: Box::new(value),
                try_cast,
            },
            to,
        ))
    }

    fn extract(
        &mut self,
        field: &DateTimeField,
        e: &ast::Expr,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let name = match field {
            DateTimeField::Year => "year",
            DateTimeField::Quarter => "quarter",
            DateTimeField::Month => "month",
            DateTimeField::Week(_) => "week",
            DateTimeField::Day => "day",
            DateTimeField::DayOfWeek | DateTimeField::Dow => "day_of_week",
            DateTimeField::DayOfYear | DateTimeField::Doy => "day_of_year",
            DateTimeField::Hour => "hour",
            DateTimeField::Minute => "minute",
            DateTimeField::Second => "second",
            other => {
                return Err(SqlError::syntax(
                    pos,
                    format!("Invalid EXTRACT field: {other}"),
                ));
            }
        };
        let args = vec![self.bind(e)?];
        functions::bind(Call {
            name: name.into(),
            args,
            pos,
        })
    }

    fn trim(
        &mut self,
        side: Option<&TrimWhereField>,
        what: Option<&ast::Expr>,
        e: &ast::Expr,
        characters: Option<&[ast::Expr]>,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let name = match side {
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
            _ => "trim",
        };
        let mut args = vec![self.bind(e)?];
        for chars in what.into_iter().chain(characters.unwrap_or_default()) {
            args.push(self.bind(chars)?);
        }
        functions::bind(Call {
            name: name.into(),
            args,
            pos,
        })
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        whens: &[(&ast::Expr, &ast::Expr)],
        otherwise: Option<&ast::Expr>,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let operand = operand.map(|o| self.bind(o)).transpose()?;
        let mut conditions = Vec::with_capacity(whens.len());
        let mut results = Vec::with_capacity(whens.len() + 1);
        for (when, then) in whens {
            let condition = match &operand {
                Some(value) => compare(CmpOp::Eq, value.clone(), self.bind(when)?, pos_of(*when))?,
                None => self.boolean(when, |t| {
                    format!("WHEN clause must evaluate to a boolean (actual: {t})")
                })?,
            };
            conditions.push(condition);
            results.push(self.bind(then)?);
        }
        if let Some(otherwise) = otherwise {
            results.push(self.bind(otherwise)?);
        }
        let ty = common_result_type(&results, "All CASE results", pos)?;
        let mut results = results
            .into_iter()
            .map(|r| coerce(r, &ty))
            .collect::<Result<Vec<_>, _>>()?;
        let otherwise = (results.len() > conditions.len())
            .then(|| Box::new(results.pop().expect("ELSE result")));
        let whens = conditions.into_iter().zip(results).collect();
        Ok(Expr::new(ExprKind::Case { whens, otherwise }, ty))
    }
}

/// The type every result converts to, or Trino's message naming the types that do not meet.
fn common_result_type(results: &[Expr], what: &str, pos: Option<Pos>) -> Result<SqlType, SqlError> {
    let mut ty = SqlType::Unknown;
    for result in results {
        ty = common_super_type(&ty, &result.ty).ok_or_else(|| {
            let mut names: Vec<String> = Vec::new();
            for r in results {
                if !names.contains(&r.ty.to_string()) {
                    names.push(r.ty.to_string());
                }
            }
            SqlError::type_mismatch(pos, format!(
                "{what} must be the same type or coercible to a common type. Cannot find common type between {ty} and {}, all types (without duplicates): [{}]",
                result.ty, names.join(", ")
            ))
        })?;
    }
    Ok(ty)
}

/// Refuses an unquoted name from Athena's list of reserved words for queries.
pub(super) fn check_not_reserved(ident: &ast::Ident) -> Result<(), SqlError> {
    if ident.quote_style.is_none() && is_dml_reserved(&ident.value) {
        let word = ident.value.to_ascii_lowercase();
        return Err(SqlError::syntax(
            Pos::of_span(ident.span),
            format!(
                "mismatched input '{}'. Expecting: <expression>",
                ident.value
            ),
        )
        .with_hint(format!(
            "'{word}' is a reserved word in Athena queries; write it in double quotes: \"{word}\""
        )));
    }
    Ok(())
}

/// `left op right` for comparisons: both sides coerced to their common type.
pub(super) fn compare(
    op: CmpOp,
    left: Expr,
    right: Expr,
    pos: Option<Pos>,
) -> Result<Expr, SqlError> {
    let common = common_super_type(&left.ty, &right.ty)
        .filter(|t| t.is_orderable() || matches!(op, CmpOp::Eq | CmpOp::NotEq))
        .ok_or_else(|| {
            let message = format!(
                "Cannot apply operator: {} {} {}",
                left.ty,
                op.symbol(),
                right.ty
            );
            let error = SqlError::type_mismatch(pos, message);
            match no_implicit_cast_hint(&left.ty, &right.ty) {
                Some(hint) => error.with_hint(hint),
                None => error,
            }
        })?;
    // The session's zone is UTC, so a timestamp compares with a timestamp with time zone as
    // the plain timestamp it already is; converting the other side keeps `ts > now() - …`
    // a filter the storage can prune with.
    let timestamp = [&left.ty, &right.ty].contains(&&SqlType::Timestamp);
    let common = if common == SqlType::TimestampTz && timestamp {
        SqlType::Timestamp
    } else {
        common
    };
    let (left, right) = (coerce(left, &common)?, coerce(right, &common)?);
    let kind = ExprKind::Compare {
        op,
        left: Box::new(left),
        right: Box::new(right),
    };
    fold(Expr::new(kind, SqlType::Boolean))
}

/// What to write instead when Trino refuses to compare a string with a number or a date.
fn no_implicit_cast_hint(a: &SqlType, b: &SqlType) -> Option<String> {
    let other = match (a.is_string(), b.is_string()) {
        (true, false) => b,
        (false, true) => a,
        _ => return None,
    };
    match other {
        SqlType::Date => Some("Trino does not turn strings into dates by itself: write DATE '2022-06-12' or CAST(x AS date)".into()),
        SqlType::Timestamp | SqlType::TimestampTz => Some(
            "Trino does not turn strings into timestamps by itself: write TIMESTAMP '2022-06-12 00:00:00' or CAST(x AS timestamp)".into(),
        ),
        t if t.is_numeric() => Some(format!(
            "Trino does not convert between strings and numbers by itself: CAST the string to {t}, or the number to varchar"
        )),
        _ => None,
    }
}

pub(super) fn arithmetic_expr(
    op: ArithOp,
    left: Expr,
    right: Expr,
    pos: Option<Pos>,
) -> Result<Expr, SqlError> {
    let Some((lt, rt, ty)) = arith::resolve(op, &left.ty, &right.ty) else {
        return Err(SqlError::type_mismatch(
            pos,
            format!(
                "Cannot apply operator: {} {} {}",
                left.ty,
                op.symbol(),
                right.ty
            ),
        ));
    };
    let (left, right) = (coerce(left, &lt)?, coerce(right, &rt)?);
    fold(Expr::new(
        ExprKind::Arith {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        ty,
    ))
}

/// Computes an expression now when all its inputs are literals (`1 + 2`, `CAST('1' AS int)`).
/// Errors are kept for run time, where Trino raises them too, so `SELECT 1/0 FROM empty`
/// succeeds.
pub(super) fn fold(expr: Expr) -> Result<Expr, SqlError> {
    let children = expr.children();
    let constant = !children.is_empty() && children.iter().all(|c| c.as_literal().is_some());
    if !constant || matches!(expr.kind, ExprKind::Case { .. }) {
        return Ok(expr);
    }
    match super::eval::eval(&expr, &one_row_batch()) {
        Ok(value) => Ok(Expr::literal(value.into_array(1), expr.ty)),
        Err(_) => Ok(expr),
    }
}

/// A batch of one row and no columns: the input of a query without FROM, and of constants.
pub(super) fn one_row_batch() -> RecordBatch {
    let options = RecordBatchOptions::new().with_row_count(Some(1));
    RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)
        .expect("a batch of one row")
}

/// The position of the operator between two operands (Trino reports operator errors there).
fn operator_pos(text: &str, left: &ast::Expr, right: &ast::Expr) -> Option<Pos> {
    let end = left.span().end;
    let start = right.span().start;
    if end.line == 0 || start.line == 0 {
        return None;
    }
    let from = offset_of(text, end)?;
    let to = offset_of(text, start)?;
    let between = text.get(from..to)?;
    let skip = between.find(|c: char| !c.is_whitespace() && c != ')')?;
    position_of(text, from + skip)
}

/// Where `token` is written after `left` (the `::` of `x::int`).
fn operator_after(text: &str, left: &ast::Expr, token: &str) -> Option<Pos> {
    let end = left.span().end;
    if end.line == 0 {
        return None;
    }
    let from = offset_of(text, end)?;
    position_of(text, from + text.get(from..)?.find(token)?)
}

fn offset_of(text: &str, location: Location) -> Option<usize> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(location.line as usize - 1)
        .map(str::len)
        .sum();
    let line = &text[line_start..];
    let column = line
        .char_indices()
        .nth(location.column as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    Some(line_start + column)
}

fn position_of(text: &str, offset: usize) -> Option<Pos> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Some(Pos::new(line, column))
}

fn one<T: arrow::array::Array + 'static>(array: T) -> ArrayRef {
    Arc::new(array)
}

/// A literal from the SQL text: `integer` if it fits, else `bigint`; `1.5` is `decimal(2,1)`;
/// `1e3` is `double`; `'abc'` is `varchar(3)`.
fn literal(value: &AstValue, pos: Option<Pos>) -> Result<Expr, SqlError> {
    match value {
        AstValue::Number(n, _) => number_literal(n, pos),
        AstValue::SingleQuotedString(s) => Ok(string_literal(s)),
        AstValue::Boolean(b) => Ok(Expr::literal(
            one(BooleanArray::from(vec![*b])),
            SqlType::Boolean,
        )),
        AstValue::Null => Ok(Expr::literal(one(NullArray::new(1)), SqlType::Unknown)),
        other => Err(SqlError::not_supported(
            pos,
            format!("The literal {other} is not supported by the playground yet"),
        )),
    }
}

pub(super) fn string_literal(s: &str) -> Expr {
    let ty = SqlType::Varchar(Some(s.chars().count() as u32));
    Expr::literal(one(StringArray::from(vec![s])), ty)
}

fn number_literal(text: &str, pos: Option<Pos>) -> Result<Expr, SqlError> {
    if text.contains(['e', 'E']) {
        let value: f64 = text
            .parse()
            .map_err(|_| invalid_literal(pos, text, "double"))?;
        return Ok(Expr::literal(
            one(Float64Array::from(vec![value])),
            SqlType::Double,
        ));
    }
    if text.contains('.') {
        return decimal_literal(text, pos);
    }
    let value: i64 = text.parse().map_err(|_| {
        SqlError::new(
            ErrorCode::InvalidLiteral,
            pos,
            format!("Invalid numeric literal: {text}"),
        )
    })?;
    Ok(match i32::try_from(value) {
        Ok(v) => Expr::literal(one(Int32Array::from(vec![v])), SqlType::Integer),
        Err(_) => Expr::literal(one(Int64Array::from(vec![value])), SqlType::BigInt),
    })
}

/// `1.20` or `DECIMAL '1.20'`: `decimal(3,2)`, precision and scale from the digits written.
fn decimal_literal(text: &str, pos: Option<Pos>) -> Result<Expr, SqlError> {
    let digits = text.trim_start_matches(['+', '-']);
    let (integral, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = fraction.len();
    let precision = (integral.trim_start_matches('0').len() + scale).max(1);
    let value = super::decimal::parse(text, scale as i8)
        .filter(|_| precision <= 38)
        .ok_or_else(|| invalid_literal(pos, text, "decimal"))?;
    let array = Decimal128Array::from(vec![value])
        .with_precision_and_scale(precision as u8, scale as i8)
        .expect("precision checked");
    Ok(Expr::literal(
        one(array),
        SqlType::Decimal(precision as u8, scale as i8),
    ))
}

fn invalid_literal(pos: Option<Pos>, text: &str, ty: &str) -> SqlError {
    SqlError::new(
        ErrorCode::InvalidLiteral,
        pos,
        format!("'{text}' is not a valid {ty} literal"),
    )
}

/// `DATE '2022-06-12'`, `TIMESTAMP '…'`, `INTEGER '37'`, `DECIMAL '1.20'`, ….
fn typed_literal(
    data_type: &DataType,
    value: &AstValue,
    pos: Option<Pos>,
) -> Result<Expr, SqlError> {
    let text = match value {
        AstValue::SingleQuotedString(s) => s.clone(),
        other => other.to_string(),
    };
    match data_type {
        DataType::Date => {
            let days =
                time::parse_date(&text).ok_or_else(|| invalid_literal(pos, &text, "date"))?;
            Ok(Expr::literal(
                one(Date32Array::from(vec![days])),
                SqlType::Date,
            ))
        }
        DataType::Timestamp(_, zone) => {
            let zoned = matches!(zone, TimezoneInfo::WithTimeZone)
                || text.trim_end().ends_with("UTC")
                || text.trim_end().ends_with('Z');
            let ms = time::parse_timestamp(&text, zoned)
                .ok_or_else(|| invalid_literal(pos, &text, "timestamp"))?;
            Ok(timestamp_literal(ms, zoned))
        }
        DataType::Decimal(ExactNumberInfo::None) | DataType::Numeric(ExactNumberInfo::None) => {
            decimal_literal(text.trim(), pos)
        }
        other => {
            let to = sql_type(other, pos)?;
            let value = string_literal(&text);
            if !cast::can_cast(&value.ty, &to) {
                return Err(SqlError::type_mismatch(
                    pos,
                    format!("No literal form for type {to}"),
                ));
            }
            let converted =
                cast::cast(value.as_literal().expect("literal"), &value.ty, &to, false)?;
            Ok(Expr::literal(converted, to))
        }
    }
}

pub(super) fn timestamp_literal(ms: i64, zoned: bool) -> Expr {
    let array = TimestampMillisecondArray::from(vec![ms]);
    if zoned {
        Expr::literal(one(array.with_timezone(UTC)), SqlType::TimestampTz)
    } else {
        Expr::literal(one(array), SqlType::Timestamp)
    }
}

fn interval_literal(interval: &ast::Interval, pos: Option<Pos>) -> Result<Expr, SqlError> {
    let text = match interval.value.as_ref() {
        ast::Expr::Value(v) => match &v.value {
            AstValue::SingleQuotedString(s) => s.clone(),
            AstValue::Number(n, _) => n.clone(),
            _ => return Err(SqlError::syntax(pos, "Invalid INTERVAL literal")),
        },
        _ => return Err(SqlError::syntax(pos, "Invalid INTERVAL literal")),
    };
    let invalid = || {
        SqlError::new(
            ErrorCode::InvalidLiteral,
            pos,
            format!(
                "Invalid INTERVAL {} value: {text}",
                interval
                    .leading_field
                    .as_ref()
                    .map_or(String::new(), |f| f.to_string())
            ),
        )
    };
    let amount: i64 = text.trim().parse().map_err(|_| invalid())?;
    let field = interval.leading_field.as_ref().ok_or_else(invalid)?;
    if interval.last_field.is_some() {
        return Err(SqlError::not_supported(
            pos,
            "INTERVAL ranges (DAY TO SECOND) are not supported by the playground yet; write INTERVAL '1' DAY + INTERVAL '2' HOUR",
        ));
    }
    let ms = |unit: i64| -> Result<Expr, SqlError> {
        let value = amount.checked_mul(unit).ok_or_else(invalid)?;
        Ok(Expr::literal(
            one(DurationMillisecondArray::from(vec![value])),
            SqlType::IntervalDayTime,
        ))
    };
    let months = |unit: i64| -> Result<Expr, SqlError> {
        let value = i32::try_from(amount * unit).map_err(|_| invalid())?;
        Ok(Expr::literal(
            one(IntervalYearMonthArray::from(vec![value])),
            SqlType::IntervalYearMonth,
        ))
    };
    match field {
        DateTimeField::Second | DateTimeField::Seconds => ms(MS_PER_SECOND),
        DateTimeField::Minute | DateTimeField::Minutes => ms(MS_PER_MINUTE),
        DateTimeField::Hour | DateTimeField::Hours => ms(MS_PER_HOUR),
        DateTimeField::Day | DateTimeField::Days => ms(MS_PER_DAY),
        DateTimeField::Month | DateTimeField::Months => months(1),
        DateTimeField::Year | DateTimeField::Years => months(12),
        other => Err(SqlError::syntax(
            pos,
            format!("Invalid INTERVAL field: {other}"),
        )),
    }
}

/// A type written in a query (CAST, typed literal) as Trino names it.
pub(super) fn sql_type(data_type: &DataType, pos: Option<Pos>) -> Result<SqlType, SqlError> {
    let length = |l: &Option<ast::CharacterLength>| match l {
        Some(ast::CharacterLength::IntegerLength { length, .. }) => Some(*length as u32),
        _ => None,
    };
    Ok(match data_type {
        DataType::Varchar(l) | DataType::CharacterVarying(l) | DataType::CharVarying(l) => {
            SqlType::Varchar(length(l))
        }
        DataType::Char(l) | DataType::Character(l) => SqlType::Char(length(l).unwrap_or(1)),
        DataType::Boolean | DataType::Bool => SqlType::Boolean,
        DataType::TinyInt(_) => SqlType::TinyInt,
        DataType::SmallInt(_) => SqlType::SmallInt,
        DataType::Int(_) | DataType::Integer(_) => SqlType::Integer,
        DataType::BigInt(_) => SqlType::BigInt,
        DataType::Real => SqlType::Real,
        DataType::Double(_) | DataType::DoublePrecision => SqlType::Double,
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => match info {
            ExactNumberInfo::None => SqlType::Decimal(38, 0),
            ExactNumberInfo::Precision(p) => SqlType::Decimal((*p).clamp(1, 38) as u8, 0),
            ExactNumberInfo::PrecisionAndScale(p, s) => {
                if !(1..=38).contains(p) || *s < 0 || *s as u64 > *p {
                    return Err(SqlError::new(
                        ErrorCode::InvalidLiteral,
                        pos,
                        format!(
                            "DECIMAL precision must be in range [1, 38] and scale at most the precision: decimal({p},{s})"
                        ),
                    ));
                }
                SqlType::Decimal(*p as u8, *s as i8)
            }
        },
        DataType::Date => SqlType::Date,
        DataType::Timestamp(_, TimezoneInfo::WithTimeZone) => SqlType::TimestampTz,
        DataType::Timestamp(..) => SqlType::Timestamp,
        DataType::Varbinary(_) => SqlType::Varbinary,
        other => {
            let name = other.to_string().to_ascii_lowercase();
            return Err(SqlError::new(
                ErrorCode::TypeNotFound,
                pos,
                format!("Unknown type: {name}"),
            ));
        }
    })
}

impl ExprBinder<'_> {
    fn function(&mut self, f: &ast::Function, pos: Option<Pos>) -> Result<Expr, SqlError> {
        if f.over.is_some() {
            return Err(SqlError::not_supported(
                pos,
                "Window functions are not supported by the playground yet",
            ));
        }
        let name = f.name.to_string().to_ascii_lowercase();
        if let Some(constant) = self.constant_function(&name, &f.args, pos)? {
            return Ok(constant);
        }
        if let Some(func) = aggregate_function(&name) {
            return self.aggregate(f, func, &name, pos);
        }
        let FunctionArguments::List(list) = &f.args else {
            return Err(SqlError::new(
                ErrorCode::FunctionNotFound,
                pos,
                format!("Function '{name}' not registered"),
            ));
        };
        if list.duplicate_treatment.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
            return Err(SqlError::syntax(
                pos,
                format!(
                    "DISTINCT, FILTER and WITHIN GROUP are only for aggregate functions, and {name} is not one"
                ),
            ));
        }
        let args = list
            .args
            .iter()
            .map(|a| self.function_arg(a, pos))
            .collect::<Result<Vec<_>, _>>()?;
        match name.as_str() {
            "if" => self.if_function(args, pos),
            "mod" => match <[Expr; 2]>::try_from(args) {
                Ok([a, b]) => arithmetic_expr(ArithOp::Modulus, a, b, pos),
                Err(args) => Err(Call { name, args, pos }.unexpected_mod()),
            },
            "typeof" => match args.as_slice() {
                [arg] => Ok(Expr::literal(
                    one(StringArray::from(vec![arg.ty.to_string()])),
                    VARCHAR,
                )),
                _ => Err(SqlError::new(
                    ErrorCode::FunctionNotFound,
                    pos,
                    "Unexpected parameters for function typeof. Expected: typeof(t)",
                )),
            },
            _ => fold(functions::bind(Call { name, args, pos })?),
        }
    }

    fn function_arg(&mut self, arg: &FunctionArg, pos: Option<Pos>) -> Result<Expr, SqlError> {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.bind(e),
            _ => Err(SqlError::syntax(
                pos,
                "mismatched input '*'. Expecting: <expression>",
            )),
        }
    }

    /// `now()`, `current_timestamp`, `current_date`, `pi()`, …: constants for the whole query,
    /// taken from the context's virtual clock.
    fn constant_function(
        &self,
        name: &str,
        args: &FunctionArguments,
        pos: Option<Pos>,
    ) -> Result<Option<Expr>, SqlError> {
        let no_args = match args {
            FunctionArguments::None => true,
            FunctionArguments::List(list) => list.args.is_empty(),
            FunctionArguments::Subquery(_) => false,
        };
        let bare = matches!(args, FunctionArguments::None);
        let expr = match name {
            "now" | "current_timestamp" if no_args => timestamp_literal(self.now_ms, true),
            "localtimestamp" if bare => timestamp_literal(self.now_ms, false),
            "current_date" if bare => {
                let days = self.now_ms.div_euclid(MS_PER_DAY) as i32;
                Expr::literal(one(Date32Array::from(vec![days])), SqlType::Date)
            }
            "current_timezone" if no_args => string_literal(UTC),
            "pi" if no_args => Expr::literal(
                one(Float64Array::from(vec![std::f64::consts::PI])),
                SqlType::Double,
            ),
            "e" if no_args => Expr::literal(
                one(Float64Array::from(vec![std::f64::consts::E])),
                SqlType::Double,
            ),
            "current_user" | "current_path" | "current_time" | "localtime" | "current_catalog"
            | "current_schema" => {
                return Err(SqlError::not_supported(
                    pos,
                    format!("{name} is not supported by the playground yet"),
                ));
            }
            _ => return Ok(None),
        };
        Ok(Some(expr))
    }

    fn if_function(&mut self, args: Vec<Expr>, pos: Option<Pos>) -> Result<Expr, SqlError> {
        let mut args = args.into_iter();
        let (Some(condition), Some(then)) = (args.next(), args.next()) else {
            return Err(SqlError::new(
                ErrorCode::FunctionNotFound,
                pos,
                "Invalid number of arguments for if",
            ));
        };
        let otherwise = args.next();
        if condition.ty != SqlType::Boolean && condition.ty != SqlType::Unknown {
            return Err(SqlError::type_mismatch(
                pos,
                format!(
                    "IF condition must evaluate to a boolean (actual: {})",
                    condition.ty
                ),
            ));
        }
        let condition = coerce(condition, &SqlType::Boolean)?;
        let results: Vec<Expr> = std::iter::once(then).chain(otherwise).collect();
        let ty = common_result_type(&results, "All IF results", pos)?;
        let mut results = results
            .into_iter()
            .map(|r| coerce(r, &ty))
            .collect::<Result<Vec<_>, _>>()?;
        let otherwise = (results.len() == 2).then(|| Box::new(results.pop().expect("else")));
        let then = results.pop().expect("then");
        Ok(Expr::new(
            ExprKind::Case {
                whens: vec![(condition, then)],
                otherwise,
            },
            ty,
        ))
    }

    fn aggregate(
        &mut self,
        f: &ast::Function,
        func: AggFunc,
        name: &str,
        pos: Option<Pos>,
    ) -> Result<Expr, SqlError> {
        let clause = self.clause;
        let Some(aggregates) = self.aggregates.take() else {
            return Err(SqlError::new(
                ErrorCode::ExpressionNotScalar,
                pos,
                format!(
                    "{clause} clause cannot contain aggregations, window functions or grouping operations: [{f}]"
                ),
            ));
        };
        let result = self.aggregate_call(f, func, name, pos);
        let call = match result {
            Ok(call) => call,
            Err(e) => {
                self.aggregates = Some(aggregates);
                return Err(e);
            }
        };
        let ty = call.ty.clone();
        let index = match aggregates.iter().position(|c| *c == call) {
            Some(existing) => existing,
            None => {
                aggregates.push(call);
                aggregates.len() - 1
            }
        };
        self.aggregates = Some(aggregates);
        Ok(Expr::new(ExprKind::Aggregate(index), ty))
    }

    /// Binds the arguments of an aggregate; aggregates inside are refused, as in Trino.
    /// Binds the parts of an aggregate call; aggregates inside it are refused, as in Trino.
    fn aggregate_call(
        &mut self,
        f: &ast::Function,
        func: AggFunc,
        name: &str,
        pos: Option<Pos>,
    ) -> Result<AggCall, SqlError> {
        let FunctionArguments::List(list) = &f.args else {
            let message = format!("Function '{name}' not registered");
            return Err(SqlError::new(ErrorCode::FunctionNotFound, pos, message));
        };
        let star = matches!(
            list.args.as_slice(),
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]
        );
        let func = match (star, func) {
            (true, AggFunc::Count) => AggFunc::CountStar,
            (true, _) => {
                return Err(SqlError::syntax(
                    pos,
                    "mismatched input '*'. Expecting: <expression>",
                ));
            }
            (false, func) => func,
        };
        let mut inner = ExprBinder {
            aggregates: None,
            clause: "aggregate",
            ..*self
        };
        let nested = |e: SqlError| nested_aggregation(e, name);
        let args = match star {
            true => vec![],
            false => list
                .args
                .iter()
                .map(|a| inner.function_arg(a, pos))
                .collect::<Result<Vec<_>, _>>()
                .map_err(nested)?,
        };
        let filter_clause = list.clauses.iter().find_map(|c| match c {
            FunctionArgumentClause::Where(w) => Some(w),
            _ => None,
        });
        let filter = f
            .filter
            .as_deref()
            .or(filter_clause)
            .map(|w| {
                inner.boolean(w, |t| {
                    format!("Filter expression must evaluate to a boolean (actual: {t})")
                })
            })
            .transpose()
            .map_err(nested)?;
        let mut order_by = Vec::new();
        for key in &f.within_group {
            let bound = inner.bind(&key.expr).map_err(nested)?;
            let descending = matches!(key.options.sort, Some(ast::OrderBySort::Desc));
            order_by.push((bound, descending, key.options.nulls_first.unwrap_or(false)));
        }
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        super::aggregate::bind_call(super::aggregate::WrittenCall {
            func,
            args,
            distinct,
            filter,
            order_by,
            name,
            pos,
        })
    }
}

/// Trino's message for an aggregate inside an aggregate's arguments.
fn nested_aggregation(e: SqlError, name: &str) -> SqlError {
    if e.code != ErrorCode::ExpressionNotScalar {
        return e;
    }
    let pos = e.line.zip(e.column).map(|(l, c)| Pos::new(l, c));
    let calls = e.message.rsplit_once(": ").map_or("", |(_, calls)| calls);
    SqlError::new(
        ErrorCode::NestedAggregation,
        pos,
        format!("Cannot nest aggregations inside aggregation '{name}': {calls}"),
    )
}

impl Call {
    fn unexpected_mod(self) -> SqlError {
        let types: Vec<String> = self.args.iter().map(|a| a.ty.to_string()).collect();
        SqlError::new(
            ErrorCode::FunctionNotFound,
            self.pos,
            format!(
                "Unexpected parameters ({}) for function mod. Expected: mod(bigint, bigint), mod(decimal(a_precision,a_scale), decimal(b_precision,b_scale)), mod(double, double), mod(integer, integer), mod(real, real), mod(smallint, smallint), mod(tinyint, tinyint)",
                types.join(", ")
            ),
        )
    }
}

fn aggregate_function(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "approx_distinct" => AggFunc::ApproxDistinct,
        "count_if" => AggFunc::CountIf,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "bool_and" | "every" => AggFunc::BoolAnd,
        "bool_or" => AggFunc::BoolOr,
        "arbitrary" | "any_value" => AggFunc::Arbitrary,
        "listagg" => AggFunc::ListAgg(String::new()),
        "stddev" | "stddev_samp" => AggFunc::Variance(VarianceKind::StddevSample),
        "stddev_pop" => AggFunc::Variance(VarianceKind::StddevPopulation),
        "variance" | "var_samp" => AggFunc::Variance(VarianceKind::Sample),
        "var_pop" => AggFunc::Variance(VarianceKind::Population),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::sql::testing::check;

    #[test]
    fn types_literals_as_trino() {
        check(
            "SELECT typeof(1), typeof(2147483648), typeof(1.5), typeof(1e3), typeof('abc'), typeof(NULL), \
             typeof(current_timestamp), typeof(INTERVAL '5' MINUTE), typeof(INTERVAL '1' YEAR)",
            "
            _col0 varchar | _col1 varchar | _col2 varchar | _col3 varchar | _col4 varchar | _col5 varchar | _col6 varchar | _col7 varchar | _col8 varchar
            integer | bigint | decimal(2,1) | double | varchar(3) | unknown | timestamp(3) with time zone | interval day to second | interval year to month
        ");
        check(
            "SELECT NULL, DATE '2022-06-12', TIMESTAMP '2022-06-12 00:00:00', INTEGER '37', BIGINT '1', DOUBLE '1.5', \
             DECIMAL '1.20', REAL '2.5', SMALLINT '3', TINYINT '4', BOOLEAN 'true'",
            "
            _col0 unknown | _col1 date | _col2 timestamp(3) | _col3 integer | _col4 bigint | _col5 double | _col6 decimal(3,2) | _col7 real | _col8 smallint | _col9 tinyint | _col10 boolean
            NULL | 2022-06-12 | 2022-06-12 00:00:00.000 | 37 | 1 | 1.5 | 1.20 | 2.5 | 3 | 4 | true
        ");
        check(
            "SELECT 9223372036854775808",
            "INVALID_LITERAL: line 1:8: Invalid numeric literal: 9223372036854775808",
        );
        check(
            "SELECT TIMESTAMP '2022-13-01 00:00:00'",
            "INVALID_LITERAL: line 1:18: '2022-13-01 00:00:00' is not a valid timestamp literal",
        );
        check(
            "SELECT INTEGER 'x'",
            "INVALID_CAST_ARGUMENT: Cannot cast 'x' to INT",
        );
    }

    #[test]
    fn takes_the_time_from_the_virtual_clock() {
        check("SELECT current_timestamp, now(), current_date, localtimestamp", "
            _col0 timestamp(3) with time zone | _col1 timestamp(3) with time zone | _col2 date | _col3 timestamp(3)
            2022-06-12 00:05:30.250 UTC | 2022-06-12 00:05:30.250 UTC | 2022-06-12 | 2022-06-12 00:05:30.250
        ");
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/sql/analyzer/TestAnalyzer.java
    // (no implicit varchar/number coercion) and TestStringFunctions.testConcat.
    #[test]
    fn refuses_to_mix_strings_and_numbers() {
        let hint = "hint: Trino does not convert between strings and numbers by itself: CAST the string to integer, or the number to varchar";
        check(
            "SELECT device_name FROM logs WHERE device_name = 1",
            &format!("TYPE_MISMATCH: line 1:48: Cannot apply operator: varchar = integer\n{hint}"),
        );
        check(
            "SELECT 'a' = 1",
            &format!(
                "TYPE_MISMATCH: line 1:12: Cannot apply operator: varchar(1) = integer\n{hint}"
            ),
        );
        check(
            "SELECT count(*) FROM types WHERE ts > '2022-06-12'",
            "TYPE_MISMATCH: line 1:37: Cannot apply operator: timestamp(3) > varchar(10)\nhint: Trino does not turn strings into timestamps by itself: write TIMESTAMP '2022-06-12 00:00:00' or CAST(x AS timestamp)",
        );
        check(
            "SELECT * FROM logs WHERE device_name = \"sensor-a\"",
            "COLUMN_NOT_FOUND: line 1:40: Column 'sensor-a' cannot be resolved or requester is not authorized to access requested resources\nhint: \"sensor-a\" in double quotes is a name; a string is written in single quotes: 'sensor-a'",
        );
        check(
            "SELECT 1 + 'a'",
            "TYPE_MISMATCH: line 1:10: Cannot apply operator: integer + varchar(1)",
        );
        let expected_concat = "Expected: concat(array(E)) E, concat(E, array(E)) E, concat(array(E), E) E, concat(char(x), char(y)), concat(varbinary), concat(varchar)";
        check(
            "SELECT 'a' || 1",
            &format!(
                "FUNCTION_NOT_FOUND: line 1:12: Unexpected parameters (varchar(1), integer) for function concat. {expected_concat}"
            ),
        );
        check(
            "SELECT concat('a', 1)",
            &format!(
                "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar(1), integer) for function concat. {expected_concat}"
            ),
        );
        check(
            "SELECT 'a' || CAST(1 AS varchar), 'a' || NULL",
            "
            _col0 varchar | _col1 varchar
            a1 | NULL
        ",
        );
        check(
            "SELECT 1 = 1.0, 1 < 2.5e0, CAST(1 AS tinyint) + 1",
            "
            _col0 boolean | _col1 boolean | _col2 integer
            true | true | 2
        ",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestIntegerOperators.java
    // and TestDoubleOperators.java (testDivide, testAdd overflow).
    #[test]
    fn divides_and_overflows_like_trino() {
        check(
            "SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7.0 / 2",
            "
            _col0 integer | _col1 integer | _col2 integer | _col3 integer | _col4 decimal(2,1)
            3 | -3 | 1 | -1 | 3.5
        ",
        );
        check("SELECT 7 / 0", "DIVISION_BY_ZERO: Division by zero");
        check("SELECT 7.0 / 0", "DIVISION_BY_ZERO: Division by zero");
        check("SELECT mod(7, 0)", "DIVISION_BY_ZERO: Division by zero");
        check(
            "SELECT 7e0 / 0, -7e0 / 0, 0e0 / 0, mod(7e0, 0)",
            "
            _col0 double | _col1 double | _col2 double | _col3 double
            Infinity | -Infinity | NaN | NaN
        ",
        );
        check(
            "SELECT 2147483647 + 1",
            "NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow: 2147483647 + 1",
        );
        check(
            "SELECT 9223372036854775807 + 1",
            "NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow: 9223372036854775807 + 1",
        );
        check(
            "SELECT -(-2147483647 - 1)",
            "NUMERIC_VALUE_OUT_OF_RANGE: integer negation overflow: -2147483648",
        );
        check(
            "SELECT mod(-7, 3), mod(7.5, 2), mod('a', 1)",
            "TYPE_MISMATCH: line 1:33: Cannot apply operator: varchar(1) % integer",
        );
        check(
            "SELECT count(*) FROM logs WHERE metric / 0 > 1",
            "
            _col0 bigint
            5
        ",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestDecimalOperators.java
    #[test]
    fn keeps_decimals_exact() {
        check("SELECT dec * 2, dec + 1, dec / 3, dec % 1, i * dec FROM types LIMIT 2", "
            _col0 decimal(15,2) | _col1 decimal(13,2) | _col2 decimal(5,2) | _col3 decimal(5,2) | _col4 decimal(15,2)
            246.90 | 124.45 | 41.15 | 0.45 | 123.45
            -1.00 | 0.50 | -0.17 | -0.50 | 3.50
        ");
        check(
            "SELECT 0.1 + 0.2, 1.5 * 1.5, typeof(1.5 * 1.5)",
            "
            _col0 decimal(2,1) | _col1 decimal(4,2) | _col2 varchar
            0.3 | 2.25 | decimal(4,2)
        ",
        );
    }

    #[test]
    fn casts_and_try_casts() {
        check(
            "SELECT CAST('x' AS integer)",
            "INVALID_CAST_ARGUMENT: Cannot cast 'x' to INT",
        );
        check(
            "SELECT TRY_CAST('x' AS integer), TRY_CAST('12' AS integer), CAST(' 7 ' AS bigint), CAST(2.5 AS integer)",
            "
            _col0 integer | _col1 integer | _col2 bigint | _col3 integer
            NULL | 12 | 7 | 3
        ",
        );
        check(
            "SELECT CAST(true AS date)",
            "TYPE_MISMATCH: line 1:13: Cannot cast boolean to date",
        );
        check(
            "SELECT CAST('1' AS string)",
            "TYPE_NOT_FOUND: line 1:13: Unknown type: string",
        );
        check(
            "SELECT CAST(1 AS int)::bigint",
            "SYNTAX_ERROR: line 1:22: mismatched input '::'. Expecting: <expression>",
        );
        check(
            "SELECT CAST(\"timestamp\" AS timestamp), CAST(metric AS varchar) FROM logs LIMIT 2",
            "
            _col0 timestamp(3) | _col1 varchar
            2022-06-12 00:00:00.000 | 10.5
            2022-06-12 00:01:00.000 | 20.0
        ",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/type/TestLikeFunctions.java
    #[test]
    fn matches_like_patterns_case_sensitively() {
        check(
            "SELECT metric FROM logs WHERE device_name LIKE 'sensor-_' AND device_name NOT LIKE '%c'",
            "
            metric double
            10.5
            20.0
            NULL
            30.0
        ",
        );
        check("SELECT 'ab%' LIKE 'ab#%' ESCAPE '#', 'abc' LIKE 'ab#%' ESCAPE '#', 'ABC' LIKE 'abc', 'a\\b' LIKE 'a\\b', 'a.c' LIKE 'a.c', 'abc' LIKE 'a.c'", "
            _col0 boolean | _col1 boolean | _col2 boolean | _col3 boolean | _col4 boolean | _col5 boolean
            true | false | false | true | true | false
        ");
        check(
            "SELECT 'x' LIKE 'x' ESCAPE 'ab'",
            "INVALID_FUNCTION_ARGUMENT: line 1:28: Escape string must be a single character",
        );
        check(
            "SELECT 'x' LIKE 'x#' ESCAPE '#'",
            "INVALID_FUNCTION_ARGUMENT: Escape character must be followed by '%', '_' or the escape character",
        );
        check(
            "SELECT 1 LIKE 'x'",
            "TYPE_MISMATCH: line 1:8: Left side of LIKE expression must evaluate to a varchar (actual: integer)",
        );
        check(
            "SELECT 'x' ILIKE 'X'",
            "SYNTAX_ERROR: line 1:8: mismatched input 'ILIKE'. Expecting: <predicate>",
        );
    }

    #[test]
    fn tests_membership_and_ranges_with_null_logic() {
        check(
            "SELECT device_name IN ('sensor-a', 'sensor-c'), metric NOT IN (10.5, 1), device_name IN ('x', NULL) FROM logs",
            "
            _col0 boolean | _col1 boolean | _col2 boolean
            true | false | NULL
            false | true | NULL
            true | NULL | NULL
            true | true | NULL
            false | true | NULL
            NULL | false | NULL
        ",
        );
        check(
            "SELECT metric FROM logs WHERE metric IN (1, 'a')",
            "TYPE_MISMATCH: line 1:31: IN value and list items must be the same type or coercible to a common type. Cannot find common type between double and varchar(1), all types (without duplicates): [double, integer, varchar(1)]",
        );
        check(
            "SELECT metric BETWEEN 5 AND 20, metric NOT BETWEEN 5 AND 20 FROM logs LIMIT 3",
            "
            _col0 boolean | _col1 boolean
            true | false
            true | false
            NULL | NULL
        ",
        );
        check(
            "SELECT 'a' BETWEEN 1 AND 2",
            "TYPE_MISMATCH: line 1:8: Cannot check if varchar(1) is BETWEEN integer and integer",
        );
        check(
            "SELECT NULL IS DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, 1 IS NOT DISTINCT FROM 1, metric IS NULL FROM logs LIMIT 1",
            "
            _col0 boolean | _col1 boolean | _col2 boolean | _col3 boolean
            false | true | true | false
        ",
        );
        check(
            "SELECT 1 AND true",
            "TYPE_MISMATCH: line 1:8: Left side of logical expression must evaluate to a boolean (actual: integer)",
        );
        check(
            "SELECT NOT 1",
            "TYPE_MISMATCH: line 1:12: Value of logical NOT expression must evaluate to a boolean (actual: integer)",
        );
        check(
            "SELECT -'a'",
            "TYPE_MISMATCH: line 1:9: Cannot negate varchar(1)",
        );
    }

    #[test]
    fn evaluates_case_branches_only_where_they_apply() {
        check(
            "SELECT CASE WHEN metric > 15 THEN 'high' WHEN metric > 5 THEN 'mid' ELSE 'low' END, CASE device_name WHEN 'sensor-a' THEN 1 WHEN 'sensor-b' THEN 2 END FROM logs",
            "
            _col0 varchar(4) | _col1 integer
            mid | 1
            high | 2
            low | 1
            mid | NULL
            high | 2
            low | NULL
        ",
        );
        check(
            "SELECT CASE WHEN metric < 10 THEN 0 ELSE 100 / CAST(metric - 10.5 AS integer) END FROM logs WHERE metric IS NOT NULL ORDER BY 1",
            "DIVISION_BY_ZERO: Division by zero",
        );
        check(
            "SELECT CASE WHEN metric < 11 THEN 0 ELSE 100 / CAST(metric - 10.5 AS integer) END FROM logs WHERE metric IS NOT NULL",
            "
            _col0 integer
            0
            10
            0
            5
            0
        ",
        );
        check(
            "SELECT CASE WHEN true THEN 1 ELSE 'a' END",
            "TYPE_MISMATCH: line 1:8: All CASE results must be the same type or coercible to a common type. Cannot find common type between integer and varchar(1), all types (without duplicates): [integer, varchar(1)]",
        );
        check(
            "SELECT if(metric > 10, 'big', 'small'), if(metric > 10, 1) FROM logs LIMIT 3",
            "
            _col0 varchar(5) | _col1 integer
            big | 1
            big | 1
            small | NULL
        ",
        );
    }

    #[test]
    fn adds_intervals_to_dates_and_timestamps() {
        check(
            "SELECT TIMESTAMP '2022-06-12 00:00:00' + INTERVAL '5' MINUTE, TIMESTAMP '2022-06-12 00:00:00' - INTERVAL '1' DAY, \
             DATE '2022-01-31' + INTERVAL '1' MONTH, TIMESTAMP '2022-06-12 00:05:00' - TIMESTAMP '2022-06-12 00:00:00', \
             INTERVAL '2' HOUR + TIMESTAMP '2022-06-12 00:00:00', current_timestamp - INTERVAL '30' SECOND",
            "
            _col0 timestamp(3) | _col1 timestamp(3) | _col2 date | _col3 interval day to second | _col4 timestamp(3) | _col5 timestamp(3) with time zone
            2022-06-12 00:05:00.000 | 2022-06-11 00:00:00.000 | 2022-02-28 | 0 00:05:00.000 | 2022-06-12 02:00:00.000 | 2022-06-12 00:05:00.250 UTC
        ");
        check(
            "SELECT DATE '2022-06-12' + INTERVAL '2' HOUR",
            "INVALID_FUNCTION_ARGUMENT: Cannot add hour, minutes or seconds to a date",
        );
        check(
            "SELECT count(*) FROM types WHERE ts > current_timestamp - INTERVAL '1' DAY",
            "
            _col0 bigint
            2
        ",
        );
    }
}
