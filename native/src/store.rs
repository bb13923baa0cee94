// SPDX-License-Identifier: Apache-2.0
//! The oplog store: the Delta table at `$POND/data`, its write transactions and its
//! large-content files. Reads are snapshot reads of one table version and take no lock;
//! a write transaction holds the pond's write lock from `begin` until commit or abort and
//! commits as exactly one Delta commit carrying `pond_txn` commit metadata.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deltalake::arrow::array::Scalar as ArrowScalar;
use deltalake::arrow::array::{
    new_null_array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray,
};
use deltalake::arrow::compute::and;
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::arrow::compute::{cast, filter_record_batch};
use deltalake::kernel::transaction::CommitProperties;
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::arrow::ProjectionMask;
use deltalake::protocol::SaveMode;
use deltalake::{DeltaTable, DeltaTableBuilder};
use futures::TryStreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use object_store::ObjectStoreExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;
use url::Url;

use crate::content::{self, ContentReader, ContentWriter, Stored};
use crate::error::{guard, Code, Error, Result};
use crate::ipc;
use crate::lock::WriteLock;
use crate::schema::{OPLOG_SCHEMA, PARTITION_COLUMNS};

const DATA_DIR: &str = "data";
const CONTROL_DIR: &str = "control";
const CACHE_DIR: &str = "cache";
const LOCK_FILE: &str = "write.lock";

/// A data file of the oplog and the pond id of its partition.
#[derive(Clone)]
struct PartFile {
    path: deltalake::Path,
    pond_id: String,
}

type PartitionIndex = HashMap<String, Vec<PartFile>>;

struct Inner {
    pond: PathBuf,
    data_dir: PathBuf,
    table: Mutex<DeltaTable>,
    /// The version of `table`, readable while a commit or refresh holds its mutex (a reader
    /// then gets the snapshot before it, never an error).
    version: AtomicI64,
    /// Files by partition, per table version (one pass over the log per version instead of
    /// one filtered scan per partition read).
    partitions: std::sync::Mutex<HashMap<i64, Arc<PartitionIndex>>>,
    /// Tables loaded at an older version for time-travel reads, by version.
    pinned: Mutex<HashMap<i64, DeltaTable>>,
}

/// A handle on one pond's oplog.
#[napi]
pub struct NativeStore {
    inner: Arc<Inner>,
}

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

/// Content handed to a transaction: its hash and size, and the bytes if they are inline.
#[napi(object)]
pub struct StoredContent {
    pub blake3: String,
    pub size: i64,
    /// Present when the content is under the inline threshold; otherwise the bytes are
    /// in `_large_files/blake3=<hex>`.
    pub inline: Option<Buffer>,
}

impl From<Stored> for StoredContent {
    fn from(s: Stored) -> Self {
        StoredContent {
            blake3: s.blake3,
            size: s.size as i64,
            inline: s.inline.map(Buffer::from),
        }
    }
}

/// One Delta commit as recorded in `_delta_log`.
#[napi(object)]
pub struct CommitRecord {
    pub version: i64,
    /// Commit time, ms since the epoch.
    pub timestamp: Option<i64>,
    pub operation: Option<String>,
    /// pond's commit metadata as JSON (`pond_txn` in the oplog, `pond_control` in the
    /// control table, `pond_maintain` on maintenance commits of either), when present.
    pub meta: Option<String>,
}

/// The `file://` URL of a Delta table directory. delta-rs mishandles some directory names
/// (it decodes `%` escapes twice, and puts the path in the host of an internal URL where
/// `[`, `]` and `|` are invalid), so a directory whose path holds anything but unreserved
/// characters is reached through an alias: a symlink named by the path's hash in a private
/// per-user directory. Everything pond shows still names the real path.
pub(crate) fn table_url(data_dir: &Path) -> Result<Url> {
    let not_absolute = || {
        Error::new(
            Code::InvalidArgument,
            format!("not an absolute path: {}", data_dir.display()),
        )
    };
    if !data_dir.is_absolute() {
        return Err(not_absolute());
    }
    let bytes = data_dir.as_os_str().as_encoded_bytes();
    if bytes
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
    {
        // object_store's local store decodes such a sequence as an escape and would read
        // and write another directory.
        return Err(Error::new(
            Code::InvalidArgument,
            format!(
                "{}: a pond's path cannot contain % followed by two hex digits (such as %20); \
                 rename the directory",
                data_dir.display()
            ),
        ));
    }
    let plain = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(b));
    let dir = if plain || cfg!(not(unix)) {
        data_dir.to_path_buf()
    } else {
        alias(data_dir)?
    };
    Url::from_directory_path(&dir).map_err(|_| not_absolute())
}

/// A symlink to `target` under `$TMPDIR/duckpond-<uid>/` (mode 0700, owned by this user),
/// named by the BLAKE3 of the target path; created or corrected as needed.
#[cfg(unix)]
fn alias(target: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let uid = unsafe { libc::getuid() };
    let dir = std::env::temp_dir().join(format!("duckpond-{uid}"));
    let io =
        |e: std::io::Error| Error::from(e).context(format!("cannot prepare {}", dir.display()));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(io)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(Error::new(
            Code::Io,
            format!(
                "{} must be a private directory of this user (mode 0700)",
                dir.display()
            ),
        ));
    }
    let hash = blake3::hash(target.as_os_str().as_encoded_bytes()).to_hex();
    let link = dir.join(&hash.as_str()[..32]);
    for _ in 0..3 {
        match std::fs::read_link(&link) {
            Ok(existing) if existing == target => return Ok(link),
            Ok(_) => std::fs::remove_file(&link).map_err(io)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => std::fs::remove_file(&link).map_err(io)?,
        }
        match std::os::unix::fs::symlink(target, &link) {
            Ok(()) => return Ok(link),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(e)),
        }
    }
    Err(Error::new(
        Code::Io,
        format!(
            "cannot create the alias {} for {}",
            link.display(),
            target.display()
        ),
    ))
}

#[cfg(not(unix))]
fn alias(target: &Path) -> Result<PathBuf> {
    Ok(target.to_path_buf())
}

fn is_table(data_dir: &Path) -> bool {
    data_dir.join("_delta_log").is_dir()
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
        let table = DeltaTableBuilder::from_url(table_url(&self.data_dir)?)?
            .with_version(v as u64)
            .load()
            .await
            .map_err(|e| Error::from(e).context(format!("cannot read pond version {v}")))?;
        pinned.insert(v, table.clone());
        Ok(table)
    }

    async fn read_rows(&self, opts: ReadRowsOptions) -> Result<Vec<u8>> {
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
            for batch in batches {
                // Conform first: compaction may have written view types (Utf8View), and
                // the filters below compare against plain Utf8 scalars.
                let batch = conform(&batch, Some((&opts.part_id, &pond_id)))?;
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

    async fn partition_index(&self, table: &DeltaTable) -> Result<Arc<PartitionIndex>> {
        let version = version_of(table);
        if let Some(index) = self
            .partitions
            .lock()
            .expect("partition index")
            .get(&version)
        {
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
        let mut cache = self.partitions.lock().expect("partition index");
        if cache.len() >= 4 {
            cache.clear();
        }
        cache.insert(version, index.clone());
        Ok(index)
    }

    async fn history(&self, limit: Option<u32>) -> Result<Vec<CommitRecord>> {
        read_history(&self.data_dir, limit, &["pond_txn", "pond_maintain"]).await
    }
}

/// The commits of the Delta table at `table_dir`, oldest first (the newest `limit` when
/// given), read from the JSON commit files still in its log, with the commit metadata under
/// the first of `keys` present, as JSON. Commits whose JSON was cleaned up after a
/// checkpoint are not listed.
pub(crate) async fn read_history(
    table_dir: &Path,
    limit: Option<u32>,
    keys: &[&str],
) -> Result<Vec<CommitRecord>> {
    let log_dir = table_dir.join("_delta_log");
    let mut versions = Vec::new();
    let mut entries = match tokio::fs::read_dir(&log_dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".json") {
            if stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()) {
                versions.push(stem.parse::<i64>().unwrap_or_default());
            }
        }
    }
    versions.sort_unstable();
    if let Some(n) = limit {
        let skip = versions.len().saturating_sub(n as usize);
        versions.drain(..skip);
    }
    let mut out = Vec::with_capacity(versions.len());
    for version in versions {
        // A concurrent log cleanup may remove a file we listed: skip it.
        let text =
            match tokio::fs::read_to_string(log_dir.join(format!("{version:020}.json"))).await {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
        let mut record = CommitRecord {
            version,
            timestamp: None,
            operation: None,
            meta: None,
        };
        for line in text.lines() {
            let Ok(action) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(info) = action.get("commitInfo") {
                record.timestamp = info.get("timestamp").and_then(|v| v.as_i64());
                record.operation = info
                    .get("operation")
                    .and_then(|v| v.as_str())
                    .map(String::from);
                record.meta = keys
                    .iter()
                    .find_map(|key| info.get(*key))
                    .map(|v| v.to_string());
            }
        }
        out.push(record);
    }
    Ok(out)
}

fn partition_value(view: &deltalake::kernel::LogicalFileView, column: &str) -> Option<String> {
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

/// A table's version as the i64 JS sees; -1 before the first commit.
fn version_of(table: &DeltaTable) -> i64 {
    table.version().map(|v| v as i64).unwrap_or(-1)
}

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

/// Shape a batch to the oplog schema: columns by name, cast where the physical type
/// differs (timestamp zone spelling), partition values filled in, `content` null when
/// it was not read.
fn conform(batch: &RecordBatch, partition: Option<(&str, &str)>) -> Result<RecordBatch> {
    let rows = batch.num_rows();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(OPLOG_SCHEMA.fields().len());
    for field in OPLOG_SCHEMA.fields() {
        let name = field.name().as_str();
        let filled = match (partition, name) {
            (Some((part, _)), "part_id") => Some(part),
            (Some((_, pond)), "pond_id") => Some(pond),
            _ => None,
        };
        let column: ArrayRef = match (filled, batch.column_by_name(name)) {
            (Some(value), _) => Arc::new(StringArray::from(vec![value; rows])),
            (None, Some(col)) if col.data_type() == field.data_type() => col.clone(),
            (None, Some(col)) => cast(col, field.data_type())?,
            (None, None) if field.is_nullable() => new_null_array(field.data_type(), rows),
            (None, None) => {
                return Err(Error::new(
                    Code::SchemaMismatch,
                    format!("oplog rows lack the required column {name:?}"),
                ))
            }
        };
        if !field.is_nullable() && column.null_count() > 0 {
            return Err(Error::new(
                Code::SchemaMismatch,
                format!("oplog column {name:?} must not contain nulls"),
            ));
        }
        columns.push(column);
    }
    Ok(RecordBatch::try_new(OPLOG_SCHEMA.clone(), columns)?)
}

fn commit_properties(meta_json: &str) -> Result<CommitProperties> {
    let meta: serde_json::Value = serde_json::from_str(meta_json)
        .map_err(|e| Error::from(e).context("commit metadata is not JSON"))?;
    Ok(CommitProperties::default().with_metadata([("pond_txn".to_string(), meta)]))
}

fn decode_rows(rows: &[u8]) -> Result<Vec<RecordBatch>> {
    let batches = ipc::decode(rows)?;
    let batches: Vec<RecordBatch> = batches
        .iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| conform(b, None))
        .collect::<Result<_>>()?;
    if batches.is_empty() {
        return Err(Error::new(
            Code::InvalidArgument,
            "a commit needs at least one row",
        ));
    }
    Ok(batches)
}

async fn write(
    table: DeltaTable,
    batches: Vec<RecordBatch>,
    meta_json: &str,
    mode: SaveMode,
) -> Result<DeltaTable> {
    Ok(table
        .write(batches)
        .with_save_mode(mode)
        .with_partition_columns(PARTITION_COLUMNS)
        .with_commit_properties(commit_properties(meta_json)?)
        .await?)
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
            let table = DeltaTableBuilder::from_url(table_url(&data_dir)?)?
                .load()
                .await?;
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
            let batches = decode_rows(&rows)?;
            let table = DeltaTable::try_from_url(url).await?;
            let table = write(table, batches, &meta_json, SaveMode::ErrorIfExists).await?;
            lock.release();
            Ok(NativeStore::wrap(pond, data_dir, table))
        })
        .await
    }

    /// The Delta table version this handle reads.
    #[napi(getter)]
    pub fn version(&self) -> i64 {
        self.inner.version.load(Ordering::SeqCst)
    }

    /// The pond directory (absolute).
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.pond.to_string_lossy().into_owned()
    }

    /// The pond id recorded in the table's partition values (null for an empty table).
    #[napi]
    pub async fn pond_id(&self) -> napi::Result<Option<String>> {
        let inner = self.inner.clone();
        guard(async move {
            let table = inner.current().await;
            let mut views = table.get_active_add_actions_by_partitions(&[]);
            while let Some(view) = views.try_next().await? {
                if let Some(id) = partition_value(&view, "pond_id") {
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
        guard(async move { inner.history(limit).await }).await
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
            Ok(NativeTxn {
                inner,
                lock: std::sync::Mutex::new(Some(lock)),
                done: AtomicBool::new(false),
            })
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
            Ok(NativeContentReader {
                reader: Mutex::new(reader),
            })
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

/// An open write transaction. Holds the write lock until `commit` or `abort` (or until
/// the process exits: the OS releases the lock, and nothing uncommitted is visible).
#[napi]
pub struct NativeTxn {
    inner: Arc<Inner>,
    lock: std::sync::Mutex<Option<WriteLock>>,
    done: AtomicBool,
}

impl NativeTxn {
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
        self.check_open()?;
        Ok(NativeContentWriter {
            writer: Mutex::new(Some(ContentWriter::new(&self.inner.data_dir))),
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
            let next = write(base, batches, &meta_json, SaveMode::Append).await?;
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
    pub fn release(&self) {
        self.finish();
    }
}

/// Chunked writer of content; see [`ContentWriter`].
#[napi]
pub struct NativeContentWriter {
    writer: Mutex<Option<ContentWriter>>,
}

#[napi]
impl NativeContentWriter {
    #[napi]
    pub async fn write(&self, chunk: Buffer) -> napi::Result<()> {
        guard(async {
            let mut slot = self.writer.lock().await;
            let writer = slot.as_mut().ok_or_else(|| {
                Error::new(Code::InvalidArgument, "content writer already finished")
            })?;
            writer.write(&chunk).await
        })
        .await
    }

    #[napi]
    pub async fn finish(&self) -> napi::Result<StoredContent> {
        guard(async {
            let writer = self.writer.lock().await.take().ok_or_else(|| {
                Error::new(Code::InvalidArgument, "content writer already finished")
            })?;
            Ok(writer.finish().await?.into())
        })
        .await
    }

    #[napi]
    pub async fn discard(&self) -> napi::Result<()> {
        guard(async {
            if let Some(writer) = self.writer.lock().await.take() {
                writer.discard().await;
            }
            Ok(())
        })
        .await
    }
}

/// Chunked reader of large content.
#[napi]
pub struct NativeContentReader {
    reader: Mutex<ContentReader>,
}

#[napi]
impl NativeContentReader {
    /// The next chunk (up to 1 MiB), or null at the end.
    #[napi]
    pub async fn next(&self) -> napi::Result<Option<Buffer>> {
        guard(async {
            Ok(self
                .reader
                .lock()
                .await
                .next_chunk()
                .await?
                .map(Buffer::from))
        })
        .await
    }
}
