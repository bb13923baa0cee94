// SPDX-License-Identifier: Apache-2.0
//! The oplog's read path: the rows of one partition (optionally one node, one version) at
//! a table version, found through a per-version index of the table's files by partition,
//! conformed to the oplog schema and returned as one Arrow IPC stream.

use std::collections::HashMap;
use std::sync::Arc;

use deltalake::arrow::array::Scalar as ArrowScalar;
use deltalake::arrow::array::{new_null_array, BooleanArray, Int64Array, RecordBatch, StringArray};
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::arrow::compute::{and, filter_record_batch};
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::arrow::ProjectionMask;
use deltalake::DeltaTable;
use futures::TryStreamExt;
use napi_derive::napi;
use object_store::ObjectStoreExt;

use super::Inner;
use crate::delta::version_of;
use crate::error::{lock, Code, Error, Result};
use crate::ipc;
use crate::schema::{conform, OPLOG_SCHEMA};

/// Which rows to read: one partition, optionally one node, at a table version.
#[napi(object)]
pub struct ReadRowsOptions {
    pub part_id: String,
    pub node_id: Option<String>,
    /// Only this node version (with `node_id`).
    pub version: Option<i64>,
    /// Delta table version to read; the store's current version when absent.
    pub table_version: Option<i64>,
    /// Include the `content` column (otherwise it is all null). Default true.
    pub with_content: Option<bool>,
    /// Without `with_content`, still include the content of directory snapshots (rows of
    /// the partition's own directory) and of dynamic nodes (rows with a factory): small,
    /// and needed to list the directory or use the node. Default false.
    pub metadata_content: Option<bool>,
}

/// A data file of the oplog and the pond id of its partition.
#[derive(Clone)]
pub(super) struct PartFile {
    path: deltalake::Path,
    pond_id: String,
}

/// The oplog's data files by partition id, at one table version.
pub(super) type PartitionIndex = HashMap<String, Vec<PartFile>>;

/// Table versions whose partition index is kept.
const INDEXES_KEPT: usize = 4;

impl Inner {
    pub(super) async fn read_rows(&self, opts: ReadRowsOptions) -> Result<Vec<u8>> {
        let table = self.at_version(opts.table_version).await?;
        let with_content = opts.with_content.unwrap_or(true);
        let metadata_content = !with_content && opts.metadata_content.unwrap_or(false);
        let index = self.partition_index(&table).await?;
        let files = index.get(&opts.part_id).cloned().unwrap_or_default();
        let store = table.log_store().object_store(None);
        let mut out = Vec::new();
        for file in files {
            let pond_id = file.pond_id;
            let bytes = store.get(&file.path).await?.bytes().await?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(bytes)?;
            let names: Vec<&str> = OPLOG_SCHEMA
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .filter(|n| with_content || metadata_content || *n != "content")
                .collect();
            let mask = ProjectionMask::columns(builder.parquet_schema(), names);
            let batches = builder
                .with_projection(mask)
                .build()?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let fill = [
                ("part_id", opts.part_id.as_str()),
                ("pond_id", pond_id.as_str()),
            ];
            for batch in batches {
                // Conform first: compaction may have written view types (Utf8View), and
                // the filters below compare against plain Utf8 scalars.
                let batch = conform(&batch, &OPLOG_SCHEMA, "oplog", &fill)?;
                let batch = match &opts.node_id {
                    Some(node) => filter_node(&batch, node, opts.version)?,
                    None => batch,
                };
                let batch = if metadata_content {
                    keep_metadata_content(&batch, &opts.part_id)?
                } else {
                    batch
                };
                if batch.num_rows() > 0 {
                    out.push(batch);
                }
            }
        }
        ipc::encode(&OPLOG_SCHEMA, &out)
    }

    /// The files of `table` by partition (one pass over the log per table version instead
    /// of one filtered scan per partition read).
    pub(super) async fn partition_index(&self, table: &DeltaTable) -> Result<Arc<PartitionIndex>> {
        let version = version_of(table);
        if let Some(index) = lock(&self.partitions, "partition index")?.get(&version) {
            return Ok(index.clone());
        }
        let mut index = PartitionIndex::new();
        let mut views = table.get_active_add_actions_by_partitions(&[]);
        while let Some(view) = views.try_next().await? {
            let values = view.partition_values_map();
            let part = values.get("part_id").cloned().flatten().unwrap_or_default();
            let pond_id = values.get("pond_id").cloned().flatten().unwrap_or_default();
            index.entry(part).or_default().push(PartFile {
                path: view.object_store_path(),
                pond_id,
            });
        }
        let index = Arc::new(index);
        let mut cache = lock(&self.partitions, "partition index")?;
        if cache.len() >= INDEXES_KEPT {
            cache.clear();
        }
        cache.insert(version, index.clone());
        Ok(index)
    }
}

pub(super) fn partition_value(
    view: &deltalake::kernel::LogicalFileView,
    column: &str,
) -> Option<String> {
    view.partition_values_map().remove(column).flatten()
}

/// Null the content of every row except directory snapshots of `part_id` and dynamic-node
/// configs (rows with a factory).
fn keep_metadata_content(batch: &RecordBatch, part_id: &str) -> Result<RecordBatch> {
    let (Some(content), Some(node), Some(factory)) = (
        batch.column_by_name("content"),
        batch.column_by_name("node_id"),
        batch.column_by_name("factory"),
    ) else {
        return Ok(batch.clone());
    };
    let key = StringArray::from(vec![part_id]);
    let own = eq(node, &ArrowScalar::new(&key))?;
    let dynamic = deltalake::arrow::compute::is_not_null(factory)?;
    let keep = deltalake::arrow::compute::or(&own, &dynamic)?;
    let nulls = new_null_array(content.data_type(), batch.num_rows());
    let kept = deltalake::arrow::compute::kernels::zip::zip(&keep, content, &nulls)?;
    let index = batch.schema().index_of("content")?;
    let mut columns = batch.columns().to_vec();
    columns[index] = kept;
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// The rows of `node` (and of its `version`, when given).
fn filter_node(batch: &RecordBatch, node: &str, version: Option<i64>) -> Result<RecordBatch> {
    let column = |name: &str| {
        batch.column_by_name(name).ok_or_else(|| {
            Error::new(
                Code::SchemaMismatch,
                format!("oplog file has no {name} column"),
            )
        })
    };
    let key = StringArray::from(vec![node]);
    let mut mask: BooleanArray = eq(column("node_id")?, &ArrowScalar::new(&key))?;
    if let Some(v) = version {
        let key = Int64Array::from(vec![v]);
        let same = eq(column("version")?, &ArrowScalar::new(&key))?;
        mask = and(&mask, &same)?;
    }
    Ok(filter_record_batch(batch, &mask)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::arrow::array::{Array, ArrayRef, BinaryArray};
    use deltalake::arrow::datatypes::{DataType, Field, Schema};

    /// Rows (node_id, version, factory, content).
    fn rows(rows: &[(&str, i64, Option<&str>, &str)]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("node_id", DataType::Utf8, false),
            Field::new("version", DataType::Int64, false),
            Field::new("factory", DataType::Utf8, true),
            Field::new("content", DataType::Binary, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.2))),
            Arc::new(BinaryArray::from_iter_values(rows.iter().map(|r| r.3))),
        ];
        RecordBatch::try_new(schema, columns).unwrap()
    }

    #[test]
    fn filter_node_keeps_one_node_and_version() {
        let batch = rows(&[
            ("a", 1, None, "x"),
            ("b", 1, None, "y"),
            ("a", 2, None, "z"),
        ]);
        assert_eq!(filter_node(&batch, "a", None).unwrap().num_rows(), 2);
        assert_eq!(filter_node(&batch, "a", Some(2)).unwrap().num_rows(), 1);
        assert_eq!(filter_node(&batch, "c", None).unwrap().num_rows(), 0);
    }

    #[test]
    fn metadata_content_keeps_snapshots_and_configs_only() {
        let batch = rows(&[
            ("dir", 1, None, "snap"),
            ("f", 1, None, "data"),
            ("d", 1, Some("sql"), "cfg"),
        ]);
        let kept = keep_metadata_content(&batch, "dir").unwrap();
        let content = kept.column_by_name("content").unwrap();
        assert!(content.is_valid(0));
        assert!(content.is_null(1));
        assert!(content.is_valid(2));
    }
}
