// SPDX-License-Identifier: Apache-2.0
//! The provider of the streamed formats (oteljson, jsonlogs, weblog, excelhtml). Each
//! stream (a host file, or a pond file's versions concatenated) is one partition, parsed
//! on a blocking thread that sends record batches through a bounded channel, so neither
//! the file nor the table is ever held whole. Planning reads each stream once for its
//! columns (weblog's are fixed and read nothing); a scan then parses it again. Filters on a
//! format's time column become bounds that the parser applies before building a row
//! (Inexact: DataFusion still filters), and EXPLAIN shows them on `FormatScanExec`.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use deltalake::arrow::datatypes::{Field, Schema, SchemaRef};
use deltalake::arrow::record_batch::RecordBatch;
use deltalake::datafusion::catalog::{Session, TableProvider};
use deltalake::datafusion::common::tree_node::TreeNodeRecursion;
use deltalake::datafusion::common::Result as DFResult;
use deltalake::datafusion::datasource::TableType;
use deltalake::datafusion::execution::{SendableRecordBatchStream, TaskContext};
use deltalake::datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use deltalake::datafusion::physical_expr::PhysicalExpr;
use deltalake::datafusion::physical_plan::metrics::MetricsSet;
use deltalake::datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use deltalake::datafusion::physical_plan::streaming::{PartitionStream, StreamingTableExec};
use deltalake::datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties,
};

use super::source::StreamInput;
use super::warnings::Warnings;
use crate::error::{Code, Error, Result};
use crate::query::bounds::{time_bounds, TimeBounds};

/// What reading a stream for its schema found.
#[derive(Debug, Clone)]
pub struct Inferred {
    pub fields: Vec<Field>,
    /// The stream's times never go backwards (oteljson then groups rows as it streams).
    pub ordered: bool,
}

/// How a scan reads one stream.
pub struct ReadPlan {
    /// The columns to build: the table's, projected (possibly none: then batches carry only
    /// a row count).
    pub schema: SchemaRef,
    /// Bounds in µs on the time column, from the query's filters.
    pub bounds: TimeBounds,
    pub batch_size: usize,
    pub ordered: bool,
}

/// A sink for batches; false when the consumer has gone (stop reading).
pub type Emit<'a> = dyn FnMut(RecordBatch) -> Result<bool> + 'a;

/// One streamed format: how to learn a stream's columns and how to parse it.
pub trait Reader: Send + Sync + fmt::Debug + 'static {
    fn name(&self) -> &'static str;

    /// The column time filters are pushed down to, if any.
    fn time_column(&self) -> Option<&'static str> {
        None
    }

    fn infer(&self, input: &StreamInput) -> Result<Inferred>;

    /// The table's schema over every stream's columns: by default their union by name, in
    /// the order first seen.
    fn merge(&self, streams: &[Inferred]) -> Schema {
        let mut fields: Vec<Field> = Vec::new();
        for f in streams.iter().flat_map(|s| &s.fields) {
            if !fields.iter().any(|g| g.name() == f.name()) {
                fields.push(f.clone());
            }
        }
        Schema::new(fields)
    }

    /// Parse a stream into batches of `plan.schema`; returns its warnings.
    fn read(&self, input: &StreamInput, plan: &ReadPlan, emit: &mut Emit) -> Result<Vec<String>>;
}

struct Stream {
    input: StreamInput,
    ordered: bool,
}

/// The table of one format spec.
pub struct StreamedTable {
    label: String,
    reader: Arc<dyn Reader>,
    schema: SchemaRef,
    streams: Vec<Arc<Stream>>,
}

impl fmt::Debug for StreamedTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamedTable({})", self.label)
    }
}

impl StreamedTable {
    pub async fn try_new(
        label: &str,
        reader: Arc<dyn Reader>,
        inputs: Vec<StreamInput>,
    ) -> Result<StreamedTable> {
        if inputs.is_empty() {
            return Err(Error::new(Code::NotFound, "no files to read"));
        }
        let infer = reader.clone();
        let (inferred, inputs) = tokio::task::spawn_blocking(move || {
            let found = inputs
                .iter()
                .map(|i| infer.infer(i))
                .collect::<Result<Vec<_>>>()?;
            Ok::<_, Error>((found, inputs))
        })
        .await
        .map_err(|e| Error::new(Code::Internal, e.to_string()))??;
        let schema = Arc::new(reader.merge(&inferred));
        let streams = inputs
            .into_iter()
            .zip(&inferred)
            .map(|(input, found)| {
                Arc::new(Stream {
                    input,
                    ordered: found.ordered,
                })
            })
            .collect();
        Ok(StreamedTable {
            label: label.to_string(),
            reader,
            schema,
            streams,
        })
    }
}

#[async_trait]
impl TableProvider for StreamedTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DFResult<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let bounds = match self.reader.time_column() {
            Some(column) if self.schema.field_with_name(column).is_ok() => {
                time_bounds(filters, column)
            }
            _ => TimeBounds::default(),
        };
        let batch_size = state.config().batch_size();
        // Readers build only the projected columns.
        let schema = match projection {
            Some(columns) => Arc::new(self.schema.project(columns)?),
            None => self.schema.clone(),
        };
        let partitions: Vec<Arc<dyn PartitionStream>> = self
            .streams
            .iter()
            .map(|s| {
                Arc::new(Partition {
                    reader: self.reader.clone(),
                    stream: s.clone(),
                    schema: schema.clone(),
                    bounds,
                    batch_size,
                }) as Arc<dyn PartitionStream>
            })
            .collect();
        let inner = StreamingTableExec::try_new(schema, partitions, None, [], false, limit)?;
        Ok(Arc::new(FormatScanExec {
            inner: Arc::new(inner),
            format: self.reader.name(),
            label: self.label.clone(),
            streams: self.streams.len(),
            bounds,
        }))
    }
}

/// One stream as a partition of the scan.
struct Partition {
    reader: Arc<dyn Reader>,
    stream: Arc<Stream>,
    schema: SchemaRef,
    bounds: TimeBounds,
    batch_size: usize,
}

impl fmt::Debug for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.stream.input.label)
    }
}

impl PartitionStream for Partition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let (tx, rx) = tokio::sync::mpsc::channel::<DFResult<RecordBatch>>(2);
        let warnings = Warnings::of(ctx.session_config());
        let reader = self.reader.clone();
        let stream = self.stream.clone();
        let plan = ReadPlan {
            schema: self.schema.clone(),
            bounds: self.bounds,
            batch_size: self.batch_size.max(1),
            ordered: stream.ordered,
        };
        let work = move || {
            let mut emit = |batch: RecordBatch| Ok(tx.blocking_send(Ok(batch)).is_ok());
            // A panic must fail the query, not end the stream early as if it were complete.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                reader.read(&stream.input, &plan, &mut emit)
            }))
            .unwrap_or_else(|_| {
                Err(Error::new(
                    Code::Internal,
                    format!(
                        "{}: the {} reader panicked",
                        stream.input.label,
                        reader.name()
                    ),
                ))
            });
            match read {
                // Added before the channel closes, so they are in by the stream's end.
                Ok(found) => {
                    if let Some(w) = warnings {
                        w.add(found);
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e.into()));
                }
            }
            drop(tx);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(work)),
            Err(_) => drop(std::thread::spawn(work)),
        }
        let batches = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|batch| (batch, rx))
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), batches))
    }
}

/// The scan of a streamed format, shown in EXPLAIN with its bounds.
#[derive(Debug)]
struct FormatScanExec {
    inner: Arc<dyn ExecutionPlan>,
    format: &'static str,
    label: String,
    streams: usize,
    bounds: TimeBounds,
}

impl DisplayAs for FormatScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "FormatScanExec: format={} source={} streams={}",
            self.format, self.label, self.streams
        )?;
        if !self.bounds.is_open() {
            let show = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
            write!(
                f,
                " time_us=[{}, {}]",
                show(self.bounds.lo),
                show(self.bounds.hi)
            )?;
        }
        Ok(())
    }
}

impl ExecutionPlan for FormatScanExec {
    fn name(&self) -> &'static str {
        "FormatScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.inner.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        self.inner.execute(partition, context)
    }

    fn metrics(&self) -> Option<MetricsSet> {
        self.inner.metrics()
    }
}
