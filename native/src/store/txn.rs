// SPDX-License-Identifier: Apache-2.0
//! A write transaction on the oplog. It holds the pond's write lock from `begin` until
//! `release`, stores content as it is staged, and commits every row as exactly one Delta
//! commit carrying `pond_txn` commit metadata, so a crash loses all of it or none.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use deltalake::arrow::array::RecordBatch;
use deltalake::protocol::SaveMode;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use super::content_handles::{NativeContentWriter, StoredContent};
use super::Inner;
use crate::content::{self, ContentWriter};
use crate::delta::{self, CommitKind};
use crate::error::{guard, guard_sync, Code, Error, Result};
use crate::ipc;
use crate::lock::WriteLock;
use crate::schema::{conform, OPLOG_SCHEMA, PARTITION_COLUMNS};

/// An open write transaction. Holds the write lock until `release` (or until the process
/// exits: the OS releases the lock, and nothing uncommitted is visible).
#[napi]
pub struct NativeTxn {
    inner: Arc<Inner>,
    lock: std::sync::Mutex<Option<WriteLock>>,
    done: AtomicBool,
}

impl NativeTxn {
    pub(super) fn new(inner: Arc<Inner>, lock: WriteLock) -> Self {
        NativeTxn {
            inner,
            lock: std::sync::Mutex::new(Some(lock)),
            done: AtomicBool::new(false),
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.done.load(Ordering::SeqCst) {
            return Err(Error::new(
                Code::InvalidArgument,
                "transaction already finished",
            ));
        }
        Ok(())
    }

    fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(lock) = self.lock.lock().ok().and_then(|mut l| l.take()) {
            lock.release();
        }
    }
}

#[napi]
impl NativeTxn {
    /// Store a host file's content, streaming it in Rust.
    #[napi]
    pub async fn store_file(&self, path: String) -> napi::Result<StoredContent> {
        let inner = self.inner.clone();
        let open = self.check_open();
        guard(async move {
            open?;
            Ok(content::store_file(&inner.data_dir, Path::new(&path))
                .await?
                .into())
        })
        .await
    }

    /// Store bytes already in memory.
    #[napi]
    pub async fn store_bytes(&self, bytes: Buffer) -> napi::Result<StoredContent> {
        let inner = self.inner.clone();
        let open = self.check_open();
        guard(async move {
            open?;
            let mut writer = ContentWriter::new(&inner.data_dir);
            writer.write(&bytes).await?;
            Ok(writer.finish().await?.into())
        })
        .await
    }

    /// A writer for content that arrives in chunks.
    #[napi]
    pub fn content_writer(&self) -> napi::Result<NativeContentWriter> {
        guard_sync(|| {
            self.check_open()?;
            Ok(NativeContentWriter::new(ContentWriter::new(
                &self.inner.data_dir,
            )))
        })
    }

    /// Commit `rows` (an Arrow IPC stream in the oplog schema) as one Delta commit with
    /// `pond_txn` = `meta_json`. Returns the new table version. The lock stays held until
    /// `release`, so the caller can record the outcome before the next writer starts.
    #[napi]
    pub async fn commit(&self, rows: Buffer, meta_json: String) -> napi::Result<i64> {
        let inner = self.inner.clone();
        let open = self.check_open();
        let result = guard(async move {
            open?;
            let batches = decode_rows(&rows)?;
            // Readers keep the previous snapshot until the commit is in the log.
            let base = inner.current().await;
            let properties = CommitKind::Txn.properties(&meta_json)?;
            let next = delta::write(
                base,
                batches,
                SaveMode::Append,
                &PARTITION_COLUMNS,
                properties,
            )
            .await?;
            let mut table = inner.table.lock().await;
            *table = next;
            Ok(inner.published(&table))
        })
        .await;
        self.done.store(true, Ordering::SeqCst);
        result
    }

    /// End the transaction and release the write lock. Before `commit` this discards
    /// everything staged; after it, it only lets the next writer in.
    #[napi]
    pub async fn release(&self) -> napi::Result<()> {
        guard(async {
            self.finish();
            Ok(())
        })
        .await
    }
}

/// The rows of a commit, from an Arrow IPC stream, conformed to the oplog schema; at least
/// one row.
pub(super) fn decode_rows(rows: &[u8]) -> Result<Vec<RecordBatch>> {
    let batches = ipc::decode(rows)?;
    let batches: Vec<RecordBatch> = batches
        .iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| conform(b, &OPLOG_SCHEMA, "oplog", &[]))
        .collect::<Result<_>>()?;
    if batches.is_empty() {
        return Err(Error::new(
            Code::InvalidArgument,
            "a commit needs at least one row",
        ));
    }
    Ok(batches)
}
