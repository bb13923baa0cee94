// SPDX-License-Identifier: Apache-2.0
//! The provider for pond tables and series: a set of Parquet files (one per version), each
//! with optional event-time bounds. A scan first skips versions whose bounds miss the time
//! filter, then prunes row groups by statistics with the same predicate (at planning time,
//! so EXPLAIN can say how many were skipped), then hands the survivors to DataFusion's
//! Parquet scan with the predicate for page-index pruning. Projection and LIMIT pass through.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use deltalake::arrow::datatypes::SchemaRef;
use deltalake::datafusion::catalog::Session;
use deltalake::datafusion::catalog::TableProvider;
use deltalake::datafusion::common::tree_node::TreeNodeRecursion;
use deltalake::datafusion::common::{DFSchema, Result as DFResult};
use deltalake::datafusion::datasource::listing::PartitionedFile;
use deltalake::datafusion::datasource::physical_plan::parquet::{
    CachedParquetFileReaderFactory, ParquetAccessPlan, ParquetFileMetrics, RowGroupAccessPlanFilter,
};
use deltalake::datafusion::datasource::physical_plan::{
    FileGroup, FileScanConfigBuilder, ParquetSource,
};
use deltalake::datafusion::datasource::source::DataSourceExec;
use deltalake::datafusion::datasource::TableType;
use deltalake::datafusion::execution::object_store::ObjectStoreUrl;
use deltalake::datafusion::execution::{SendableRecordBatchStream, TaskContext};
use deltalake::datafusion::logical_expr::utils::conjunction;
use deltalake::datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use deltalake::datafusion::physical_expr::PhysicalExpr;
use deltalake::datafusion::physical_optimizer::pruning::{
    PruningPredicate, PruningPredicateBuilder,
};
use deltalake::datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricsSet};
use deltalake::datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties,
};
use deltalake::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use deltalake::parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};

use super::bounds::{time_bounds, TimeBounds};
use super::spec::ParquetFile;
use super::unify::merge_schemas;
use crate::error::{lock, Code, Error, Result};

/// A Parquet file's footer, read once per process and kept.
#[derive(Clone)]
pub struct Footer {
    pub schema: SchemaRef,
    pub metadata: Arc<ParquetMetaData>,
    pub size: u64,
}

/// Footers by path (content files are immutable: their names are their hashes).
#[derive(Default)]
pub struct FooterCache {
    footers: Mutex<HashMap<String, Footer>>,
}

impl FooterCache {
    pub async fn get(&self, path: &str) -> Result<Footer> {
        if let Some(f) = lock(&self.footers, "footer cache")?.get(path) {
            return Ok(f.clone());
        }
        let owned = path.to_string();
        let footer = tokio::task::spawn_blocking(move || -> Result<Footer> {
            let file = std::fs::File::open(&owned)
                .map_err(|e| Error::from(e).context(format!("cannot open {owned}")))?;
            let size = file.metadata()?.len();
            let meta = ArrowReaderMetadata::load(
                &file,
                ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional),
            )
            .map_err(|e| {
                Error::new(
                    Code::InvalidData,
                    format!("{owned}: not a valid parquet file: {e}"),
                )
            })?;
            Ok(Footer {
                schema: meta.schema().clone(),
                metadata: meta.metadata().clone(),
                size,
            })
        })
        .await
        .map_err(|e| Error::new(Code::Internal, e.to_string()))??;
        lock(&self.footers, "footer cache")?.insert(path.to_string(), footer.clone());
        Ok(footer)
    }
}

/// Check pond content before a scan range-reads it: every file that names its hash, in one
/// blocking task (stat and stamp reads, and hashing a changed file, are blocking I/O).
async fn verify_contents(files: &[ParquetFile]) -> Result<()> {
    let checks: Vec<(std::path::PathBuf, String, Option<u64>)> = files
        .iter()
        .filter_map(|f| Some((f.path.clone().into(), f.blake3.clone()?, f.size)))
        .collect();
    if checks.is_empty() {
        return Ok(());
    }
    tokio::task::spawn_blocking(move || {
        checks
            .iter()
            .try_for_each(|(path, hash, size)| crate::verify::ensure(path, hash, *size))
    })
    .await
    .map_err(|e| Error::new(Code::Internal, e.to_string()))?
}

struct Version {
    path: String,
    footer: Footer,
    min_time: Option<i64>,
    max_time: Option<i64>,
}

#[derive(Debug)]
pub struct ParquetTable {
    label: String,
    schema: SchemaRef,
    time_column: Option<String>,
    versions: Vec<Arc<VersionHandle>>,
}

/// `Debug` for versions without dumping footers.
pub struct VersionHandle(Version);

impl fmt::Debug for VersionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.path)
    }
}

impl ParquetTable {
    pub async fn try_new(
        label: &str,
        files: &[ParquetFile],
        time_column: Option<String>,
        footers: &FooterCache,
        verify: bool,
    ) -> Result<ParquetTable> {
        if verify {
            verify_contents(files).await?;
        }
        let mut versions = Vec::with_capacity(files.len());
        for file in files {
            let footer = footers.get(&file.path).await?;
            versions.push(Arc::new(VersionHandle(Version {
                path: file.path.clone(),
                footer,
                min_time: file.min_time,
                max_time: file.max_time,
            })));
        }
        let schema = merge_schemas(versions.iter().map(|v| &v.0.footer.schema));
        let time_column = time_column.filter(|c| schema.field_with_name(c).is_ok());
        Ok(ParquetTable {
            label: label.to_string(),
            schema,
            time_column,
            versions,
        })
    }
}

/// What a scan skipped, shown by EXPLAIN.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub label: String,
    pub versions: usize,
    pub versions_skipped: usize,
    pub row_groups: usize,
    pub row_groups_pruned: usize,
    pub bounds: TimeBounds,
}

impl fmt::Display for ScanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "source={} versions={} versions_skipped={} row_groups={} row_groups_pruned={}",
            self.label,
            self.versions,
            self.versions_skipped,
            self.row_groups,
            self.row_groups_pruned
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

/// A file for the scan. The location is built from the path once, here: passing its text
/// through `PartitionedFile::new` would percent-encode it a second time (a `%`, `#` or
/// non-ASCII character in the pond's path would then name another file).
fn object_meta_file(path: &str, size: u64) -> Result<PartitionedFile> {
    let location = deltalake::Path::from_absolute_path(Path::new(path))
        .map_err(|e| Error::new(Code::InvalidArgument, format!("{path}: {e}")))?;
    Ok(PartitionedFile::new_from_meta(object_store::ObjectMeta {
        location,
        last_modified: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        size,
        e_tag: None,
        version: None,
    }))
}

#[async_trait]
impl TableProvider for ParquetTable {
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
        let bounds = match &self.time_column {
            Some(column) => time_bounds(filters, column),
            None => TimeBounds::default(),
        };
        let mut report = ScanReport {
            label: self.label.clone(),
            versions: self.versions.len(),
            bounds,
            ..ScanReport::default()
        };
        let df_schema = DFSchema::try_from(self.schema.as_ref().clone())?;
        let predicate: Option<Arc<dyn PhysicalExpr>> = match conjunction(filters.iter().cloned()) {
            Some(expr) => Some(state.create_physical_expr(expr, &df_schema)?),
            None => None,
        };
        let pruning: Option<Arc<PruningPredicate>> = predicate.as_ref().and_then(|p| {
            PruningPredicateBuilder::new()
                .with_file_schema(self.schema.clone())
                .build(p.clone())
        });
        let metrics = ExecutionPlanMetricsSet::new();
        let mut files = Vec::new();
        for handle in &self.versions {
            let v = &handle.0;
            if !bounds.overlaps(v.min_time, v.max_time) {
                report.versions_skipped += 1;
                continue;
            }
            let groups = v.footer.metadata.row_groups();
            report.row_groups += groups.len();
            let mut file = object_meta_file(&v.path, v.footer.size)?;
            if let Some(pruning) = &pruning {
                let mut filter =
                    RowGroupAccessPlanFilter::new(ParquetAccessPlan::new_all(groups.len()));
                let file_metrics = ParquetFileMetrics::new(0, &v.path, &metrics);
                filter.prune_by_statistics(
                    &v.footer.schema,
                    v.footer.metadata.file_metadata().schema_descr(),
                    groups,
                    pruning,
                    &file_metrics,
                );
                let kept = filter.remaining_row_group_count();
                report.row_groups_pruned += groups.len() - kept;
                if kept == 0 {
                    continue;
                }
                file = file.with_extension(filter.build());
            }
            files.push(file);
        }
        let partitions = state.config().target_partitions().max(1);
        let mut groups: Vec<Vec<PartitionedFile>> =
            vec![Vec::new(); partitions.min(files.len().max(1))];
        for (i, file) in files.into_iter().enumerate() {
            let n = groups.len();
            groups[i % n].push(file);
        }
        // Read footers through the runtime's metadata cache, as DataFusion's own Parquet
        // listing does, so repeated queries do not re-read them.
        let runtime = state.runtime_env();
        let store = runtime.object_store(ObjectStoreUrl::local_filesystem())?;
        let readers = CachedParquetFileReaderFactory::new(
            store,
            runtime.cache_manager.get_file_metadata_cache(),
        );
        let mut source = ParquetSource::new(self.schema.clone())
            .with_table_parquet_options(state.table_options().parquet.clone())
            .with_parquet_file_reader_factory(Arc::new(readers));
        if let Some(p) = predicate {
            source = source.with_predicate(p);
        }
        let config =
            FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                .with_file_groups(
                    groups
                        .into_iter()
                        .filter(|g| !g.is_empty())
                        .map(FileGroup::new)
                        .collect(),
                )
                .with_projection_indices(projection.cloned())?
                .with_limit(limit)
                .build();
        let inner: Arc<dyn ExecutionPlan> = DataSourceExec::from_data_source(config);
        Ok(Arc::new(PondScanExec { inner, report }))
    }
}

/// A leaf that runs the Parquet scan and says in EXPLAIN what pond skipped before it.
#[derive(Debug)]
pub struct PondScanExec {
    inner: Arc<dyn ExecutionPlan>,
    report: ScanReport,
}

impl DisplayAs for PondScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "PondScanExec: {}", self.report)?;
        if matches!(t, DisplayFormatType::Verbose) {
            write!(f, " inner=")?;
            self.inner.fmt_as(t, f)?;
        }
        Ok(())
    }
}

impl ExecutionPlan for PondScanExec {
    fn name(&self) -> &'static str {
        "PondScanExec"
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
