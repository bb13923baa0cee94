// SPDX-License-Identifier: Apache-2.0
//! Event-time bounds from SQL filters: which `[lo, hi]` (µs, inclusive) a conjunction of
//! filters confines the time column to. Pure functions of the expressions, so a series can
//! skip whole versions whose recorded min/max event time falls outside.

use deltalake::datafusion::common::ScalarValue;
use deltalake::datafusion::logical_expr::{BinaryExpr, Expr, Operator};

/// An inclusive range of µs; `None` ends are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeBounds {
    pub lo: Option<i64>,
    pub hi: Option<i64>,
}

impl TimeBounds {
    fn raise_lo(&mut self, v: i64) {
        self.lo = Some(self.lo.map_or(v, |lo| lo.max(v)));
    }
    fn lower_hi(&mut self, v: i64) {
        self.hi = Some(self.hi.map_or(v, |hi| hi.min(v)));
    }

    /// Whether a file with event times in `[min, max]` may hold matching rows.
    pub fn overlaps(&self, min: Option<i64>, max: Option<i64>) -> bool {
        let below = matches!((max, self.lo), (Some(max), Some(lo)) if max < lo);
        let above = matches!((min, self.hi), (Some(min), Some(hi)) if min > hi);
        !(below || above)
    }

    pub fn is_open(&self) -> bool {
        self.lo.is_none() && self.hi.is_none()
    }
}

/// A literal as µs since the epoch, if it is a time-like scalar.
pub fn scalar_to_micros(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1_000_000),
        ScalarValue::TimestampMillisecond(Some(v), _) => v.checked_mul(1_000),
        ScalarValue::TimestampMicrosecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(v.div_euclid(1_000)),
        ScalarValue::Date32(Some(d)) => (*d as i64).checked_mul(86_400_000_000),
        ScalarValue::Date64(Some(ms)) => ms.checked_mul(1_000),
        ScalarValue::Int64(Some(v)) => Some(*v),
        _ => None,
    }
}

fn is_column(expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Column(c) => c.name == name,
        Expr::Cast(c) => is_column(&c.expr, name),
        Expr::TryCast(c) => is_column(&c.expr, name),
        _ => false,
    }
}

fn literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Literal(v, _) => scalar_to_micros(v),
        Expr::Cast(c) => literal(&c.expr),
        _ => None,
    }
}

fn flip(op: Operator) -> Option<Operator> {
    Some(match op {
        Operator::Lt => Operator::Gt,
        Operator::LtEq => Operator::GtEq,
        Operator::Gt => Operator::Lt,
        Operator::GtEq => Operator::LtEq,
        Operator::Eq => Operator::Eq,
        _ => return None,
    })
}

fn visit(expr: &Expr, column: &str, bounds: &mut TimeBounds) {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            if *op == Operator::And {
                visit(left, column, bounds);
                visit(right, column, bounds);
                return;
            }
            let (op, value) = if is_column(left, column) {
                (Some(*op), literal(right))
            } else if is_column(right, column) {
                (flip(*op), literal(left))
            } else {
                return;
            };
            let (Some(op), Some(v)) = (op, value) else {
                return;
            };
            match op {
                Operator::Gt => bounds.raise_lo(v.saturating_add(1)),
                Operator::GtEq => bounds.raise_lo(v),
                Operator::Lt => bounds.lower_hi(v.saturating_sub(1)),
                Operator::LtEq => bounds.lower_hi(v),
                Operator::Eq => {
                    bounds.raise_lo(v);
                    bounds.lower_hi(v);
                }
                _ => {}
            }
        }
        Expr::Between(b) if !b.negated && is_column(&b.expr, column) => {
            if let Some(lo) = literal(&b.low) {
                bounds.raise_lo(lo);
            }
            if let Some(hi) = literal(&b.high) {
                bounds.lower_hi(hi);
            }
        }
        _ => {}
    }
}

/// The bounds all `filters` (a conjunction) place on `column`.
pub fn time_bounds(filters: &[Expr], column: &str) -> TimeBounds {
    let mut bounds = TimeBounds::default();
    for f in filters {
        visit(f, column, &mut bounds);
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::datafusion::logical_expr::{col, lit};

    fn ts(v: i64) -> Expr {
        lit(ScalarValue::TimestampMillisecond(
            Some(v),
            Some("UTC".into()),
        ))
    }

    #[test]
    fn both_bounds_from_a_conjunction() {
        let f = col("t").gt_eq(ts(1_000)).and(col("t").lt(ts(2_000)));
        assert_eq!(
            time_bounds(&[f], "t"),
            TimeBounds {
                lo: Some(1_000_000),
                hi: Some(1_999_999)
            }
        );
    }

    #[test]
    fn between_equality_and_flipped_sides() {
        let b = col("t").between(ts(5), ts(9));
        assert_eq!(
            time_bounds(&[b], "t"),
            TimeBounds {
                lo: Some(5_000),
                hi: Some(9_000)
            }
        );
        let e = ts(7).lt_eq(col("t"));
        assert_eq!(
            time_bounds(&[e], "t"),
            TimeBounds {
                lo: Some(7_000),
                hi: None
            }
        );
        let eq = col("t").eq(ts(3));
        assert_eq!(
            time_bounds(&[eq], "t"),
            TimeBounds {
                lo: Some(3_000),
                hi: Some(3_000)
            }
        );
    }

    #[test]
    fn ignores_other_columns_and_disjunctions() {
        let f = col("x").gt(lit(3i64)).or(col("t").gt(ts(1)));
        assert!(time_bounds(&[f], "t").is_open());
    }

    #[test]
    fn overlap_rules() {
        let b = TimeBounds {
            lo: Some(10),
            hi: Some(20),
        };
        assert!(b.overlaps(Some(5), Some(10)));
        assert!(!b.overlaps(Some(0), Some(9)));
        assert!(!b.overlaps(Some(21), Some(30)));
        assert!(b.overlaps(None, None));
    }
}
