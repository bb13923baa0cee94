// SPDX-License-Identifier: Apache-2.0
//! Limits on what a statement may ask of the planner, checked on the parsed statement before
//! DataFusion plans it. The parser already bounds nesting of parentheses and subqueries, but
//! a flat chain such as `1 + 1 + ... + 1` parses without recursion into a tree as deep as it
//! is long, and every later pass over that tree recurses; and a SELECT joining dozens of
//! tables can keep the optimiser busy for minutes. Both are refused with a clean SQL error.

use std::ops::ControlFlow;

use deltalake::datafusion::sql::parser::Statement as DFStatement;
use deltalake::datafusion::sql::sqlparser::ast::{Expr, Select, Visit, Visitor};

use crate::error::{Code, Error, Result};

/// Longest statement text accepted.
pub const MAX_SQL_BYTES: usize = 1 << 20;
/// Deepest nesting of expressions (a chain of N binary operators nests N deep).
pub const MAX_EXPR_DEPTH: usize = 512;
/// Most tables one SELECT joins (its FROM list and JOIN clauses). Unions of many inputs are
/// not limited: they plan in linear time.
pub const MAX_JOINED_TABLES: usize = 32;

#[derive(Default)]
struct Measure {
    depth: usize,
}

enum Exceeded {
    Depth,
    Tables,
}

impl Visitor for Measure {
    type Break = Exceeded;

    fn pre_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<Exceeded> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return ControlFlow::Break(Exceeded::Depth);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<Exceeded> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Exceeded> {
        let joined: usize = select.from.iter().map(|t| 1 + t.joins.len()).sum();
        if joined > MAX_JOINED_TABLES {
            return ControlFlow::Break(Exceeded::Tables);
        }
        ControlFlow::Continue(())
    }
}

/// Refuse text too long to parse safely (checked before parsing).
pub fn check_text(sql: &str) -> Result<()> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(Error::new(
            Code::Sql,
            format!(
                "statement is {} bytes; the limit is {MAX_SQL_BYTES}",
                sql.len()
            ),
        ));
    }
    Ok(())
}

/// Refuse a parsed statement that nests too deep or reads too many tables.
pub fn check_statement(statement: &DFStatement) -> Result<()> {
    let mut measure = Measure::default();
    let outcome = match statement {
        DFStatement::Statement(s) => s.visit(&mut measure),
        DFStatement::Explain(e) => match e.statement.as_ref() {
            DFStatement::Statement(s) => s.visit(&mut measure),
            _ => ControlFlow::Continue(()),
        },
        _ => ControlFlow::Continue(()),
    };
    match outcome {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(Exceeded::Depth) => Err(Error::new(
            Code::Sql,
            format!("expression nests deeper than {MAX_EXPR_DEPTH} levels"),
        )),
        ControlFlow::Break(Exceeded::Tables) => Err(Error::new(
            Code::Sql,
            format!("a SELECT joins more than {MAX_JOINED_TABLES} tables"),
        )),
    }
}
