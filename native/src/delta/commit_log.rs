// SPDX-License-Identifier: Apache-2.0
//! A Delta table's commit log as pond lists it (`pond log`, `pond recover`, transaction
//! numbering): the JSON commit files still in `_delta_log`, each with its `commitInfo`
//! timestamp, operation and pond's commit metadata.

use std::path::Path;

use napi_derive::napi;

use super::{CommitKind, LOG_DIR};
use crate::error::Result;

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

/// The commits of the Delta table at `table_dir`, oldest first (the newest `limit` when
/// given), read from the JSON commit files still in its log, with the commit metadata under
/// the first of `kinds` present, as JSON. Commits whose JSON was cleaned up after a
/// checkpoint are not listed.
pub async fn read_history(
    table_dir: &Path,
    limit: Option<u32>,
    kinds: &[CommitKind],
) -> Result<Vec<CommitRecord>> {
    let log_dir = table_dir.join(LOG_DIR);
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
        out.push(parse_commit(version, &text, kinds));
    }
    Ok(out)
}

/// The record of commit `version` from the text of its JSON commit file (one action per
/// line; lines that are not JSON are skipped).
fn parse_commit(version: i64, text: &str, kinds: &[CommitKind]) -> CommitRecord {
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
            record.meta = kinds
                .iter()
                .find_map(|kind| info.get(kind.key()))
                .map(|v| v.to_string());
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_info_gives_time_operation_and_the_first_metadata_present() {
        let text = concat!(
            r#"{"add":{"path":"x.parquet"}}"#,
            "\n",
            "not json\n",
            r#"{"commitInfo":{"timestamp":17,"operation":"WRITE","pond_maintain":{"txn_seq":2},"pond_txn":{"txn_seq":3}}}"#,
        );
        let record = parse_commit(4, text, &[CommitKind::Txn, CommitKind::Maintain]);
        assert_eq!(record.version, 4);
        assert_eq!(record.timestamp, Some(17));
        assert_eq!(record.operation.as_deref(), Some("WRITE"));
        assert_eq!(record.meta.as_deref(), Some(r#"{"txn_seq":3}"#));
        let bare = parse_commit(0, "", &[CommitKind::Control]);
        assert!(bare.timestamp.is_none() && bare.meta.is_none());
    }
}
