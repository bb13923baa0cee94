// SPDX-License-Identifier: Apache-2.0
//! SQL over pond data with DataFusion. TS asks for a statement's table references, resolves
//! each to a [`spec::TableSpec`], and sends the specs back with the SQL; the engine builds
//! providers, plans, and streams encoded results batch by batch.

pub mod bounds;
pub mod formats;
mod ingest;
pub mod limits;
mod ordered_view;
pub mod output;
pub mod parquet;
pub mod spec;
mod stream;
pub mod unify;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deltalake::arrow::datatypes::Schema;
use deltalake::datafusion::catalog::TableProvider;
use deltalake::datafusion::common::TableReference;
use deltalake::datafusion::datasource::empty::EmptyTable;
use deltalake::datafusion::execution::runtime_env::RuntimeEnv;
use deltalake::datafusion::physical_plan::displayable;
use deltalake::datafusion::prelude::{DataFrame, SQLOptions, SessionConfig, SessionContext};
use futures::future::BoxFuture;
use futures::FutureExt;
use napi_derive::napi;

use crate::error::{guard, guard_sync, Code, Error, Result};
use formats::warnings::Warnings;
use output::{Encoder, OutputFormat};
use parquet::{FooterCache, ParquetTable};
use spec::TableSpec;

pub use stream::NativeBatchStream;

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

impl Engine {
    fn session(&self, options: &QueryOptions) -> SessionContext {
        let mut config = SessionConfig::new()
            .with_information_schema(true)
            .with_extension(Arc::new(Warnings::default()));
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
                    files,
                    time_column,
                    warnings,
                    ..
                } => {
                    if let Some(collector) = Warnings::of(&ctx.copied_config()) {
                        collector.add(warnings);
                    }
                    Arc::new(
                        ParquetTable::try_new(&label, &files, time_column, &self.footers, verify)
                            .await?,
                    )
                }
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
                    concatenate,
                    ..
                } => {
                    let read = formats::FormatRead {
                        label: &label,
                        format: &format,
                        compression: compression.as_deref(),
                        options: &options,
                        files: &files,
                        concatenate,
                    };
                    formats::provider(ctx, read).await?
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
    pub fn new() -> napi::Result<Self> {
        guard_sync(|| Ok(NativeEngine::default()))
    }

    /// The tables a statement reads (CTE names excluded), in order of appearance.
    #[napi]
    pub fn table_references(&self, sql: String) -> napi::Result<Vec<TableRef>> {
        guard_sync(|| table_references(sql))
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
                let warnings = Warnings::of(ctx.state().config()).unwrap_or_default();
                let df = plan_sql(&ctx, &sql).await?;
                Ok((df.execute_stream().await?, warnings))
            })
            .await?;
            let (stream, warnings) = stream;
            let encoder = Encoder::new(
                format,
                stream.schema(),
                options.row_group_rows.map(|n| n as usize),
            )?;
            Ok(NativeBatchStream::new(stream, encoder, deadline, warnings))
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
}

/// The tables `sql` reads, parsed on a thread of its own.
fn table_references(sql: String) -> Result<Vec<TableRef>> {
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
}
