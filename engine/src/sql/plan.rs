//! Planning: a parsed query → a `QueryPlan` (scan or values → filter → aggregate → project →
//! distinct → sort → offset/limit). Resolves tables and CTEs, applies Trino's rules for GROUP
//! BY, HAVING and ORDER BY, and pushes the needed columns and simple filters to the storage.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Field, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Schema, SchemaRef, TimestampMillisecondType,
};
use sqlparser::ast::{
    self, GroupByExpr, LimitClause, OrderByKind, OrderBySort, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor,
};

use super::QueryContext;
use super::aggregate::{AggCall, AggregatePlan};
use super::bind::{ExprBinder, Scope, ScopeColumn, check_not_reserved, pos_of};
use super::error::{ErrorCode, Pos, SqlError};
use super::expr::{CmpOp, Expr, ExprKind};
use super::parse::qualified_name;
use super::types::{SqlType, common_super_type};
use crate::table::{ColumnFilter, FilterOp, Literal, ScanRequest, TableName, TableSource};

/// Where a query's rows come from.
#[derive(Clone, Debug)]
pub(super) enum Source {
    /// A catalog table, read with the projection and prunable filters the query needs.
    Table {
        name: TableName,
        request: ScanRequest,
        /// The projected columns' types, in projection order.
        types: Vec<SqlType>,
    },
    /// `VALUES (…), (…)`: one expression per column per row, already of the column's type.
    Values {
        rows: Vec<Vec<Expr>>,
        types: Vec<SqlType>,
    },
    Subquery(Box<QueryPlan>),
    /// No FROM: one row without columns.
    Single,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SortKey {
    /// Index into the plan's outputs.
    pub column: usize,
    pub descending: bool,
    pub nulls_first: bool,
}

/// A planned SELECT. Expressions in `filter` and `aggregate` read the source's columns;
/// `having` and `outputs` read the aggregate's output when there is one, else the source's.
#[derive(Clone, Debug)]
pub(super) struct QueryPlan {
    pub source: Source,
    pub filter: Option<Expr>,
    pub aggregate: Option<AggregatePlan>,
    pub having: Option<Expr>,
    /// The result columns, then ORDER BY keys that are not among them.
    pub outputs: Vec<Expr>,
    pub names: Vec<String>,
    /// How many of `outputs` are result columns.
    pub visible: usize,
    pub distinct: bool,
    pub order_by: Vec<SortKey>,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// Arrow metadata key holding a result column's Trino type (`varchar(3)`, `timestamp(3)`).
pub const TRINO_TYPE_KEY: &str = "trino.type";

impl QueryPlan {
    pub fn types(&self) -> Vec<SqlType> {
        self.outputs[..self.visible]
            .iter()
            .map(|e| e.ty.clone())
            .collect()
    }

    /// The result's schema; each field carries its Trino type name in its metadata.
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self.names[..self.visible]
            .iter()
            .zip(self.types())
            .map(|(name, ty)| {
                let metadata = HashMap::from([(TRINO_TYPE_KEY.to_string(), ty.to_string())]);
                Field::new(name, ty.to_arrow(), true).with_metadata(metadata)
            })
            .collect();
        Arc::new(Schema::new(fields))
    }
}

/// A `WITH name (columns) AS (query)` visible to the query being planned.
struct Cte {
    name: String,
    query: ast::Query,
    columns: Vec<String>,
}

/// The select list: as written, or every column (for `VALUES … ORDER BY`).
enum Projection<'q> {
    Items(&'q [SelectItem]),
    AllColumns,
}

/// The clauses of one SELECT.
struct SelectParts<'q> {
    projection: Projection<'q>,
    selection: Option<&'q ast::Expr>,
    group_by: &'q [ast::Expr],
    having: Option<&'q ast::Expr>,
    distinct: bool,
}

pub(super) struct Planner<'a> {
    pub source: &'a dyn TableSource,
    pub ctx: &'a QueryContext,
    pub text: &'a str,
    ctes: Vec<Cte>,
}

impl<'a> Planner<'a> {
    pub fn new(source: &'a dyn TableSource, ctx: &'a QueryContext, text: &'a str) -> Planner<'a> {
        Planner {
            source,
            ctx,
            text,
            ctes: Vec::new(),
        }
    }

    pub fn plan_query(&mut self, query: &ast::Query) -> Result<QueryPlan, SqlError> {
        let visible_before = self.ctes.len();
        if let Some(with) = &query.with {
            if with.recursive {
                return Err(SqlError::not_supported(
                    pos_of(&with.with_token.0),
                    "WITH RECURSIVE is not supported by the playground yet",
                ));
            }
            for cte in &with.cte_tables {
                check_not_reserved(&cte.alias.name)?;
                self.ctes.push(Cte {
                    name: cte.alias.name.value.to_ascii_lowercase(),
                    query: (*cte.query).clone(),
                    columns: cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| c.name.value.to_ascii_lowercase())
                        .collect(),
                });
            }
        }
        let plan = self.plan_body(query);
        self.ctes.truncate(visible_before);
        plan
    }

    fn plan_body(&mut self, query: &ast::Query) -> Result<QueryPlan, SqlError> {
        let (offset, limit) = limits(query)?;
        let order_by: &[ast::OrderByExpr] = match &query.order_by {
            None => &[],
            Some(order) => match &order.kind {
                OrderByKind::Expressions(exprs) => exprs,
                OrderByKind::All(_) => {
                    return Err(SqlError::not_supported(
                        None,
                        "ORDER BY ALL is not supported by Athena",
                    ));
                }
            },
        };
        match query.body.as_ref() {
            SetExpr::Select(select) => self.plan_select(select, order_by, offset, limit),
            SetExpr::Values(values) => {
                let (source, scope) = self.plan_values(values)?;
                let parts = SelectParts {
                    projection: Projection::AllColumns,
                    selection: None,
                    group_by: &[],
                    having: None,
                    distinct: false,
                };
                self.plan_parts(source, scope, parts, order_by, offset, limit)
            }
            SetExpr::Query(inner) => {
                let plan = self.plan_query(inner)?;
                if order_by.is_empty() && offset == 0 && limit.is_none() {
                    return Ok(plan);
                }
                let scope = scope_of(&plan, None, &[], None)?;
                let parts = SelectParts {
                    projection: Projection::AllColumns,
                    selection: None,
                    group_by: &[],
                    having: None,
                    distinct: false,
                };
                self.plan_parts(
                    Source::Subquery(Box::new(plan)),
                    scope,
                    parts,
                    order_by,
                    offset,
                    limit,
                )
            }
            SetExpr::SetOperation { op, .. } => Err(SqlError::not_supported(
                None,
                format!("{op} is not supported by the playground yet"),
            )),
            other => Err(SqlError::not_supported(
                None,
                format!("{other} is not supported in a query"),
            )),
        }
    }

    fn plan_select(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
        offset: usize,
        limit: Option<usize>,
    ) -> Result<QueryPlan, SqlError> {
        let pos = pos_of(&select.select_token.0);
        if select.into.is_some()
            || !select.lateral_views.is_empty()
            || select.qualify.is_some()
            || !select.named_window.is_empty()
        {
            return Err(SqlError::not_supported(
                pos,
                "This SELECT clause is not supported by the playground yet",
            ));
        }
        let distinct = match &select.distinct {
            None | Some(ast::Distinct::All) => false,
            Some(ast::Distinct::Distinct) => true,
            Some(ast::Distinct::On(_)) => {
                return Err(SqlError::syntax(
                    pos,
                    "mismatched input 'ON'. Expecting: <expression>",
                ));
            }
        };
        let group_by: &[ast::Expr] = match &select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs,
            _ => {
                return Err(SqlError::not_supported(
                    pos,
                    "GROUP BY ALL, ROLLUP and CUBE are not supported by the playground yet",
                ));
            }
        };
        let (source, scope) = self.plan_from(&select.from)?;
        let parts = SelectParts {
            projection: Projection::Items(&select.projection),
            selection: select.selection.as_ref(),
            group_by,
            having: select.having.as_ref(),
            distinct,
        };
        self.plan_parts(source, scope, parts, order_by, offset, limit)
    }

    fn binder<'s>(
        &self,
        scope: &'s Scope,
        aggregates: Option<&'s mut Vec<AggCall>>,
        clause: &'static str,
    ) -> ExprBinder<'s>
    where
        'a: 's,
    {
        ExprBinder {
            scope,
            text: self.text,
            now_ms: self.ctx.now_ms,
            aggregates,
            clause,
        }
    }

    fn plan_parts(
        &mut self,
        source: Source,
        scope: Scope,
        parts: SelectParts<'_>,
        order_by: &[ast::OrderByExpr],
        offset: usize,
        limit: Option<usize>,
    ) -> Result<QueryPlan, SqlError> {
        let filter = match parts.selection {
            Some(w) => Some(self.predicate(&scope, w, "WHERE")?),
            None => None,
        };
        let mut aggregates = Vec::new();
        let select = self.select_list(&scope, &parts.projection, &mut aggregates)?;
        let keys = self.group_keys(&scope, parts.group_by, &select)?;
        let having = match parts.having {
            Some(h) => {
                let bound = self
                    .binder(&scope, Some(&mut aggregates), "HAVING")
                    .bind(h)?;
                Some(check_boolean(bound, "HAVING", pos_of(h))?)
            }
            None => None,
        };
        let mut outputs: Vec<Expr> = select.iter().map(|s| s.expr.clone()).collect();
        let visible = outputs.len();
        let mut order = Vec::new();
        for key in order_by {
            let column = self.order_key(
                &scope,
                key,
                &select,
                &mut outputs,
                &mut aggregates,
                parts.distinct,
            )?;
            let descending = match &key.options.sort {
                None | Some(OrderBySort::Asc) => false,
                Some(OrderBySort::Desc) => true,
                Some(OrderBySort::Using(_)) => {
                    return Err(SqlError::syntax(
                        pos_of(&key.expr),
                        "mismatched input 'USING'. Expecting: <EOF>",
                    ));
                }
            };
            // Trino puts NULLs last in both directions unless told otherwise.
            order.push(SortKey {
                column,
                descending,
                nulls_first: key.options.nulls_first.unwrap_or(false),
            });
        }
        let grouped = !keys.is_empty() || !aggregates.is_empty() || having.is_some();
        let (aggregate, having, outputs) = if grouped {
            let outputs = outputs
                .into_iter()
                .map(|o| over_groups(o, &keys))
                .collect::<Result<Vec<_>, _>>()?;
            let having = having.map(|h| over_groups(h, &keys)).transpose()?;
            (
                Some(AggregatePlan {
                    keys,
                    calls: aggregates,
                }),
                having,
                outputs,
            )
        } else {
            (None, None, outputs)
        };
        let mut names: Vec<String> = select.into_iter().map(|s| s.name).collect();
        names.extend((visible..outputs.len()).map(|i| format!("_sort{i}")));
        let plan = QueryPlan {
            source,
            filter,
            aggregate,
            having,
            outputs,
            names,
            visible,
            distinct: parts.distinct,
            order_by: order,
            offset,
            limit,
        };
        Ok(push_down(plan))
    }

    fn predicate(
        &self,
        scope: &Scope,
        e: &ast::Expr,
        clause: &'static str,
    ) -> Result<Expr, SqlError> {
        let bound = self.binder(scope, None, clause).bind(e)?;
        check_boolean(bound, clause, pos_of(e))
    }

    fn select_list(
        &self,
        scope: &Scope,
        projection: &Projection<'_>,
        aggregates: &mut Vec<AggCall>,
    ) -> Result<Vec<SelectOutput>, SqlError> {
        let items = match projection {
            Projection::AllColumns => return Ok(all_columns(scope, None)),
            Projection::Items(items) => items,
        };
        let mut outputs = Vec::new();
        for item in *items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let expr = self.binder(scope, Some(aggregates), "SELECT").bind(e)?;
                    let (name, reference) = match e {
                        ast::Expr::Identifier(i) => {
                            (i.value.clone(), Some(i.value.to_ascii_lowercase()))
                        }
                        ast::Expr::CompoundIdentifier(parts) => {
                            let last = parts.last().expect("compound identifiers have parts");
                            (last.value.clone(), Some(last.value.to_ascii_lowercase()))
                        }
                        _ => (format!("_col{}", outputs.len()), None),
                    };
                    outputs.push(SelectOutput {
                        expr,
                        name,
                        reference,
                        text: e.to_string(),
                    });
                }
                SelectItem::ExprWithAlias { expr: e, alias } => {
                    check_not_reserved(alias)?;
                    let expr = self.binder(scope, Some(aggregates), "SELECT").bind(e)?;
                    let reference = Some(alias.value.to_ascii_lowercase());
                    outputs.push(SelectOutput {
                        expr,
                        name: alias.value.clone(),
                        reference,
                        text: e.to_string(),
                    });
                }
                SelectItem::Wildcard(_) => outputs.extend(all_columns(scope, None)),
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    let relation = name
                        .0
                        .last()
                        .map(|p| p.to_string().trim_matches('"').to_ascii_lowercase())
                        .unwrap_or_default();
                    let columns = all_columns(scope, Some(&relation));
                    if columns.is_empty() {
                        return Err(SqlError::new(
                            ErrorCode::ColumnNotFound,
                            pos_of(name),
                            format!("Column '{name}.*' cannot be resolved"),
                        ));
                    }
                    outputs.extend(columns);
                }
                other => {
                    return Err(SqlError::not_supported(
                        pos_of(other),
                        format!("'{other}' is not supported by the playground yet"),
                    ));
                }
            }
        }
        Ok(outputs)
    }

    fn group_keys(
        &self,
        scope: &Scope,
        group_by: &[ast::Expr],
        select: &[SelectOutput],
    ) -> Result<Vec<Expr>, SqlError> {
        let mut keys = Vec::new();
        for g in group_by {
            let key = match ordinal(g) {
                Some(n) => {
                    let output = select.get(n.wrapping_sub(1)).ok_or_else(|| {
                        SqlError::new(
                            ErrorCode::InvalidColumnReference,
                            pos_of(g),
                            format!("GROUP BY position {n} is not in select list"),
                        )
                    })?;
                    if output.expr.has_aggregate() {
                        return Err(SqlError::new(
                            ErrorCode::ExpressionNotScalar,
                            pos_of(g),
                            format!(
                                "GROUP BY clause cannot contain aggregations, window functions or grouping operations: [{}]",
                                output.text
                            ),
                        ));
                    }
                    output.expr.clone()
                }
                None => self.binder(scope, None, "GROUP BY").bind(g)?,
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Resolves one ORDER BY key to an output: by position, by output name, by an equal
    /// select expression, or as an extra hidden output.
    fn order_key(
        &self,
        scope: &Scope,
        key: &ast::OrderByExpr,
        select: &[SelectOutput],
        outputs: &mut Vec<Expr>,
        aggregates: &mut Vec<AggCall>,
        distinct: bool,
    ) -> Result<usize, SqlError> {
        let pos = pos_of(&key.expr);
        if let Some(n) = ordinal(&key.expr) {
            return match n {
                1.. if n <= select.len() => Ok(n - 1),
                _ => Err(SqlError::new(
                    ErrorCode::InvalidColumnReference,
                    pos,
                    format!("ORDER BY position {n} is not in select list"),
                )),
            };
        }
        if let ast::Expr::Identifier(ident) = &key.expr {
            let wanted = ident.value.to_ascii_lowercase();
            let named: Vec<usize> = (0..select.len())
                .filter(|&i| select[i].reference.as_deref() == Some(&wanted))
                .collect();
            if let Some(&first) = named.first() {
                if named.iter().any(|&i| select[i].expr != select[first].expr) {
                    return Err(SqlError::new(
                        ErrorCode::AmbiguousName,
                        pos,
                        format!("'{}' in ORDER BY is ambiguous", ident.value),
                    ));
                }
                return Ok(first);
            }
        }
        let bound = self
            .binder(scope, Some(aggregates), "ORDER BY")
            .bind(&key.expr)?;
        if let Some(i) = select.iter().position(|s| s.expr == bound) {
            return Ok(i);
        }
        if distinct {
            return Err(SqlError::new(
                ErrorCode::ExpressionNotInDistinct,
                pos,
                "For SELECT DISTINCT, ORDER BY expressions must appear in select list",
            ));
        }
        outputs.push(bound);
        Ok(outputs.len() - 1)
    }

    fn plan_from(&mut self, from: &[ast::TableWithJoins]) -> Result<(Source, Scope), SqlError> {
        let join_pos =
            |t: &ast::TableWithJoins| t.joins.first().map(|j| pos_of(&j.relation)).unwrap_or(None);
        match from {
            [] => Ok((Source::Single, Scope::default())),
            [only] if only.joins.is_empty() => self.plan_relation(&only.relation),
            [only] => Err(join_not_supported(join_pos(only))),
            [_, second, ..] => Err(join_not_supported(pos_of(&second.relation))),
        }
    }

    fn plan_relation(&mut self, relation: &TableFactor) -> Result<(Source, Scope), SqlError> {
        match relation {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                for part in &name.0 {
                    if let ast::ObjectNamePart::Identifier(ident) = part {
                        check_not_reserved(ident)?;
                    }
                }
                let alias_name = alias.as_ref().map(|a| a.name.value.to_ascii_lowercase());
                let columns: Vec<String> = alias
                    .iter()
                    .flat_map(|a| a.columns.iter().map(|c| c.name.value.to_ascii_lowercase()))
                    .collect();
                if let [ast::ObjectNamePart::Identifier(single)] = name.0.as_slice()
                    && let Some(index) = self
                        .ctes
                        .iter()
                        .rposition(|c| c.name == single.value.to_ascii_lowercase())
                {
                    return self.plan_cte(index, alias_name, &columns, pos_of(name));
                }
                self.plan_table(name, alias_name, &columns)
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => {
                let plan = self.plan_query(subquery)?;
                let relation = alias.as_ref().map(|a| a.name.value.to_ascii_lowercase());
                let columns: Vec<String> = alias
                    .iter()
                    .flat_map(|a| a.columns.iter().map(|c| c.name.value.to_ascii_lowercase()))
                    .collect();
                let scope = scope_of(
                    &plan,
                    relation.as_deref(),
                    &columns,
                    alias.as_ref().and_then(|a| Pos::of_span(a.name.span)),
                )?;
                Ok((Source::Subquery(Box::new(plan)), scope))
            }
            TableFactor::NestedJoin { .. } => Err(join_not_supported(pos_of(relation))),
            other => Err(SqlError::not_supported(
                pos_of(other),
                format!("'{other}' in FROM is not supported by the playground yet"),
            )),
        }
    }

    fn plan_cte(
        &mut self,
        index: usize,
        alias: Option<String>,
        columns: &[String],
        pos: Option<Pos>,
    ) -> Result<(Source, Scope), SqlError> {
        // A CTE sees only the CTEs defined before it.
        let hidden = self.ctes.split_off(index + 1);
        let cte = &self.ctes[index];
        let (query, name, cte_columns) = (cte.query.clone(), cte.name.clone(), cte.columns.clone());
        let plan = self.plan_query(&query);
        self.ctes.extend(hidden);
        let plan = plan?;
        let relation = alias.unwrap_or(name);
        let mut scope = scope_of(&plan, Some(&relation), &cte_columns, pos)?;
        if !columns.is_empty() {
            scope = rename(scope, columns, &relation, pos)?;
        }
        Ok((Source::Subquery(Box::new(plan)), scope))
    }

    fn plan_table(
        &mut self,
        name: &ast::ObjectName,
        alias: Option<String>,
        columns: &[String],
    ) -> Result<(Source, Scope), SqlError> {
        let pos = pos_of(name);
        let qualified = qualified_name(name)?;
        let database = qualified
            .database
            .clone()
            .unwrap_or_else(|| self.ctx.default_database.clone());
        let table = TableName {
            database,
            table: qualified.table.clone(),
        };
        let Some(schema) = self.source.schema(&table) else {
            if !self.source.database_exists(&table.database) {
                return Err(SqlError::new(
                    ErrorCode::SchemaNotFound,
                    pos,
                    format!("Schema '{}' does not exist", table.database),
                ));
            }
            return Err(SqlError::new(
                ErrorCode::TableNotFound,
                pos,
                format!(
                    "Table '{}.{}.{}' does not exist",
                    self.ctx.catalog_name, table.database, table.table
                ),
            ));
        };
        let relation = alias.unwrap_or_else(|| qualified.table.clone());
        let mut scope = Scope::default();
        let mut types = Vec::new();
        for field in schema.fields() {
            let ty = SqlType::from_arrow(field.data_type()).ok_or_else(|| {
                SqlError::not_supported(
                    pos,
                    format!(
                        "Column '{}' has type {} that the playground cannot query yet",
                        field.name(),
                        field.data_type()
                    ),
                )
            })?;
            types.push(ty.clone());
            scope.columns.push(ScopeColumn {
                relation: Some(relation.clone()),
                name: field.name().to_ascii_lowercase(),
                ty,
            });
        }
        if !columns.is_empty() {
            scope = rename(scope, columns, &relation, pos)?;
        }
        let request = ScanRequest {
            projection: None,
            filters: vec![],
        };
        Ok((
            Source::Table {
                name: table,
                request,
                types,
            },
            scope,
        ))
    }

    fn plan_values(&mut self, values: &ast::Values) -> Result<(Source, Scope), SqlError> {
        let empty = Scope::default();
        let mut rows = Vec::new();
        for row in &values.rows {
            let bound = row
                .iter()
                .map(|e| self.binder(&empty, None, "VALUES").bind(e))
                .collect::<Result<Vec<_>, _>>()?;
            if rows
                .first()
                .is_some_and(|first: &Vec<Expr>| first.len() != bound.len())
            {
                let pos = row.first().and_then(pos_of);
                return Err(SqlError::new(
                    ErrorCode::TypeMismatch,
                    pos,
                    "Values rows have mismatched sizes",
                ));
            }
            rows.push(bound);
        }
        let width = rows.first().map_or(0, Vec::len);
        let mut types = vec![SqlType::Unknown; width];
        for row in &rows {
            for (i, e) in row.iter().enumerate() {
                types[i] = common_super_type(&types[i], &e.ty).ok_or_else(|| {
                    SqlError::type_mismatch(
                        None,
                        format!(
                            "Values rows have mismatched types: {} vs {}",
                            types[i], e.ty
                        ),
                    )
                })?;
            }
        }
        let rows = rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&types)
                    .map(|(e, t)| super::expr::coerce(e, t))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scope = Scope {
            columns: types
                .iter()
                .enumerate()
                .map(|(i, ty)| ScopeColumn {
                    relation: None,
                    name: format!("_col{i}"),
                    ty: ty.clone(),
                })
                .collect(),
        };
        Ok((Source::Values { rows, types }, scope))
    }
}

/// One result column as the select list defines it.
struct SelectOutput {
    expr: Expr,
    name: String,
    /// The lower-cased name ORDER BY may use for it: its alias, or the column it shows.
    reference: Option<String>,
    text: String,
}

fn all_columns(scope: &Scope, relation: Option<&str>) -> Vec<SelectOutput> {
    scope
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| relation.is_none_or(|r| c.relation.as_deref() == Some(r)))
        .map(|(i, c)| SelectOutput {
            expr: Expr::column(i, &c.name, None, c.ty.clone()),
            name: c.name.clone(),
            reference: Some(c.name.clone()),
            text: c.name.clone(),
        })
        .collect()
}

fn join_not_supported(pos: Option<Pos>) -> SqlError {
    SqlError::not_supported(pos, "JOIN is not supported by the playground yet")
}

/// The columns a subquery offers to the query around it.
fn scope_of(
    plan: &QueryPlan,
    relation: Option<&str>,
    columns: &[String],
    pos: Option<Pos>,
) -> Result<Scope, SqlError> {
    let scope = Scope {
        columns: plan.names[..plan.visible]
            .iter()
            .zip(plan.types())
            .map(|(name, ty)| ScopeColumn {
                relation: relation.map(str::to_string),
                name: name.to_ascii_lowercase(),
                ty,
            })
            .collect(),
    };
    if columns.is_empty() {
        return Ok(scope);
    }
    rename(scope, columns, relation.unwrap_or(""), pos)
}

/// Applies `AS t(a, b)` column aliases.
fn rename(
    mut scope: Scope,
    columns: &[String],
    relation: &str,
    pos: Option<Pos>,
) -> Result<Scope, SqlError> {
    if columns.len() != scope.columns.len() {
        return Err(SqlError::new(
            ErrorCode::MismatchedColumnAliases,
            pos,
            format!(
                "Column alias list has {} entries but '{relation}' has {} columns available",
                columns.len(),
                scope.columns.len()
            ),
        ));
    }
    for (column, name) in scope.columns.iter_mut().zip(columns) {
        column.name = name.clone();
    }
    Ok(scope)
}

fn check_boolean(e: Expr, clause: &str, pos: Option<Pos>) -> Result<Expr, SqlError> {
    match e.ty {
        SqlType::Boolean => Ok(e),
        SqlType::Unknown => super::expr::coerce(e, &SqlType::Boolean),
        ref other => Err(SqlError::type_mismatch(
            pos,
            format!("{clause} clause must evaluate to a boolean: actual type {other}"),
        )),
    }
}

/// A positive integer literal used as a select-list position (`GROUP BY 1`).
fn ordinal(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn limits(query: &ast::Query) -> Result<(usize, Option<usize>), SqlError> {
    let count = |e: &ast::Expr, what: &str| -> Result<usize, SqlError> {
        ordinal(e).ok_or_else(|| {
            SqlError::syntax(
                pos_of(e),
                format!("mismatched input '{e}'. Expecting: <integer>, 'ALL' in {what}"),
            )
        })
    };
    let (mut offset, mut limit) = (0, None);
    match &query.limit_clause {
        None => {}
        Some(LimitClause::LimitOffset {
            limit: l,
            offset: o,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(SqlError::syntax(
                    None,
                    "mismatched input 'BY'. Expecting: <EOF>",
                ));
            }
            if let Some(l) = l {
                limit = Some(count(l, "LIMIT")?);
            }
            if let Some(o) = o {
                offset = count(&o.value, "OFFSET")?;
            }
        }
        Some(LimitClause::OffsetCommaLimit { offset: o, .. }) => {
            return Err(SqlError::syntax(
                pos_of(o),
                "mismatched input ','. Expecting: <EOF>",
            ));
        }
    }
    if let Some(fetch) = &query.fetch {
        if fetch.with_ties || fetch.percent {
            return Err(SqlError::not_supported(
                None,
                "FETCH … WITH TIES and PERCENT are not supported by the playground yet",
            ));
        }
        limit = Some(
            fetch
                .quantity
                .as_ref()
                .map_or(Ok(1), |q| count(q, "FETCH"))?,
        );
    }
    Ok((offset, limit))
}

/// Rewrites an expression of an aggregating query to read the aggregate's output: GROUP BY
/// keys become its first columns, aggregate calls the following ones. A column left over is
/// neither grouped nor aggregated, which Trino refuses.
fn over_groups(e: Expr, keys: &[Expr]) -> Result<Expr, SqlError> {
    e.rewrite(&mut |node| {
        if let Some(i) = keys.iter().position(|k| k == node) {
            return Ok(Some(Expr::column(
                i,
                &format!("_key{i}"),
                None,
                node.ty.clone(),
            )));
        }
        match &node.kind {
            ExprKind::Aggregate(j) => Ok(Some(Expr::column(
                keys.len() + j,
                &format!("_agg{j}"),
                None,
                node.ty.clone(),
            ))),
            ExprKind::Column(c) => Err(SqlError::new(
                ErrorCode::ExpressionNotAggregate,
                c.pos,
                format!(
                    "'{}' must be an aggregate expression or appear in GROUP BY clause",
                    c.name
                ),
            )),
            _ => Ok(None),
        }
    })
}

/// For a table source: reads only the columns the query uses, and hands the storage the WHERE
/// conjuncts it can prune with.
fn push_down(mut plan: QueryPlan) -> QueryPlan {
    let Source::Table { request, types, .. } = &mut plan.source else {
        return plan;
    };
    let mut used = Vec::new();
    if let Some(filter) = &plan.filter {
        filter.columns(&mut used);
        request.filters = conjuncts(filter)
            .into_iter()
            .filter_map(column_filter)
            .collect();
    }
    match &plan.aggregate {
        Some(aggregate) => {
            for key in &aggregate.keys {
                key.columns(&mut used);
            }
            for call in &aggregate.calls {
                call.args
                    .iter()
                    .chain(&call.filter)
                    .chain(call.order_by.iter().map(|(e, _, _)| e))
                    .for_each(|e| e.columns(&mut used));
            }
        }
        None => plan.outputs.iter().for_each(|o| o.columns(&mut used)),
    }
    used.sort_unstable();
    used.dedup();
    let position = |old: usize| {
        used.binary_search(&old)
            .expect("every used column is projected")
    };
    *types = used.iter().map(|&i| types[i].clone()).collect();
    request.projection = Some(used.clone());
    plan.filter = plan.filter.map(|f| f.remap_columns(&position));
    match &mut plan.aggregate {
        Some(aggregate) => {
            aggregate.keys = std::mem::take(&mut aggregate.keys)
                .into_iter()
                .map(|k| k.remap_columns(&position))
                .collect();
            for call in &mut aggregate.calls {
                call.args = std::mem::take(&mut call.args)
                    .into_iter()
                    .map(|a| a.remap_columns(&position))
                    .collect();
                call.filter = call.filter.take().map(|f| f.remap_columns(&position));
                call.order_by = std::mem::take(&mut call.order_by)
                    .into_iter()
                    .map(|(e, d, n)| (e.remap_columns(&position), d, n))
                    .collect();
            }
        }
        None => {
            plan.outputs = std::mem::take(&mut plan.outputs)
                .into_iter()
                .map(|o| o.remap_columns(&position))
                .collect()
        }
    }
    plan
}

fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::And(l, r) => {
            let mut all = conjuncts(l);
            all.extend(conjuncts(r));
            all
        }
        _ => vec![e],
    }
}

/// `column op literal` (or flipped) as a filter the storage understands.
fn column_filter(e: &Expr) -> Option<ColumnFilter> {
    let ExprKind::Compare { op, left, right } = &e.kind else {
        return None;
    };
    let (column, value, op) = match (&left.kind, &right.kind) {
        (ExprKind::Column(c), ExprKind::Literal(v)) => (c.index, v, *op),
        (ExprKind::Literal(v), ExprKind::Column(c)) => (c.index, v, op.flip()),
        _ => return None,
    };
    let op = match op {
        CmpOp::Eq => FilterOp::Eq,
        CmpOp::NotEq => FilterOp::NotEq,
        CmpOp::Lt => FilterOp::Lt,
        CmpOp::LtEq => FilterOp::LtEq,
        CmpOp::Gt => FilterOp::Gt,
        CmpOp::GtEq => FilterOp::GtEq,
    };
    Some(ColumnFilter {
        column,
        op,
        value: table_literal(value.as_ref())?,
    })
}

fn table_literal(value: &dyn Array) -> Option<Literal> {
    if value.is_null(0) {
        return None;
    }
    Some(match value.data_type() {
        DataType::Boolean => Literal::Boolean(value.as_boolean().value(0)),
        DataType::Int8 => Literal::Int(value.as_primitive::<Int8Type>().value(0) as i64),
        DataType::Int16 => Literal::Int(value.as_primitive::<Int16Type>().value(0) as i64),
        DataType::Int32 => Literal::Int(value.as_primitive::<Int32Type>().value(0) as i64),
        DataType::Int64 => Literal::Int(value.as_primitive::<Int64Type>().value(0)),
        DataType::Float32 => Literal::Float(value.as_primitive::<Float32Type>().value(0) as f64),
        DataType::Float64 => Literal::Float(value.as_primitive::<Float64Type>().value(0)),
        DataType::Utf8 => Literal::Utf8(value.as_string::<i32>().value(0).to_string()),
        DataType::Date32 => Literal::Date(value.as_primitive::<Date32Type>().value(0)),
        DataType::Timestamp(_, None) => {
            Literal::TimestampMs(value.as_primitive::<TimestampMillisecondType>().value(0))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::sql::testing::check;

    const NOT_AUTHORIZED: &str =
        "cannot be resolved or requester is not authorized to access requested resources";

    #[test]
    fn names_missing_columns_tables_and_databases_like_athena() {
        check(
            "SELECT foo FROM logs",
            &format!("COLUMN_NOT_FOUND: line 1:8: Column 'foo' {NOT_AUTHORIZED}"),
        );
        check(
            "SELECT l.foo FROM logs l",
            &format!("COLUMN_NOT_FOUND: line 1:8: Column 'l.foo' {NOT_AUTHORIZED}"),
        );
        check(
            "SELECT * FROM logs t WHERE logs.metric > 1",
            &format!("COLUMN_NOT_FOUND: line 1:28: Column 'logs.metric' {NOT_AUTHORIZED}"),
        );
        check(
            "SELECT * FROM nope",
            "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.nope' does not exist",
        );
        check(
            "SELECT *\nFROM other.logs",
            "SCHEMA_NOT_FOUND: line 2:6: Schema 'other' does not exist",
        );
        check(
            "SELECT * FROM hive.default.logs",
            "CATALOG_NOT_FOUND: line 1:15: Catalog 'hive' does not exist",
        );
        check(
            "SELECT * FROM awsdatacatalog.default.logs LIMIT 1",
            "
            timestamp varchar | device_name varchar | metric double
            2022-06-12 00:00:00 | sensor-a | 10.5
        ",
        );
    }

    #[test]
    fn refuses_joins_and_set_operations() {
        check(
            "SELECT * FROM logs a JOIN logs b ON a.metric = b.metric",
            "NOT_SUPPORTED: line 1:27: JOIN is not supported by the playground yet",
        );
        check(
            "SELECT * FROM logs, types",
            "NOT_SUPPORTED: line 1:21: JOIN is not supported by the playground yet",
        );
        check(
            "SELECT 1 UNION SELECT 2",
            "NOT_SUPPORTED: UNION is not supported by the playground yet",
        );
    }

    // Ported from trinodb/trino:core/trino-main/src/test/java/io/trino/sql/analyzer/TestAnalyzer.java
    // (testGroupByOrdinalsWithWildcard, testNonAggregate, testOrderByNonexistentOrdinal, …).
    #[test]
    fn applies_trinos_group_by_rules() {
        check(
            "SELECT device_name, metric FROM logs GROUP BY device_name",
            "EXPRESSION_NOT_AGGREGATE: line 1:21: 'metric' must be an aggregate expression or appear in GROUP BY clause",
        );
        check(
            "SELECT device_name, count(*) FROM logs GROUP BY 3",
            "INVALID_COLUMN_REFERENCE: line 1:49: GROUP BY position 3 is not in select list",
        );
        check(
            "SELECT count(*) FROM logs GROUP BY 1",
            "EXPRESSION_NOT_SCALAR: line 1:36: GROUP BY clause cannot contain aggregations, window functions or grouping operations: [count(*)]",
        );
        check(
            "SELECT device_name AS d FROM logs GROUP BY d",
            &format!("COLUMN_NOT_FOUND: line 1:44: Column 'd' {NOT_AUTHORIZED}"),
        );
        check(
            "SELECT * FROM logs WHERE count(*) > 1",
            "EXPRESSION_NOT_SCALAR: line 1:26: WHERE clause cannot contain aggregations, window functions or grouping operations: [count(*)]",
        );
        check(
            "SELECT sum(count(*)) FROM logs",
            "NESTED_AGGREGATION: line 1:12: Cannot nest aggregations inside aggregation 'sum': [count(*)]",
        );
        check(
            "SELECT upper(device_name) FROM logs GROUP BY upper(device_name) ORDER BY 1",
            "
            _col0 varchar
            SENSOR-A
            SENSOR-B
            SENSOR-C
            NULL
        ",
        );
        check(
            "SELECT device_name, count(*) AS n FROM logs GROUP BY device_name HAVING count(*) > 1 ORDER BY n DESC, device_name",
            "
            device_name varchar | n bigint
            sensor-a | 2
            sensor-b | 2
        ",
        );
    }

    #[test]
    fn orders_by_position_alias_or_expression() {
        check(
            "SELECT device_name FROM logs ORDER BY 2",
            "INVALID_COLUMN_REFERENCE: line 1:39: ORDER BY position 2 is not in select list",
        );
        check(
            "SELECT DISTINCT device_name FROM logs ORDER BY metric",
            "EXPRESSION_NOT_IN_DISTINCT: line 1:48: For SELECT DISTINCT, ORDER BY expressions must appear in select list",
        );
        check(
            "SELECT metric + 1 AS m FROM logs ORDER BY m LIMIT 2",
            "
            m double
            2.0
            8.25
        ",
        );
        check(
            "SELECT device_name FROM logs GROUP BY device_name ORDER BY max(metric) DESC",
            "
            device_name varchar
            sensor-b
            sensor-a
            sensor-c
            NULL
        ",
        );
        check(
            "SELECT device_name AS x, metric AS x FROM logs ORDER BY x",
            "AMBIGUOUS_NAME: line 1:57: 'x' in ORDER BY is ambiguous",
        );
    }

    #[test]
    fn checks_clause_types_and_aliases() {
        check(
            "SELECT * FROM logs WHERE metric",
            "TYPE_MISMATCH: line 1:26: WHERE clause must evaluate to a boolean: actual type double",
        );
        check(
            "SELECT device_name FROM logs GROUP BY 1 HAVING count(*)",
            "TYPE_MISMATCH: line 1:48: HAVING clause must evaluate to a boolean: actual type bigint",
        );
        check(
            "SELECT x FROM (VALUES (1, 2)) AS t(x)",
            "MISMATCHED_COLUMN_ALIASES: line 1:34: Column alias list has 1 entries but 't' has 2 columns available",
        );
        check(
            "SELECT logs.* FROM logs LIMIT 1",
            "
            timestamp varchar | device_name varchar | metric double
            2022-06-12 00:00:00 | sensor-a | 10.5
        ",
        );
        check(
            "SELECT l.* FROM logs AS l WHERE l.metric = 1",
            "
            timestamp varchar | device_name varchar | metric double
            2022-06-12 00:06:00 | NULL | 1.0
        ",
        );
    }

    #[test]
    fn explains_names_that_need_quotes() {
        check(
            "SELECT * FROM class.hg-data-table",
            "SYNTAX_ERROR: line 1:23: mismatched input '-'. Expecting: <EOF>\nhint: names with '-' must be double-quoted: \"hg-data-table\"",
        );
        check(
            "SELECT end FROM logs",
            "SYNTAX_ERROR: line 1:8: mismatched input 'end'. Expecting: <expression>\nhint: 'end' is a reserved word in Athena queries; write it in double quotes: \"end\"",
        );
        check(
            "SELECT metric AS first FROM logs",
            "SYNTAX_ERROR: line 1:18: mismatched input 'first'. Expecting: <expression>\nhint: 'first' is a reserved word in Athena queries; write it in double quotes: \"first\"",
        );
        check(
            "SELECT timestamp FROM logs LIMIT 1",
            "timestamp varchar\n2022-06-12 00:00:00",
        );
        check(
            "SELECT \"timestamp\" AS \"end\" FROM logs LIMIT 1",
            "end varchar\n2022-06-12 00:00:00",
        );
    }
}
