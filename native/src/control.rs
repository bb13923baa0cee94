// SPDX-License-Identifier: Apache-2.0
//! The control table: a second, unpartitioned Delta table at `$POND/control` that records
//! each write transaction's lifecycle (`begin`, then `committed` / `failed` / `completed`)
//! and the pond's settings. Rows arrive from TS as Arrow IPC in [`CONTROL_SCHEMA`]; each
//! append is one Delta commit carrying `pond_control` commit metadata (the record's
//! `txn_seq`), so the newest sequence number can be read from the log's tail without
//! scanning the table. Callers append only while holding the pond's write lock.

use std::path::PathBuf;
use std::sync::Arc;

use deltalake::arrow::array::RecordBatch;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::protocol::SaveMode;
use deltalake::DeltaTable;
use futures::TryStreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use object_store::ObjectStoreExt;
use tokio::sync::Mutex;

use crate::delta::commit_log::{read_history, CommitRecord};
use crate::delta::{self, is_table, table_url, version_of, CommitKind};
use crate::error::{guard, Code, Error, Result};
use crate::ipc;
use crate::layout::CONTROL_DIR;
use crate::schema::{conform, CONTROL_SCHEMA};

/// A handle on a pond's control table. The table is created by the first append, so a
/// pond made before it existed reads as having no control records.
#[napi]
pub struct NativeControl {
    dir: PathBuf,
    table: Arc<Mutex<Option<DeltaTable>>>,
}

/// A batch shaped to the control schema.
fn conform_control(batch: &RecordBatch) -> Result<RecordBatch> {
    conform(batch, &CONTROL_SCHEMA, "control", &[])
}

impl NativeControl {
    async fn load(&self) -> Result<Option<DeltaTable>> {
        let mut slot = self.table.lock().await;
        match slot.as_mut() {
            Some(table) => {
                table.update_state().await?;
            }
            None if is_table(&self.dir) => {
                *slot = Some(delta::open(&self.dir, None).await?);
            }
            None => {}
        }
        Ok(slot.clone())
    }
}

#[napi]
impl NativeControl {
    #[napi(factory)]
    pub async fn open(pond: String) -> napi::Result<NativeControl> {
        guard(async move {
            let dir = std::path::absolute(&pond)?.join(CONTROL_DIR);
            Ok(NativeControl {
                dir,
                table: Arc::new(Mutex::new(None)),
            })
        })
        .await
    }

    /// Append `rows` (Arrow IPC in the control schema) as one Delta commit with
    /// `pond_control` = `meta_json`. Returns the control table's new version.
    #[napi]
    pub async fn append(&self, rows: Buffer, meta_json: String) -> napi::Result<i64> {
        guard(async move {
            let batches: Vec<RecordBatch> = ipc::decode(&rows)?
                .iter()
                .filter(|b| b.num_rows() > 0)
                .map(conform_control)
                .collect::<Result<_>>()?;
            if batches.is_empty() {
                return Err(Error::new(
                    Code::InvalidArgument,
                    "a control append needs at least one row",
                ));
            }
            let properties = CommitKind::Control.properties(&meta_json)?;
            // The handle from this process's last append is current enough: an append never
            // conflicts, and if another process committed since, the commit retries at the
            // next version. (Refreshing first would replay the log a second time.)
            let cached = self.table.lock().await.clone();
            let table = match cached {
                Some(table) => table,
                None if is_table(&self.dir) => self.load().await?.ok_or_else(|| {
                    Error::new(Code::NotFound, "control table vanished while opening it")
                })?,
                None => {
                    tokio::fs::create_dir_all(&self.dir).await?;
                    DeltaTable::try_from_url(table_url(&self.dir)?).await?
                }
            };
            let table = delta::write(table, batches, SaveMode::Append, &[], properties).await?;
            let version = version_of(&table);
            *self.table.lock().await = Some(table);
            Ok(version)
        })
        .await
    }

    /// Every control row at the newest version, as Arrow IPC in the control schema (in no
    /// particular order; each row carries its timestamp).
    #[napi]
    pub async fn read(&self) -> napi::Result<Buffer> {
        guard(async move {
            let mut out = Vec::new();
            if let Some(table) = self.load().await? {
                let store = table.log_store().object_store(None);
                let mut files = table.get_active_add_actions_by_partitions(&[]);
                let mut paths = Vec::new();
                while let Some(view) = files.try_next().await? {
                    paths.push(view.object_store_path());
                }
                for path in paths {
                    let bytes = store.get(&path).await?.bytes().await?;
                    for batch in ParquetRecordBatchReaderBuilder::try_new(bytes)?.build()? {
                        out.push(conform_control(&batch?)?);
                    }
                }
            }
            Ok(ipc::encode(&CONTROL_SCHEMA, &out)?.into())
        })
        .await
    }

    /// Commits of the control table, oldest first (the newest `limit` when given), with
    /// their `pond_control` metadata.
    #[napi]
    pub async fn history(&self, limit: Option<u32>) -> napi::Result<Vec<CommitRecord>> {
        guard(async move {
            read_history(
                &self.dir,
                limit,
                &[CommitKind::Control, CommitKind::Maintain],
            )
            .await
            .map_err(|e| e.context("cannot read the control log"))
        })
        .await
    }
}
