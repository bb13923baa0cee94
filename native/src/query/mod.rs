// SPDX-License-Identifier: Apache-2.0
//! SQL over pond data with DataFusion. TS asks for a statement's table references, resolves
//! each to a [`spec::TableSpec`], and sends the specs back with the SQL; the engine builds
//! providers, plans, and streams encoded results batch by batch.

pub mod bounds;
pub mod formats;
pub mod limits;
mod ordered_view;
pub mod output;
pub mod parquet;
pub mod spec;
pub mod unify;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deltalake::arrow::array::{Array, Int64Array};
use deltalake::arrow::compute::{cast, max, min};
use deltalake::arrow::datatypes::{DataType, Schema, TimeUnit};
use deltalake::datafusion::catalog::TableProvider;
use deltalake::datafusion::common::TableReference;
use deltalake::datafusion::datasource::empty::EmptyTable;
use deltalake::datafusion::execution::runtime_env::RuntimeEnv;
use deltalake::datafusion::execution::SendableRecordBatchStream;
use deltalake::datafusion::physical_plan::displayable;
use deltalake::datafusion::prelude::{DataFrame, SQLOptions, SessionConfig, SessionContext};
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::arrow::ProjectionMask;
use futures::future::BoxFuture;
use futures::{FutureExt, TryStreamExt};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::error::{guard, Code, Error, Result};
use output::{Encoder, OutputFormat};
use parquet::{FooterCache, ParquetTable};
use spec::TableSpec;

/// Stack of the thread that parses statements for [`NativeEngine::table_references`].
const PARSE_STACK: usize = 256 * 1024 * 1024;

struct Engine {
    runtime: Arc<RuntimeEnv>,
    footers: FooterCache,
}

/// Query options.
#[napi(object)]
pub struct QueryOptions {
    /// `ipc` (default), `csv`, `json` (lines), `parquet` or `table`.
    pub format: Option<String>,
    /// Parallelism of the plan (default: the number of cores).
    pub target_partitions: Option<u32>,
    /// With `parquet`: the most rows per row group.
    pub row_group_rows: Option<u32>,
    /// Check pond content against its recorded hash before scanning it (default true).
    pub verify: Option<bool>,
    /// Cancel the statement (planning and every later `next()`) after this many ms.
    pub timeout_ms: Option<u32>,
}

/// A table reference found in a statement.
#[napi(object)]
pub struct TableRef {
    /// The reference as written, resolved (`schema.table` or `table`).
    pub text: String,
    /// The table part: the name the spec must be registered under.
    pub table: String,
    pub schema: Option<String>,
}

/// One column of a Parquet file.
#[napi(object)]
pub struct ColumnInfo {
    pub name: String,
    /// Arrow type name as DataFusion prints it, e.g. `Timestamp(Millisecond, Some("UTC"))`.
    pub data_type: String,
    pub nullable: bool,
    /// True for timestamp and Int64 columns (event-time candidates).
    pub time_like: bool,
}

/// What a Parquet file holds, and the event-time range of one of its columns.
#[napi(object)]
pub struct ParquetInfo {
    pub columns: Vec<ColumnInfo>,
    pub num_rows: i64,
    pub num_row_groups: u32,
    pub size: i64,
    /// The requested time column, when it exists and is time-like.
    pub time_column: Option<String>,
    /// Its min and max, µs since the epoch (null for an empty file).
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
}

fn is_time_like(dt: &DataType) -> bool {
    matches!(dt, DataType::Timestamp(_, _) | DataType::Int64)
}

impl Engine {
    fn session(&self, options: &QueryOptions) -> SessionContext {
        let mut config = SessionConfig::new().with_information_schema(true);
        if let Some(n) = options.target_partitions {
            config = config.with_target_partitions(n.max(1) as usize);
        }
        SessionContext::new_with_config_rt(config, self.runtime.clone())
    }

    fn provider<'a>(
        &'a self,
        ctx: &'a SessionContext,
        spec: TableSpec,
        verify: bool,
    ) -> BoxFuture<'a, Result<Arc<dyn TableProvider>>> {
        async move {
            let label = spec.label().to_string();
            let provider: Arc<dyn TableProvider> = match spec {
                TableSpec::Parquet {
                    files, time_column, ..
                } => Arc::new(
                    ParquetTable::try_new(&label, &files, time_column, &self.footers, verify)
                        .await?,
                ),
                TableSpec::Empty { .. } => Arc::new(EmptyTable::new(Arc::new(Schema::empty()))),
                TableSpec::Union { mut inputs, .. } => match inputs.len() {
                    0 => Arc::new(EmptyTable::new(Arc::new(Schema::empty()))),
                    1 => self.provider(ctx, inputs.remove(0), verify).await?,
                    _ => {
                        let names: Vec<String> =
                            (0..inputs.len()).map(|i| format!("__union_{i}")).collect();
                        let sql = names
                            .iter()
                            .map(|n| format!("SELECT * FROM \"{n}\""))
                            .collect::<Vec<_>>()
                            .join(" UNION ALL BY NAME ");
                        let tables = names.into_iter().zip(inputs).collect();
                        self.view(ctx, &sql, tables, verify).await?
                    }
                },
                TableSpec::View { sql, tables, .. } => self.view(ctx, &sql, tables, verify).await?,
                TableSpec::Format {
                    format,
                    compression,
                    options,
                    files,
                    ..
                } => {
                    let file_format =
                        formats::file_format(&format, compression.as_deref(), &options)?;
                    formats::listing_table(ctx, file_format, &files).await?
                }
            };
            Ok(provider)
        }
        .boxed()
    }

    /// A view: `sql` planned in its own scope, where only `tables` are visible.
    async fn view(
        &self,
        outer: &SessionContext,
        sql: &str,
        tables: BTreeMap<String, TableSpec>,
        verify: bool,
    ) -> Result<Arc<dyn TableProvider>> {
        let inner = SessionContext::new_with_config_rt(outer.copied_config(), self.runtime.clone());
        self.register(&inner, tables, verify).await?;
        let plan = plan_sql(&inner, sql).await?.into_unoptimized_plan();
        Ok(ordered_view::view_provider(plan, sql))
    }

    async fn register(
        &self,
        ctx: &SessionContext,
        tables: BTreeMap<String, TableSpec>,
        verify: bool,
    ) -> Result<()> {
        for (name, spec) in tables {
            let label = spec.label().to_string();
            let provider = self
                .provider(ctx, spec, verify)
                .await
                .map_err(|e| e.context(format!("reading {label}")))?;
            ctx.register_table(TableReference::bare(name), provider)?;
        }
        Ok(())
    }

    async fn prepare(&self, specs_json: &str, options: &QueryOptions) -> Result<SessionContext> {
        let tables: BTreeMap<String, TableSpec> = serde_json::from_str(specs_json)
            .map_err(|e| Error::new(Code::Internal, format!("bad table specs: {e}")))?;
        let ctx = self.session(options);
        self.register(&ctx, tables, options.verify.unwrap_or(true))
            .await?;
        Ok(ctx)
    }
}

/// Parse, check against [`limits`], and plan a read-only statement.
async fn plan_sql(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    limits::check_text(sql)?;
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(sql, &dialect)?;
    limits::check_statement(&statement)?;
    let plan = state.statement_to_plan(statement).await?;
    read_only().verify_plan(&plan)?;
    Ok(ctx.execute_logical_plan(plan).await?)
}

/// A statement's deadline, from `timeout_ms`.
fn deadline(options: &QueryOptions) -> Option<Instant> {
    options
        .timeout_ms
        .map(|ms| Instant::now() + Duration::from_millis(ms as u64))
}

/// Run `fut` until `deadline`; past it, fail with TIMEOUT (dropping `fut` cancels it).
async fn until<T>(deadline: Option<Instant>, fut: impl Future<Output = Result<T>>) -> Result<T> {
    let Some(at) = deadline else { return fut.await };
    match tokio::time::timeout_at(at.into(), fut).await {
        Ok(result) => result,
        Err(_) => Err(Error::new(
            Code::Timeout,
            "statement cancelled: it ran past its timeout",
        )),
    }
}

fn read_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

/// The query engine: one per process, sharing the runtime and a cache of Parquet footers.
#[napi]
pub struct NativeEngine {
    inner: Arc<Engine>,
}

impl Default for NativeEngine {
    fn default() -> Self {
        NativeEngine {
            inner: Arc::new(Engine {
                runtime: Arc::new(RuntimeEnv::default()),
                footers: FooterCache::default(),
            }),
        }
    }
}

#[napi]
impl NativeEngine {
    #[napi(constructor)]
    pub fn new() -> Self {
        NativeEngine::default()
    }

    /// The tables a statement reads (CTE names excluded), in order of appearance.
    #[napi]
    pub fn table_references(&self, sql: String) -> napi::Result<Vec<TableRef>> {
        let run = move || -> Result<Vec<TableRef>> {
            limits::check_text(&sql)?;
            let state = SessionContext::new().state();
            let statement = state.sql_to_statement(&sql, &Default::default())?;
            limits::check_statement(&statement)?;
            let refs = state.resolve_table_references(&statement)?;
            Ok(refs
                .into_iter()
                .map(|r| TableRef {
                    text: r.to_string(),
                    table: r.table().to_string(),
                    schema: r.schema().map(String::from),
                })
                .collect())
        };
        // Parsing (and dropping) a deep statement recurses: give it a stack of its own
        // rather than the JS thread's.
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn(run)
            .map_err(|e| Error::new(Code::Internal, format!("cannot start parser thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(Error::new(Code::Internal, "the SQL parser panicked")))
            .map_err(napi::Error::from)
    }

    /// Plan and start a query; results come from the returned stream in `options.format`.
    #[napi]
    pub async fn query(
        &self,
        sql: String,
        specs_json: String,
        options: QueryOptions,
    ) -> napi::Result<NativeBatchStream> {
        let engine = self.inner.clone();
        guard(async move {
            let format = OutputFormat::parse(options.format.as_deref().unwrap_or("ipc"))?;
            let deadline = deadline(&options);
            let stream = until(deadline, async {
                let ctx = engine.prepare(&specs_json, &options).await?;
                let df = plan_sql(&ctx, &sql).await?;
                Ok(df.execute_stream().await?)
            })
            .await?;
            let encoder = Encoder::new(
                format,
                stream.schema(),
                options.row_group_rows.map(|n| n as usize),
            )?;
            Ok(NativeBatchStream {
                state: Mutex::new(StreamState {
                    stream: Some(stream),
                    encoder,
                    deadline,
                }),
            })
        })
        .await
    }

    /// The physical plan of a query, as text, without running it.
    #[napi]
    pub async fn explain(
        &self,
        sql: String,
        specs_json: String,
        options: QueryOptions,
    ) -> napi::Result<String> {
        let engine = self.inner.clone();
        guard(async move {
            let ctx = engine.prepare(&specs_json, &options).await?;
            let df = plan_sql(&ctx, &sql).await?;
            let schema = df.schema().as_arrow().clone();
            let plan = df.create_physical_plan().await?;
            let mut out = String::from("Schema:\n");
            for field in schema.fields() {
                out.push_str(&format!("  {}: {:?}\n", field.name(), field.data_type()));
            }
            out.push_str("Plan:\n");
            out.push_str(&displayable(plan.as_ref()).indent(true).to_string());
            Ok(out)
        })
        .await
    }

    /// Inspect a Parquet file: columns, rows, row groups, and the min/max of `time_column`.
    #[napi]
    pub async fn parquet_info(
        &self,
        path: String,
        time_column: Option<String>,
    ) -> napi::Result<ParquetInfo> {
        let engine = self.inner.clone();
        guard(async move {
            let footer = engine.footers.get(&path).await?;
            let columns = footer
                .schema
                .fields()
                .iter()
                .map(|f| ColumnInfo {
                    name: f.name().clone(),
                    data_type: format!("{:?}", f.data_type()),
                    nullable: f.is_nullable(),
                    time_like: is_time_like(f.data_type()),
                })
                .collect();
            let column = time_column.filter(|c| {
                footer
                    .schema
                    .field_with_name(c)
                    .map(|f| is_time_like(f.data_type()))
                    .unwrap_or(false)
            });
            let (min_time, max_time) = match &column {
                Some(c) => time_range(&path, c).await?,
                None => (None, None),
            };
            Ok(ParquetInfo {
                columns,
                num_rows: footer.metadata.file_metadata().num_rows(),
                num_row_groups: footer.metadata.num_row_groups() as u32,
                size: footer.size as i64,
                time_column: column,
                min_time,
                max_time,
            })
        })
        .await
    }

    /// Check a new version of the series `label` (Parquet at `new_path`) against its
    /// existing versions: SCHEMA_MISMATCH when the series could not read it back.
    #[napi]
    pub async fn check_series_version(
        &self,
        label: String,
        existing: Vec<String>,
        new_path: String,
    ) -> napi::Result<()> {
        let engine = self.inner.clone();
        guard(async move {
            let mut schemas = Vec::with_capacity(existing.len());
            for path in &existing {
                schemas.push(engine.footers.get(path).await?.schema);
            }
            let new = engine.footers.get(&new_path).await?.schema;
            unify::check_new_version(&label, &schemas.iter().collect::<Vec<_>>(), &new)
        })
        .await
    }
}

/// Min and max of a time-like column, in µs (Int64 columns are taken as µs already).
async fn time_range(path: &str, column: &str) -> Result<(Option<i64>, Option<i64>)> {
    let path = path.to_string();
    let column = column.to_string();
    tokio::task::spawn_blocking(move || -> Result<(Option<i64>, Option<i64>)> {
        let file = std::fs::File::open(&path)?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), [column.as_str()]);
        let reader = builder.with_projection(mask).build()?;
        let (mut lo, mut hi): (Option<i64>, Option<i64>) = (None, None);
        for batch in reader {
            let batch = batch?;
            let col = batch.column(0);
            let as_micros = match col.data_type() {
                DataType::Timestamp(_, tz) => {
                    cast(col, &DataType::Timestamp(TimeUnit::Microsecond, tz.clone()))?
                }
                _ => col.clone(),
            };
            let values = cast(&as_micros, &DataType::Int64)?;
            let values = values
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or_else(|| Error::new(Code::Internal, "time column did not cast to Int64"))?;
            if values.null_count() == values.len() {
                continue;
            }
            if let Some(v) = min(values) {
                lo = Some(lo.map_or(v, |lo| lo.min(v)));
            }
            if let Some(v) = max(values) {
                hi = Some(hi.map_or(v, |hi| hi.max(v)));
            }
        }
        Ok((lo, hi))
    })
    .await
    .map_err(|e| Error::new(Code::Internal, e.to_string()))?
}

struct StreamState {
    stream: Option<SendableRecordBatchStream>,
    encoder: Encoder,
    deadline: Option<Instant>,
}

/// Results of a query, pulled chunk by chunk so a large result never sits in memory.
#[napi]
pub struct NativeBatchStream {
    state: Mutex<StreamState>,
}

#[napi]
impl NativeBatchStream {
    /// The next encoded chunk, or null when the result is complete.
    #[napi]
    pub async fn next(&self) -> napi::Result<Option<Buffer>> {
        guard(async {
            let mut state = self.state.lock().await;
            loop {
                let deadline = state.deadline;
                let Some(stream) = state.stream.as_mut() else {
                    return Ok(None);
                };
                let next = until(deadline, async { Ok(stream.try_next().await?) }).await;
                let next = match next {
                    Ok(next) => next,
                    Err(e) => {
                        // Dropping the stream stops the plan's tasks.
                        state.stream = None;
                        return Err(e);
                    }
                };
                match next {
                    Some(batch) => {
                        let bytes = state.encoder.push(&batch)?;
                        if !bytes.is_empty() {
                            return Ok(Some(bytes.into()));
                        }
                    }
                    None => {
                        state.stream = None;
                        let bytes = state.encoder.finish()?;
                        return Ok((!bytes.is_empty()).then(|| bytes.into()));
                    }
                }
            }
        })
        .await
    }
}
