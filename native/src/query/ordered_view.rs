// SPDX-License-Identifier: Apache-2.0
//! A view that keeps its own `ORDER BY`. DataFusion inlines a view's plan into the query that
//! reads it and then drops a sort nothing above asks for, so `SELECT * FROM '/views/daily'`
//! would come out in scan order. A derived node read directly must come out as its query
//! orders it: a view whose plan ends in a sort is therefore planned on its own (filters,
//! projection and limit still pushed into it) and not inlined.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use deltalake::arrow::datatypes::SchemaRef;
use deltalake::datafusion::catalog::Session;
use deltalake::datafusion::catalog::TableProvider;
use deltalake::datafusion::common::Result as DFResult;
use deltalake::datafusion::datasource::{TableType, ViewTable};
use deltalake::datafusion::logical_expr::{Expr, LogicalPlan, TableProviderFilterPushDown};
use deltalake::datafusion::physical_plan::ExecutionPlan;

/// The provider for a view's plan: inlined when its rows have no order of their own.
pub fn view_provider(plan: LogicalPlan, sql: &str) -> Arc<dyn TableProvider> {
    let ordered = ends_in_sort(&plan);
    let view = ViewTable::new(plan, Some(sql.to_string()));
    if ordered {
        Arc::new(OrderedView(view))
    } else {
        Arc::new(view)
    }
}

/// Whether the rows `plan` produces are sorted by it: a sort at its top, below only
/// projections and aliases (a LIMIT over a sort keeps it already).
fn ends_in_sort(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Sort(_) => true,
        LogicalPlan::Projection(p) => ends_in_sort(&p.input),
        LogicalPlan::SubqueryAlias(a) => ends_in_sort(&a.input),
        _ => false,
    }
}

#[derive(Debug)]
struct OrderedView(ViewTable);

#[async_trait]
impl TableProvider for OrderedView {
    /// None: the reading query must not inline (and so re-optimise away) the sort.
    fn get_logical_plan(&'_ self) -> Option<Cow<'_, LogicalPlan>> {
        None
    }

    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    fn get_table_definition(&self) -> Option<&str> {
        self.0.get_table_definition()
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DFResult<Vec<TableProviderFilterPushDown>> {
        self.0.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        self.0.scan(state, projection, filters, limit).await
    }
}
