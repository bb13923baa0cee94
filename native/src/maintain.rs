// SPDX-License-Identifier: Apache-2.0
//! Maintenance of a pond's Delta tables (`pond maintain`, `pond show`): compaction of small
//! files per partition, vacuum of the files compaction replaced, a checkpoint, and cleanup
//! of the JSON commits the checkpoint made redundant, plus table statistics. None of it
//! changes a row: compaction rewrites the same rows into fewer files, and everything else
//! only removes files no current version references. Callers hold the write lock.

use std::collections::HashSet;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use deltalake::checkpoints::{cleanup_expired_logs_for, create_checkpoint};
use deltalake::DeltaTable;
use futures::TryStreamExt;
use napi_derive::napi;

use crate::delta::{open_if_table, version_of, CommitKind, LOG_DIR};
use crate::error::{guard, Code, Error, Result};
use crate::layout::{LARGE_DIR, LARGE_PREFIX};

/// The file size compaction aims for.
const TARGET_FILE_SIZE: u64 = 128 * 1024 * 1024;

/// Size and shape of one Delta table at its newest version.
#[napi(object)]
#[derive(Clone)]
pub struct TableStats {
    /// Newest table version (-1 when the table does not exist yet).
    pub version: i64,
    /// Active data files.
    pub files: i64,
    /// Bytes in active data files.
    pub bytes: i64,
    /// Distinct partitions with at least one active file.
    pub partitions: i64,
    /// JSON commit files still in `_delta_log`.
    pub log_files: i64,
    /// Version of the newest checkpoint, if any.
    pub checkpoint_version: Option<i64>,
}

#[napi(object)]
pub struct MaintainOptions {
    /// Rewrite each partition's small files into one (Delta optimize).
    pub compact: Option<bool>,
    /// Delete the files compaction replaced (default true). Off for automatic maintenance,
    /// so readers still loading an older version never lose a file under them.
    pub vacuum: Option<bool>,
    /// Remove commit files before the new checkpoint (default true; off for automatic
    /// maintenance, for the same reason).
    pub cleanup_logs: Option<bool>,
    /// Keep replaced data files and commit files younger than this many ms (default 0), so
    /// a reader that loaded an older version a moment ago can still read it: readers take
    /// no lock. pond passes its `maintain.retention` setting here.
    pub retention_ms: Option<i64>,
    /// pond's commit metadata (JSON) for the commits maintenance makes (`pond_maintain`).
    pub meta_json: String,
    /// When given, large content files (`_large_files/blake3=<hex>`) whose hash is not in
    /// this list, and leftover temporaries, are removed.
    pub large_referenced: Option<Vec<String>>,
}

#[napi(object)]
pub struct MaintainReport {
    pub before: TableStats,
    pub after: TableStats,
    /// Small files compaction replaced, files it wrote, partitions it touched.
    pub files_compacted: i64,
    pub files_written: i64,
    pub partitions_compacted: i64,
    /// Replaced data files deleted from disk.
    pub files_vacuumed: i64,
    /// JSON commit files removed after the checkpoint.
    pub logs_removed: i64,
    /// Unreferenced large content files (and temporaries) removed, and their bytes.
    pub large_removed: i64,
    pub large_bytes_removed: i64,
}

impl MaintainReport {
    fn unchanged(stats: TableStats) -> MaintainReport {
        MaintainReport {
            before: stats.clone(),
            after: stats,
            files_compacted: 0,
            files_written: 0,
            partitions_compacted: 0,
            files_vacuumed: 0,
            logs_removed: 0,
            large_removed: 0,
            large_bytes_removed: 0,
        }
    }
}

async fn stats(dir: &Path, table: Option<&DeltaTable>) -> Result<TableStats> {
    let mut out = TableStats {
        version: -1,
        files: 0,
        bytes: 0,
        partitions: 0,
        log_files: 0,
        checkpoint_version: None,
    };
    let Some(table) = table else { return Ok(out) };
    out.version = version_of(table);
    let mut partitions = HashSet::new();
    let mut views = table.get_active_add_actions_by_partitions(&[]);
    while let Some(view) = views.try_next().await? {
        out.files += 1;
        out.bytes += view.size();
        let mut values: Vec<(String, Option<String>)> =
            view.partition_values_map().into_iter().collect();
        values.sort();
        partitions.insert(format!("{values:?}"));
    }
    out.partitions = partitions.len() as i64;
    let log_dir = dir.join(LOG_DIR);
    let mut entries = tokio::fs::read_dir(&log_dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_name().to_string_lossy().ends_with(".json") {
            out.log_files += 1;
        }
    }
    if let Ok(text) = tokio::fs::read_to_string(log_dir.join("_last_checkpoint")).await {
        out.checkpoint_version = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("version").and_then(|v| v.as_i64()));
    }
    Ok(out)
}

/// Remove `_large_files/` entries that are neither referenced nor complete.
async fn remove_unreferenced(dir: &Path, referenced: &[String]) -> Result<(i64, i64)> {
    let keep: HashSet<&str> = referenced.iter().map(String::as_str).collect();
    let large = dir.join(LARGE_DIR);
    let mut removed = (0, 0);
    let mut entries = match tokio::fs::read_dir(&large).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => return Err(e.into()),
    };
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        let referenced = name
            .strip_prefix(LARGE_PREFIX)
            .is_some_and(|hash| keep.contains(hash));
        if !referenced {
            let size = entry.metadata().await.map(|m| m.len() as i64).unwrap_or(0);
            tokio::fs::remove_file(entry.path()).await?;
            removed.0 += 1;
            removed.1 += size;
        }
    }
    Ok(removed)
}

/// Statistics of the Delta table at `dir` (a pond's `data` or `control` directory).
#[napi]
pub async fn table_stats(dir: String) -> napi::Result<TableStats> {
    guard(async move {
        let dir = std::path::absolute(&dir)?;
        stats(&dir, open_if_table(&dir).await?.as_ref()).await
    })
    .await
}

/// Compact (optionally), vacuum what compaction replaced, checkpoint the newest version
/// and remove the commit files before it. Returns what changed.
#[napi]
pub async fn maintain_table(dir: String, options: MaintainOptions) -> napi::Result<MaintainReport> {
    guard(async move {
        let dir: PathBuf = std::path::absolute(&dir)?;
        let Some(mut table) = open_if_table(&dir).await? else {
            return Ok(MaintainReport::unchanged(stats(&dir, None).await?));
        };
        let mut report = MaintainReport::unchanged(stats(&dir, Some(&table)).await?);
        let retention = chrono::Duration::milliseconds(options.retention_ms.unwrap_or(0).max(0));
        if options.compact.unwrap_or(false) {
            let target = NonZeroU64::new(TARGET_FILE_SIZE)
                .ok_or_else(|| Error::new(Code::Internal, "compaction target size is zero"))?;
            let (next, metrics) = table
                .optimize()
                .with_target_size(target)
                .with_commit_properties(CommitKind::Maintain.properties(&options.meta_json)?)
                .await?;
            table = next;
            report.files_compacted = metrics.num_files_removed as i64;
            report.files_written = metrics.num_files_added as i64;
            report.partitions_compacted = metrics.partitions_optimized as i64;
        }
        // Lite vacuum deletes only files named by `remove` actions (what compaction
        // replaced), never untracked files such as the write lock or large content.
        if options.vacuum.unwrap_or(true) {
            let (next, metrics) = table
                .vacuum()
                .with_retention_period(retention)
                .with_enforce_retention_duration(false)
                .with_commit_properties(CommitKind::Maintain.properties(&options.meta_json)?)
                .await?;
            table = next;
            report.files_vacuumed = metrics.files_deleted.len() as i64;
        }
        let version = table.version().unwrap_or(0);
        create_checkpoint(&table, None).await?;
        if options.cleanup_logs.unwrap_or(true) {
            // With no retention, a cutoff in the future: every commit before the checkpoint
            // is redundant now.
            let cutoff = match retention.num_milliseconds() {
                0 => chrono::Utc::now().timestamp_millis() + 60_000,
                ms => chrono::Utc::now().timestamp_millis() - ms,
            };
            report.logs_removed =
                cleanup_expired_logs_for(version, table.log_store().as_ref(), cutoff, None).await?
                    as i64;
        }
        if let Some(referenced) = &options.large_referenced {
            (report.large_removed, report.large_bytes_removed) =
                remove_unreferenced(&dir, referenced).await?;
        }
        report.after = stats(&dir, Some(&table)).await?;
        Ok(report)
    })
    .await
}
