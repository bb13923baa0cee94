// SPDX-License-Identifier: Apache-2.0
//! Delta Lake plumbing shared by the oplog (`store`), the control table (`control`) and
//! maintenance (`maintain`): opening a table directory, its version as JS sees it, pond's
//! commit metadata, the one write helper, and the commit log (`commit_log`).

pub mod commit_log;
mod url;

use std::path::Path;

use deltalake::arrow::array::RecordBatch;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::protocol::SaveMode;
use deltalake::{DeltaTable, DeltaTableBuilder};

use crate::error::{Error, Result};

pub use self::url::table_url;

/// The Delta log directory inside a table directory.
pub const LOG_DIR: &str = "_delta_log";

/// The kinds of commit pond makes, each carrying its metadata under its own `commitInfo`
/// key. The keys are persisted: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitKind {
    /// A write transaction's commit to the oplog (`{txn_seq, txn_id, args}`).
    Txn,
    /// An append to the control table (`{txn_seq}`).
    Control,
    /// A maintenance commit (compaction, vacuum) to either table (`{txn_seq}`).
    Maintain,
}

impl CommitKind {
    /// The `commitInfo` key the metadata is stored under.
    pub fn key(self) -> &'static str {
        match self {
            CommitKind::Txn => "pond_txn",
            CommitKind::Control => "pond_control",
            CommitKind::Maintain => "pond_maintain",
        }
    }

    fn what(self) -> &'static str {
        match self {
            CommitKind::Txn => "commit metadata",
            CommitKind::Control => "control metadata",
            CommitKind::Maintain => "maintenance metadata",
        }
    }

    /// Commit properties carrying `meta_json` (INVALID_ARGUMENT when it is not JSON).
    pub fn properties(self, meta_json: &str) -> Result<CommitProperties> {
        let meta: serde_json::Value = serde_json::from_str(meta_json)
            .map_err(|e| Error::from(e).context(format!("{} is not JSON", self.what())))?;
        Ok(CommitProperties::default().with_metadata([(self.key().to_string(), meta)]))
    }
}

/// A table's version as the i64 JS sees; -1 before the first commit.
pub fn version_of(table: &DeltaTable) -> i64 {
    table.version().map(|v| v as i64).unwrap_or(-1)
}

/// Whether `dir` holds a Delta table (has a log).
pub fn is_table(dir: &Path) -> bool {
    dir.join(LOG_DIR).is_dir()
}

/// Load the table at `dir` at its newest version, or at `version`.
pub async fn open(dir: &Path, version: Option<i64>) -> Result<DeltaTable> {
    let mut builder = DeltaTableBuilder::from_url(table_url(dir)?)?;
    if let Some(v) = version {
        builder = builder.with_version(v as u64);
    }
    Ok(builder.load().await?)
}

/// The table at `dir` at its newest version, or None when there is no table yet.
pub async fn open_if_table(dir: &Path) -> Result<Option<DeltaTable>> {
    if !is_table(dir) {
        return Ok(None);
    }
    Ok(Some(open(dir, None).await?))
}

/// Write `batches` as one Delta commit with `properties`, partitioned by
/// `partition_columns` (none for an unpartitioned table).
pub async fn write(
    table: DeltaTable,
    batches: Vec<RecordBatch>,
    mode: SaveMode,
    partition_columns: &[&str],
    properties: CommitProperties,
) -> Result<DeltaTable> {
    let mut builder = table.write(batches).with_save_mode(mode);
    if !partition_columns.is_empty() {
        builder = builder.with_partition_columns(partition_columns.iter().copied());
    }
    Ok(builder.with_commit_properties(properties).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn commit_metadata_must_be_json() {
        assert!(CommitKind::Txn.properties(r#"{"txn_seq":1}"#).is_ok());
        let err = CommitKind::Control.properties("{").unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        assert!(err.message.starts_with("control metadata is not JSON"));
    }
}
