// SPDX-License-Identifier: Apache-2.0
//! The oplog store: the Delta table at `$POND/data`, its write transactions (`txn`) and its
//! large-content files. Reads (`read`) are snapshot reads of one table version and take no
//! lock; a write transaction holds the pond's write lock from `begin` until `release` and
//! commits as exactly one Delta commit carrying `pond_txn` commit metadata. This file is the
//! `NativeStore` handle JS holds.

mod content_handles;
mod read;
mod txn;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deltalake::protocol::SaveMode;
use deltalake::DeltaTable;
use futures::TryStreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::content::{self, ContentReader};
use crate::delta::commit_log::{read_history, CommitRecord};
use crate::delta::{self, is_table, table_url, version_of, CommitKind};
use crate::error::{guard, guard_sync, Code, Error, Result};
use crate::layout::{CACHE_DIR, CONTROL_DIR, DATA_DIR, LOCK_FILE};
use crate::lock::WriteLock;
use crate::schema::PARTITION_COLUMNS;

pub use content_handles::{NativeContentReader, NativeContentWriter};
pub use read::ReadRowsOptions;
pub use txn::NativeTxn;

struct Inner {
    pond: PathBuf,
    data_dir: PathBuf,
    table: Mutex<DeltaTable>,
    /// The version of `table`, readable while a commit or refresh holds its mutex (a reader
    /// then gets the snapshot before it, never an error).
    version: AtomicI64,
    /// Files by partition, per table version (see `read`).
    partitions: std::sync::Mutex<HashMap<i64, Arc<read::PartitionIndex>>>,
    /// Tables loaded at an older version for time-travel reads, by version.
    pinned: Mutex<HashMap<i64, DeltaTable>>,
}

/// A handle on one pond's oplog.
#[napi]
pub struct NativeStore {
    inner: Arc<Inner>,
}

fn absolute(pond: &str) -> Result<PathBuf> {
    Ok(std::path::absolute(pond)?)
}

impl Inner {
    fn lock_path(&self) -> PathBuf {
        self.pond.join(CONTROL_DIR).join(LOCK_FILE)
    }

    async fn current(&self) -> DeltaTable {
        self.table.lock().await.clone()
    }

    /// Record the version of a table just stored in `table` (its mutex still held).
    fn published(&self, table: &DeltaTable) -> i64 {
        let v = version_of(table);
        self.version.store(v, Ordering::SeqCst);
        v
    }

    async fn at_version(&self, version: Option<i64>) -> Result<DeltaTable> {
        let current = self.current().await;
        let Some(v) = version else { return Ok(current) };
        if version_of(&current) == v {
            return Ok(current);
        }
        let mut pinned = self.pinned.lock().await;
        if let Some(t) = pinned.get(&v) {
            return Ok(t.clone());
        }
        let table = delta::open(&self.data_dir, Some(v))
            .await
            .map_err(|e| e.context(format!("cannot read pond version {v}")))?;
        pinned.insert(v, table.clone());
        Ok(table)
    }
}

#[napi]
impl NativeStore {
    /// Open an existing pond. Fails with NOT_A_POND when `$POND/data` holds no Delta table.
    #[napi(factory)]
    pub async fn open(pond: String) -> napi::Result<NativeStore> {
        guard(async move {
            let pond = absolute(&pond)?;
            let data_dir = pond.join(DATA_DIR);
            if !is_table(&data_dir) {
                return Err(Error::new(
                    Code::NotAPond,
                    format!(
                        "no pond at {} (create one with `pond init`)",
                        pond.display()
                    ),
                ));
            }
            let table = delta::open(&data_dir, None).await?;
            Ok(NativeStore::wrap(pond, data_dir, table))
        })
        .await
    }

    /// Create a pond: directories, then the oplog table with `rows` as its first commit
    /// (Delta version 0), under the write lock. Fails with ALREADY_EXISTS on an existing pond.
    #[napi(factory)]
    pub async fn create(
        pond: String,
        rows: Buffer,
        meta_json: String,
    ) -> napi::Result<NativeStore> {
        guard(async move {
            let pond = absolute(&pond)?;
            let data_dir = pond.join(DATA_DIR);
            if is_table(&data_dir) {
                return Err(Error::new(
                    Code::AlreadyExists,
                    format!("a pond already exists at {}", pond.display()),
                ));
            }
            let url = table_url(&data_dir)?;
            for dir in [DATA_DIR, CONTROL_DIR, CACHE_DIR] {
                tokio::fs::create_dir_all(pond.join(dir)).await?;
            }
            let lock =
                WriteLock::acquire(&pond.join(CONTROL_DIR).join(LOCK_FILE), Duration::ZERO).await?;
            let batches = txn::decode_rows(&rows)?;
            let table = DeltaTable::try_from_url(url).await?;
            let properties = CommitKind::Txn.properties(&meta_json)?;
            let table = delta::write(
                table,
                batches,
                SaveMode::ErrorIfExists,
                &PARTITION_COLUMNS,
                properties,
            )
            .await?;
            lock.release();
            Ok(NativeStore::wrap(pond, data_dir, table))
        })
        .await
    }

    /// The Delta table version this handle reads.
    #[napi(getter)]
    pub fn version(&self) -> napi::Result<i64> {
        guard_sync(|| Ok(self.inner.version.load(Ordering::SeqCst)))
    }

    /// The pond directory (absolute).
    #[napi(getter)]
    pub fn path(&self) -> napi::Result<String> {
        guard_sync(|| Ok(self.inner.pond.to_string_lossy().into_owned()))
    }

    /// Where large content with BLAKE3 `blake3` lives, relative to the oplog's directory
    /// (`data/`): `_large_files/blake3=<hex>`. CORRUPT when `blake3` is not a hash.
    #[napi]
    pub fn large_file_path(&self, blake3: String) -> napi::Result<String> {
        guard_sync(|| {
            content::check_hash(&blake3)?;
            Ok(crate::layout::large_file(&blake3))
        })
    }

    /// The pond id recorded in the table's partition values (null for an empty table).
    #[napi]
    pub async fn pond_id(&self) -> napi::Result<Option<String>> {
        let inner = self.inner.clone();
        guard(async move {
            let table = inner.current().await;
            let mut views = table.get_active_add_actions_by_partitions(&[]);
            while let Some(view) = views.try_next().await? {
                if let Some(id) = read::partition_value(&view, "pond_id") {
                    return Ok(Some(id));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Every partition id in the table at this handle's version, sorted.
    #[napi]
    pub async fn partitions(&self) -> napi::Result<Vec<String>> {
        let inner = self.inner.clone();
        guard(async move {
            let table = inner.current().await;
            let mut ids: Vec<String> = inner
                .partition_index(&table)
                .await?
                .keys()
                .cloned()
                .collect();
            ids.sort();
            Ok(ids)
        })
        .await
    }

    /// The size of large content, or null when its file is missing.
    #[napi]
    pub async fn content_size(&self, blake3: String) -> napi::Result<Option<i64>> {
        let inner = self.inner.clone();
        guard(async move {
            let path = content::large_path(&inner.data_dir, &blake3)?;
            Ok(tokio::fs::metadata(&path)
                .await
                .ok()
                .map(|m| m.len() as i64))
        })
        .await
    }

    /// Move this handle to the newest table version; returns it.
    #[napi]
    pub async fn refresh(&self) -> napi::Result<i64> {
        let inner = self.inner.clone();
        guard(async move {
            let mut table = inner.table.lock().await;
            table.update_state().await?;
            Ok(inner.published(&table))
        })
        .await
    }

    /// Rows of one partition (optionally one node) as an Arrow IPC stream in the oplog schema.
    #[napi]
    pub async fn read_rows(&self, options: ReadRowsOptions) -> napi::Result<Buffer> {
        let inner = self.inner.clone();
        guard(async move { Ok(inner.read_rows(options).await?.into()) }).await
    }

    /// Commits in version order, oldest first; the newest `limit` when given.
    #[napi]
    pub async fn history(&self, limit: Option<u32>) -> napi::Result<Vec<CommitRecord>> {
        let inner = self.inner.clone();
        guard(async move {
            read_history(
                &inner.data_dir,
                limit,
                &[CommitKind::Txn, CommitKind::Maintain],
            )
            .await
        })
        .await
    }

    /// Begin a write transaction: take the write lock (waiting up to `wait_ms`, default 0)
    /// and move to the newest table version. Fails with LOCKED naming the holder.
    #[napi]
    pub async fn begin(&self, wait_ms: Option<u32>) -> napi::Result<NativeTxn> {
        let inner = self.inner.clone();
        guard(async move {
            let wait = Duration::from_millis(wait_ms.unwrap_or(0) as u64);
            let lock = WriteLock::acquire(&inner.lock_path(), wait).await?;
            {
                let mut table = inner.table.lock().await;
                table.update_state().await?;
                inner.published(&table);
            }
            Ok(NativeTxn::new(inner, lock))
        })
        .await
    }

    /// Open large content for chunked reading. With `verify` (default true) the bytes are
    /// hashed as they stream and the last `next()` fails with CORRUPT unless they match.
    #[napi]
    pub async fn open_content(
        &self,
        blake3: String,
        verify: Option<bool>,
    ) -> napi::Result<NativeContentReader> {
        let inner = self.inner.clone();
        guard(async move {
            let reader =
                ContentReader::open(&inner.data_dir, &blake3, verify.unwrap_or(true)).await?;
            Ok(NativeContentReader::new(reader))
        })
        .await
    }

    /// Copy large content to a host file, created or replaced, never through a symlink.
    /// With `verify` (default true) a copy whose bytes do not match is removed and the call
    /// fails with CORRUPT.
    #[napi]
    pub async fn export_content(
        &self,
        blake3: String,
        dest: String,
        verify: Option<bool>,
    ) -> napi::Result<()> {
        let inner = self.inner.clone();
        guard(async move {
            let dest = PathBuf::from(dest);
            let mut reader =
                ContentReader::open(&inner.data_dir, &blake3, verify.unwrap_or(true)).await?;
            let mut out = content::create_no_follow(&dest).await?;
            let copied = async {
                while let Some(chunk) = reader.next_chunk().await? {
                    out.write_all(&chunk)
                        .await
                        .map_err(content::io_at(&dest, "cannot write"))?;
                }
                out.flush()
                    .await
                    .map_err(content::io_at(&dest, "cannot write"))?;
                Ok::<_, Error>(())
            }
            .await;
            if let Err(e) = copied {
                drop(out);
                let _ = tokio::fs::remove_file(&dest).await;
                return Err(e);
            }
            Ok(())
        })
        .await
    }

    /// Re-hash large content; returns the actual BLAKE3 hex.
    #[napi]
    pub async fn hash_content(&self, blake3: String) -> napi::Result<String> {
        let inner = self.inner.clone();
        guard(async move { Ok(content::hash_large(&inner.data_dir, &blake3).await?.0) }).await
    }
}

impl NativeStore {
    fn wrap(pond: PathBuf, data_dir: PathBuf, table: DeltaTable) -> NativeStore {
        NativeStore {
            inner: Arc::new(Inner {
                pond,
                data_dir,
                version: AtomicI64::new(version_of(&table)),
                table: Mutex::new(table),
                pinned: Mutex::new(HashMap::new()),
                partitions: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }
}
