//! Bound expressions: what the planner makes of sqlparser's AST once names are resolved, types
//! checked and implicit coercions made explicit. Evaluation (`eval.rs`) runs them on whole
//! Arrow arrays.

use arrow::array::{Array, ArrayRef, Datum};

use super::cast;
use super::error::{Pos, SqlError};
use super::functions::Func;
use super::types::SqlType;

/// A typed expression. Equality ignores source positions, so that `GROUP BY device_name` matches
/// a `device_name` written elsewhere in the query.
#[derive(Clone, Debug)]
pub(super) struct Expr {
    pub kind: ExprKind,
    pub ty: SqlType,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.ty == other.ty && self.kind == other.kind
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum ExprKind {
    /// A column of the stage's input batch.
    Column(ColumnRef),
    /// A constant: a one-row array of the expression's type.
    Literal(ArrayRef),
    /// The `i`th aggregate call of the query; replaced by a column before evaluation.
    Aggregate(usize),
    Not(Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// Both sides have the result type, except for date-time ± interval.
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Negate(Box<Expr>),
    Cast {
        expr: Box<Expr>,
        try_cast: bool,
    },
    /// Searched CASE; a simple CASE is bound as one. Branches are evaluated only on the rows
    /// that reach them, as Trino does, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` is safe.
    Case {
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// LIKE with Trino's pattern syntax; `escape` is the ESCAPE character, if any.
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<char>,
        negated: bool,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
    },
}

/// A column reference, with the name and position it was written at for error messages.
#[derive(Clone, Debug)]
pub(super) struct ColumnRef {
    pub index: usize,
    pub name: String,
    pub pos: Option<Pos>,
}

impl PartialEq for ColumnRef {
    fn eq(&self, other: &ColumnRef) -> bool {
        self.index == other.index
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::NotEq => "<>",
            CmpOp::Lt => "<",
            CmpOp::LtEq => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtEq => ">=",
        }
    }

    /// The operator seen from the other side: `1 < x` is `x > 1`.
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::LtEq => CmpOp::GtEq,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::GtEq => CmpOp::LtEq,
            other => other,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ArithOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Subtract => "-",
            ArithOp::Multiply => "*",
            ArithOp::Divide => "/",
            ArithOp::Modulus => "%",
        }
    }

    /// The word Trino's overflow messages use: `integer addition overflow: …`.
    pub fn noun(self) -> &'static str {
        match self {
            ArithOp::Add => "addition",
            ArithOp::Subtract => "subtraction",
            ArithOp::Multiply => "multiplication",
            ArithOp::Divide => "division",
            ArithOp::Modulus => "modulus",
        }
    }
}

impl Expr {
    pub fn new(kind: ExprKind, ty: SqlType) -> Expr {
        Expr { kind, ty }
    }

    pub fn literal(value: ArrayRef, ty: SqlType) -> Expr {
        Expr::new(ExprKind::Literal(value), ty)
    }

    pub fn column(index: usize, name: &str, pos: Option<Pos>, ty: SqlType) -> Expr {
        let column = ColumnRef {
            index,
            name: name.to_string(),
            pos,
        };
        Expr::new(ExprKind::Column(column), ty)
    }

    pub fn as_literal(&self) -> Option<&ArrayRef> {
        match &self.kind {
            ExprKind::Literal(value) => Some(value),
            _ => None,
        }
    }

    /// The direct sub-expressions, in evaluation order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Column(_) | ExprKind::Literal(_) | ExprKind::Aggregate(_) => vec![],
            ExprKind::Not(e) | ExprKind::Negate(e) => vec![e],
            ExprKind::IsNull { expr, .. } | ExprKind::Cast { expr, .. } => vec![expr],
            ExprKind::And(l, r) | ExprKind::Or(l, r) => vec![l, r],
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                vec![left, right]
            }
            ExprKind::Case { whens, otherwise } => whens
                .iter()
                .flat_map(|(w, t)| [w, t])
                .chain(otherwise.as_deref())
                .collect(),
            ExprKind::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Like { expr, pattern, .. } => vec![expr, pattern],
            ExprKind::Call { args, .. } => args.iter().collect(),
        }
    }

    /// Every node, parents before children.
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        for child in self.children() {
            child.walk(visit);
        }
    }

    /// Rebuilds the tree bottom-up with `f` applied to every node; `f` may replace a node
    /// (returning `Some`) or keep it (`None`), and may fail.
    pub fn rewrite<E>(
        self,
        f: &mut dyn FnMut(&Expr) -> Result<Option<Expr>, E>,
    ) -> Result<Expr, E> {
        if let Some(replacement) = f(&self)? {
            return Ok(replacement);
        }
        let ty = self.ty;
        let mut go = |e: Box<Expr>| -> Result<Box<Expr>, E> { Ok(Box::new(e.rewrite(f)?)) };
        let kind = match self.kind {
            leaf @ (ExprKind::Column(_) | ExprKind::Literal(_) | ExprKind::Aggregate(_)) => leaf,
            ExprKind::Not(e) => ExprKind::Not(go(e)?),
            ExprKind::Negate(e) => ExprKind::Negate(go(e)?),
            ExprKind::IsNull { expr, negated } => ExprKind::IsNull {
                expr: go(expr)?,
                negated,
            },
            ExprKind::Cast { expr, try_cast } => ExprKind::Cast {
                expr: go(expr)?,
                try_cast,
            },
            ExprKind::And(l, r) => ExprKind::And(go(l)?, go(r)?),
            ExprKind::Or(l, r) => ExprKind::Or(go(l)?, go(r)?),
            ExprKind::Compare { op, left, right } => ExprKind::Compare {
                op,
                left: go(left)?,
                right: go(right)?,
            },
            ExprKind::Arith { op, left, right } => ExprKind::Arith {
                op,
                left: go(left)?,
                right: go(right)?,
            },
            ExprKind::Case { whens, otherwise } => {
                let mut bound = Vec::with_capacity(whens.len());
                for (when, then) in whens {
                    bound.push((when.rewrite(f)?, then.rewrite(f)?));
                }
                let otherwise = match otherwise {
                    Some(e) => Some(Box::new(e.rewrite(f)?)),
                    None => None,
                };
                ExprKind::Case {
                    whens: bound,
                    otherwise,
                }
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let expr = Box::new(expr.rewrite(f)?);
                let list = list
                    .into_iter()
                    .map(|e| e.rewrite(f))
                    .collect::<Result<_, E>>()?;
                ExprKind::InList {
                    expr,
                    list,
                    negated,
                }
            }
            ExprKind::Like {
                expr,
                pattern,
                escape,
                negated,
            } => {
                let expr = Box::new(expr.rewrite(f)?);
                let pattern = Box::new(pattern.rewrite(f)?);
                ExprKind::Like {
                    expr,
                    pattern,
                    escape,
                    negated,
                }
            }
            ExprKind::Call { func, args } => {
                let args = args
                    .into_iter()
                    .map(|e| e.rewrite(f))
                    .collect::<Result<_, E>>()?;
                ExprKind::Call { func, args }
            }
        };
        Ok(Expr { kind, ty })
    }

    /// Whether the expression contains an aggregate call.
    pub fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.kind, ExprKind::Aggregate(_)));
        found
    }

    /// The input columns the expression reads.
    pub fn columns(&self, into: &mut Vec<usize>) {
        self.walk(&mut |e| {
            if let ExprKind::Column(c) = &e.kind {
                into.push(c.index);
            }
        });
    }

    /// Renumbers column references through `map` (old index → new index).
    pub fn remap_columns(self, map: &dyn Fn(usize) -> usize) -> Expr {
        let result: Result<Expr, std::convert::Infallible> = self.rewrite(&mut |e| {
            Ok(match &e.kind {
                ExprKind::Column(c) => {
                    let column = ColumnRef {
                        index: map(c.index),
                        ..c.clone()
                    };
                    Some(Expr::new(ExprKind::Column(column), e.ty.clone()))
                }
                _ => None,
            })
        });
        match result {
            Ok(expr) => expr,
            Err(never) => match never {},
        }
    }
}

/// `expr` as type `to`, through the CAST Trino inserts for an implicit coercion. Literals are
/// converted right away.
pub(super) fn coerce(expr: Expr, to: &SqlType) -> Result<Expr, SqlError> {
    if &expr.ty == to {
        return Ok(expr);
    }
    if let Some(value) = expr.as_literal() {
        let converted = cast::cast(value, &expr.ty, to, false)?;
        return Ok(Expr::literal(converted, to.clone()));
    }
    let kind = ExprKind::Cast {
        expr: Box::new(expr),
        try_cast: false,
    };
    Ok(Expr::new(kind, to.clone()))
}

/// The value of an expression over a batch: an array with a row per input row, or one scalar
/// that stands for every row (literals and what is computed from them only).
#[derive(Clone, Debug)]
pub(super) enum Value {
    Array(ArrayRef),
    Scalar(ArrayRef),
}

impl Value {
    pub fn array(&self) -> &ArrayRef {
        match self {
            Value::Array(a) | Value::Scalar(a) => a,
        }
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self, Value::Scalar(_))
    }

    /// A full-length array: scalars are repeated `rows` times.
    pub fn into_array(self, rows: usize) -> ArrayRef {
        match self {
            Value::Array(a) => a,
            Value::Scalar(s) => repeat(&s, rows),
        }
    }

    /// The value as an Arrow `Datum`, so that kernels broadcast scalars themselves.
    pub fn datum(&self) -> ValueDatum<'_> {
        ValueDatum(self)
    }

    /// Wraps a kernel's result: scalar only if every input was.
    pub fn from_result(array: ArrayRef, inputs_scalar: bool) -> Value {
        if inputs_scalar {
            Value::Scalar(array)
        } else {
            Value::Array(array)
        }
    }
}

pub(super) struct ValueDatum<'a>(&'a Value);

impl Datum for ValueDatum<'_> {
    fn get(&self) -> (&dyn Array, bool) {
        (self.0.array().as_ref(), self.0.is_scalar())
    }
}

/// `rows` copies of the one value in `scalar`.
pub(super) fn repeat(scalar: &ArrayRef, rows: usize) -> ArrayRef {
    if scalar.is_null(0) {
        return arrow::array::new_null_array(scalar.data_type(), rows);
    }
    let indices = arrow::array::UInt32Array::from(vec![0u32; rows]);
    arrow::compute::take(scalar.as_ref(), &indices, None).expect("take of index 0 from one row")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::Int32Array;

    use super::*;

    fn int(value: i32) -> Expr {
        Expr::literal(Arc::new(Int32Array::from(vec![value])), SqlType::Integer)
    }

    fn add(left: Expr, right: Expr) -> Expr {
        let kind = ExprKind::Arith {
            op: ArithOp::Add,
            left: Box::new(left),
            right: Box::new(right),
        };
        Expr::new(kind, SqlType::Integer)
    }

    #[test]
    fn equality_ignores_where_a_column_was_written() {
        let a = Expr::column(2, "x", Some(Pos::new(1, 8)), SqlType::Integer);
        let b = Expr::column(2, "X", Some(Pos::new(3, 1)), SqlType::Integer);
        assert_eq!(add(a.clone(), int(1)), add(b, int(1)));
        assert_ne!(add(a.clone(), int(1)), add(a, int(2)));
    }

    #[test]
    fn remaps_and_lists_columns() {
        let e = add(
            Expr::column(4, "x", None, SqlType::Integer),
            Expr::column(7, "y", None, SqlType::Integer),
        );
        let e = e.remap_columns(&|i| i - 4);
        let mut columns = Vec::new();
        e.columns(&mut columns);
        assert_eq!(columns, vec![0, 3]);
    }

    #[test]
    fn repeats_scalars() {
        let scalar: ArrayRef = Arc::new(Int32Array::from(vec![Some(5)]));
        let array = Value::Scalar(scalar).into_array(3);
        assert_eq!(
            array.as_ref(),
            &Int32Array::from(vec![5, 5, 5]) as &dyn Array
        );
        let null: ArrayRef = Arc::new(Int32Array::from(vec![None]));
        assert_eq!(repeat(&null, 2).null_count(), 2);
    }
}
